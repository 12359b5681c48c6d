/*
 * check_compare.c -- unit tests for the comparators (sieve/compare.c,
 * sieve/unicode_casemap.c): RFC 4790 section 9 (i;octet, i;ascii-casemap,
 * i;ascii-numeric), RFC 5051 (i;unicode-casemap), the UTF-8 decoder and
 * comparator lookup.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "compare.h"

/* A counted string literal: may hold NUL octets. */
#define S(lit) lit, sizeof(lit) - 1

static int
sign(int r)
{
	return r < 0 ? -1 : r > 0;
}

/* ---- lookup ------------------------------------------------------------ */

START_TEST(find_by_name)
{
	ck_assert_ptr_eq(sieve_comparator_find("i;octet"), &sieve_cmp_octet);
	ck_assert_ptr_eq(sieve_comparator_find("I;OCTET"), &sieve_cmp_octet);
	ck_assert_ptr_eq(sieve_comparator_find("i;ascii-casemap"),
			 &sieve_cmp_ascii_casemap);
	ck_assert_ptr_eq(sieve_comparator_find("i;ASCII-CaseMap"),
			 &sieve_cmp_ascii_casemap);
	ck_assert_ptr_eq(sieve_comparator_find("i;ascii-numeric"),
			 &sieve_cmp_ascii_numeric);
	ck_assert_ptr_eq(sieve_comparator_find("i;Unicode-Casemap"),
			 &sieve_cmp_unicode_casemap);
	ck_assert_ptr_null(sieve_comparator_find("i;basic"));
	ck_assert_ptr_null(sieve_comparator_find("i;octe"));
	ck_assert_ptr_null(sieve_comparator_find("i;octets"));
	ck_assert_ptr_null(sieve_comparator_find(""));
	ck_assert_ptr_null(sieve_comparator_find(NULL));
}
END_TEST

START_TEST(flags)
{
	unsigned all = SIEVE_CMP_EQUALITY | SIEVE_CMP_SUBSTRING |
		       SIEVE_CMP_ORDERING;

	ck_assert_uint_eq(sieve_cmp_octet.flags & all, all);
	ck_assert_uint_eq(sieve_cmp_ascii_casemap.flags & all, all);
	ck_assert_uint_eq(sieve_cmp_unicode_casemap.flags & all, all);
	ck_assert_uint_eq(sieve_cmp_ascii_numeric.flags & all,
			  SIEVE_CMP_EQUALITY | SIEVE_CMP_ORDERING);
	ck_assert_ptr_null(sieve_cmp_octet.fold);
	ck_assert_ptr_eq(sieve_cmp_ascii_casemap.fold,
			 sieve_ascii_casemap_fold);
	ck_assert_ptr_nonnull(sieve_cmp_unicode_casemap.normalize);
	ck_assert_str_eq(sieve_cmp_unicode_casemap.name, "i;unicode-casemap");
}
END_TEST

START_TEST(fold_table)
{
	for (unsigned c = 0; c < 256; c++) {
		unsigned want = c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;

		ck_assert_uint_eq(sieve_ascii_casemap_fold[c], want);
	}
}
END_TEST

/* ---- ordering tables --------------------------------------------------- */

struct order_case {
	const struct sieve_comparator *cmp;
	const char *a;
	size_t alen;
	const char *b;
	size_t blen;
	int want;	/* -1, 0, 1 */
};

#define OCT &sieve_cmp_octet
#define CASE &sieve_cmp_ascii_casemap
#define NUM &sieve_cmp_ascii_numeric
#define UNI &sieve_cmp_unicode_casemap

static const struct order_case order_cases[] = {
	/* RFC 4790 9.3.1: i;octet */
	{ OCT, S(""), S(""), 0 },
	{ OCT, S(""), S("a"), -1 },
	{ OCT, S("a"), S(""), 1 },
	{ OCT, S("abc"), S("abd"), -1 },
	{ OCT, S("ab"), S("abc"), -1 },
	{ OCT, S("abc"), S("ab"), 1 },
	{ OCT, S("abc"), S("abc"), 0 },
	{ OCT, S("abc"), S("ABC"), 1 },
	{ OCT, S("\x80"), S("\x7f"), 1 },		/* unsigned octets */
	{ OCT, S("\xff"), S("\x01"), 1 },
	{ OCT, S("a\0b"), S("a\0c"), -1 },		/* NUL is data */
	{ OCT, S("a\0"), S("a"), 1 },
	{ OCT, S("["), S("a"), -1 },
	/* RFC 4790 9.2.1: i;ascii-casemap */
	{ CASE, S("abc"), S("ABC"), 0 },
	{ CASE, S("FrobNitzM"), S("frobnitzm"), 0 },
	{ CASE, S("a"), S("B"), -1 },
	{ CASE, S("B"), S("a"), 1 },
	{ CASE, S("["), S("a"), 1 },	/* 'a' sorts as 'A' (0x41) < 0x5B */
	{ CASE, S("_"), S("z"), 1 },
	{ CASE, S("\xc3\xa9"), S("\xc3\x89"), 1 },	/* é, É: not ASCII */
	{ CASE, S("a\0B"), S("A\0b"), 0 },
	{ CASE, S(""), S(""), 0 },
	{ CASE, S("ab"), S("ABC"), -1 },
	/* RFC 4790 9.1.1: i;ascii-numeric and its examples */
	{ NUM, S("0"), S("1"), -1 },
	{ NUM, S("1"), S("4294967298"), -1 },
	{ NUM, S("4294967298"), S("04294967298"), 0 },
	{ NUM, S("4294967298"), S("4294967298b"), 0 },
	{ NUM, S("04294967298"), S("4294967298b"), 0 },
	{ NUM, S("04294967298"), S(""), -1 },
	{ NUM, S(""), S("x"), 0 },
	{ NUM, S("x"), S("y"), 0 },
	{ NUM, S("abc"), S("def"), 0 },
	{ NUM, S("0"), S("00"), 0 },
	{ NUM, S("000"), S("0x"), 0 },
	{ NUM, S("10"), S("9"), 1 },
	{ NUM, S("9"), S("10"), -1 },
	{ NUM, S("007"), S("7"), 0 },
	{ NUM, S("0010"), S("9"), 1 },
	{ NUM, S("12abc"), S("12"), 0 },
	{ NUM, S("12\0" "5"), S("12"), 0 },
	{ NUM, S("-1"), S("5"), 1 },		/* '-' is not a digit */
	{ NUM, S(" 1"), S("x"), 0 },
	{ NUM, S("99999999999999999999"), S("x"), -1 },
	{ NUM, S("x"), S("0"), 1 },
	/* 100-digit numbers, beyond any integer type */
	{ NUM,
	  S("1000000000000000000000000000000000000000000000000000"
	    "000000000000000000000000000000000000000000000000"),
	  S("9999999999999999999999999999999999999999999999999999"
	    "999999999999999999999999999999999999999999999"), 1 },
	{ NUM,
	  S("1234567890123456789012345678901234567890123456789012"
	    "345678901234567890123456789012345678901234567890"),
	  S("0001234567890123456789012345678901234567890123456789012"
	    "345678901234567890123456789012345678901234567890"), 0 },
	{ NUM,
	  S("1234567890123456789012345678901234567890123456789012"
	    "345678901234567890123456789012345678901234567890"),
	  S("1234567890123456789012345678901234567890123456789012"
	    "345678901234567890123456789012345678901234567891"), -1 },
	{ NUM,
	  S("1234567890123456789012345678901234567890123456789012"
	    "345678901234567890123456789012345678901234567890"),
	  S("1234567890123456789012345678901234567890123456789012"
	    "345678901234567890123456789012345678901234567890 kB"), 0 },
	/* RFC 5051: i;unicode-casemap */
	{ UNI, S("\xc3\x85"), S("\xc3\xa5"), 0 },		/* Å å */
	{ UNI, S("\xc3\x85"), S("A\xcc\x8a"), 0 },		/* Å A+ring */
	{ UNI, S("\xc3\xa5"), S("a\xcc\x8a"), 0 },		/* å a+ring */
	{ UNI, S("\xe2\x84\xab"), S("\xc3\xa5"), 0 },	/* Angstrom sign */
	{ UNI, S("abc"), S("ABC"), 0 },
	{ UNI, S("a"), S("B"), -1 },
	{ UNI, S("\xc3\xa9"), S("f"), -1 },	/* é sorts as E+acute */
	{ UNI, S("\xc3\xa9"), S("E"), 1 },
	{ UNI, S("\xc3\xa9t\xc3\xa9"), S("\xc3\x89T\xc3\x89"), 0 },
	{ UNI, S("\xc3\xa9"), S("e"), 1 },
	/* U+01C4 U+01C5 U+01C6 (DŽ Dž dž) all prepare to D z caron */
	{ UNI, S("\xc7\x84"), S("\xc7\x86"), 0 },
	{ UNI, S("\xc7\x85"), S("\xc7\x86"), 0 },
	/* ...whose z is not upper-cased again, unlike a z that is typed */
	{ UNI, S("\xc7\x84"), S("Dz\xcc\x8c"), 1 },
	{ UNI, S("\xc7\x84"), S("D\xc5\xbe"), 1 },	/* D ž: D Z caron */
	{ UNI, S("D\xc5\xbe"), S("DZ\xcc\x8c"), 0 },
	{ UNI, S("\xcf\x83"), S("\xce\xa3"), 0 },		/* σ Σ */
	{ UNI, S("\xcf\x82"), S("\xce\xa3"), 0 },		/* ς Σ */
	{ UNI, S("\xd1\x91"), S("\xd0\x81"), 0 },		/* ё Ё */
	{ UNI, S("\xd1\x91"), S("\xd0\x95\xcc\x88"), 0 },	/* ё Е+diaer. */
	{ UNI, S("\xd0\xb0"), S("a"), 1 },	/* Cyrillic а is not Latin a */
	{ UNI, S("\xef\xbc\xa1\xef\xbd\x82"), S("ab"), 0 },	/* ＡＢ/ｂ */
	{ UNI, S("\xc3\x9f"), S("SS"), 1 },	/* ß has no titlecase */
	{ UNI, S("\xed\x95\x9c"), S("\xe1\x84\x92\xe1\x85\xa1\xe1\x86\xab"),
	  0 },							/* 한 */
	{ UNI, S(""), S(""), 0 },
	{ UNI, S(""), S("a"), -1 },
	{ UNI, S("a\0b"), S("A\0B"), 0 },
	/* invalid UTF-8 is compared as i;octet, without any folding */
	{ UNI, S("a\xff"), S("A\xff"), 1 },
	{ UNI, S("\xff"), S("\xff"), 0 },
	{ UNI, S("\xc0\x80"), S("\xc0\x80"), 0 },		/* overlong */
	{ UNI, S("\xc0\x80"), S(""), 1 },
	{ UNI, S("\xed\xa0\x80"), S("\xed\xa0\x80"), 0 },	/* surrogate */
	{ UNI, S("\xc3"), S("\xc3\xff"), -1 },		/* truncated */
	/* each string on its own: raw C3 against prepared "A" U+030A */
	{ UNI, S("\xc3"), S("\xc3\x85"), 1 },
	{ UNI, S("a\xc3\x85\xff"), S("A\xc3\x85\xff"), 1 },
};

START_TEST(ordering)
{
	const struct order_case *c = &order_cases[_i];
	int r = c->cmp->compare(c->a, c->alen, c->b, c->blen);
	int back = c->cmp->compare(c->b, c->blen, c->a, c->alen);

	ck_assert_msg(sign(r) == c->want, "%s case %d: got %d, want %d",
		      c->cmp->name, _i, r, c->want);
	ck_assert_msg(sign(back) == -c->want, "%s case %d reversed: got %d",
		      c->cmp->name, _i, back);
}
END_TEST

/* ---- i;unicode-casemap preparation -------------------------------------- */

struct norm_case {
	const char *in;
	size_t inlen;
	const char *out;
	size_t outlen;
};

static const struct norm_case norm_cases[] = {
	{ S(""), S("") },
	{ S("abc"), S("ABC") },
	{ S("a\0z"), S("A\0Z") },
	{ S("\xc3\x85"), S("A\xcc\x8a") },
	{ S("\xc3\xa5"), S("A\xcc\x8a") },
	{ S("\xe2\x84\xab"), S("A\xcc\x8a") },
	/* RFC 5051's own example: U+01C4 -> U+0044 U+007A U+030C */
	{ S("\xc7\x84"), S("Dz\xcc\x8c") },
	{ S("\xef\xac\x81"), S("fi") },		/* ﬁ: compat, no titlecase */
	{ S("\xc2\xbd"), S("1\xe2\x81\x84" "2") },	/* ½ -> 1 U+2044 2 */
	{ S("\xc2\xa0"), S(" ") },			/* NBSP */
	{ S("\xe1\xbe\x82"),			/* ᾂ -> Α + 3 marks */
	  S("\xce\x91\xcc\x93\xcc\x80\xcd\x85") },
	{ S("\xcd\x85"), S("\xce\x99") },	/* U+0345 titlecases to Ι */
	{ S("\xd0\xb9"), S("\xd0\x98\xcc\x86") },	/* й -> И + breve */
	{ S("\xea\xb0\x80"), S("\xe1\x84\x80\xe1\x85\xa1") },	/* 가 */
	{ S("\xef\xbc\x8a"), S("*") },		/* fullwidth asterisk */
	{ S("\xf0\x9f\x98\x80x"), S("\xf0\x9f\x98\x80X") },	/* outside */
	{ S("\xe4\xb8\xad"), S("\xe4\xb8\xad") },	/* CJK: unchanged */
};

START_TEST(normalize_cases)
{
	const struct norm_case *c = &norm_cases[_i];
	struct arena *a = arena_new(1024);
	size_t n = 12345;
	const char *out = sieve_cmp_unicode_casemap.normalize(a, c->in,
							       c->inlen, &n);

	ck_assert_msg(n == c->outlen, "case %d: length %zu, want %zu", _i, n,
		      c->outlen);
	ck_assert_msg(memcmp(out, c->out, n) == 0, "case %d: bytes differ",
		      _i);
	arena_free(a);
}
END_TEST

/* Unchanged or invalid input is returned as is, without allocating. */
START_TEST(normalize_no_copy)
{
	static const char upper[] = "HELLO, WORLD 42";
	static const char invalid[] = "abc\xff";
	static const char greek[] = "\xce\xa9";	/* Ω */
	struct arena *a = arena_new(1024);
	size_t n;

	ck_assert_ptr_eq(sieve_cmp_unicode_casemap.normalize(a, upper,
			 sizeof(upper) - 1, &n), upper);
	ck_assert_uint_eq(n, sizeof(upper) - 1);
	ck_assert_ptr_eq(sieve_cmp_unicode_casemap.normalize(a, invalid,
			 sizeof(invalid) - 1, &n), invalid);
	ck_assert_uint_eq(n, 4);
	ck_assert_ptr_eq(sieve_cmp_unicode_casemap.normalize(a, greek,
			 sizeof(greek) - 1, &n), greek);
	ck_assert_uint_eq(arena_used(a), 0);
	arena_free(a);
}
END_TEST

/*
 * compare() streams the preparation without memory; it must agree with
 * i;octet on the normalize()d strings. Random strings over an alphabet of
 * tricky pieces, including ill-formed ones.
 */
START_TEST(compare_agrees_with_normalize)
{
	static const char *const pieces[] = {
		"a", "A", "z", "\xc3\x85", "\xc3\xa5", "A\xcc\x8a",
		"\xcc\x8a", "\xc7\x85", "\xc3\x9f", "\xcf\x82", "\xce\xa3",
		"\xef\xac\x81", "FI", "\xea\xb0\x80", "\xf0\x9f\x98\x80",
		"\xff", "\xc3", "\0", "~",
	};
	const size_t np = sizeof(pieces) / sizeof(pieces[0]);
	struct arena *a = arena_new(4096);
	unsigned seed = 12345;

	for (int iter = 0; iter < 5000; iter++) {
		char s[2][64];
		size_t len[2];

		for (int w = 0; w < 2; w++) {
			int k = (seed = seed * 1103515245 + 12345) >> 16 & 3;

			len[w] = 0;
			for (int j = 0; j < k; j++) {
				unsigned r = (seed = seed * 1103515245 +
					      12345) >> 16;
				const char *p = pieces[r % np];
				size_t pl = *p ? strlen(p) : 1;

				memcpy(s[w] + len[w], p, pl);
				len[w] += pl;
			}
		}
		size_t n0, n1;
		const char *p0 = sieve_cmp_unicode_casemap.normalize(a, s[0],
								      len[0],
								      &n0);
		const char *p1 = sieve_cmp_unicode_casemap.normalize(a, s[1],
								      len[1],
								      &n1);
		int want = sieve_cmp_octet.compare(p0, n0, p1, n1);
		int got = sieve_cmp_unicode_casemap.compare(s[0], len[0],
							    s[1], len[1]);

		ck_assert_int_eq(sign(got), sign(want));
		arena_reset(a);
	}
	arena_free(a);
}
END_TEST

/* ---- UTF-8 decoding ---------------------------------------------------- */

struct utf8_case {
	const char *s;
	size_t len;
	size_t want;
	uint32_t cp;
};

static const struct utf8_case utf8_cases[] = {
	{ S("\0"), 1, 0 },
	{ S("\x7f"), 1, 0x7F },
	{ S("\xc2\x80"), 2, 0x80 },
	{ S("\xdf\xbf"), 2, 0x7FF },
	{ S("\xc1\xbf"), 0, 0 },		/* overlong */
	{ S("\xc0\x80"), 0, 0 },		/* overlong NUL */
	{ S("\xe0\x9f\xbf"), 0, 0 },	/* overlong */
	{ S("\xe0\xa0\x80"), 3, 0x800 },
	{ S("\xe2\x82\xac"), 3, 0x20AC },	/* € */
	{ S("\xed\x9f\xbf"), 3, 0xD7FF },
	{ S("\xed\xa0\x80"), 0, 0 },	/* surrogate */
	{ S("\xed\xbf\xbf"), 0, 0 },
	{ S("\xee\x80\x80"), 3, 0xE000 },
	{ S("\xef\xbf\xbf"), 3, 0xFFFF },
	{ S("\xf0\x8f\xbf\xbf"), 0, 0 },	/* overlong */
	{ S("\xf0\x90\x80\x80"), 4, 0x10000 },
	{ S("\xf4\x8f\xbf\xbf"), 4, 0x10FFFF },
	{ S("\xf4\x90\x80\x80"), 0, 0 },	/* > U+10FFFF */
	{ S("\xf5\x80\x80\x80"), 0, 0 },
	{ S("\xff"), 0, 0 },
	{ S("\x80"), 0, 0 },		/* lone continuation */
	{ S("\xe2\x82"), 0, 0 },		/* truncated */
	{ S("\xe2\x28\xa1"), 0, 0 },	/* bad continuation */
	{ S("\xf0\x9f\x98"), 0, 0 },
	{ "", 0, 0, 0 },
};

START_TEST(utf8_decode)
{
	const struct utf8_case *c = &utf8_cases[_i];
	uint32_t cp = 0xDEADBEEF;
	size_t n = sieve_utf8_decode(c->s, c->len, &cp);

	ck_assert_msg(n == c->want, "case %d: length %zu, want %zu", _i, n,
		      c->want);
	if (n)
		ck_assert_uint_eq(cp, c->cp);
	ck_assert(sieve_utf8_valid(c->s, c->len) == (c->len == 0 || n != 0));
}
END_TEST

START_TEST(utf8_valid_strings)
{
	ck_assert(sieve_utf8_valid(S("")));
	ck_assert(sieve_utf8_valid(S("plain ascii\0with nul")));
	ck_assert(sieve_utf8_valid(S("gr\xc3\xbc\xc3\x9f" "e \xe2\x82\xac"
				     "\xf0\x9f\x98\x80")));
	ck_assert(!sieve_utf8_valid(S("gr\xc3\xbc\xc3")));
	ck_assert(!sieve_utf8_valid(S("\xc3\xbc\x80")));
}
END_TEST

static Suite *
compare_suite(void)
{
	Suite *s = suite_create("compare");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, find_by_name);
	tcase_add_test(tc, flags);
	tcase_add_test(tc, fold_table);
	tcase_add_loop_test(tc, ordering, 0,
			    sizeof(order_cases) / sizeof(order_cases[0]));
	tcase_add_loop_test(tc, normalize_cases, 0,
			    sizeof(norm_cases) / sizeof(norm_cases[0]));
	tcase_add_test(tc, normalize_no_copy);
	tcase_add_test(tc, compare_agrees_with_normalize);
	tcase_add_loop_test(tc, utf8_decode, 0,
			    sizeof(utf8_cases) / sizeof(utf8_cases[0]));
	tcase_add_test(tc, utf8_valid_strings);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(compare_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
