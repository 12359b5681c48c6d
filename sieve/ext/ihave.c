/*
 * ihave.c -- RFC 5463 "ihave": the ihave test and the error command.
 * Implementation: full.
 *
 * ihave is decided when the script is compiled (RFC 5463 3): when every
 * named extension is available (known, enabled, and not one of those
 * changing how a script is read: variables and encoded-character, RFC
 * 5463 4), they become usable as if required, from there to the end of
 * the script, and the test is compiled to an IHAVE op that checks again
 * at run time. Otherwise the test is constant false: the block it guards
 * (through not, allof and anyof too) is not validated nor compiled, so it
 * may use commands of unknown extensions (validate.c, test_const).
 *
 * The extension names must be constant strings.
 *
 * error "message": a runtime error with the message; the script fails and
 * the implicit keep applies (RFC 5463 5).
 */
#include "compile.h"

#include <string.h>

static bool
restricted(const char *name)
{
	return strcmp(name, "variables") == 0 ||
	       strcmp(name, "encoded-character") == 0;
}

/* Known, enabled and allowed with ihave. */
static const struct sieve_ext_def *
available(const struct sieve_instance *inst, const char *name, size_t len)
{
	const struct sieve_ext_def *e;

	if (strlen(name) != len || restricted(name))
		return NULL;
	e = sieve_ext_find(name);
	return e && sieve_ext_enabled(inst, e) ? e : NULL;
}

static bool
ihave_validate(struct sieve_validator *v, struct sieve_cmd *c)
{
	struct sieve_ast_arg *a = c->pos[0];
	struct sieve_ast_string *items = a->type == SIEVE_ARG_STRING ?
		&a->u.str : a->u.list.items;
	size_t n = a->type == SIEVE_ARG_STRING ? 1 : a->u.list.count, i;

	if (!sieve_v_arg_constant(v, a)) {
		sieve_v_error(v, a->pos, "ihave: the extension names must be "
			      "constant strings");
		return false;
	}
	for (i = 0; i < n; i++)
		if (available(v->inst, items[i].str, items[i].len) == NULL) {
			v->test_const = 0;
			return true;
		}
	for (i = 0; i < n; i++) {
		const struct sieve_ext_def *e =
			available(v->inst, items[i].str, items[i].len);
		int idx = sieve_ext_index(e->name);

		if (idx < 0 || v->required[idx])
			continue;
		v->required[idx] = true;
		v->require_pos = items[i].pos;
		if (e->on_require && !e->on_require(v, e))
			return false;
		sieve_g_slot(&v->g, e);
	}
	return true;
}

static int
op_ihave(struct sieve_interp *ip)
{
	struct sieve_opts o;
	struct sieve_str *names;
	size_t n, i;
	bool all = true;
	int r;

	if ((r = sieve_read_opts(ip, &o)) < 0 ||
	    (r = sieve_read_strlist(ip, &names, &n)) < 0)
		return r;
	for (i = 0; i < n && all; i++)
		all = available(ip->bin->inst, names[i].p, names[i].len) !=
		      NULL;
	ip->reg = all;
	sieve_trace(ip, "ihave test: %s", all ? "true" : "false");
	return 0;
}

static int
op_error(struct sieve_interp *ip)
{
	struct sieve_opts o;
	struct sieve_str msg;
	int r;

	if ((r = sieve_read_opts(ip, &o)) < 0 ||
	    (r = sieve_read_string(ip, &msg)) < 0)
		return r;
	sieve_runtime_error(ip, "%.*s", (int)msg.len, msg.p);
	return SIEVE_EXEC_FAILURE;
}

static const struct sieve_op_def ihave_ops[] = {
	{ "IHAVE", "ox", op_ihave },
	{ "ERROR", "ox", op_error },
};

static const struct sieve_cmd_def tst_ihave = {
	.name = "ihave", .kind = SIEVE_TEST, .args = "l",
	.argnames = (const char *const[]){ "capabilities", NULL },
	.op = 0, .validate = ihave_validate,
};

static const struct sieve_cmd_def cmd_error = {
	.name = "error", .kind = SIEVE_COMMAND, .args = "s",
	.argnames = (const char *const[]){ "message", NULL }, .op = 1,
};

const struct sieve_ext_def sieve_ext_ihave = {
	.name = "ihave",
	.cmds = (const struct sieve_cmd_def *const[]){ &tst_ihave, &cmd_error,
						      NULL },
	SIEVE_OPS(ihave_ops),
};
