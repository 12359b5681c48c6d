/*
 * environment.c -- RFC 5183 "environment" (the environment test) and
 * Dovecot's "vnd.dovecot.environment" (more items, and the "env" variables
 * namespace: ${env.<item>}). Implementation: full.
 *
 * Items: "domain" and "host" from the hostname setting (sieve_host.setting;
 * gethostname() when unset; the domain is what follows the host name's
 * first dot), "location" and "phase" from the host (sieve_env_info:
 * deliver says "MDA" "during", the tools "MS" "post"), "name" and
 * "version". remote-host and remote-ip are not known to a pipe-transport
 * delivery agent and do not exist (the test fails, RFC 5183 4).
 *
 * "name" and "version" identify the interpreter as Pigeonhole does
 * ("Pigeonhole Sieve", the release whose behaviour tamis follows):
 * scripts written for Dovecot that test them keep behaving the same.
 *
 * With vnd.dovecot.environment required (it implies environment):
 * "vnd.dovecot.default-mailbox" (sieve_env_info, "INBOX" by default),
 * "vnd.dovecot.username" and "vnd.dovecot.config.<name>", the value of
 * the setting sieve_env_<name>. In ${env.<item>} a name holding '_' that
 * names no item is tried again with '-' (${env.vnd.dovecot.default_mailbox}).
 */
#include "compile.h"

#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "arena.h"

#define ENV_NAME "Pigeonhole Sieve"
#define ENV_VERSION "0.5.19"

extern const struct sieve_ext_def sieve_ext_environment;

static const char *
host_name(struct sieve_interp *ip)
{
	const char *h = sieve_interp_setting(ip, "hostname");
	char buf[256];

	if (h != NULL && *h != '\0')
		return h;
	if (gethostname(buf, sizeof(buf) - 1) < 0)
		return NULL;
	buf[sizeof(buf) - 1] = '\0';
	return arena_strdup(ip->arena, buf);
}

static const char *
vnd_item(struct sieve_interp *ip, const char *name)
{
	const struct sieve_env_info *info = ip->env->info;
	const char *rest;

	if (strncmp(name, "vnd.dovecot.", 12) != 0)
		return NULL;
	rest = name + 12;
	if (strcmp(rest, "default-mailbox") == 0)
		return info && info->default_mailbox ? info->default_mailbox :
		       "INBOX";
	if (strcmp(rest, "username") == 0)
		return info && info->username ? info->username : "";
	if (strncmp(rest, "config.", 7) == 0 && rest[7] != '\0')
		return sieve_interp_setting(ip, arena_printf(ip->arena,
							     "sieve_env_%s",
							     rest + 7));
	return NULL;
}

/* The value of an item, NULL when it does not exist. vnd: the items of
 * vnd.dovecot.environment exist. */
const char *
sieve_environment_get(struct sieve_interp *ip, const char *name, bool vnd)
{
	const struct sieve_env_info *info = ip->env->info;

	if (strcmp(name, "name") == 0)
		return ENV_NAME;
	if (strcmp(name, "version") == 0)
		return ENV_VERSION;
	if (strcmp(name, "host") == 0)
		return host_name(ip);
	if (strcmp(name, "domain") == 0) {
		const char *h = host_name(ip), *dot;

		if (h == NULL)
			return NULL;
		dot = strchr(h, '.');
		return dot && dot[1] ? dot + 1 : h;
	}
	if (strcmp(name, "location") == 0)
		return info ? info->location : NULL;
	if (strcmp(name, "phase") == 0)
		return info ? info->phase : NULL;
	return vnd ? vnd_item(ip, name) : NULL;
}

/* environment [COMPARATOR] [MATCH-TYPE] <name: string> <key-list> */
static int
op_environment(struct sieve_interp *ip, bool vnd)
{
	struct sieve_opts o;
	struct sieve_str name, *keys;
	struct sieve_matcher m;
	const char *val;
	size_t nkeys;
	int r = 0;

	if ((r = sieve_read_opts(ip, &o)) < 0 ||
	    (r = sieve_read_string(ip, &name)) < 0 ||
	    (r = sieve_read_strlist(ip, &keys, &nkeys)) < 0)
		return r;
	val = strlen(name.p) == name.len ?
	      sieve_environment_get(ip, name.p, vnd) : NULL;
	if (val == NULL) {
		/* RFC 5183 4: fails unconditionally, :count included */
		ip->reg = false;
		sieve_trace(ip, "environment test: item \"%s\" does not "
			    "exist: false", name.p);
		return 0;
	}
	sieve_matcher_init(&m, ip, &o, keys, nkeys);
	/* :count is 0 for the empty string, 1 otherwise */
	if (!(m.mt->match_end && *val == '\0'))
		r = sieve_matcher_value(&m, val, strlen(val));
	if ((r = sieve_matcher_conclude(&m, r)) < 0)
		return r;
	sieve_trace(ip, "environment test: \"%s\" = \"%s\": %s", name.p, val,
		    ip->reg ? "true" : "false");
	return 0;
}

static int
op_env_std(struct sieve_interp *ip)
{
	return op_environment(ip, false);
}

static int
op_env_vnd(struct sieve_interp *ip)
{
	return op_environment(ip, true);
}

static const struct sieve_op_def environment_ops[] = {
	{ "ENVIRONMENT", "oxx", op_env_std },
	{ "ENVIRONMENT_VND", "oxx", op_env_vnd },
};

/* The items of vnd.dovecot.environment are there when the script
 * requires it: the test then compiles to the second op. */
static bool
environment_emit(struct sieve_codegen *g, struct sieve_cmd *c)
{
	bool vnd = sieve_v_ext_required(g->v, "vnd.dovecot.environment");

	sieve_g_op(g, c->ext, vnd ? 1 : 0, c->node->pos.line);
	sieve_g_operands(g, c);
	return true;
}

static const struct sieve_cmd_def tst_environment = {
	.name = "environment", .kind = SIEVE_TEST, .args = "sl",
	.argnames = (const char *const[]){ "name", "key list", NULL },
	.flags = SIEVE_CMDF_MATCH, .op = 0, .emit = environment_emit,
};

const struct sieve_ext_def sieve_ext_environment = {
	.name = "environment",
	.cmds = (const struct sieve_cmd_def *const[]){ &tst_environment,
						      NULL },
	SIEVE_OPS(environment_ops),
};

/* vnd.dovecot.environment implies environment. */
static bool
vnd_on_require(struct sieve_validator *v, const struct sieve_ext_def *e)
{
	int i = sieve_ext_index("environment");

	(void)e;
	if (i < 0 || !v->inst->enabled[i]) {
		sieve_v_error(v, v->require_pos, "vnd.dovecot.environment: "
			      "the environment extension is not enabled");
		return false;
	}
	if (!v->required[i]) {
		v->required[i] = true;
		sieve_g_slot(&v->g, &sieve_ext_environment);
	}
	return true;
}

const struct sieve_ext_def sieve_ext_vnd_environment = {
	.name = "vnd.dovecot.environment",
	.flags = SIEVE_EXTF_OFF,	/* as in Pigeonhole: sieve_extensions = +vnd.dovecot.environment */
	.on_require = vnd_on_require,
};
