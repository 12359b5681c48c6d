/*
 * compare.h -- comparators (RFC 4790 collations as used by RFC 5228 2.7.3).
 *
 * A comparator defines equality, and optionally substring matching and
 * ordering. Substring-capable comparators give a 256-byte folding table
 * (NULL = identity): two bytes are equal when they fold to the same byte.
 * A comparator that cannot work byte by byte (i;unicode-casemap) gives
 * normalize() instead: both sides are normalized and then matched as
 * octets (captures of :matches then refer to the normalized value).
 */
#ifndef SIEVE_COMPARE_H
#define SIEVE_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

struct arena;

enum {
	SIEVE_CMP_EQUALITY = 1 << 0,
	SIEVE_CMP_SUBSTRING = 1 << 1,	/* supports :contains/:matches */
	SIEVE_CMP_ORDERING = 1 << 2,	/* supports :value (relational) */
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

/* Looks a comparator up by its registered name (case-insensitive, as RFC
 * 4790 collation names are); NULL when unknown. */
const struct sieve_comparator *sieve_comparator_find(const char *name);

#endif
