/*
 * compare.h -- comparators (RFC 4790 collations as used by RFC 5228 2.7.3).
 *
 * A comparator defines equality, and optionally substring matching and
 * ordering. Substring-capable comparators give a 256-byte folding table
 * (NULL = identity): two bytes are equal when they fold to the same byte.
 * A comparator that cannot work byte by byte (i;unicode-casemap) gives
 * normalize() instead: both sides are normalized and then matched as
 * octets (captures of :matches then refer to the normalized value, see
 * sieve_match_matches_ex in match.h).
 *
 * Implemented in compare.c (i;octet, i;ascii-casemap, i;ascii-numeric and
 * the lookup) and unicode_casemap.c (i;unicode-casemap, UTF-8 helpers).
 */
#ifndef SIEVE_COMPARE_H
#define SIEVE_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;

enum {
	SIEVE_CMP_EQUALITY = 1 << 0,
	SIEVE_CMP_SUBSTRING = 1 << 1,	/* supports :contains/:matches */
	SIEVE_CMP_ORDERING = 1 << 2,	/* supports :value (relational) */
	/*
	 * Only meaningful with normalize(): on a string made of US-ASCII
	 * octets only, normalize() is the same as mapping it through
	 * sieve_ascii_casemap_fold. The matcher then skips normalizing when
	 * both value and key are pure ASCII (no allocation).
	 */
	SIEVE_CMP_ASCII_FAST = 1 << 3,
};

struct sieve_comparator {
	const char *name;
	unsigned flags;
	/* Ordering and equality: <0, 0, >0. */
	int (*compare)(const char *a, size_t alen, const char *b,
		       size_t blen);
	const unsigned char *fold;	/* substring matching, or NULL */
	const char *(*normalize)(struct arena *a, const char *s, size_t len,
				 size_t *outlen);	/* or NULL */
};

extern const struct sieve_comparator sieve_cmp_octet;
extern const struct sieve_comparator sieve_cmp_ascii_casemap;
extern const struct sieve_comparator sieve_cmp_ascii_numeric;
/* RFC 5051; see unicode_casemap.c for the Unicode coverage. */
extern const struct sieve_comparator sieve_cmp_unicode_casemap;

/* The fold table of i;ascii-casemap: a-z map to A-Z, every other octet
 * (including >= 0x80) to itself. */
extern const unsigned char sieve_ascii_casemap_fold[256];

/* Looks a comparator up by its registered name (case-insensitive, as RFC
 * 4790 collation names are); NULL when unknown. */
const struct sieve_comparator *sieve_comparator_find(const char *name);

/*
 * UTF-8 helpers (RFC 3629: no overlong forms, no surrogates, nothing above
 * U+10FFFF). sieve_utf8_decode returns the length (1-4) of the well-formed
 * sequence at the start of s and stores its code point in *cp (cp may be
 * NULL); it returns 0 when len is 0 or the octets there are ill-formed.
 */
size_t sieve_utf8_decode(const char *s, size_t len, uint32_t *cp);
bool sieve_utf8_valid(const char *s, size_t len);

#endif
