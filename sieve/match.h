/*
 * match.h -- the match types of RFC 5228 2.7.1 (:is, :contains, :matches)
 * under a comparator, with the match values of RFC 5229 3.2 (${0}..${N}).
 *
 * Values and keys are counted octet strings: they may hold NUL and any
 * other octet and need no terminator. A comparator without
 * SIEVE_CMP_SUBSTRING (i;ascii-numeric) never matches with :contains or
 * :matches (the validator should have refused it; RFC 5228 2.7.3 treats
 * "undefined" as no match).
 */
#ifndef SIEVE_MATCH_H
#define SIEVE_MATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "compare.h"

#define SIEVE_MATCH_VALUES_MAX 32

struct sieve_match_values {
	/* 1 + number of wildcards in the key, but at most
	 * SIEVE_MATCH_VALUES_MAX: v[0..count-1] are always filled. */
	unsigned count;
	struct {
		const char *p;	/* points into the matched value */
		size_t len;
	} v[SIEVE_MATCH_VALUES_MAX];	/* v[0]: the whole matched value */
};

bool sieve_match_is(const struct sieve_comparator *cmp, const char *val,
		    size_t vlen, const char *key, size_t klen);
/* Substring: the empty key is contained in every value. */
bool sieve_match_contains(const struct sieve_comparator *cmp,
			  const char *val, size_t vlen, const char *key,
			  size_t klen);
/*
 * The same, with a scratch arena for comparators that normalize (what they
 * allocate stays there until the caller resets it). scratch may be NULL:
 * then a temporary arena is made and freed when normalizing is needed.
 */
bool sieve_match_contains_ex(const struct sieve_comparator *cmp,
			     const char *val, size_t vlen, const char *key,
			     size_t klen, struct arena *scratch);
/*
 * Glob match: '*' any sequence, '?' one character (one UTF-8 character when
 * the value is valid UTF-8 there, else one octet), '\' quotes the next
 * character. Wildcards match as little as possible, left to right (RFC 5229
 * 3.2). When mv is not NULL and the match succeeds it is filled: v[0] the
 * whole value, v[i] what the i-th wildcard matched (wildcards beyond the
 * array are matched but not recorded). Worst case O(vlen * klen).
 *
 * A run of consecutive '*' matches like one '*'; each star still has its
 * match value, all but the last of the run empty ("a**b": ${1} = "").
 * A '\' escapes the next octet; a '\' at the very end of the key is a
 * literal backslash. A '*' extends octet by octet, so it may end inside a
 * multi-octet character when the rest of the key asks for that.
 *
 * With a comparator that normalizes (i;unicode-casemap) this function has
 * no place to keep the normalized value, so the match values are mapped
 * back onto val: each covers the original characters whose normalized
 * forms it matched, widened to whole characters (two neighbours may then
 * share a character, e.g. '?' matching only the "A" of a decomposed "Å").
 */
bool sieve_match_matches(const struct sieve_comparator *cmp, const char *val,
			 size_t vlen, const char *key, size_t klen,
			 struct sieve_match_values *mv);
/*
 * The same with an arena. For a comparator that normalizes, both sides are
 * normalized into the arena and mv then points into the normalized value
 * in arena memory (valid until the arena is reset), as compare.h says; it
 * may also point into val when normalizing leaves the value unchanged.
 * For other comparators the arena is not used (may be NULL) and mv points
 * into val. arena NULL behaves as sieve_match_matches.
 */
bool sieve_match_matches_ex(const struct sieve_comparator *cmp,
			    const char *val, size_t vlen, const char *key,
			    size_t klen, struct sieve_match_values *mv,
			    struct arena *arena);

#endif
