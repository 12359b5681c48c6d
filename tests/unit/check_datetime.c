/*
 * check_datetime.c -- unit tests for sieve/datetime.c: RFC 5322 dates
 * (valid, obsolete and broken forms, each parsed from an exact-size copy
 * so that an overread shows under valgrind or ASan), the "+hhmm" zone
 * syntax, the RFC 5260 date parts at calendar edges (1900, leap days,
 * 9999, before the epoch), std11 output read back for a sweep of
 * instants, and the local zone under several TZ values.
 *
 * A parse case expects "-" (no date) or the instant as
 * "yyyy-mm-ddThh:mm:ssZ/zone": the UTC iso8601 part and the zone as
 * written.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "datetime.h"

/* Parses exactly len bytes of a malloc'd copy (no NUL after them). */
static bool
parse_exact(const char *s, size_t len, struct sieve_datetime *dt)
{
	char *copy = malloc(len ? len : 1);
	bool ok;

	memcpy(copy, s, len);
	ok = sieve_datetime_parse(copy, len, dt);
	free(copy);
	return ok;
}

static const char *
render(const char *in, char *out, size_t cap)
{
	struct sieve_datetime dt;
	char iso[64], zone[16];

	if (!parse_exact(in, strlen(in), &dt))
		return "-";
	sieve_datetime_part(iso, sizeof(iso), "iso8601", dt.t, 0);
	sieve_datetime_part(zone, sizeof(zone), "zone", 0, dt.zone);
	snprintf(out, cap, "%s/%s", iso, zone);
	return out;
}

static const struct {
	const char *in, *want;
} cases[] = {
	/* RFC 5322 3.3 */
	{ "Mon, 20 Jul 2009 21:44:43 +0300", "2009-07-20T18:44:43Z/+0300" },
	{ "20 Jul 2009 21:44:43 -0000", "2009-07-20T21:44:43Z/+0000" },
	{ "Thu, 1 Jan 1970 00:00:00 +0000", "1970-01-01T00:00:00Z/+0000" },
	{ "Sat, 29 Feb 2020 23:59:59 -0100", "2020-03-01T00:59:59Z/-0100" },
	{ "1 Mar 2000 00:00 +1400", "2000-02-29T10:00:00Z/+1400" },
	{ "31 Dec 9999 23:59:59 -2359", "10000-01-01T23:58:59Z/-2359" },
	{ "1 Jan 1900 00:00:00 +0000", "1900-01-01T00:00:00Z/+0000" },
	{ "  \t Mon, 20 Jul 2009 21:44:43 +0300 \r\n ", "2009-07-20T18:44:43Z/+0300" },
	/* folding and comments (RFC 5322 3.2.2, 4.3) */
	{ "Mon,\r\n 20 Jul\r\n\t2009 21:44:43 +0300", "2009-07-20T18:44:43Z/+0300" },
	{ "(a)Mon(b),(c)20(d)Jul(e)2009(f)21(g):(h)44(i):(j)43(k)+0300(l)",
	  "2009-07-20T18:44:43Z/+0300" },
	{ "Mon, 20 Jul 2009 21:44:43 +0300 (EEST (nested) \\) still)",
	  "2009-07-20T18:44:43Z/+0300" },
	/* obsolete forms (RFC 5322 4.3) */
	{ "Mon, 20 Jul 09 21:44:43 +0300", "2009-07-20T18:44:43Z/+0300" },
	{ "1 Jan 49 00:00:00 +0000", "2049-01-01T00:00:00Z/+0000" },
	{ "1 Jan 50 00:00:00 +0000", "1950-01-01T00:00:00Z/+0000" },
	{ "1 Jan 099 00:00:00 +0000", "1999-01-01T00:00:00Z/+0000" },
	{ "1 Jan 2000 12:00:00 EST", "2000-01-01T17:00:00Z/-0500" },
	{ "1 Jan 2000 12:00:00 edt", "2000-01-01T16:00:00Z/-0400" },
	{ "1 Jan 2000 12:00:00 PST", "2000-01-01T20:00:00Z/-0800" },
	{ "1 Jan 2000 12:00:00 UT", "2000-01-01T12:00:00Z/+0000" },
	{ "1 Jan 2000 12:00:00 z", "2000-01-01T12:00:00Z/+0000" },
	{ "1 Jan 2000 12:00:00 Q", "2000-01-01T12:00:00Z/+0000" },
	/* lenient, as mail needs */
	{ "1 Jan 2000 12:00:00", "2000-01-01T12:00:00Z/+0000" },
	{ "1 Jan 2000 12:00:00 +0100 CET", "2000-01-01T11:00:00Z/+0100" },
	{ "Mon 20 Jul 2009 21:44:43 +0300", "2009-07-20T18:44:43Z/+0300" },
	{ "Fri, 20 Jul 2009 21:44:43 +0300", "2009-07-20T18:44:43Z/+0300" },
	{ "MONDAY, 20 JUL 2009 21:44:43 +0300", "-" },
	{ "31 Dec 1998 23:59:60 +0000", "1999-01-01T00:00:00Z/+0000" },
	/* not dates */
	{ "", "-" },
	{ "   ", "-" },
	{ "(only a comment)", "-" },
	{ "Mon,", "-" },
	{ "Mon, 20", "-" },
	{ "Mon, 20 Jul", "-" },
	{ "Mon, 20 Jul 2009", "-" },
	{ "Mon, 20 Jul 2009 21", "-" },
	{ "Mon, 20 Jul 2009 21:", "-" },
	{ "Mon, 20 Jul 2009 21:44:", "-" },
	{ "Mon, 20 Jul 2009 21:44:43 +", "-" },
	{ "Mon, 20 Jul 2009 21:44:43 +030", "-" },
	{ "Mon, 20 Jul 2009 21:44:43 +03000", "-" },
	{ "Mon, 20 Jul 2009 21:44:43 +03:00", "-" },
	{ "Mon, 20 Jul 2009 21:44:43 +0360", "-" },
	{ "Mon, 20 Jul 2009 21:44:43 J", "-" },
	{ "Mon, 20 Jul 2009 21:44:43 CEST", "-" },
	{ "Mon, 20 Jul 2009 21:44:43 +0300 x1", "-" },
	{ "Mon, 20 Jul 2009 21:44:43 +0300 (open", "-" },
	{ "Mon, 20 Jul 2009 21:44:43 +0300 \\", "-" },
	{ "Moo, 34 Juul 3060 25:30:42 +6600", "-" },
	{ "29 Feb 2100 00:00:00 +0000", "-" },
	{ "29 Feb 2019 00:00:00 +0000", "-" },
	{ "0 Jan 2000 00:00:00 +0000", "-" },
	{ "31 Jun 2000 00:00:00 +0000", "-" },
	{ "100 Jan 2000 00:00:00 +0000", "-" },
	{ "1 Jan 1899 00:00:00 +0000", "-" },
	{ "1 Jan 10000 00:00:00 +0000", "-" },
	{ "1 Jan 2000 24:00:00 +0000", "-" },
	{ "1 Jan 2000 23:60:00 +0000", "-" },
	{ "1 Jan 2000 23:59:61 +0000", "-" },
	{ "1 Jan 2000 123:00:00 +0000", "-" },
	{ "1 Jan 2000 -1:00:00 +0000", "-" },
	{ "1 Jan 2000 12:00:00:00 +0000", "-" },
	{ "1 Janu 2000 00:00:00 +0000", "-" },
	{ "1 Ja 2000 00:00:00 +0000", "-" },
	{ "2000-01-01T00:00:00Z", "-" },
	{ "Mon, 20 Jul 2009 21:44:43 +0300, Tue, 21 Jul 2009 21:44:43 +0300", "-" },
	{ "99999999999999999999 Jan 2000 00:00:00 +0000", "-" },
	{ "1 Jan 2000 00:00:00 +0000\x80", "-" },
	{ "\xff\xfe", "-" },
};

START_TEST(test_parse_cases)
{
	char out[128];
	const char *got = render(cases[_i].in, out, sizeof(out));

	ck_assert_msg(strcmp(got, cases[_i].want) == 0,
		      "\"%s\": got %s, want %s", cases[_i].in, got,
		      cases[_i].want);
}
END_TEST

/* A NUL inside the given length is no white space: no date. */
START_TEST(test_parse_nul)
{
	static const char s[] = "1 Jan 2000 00:00:00 +0000\0 trailing";
	struct sieve_datetime dt;

	ck_assert(!parse_exact(s, sizeof(s) - 1, &dt));
	ck_assert(parse_exact(s, strlen(s), &dt));
	ck_assert(!parse_exact("1 Jan\0 2000 00:00:00 +0000", 25, &dt));
	ck_assert(!sieve_datetime_parse(NULL, 0, &dt));
}
END_TEST

/* Every prefix of a date is parsed without reading past its end. */
START_TEST(test_parse_prefixes)
{
	static const char s[] =
		"(c) Tue (d) , 1 (e) Feb (f) 2011 (g) 10 : 20 : 30 -0415 (h)";
	struct sieve_datetime dt;
	size_t n, full = strlen(s);

	for (n = 0; n < full; n++)
		parse_exact(s, n, &dt);
	ck_assert(parse_exact(s, full, &dt));
	ck_assert_int_eq(dt.zone, -255);
}
END_TEST

/* Deep and long comments, long white space: linear, no recursion. */
START_TEST(test_parse_long)
{
	size_t depth = 200000, i, len;
	char *s = malloc(2 * depth + 64);
	struct sieve_datetime dt;

	len = (size_t)sprintf(s, "1 Jan 2000 00:00:00 +0000 ");
	for (i = 0; i < depth; i++)
		s[len++] = '(';
	for (i = 0; i < depth; i++)
		s[len++] = ')';
	ck_assert(parse_exact(s, len, &dt));
	ck_assert(!parse_exact(s, len - 1, &dt));	/* one left open */
	memset(s, ' ', 2 * depth);
	len = 2 * depth;
	len += (size_t)sprintf(s + len, "1 Jan 2000 00:00:00 +0000");
	ck_assert(parse_exact(s, len, &dt));
	free(s);
}
END_TEST

START_TEST(test_zone_syntax)
{
	int z = 12345;

	ck_assert(sieve_datetime_parse_zone("+0000", 5, &z) && z == 0);
	ck_assert(sieve_datetime_parse_zone("-0000", 5, &z) && z == 0);
	ck_assert(sieve_datetime_parse_zone("+0530", 5, &z) && z == 330);
	ck_assert(sieve_datetime_parse_zone("-1259", 5, &z) && z == -779);
	ck_assert(sieve_datetime_parse_zone("+9959", 5, &z) && z == 5999);
	ck_assert(sieve_datetime_parse_zone("+0100", 5, NULL));
	ck_assert(!sieve_datetime_parse_zone("+0060", 5, &z));
	ck_assert(!sieve_datetime_parse_zone("0100", 4, &z));
	ck_assert(!sieve_datetime_parse_zone("+01000", 6, &z));
	ck_assert(!sieve_datetime_parse_zone("+010", 4, &z));
	ck_assert(!sieve_datetime_parse_zone(" +0100", 6, &z));
	ck_assert(!sieve_datetime_parse_zone("+01:0", 5, &z));
	ck_assert(!sieve_datetime_parse_zone("*0100", 5, &z));
	ck_assert(!sieve_datetime_parse_zone("", 0, &z));
	ck_assert(!sieve_datetime_parse_zone("+0\x00" "00", 5, &z));
}
END_TEST

static const char *
part(const char *name, int64_t t, int zone)
{
	static char buf[64];
	const char *r = sieve_datetime_part(buf, sizeof(buf), name, t, zone);

	return r ? r : "(null)";
}

START_TEST(test_parts)
{
	/* 2009-07-20T18:44:43Z */
	int64_t t = 1248115483;

	ck_assert_str_eq(part("year", t, 180), "2009");
	ck_assert_str_eq(part("month", t, 180), "07");
	ck_assert_str_eq(part("day", t, 180), "20");
	ck_assert_str_eq(part("date", t, 180), "2009-07-20");
	ck_assert_str_eq(part("julian", t, 180), "55032");
	ck_assert_str_eq(part("hour", t, 180), "21");
	ck_assert_str_eq(part("minute", t, 180), "44");
	ck_assert_str_eq(part("second", t, 180), "43");
	ck_assert_str_eq(part("time", t, 180), "21:44:43");
	ck_assert_str_eq(part("iso8601", t, 180), "2009-07-20T21:44:43+03:00");
	ck_assert_str_eq(part("std11", t, 180),
			 "Mon, 20 Jul 2009 21:44:43 +0300");
	ck_assert_str_eq(part("zone", t, 180), "+0300");
	ck_assert_str_eq(part("weekday", t, 180), "1");
	ck_assert_str_eq(part("ZONE", t, -570), "-0930");
	ck_assert_str_eq(part("iso8601", t, 0), "2009-07-20T18:44:43Z");
	ck_assert_str_eq(part("iso8601", t, -1), "2009-07-20T18:43:43-00:01");
	ck_assert_str_eq(part("fortnight", t, 0), "(null)");
	ck_assert_str_eq(part("", t, 0), "(null)");
	ck_assert(sieve_datetime_part_known("Julian"));
	ck_assert(!sieve_datetime_part_known("julian "));
}
END_TEST

START_TEST(test_parts_edges)
{
	/* MJD 0 is 1858-11-17; 1900-01-01 was a Monday */
	ck_assert_str_eq(part("julian", -3506716800LL, 0), "0");
	ck_assert_str_eq(part("date", -3506716800LL, 0), "1858-11-17");
	ck_assert_str_eq(part("std11", -2208988800LL, 0),
			 "Mon, 01 Jan 1900 00:00:00 +0000");
	ck_assert_str_eq(part("julian", -2208988800LL, 0), "15020");
	/* one second before the epoch, and the epoch seen from -0001 */
	ck_assert_str_eq(part("iso8601", -1, 0), "1969-12-31T23:59:59Z");
	ck_assert_str_eq(part("weekday", -1, 0), "3");
	ck_assert_str_eq(part("time", 0, -1), "23:59:00");
	/* leap days: 2000 is a leap year, 2100 is not */
	ck_assert_str_eq(part("date", 951782400LL, 0), "2000-02-29");
	ck_assert_str_eq(part("date", 4107542400LL, 0), "2100-03-01");
	ck_assert_str_eq(part("date", 4107542399LL, 0), "2100-02-28");
	/* the last second of 9999 */
	ck_assert_str_eq(part("std11", 253402300799LL, 0),
			 "Fri, 31 Dec 9999 23:59:59 +0000");
}
END_TEST

/* std11 output reads back as the same instant and zone. */
START_TEST(test_roundtrip)
{
	static const int zones[] = { 0, 60, -60, 330, -570, 840, -720, 1 };
	int64_t t;
	unsigned k = 0;

	for (t = -2208988800LL; t < 253402300799LL - 86400;
	     t += 7777777 + (t & 0xffff)) {
		int zone = zones[k++ % 8];
		const char *s = part("std11", t, zone);
		struct sieve_datetime dt;

		ck_assert_msg(parse_exact(s, strlen(s), &dt), "%s", s);
		ck_assert_msg(dt.t == t && dt.zone == zone, "%s", s);
	}
}
END_TEST

START_TEST(test_local_zone)
{
	char *old = getenv("TZ") ? strdup(getenv("TZ")) : NULL;

	setenv("TZ", "UTC0", 1);
	tzset();
	ck_assert_int_eq(sieve_datetime_local_zone(1248115483), 0);
	setenv("TZ", "EST5EDT,M3.2.0,M11.1.0", 1);
	tzset();
	ck_assert_int_eq(sieve_datetime_local_zone(1248115483), -240);
	ck_assert_int_eq(sieve_datetime_local_zone(1230768000), -300);
	setenv("TZ", "<+0530>-5:30", 1);
	tzset();
	ck_assert_int_eq(sieve_datetime_local_zone(0), 330);
	ck_assert_int_eq(sieve_datetime_local_zone(-1), 330);
	if (old) {
		setenv("TZ", old, 1);
		free(old);
	} else {
		unsetenv("TZ");
	}
	tzset();
}
END_TEST

static Suite *
datetime_suite(void)
{
	Suite *s = suite_create("datetime");
	TCase *tc = tcase_create("parse");

	tcase_add_loop_test(tc, test_parse_cases, 0,
			    sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_parse_nul);
	tcase_add_test(tc, test_parse_prefixes);
	tcase_add_test(tc, test_parse_long);
	tcase_add_test(tc, test_zone_syntax);
	suite_add_tcase(s, tc);

	tc = tcase_create("parts");
	tcase_add_test(tc, test_parts);
	tcase_add_test(tc, test_parts_edges);
	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_local_zone);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(datetime_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
