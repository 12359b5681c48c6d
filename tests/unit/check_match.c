/*
 * check_match.c -- unit tests for the match types (sieve/match.c): :is and
 * :contains (RFC 5228 2.7.1), :matches with its match values (RFC 5229
 * 3.2), escapes, '?' on UTF-8, the normalizing comparator, and patterns
 * that would make a backtracking matcher exponential.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "match.h"

#define S(lit) lit, sizeof(lit) - 1

#define OCT &sieve_cmp_octet
#define CASE &sieve_cmp_ascii_casemap
#define NUM &sieve_cmp_ascii_numeric
#define UNI &sieve_cmp_unicode_casemap

struct simple_case {
	const struct sieve_comparator *cmp;
	const char *v;
	size_t vlen;
	const char *k;
	size_t klen;
	bool want;
};

/* ---- :is ---------------------------------------------------------------- */

static const struct simple_case is_cases[] = {
	/* RFC 5228 2.7.1 */
	{ OCT, S("frobnitzm"), S("frobnitzm"), true },
	{ OCT, S("frobnitzm"), S("frobnitz"), false },
	{ OCT, S("frobnitz"), S("frobnitzm"), false },
	{ OCT, S(""), S(""), true },
	{ OCT, S("a"), S(""), false },
	{ OCT, S(""), S("a"), false },
	{ CASE, S(""), S(""), true },
	{ CASE, S(""), S("x"), false },
	{ OCT, S("FrobNitzM"), S("frobnitzm"), false },
	{ CASE, S("FrobNitzM"), S("frobnitzm"), true },
	{ CASE, S("frobnitzm"), S("frobnitzm "), false },
	{ CASE, S("\xc3\xa9"), S("\xc3\x89"), false },	/* é É */
	{ OCT, S("a\0b"), S("a\0b"), true },
	{ OCT, S("a\0b"), S("a\0c"), false },
	{ CASE, S("a\0b"), S("A\0B"), true },
	{ CASE, S("a\0b"), S("A"), false },
	{ NUM, S("007"), S("7"), true },
	{ NUM, S("10"), S("9"), false },
	{ NUM, S("abc"), S("def"), true },
	{ NUM, S("0"), S("00"), true },
	{ NUM, S("1"), S(""), false },
	{ UNI, S("\xc3\x85"), S("\xc3\xa5"), true },	/* Å å */
	{ UNI, S("\xc3\x85"), S("A\xcc\x8a"), true },
	{ UNI, S("\xc3\x85"), S("A"), false },
	{ UNI, S("Hello"), S("HELLO"), true },
	{ UNI, S("a\xff"), S("A\xff"), false },		/* invalid: octets */
	{ UNI, S(""), S(""), true },
};

START_TEST(match_is)
{
	const struct simple_case *c = &is_cases[_i];

	ck_assert_msg(sieve_match_is(c->cmp, c->v, c->vlen, c->k, c->klen) ==
		      c->want, "%s case %d", c->cmp->name, _i);
}
END_TEST

/* ---- :contains ----------------------------------------------------------- */

static const struct simple_case contains_cases[] = {
	/* RFC 5228 2.7.1 */
	{ CASE, S("frobnitzm"), S("frob"), true },
	{ CASE, S("frobnitzm"), S("nit"), true },
	{ CASE, S("frobnitzm"), S("fbm"), false },
	{ CASE, S("frobnitzm"), S(""), true },
	{ CASE, S(""), S(""), true },
	{ OCT, S(""), S(""), true },
	{ OCT, S("x"), S(""), true },
	{ UNI, S("x"), S(""), true },
	/* RFC 5228 2.7.3 */
	{ OCT, S("You can MAKE MONEY FAST"), S("MAKE MONEY FAST"), true },
	{ OCT, S("You can Make Money Fast"), S("MAKE MONEY FAST"), false },
	{ CASE, S("You can Make Money Fast"), S("MAKE MONEY FAST"), true },
	{ CASE, S("abc"), S("abcd"), false },
	{ CASE, S("abc"), S("bc"), true },
	{ CASE, S("abc"), S("ab"), true },
	{ CASE, S("abc"), S("ABC"), true },
	{ CASE, S("aaab"), S("AAB"), true },
	{ CASE, S("x\0yz"), S("\0Y"), true },
	{ CASE, S("x\0yz"), S("\0z"), false },
	{ OCT, S("x\0yz"), S("\0y"), true },
	{ OCT, S("x\0yz"), S("\0Y"), false },
	{ CASE, S("gr\xc3\xbc\xc3\x9f" "e"), S("\xc3\xbc\xc3\x9f"), true },
	{ CASE, S("GR\xc3\x9c\xc3\x9f" "E"), S("\xc3\xbc"), false },
	/* i;ascii-numeric has no substring operation: never matches */
	{ NUM, S("123"), S("2"), false },
	{ NUM, S("123"), S(""), false },
	/* i;unicode-casemap */
	{ UNI, S("Hello World"), S("WORLD"), true },	/* ASCII fast path */
	{ UNI, S("Hello World"), S("WORLDS"), false },
	{ UNI, S("\xc3\x85ngstr\xc3\xb6m"), S("NGSTR\xc3\x96M"), true },
	{ UNI, S("\xc3\x85ngstr\xc3\xb6m"), S("ngstro\xcc\x88m"), true },
	{ UNI, S("\xc3\x85ngstr\xc3\xb6m"), S("angstrom"), false },
	{ UNI, S("\xc3\x85ngstr\xc3\xb6m"), S("a"), true },	/* Å = A+ring */
	{ UNI, S("Stra\xc3\x9f" "e"), S("STRASSE"), false },
	{ UNI, S("\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82"),
	  S("\xd0\xbf\xd1\x80\xd0\x98"), true },		/* Привет прИ */
	{ UNI, S("\xef\xac\x81le"), S("fi"), false },	/* ﬁ -> "fi" */
	{ UNI, S("a\xff" "b"), S("A\xff"), false },	/* invalid: octets */
	{ UNI, S("a\xff" "b"), S("a\xff"), true },
};

START_TEST(match_contains)
{
	const struct simple_case *c = &contains_cases[_i];

	ck_assert_msg(sieve_match_contains(c->cmp, c->v, c->vlen, c->k,
					   c->klen) == c->want,
		      "%s case %d", c->cmp->name, _i);
}
END_TEST

START_TEST(contains_with_scratch)
{
	struct arena *a = arena_new(1024);

	ck_assert(sieve_match_contains_ex(UNI, S("\xc3\x85ngstr\xc3\xb6m"),
					  S("\xc3\xa5NG"), a));
	ck_assert(!sieve_match_contains_ex(UNI, S("\xc3\x85ngstr\xc3\xb6m"),
					   S("\xc3\xa5NGT"), a));
	ck_assert_uint_gt(arena_used(a), 0);
	ck_assert(sieve_match_contains_ex(CASE, S("abc"), S("B"), NULL));
	arena_free(a);
}
END_TEST

/* ---- :matches ------------------------------------------------------------ */

#define NOVAL ((const char *)-1)

struct glob_case {
	const struct sieve_comparator *cmp;
	const char *v;
	size_t vlen;
	const char *k;
	size_t klen;
	bool want;
	/* expected ${1}.. (NUL-free), NOVAL-terminated; NULL: not checked */
	const char *values[8];
};

static const struct glob_case glob_cases[] = {
	/* RFC 5228 2.7.1 */
	{ CASE, S("frobnitzm"), S("frob*"), true, { "nitzm", NOVAL } },
	{ CASE, S("frobnitzm"), S("*nitzm"), true, { "frob", NOVAL } },
	{ CASE, S("frobnitzm"), S("f?obnitzm"), true, { "r", NOVAL } },
	{ CASE, S("frobnitzm"), S("frob"), false, { NULL } },
	{ CASE, S("frobnitzm"), S("FROBNITZM"), true, { NOVAL } },
	{ OCT, S("frobnitzm"), S("FROBNITZM"), false, { NULL } },
	{ OCT, S("frobnitzm"), S("*"), true, { "frobnitzm", NOVAL } },
	/* RFC 5229 3.2 examples */
	{ CASE, S("Sieve users <sieve@lists.example.org>"), S("*<*@*"), true,
	  { "Sieve users ", "sieve", "lists.example.org>", NOVAL } },
	{ CASE, S("[acme-users] [fwd] version 1.0 is out"), S("[*] *"), true,
	  { "acme-users", "[fwd] version 1.0 is out", NOVAL } },
	{ CASE, S("coyote@ACME.Example.COM"), S("coyote@**.com"), true,
	  { "", "ACME.Example", NOVAL } },
	{ CASE, S("wile@ACME.Example.COM"), S("coyote@**.com"), false,
	  { NULL } },
	{ CASE, S("alice@mail.example.com"), S("*@*.example.com"), true,
	  { "alice", "mail", NOVAL } },
	{ CASE, S("alice@a.b.example.com"), S("*@*.example.com"), true,
	  { "alice", "a.b", NOVAL } },
	{ CASE, S("alice@example.com"), S("*@*.example.com"), false,
	  { NULL } },
	/* as little as possible, leftmost first */
	{ OCT, S("a.b.c"), S("*.*"), true, { "a", "b.c", NOVAL } },
	{ OCT, S("a.b.c"), S("*.*.*"), true, { "a", "b", "c", NOVAL } },
	{ OCT, S("xaxbxaxb"), S("*a*b*"), true,
	  { "x", "x", "xaxb", NOVAL } },
	{ OCT, S("abc"), S("a***c"), true, { "", "", "b", NOVAL } },
	{ OCT, S("aXbXc"), S("*X*"), true, { "a", "bXc", NOVAL } },
	{ OCT, S("abcabc"), S("*c"), true, { "abcab", NOVAL } },
	/* '?' */
	{ OCT, S("abc"), S("?b?"), true, { "a", "c", NOVAL } },
	{ OCT, S("abc"), S("??"), false, { NULL } },
	{ OCT, S("abc"), S("???"), true, { "a", "b", "c", NOVAL } },
	{ OCT, S("abc"), S("????"), false, { NULL } },
	{ OCT, S("abc"), S("?*?"), true, { "a", "b", "c", NOVAL } },
	{ OCT, S("abcd"), S("*?"), true, { "abc", "d", NOVAL } },
	{ OCT, S("abcd"), S("?*"), true, { "a", "bcd", NOVAL } },
	/* '?' takes one UTF-8 character when the value has one there */
	{ OCT, S("\xc3\xa9"), S("?"), true, { "\xc3\xa9", NOVAL } },
	{ OCT, S("\xc3\xa9"), S("??"), false, { NULL } },
	{ OCT, S("\xe2\x82\xac" "x"), S("?x"), true, { "\xe2\x82\xac", NOVAL } },
	{ OCT, S("\xf0\x9f\x98\x80"), S("?"), true,
	  { "\xf0\x9f\x98\x80", NOVAL } },
	{ OCT, S("d\xc3\xa9j\xc3\xa0"), S("d?j?"), true,
	  { "\xc3\xa9", "\xc3\xa0", NOVAL } },
	{ CASE, S("D\xc3\xa9J\xc3\xa0"), S("d?j?"), true,
	  { "\xc3\xa9", "\xc3\xa0", NOVAL } },
	/* ...else one octet */
	{ OCT, S("\xff"), S("?"), true, { "\xff", NOVAL } },
	{ OCT, S("\xc3"), S("?"), true, { "\xc3", NOVAL } },
	{ OCT, S("\xc3\x28"), S("??"), true, { "\xc3", "(", NOVAL } },
	{ OCT, S("\xc0\x80"), S("??"), true, { "\xc0", "\x80", NOVAL } },
	{ OCT, S("\xed\xa0\x80"), S("???"), true,
	  { "\xed", "\xa0", "\x80", NOVAL } },
	/* a star steps octet by octet and may stop inside a character */
	{ OCT, S("\xc3\xa9"), S("*\xa9"), true, { "\xc3", NOVAL } },
	/* shortest first, but backtracks when '?' took a whole character */
	{ OCT, S("\xe2\x82\xac"), S("*?*\xac"), true,
	  { "\xe2", "\x82", "", NOVAL } },
	/* escapes */
	{ OCT, S("*"), S("\\*"), true, { NOVAL } },
	{ OCT, S("a"), S("\\*"), false, { NULL } },
	{ OCT, S("?"), S("\\?"), true, { NOVAL } },
	{ OCT, S("a"), S("\\?"), false, { NULL } },
	{ OCT, S("\\"), S("\\\\"), true, { NOVAL } },
	{ OCT, S("\\\\"), S("\\\\"), false, { NULL } },
	{ OCT, S("a\\"), S("a\\"), true, { NOVAL } },	/* trailing '\' */
	{ OCT, S("a"), S("a\\"), false, { NULL } },
	{ OCT, S("\\"), S("\\"), true, { NOVAL } },
	{ OCT, S("a"), S("\\a"), true, { NOVAL } },
	{ CASE, S("a"), S("\\A"), true, { NOVAL } },
	{ OCT, S("a*b"), S("*\\**"), true, { "a", "b", NOVAL } },
	{ OCT, S("ab"), S("*\\**"), false, { NULL } },
	{ OCT, S("x?y*z"), S("?\\?*\\*?"), true, { "x", "y", "z", NOVAL } },
	{ OCT, S("a\\b"), S("a\\\\?"), true, { "b", NOVAL } },
	{ OCT, S("a\\\\"), S("a\\\\\\"), true, { NOVAL } },
	/* empty strings */
	{ OCT, S(""), S(""), true, { NOVAL } },
	{ OCT, S(""), S("*"), true, { "", NOVAL } },
	{ OCT, S(""), S("**"), true, { "", "", NOVAL } },
	{ OCT, S(""), S("?"), false, { NULL } },
	{ OCT, S("a"), S(""), false, { NULL } },
	{ OCT, S("a"), S("a*"), true, { "", NOVAL } },
	{ OCT, S("a"), S("*a"), true, { "", NOVAL } },
	/* NUL octets are data */
	{ OCT, S("a\0b"), S("a?b"), true, { NULL } },
	{ OCT, S("a\0b"), S("*\0*"), true, { "a", "b", NOVAL } },
	{ OCT, S("a\0b"), S("a"), false, { NULL } },
	{ OCT, S("a"), S("a\0"), false, { NULL } },
	/* no substring operation: never matches */
	{ NUM, S("123"), S("*"), false, { NULL } },
	/* i;unicode-casemap: values map back onto the original string */
	{ UNI, S("\xc3\x85ngstr\xc3\xb6m"), S("*ngstr*m"), true,
	  { "\xc3\x85", "\xc3\xb6", NOVAL } },
	{ UNI, S("\xc3\x85ngstr\xc3\xb6m"), S("?ngstr*m"), false, { NULL } },
	{ UNI, S("\xc3\x85ngstr\xc3\xb6m"), S("??NGSTR?"), false, { NULL } },
	{ UNI, S("\xc3\x85ngstr\xc3\xb6m"), S("??NGSTR??M"), true,
	  { "\xc3\x85", "\xc3\x85", "\xc3\xb6", "\xc3\xb6", NOVAL } },
	{ UNI, S("\xc3\xa5" "a"), S("\xc3\x85*"), true, { "a", NOVAL } },
	{ UNI, S("Hello World"), S("hello *"), true, { "World", NOVAL } },
	{ UNI, S("Ol\xc3\xa1 Mundo"), S("OL\xc3\x81 *"), true,
	  { "Mundo", NOVAL } },
	/* a fullwidth '*' normalizes to '*' but stays a literal */
	{ UNI, S("a*b"), S("a\xef\xbc\x8a" "b"), true, { NOVAL } },
	{ UNI, S("axb"), S("a\xef\xbc\x8a" "b"), false, { NULL } },
	{ UNI, S("\xef\xbd\x81x"), S("A\\*"), false, { NULL } },
	/* invalid UTF-8: octets, no case folding for that string */
	{ UNI, S("\xff" "abc"), S("\xff*"), true, { "abc", NOVAL } },
	{ UNI, S("\xff" "abc"), S("\xff" "ABC"), false, { NULL } },
	{ UNI, S("\xff" "abc"), S("*B*"), false, { NULL } },
	{ UNI, S("\xff" "ABC"), S("*b*"), true, { "\xff" "A", "C", NOVAL } },
};

static void
check_values(int i, const struct glob_case *c,
	     const struct sieve_match_values *mv)
{
	unsigned n = 0;

	ck_assert_msg(mv->v[0].p == c->v && mv->v[0].len == c->vlen,
		      "case %d: ${0} is not the value", i);
	if (c->values[0] == NULL)
		return;
	while (c->values[n] != NOVAL)
		n++;
	ck_assert_msg(mv->count == n + 1, "case %d: count %u, want %u", i,
		      mv->count, n + 1);
	for (unsigned j = 0; j < n; j++) {
		size_t len = strlen(c->values[j]);
		const char *p = mv->v[j + 1].p;

		ck_assert_msg(mv->v[j + 1].len == len &&
			      memcmp(p, c->values[j], len) == 0,
			      "case %d: ${%u} = \"%.*s\", want \"%s\"", i,
			      j + 1, (int)mv->v[j + 1].len, p, c->values[j]);
		ck_assert_msg(p >= c->v && p + len <= c->v + c->vlen,
			      "case %d: ${%u} outside the value", i, j + 1);
	}
}

START_TEST(match_matches)
{
	const struct glob_case *c = &glob_cases[_i];
	struct sieve_match_values mv;
	bool r;

	memset(&mv, 0xA5, sizeof(mv));
	r = sieve_match_matches(c->cmp, c->v, c->vlen, c->k, c->klen, &mv);
	ck_assert_msg(r == c->want, "%s case %d: got %d", c->cmp->name, _i,
		      r);
	if (r)
		check_values(_i, c, &mv);
	/* the same answer without match values */
	ck_assert(sieve_match_matches(c->cmp, c->v, c->vlen, c->k, c->klen,
				      NULL) == c->want);
}
END_TEST

/*
 * A reference matcher written the obvious way: recursive backtracking,
 * every '*' trying the shortest extent first. Exponential, so only for
 * short strings, but its answer is the definition of RFC 5229 3.2.
 */
struct ref {
	const unsigned char *v, *k, *fold;
	size_t vlen, klen;
	size_t cap_off[64], cap_len[64];
	unsigned nwild;		/* wildcards on the successful path */
};

static size_t
ref_char_len(const struct ref *r, size_t p)
{
	size_t n = sieve_utf8_decode((const char *)r->v + p, r->vlen - p, NULL);

	return n ? n : 1;
}

static bool
ref_match(struct ref *r, size_t ki, size_t vi, unsigned w)
{
	if (ki == r->klen) {
		r->nwild = w;
		return vi == r->vlen;
	}
	if (r->k[ki] == '*') {
		for (size_t n = 0; vi + n <= r->vlen; n++) {
			r->cap_off[w] = vi;
			r->cap_len[w] = n;
			if (ref_match(r, ki + 1, vi + n, w + 1))
				return true;
		}
		return false;
	}
	if (vi >= r->vlen)
		return false;
	if (r->k[ki] == '?') {
		size_t n = ref_char_len(r, vi);

		r->cap_off[w] = vi;
		r->cap_len[w] = n;
		return ref_match(r, ki + 1, vi + n, w + 1);
	}
	if (r->k[ki] == '\\' && ki + 1 < r->klen)
		ki++;
	if (r->fold[r->v[vi]] != r->fold[r->k[ki]])
		return false;
	return ref_match(r, ki + 1, vi + 1, w);
}

static size_t
random_string(unsigned *seed, char *out, const char *const *alpha,
	      size_t nalpha, unsigned maxpieces)
{
	unsigned pieces;
	size_t len = 0;

	*seed = *seed * 1103515245 + 12345;
	pieces = (*seed >> 16) % (maxpieces + 1);
	for (unsigned i = 0; i < pieces; i++) {
		const char *p;

		*seed = *seed * 1103515245 + 12345;
		p = alpha[(*seed >> 16) % nalpha];
		memcpy(out + len, p, strlen(p));
		len += strlen(p);
	}
	return len;
}

/* The real matcher must agree with the reference, match values included. */
START_TEST(agrees_with_reference)
{
	static const char *const valpha[] = {
		"a", "b", "A", "*", "?", "\\", "\xc3\xa9", "\xc3", "\xa9",
	};
	static const char *const kalpha[] = {
		"a", "b", "A", "*", "*", "?", "?", "\\", "\xc3", "\xa9",
		"\xc3\xa9", "\\*",
	};
	static unsigned char identity[256];
	const struct sieve_comparator *cmps[] = { OCT, CASE };
	unsigned seed = 4242;

	for (unsigned c = 0; c < 256; c++)
		identity[c] = (unsigned char)c;
	for (int iter = 0; iter < 40000; iter++) {
		const struct sieve_comparator *cmp = cmps[iter & 1];
		char v[64], k[64];
		size_t vlen = random_string(&seed, v, valpha, 9, 9);
		size_t klen = random_string(&seed, k, kalpha, 12, 7);
		struct ref r = {
			.v = (const unsigned char *)v, .vlen = vlen,
			.k = (const unsigned char *)k, .klen = klen,
			.fold = cmp->fold ? cmp->fold : identity,
		};
		struct sieve_match_values mv;
		bool want = ref_match(&r, 0, 0, 0);
		bool got = sieve_match_matches(cmp, v, vlen, k, klen, &mv);

		ck_assert_msg(got == want, "%s: \"%.*s\" against \"%.*s\": %d",
			      cmp->name, (int)vlen, v, (int)klen, k, got);
		if (!got)
			continue;
		ck_assert_uint_eq(mv.count, r.nwild + 1);
		for (unsigned i = 1; i < mv.count; i++) {
			ck_assert_msg(mv.v[i].p == v + r.cap_off[i - 1] &&
				      mv.v[i].len == r.cap_len[i - 1],
				      "%s: \"%.*s\" against \"%.*s\": ${%u}",
				      cmp->name, (int)vlen, v, (int)klen, k,
				      i);
		}
	}
}
END_TEST

/* Escapes the glob specials of s (n octets) into out. */
static size_t
glob_quote(const char *s, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '*' || s[i] == '?' || s[i] == '\\')
			out[o++] = '\\';
		out[o++] = s[i];
	}
	return o;
}

/*
 * Random octets through every comparator (ASan/valgrind watch the bounds),
 * checking that the three match types agree with each other: :is k is
 * :matches quote(k), :contains k is :matches "*" quote(k) "*".
 */
START_TEST(match_types_agree)
{
	static const char *const alpha[] = {
		"a", "A", "b", "*", "?", "\\", "\0", "\xff", "\xc3", "\x85",
		"\xc3\x85", "\xc3\xa5", "A\xcc\x8a", "\xef\xbc\x8a", "\xe2\x84",
		"\xc7\x84", "\xf0\x9f\x98\x80", "\xed\xa0\x80",
	};
	const size_t na = sizeof(alpha) / sizeof(alpha[0]);
	const struct sieve_comparator *cmps[] = { OCT, CASE, UNI };
	struct arena *a = arena_new(4096);
	unsigned seed = 777;

	for (int iter = 0; iter < 30000; iter++) {
		const struct sieve_comparator *cmp = cmps[iter % 3];
		char v[64], k[64], q[160];
		size_t vlen = 0, klen = 0, qlen;
		unsigned nv, nk;
		struct sieve_match_values mv;

		seed = seed * 1103515245 + 12345;
		nv = (seed >> 16) % 8;
		seed = seed * 1103515245 + 12345;
		nk = (seed >> 16) % 4;
		for (unsigned i = 0; i < nv + nk; i++) {
			const char *p;
			size_t pl;

			seed = seed * 1103515245 + 12345;
			p = alpha[(seed >> 16) % na];
			pl = *p ? strlen(p) : 1;
			if (i < nv) {
				memcpy(v + vlen, p, pl);
				vlen += pl;
			} else {
				memcpy(k + klen, p, pl);
				klen += pl;
			}
		}
		/* half of the time, the key is a piece of the value */
		if (iter & 4 && vlen) {
			seed = seed * 1103515245 + 12345;
			size_t off = (seed >> 16) % vlen;
			klen = (seed >> 20) % (vlen - off + 1);
			memcpy(k, v + off, klen);
		}
		bool is = sieve_match_is(cmp, v, vlen, k, klen);
		bool contains = sieve_match_contains(cmp, v, vlen, k, klen);

		qlen = glob_quote(k, klen, q + 1);
		ck_assert_msg(sieve_match_matches(cmp, v, vlen, q + 1, qlen,
						  &mv) == is,
			      "%s iter %d: :is %d", cmp->name, iter, is);
		ck_assert(sieve_match_matches_ex(cmp, v, vlen, q + 1, qlen,
						 &mv, a) == is);
		q[0] = '*';
		q[qlen + 1] = '*';
		ck_assert_msg(sieve_match_matches(cmp, v, vlen, q, qlen + 2,
						  &mv) == contains,
			      "%s iter %d: :contains %d", cmp->name, iter,
			      contains);
		ck_assert(sieve_match_contains_ex(cmp, v, vlen, k, klen, a) ==
			  contains);
		/* random keys, wildcards and all: values stay inside v */
		if (sieve_match_matches(cmp, v, vlen, k, klen, &mv)) {
			ck_assert_uint_ge(mv.count, 1);
			for (unsigned i = 0; i < mv.count; i++)
				ck_assert(mv.v[i].p >= v &&
					  mv.v[i].len <= vlen &&
					  mv.v[i].p + mv.v[i].len <= v + vlen);
		}
		sieve_match_matches_ex(cmp, v, vlen, k, klen, &mv, a);
		arena_reset(a);
	}
	arena_free(a);
}
END_TEST

/* With an arena, a normalizing comparator gives normalized values. */
START_TEST(matches_ex_normalized)
{
	struct arena *a = arena_new(1024);
	struct sieve_match_values mv;

	ck_assert(sieve_match_matches_ex(UNI, S("\xc3\x85ngstr\xc3\xb6m"),
					 S("*ngstr*m"), &mv, a));
	ck_assert_uint_eq(mv.count, 3);
	ck_assert_uint_eq(mv.v[0].len, 12);
	ck_assert(memcmp(mv.v[0].p, "A\xcc\x8aNGSTRO\xcc\x88M", 12) == 0);
	ck_assert_uint_eq(mv.v[1].len, 3);
	ck_assert(memcmp(mv.v[1].p, "A\xcc\x8a", 3) == 0);
	ck_assert_uint_eq(mv.v[2].len, 3);
	ck_assert(memcmp(mv.v[2].p, "O\xcc\x88", 3) == 0);

	/* ASCII too is normalized when the values are wanted */
	ck_assert(sieve_match_matches_ex(UNI, S("Hello World"), S("hello *"),
					 &mv, a));
	ck_assert_uint_eq(mv.v[1].len, 5);
	ck_assert(memcmp(mv.v[1].p, "WORLD", 5) == 0);

	/* byte-wise comparators ignore the arena */
	ck_assert(sieve_match_matches_ex(CASE, S("Hello World"), S("hello *"),
					 &mv, a));
	ck_assert(memcmp(mv.v[1].p, "World", 5) == 0);
	arena_free(a);
}
END_TEST

/* More wildcards than SIEVE_MATCH_VALUES_MAX: matched, not recorded. */
START_TEST(many_wildcards)
{
	char val[64], key[64];
	struct sieve_match_values mv;

	for (int i = 0; i < 40; i++) {
		val[i] = (char)('A' + i % 26);
		key[i] = '?';
	}
	ck_assert(sieve_match_matches(OCT, val, 40, key, 40, &mv));
	ck_assert_uint_eq(mv.count, SIEVE_MATCH_VALUES_MAX);
	ck_assert_uint_eq(mv.v[SIEVE_MATCH_VALUES_MAX - 1].len, 1);
	ck_assert_ptr_eq(mv.v[SIEVE_MATCH_VALUES_MAX - 1].p,
			 val + SIEVE_MATCH_VALUES_MAX - 2);
	ck_assert(!sieve_match_matches(OCT, val, 39, key, 40, &mv));

	/* 20 star runs: more than the matcher keeps on its stack */
	for (int i = 0; i < 20; i++) {
		key[2 * i] = '*';
		key[2 * i + 1] = 'a';
	}
	memset(val, 'a', 30);
	val[30] = 'b';
	ck_assert(sieve_match_matches(OCT, val, 30, key, 40, &mv));
	ck_assert_uint_eq(mv.count, 21);
	ck_assert_uint_eq(mv.v[1].len, 0);
	ck_assert_uint_eq(mv.v[19].len, 0);
	ck_assert_ptr_eq(mv.v[20].p, val + 19);
	ck_assert_uint_eq(mv.v[20].len, 10);
	ck_assert(!sieve_match_matches(OCT, val, 31, key, 40, &mv));
	ck_assert(!sieve_match_matches(OCT, val, 19, key, 40, &mv));
	key[40] = '*';
	ck_assert(sieve_match_matches(OCT, val, 31, key, 41, &mv));
	ck_assert_uint_eq(mv.count, 22);
	ck_assert_uint_eq(mv.v[21].len, 11);
}
END_TEST

/*
 * The pattern that makes naive backtracking take about vlen^9 steps must
 * come back (O(vlen * klen) here: a few million steps at most).
 */
START_TEST(pathological)
{
	static const char key[] = "*a*a*a*a*a*a*a*a*a*b";
	static const char key2[] = "*a*a*a*a*a*a*a*a*a*?b";
	static const char key3[] = "*?*?*?*?*?*?*?*?*?*?b*";
	size_t n = 100 * 1024;
	char *val = malloc(n + 1);
	struct sieve_match_values mv;

	memset(val, 'a', n);
	val[n] = 'b';
	ck_assert(!sieve_match_matches(OCT, val, n, S(key), NULL));
	ck_assert(!sieve_match_matches(CASE, val, n, S(key), &mv));
	ck_assert(!sieve_match_matches(CASE, val, n, S(key2), &mv));
	ck_assert(!sieve_match_matches(CASE, val, n, S(key3), &mv));
	ck_assert(!sieve_match_matches(UNI, val, n, S(key), &mv));
	ck_assert(sieve_match_matches(CASE, val, n + 1, S(key), &mv));
	ck_assert_uint_eq(mv.count, 11);
	ck_assert_uint_eq(mv.v[1].len, 0);
	ck_assert_uint_eq(mv.v[9].len, 0);
	ck_assert_uint_eq(mv.v[10].len, n - 9);
	ck_assert(sieve_match_matches(CASE, val, n + 1, S(key2), &mv));
	ck_assert(sieve_match_matches(CASE, val, n + 1, S(key3), &mv));
	ck_assert(!sieve_match_contains(CASE, val, n, S("aaaaaaaaaab")));
	ck_assert(sieve_match_contains(CASE, val, n + 1, S("AAAAAAAAAAB")));
	free(val);
}
END_TEST

static Suite *
match_suite(void)
{
	Suite *s = suite_create("match");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, match_is, 0,
			    sizeof(is_cases) / sizeof(is_cases[0]));
	tcase_add_loop_test(tc, match_contains, 0,
			    sizeof(contains_cases) / sizeof(contains_cases[0]));
	tcase_add_test(tc, contains_with_scratch);
	tcase_add_loop_test(tc, match_matches, 0,
			    sizeof(glob_cases) / sizeof(glob_cases[0]));
	tcase_add_test(tc, agrees_with_reference);
	tcase_add_test(tc, match_types_agree);
	tcase_add_test(tc, matches_ex_normalized);
	tcase_add_test(tc, many_wildcards);
	tcase_add_test(tc, pathological);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(match_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
