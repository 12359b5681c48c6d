/*
 * check_engine.c -- the compile/load/run path as a whole: determinism,
 * diagnostics with positions, the binary loader against damaged input,
 * resource limits against hostile scripts.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "sieve.h"

static const char msg[] =
	"From: Alice <alice@example.net>\r\n"
	"To: bob@example.org\r\n"
	"Subject: [SPAM] offer\r\n"
	"\r\n"
	"body\r\n";

struct collected {
	unsigned n;
	char first[256];
};

static void
collect(void *ctx, enum sieve_severity sev, struct sieve_pos pos,
	const char *text, const char *line)
{
	struct collected *c = ctx;

	if (sev == SIEVE_ERROR && c->n++ == 0)
		snprintf(c->first, sizeof(c->first), "%s", line);
}

static struct sieve_binary *
compile(struct sieve_instance *inst, const char *src, size_t len,
	struct collected *c)
{
	struct sieve_diag d;

	sieve_diag_init(&d, "t.sieve");
	d.emit = collect;
	d.ctx = c;
	memset(c, 0, sizeof(*c));
	return sieve_compile(inst, src, len, "t.sieve", &d);
}

/* Runs bin on msg; returns the status and prints actions into out. */
static int
run(struct sieve_instance *inst, struct sieve_binary *bin, char *out,
    size_t outlen)
{
	struct arena *a = arena_new(4096);
	struct sieve_envelope env = { "alice@example.net", "bob@example.org",
				      "bob@example.org", NULL };
	struct sieve_exec_env ee;
	struct sieve_diag d;
	struct sieve_result *res = sieve_result_new(a, sieve_instance_limits(inst));
	FILE *f = fmemopen(out, outlen, "w");
	int st;

	sieve_diag_init(&d, "t");
	d.emit = collect;
	d.ctx = &(struct collected){ 0 };
	memset(&ee, 0, sizeof(ee));
	ee.msg = sieve_message_parse(a, msg, sizeof(msg) - 1);
	ee.envelope = &env;
	ee.diag = &d;
	ee.arena = a;
	st = sieve_execute(bin, &ee, res);
	if (st == SIEVE_EXEC_OK)
		sieve_result_print(res, f);
	fclose(f);
	arena_free(a);
	return st;
}

static const char script[] =
	"require [\"fileinto\", \"envelope\"];\n"
	"if header :contains \"subject\" \"[SPAM]\" { fileinto \"Junk\"; stop; }\n"
	"if address :domain \"from\" \"example.net\" { redirect \"x@example.com\"; }\n";

START_TEST(test_deterministic_and_runs)
{
	struct sieve_instance *inst = sieve_instance_new(NULL);
	struct collected c;
	struct sieve_binary *a = compile(inst, script, strlen(script), &c);
	struct sieve_binary *b = compile(inst, script, strlen(script), &c);
	const void *da, *db;
	size_t la, lb;
	char out[256];

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	da = sieve_binary_data(a, &la);
	db = sieve_binary_data(b, &lb);
	ck_assert_uint_eq(la, lb);
	ck_assert(memcmp(da, db, la) == 0);
	ck_assert_int_eq(run(inst, a, out, sizeof(out)), SIEVE_EXEC_OK);
	ck_assert_str_eq(out, "fileinto \"Junk\"\n");
	sieve_binary_free(a);
	sieve_binary_free(b);
	sieve_instance_free(inst);
}
END_TEST

START_TEST(test_error_position)
{
	struct sieve_instance *inst = sieve_instance_new(NULL);
	struct collected c;
	const char *src = "keep;\n  fileinto \"x\";\n";

	ck_assert_ptr_null(compile(inst, src, strlen(src), &c));
	ck_assert_str_eq(c.first, "t.sieve:2:3: error: command 'fileinto' "
			 "needs require \"fileinto\"");
	sieve_instance_free(inst);
}
END_TEST

/* Every truncation and every single-byte change of a binary is refused
 * by the loader or runs to a clean status: never a crash (ASan). */
START_TEST(test_damaged_binaries)
{
	struct sieve_instance *inst = sieve_instance_new(NULL);
	struct collected c;
	struct sieve_binary *bin = compile(inst, script, strlen(script), &c);
	const unsigned char *data;
	size_t len, i;
	unsigned refused = 0;
	char out[256];

	data = sieve_binary_data(bin, &len);
	for (i = 0; i < len; i++) {
		const char *why = NULL;
		struct sieve_binary *t = sieve_binary_from_data(inst, data, i,
								&why);

		ck_assert_ptr_null(t);
		ck_assert_ptr_nonnull(why);
		refused++;
	}
	for (i = 0; i < len; i++) {
		unsigned char *copy = malloc(len);
		struct sieve_binary *t;
		const char *why;

		memcpy(copy, data, len);
		copy[i] ^= 0x5a;
		t = sieve_binary_from_data(inst, copy, len, &why);
		if (t) {
			/* the checksum does not cover the header's own
			 * checksum field... anything accepted must run */
			run(inst, t, out, sizeof(out));
			sieve_binary_free(t);
		} else {
			refused++;
		}
		free(copy);
	}
	ck_assert_uint_ge(refused, 2 * len - 8);
	sieve_binary_free(bin);
	sieve_instance_free(inst);
}
END_TEST

START_TEST(test_deep_nesting_is_bounded)
{
	struct sieve_instance *inst = sieve_instance_new(NULL);
	struct collected c;
	struct buf b = BUF_INIT;
	int i;

	for (i = 0; i < 100000; i++)
		buf_puts(&b, "if true {");
	ck_assert_ptr_null(compile(inst, b.data, b.len, &c));
	ck_assert(strstr(c.first, "nested too deeply") != NULL);
	buf_reset(&b);
	buf_puts(&b, "if ");
	for (i = 0; i < 100000; i++)
		buf_puts(&b, "not ");
	buf_puts(&b, "true { keep; }");
	ck_assert_ptr_null(compile(inst, b.data, b.len, &c));
	ck_assert(strstr(c.first, "nested too deeply") != NULL);
	buf_free(&b);
	sieve_instance_free(inst);
}
END_TEST

START_TEST(test_size_and_node_limits)
{
	struct sieve_instance *inst = sieve_instance_new(NULL);
	struct collected c;
	struct buf b = BUF_INIT;
	size_t i;

	/* a million ifs: over sieve_max_script_size (1M) */
	for (i = 0; i < 1000000; i++)
		buf_puts(&b, "if true {}\n");
	ck_assert_ptr_null(compile(inst, b.data, b.len, &c));
	ck_assert(strstr(c.first, "too large") != NULL);
	/* with the size limit lifted, the node limit stops it */
	sieve_instance_limits(inst)->max_script_size = 0;
	sieve_instance_limits(inst)->max_nodes = 100000;
	ck_assert_ptr_null(compile(inst, b.data, b.len, &c));
	ck_assert(strstr(c.first, "too many commands") != NULL);
	/* a 2 MB string against a 1 MB string limit */
	buf_reset(&b);
	buf_puts(&b, "require \"fileinto\"; fileinto \"");
	for (i = 0; i < 2 * 1024 * 1024; i++)
		buf_putc(&b, 'a');
	buf_puts(&b, "\";");
	ck_assert_ptr_null(compile(inst, b.data, b.len, &c));
	ck_assert(strstr(c.first, "too long") != NULL);
	buf_free(&b);
	sieve_instance_free(inst);
}
END_TEST

START_TEST(test_action_limit)
{
	struct sieve_instance *inst = sieve_instance_new(NULL);
	struct collected c;
	struct buf b = BUF_INIT;
	struct sieve_binary *bin;
	char out[4096];
	int i;

	buf_puts(&b, "require \"fileinto\";\n");
	for (i = 0; i < 40; i++)
		buf_printf(&b, "fileinto \"box%d\";\n", i);
	bin = compile(inst, b.data, b.len, &c);
	ck_assert_ptr_nonnull(bin);
	ck_assert_int_eq(run(inst, bin, out, sizeof(out)), SIEVE_EXEC_FAILURE);
	sieve_binary_free(bin);
	buf_free(&b);
	sieve_instance_free(inst);
}
END_TEST

static Suite *
engine_suite(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("engine");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_deterministic_and_runs);
	tcase_add_test(tc, test_error_position);
	tcase_add_test(tc, test_damaged_binaries);
	tcase_add_test(tc, test_deep_nesting_is_bounded);
	tcase_add_test(tc, test_size_and_node_limits);
	tcase_add_test(tc, test_action_limit);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(engine_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
