/*
 * unicode_casemap.c -- the i;unicode-casemap comparator (RFC 5051) and the
 * UTF-8 decoding helpers declared in compare.h.
 *
 * RFC 5051 prepares each string on its own: if it is valid UTF-8, every
 * code point is replaced by its simple titlecase mapping and that by its
 * full decomposition (canonical and compatibility, applied recursively);
 * a string that is not valid UTF-8 is left as it is. The prepared strings
 * are then compared as i;octet.
 *
 * Where the data comes from: a compact table generated from the Unicode
 * Character Database (unicode_casemap_table.h, written by
 * gen_unicode_casemap.py) for Latin, Greek, Cyrillic, Armenian, Georgian
 * and the symbol blocks made of their letters and of digits (letterlike
 * symbols, number forms, enclosed and fullwidth forms, super/subscripts,
 * ligatures); code for US-ASCII (a-z to A-Z, nothing else changes) and
 * for Hangul syllables (algorithmic decomposition, Unicode 3.12).
 *
 * Why not towupper()/towlower(): their result depends on the LC_CTYPE
 * locale of the process (RFC 5051: "This collation is not locale
 * sensitive"), the C library offers no titlecase mapping (U+01C4..U+01CC,
 * U+01F1..U+01F3 differ from upper case) and no decomposition at all, so
 * a table is needed anyway; with one table there is a single source of
 * truth, the same on every host and under every locale.
 *
 * Known gap: characters of other scripts (CJK compatibility ideographs,
 * Arabic presentation forms, mathematical alphanumerics, Deseret, ...)
 * pass through unchanged, so they compare as octets. Widening the table
 * is a matter of adding ranges to the generator.
 *
 * Nothing here allocates except normalize(), which uses the caller's arena
 * and only when the prepared string differs from the input.
 */
#include "compare.h"

#include <string.h>

#include "arena.h"

#include "unicode_casemap_table.h"

/* Longest UTF-8 form of one prepared code point: a table entry (BMP code
 * points, 3 octets each), a Hangul syllable (3 jamo) or 4 octets. */
#define CM_MAX_BYTES (CM_MAX_EXPANSION * 3 > 9 ? CM_MAX_EXPANSION * 3 : 9)

#define HANGUL_S_BASE 0xAC00
#define HANGUL_L_BASE 0x1100
#define HANGUL_V_BASE 0x1161
#define HANGUL_T_BASE 0x11A7
#define HANGUL_V_COUNT 21
#define HANGUL_T_COUNT 28
#define HANGUL_N_COUNT (HANGUL_V_COUNT * HANGUL_T_COUNT)
#define HANGUL_S_COUNT 11172

/*
 * RFC 3629 section 4 lists the well-formed byte sequences; the second
 * octet's range depends on the first (this excludes overlong forms,
 * surrogates and code points above U+10FFFF).
 */
size_t
sieve_utf8_decode(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned char lo = 0x80, hi = 0xBF;
	size_t n;
	uint32_t c;

	if (len == 0)
		return 0;
	if (u[0] < 0x80) {
		if (cp)
			*cp = u[0];
		return 1;
	}
	if (u[0] < 0xC2 || u[0] > 0xF4)
		return 0;
	if (u[0] < 0xE0) {
		n = 2;
		c = u[0] & 0x1F;
	} else if (u[0] < 0xF0) {
		n = 3;
		c = u[0] & 0x0F;
		if (u[0] == 0xE0)
			lo = 0xA0;
		else if (u[0] == 0xED)
			hi = 0x9F;
	} else {
		n = 4;
		c = u[0] & 0x07;
		if (u[0] == 0xF0)
			lo = 0x90;
		else if (u[0] == 0xF4)
			hi = 0x8F;
	}
	if (len < n || u[1] < lo || u[1] > hi)
		return 0;
	c = (c << 6) | (u[1] & 0x3F);
	for (size_t i = 2; i < n; i++) {
		if ((u[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (u[i] & 0x3F);
	}
	if (cp)
		*cp = c;
	return n;
}

bool
sieve_utf8_valid(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t n;

		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		n = sieve_utf8_decode(s + i, len - i, NULL);
		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

static size_t
put_utf8(unsigned char *out, uint32_t c)
{
	if (c < 0x80) {
		out[0] = (unsigned char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (unsigned char)(0xC0 | (c >> 6));
		out[1] = (unsigned char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (unsigned char)(0xE0 | (c >> 12));
		out[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
		out[2] = (unsigned char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (unsigned char)(0xF0 | (c >> 18));
	out[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
	out[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
	out[3] = (unsigned char)(0x80 | (c & 0x3F));
	return 4;
}

/* Binary search of the generated table; -1 when c is not in it. */
static int
table_find(uint32_t c)
{
	size_t lo = 0, hi = CM_NKEYS;

	if (c < cm_keys[0] || c > cm_keys[CM_NKEYS - 1])
		return -1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cm_keys[mid] < c)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < CM_NKEYS && cm_keys[lo] == c ? (int)lo : -1;
}

/*
 * RFC 5051 step 2 and 3 for one code point: writes the UTF-8 form of its
 * titlecased, decomposed expansion to out (CM_MAX_BYTES octets) and
 * returns the length. The caller handles US-ASCII itself.
 */
static size_t
expand(uint32_t c, unsigned char *out)
{
	int i;

	if (c - HANGUL_S_BASE < HANGUL_S_COUNT) {
		uint32_t s = c - HANGUL_S_BASE;
		uint32_t t = s % HANGUL_T_COUNT;
		size_t n;

		n = put_utf8(out, HANGUL_L_BASE + s / HANGUL_N_COUNT);
		n += put_utf8(out + n, HANGUL_V_BASE +
			      (s % HANGUL_N_COUNT) / HANGUL_T_COUNT);
		if (t != 0)
			n += put_utf8(out + n, HANGUL_T_BASE + t);
		return n;
	}
	i = c <= 0xFFFF ? table_find(c) : -1;
	if (i >= 0) {
		unsigned v = cm_vals[i];
		unsigned off = v >> CM_LEN_BITS;
		unsigned cnt = v & ((1u << CM_LEN_BITS) - 1);
		size_t n = 0;

		for (unsigned k = 0; k < cnt; k++)
			n += put_utf8(out + n, cm_pool[off + k]);
		return n;
	}
	return put_utf8(out, c);
}

/*
 * A stream of prepared octets of one string, so that compare() needs no
 * memory: the expansion of the current code point waits in buf.
 */
struct cm_iter {
	const unsigned char *s;
	size_t len, pos;
	bool raw;		/* invalid UTF-8: the octets as they are */
	unsigned char buf[CM_MAX_BYTES];
	size_t blen, bpos;
};

static void
iter_init(struct cm_iter *it, const char *s, size_t len)
{
	it->s = (const unsigned char *)s;
	it->len = len;
	it->pos = 0;
	it->raw = !sieve_utf8_valid(s, len);
	it->blen = it->bpos = 0;
}

/* Next prepared octet, or -1 at the end. */
static int
iter_next(struct cm_iter *it)
{
	uint32_t c;
	size_t n;

	if (it->bpos < it->blen)
		return it->buf[it->bpos++];
	if (it->pos >= it->len)
		return -1;
	if (it->raw)
		return it->s[it->pos++];
	if (it->s[it->pos] < 0x80)
		return sieve_ascii_casemap_fold[it->s[it->pos++]];
	n = sieve_utf8_decode((const char *)it->s + it->pos,
			      it->len - it->pos, &c);
	it->pos += n;	/* n > 0: the string was validated */
	it->blen = expand(c, it->buf);
	it->bpos = 1;
	return it->buf[0];
}

static bool
all_ascii(const char *s, size_t len)
{
	unsigned char acc = 0;

	for (size_t i = 0; i < len; i++)
		acc |= (unsigned char)s[i];
	return acc < 0x80;
}

/*
 * Ordering and equality: i;octet on the two prepared strings. Pure ASCII
 * (most header values) only needs the ASCII fold; the rest is streamed.
 */
static int
unicode_compare(const char *a, size_t alen, const char *b, size_t blen)
{
	struct cm_iter ia, ib;

	if (all_ascii(a, alen) && all_ascii(b, blen)) {
		const unsigned char *f = sieve_ascii_casemap_fold;
		size_t n = alen < blen ? alen : blen;

		for (size_t i = 0; i < n; i++) {
			unsigned char ca = f[(unsigned char)a[i]];
			unsigned char cb = f[(unsigned char)b[i]];

			if (ca != cb)
				return ca < cb ? -1 : 1;
		}
		return alen < blen ? -1 : alen > blen;
	}

	iter_init(&ia, a, alen);
	iter_init(&ib, b, blen);
	for (;;) {
		int ca = iter_next(&ia), cb = iter_next(&ib);

		if (ca != cb)
			return ca < cb ? -1 : 1;
		if (ca < 0)
			return 0;
	}
}

/*
 * The prepared form of s in the arena (NUL-terminated). Returns s itself,
 * without allocating, when s is not valid UTF-8 (RFC 5051 step 1b: "the
 * original string is used unchanged") or is already in prepared form.
 * A first pass sizes the result so that it is allocated exactly.
 */
static const char *
unicode_normalize(struct arena *a, const char *s, size_t len,
		  size_t *outlen)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned char tmp[CM_MAX_BYTES];
	bool changed = false;
	size_t total = 0, i, n, m;
	uint32_t c;
	char *out;

	for (i = 0; i < len; i += n) {
		if (u[i] < 0x80) {
			n = 1;
			total++;
			if (u[i] >= 'a' && u[i] <= 'z')
				changed = true;
			continue;
		}
		n = sieve_utf8_decode(s + i, len - i, &c);
		if (n == 0) {
			*outlen = len;
			return s;
		}
		m = expand(c, tmp);
		if (m != n || memcmp(tmp, u + i, n) != 0)
			changed = true;
		total += m;
	}
	if (!changed) {
		*outlen = len;
		return s;
	}
	out = arena_alloc(a, total + 1);
	total = 0;
	for (i = 0; i < len; i += n) {
		if (u[i] < 0x80) {
			n = 1;
			out[total++] = (char)sieve_ascii_casemap_fold[u[i]];
			continue;
		}
		n = sieve_utf8_decode(s + i, len - i, &c);
		total += expand(c, (unsigned char *)out + total);
	}
	out[total] = '\0';
	*outlen = total;
	return out;
}

const struct sieve_comparator sieve_cmp_unicode_casemap = {
	.name = "i;unicode-casemap",
	.flags = SIEVE_CMP_EQUALITY | SIEVE_CMP_SUBSTRING |
		 SIEVE_CMP_ORDERING | SIEVE_CMP_ASCII_FAST,
	.compare = unicode_compare,
	.fold = NULL,
	.normalize = unicode_normalize,
};
