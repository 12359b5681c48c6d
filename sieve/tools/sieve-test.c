/*
 * sieve-test -- run a Sieve script on a message without side effects and
 * print what it would do.
 *
 *   sieve-test [-t] [-x EXTS] [-c CONFIG] [-f FROM] [-a RCPT] [-r RCPT]
 *              SCRIPT MESSAGE
 *
 * SCRIPT is a source file or a binary made by sievec. MESSAGE "-" reads
 * stdin. Output: one action per line in the canonical form documented in
 * sieve-test(1), e.g.
 *     fileinto :copy "Lists/dev"
 *     redirect "alice@example.org"
 *     keep :implicit
 * -t traces each test evaluated and why it matched or not (to stdout,
 * before the actions, lines starting with "##" or two spaces).
 * Exit: 0 when the script ran, 1 on compile or runtime errors (the
 * actions printed are then those a delivery would do: the implicit keep).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "sieve.h"
#include "tamis.h"
#include "tool_common.h"

static void
usage(void)
{
	fprintf(stderr, "usage: sieve-test [-t] [-x EXTS] [-c CONFIG] "
		"[-f FROM] [-a RCPT] [-r RCPT] SCRIPT MESSAGE\n");
	exit(TAMIS_EX_USAGE);
}

/* Loads a binary when the file is one, else compiles the source. */
static struct sieve_binary *
load_script(struct sieve_instance *inst, const char *path,
	    struct sieve_diag *d)
{
	struct sieve_binary *bin;
	const char *why = NULL;
	FILE *f = fopen(path, "rb");
	char magic[8];
	bool is_bin = false;

	if (f) {
		is_bin = fread(magic, 1, 8, f) == 8 &&
			 memcmp(magic, "TAMISSVB", 8) == 0;
		fclose(f);
	}
	if (is_bin) {
		bin = sieve_binary_open(inst, path, &why);
		if (bin == NULL)
			fprintf(stderr, "sieve-test: %s: %s\n", path, why);
		return bin;
	}
	return sieve_compile_file(inst, path, path, d);
}

/* The value of a header in the raw message, for envelope defaults. */
static const char *
raw_header(struct arena *a, const char *msg, size_t len, const char *name)
{
	size_t nl = strlen(name), i = 0;

	while (i < len) {
		size_t e = i;

		while (e < len && msg[e] != '\n')
			e++;
		if (e == i || (e == i + 1 && msg[i] == '\r'))
			break;
		if (e - i > nl && strncasecmp(msg + i, name, nl) == 0 &&
		    msg[i + nl] == ':') {
			const char *v = msg + i + nl + 1;
			size_t vl = (size_t)(msg + e - v);

			while (vl && (*v == ' ' || *v == '\t'))
				v++, vl--;
			while (vl && (v[vl - 1] == '\r' || v[vl - 1] == ' '))
				vl--;
			if (vl && *v == '<' && v[vl - 1] == '>')
				v++, vl -= 2;
			return arena_strndup(a, v, vl);
		}
		i = e + 1;
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	struct tool_opts to;
	struct sieve_instance *inst;
	struct sieve_binary *bin;
	struct sieve_diag d;
	struct sieve_envelope env = { 0 };
	struct sieve_exec_env ee = { 0 };
	struct sieve_host host = { 0 };
	/* as Pigeonhole's sieve-test: a message store, after delivery */
	const struct sieve_env_info info = { .location = "MS",
					     .phase = "post",
					     .username = getenv("USER") };
	struct sieve_result *res;
	struct arena *a;
	struct buf msg = BUF_INIT;
	bool trace = false;
	int c, status, ret = 0;

	tool_opts_init(&to);
	while ((c = getopt(argc, argv, "tc:x:o:f:a:r:h")) != -1) {
		switch (c) {
		case 't':
			trace = true;
			break;
		case 'c':
		case 'x':
		case 'o':
			tool_opts_add(&to, c, optarg);
			break;
		case 'f':
			env.from = optarg;
			break;
		case 'a':
			env.orig_to = optarg;
			break;
		case 'r':
			env.to = optarg;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 2)
		usage();
	inst = tool_instance(&to);
	if ((strcmp(argv[optind + 1], "-") == 0 ?
	     buf_read_fd(&msg, 0, 0) :
	     buf_read_file(&msg, argv[optind + 1], 0)) < 0) {
		fprintf(stderr, "sieve-test: %s: %s\n", argv[optind + 1],
			strerror(errno));
		return TAMIS_EX_NOINPUT;
	}
	sieve_diag_init(&d, argv[optind]);
	bin = load_script(inst, argv[optind], &d);
	a = arena_new(64 * 1024);
	res = sieve_result_new(a, sieve_instance_limits(inst));
	if (bin == NULL) {
		fprintf(stderr, "sieve-test: %s: compile failed, the message "
			"would be kept\n", argv[optind]);
		ret = 1;
	} else {
		if (env.from == NULL)
			env.from = raw_header(a, msg.data ? msg.data : "",
					      msg.len, "Return-Path");
		if (env.from == NULL)
			env.from = "sender@example.com";
		if (env.to == NULL)
			env.to = env.orig_to;
		if (env.to == NULL)
			env.to = raw_header(a, msg.data ? msg.data : "",
					    msg.len, "Delivered-To");
		if (env.to == NULL)
			env.to = "recipient@example.com";
		if (env.orig_to == NULL)
			env.orig_to = env.to;
		ee.msg = sieve_message_parse(a, msg.data ? msg.data : "",
					     msg.len);
		ee.envelope = &env;
		host.ctx = &to;
		host.setting = tool_setting;
		ee.host = &host;
		ee.info = &info;
		ee.diag = &d;
		ee.arena = a;
		ee.trace = trace ? stdout : NULL;
		if (trace)
			printf("## started executing %s\n", argv[optind]);
		status = sieve_execute(bin, &ee, res);
		if (trace)
			printf("## finished: %s\n",
			       sieve_exec_status_str(status));
		if (status != SIEVE_EXEC_OK) {
			ret = 1;
			/* what delivery would do: the implicit keep only */
			res = sieve_result_new(a, sieve_instance_limits(inst));
		}
	}
	sieve_result_print(res, stdout);
	sieve_binary_free(bin);
	arena_free(a);
	buf_free(&msg);
	sieve_instance_free(inst);
	tool_opts_free(&to);
	return ret;
}
