/*
 * fileinto.c -- RFC 5228 4.1 "fileinto". Implementation: full.
 *
 * Tags other extensions attach here (:copy RFC 3894, :create RFC 5490,
 * :flags RFC 5232, :specialuse RFC 8579) are read by the op and recorded on
 * the action; the host creates mailboxes and applies flags.
 */
#include "compile.h"

#include <string.h>

#include "arena.h"

/* A mailbox name must be valid UTF-8 without control characters. */
static bool
valid_mailbox(const char *s, size_t len)
{
	size_t i = 0;

	if (len == 0)
		return false;
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		size_t n, k;

		if (c < 0x20 || c == 0x7f)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		n = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 :
		    c >= 0xc2 && c < 0xe0 ? 2 : 0;
		if (n == 0 || i + n > len)
			return false;
		for (k = 1; k < n; k++)
			if (((unsigned char)s[i + k] & 0xc0) != 0x80)
				return false;
		i += n;
	}
	return true;
}

static bool
fileinto_validate(struct sieve_validator *v, struct sieve_cmd *c)
{
	struct sieve_ast_arg *a = c->pos[0];

	if (!sieve_v_arg_constant(v, a))
		return true;
	if (!valid_mailbox(a->u.str.str, a->u.str.len)) {
		sieve_v_error(v, a->pos, "fileinto: invalid mailbox name "
			      "\"%s\"", a->u.str.str);
		return false;
	}
	return true;
}

static int
op_fileinto(struct sieve_interp *ip)
{
	struct sieve_opts o;
	struct sieve_str box;
	struct sieve_action *a;
	bool copy;
	int r;

	if ((r = sieve_read_opts(ip, &o)) < 0 ||
	    (r = sieve_read_string(ip, &box)) < 0)
		return r;
	if (!valid_mailbox(box.p, box.len)) {
		sieve_runtime_error(ip, "fileinto: invalid folder name "
				    "\"%.*s\" (not UTF-8 or control "
				    "characters)", (int)box.len, box.p);
		return SIEVE_EXEC_FAILURE;
	}
	copy = o.present & (1ull << SIEVE_OPT_COPY);
	a = sieve_result_add(ip, SIEVE_ACT_FILEINTO, "fileinto", box.p,
			     box.len, copy);
	if (a == NULL)
		return SIEVE_EXEC_FAILURE;
	if (o.present & (1ull << SIEVE_OPT_CREATE))
		a->create = true;
	if ((r = sieve_imap4flags_apply(ip, &o, a)) < 0)
		return r;
	sieve_trace(ip, "fileinto%s \"%.*s\"", copy ? " :copy" : "",
		    (int)box.len, box.p);
	return 0;
}

static const struct sieve_op_def fileinto_ops[] = {
	{ "FILEINTO", "ox", op_fileinto },
};

static const struct sieve_cmd_def cmd_fileinto = {
	.name = "fileinto", .kind = SIEVE_COMMAND, .args = "s",
	.argnames = (const char *const[]){ "folder", NULL },
	.op = 0, .validate = fileinto_validate,
};

const struct sieve_ext_def sieve_ext_fileinto = {
	.name = "fileinto",
	.cmds = (const struct sieve_cmd_def *const[]){ &cmd_fileinto, NULL },
	SIEVE_OPS(fileinto_ops),
};
