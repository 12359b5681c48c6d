/*
 * mailbox.c -- RFC 5490 section 3 "mailbox": the :create tag of fileinto
 * (create the mailbox when it does not exist) and the mailboxexists test.
 * Implementation: full on the engine side; the host creates mailboxes
 * (the action carries create = true) and answers mailbox_exists.
 */
#include "compile.h"

#include <string.h>

static const struct sieve_tag_def tag_create = {
	.name = "create", .code = SIEVE_OPT_CREATE,
};

static int
op_mailboxexists(struct sieve_interp *ip)
{
	const struct sieve_host *host = ip->env->host;
	struct sieve_opts o;
	struct sieve_str *names;
	size_t n, i;
	bool all = true;
	int r;

	if ((r = sieve_read_opts(ip, &o)) < 0 ||
	    (r = sieve_read_strlist(ip, &names, &n)) < 0)
		return r;
	for (i = 0; i < n && all; i++) {
		int e = host && host->mailbox_exists ?
			host->mailbox_exists(host->ctx, names[i].p) : 0;

		if (e < 0) {
			sieve_runtime_error(ip, "mailboxexists: cannot check "
					    "mailbox \"%s\"", names[i].p);
			return SIEVE_EXEC_TEMPFAIL;
		}
		all = e > 0;
	}
	ip->reg = all;
	sieve_trace(ip, "mailboxexists test: %s", all ? "true" : "false");
	return 0;
}

static const struct sieve_op_def mailbox_ops[] = {
	{ "MAILBOXEXISTS", "ox", op_mailboxexists },
};

static const struct sieve_cmd_def tst_mailboxexists = {
	.name = "mailboxexists", .kind = SIEVE_TEST, .args = "l",
	.argnames = (const char *const[]){ "mailbox names", NULL }, .op = 0,
};

const struct sieve_ext_def sieve_ext_mailbox = {
	.name = "mailbox",
	.cmds = (const struct sieve_cmd_def *const[]){ &tst_mailboxexists,
						      NULL },
	SIEVE_OPS(mailbox_ops),
	.attach = (const struct sieve_tag_attach[]){ { "fileinto", &tag_create },
						     { NULL, NULL } },
};
