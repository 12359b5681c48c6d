/*
 * compare.c -- the comparators of RFC 4790 section 9 (i;octet,
 * i;ascii-casemap, i;ascii-numeric) and comparator lookup by name.
 *
 * Sieve (RFC 5228 2.7.3) requires i;octet and i;ascii-casemap; the
 * comparator-i;ascii-numeric extension adds i;ascii-numeric. None of them
 * allocates: equality and ordering are computed on the caller's bytes.
 * i;unicode-casemap (RFC 5051) lives in unicode_casemap.c.
 */
#include "compare.h"

#include <string.h>

/*
 * i;ascii-casemap folds exactly the 26 lower-case ASCII letters (RFC 4790
 * 9.2.1: "letters outside ASCII are not treated case-insensitively"), so a
 * fixed table rather than toupper(), whose result depends on the locale.
 */
const unsigned char sieve_ascii_casemap_fold[256] = {
#define R8(b) (b), (b) + 1, (b) + 2, (b) + 3, (b) + 4, (b) + 5, (b) + 6, (b) + 7
#define R32(b) R8(b), R8((b) + 8), R8((b) + 16), R8((b) + 24)
	R32(0x00), R32(0x20), R32(0x40),
	/* 0x60 '`', then 'a'..'z' -> 'A'..'Z', then 0x7B..0x7F */
	0x60, R8(0x41), R8(0x49), R8(0x51), 0x59, 0x5A,
	0x7B, 0x7C, 0x7D, 0x7E, 0x7F,
	R32(0x80), R32(0xA0), R32(0xC0), R32(0xE0),
#undef R32
#undef R8
};

/* RFC 4790 9.3.1: memcmp order, a proper prefix sorts first. */
static int
octet_compare(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;
	int r = n ? memcmp(a, b, n) : 0;

	if (r != 0)
		return r;
	return alen < blen ? -1 : alen > blen;
}

/* As i;octet after folding a-z to A-Z on both sides (RFC 4790 9.2.1). */
static int
casemap_compare(const char *a, size_t alen, const char *b, size_t blen)
{
	const unsigned char *ua = (const unsigned char *)a;
	const unsigned char *ub = (const unsigned char *)b;
	const unsigned char *f = sieve_ascii_casemap_fold;
	size_t n = alen < blen ? alen : blen;

	for (size_t i = 0; i < n; i++) {
		if (f[ua[i]] != f[ub[i]])
			return (int)f[ua[i]] - (int)f[ub[i]];
	}
	return alen < blen ? -1 : alen > blen;
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * RFC 4790 9.1.1: the value is the number formed by the leading digits;
 * a string not starting with a digit is positive infinity. Numbers may
 * have any number of digits, so they are compared as digit strings after
 * dropping leading zeros: more significant digits means larger, equal
 * counts compare digit by digit. Never converts to an integer type.
 */
static int
numeric_compare(const char *a, size_t alen, const char *b, size_t blen)
{
	bool ainf = alen == 0 || !is_digit(a[0]);
	bool binf = blen == 0 || !is_digit(b[0]);
	size_t ai = 0, bi = 0, an, bn;
	int r;

	if (ainf || binf)
		return ainf && binf ? 0 : ainf ? 1 : -1;
	while (ai < alen && a[ai] == '0')
		ai++;
	while (bi < blen && b[bi] == '0')
		bi++;
	for (an = 0; ai + an < alen && is_digit(a[ai + an]); an++)
		;
	for (bn = 0; bi + bn < blen && is_digit(b[bi + bn]); bn++)
		;
	if (an != bn)
		return an < bn ? -1 : 1;
	r = an ? memcmp(a + ai, b + bi, an) : 0;
	return r < 0 ? -1 : r > 0;
}

const struct sieve_comparator sieve_cmp_octet = {
	.name = "i;octet",
	.flags = SIEVE_CMP_EQUALITY | SIEVE_CMP_SUBSTRING |
		 SIEVE_CMP_ORDERING,
	.compare = octet_compare,
	.fold = NULL,
	.normalize = NULL,
};

const struct sieve_comparator sieve_cmp_ascii_casemap = {
	.name = "i;ascii-casemap",
	.flags = SIEVE_CMP_EQUALITY | SIEVE_CMP_SUBSTRING |
		 SIEVE_CMP_ORDERING,
	.compare = casemap_compare,
	.fold = sieve_ascii_casemap_fold,
	.normalize = NULL,
};

const struct sieve_comparator sieve_cmp_ascii_numeric = {
	.name = "i;ascii-numeric",
	.flags = SIEVE_CMP_EQUALITY | SIEVE_CMP_ORDERING,
	.compare = numeric_compare,
	.fold = NULL,
	.normalize = NULL,
};

static const struct sieve_comparator *const comparators[] = {
	&sieve_cmp_octet,
	&sieve_cmp_ascii_casemap,
	&sieve_cmp_ascii_numeric,
	&sieve_cmp_unicode_casemap,
};

/*
 * Collation names are matched case-insensitively (RFC 4790 3.1), with the
 * ASCII fold table so that the result does not depend on the locale.
 */
const struct sieve_comparator *
sieve_comparator_find(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(comparators) / sizeof(comparators[0]);
	     i++) {
		const char *n = comparators[i]->name;
		size_t len = strlen(n);

		if (strlen(name) == len &&
		    casemap_compare(name, len, n, len) == 0)
			return comparators[i];
	}
	return NULL;
}
