/*
 * match.h -- the match types of RFC 5228 2.7.1 (:is, :contains, :matches)
 * under a comparator, with the match values of RFC 5229 3.2 (${0}..${N}).
 */
#ifndef SIEVE_MATCH_H
#define SIEVE_MATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "compare.h"

#define SIEVE_MATCH_VALUES_MAX 32

struct sieve_match_values {
	unsigned count;		/* 1 + number of wildcards in the key */
	struct {
		const char *p;	/* points into the matched value */
		size_t len;
	} v[SIEVE_MATCH_VALUES_MAX];	/* v[0]: the whole matched value */
};

bool sieve_match_is(const struct sieve_comparator *cmp, const char *val,
		    size_t vlen, const char *key, size_t klen);
bool sieve_match_contains(const struct sieve_comparator *cmp,
			  const char *val, size_t vlen, const char *key,
			  size_t klen);
/*
 * Glob match: '*' any sequence, '?' one character (one UTF-8 character when
 * the value is valid UTF-8 there, else one octet), '\' quotes the next
 * character. Wildcards match as little as possible, left to right (RFC 5229
 * 3.2). When mv is not NULL and the match succeeds it is filled: v[0] the
 * whole value, v[i] what the i-th wildcard matched (wildcards beyond the
 * array are matched but not recorded). Worst case O(vlen * klen).
 */
bool sieve_match_matches(const struct sieve_comparator *cmp, const char *val,
			 size_t vlen, const char *key, size_t klen,
			 struct sieve_match_values *mv);

#endif
