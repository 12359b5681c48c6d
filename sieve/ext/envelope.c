/*
 * envelope.c -- RFC 5228 5.4 "envelope" test. Implementation: parts "from"
 * and "to" (case-insensitive), plus "auth" (the authenticated submitter,
 * as Pigeonhole offers). The null reverse-path matches as the empty string
 * whatever the address part.
 */
#include "compile.h"

#include <string.h>
#include <strings.h>

#include "address.h"
#include "arena.h"

static const char *const known_parts[] = { "from", "to", "auth", NULL };

static bool
known_part(const char *s)
{
	const char *const *p;

	for (p = known_parts; *p; p++)
		if (strcasecmp(*p, s) == 0)
			return true;
	return false;
}

static bool
envelope_validate(struct sieve_validator *v, struct sieve_cmd *c)
{
	struct sieve_ast_arg *a = c->pos[0];
	struct sieve_ast_string *items = a->type == SIEVE_ARG_STRING ?
		&a->u.str : a->u.list.items;
	size_t n = a->type == SIEVE_ARG_STRING ? 1 : a->u.list.count, i;
	bool ok = true;

	for (i = 0; i < n; i++) {
		if (!sieve_v_arg_constant(v, a))
			break;
		if (!known_part(items[i].str)) {
			sieve_v_error(v, items[i].pos, "envelope: unknown "
				      "envelope part \"%s\"", items[i].str);
			ok = false;
		}
	}
	return ok;
}

static int
op_envelope(struct sieve_interp *ip)
{
	const struct sieve_envelope *env = ip->env->envelope;
	struct sieve_opts o;
	struct sieve_str *parts, *keys;
	size_t nparts, nkeys, i;
	struct sieve_matcher m;
	int r = 0;

	if ((r = sieve_read_opts(ip, &o)) < 0 ||
	    (r = sieve_read_strlist(ip, &parts, &nparts)) < 0 ||
	    (r = sieve_read_strlist(ip, &keys, &nkeys)) < 0)
		return r;
	sieve_matcher_init(&m, ip, &o, keys, nkeys);
	for (i = 0; i < nparts && r == 0 && env; i++) {
		const char *path = NULL;
		struct sieve_address addr;
		const char *part;
		bool is_from = strcasecmp(parts[i].p, "from") == 0;

		if (is_from)
			path = env->from;
		else if (strcasecmp(parts[i].p, "to") == 0)
			path = env->to;
		else if (strcasecmp(parts[i].p, "auth") == 0)
			path = env->auth;
		if (path == NULL)
			continue;
		if (!sieve_address_parse_path(ip->arena, path, strlen(path),
					      &addr))
			continue;	/* an invalid path matches nothing */
		if (is_from && addr.local_part && *addr.local_part == '\0' &&
		    addr.domain == NULL) {
			r = sieve_matcher_value(&m, "", 0);	/* <> */
			continue;
		}
		part = o.ap ? o.ap->extract(ip, &addr) : addr.all;
		if (part == NULL)
			continue;
		r = sieve_matcher_value(&m, part, strlen(part));
	}
	if ((r = sieve_matcher_conclude(&m, r)) < 0)
		return r;
	sieve_trace(ip, "envelope test: %s", ip->reg ? "true" : "false");
	return 0;
}

static const struct sieve_op_def envelope_ops[] = {
	{ "ENVELOPE", "oxx", op_envelope },
};

static const struct sieve_cmd_def tst_envelope = {
	.name = "envelope", .kind = SIEVE_TEST, .args = "ll",
	.argnames = (const char *const[]){ "envelope part", "key list", NULL },
	.flags = SIEVE_CMDF_MATCH | SIEVE_CMDF_ADDRESS, .op = 0,
	.validate = envelope_validate,
};

const struct sieve_ext_def sieve_ext_envelope = {
	.name = "envelope",
	.cmds = (const struct sieve_cmd_def *const[]){ &tst_envelope, NULL },
	SIEVE_OPS(envelope_ops),
};
