/*
 * check_imap4flags.c -- imap4flags (RFC 5232) and copy (RFC 3894) seen
 * through the host API: the flags on the actions sieve_result_final
 * hands to a host (implicit keep included), the internal flags spanning
 * the scripts of one result, :copy keeping the implicit keep, and the
 * binaries surviving a save/load round trip.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "sieve.h"

static const char msg[] =
	"From: alice@example.net\r\n"
	"To: bob@example.org\r\n"
	"Subject: hello\r\n"
	"\r\n"
	"body\r\n";

static struct sieve_instance *inst;
static struct arena *a;

static void
setup(void)
{
	inst = sieve_instance_new(NULL);
	a = arena_new(4096);
}

static void
teardown(void)
{
	arena_free(a);
	sieve_instance_free(inst);
}

static struct sieve_binary *
compile(const char *src)
{
	struct sieve_diag d;

	sieve_diag_init(&d, "t.sieve");
	d.emit = NULL;
	return sieve_compile(inst, src, strlen(src), "t.sieve", &d);
}

static int
run(struct sieve_binary *bin, struct sieve_result *res)
{
	static struct sieve_envelope env = { "alice@example.net",
					     "bob@example.org",
					     "bob@example.org", NULL };
	struct sieve_exec_env ee;
	struct sieve_diag d;

	sieve_diag_init(&d, "t");
	d.emit = NULL;
	memset(&ee, 0, sizeof(ee));
	ee.msg = sieve_message_parse(a, msg, sizeof(msg) - 1);
	ee.envelope = &env;
	ee.diag = &d;
	ee.arena = a;
	return sieve_execute(bin, &ee, res);
}

static size_t
nflags(const struct sieve_action *act)
{
	size_t n = 0;

	while (act->flags && act->flags[n])
		n++;
	return n;
}

START_TEST(implicit_keep_carries_final_flags)
{
	struct sieve_binary *bin = compile(
		"require \"imap4flags\";\n"
		"setflag \"$Old\";\n"
		"setflag \"\\\\seen $Work \\\\SEEN\";\n"
		"addflag \"\\\\Bogus $work\";\n");
	struct sieve_result *res = sieve_result_new(a, NULL);
	const struct sieve_action *const *acts;
	size_t n;

	ck_assert_ptr_nonnull(bin);
	ck_assert_int_eq(run(bin, res), SIEVE_EXEC_OK);
	n = sieve_result_final(res, &acts);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(acts[0]->type, SIEVE_ACT_KEEP);
	ck_assert_uint_eq(nflags(acts[0]), 2);
	ck_assert_str_eq(acts[0]->flags[0], "\\Seen");
	ck_assert_str_eq(acts[0]->flags[1], "$Work");
	sieve_binary_free(bin);
}
END_TEST

START_TEST(no_flags_without_imap4flags)
{
	struct sieve_binary *bin = compile("keep;\n");
	struct sieve_result *res = sieve_result_new(a, NULL);
	const struct sieve_action *const *acts;

	ck_assert_ptr_nonnull(bin);
	ck_assert_int_eq(run(bin, res), SIEVE_EXEC_OK);
	ck_assert_uint_eq(sieve_result_final(res, &acts), 1);
	ck_assert_ptr_null(acts[0]->flags);
	sieve_binary_free(bin);
}
END_TEST

START_TEST(internal_flags_span_scripts)
{
	struct sieve_binary *first = compile(
		"require \"imap4flags\";\nsetflag \"\\\\Flagged\";\n");
	struct sieve_binary *second = compile(
		"require \"fileinto\";\nfileinto \"Later\";\n");
	struct sieve_result *res = sieve_result_new(a, NULL);
	const struct sieve_action *const *acts;

	ck_assert_ptr_nonnull(first);
	ck_assert_ptr_nonnull(second);
	ck_assert_int_eq(run(first, res), SIEVE_EXEC_OK);
	ck_assert_int_eq(run(second, res), SIEVE_EXEC_OK);
	ck_assert_uint_eq(sieve_result_final(res, &acts), 1);
	ck_assert_int_eq(acts[0]->type, SIEVE_ACT_FILEINTO);
	ck_assert_str_eq(acts[0]->target, "Later");
	ck_assert_uint_eq(nflags(acts[0]), 1);
	ck_assert_str_eq(acts[0]->flags[0], "\\Flagged");
	sieve_binary_free(first);
	sieve_binary_free(second);
}
END_TEST

START_TEST(copy_keeps_implicit_keep_and_round_trips)
{
	struct sieve_binary *bin = compile(
		"require [\"fileinto\", \"copy\", \"imap4flags\"];\n"
		"fileinto :copy :flags \"\\\\draft x\" \"Box\";\n"
		"redirect :copy \"carol@example.com\";\n");
	struct sieve_binary *again;
	struct sieve_result *res = sieve_result_new(a, NULL);
	const struct sieve_action *const *acts;
	const void *data;
	const char *why = NULL;
	size_t len;

	ck_assert_ptr_nonnull(bin);
	data = sieve_binary_data(bin, &len);
	again = sieve_binary_from_data(inst, data, len, &why);
	ck_assert_msg(again != NULL, "reload: %s", why ? why : "?");
	ck_assert_int_eq(run(again, res), SIEVE_EXEC_OK);
	ck_assert_uint_eq(sieve_result_final(res, &acts), 3);
	ck_assert_int_eq(acts[0]->type, SIEVE_ACT_FILEINTO);
	ck_assert(acts[0]->copy);
	ck_assert_uint_eq(nflags(acts[0]), 2);
	ck_assert_str_eq(acts[0]->flags[0], "\\Draft");
	ck_assert_int_eq(acts[1]->type, SIEVE_ACT_REDIRECT);
	ck_assert(acts[1]->copy);
	ck_assert_int_eq(acts[2]->type, SIEVE_ACT_KEEP);
	ck_assert_ptr_null(acts[2]->flags);
	ck_assert(sieve_result_implicit_keep(res));
	sieve_binary_free(again);
	sieve_binary_free(bin);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("imap4flags");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, implicit_keep_carries_final_flags);
	tcase_add_test(tc, no_flags_without_imap4flags);
	tcase_add_test(tc, internal_flags_span_scripts);
	tcase_add_test(tc, copy_keeps_implicit_keep_and_round_trips);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
