/*
 * check_address.c -- unit tests for sieve/address.c: RFC 5322 address
 * lists (the appendix A examples, groups, comments, quoted local parts,
 * obsolete forms, invalid entries among valid ones) and RFC 5321 envelope
 * paths.
 *
 * Expected addresses are written as "local|domain|all" joined by "\n";
 * an invalid entry is "-|-|raw text".
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "arena.h"

static struct arena *A;

static void
setup(void)
{
	A = arena_new(4096);
}

static void
teardown(void)
{
	arena_free(A);
	A = NULL;
}

static char *
exact_copy(const char *s, size_t n)
{
	char *p = malloc(n ? n : 1);

	memcpy(p, s, n);
	return p;
}

static void
put_addr(char *out, size_t cap, const struct sieve_address *ad)
{
	size_t n = strlen(out);

	snprintf(out + n, cap - n, "%s%s|%s|%s", n ? "\n" : "",
		 ad->local_part ? ad->local_part : "-",
		 ad->domain ? ad->domain : "-", ad->all);
}

static char *
render_list(const char *in)
{
	size_t len = strlen(in), n, i, cap = 4096;
	char *copy = exact_copy(in, len);
	char *out = arena_zalloc(A, cap);
	struct sieve_address *ad;

	n = sieve_address_list_parse(A, copy, len, &ad);
	for (i = 0; i < n; i++)
		put_addr(out, cap, &ad[i]);
	free(copy);
	return out;
}

struct list_case {
	const char *what;
	const char *in;
	const char *out;
};

static const struct list_case list_cases[] = {
	/* RFC 5322 A.1.1 */
	{ "A.1.1 From", "John Doe <jdoe@machine.example>",
	  "jdoe|machine.example|jdoe@machine.example" },
	{ "A.1.1 Sender", "Michael Jones <mjones@machine.example>",
	  "mjones|machine.example|mjones@machine.example" },
	/* A.1.2 */
	{ "A.1.2 From", "\"Joe Q. Public\" <john.q.public@example.com>",
	  "john.q.public|example.com|john.q.public@example.com" },
	{ "A.1.2 To",
	  "Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>",
	  "mary|x.test|mary@x.test\n"
	  "jdoe|example.org|jdoe@example.org\n"
	  "one|y.test|one@y.test" },
	{ "A.1.2 Cc",
	  "<boss@nil.test>, \"Giant; \\\"Big\\\" Box\" "
	  "<sysservices@example.net>",
	  "boss|nil.test|boss@nil.test\n"
	  "sysservices|example.net|sysservices@example.net" },
	/* A.1.3 */
	{ "A.1.3 To group",
	  "A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;",
	  "c|a.test|c@a.test\n"
	  "joe|where.test|joe@where.test\n"
	  "jdoe|one.test|jdoe@one.test" },
	{ "A.1.3 Cc empty group", "Undisclosed recipients:;", "" },
	/* A.2 */
	{ "A.2 Reply-To",
	  "\"Mary Smith: Personal Account\" <smith@home.example>",
	  "smith|home.example|smith@home.example" },
	/* A.3 */
	{ "A.3 Resent-To", "Jane Brown <j-brown@other.example>",
	  "j-brown|other.example|j-brown@other.example" },
	/* A.5 */
	{ "A.5 From",
	  "Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>",
	  "pete|silly.test|pete@silly.test" },
	{ "A.5 To",
	  "A Group(Some people)\r\n     :Chris Jones "
	  "<c@(Chris's host.)public.example>,\r\n         joe@example.org,\r\n"
	  "  John <jdoe@one.test> (my dear friend); (the end of the group)",
	  "c|public.example|c@public.example\n"
	  "joe|example.org|joe@example.org\n"
	  "jdoe|one.test|jdoe@one.test" },
	{ "A.5 Cc",
	  "(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;",
	  "" },
	/* A.6.1 */
	{ "A.6.1 From", "Joe Q. Public <john.q.public@example.com>",
	  "john.q.public|example.com|john.q.public@example.com" },
	{ "A.6.1 To",
	  "Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example",
	  "mary|example.net|mary@example.net\n"
	  "jdoe|test.example|jdoe@test.example" },
	/* A.6.3 */
	{ "A.6.3 From", "John Doe <jdoe@machine(comment).  example>",
	  "jdoe|machine.example|jdoe@machine.example" },
	{ "A.6.3 To", "Mary Smith\r\n  \r\n          <mary@example.net>",
	  "mary|example.net|mary@example.net" },
	{ "A.6.3 Message-ID as address",
	  "<1234   @   local(blah)  .machine .example>",
	  "1234|local.machine.example|1234@local.machine.example" },
	/* groups */
	{ "group", "Team: a@b, c@d;", "a|b|a@b\nc|d|c@d" },
	{ "undisclosed", "undisclosed-recipients:;", "" },
	{ "group then more", "G: a@b;, c@d", "a|b|a@b\nc|d|c@d" },
	{ "unclosed group", "G: a@b, c@d", "a|b|a@b\nc|d|c@d" },
	{ "group with bad member", "Team: a@b, bad, c@d; e@f",
	  "a|b|a@b\n-|-|bad\nc|d|c@d\ne|f|e@f" },
	{ "group then address after ';'", "G: a@b; c@d", "a|b|a@b\nc|d|c@d" },
	{ "junk after group", "G: a@b; junk, c@d",
	  "a|b|a@b\n-|-|junk\nc|d|c@d" },
	{ "unquoted colon in name is a group",
	  "Mary Smith: Personal Account <smith@home.example>",
	  "smith|home.example|smith@home.example" },
	{ "comment-only members", "a@b, (x), c@d", "a|b|a@b\nc|d|c@d" },
	{ "quoted group name", "\"The Team\": x@y;", "x|y|x@y" },
	{ "empty-name group", ": x@y;", "x|y|x@y" },
	{ "empty group members", "G: , ,a@b,,;", "a|b|a@b" },
	/* comments */
	{ "comment only", "(nobody)", "" },
	{ "comment before", "(c) a@b", "a|b|a@b" },
	{ "nested comment", "a@b (x (y (z)) w)", "a|b|a@b" },
	{ "comment with specials", "a@b (a, b; <c@d>)", "a|b|a@b" },
	{ "comment around @", "a(1)@(2)b", "a|b|a@b" },
	/* quoted local parts and quoted-pairs */
	{ "quoted local part", "\"john doe\"@example.com",
	  "john doe|example.com|\"john doe\"@example.com" },
	{ "quoted local in angle", "John <\"john doe\"@example.com>",
	  "john doe|example.com|\"john doe\"@example.com" },
	{ "quoted-pair in local", "\"john\\\"q\"@x",
	  "john\"q|x|\"john\\\"q\"@x" },
	{ "backslash in local", "\"a\\\\b\"@x", "a\\b|x|\"a\\\\b\"@x" },
	{ "quoted needlessly", "\"john\"@x", "john|x|john@x" },
	{ "quoted and dotted", "\"john\".doe@example.com",
	  "john.doe|example.com|john.doe@example.com" },
	{ "empty quoted local", "\"\"@x", "|x|\"\"@x" },
	{ "quoted at-sign", "\"a@b\"@c", "a@b|c|\"a@b\"@c" },
	{ "folded quoted", "\"a\r\n b\"@c", "a b|c|\"a b\"@c" },
	/* domains */
	{ "domain literal", "user@[1.2.3.4]",
	  "user|[1.2.3.4]|user@[1.2.3.4]" },
	{ "domain literal with space", "<user@[ IPv6:::1 ]>",
	  "user|[IPv6:::1]|user@[IPv6:::1]" },
	{ "domain case kept", "User@Example.COM",
	  "User|Example.COM|User@Example.COM" },
	{ "trailing dot kept", "a@example.com.",
	  "a|example.com.|a@example.com." },
	{ "utf-8 address", "j\xc3\xb6hn@ex\xc3\xa4mple.test",
	  "j\xc3\xb6hn|ex\xc3\xa4mple.test|j\xc3\xb6hn@ex\xc3\xa4mple.test" },
	{ "obsolete dots in local", "john..doe.@x",
	  "john..doe.|x|john..doe.@x" },
	/* routes */
	{ "route", "<@a,@b:user@c>", "user|c|user@c" },
	{ "route with display name and space", "X <@a , @b.c :u@d>",
	  "u|d|u@d" },
	{ "route and another entry", "<@a,@b:u@c>, v@w",
	  "u|c|u@c\nv|w|v@w" },
	/* lists */
	{ "empty", "", "" },
	{ "blank", " \t\r\n ", "" },
	{ "empty elements", ",,a@b,,c@d,", "a|b|a@b\nc|d|c@d" },
	{ "semicolon list", "a@b; c@d", "a|b|a@b\nc|d|c@d" },
	{ "encoded display name with comma",
	  "=?utf-8?Q?Doe,_John?= <jd@x.test>, k@y",
	  "jd|x.test|jd@x.test\nk|y|k@y" },
	{ "encoded display name B", "=?utf-8?B?SsO2aG4=?= <j@x>", "j|x|j@x" },
	{ "address as display name",
	  "john@example.com <john@example.com>",
	  "john|example.com|john@example.com" },
	{ "words after angle", "<a@b> John", "a|b|a@b" },
	{ "missing closing angle at end", "John <a@b", "a|b|a@b" },
	{ "dotted unquoted display name", "J. R. R. Tolkien <jrr@x>",
	  "jrr|x|jrr@x" },
	/* invalid entries */
	{ "bare local part", "undisclosed", "-|-|undisclosed" },
	{ "bare local in angle", "John <user>", "-|-|John <user>" },
	{ "null address in header", "<>", "-|-|<>" },
	{ "invalid among valid", "a@b, bad entry, c@d",
	  "a|b|a@b\n-|-|bad entry\nc|d|c@d" },
	{ "broken angle", "a@b, <broken, c@d",
	  "a|b|a@b\n-|-|<broken\nc|d|c@d" },
	{ "two angles", "<a@b> <c@d>, e@f", "-|-|<a@b> <c@d>\ne|f|e@f" },
	{ "double at", "a@b@c, d@e", "-|-|a@b@c\nd|e|d@e" },
	{ "no domain", "  a@  , d@e", "-|-|a@\nd|e|d@e" },
	{ "no local", "@b", "-|-|@b" },
	{ "unterminated quote", "\"unterminated, a@b",
	  "-|-|\"unterminated\na|b|a@b" },
	{ "unterminated comment", "a@b (oops, c@d",
	  "-|-|a@b (oops\nc|d|c@d" },
	{ "unterminated literal", "a@[1.2, c@d", "-|-|a@[1.2\nc|d|c@d" },
	{ "words without dot", "john doe@example.com",
	  "-|-|john doe@example.com" },
	{ "control char", "a\x01@b, c@d", "-|-|a\x01@b\nc|d|c@d" },
	{ "stray bracket", "a@b], c@d", "-|-|a@b]\nc|d|c@d" },
	{ "bad route keeps comma split", "<@a,b:u@c>, d@e",
	  "-|-|<@a\n-|-|u@c>\nd|e|d@e" },
	{ "invalid keeps comment text", "(who) nobody , x@y",
	  "-|-|(who) nobody\nx|y|x@y" },
	{ "nested group", "A: B: c@d;;, e@f",
	  "-|-|B: c@d\ne|f|e@f" },
};

START_TEST(test_list_cases)
{
	const struct list_case *c = &list_cases[_i];
	const char *got = render_list(c->in);

	ck_assert_msg(strcmp(got, c->out) == 0, "%s:\n'%s'\ngot\n'%s'",
		      c->what, c->in, got);
}
END_TEST

START_TEST(test_list_not_terminated)
{
	/* The value is cut inside a longer buffer: nothing past len. */
	static const char s[] = "a@b, c@dXXXX";
	struct sieve_address *ad;

	ck_assert_uint_eq(sieve_address_list_parse(A, s, 8, &ad), 2);
	ck_assert_str_eq(ad[1].domain, "d");
	ck_assert_uint_eq(sieve_address_list_parse(A, NULL, 0, &ad), 0);
}
END_TEST

START_TEST(test_long_list)
{
	size_t n = 20000, i, len = 0, cap = n * 24;
	char *buf = malloc(cap);
	struct sieve_address *ad;

	for (i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, cap - len, "u%zu@d%zu, ",
					i, i);
	ck_assert_uint_eq(sieve_address_list_parse(A, buf, len, &ad), n);
	ck_assert_str_eq(ad[n - 1].all, "u19999@d19999");
	free(buf);
}
END_TEST

/* ---- envelope paths ------------------------------------------------- */

struct path_case {
	const char *in;
	bool ok;
	const char *out;	/* local|domain|all */
};

static const struct path_case path_cases[] = {
	{ "", true, "||-|" },
	{ "<>", true, "||-|" },
	{ " < > ", true, "||-|" },
	{ "<user@example.com>", true, "|user|example.com|user@example.com" },
	{ "user@example.com", true, "|user|example.com|user@example.com" },
	{ "  user@Example.COM\r\n", true,
	  "|user|Example.COM|user@Example.COM" },
	{ "<@a,@b:user@c>", true, "|user|c|user@c" },
	{ "<user>", true, "|user|-|user" },
	{ "MAILER-DAEMON", true, "|MAILER-DAEMON|-|MAILER-DAEMON" },
	{ "\"john doe\"@x.test", true, "|john doe|x.test|\"john doe\"@x.test" },
	{ "<\"a\\\"b\"@x>", true, "|a\"b|x|\"a\\\"b\"@x" },
	{ "user@[192.0.2.1]", true, "|user|[192.0.2.1]|user@[192.0.2.1]" },
	{ "user+tag@example.com", true,
	  "|user+tag|example.com|user+tag@example.com" },
	{ "<user@dom", false, "|-|-|<user@dom" },
	{ "user@dom>", false, "|-|-|user@dom>" },
	{ "user@", false, "|-|-|user@" },
	{ "@dom", false, "|-|-|@dom" },
	{ "<@a:>", false, "|-|-|<@a:>" },
	{ "us er@dom", false, "|-|-|us er@dom" },
	{ "a@b@c", false, "|-|-|a@b@c" },
	{ "\"unterminated@x", false, "|-|-|\"unterminated@x" },
	{ "\"q\"x@y", false, "|-|-|\"q\"x@y" },
	{ "user@[1.2", false, "|-|-|user@[1.2" },
	{ "a,b@c", false, "|-|-|a,b@c" },
	/* malformed source routes make the path invalid */
	{ "<@x.test,@y-1.test:u@d>", true, "|u|d|u@d" },
	{ "<@.a:u@d>", false, "|-|-|<@.a:u@d>" },
	{ "<@a.:u@d>", false, "|-|-|<@a.:u@d>" },
	{ "<@a,,@b:u@d>", false, "|-|-|<@a,,@b:u@d>" },
	{ "<@a,:u@d>", false, "|-|-|<@a,:u@d>" },
	{ "<@a@b:u@d>", false, "|-|-|<@a@b:u@d>" },
	{ "<@a,b:u@d>", false, "|-|-|<@a,b:u@d>" },
	{ "<@:u@d>", false, "|-|-|<@:u@d>" },
};

START_TEST(test_path_cases)
{
	const struct path_case *c = &path_cases[_i];
	size_t len = strlen(c->in);
	char *copy = exact_copy(c->in, len);
	struct sieve_address ad;
	char got[512];
	bool ok = sieve_address_parse_path(A, copy, len, &ad);

	snprintf(got, sizeof(got), "|%s|%s|%s",
		 ad.local_part ? ad.local_part : "-",
		 ad.domain ? ad.domain : "-", ad.all);
	ck_assert_msg(ok == c->ok, "'%s': ok=%d", c->in, ok);
	/* The null path: local "" and domain NULL. */
	if (c->out[0] == '|' && c->out[1] == '|') {
		ck_assert_str_eq(ad.local_part, "");
		ck_assert_ptr_null(ad.domain);
		ck_assert_str_eq(ad.all, "");
	} else {
		ck_assert_msg(strcmp(got, c->out) == 0, "'%s': got '%s'",
			      c->in, got);
	}
	free(copy);
}
END_TEST

static Suite *
address_suite(void)
{
	Suite *s = suite_create("address");
	TCase *tc = tcase_create("list");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_list_cases, 0,
			    sizeof(list_cases) / sizeof(list_cases[0]));
	tcase_add_test(tc, test_list_not_terminated);
	tcase_add_test(tc, test_long_list);
	suite_add_tcase(s, tc);

	tc = tcase_create("path");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_path_cases, 0,
			    sizeof(path_cases) / sizeof(path_cases[0]));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(address_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
