/*
 * sieve-testsuite -- run a conformance file written in the Sieve testsuite
 * language (vnd.dovecot.testsuite).
 *
 *   sieve-testsuite [-v] [-F] [-x EXTS] FILE.svtest
 *
 * Prints one line per test ("test 'name': ok" or "... FAILED: reason"),
 * then "N passed, M failed". Exit 0 when every test passed. -F inverts
 * that for files that must fail: exit 0 when the file failed cleanly
 * (compile error or a failed test), 1 when it passed. -v traces.
 * Without -x or -c every extension is enabled, those off by default
 * included (vnd.dovecot.duplicate), as in Pigeonhole's testsuite.
 */
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "sieve.h"
#include "tamis.h"
#include "testsuite.h"
#include "tool_common.h"

static const char default_message[] =
	"From: sender@example.com\r\n"
	"To: recipient@example.com\r\n"
	"Subject: Test message\r\n"
	"\r\n"
	"Test!\r\n";

static void
usage(void)
{
	fprintf(stderr, "usage: sieve-testsuite [-v] [-F] [-x EXTS] "
		"FILE.svtest\n");
	exit(TAMIS_EX_USAGE);
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	return remove(path);
}

int
main(int argc, char **argv)
{
	struct tool_opts to;
	struct testsuite ts;
	struct sieve_envelope envelope = { 0 };
	struct sieve_exec_env env = { 0 };
	struct sieve_host host = { 0 };
	/* as Pigeonhole's testsuite: a message store after delivery */
	const struct sieve_env_info info = { .location = "MS",
					     .phase = "post",
					     .username = "user" };
	struct sieve_diag d;
	struct sieve_binary *bin;
	char tmpl[] = "/tmp/tamis-testsuite.XXXXXX";
	char *pathcopy;
	bool expect_fail = false, failed;
	int c, status;

	tool_opts_init(&to);
	memset(&ts, 0, sizeof(ts));
	while ((c = getopt(argc, argv, "vFx:c:o:h")) != -1) {
		switch (c) {
		case 'v':
			ts.verbose = true;
			break;
		case 'F':
			expect_fail = true;
			break;
		case 'x':
		case 'c':
		case 'o':
			tool_opts_add(&to, c, optarg);
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	ts.inst = tool_instance(&to);
	/* as Pigeonhole's testsuite: everything on unless told otherwise */
	if (to.config == NULL && to.next == 0)
		sieve_instance_enable_all(ts.inst);
	sieve_instance_enable_hidden(ts.inst, "vnd.dovecot.testsuite");
	ts.base_limits = *sieve_instance_limits(ts.inst);
	ts.arena = arena_new(256 * 1024);
	pathcopy = xstrdup(argv[optind]);
	ts.dir = arena_strdup(ts.arena, dirname(pathcopy));
	free(pathcopy);
	testsuite_include_locations(&ts, NULL, NULL);
	if (mkdtemp(tmpl) == NULL) {
		fprintf(stderr, "sieve-testsuite: mkdtemp: %s\n",
			strerror(errno));
		return TAMIS_EX_TEMPFAIL;
	}
	ts.tmpdir = tmpl;
	envelope.from = "sender@example.com";
	envelope.to = "recipient@example.com";
	envelope.orig_to = "recipient@example.com";
	env.envelope = &envelope;
	env.arena = ts.arena;
	env.ext_ctx = &ts;
	host.ctx = &ts;
	host.mailbox_exists = testsuite_mailbox_exists;
	host.duplicate_check = testsuite_duplicate_check;
	host.setting = testsuite_setting;
	env.host = &host;
	env.info = &info;
	ts.env = &env;
	ts.envelope = &envelope;
	testsuite_set_message(&ts, default_message, sizeof(default_message) - 1);
	ts.result = sieve_result_new(ts.arena, &ts.base_limits);

	sieve_diag_init(&d, argv[optind]);
	env.diag = &d;
	bin = sieve_compile_file(ts.inst, argv[optind], argv[optind], &d);
	if (bin == NULL) {
		printf("%s: compile failed\n", argv[optind]);
		failed = true;
	} else {
		if (ts.verbose)
			env.trace = stdout;
		status = sieve_execute(bin, &env, ts.result);
		if (status != SIEVE_EXEC_OK) {
			printf("%s: execution failed: %s\n", argv[optind],
			       sieve_exec_status_str(status));
			ts.global_failure = true;
			if (ts.in_test) {
				printf("test '%s': FAILED: execution aborted\n",
				       ts.test_name);
				ts.failed++;
			}
		}
		failed = ts.failed > 0 || ts.global_failure;
		printf("%u passed, %u failed\n", ts.passed, ts.failed);
	}
	sieve_binary_free(bin);
	sieve_binary_free(ts.compiled);
	nftw(tmpl, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	arena_free(ts.arena);
	sieve_instance_free(ts.inst);
	tool_opts_free(&to);
	if (expect_fail)
		return failed ? 0 : 1;
	return failed ? 1 : 0;
}
