/*
 * reject.c -- RFC 5429 "reject" and "ereject". Implementation: full on the
 * engine side; the host chooses how to refuse (MDN, or an SMTP/LDA error
 * for ereject). Conflicts with delivering actions and a second reject are
 * refused by the result (result.c).
 */
#include "compile.h"

#include <string.h>

static int
reject_common(struct sieve_interp *ip, enum sieve_action_type type,
	      const char *name)
{
	struct sieve_opts o;
	struct sieve_str reason;
	int r;

	if ((r = sieve_read_opts(ip, &o)) < 0 ||
	    (r = sieve_read_string(ip, &reason)) < 0)
		return r;
	if (sieve_result_add(ip, type, name, reason.p, reason.len,
			     false) == NULL)
		return SIEVE_EXEC_FAILURE;
	sieve_trace(ip, "%s", name);
	return 0;
}

static int
op_reject(struct sieve_interp *ip)
{
	return reject_common(ip, SIEVE_ACT_REJECT, "reject");
}

static int
op_ereject(struct sieve_interp *ip)
{
	return reject_common(ip, SIEVE_ACT_EREJECT, "ereject");
}

static const struct sieve_op_def reject_ops[] = {
	{ "REJECT", "ox", op_reject },
};

static const struct sieve_op_def ereject_ops[] = {
	{ "EREJECT", "ox", op_ereject },
};

static const struct sieve_cmd_def cmd_reject = {
	.name = "reject", .kind = SIEVE_COMMAND, .args = "s", .op = 0,
	.argnames = (const char *const[]){ "reason", NULL },
};

static const struct sieve_cmd_def cmd_ereject = {
	.name = "ereject", .kind = SIEVE_COMMAND, .args = "s", .op = 0,
	.argnames = (const char *const[]){ "reason", NULL },
};

const struct sieve_ext_def sieve_ext_reject = {
	.name = "reject",
	.cmds = (const struct sieve_cmd_def *const[]){ &cmd_reject, NULL },
	SIEVE_OPS(reject_ops),
};

const struct sieve_ext_def sieve_ext_ereject = {
	.name = "ereject",
	.cmds = (const struct sieve_cmd_def *const[]){ &cmd_ereject, NULL },
	SIEVE_OPS(ereject_ops),
};
