/*
 * core.c -- the base language of RFC 5228 that needs no `require`:
 * control commands (require, if/elsif/else, stop: section 3), the actions
 * keep, discard and redirect (section 4), the tests address, header,
 * exists, size, allof, anyof, not, true, false (section 5; header and
 * address also take the :index and :last tags of RFC 5260 6 when the
 * script requires "index": sieve/ext/header_index.c), the comparators
 * i;octet and i;ascii-casemap (2.7.3), the match types :is, :contains,
 * :matches (2.7.1) and the address parts :all, :localpart, :domain
 * (2.7.4).
 */
#include "compile.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "address.h"
#include "arena.h"
#include "compare.h"
#include "match.h"
#include "message.h"

/* ---- objects ----------------------------------------------------------- */

const struct sieve_object_def sieve_obj_cmp_octet = {
	.name = "i;octet", .cls = SIEVE_OBJ_COMPARATOR,
	.comparator = &sieve_cmp_octet,
};

static const struct sieve_object_def obj_cmp_casemap = {
	.name = "i;ascii-casemap", .cls = SIEVE_OBJ_COMPARATOR,
	.comparator = &sieve_cmp_ascii_casemap,
};

static int
mt_is(struct sieve_matcher *m, const char *v, size_t vlen, const char *k,
      size_t klen)
{
	return sieve_match_is(m->cmp, v, vlen, k, klen);
}

static int
mt_contains(struct sieve_matcher *m, const char *v, size_t vlen,
	    const char *k, size_t klen)
{
	return sieve_match_contains(m->cmp, v, vlen, k, klen);
}

/*
 * :matches records the match values for ${0}..${N} (RFC 5229 3.2) when the
 * variables extension asked for them; they are copied because the value
 * may be a temporary.
 */
static int
mt_matches(struct sieve_matcher *m, const char *v, size_t vlen,
	   const char *k, size_t klen)
{
	struct sieve_interp *ip = m->ip;
	struct sieve_match_values mv;
	unsigned i;

	if (!ip->match_values_on)
		return sieve_match_matches(m->cmp, v, vlen, k, klen, NULL);
	if (!sieve_match_matches(m->cmp, v, vlen, k, klen, &mv))
		return 0;
	ip->match_count = mv.count > 32 ? 32 : mv.count;
	for (i = 0; i < ip->match_count; i++) {
		ip->match_values[i].p = arena_strndup(ip->arena, mv.v[i].p,
						      mv.v[i].len);
		ip->match_values[i].len = mv.v[i].len;
	}
	return 1;
}

const struct sieve_object_def sieve_obj_match_is = {
	.name = "is", .cls = SIEVE_OBJ_MATCH_TYPE, .match = mt_is,
};

const struct sieve_object_def sieve_obj_match_contains = {
	.name = "contains", .cls = SIEVE_OBJ_MATCH_TYPE, .match = mt_contains,
};

const struct sieve_object_def sieve_obj_match_matches = {
	.name = "matches", .cls = SIEVE_OBJ_MATCH_TYPE, .match = mt_matches,
};

static const char *
ap_all(struct sieve_interp *ip, const struct sieve_address *a)
{
	return a->all;
}

/* RFC 5322 addresses are ASCII: 8-bit bytes make an address invalid for
 * :localpart and :domain (RFC 5228 2.7.4). */
static bool
ascii_only(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

static const char *
ap_localpart(struct sieve_interp *ip, const struct sieve_address *a)
{
	return ascii_only(a->local_part) && ascii_only(a->domain) ?
	       a->local_part : NULL;
}

static const char *
ap_domain(struct sieve_interp *ip, const struct sieve_address *a)
{
	return a->local_part && ascii_only(a->local_part) &&
	       ascii_only(a->domain) ? a->domain : NULL;
}

static const struct sieve_object_def obj_ap_all = {
	.name = "all", .cls = SIEVE_OBJ_ADDRESS_PART, .extract = ap_all,
};

static const struct sieve_object_def obj_ap_localpart = {
	.name = "localpart", .cls = SIEVE_OBJ_ADDRESS_PART,
	.extract = ap_localpart,
};

static const struct sieve_object_def obj_ap_domain = {
	.name = "domain", .cls = SIEVE_OBJ_ADDRESS_PART, .extract = ap_domain,
};

static const struct sieve_object_def *const core_objects[] = {
	&sieve_obj_cmp_octet, &obj_cmp_casemap,
	&sieve_obj_match_is, &sieve_obj_match_contains,
	&sieve_obj_match_matches,
	&obj_ap_all, &obj_ap_localpart, &obj_ap_domain,
	NULL
};

/* ---- compile-time checks ---------------------------------------------- */

/* RFC 5322 field-name: 1*ftext, ftext = %d33-57 / %d59-126 */
bool
sieve_valid_field_name(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 33 || c > 126 || c == ':')
			return false;
	}
	return true;
}

static bool
check_header_names(struct sieve_validator *v, struct sieve_ast_arg *a)
{
	struct sieve_ast_string *items = a->type == SIEVE_ARG_STRING ?
		&a->u.str : a->u.list.items;
	size_t n = a->type == SIEVE_ARG_STRING ? 1 : a->u.list.count, i;
	bool ok = true;

	for (i = 0; i < n; i++) {
		if (v->variables && memmem(items[i].str, items[i].len, "${", 2))
			continue;
		if (!sieve_valid_field_name(items[i].str, items[i].len)) {
			sieve_v_error(v, items[i].pos, "invalid header name "
				      "\"%s\"", items[i].str);
			ok = false;
		}
	}
	return ok;
}


/*
 * RFC 5228 5.1: the address test must be restricted to headers that hold
 * addresses. Unknown X- headers are accepted (sites put addresses in
 * their own headers); other known non-address headers are refused.
 */
static const char *const address_headers[] = {
	"from", "sender", "reply-to", "to", "cc", "bcc", "resent-from",
	"resent-sender", "resent-reply-to", "resent-to", "resent-cc",
	"resent-bcc", "return-path", "delivered-to", "envelope-to",
	"errors-to", "disposition-notification-to", "mail-followup-to",
	"mail-reply-to", "original-recipient", "original-from", NULL
};

static bool
address_validate(struct sieve_validator *v, struct sieve_cmd *c)
{
	struct sieve_ast_arg *a = c->pos[0];
	struct sieve_ast_string *items = a->type == SIEVE_ARG_STRING ?
		&a->u.str : a->u.list.items;
	size_t n = a->type == SIEVE_ARG_STRING ? 1 : a->u.list.count, i;
	bool ok = check_header_names(v, a);

	for (i = 0; i < n && ok; i++) {
		const char *const *h;
		bool found = false;

		if (!sieve_v_arg_constant(v, a) ||
		    strncasecmp(items[i].str, "x-", 2) == 0)
			continue;
		for (h = address_headers; *h && !found; h++)
			found = strcasecmp(*h, items[i].str) == 0;
		if (!found) {
			sieve_v_error(v, items[i].pos, "the header '%s' is not "
				      "allowed for the address test: it holds "
				      "no addresses", items[i].str);
			ok = false;
		}
	}
	return ok;
}

static bool
size_validate(struct sieve_validator *v, struct sieve_cmd *c)
{
	if (c->nopt == 0) {
		sieve_v_error(v, c->node->pos, "size test needs :over or "
			      ":under");
		return false;
	}
	return true;
}

/* Validates a constant redirect address (RFC 5228 4.2). */
static bool
redirect_validate(struct sieve_validator *v, struct sieve_cmd *c)
{
	struct sieve_ast_arg *a = c->pos[0];
	struct sieve_address *addrs;
	size_t n;

	if (!sieve_v_arg_constant(v, a))
		return true;
	n = sieve_address_list_parse(sieve_v_arena(v), a->u.str.str,
				     a->u.str.len, &addrs);
	if (n != 1 || addrs[0].local_part == NULL || addrs[0].domain == NULL) {
		sieve_v_error(v, a->pos, "redirect: invalid address \"%s\"",
			      a->u.str.str);
		return false;
	}
	return true;
}

/* ---- run-time ---------------------------------------------------------- */

#define TRY(expr)				\
	do {					\
		int r_ = (expr);		\
		if (r_ < 0)			\
			return r_;		\
	} while (0)

static uint32_t
jump_target(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static int
do_jump(struct sieve_interp *ip, bool take)
{
	uint32_t target;

	if (ip->code_len - ip->pc < 4)
		return SIEVE_EXEC_CORRUPT;
	target = jump_target(ip->code + ip->pc);
	ip->pc += 4;
	if (!take)
		return 0;
	if (target > ip->code_len || target <= ip->op_start)
		return SIEVE_EXEC_CORRUPT;	/* only forward jumps */
	ip->pc = target;
	return 0;
}

static int
op_jmp(struct sieve_interp *ip)
{
	return do_jump(ip, true);
}

static int
op_jmptrue(struct sieve_interp *ip)
{
	return do_jump(ip, ip->reg);
}

static int
op_jmpfalse(struct sieve_interp *ip)
{
	return do_jump(ip, !ip->reg);
}

static int
op_not(struct sieve_interp *ip)
{
	ip->reg = !ip->reg;
	return 0;
}

static int
op_true(struct sieve_interp *ip)
{
	ip->reg = true;
	return 0;
}

static int
op_false(struct sieve_interp *ip)
{
	ip->reg = false;
	return 0;
}

static int
op_stop(struct sieve_interp *ip)
{
	sieve_trace(ip, "stop");
	ip->stop = true;
	return 0;
}

static int
op_keep(struct sieve_interp *ip)
{
	struct sieve_opts o;
	struct sieve_action *a;

	TRY(sieve_read_opts(ip, &o));
	a = sieve_result_add(ip, SIEVE_ACT_KEEP, "keep", "", 0, false);
	if (a == NULL)
		return SIEVE_EXEC_FAILURE;
	TRY(sieve_imap4flags_apply(ip, &o, a));
	sieve_trace(ip, "keep");
	return 0;
}

static int
op_discard(struct sieve_interp *ip)
{
	if (sieve_result_add(ip, SIEVE_ACT_DISCARD, "discard", "", 0,
			     false) == NULL)
		return SIEVE_EXEC_FAILURE;
	sieve_trace(ip, "discard");
	return 0;
}

static int
op_redirect(struct sieve_interp *ip)
{
	struct sieve_opts o;
	struct sieve_str s;
	struct sieve_address *addrs;
	bool copy;
	size_t n;

	TRY(sieve_read_opts(ip, &o));
	TRY(sieve_read_string(ip, &s));
	copy = o.present & (1ull << SIEVE_OPT_COPY);
	n = sieve_address_list_parse(ip->arena, s.p, s.len, &addrs);
	if (n != 1 || addrs[0].local_part == NULL || !addrs[0].domain) {
		sieve_runtime_error(ip, "redirect: invalid address \"%.*s\"",
				    (int)s.len, s.p);
		return SIEVE_EXEC_FAILURE;
	}
	if (sieve_result_add(ip, SIEVE_ACT_REDIRECT, "redirect",
			     addrs[0].all, strlen(addrs[0].all), copy) == NULL)
		return SIEVE_EXEC_FAILURE;
	sieve_trace(ip, "redirect%s \"%s\"", copy ? " :copy" : "",
		    addrs[0].all);
	return 0;
}

static void
trace_test(struct sieve_interp *ip, const char *test, bool result)
{
	sieve_trace(ip, "%s test: %s", test, result ? "true" : "false");
}

/* index (RFC 5260 6): the fields of all the names, counted together */
static size_t
header_fields(struct sieve_interp *ip, const struct sieve_str *names,
	      size_t n)
{
	const char *const *values;
	size_t i, total = 0;

	for (i = 0; i < n; i++)
		total += sieve_message_header(ip->env->msg, names[i].p,
					      &values);
	return total;
}

static int
op_header(struct sieve_interp *ip)
{
	struct sieve_opts o;
	struct sieve_str *names, *keys;
	size_t nnames, nkeys, i, k, pick = 0, seen = 0;
	struct sieve_matcher m;
	bool indexed;
	int r = 0;

	TRY(sieve_read_opts(ip, &o));
	TRY(sieve_read_strlist(ip, &names, &nnames));
	TRY(sieve_read_strlist(ip, &keys, &nkeys));
	sieve_matcher_init(&m, ip, &o, keys, nkeys);
	indexed = ip->env->msg && sieve_index_field(&o, header_fields(ip,
					names, nnames), &pick);
	for (i = 0; i < nnames && r == 0 && ip->env->msg; i++) {
		const char *const *values;
		size_t nv = sieve_message_header_decoded(ip->env->msg,
							 names[i].p, &values);

		if (ip->trace)
			sieve_trace(ip, "header \"%s\": %zu value(s)",
				    names[i].p, nv);
		for (k = 0; k < nv && r == 0; k++, seen++)
			if (!indexed || seen == pick)
				r = sieve_matcher_value(&m, values[k],
							strlen(values[k]));
	}
	if ((r = sieve_matcher_conclude(&m, r)) < 0)
		return r;
	trace_test(ip, "header", ip->reg);
	return 0;
}

/* Parsed address lists are cached per header name for the run: a script
 * of many address tests parses each header once. */
struct addr_cache {
	struct addr_cache *next;
	const char *name;
	struct sieve_address *addrs;
	size_t n;
};

/* The addresses of one field. An empty field holds one empty (invalid)
 * address, which :all sees as the empty string. */
static size_t
field_addresses(struct sieve_interp *ip, const char *value,
		struct sieve_address **out)
{
	if (value[strspn(value, " \t\r\n")] == '\0') {
		*out = arena_zalloc(ip->arena, sizeof(**out));
		(*out)[0].all = "";
		return 1;
	}
	return sieve_address_list_parse(ip->arena, value, strlen(value), out);
}

static size_t
header_addresses(struct sieve_interp *ip, const char *name,
		 struct sieve_address **out)
{
	struct addr_cache *c;
	const char *const *values;
	size_t nv, i, total = 0;

	for (c = ip->addr_cache; c; c = c->next)
		if (strcasecmp(c->name, name) == 0) {
			*out = c->addrs;
			return c->n;
		}
	c = arena_zalloc(ip->arena, sizeof(*c));
	c->name = arena_strdup(ip->arena, name);
	nv = sieve_message_header(ip->env->msg, name, &values);
	if (nv == 1) {
		c->n = field_addresses(ip, values[0], &c->addrs);
	} else if (nv > 1) {
		struct sieve_address **parts = arena_alloc(ip->arena,
							   nv * sizeof(*parts));
		size_t *counts = arena_alloc(ip->arena, nv * sizeof(*counts));

		for (i = 0; i < nv; i++) {
			counts[i] = sieve_address_list_parse(ip->arena,
							     values[i],
							     strlen(values[i]),
							     &parts[i]);
			total += counts[i];
		}
		c->addrs = arena_alloc(ip->arena,
				       (total ? total : 1) * sizeof(*c->addrs));
		for (i = 0, total = 0; i < nv; i++) {
			memcpy(c->addrs + total, parts[i],
			       counts[i] * sizeof(*c->addrs));
			total += counts[i];
		}
		c->n = total;
	}
	c->next = ip->addr_cache;
	ip->addr_cache = c;
	*out = c->addrs;
	return c->n;
}

static const struct sieve_object_def *
address_part(const struct sieve_opts *o)
{
	return o->ap ? o->ap : &obj_ap_all;
}

/* address with :index: only the addresses of field number pick */
static int
address_indexed(struct sieve_interp *ip, const struct sieve_opts *o,
		struct sieve_matcher *m, const struct sieve_object_def *ap,
		const struct sieve_str *names, size_t nnames, size_t pick)
{
	size_t i, k, seen = 0;
	int r = 0;

	for (i = 0; i < nnames; i++) {
		const char *const *values;
		size_t nv = sieve_message_header(ip->env->msg, names[i].p,
						 &values);
		struct sieve_address *addrs;
		size_t n;

		if (pick >= seen + nv) {
			seen += nv;
			continue;
		}
		n = field_addresses(ip, values[pick - seen], &addrs);
		for (k = 0; k < n && r == 0; k++) {
			const char *part = ap->extract(ip, &addrs[k]);

			if (part != NULL)
				r = sieve_matcher_value(m, part, strlen(part));
		}
		break;
	}
	if ((r = sieve_matcher_conclude(m, r)) < 0)
		return r;
	trace_test(ip, "address", ip->reg);
	return 0;
}

static int
op_address(struct sieve_interp *ip)
{
	struct sieve_opts o;
	struct sieve_str *names, *keys;
	size_t nnames, nkeys, i, k, pick;
	struct sieve_matcher m;
	const struct sieve_object_def *ap;
	int r = 0;

	TRY(sieve_read_opts(ip, &o));
	TRY(sieve_read_strlist(ip, &names, &nnames));
	TRY(sieve_read_strlist(ip, &keys, &nkeys));
	ap = address_part(&o);
	sieve_matcher_init(&m, ip, &o, keys, nkeys);
	if (ip->env->msg && sieve_index_field(&o, header_fields(ip, names,
							     nnames), &pick))
		return address_indexed(ip, &o, &m, ap, names, nnames, pick);
	for (i = 0; i < nnames && r == 0 && ip->env->msg; i++) {
		struct sieve_address *addrs;
		size_t n = header_addresses(ip, names[i].p, &addrs);

		for (k = 0; k < n && r == 0; k++) {
			const char *part = ap->extract(ip, &addrs[k]);

			if (part == NULL)
				continue;
			r = sieve_matcher_value(&m, part, strlen(part));
		}
	}
	if ((r = sieve_matcher_conclude(&m, r)) < 0)
		return r;
	trace_test(ip, "address", ip->reg);
	return 0;
}

static int
op_exists(struct sieve_interp *ip)
{
	struct sieve_opts o;
	struct sieve_str *names;
	size_t n, i;
	bool all = true;

	TRY(sieve_read_opts(ip, &o));
	TRY(sieve_read_strlist(ip, &names, &n));
	for (i = 0; i < n && all; i++) {
		const char *const *values;

		if (ip->env->msg == NULL ||
		    sieve_message_header(ip->env->msg, names[i].p,
					 &values) == 0)
			all = false;
	}
	ip->reg = all;
	trace_test(ip, "exists", all);
	return 0;
}

#define OPT_OVER (SIEVE_OPT_CMD + 0)
#define OPT_UNDER (SIEVE_OPT_CMD + 1)

static int
op_size(struct sieve_interp *ip)
{
	struct sieve_opts o;
	uint64_t limit, size;

	TRY(sieve_read_opts(ip, &o));
	TRY(sieve_read_number(ip, &limit));
	size = ip->env->msg ? sieve_message_size(ip->env->msg) : 0;
	if (o.present & (1ull << OPT_OVER))
		ip->reg = size > limit;
	else
		ip->reg = size < limit;
	sieve_trace(ip, "size test: message is %llu octets, %s %llu: %s",
		    (unsigned long long)size,
		    (o.present & (1ull << OPT_OVER)) ? "over" : "under",
		    (unsigned long long)limit, ip->reg ? "true" : "false");
	return 0;
}

/* Order = enum sieve_core_op. */
static const struct sieve_op_def core_ops[] = {
	{ "JMP", "j", op_jmp },
	{ "JMPTRUE", "j", op_jmptrue },
	{ "JMPFALSE", "j", op_jmpfalse },
	{ "NOT", "", op_not },
	{ "TRUE", "", op_true },
	{ "FALSE", "", op_false },
	{ "STOP", "", op_stop },
	{ "KEEP", "o", op_keep },
	{ "DISCARD", "", op_discard },
	{ "REDIRECT", "ox", op_redirect },
	{ "ADDRESS", "oxx", op_address },
	{ "HEADER", "oxx", op_header },
	{ "EXISTS", "ox", op_exists },
	{ "SIZE", "ox", op_size },
};

/* ---- definitions ------------------------------------------------------- */

static const struct sieve_cmd_def cmd_require = {
	.name = "require", .kind = SIEVE_COMMAND, .args = "l",
	.argnames = (const char *const[]){ "capabilities", NULL },
	.flags = SIEVE_CMDF_CONTROL,
};
static const struct sieve_cmd_def cmd_if = {
	.name = "if", .kind = SIEVE_COMMAND,
	.flags = SIEVE_CMDF_CONTROL | SIEVE_CMDF_TEST | SIEVE_CMDF_BLOCK,
};
static const struct sieve_cmd_def cmd_elsif = {
	.name = "elsif", .kind = SIEVE_COMMAND,
	.flags = SIEVE_CMDF_CONTROL | SIEVE_CMDF_TEST | SIEVE_CMDF_BLOCK,
};
static const struct sieve_cmd_def cmd_else = {
	.name = "else", .kind = SIEVE_COMMAND,
	.flags = SIEVE_CMDF_CONTROL | SIEVE_CMDF_BLOCK,
};
static bool
emit_bare(struct sieve_codegen *g, struct sieve_cmd *c)
{
	sieve_g_core_op(g, c->def->op, c->node->pos.line);
	return true;
}
static const struct sieve_cmd_def cmd_stop_def = {
	.name = "stop", .kind = SIEVE_COMMAND, .op = SIEVE_OP_STOP,
	.emit = emit_bare,
};
static const struct sieve_cmd_def cmd_keep = {
	.name = "keep", .kind = SIEVE_COMMAND, .op = SIEVE_OP_KEEP,
};
static const struct sieve_cmd_def cmd_discard = {
	.name = "discard", .kind = SIEVE_COMMAND, .op = SIEVE_OP_DISCARD,
	.emit = emit_bare,
};
static const struct sieve_cmd_def cmd_redirect = {
	.name = "redirect", .kind = SIEVE_COMMAND, .args = "s",
	.argnames = (const char *const[]){ "address", NULL },
	.op = SIEVE_OP_REDIRECT, .validate = redirect_validate,
};
static const struct sieve_cmd_def tst_address = {
	.name = "address", .kind = SIEVE_TEST, .args = "ll",
	.argnames = (const char *const[]){ "header list", "key list", NULL },
	.flags = SIEVE_CMDF_MATCH | SIEVE_CMDF_ADDRESS,
	.op = SIEVE_OP_ADDRESS, .validate = address_validate,
};
static const struct sieve_cmd_def tst_header = {
	.name = "header", .kind = SIEVE_TEST, .args = "ll",
	.argnames = (const char *const[]){ "header names", "key list", NULL },
	.flags = SIEVE_CMDF_MATCH, .op = SIEVE_OP_HEADER,
};
static const struct sieve_cmd_def tst_exists = {
	.name = "exists", .kind = SIEVE_TEST, .args = "l",
	.argnames = (const char *const[]){ "header names", NULL },
	.op = SIEVE_OP_EXISTS,
};
static const struct sieve_tag_def size_tags[] = {
	{ .name = "over", .code = OPT_OVER, .group = 1 },
	{ .name = "under", .code = OPT_UNDER, .group = 1 },
	{ .name = NULL },
};
static const struct sieve_cmd_def tst_size = {
	.name = "size", .kind = SIEVE_TEST, .args = "n", .tags = size_tags,
	.argnames = (const char *const[]){ "limit", NULL },
	.op = SIEVE_OP_SIZE, .validate = size_validate,
};
static const struct sieve_cmd_def tst_allof = {
	.name = "allof", .kind = SIEVE_TEST,
	.flags = SIEVE_CMDF_CONTROL | SIEVE_CMDF_TESTLIST,
};
static const struct sieve_cmd_def tst_anyof = {
	.name = "anyof", .kind = SIEVE_TEST,
	.flags = SIEVE_CMDF_CONTROL | SIEVE_CMDF_TESTLIST,
};
static const struct sieve_cmd_def tst_not = {
	.name = "not", .kind = SIEVE_TEST,
	.flags = SIEVE_CMDF_CONTROL | SIEVE_CMDF_TEST,
};
static const struct sieve_cmd_def tst_true = {
	.name = "true", .kind = SIEVE_TEST, .flags = SIEVE_CMDF_CONTROL,
};
static const struct sieve_cmd_def tst_false = {
	.name = "false", .kind = SIEVE_TEST, .flags = SIEVE_CMDF_CONTROL,
};

static const struct sieve_cmd_def *const core_cmds[] = {
	&cmd_require, &cmd_if, &cmd_elsif, &cmd_else, &cmd_stop_def,
	&cmd_keep, &cmd_discard, &cmd_redirect,
	&tst_address, &tst_header, &tst_exists, &tst_size,
	&tst_allof, &tst_anyof, &tst_not, &tst_true, &tst_false,
	NULL
};

const struct sieve_ext_def sieve_ext_core = {
	.name = "",
	.flags = SIEVE_EXTF_CORE,
	.cmds = core_cmds,
	SIEVE_OPS(core_ops),
	.objects = core_objects,
};
