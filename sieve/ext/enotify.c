/*
 * enotify.c -- RFC 5435 "enotify" with the RFC 5436 "mailto" method: the
 * notify command, the valid_notify_method and notify_method_capability
 * tests.
 *
 * Implementation: the engine side. A method URI is checked when the
 * script is compiled (a literal one) and again at run time; notify adds an
 * extension action "notify" whose payload (struct sieve_notify) carries
 * the method, the recipients parsed from the mailto URI, :from,
 * :importance, :options and :message. Identical notifications (same
 * method URI and message) are sent once (RFC 5435 3.10). The host sends
 * them; the testsuite writes them into its outbox. Not done yet: the
 * :encodeurl variable modifier (RFC 5435 4), mailto header fields other
 * than to, cc, bcc and subject.
 */
#include "compile.h"

#include <string.h>
#include <strings.h>

#include "address.h"
#include "arena.h"

#define OPT_FROM (SIEVE_OPT_CMD + 0)
#define OPT_IMPORTANCE (SIEVE_OPT_CMD + 1)
#define OPT_OPTIONS (SIEVE_OPT_CMD + 2)
#define OPT_MESSAGE (SIEVE_OPT_CMD + 3)

/* ---- mailto URIs (RFC 6068) -------------------------------------------- */

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* s[0..len) with %XX decoded; NULL on a bad escape. */
static char *
pct_decode(struct arena *a, const char *s, size_t len)
{
	char *out = arena_alloc(a, len + 1), *o = out;
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '%') {
			int h, l;

			if (i + 2 >= len)
				return NULL;
			h = hexval(s[i + 1]);
			l = hexval(s[i + 2]);
			if (h < 0 || l < 0)
				return NULL;
			*o++ = (char)(h << 4 | l);
			i += 2;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

/* Adds the comma-separated addresses of s to n->to; s is decoded first,
 * as an encoded comma ("%2C") separates addresses too. */
static bool
add_recipients(struct arena *a, struct sieve_notify *n, const char *s,
	       size_t len, size_t *cap)
{
	const char *dec = pct_decode(a, s, len);
	size_t b = 0, dlen;

	if (dec == NULL)
		return false;
	dlen = strlen(dec);
	while (b <= dlen) {
		size_t e = b;
		struct sieve_address ad;

		while (e < dlen && dec[e] != ',')
			e++;
		if (e == b || !sieve_address_parse_path(a, dec + b, e - b,
							&ad) ||
		    ad.domain == NULL || *ad.local_part == '\0')
			return false;
		if (n->nto == *cap) {
			size_t c = *cap ? *cap * 2 : 4;
			const char **t = arena_alloc(a, (c + 1) * sizeof(*t));

			if (n->nto)
				memcpy(t, n->to, n->nto * sizeof(*t));
			n->to = t;
			*cap = c;
		}
		n->to[n->nto++] = ad.all;
		n->to[n->nto] = NULL;
		b = e + 1;
	}
	return true;
}

/*
 * Parses a mailto URI into n (recipients, subject). Returns NULL when it
 * is valid, else why not. Only the mailto method is supported.
 */
static const char *
parse_method(struct arena *a, const char *uri, struct sieve_notify *n)
{
	const char *colon = strchr(uri, ':'), *p, *q;
	size_t cap = 0, i;

	memset(n, 0, sizeof(*n));
	if (colon == NULL || colon == uri)
		return "invalid method URI";
	for (p = uri; p < colon; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (p > uri && ((*p >= '0' && *p <= '9') || *p == '+' ||
				   *p == '-' || *p == '.'))))
			return "invalid method URI";
	if ((size_t)(colon - uri) != 6 || strncasecmp(uri, "mailto", 6) != 0)
		return "unsupported notification method";
	n->method = uri;
	p = colon + 1;
	q = strchr(p, '?');
	if (q == NULL)
		q = p + strlen(p);
	for (i = 0; p + i < q; i++)
		if ((unsigned char)p[i] <= ' ' || p[i] == '<' || p[i] == '>')
			return "invalid character in mailto URI";
	if (q > p && !add_recipients(a, n, p, (size_t)(q - p), &cap))
		return "invalid recipient in mailto URI";
	while (*q == '?' || *q == '&') {
		const char *f = q + 1, *eq, *end;
		char *name, *val;

		end = f + strcspn(f, "&");
		eq = memchr(f, '=', (size_t)(end - f));
		if (eq == NULL || eq == f)
			return "invalid header field in mailto URI";
		name = pct_decode(a, f, (size_t)(eq - f));
		val = pct_decode(a, eq + 1, (size_t)(end - eq - 1));
		if (name == NULL || val == NULL)
			return "invalid escape in mailto URI";
		for (i = 0; name[i]; i++)	/* RFC 5322 ftext */
			if ((unsigned char)name[i] <= ' ' ||
			    (unsigned char)name[i] > '~' || name[i] == ':')
				return "invalid header field name in mailto "
				       "URI";
		if (strcasecmp(name, "to") == 0 || strcasecmp(name, "cc") == 0 ||
		    strcasecmp(name, "bcc") == 0) {
			if (*val != '\0' &&
			    !add_recipients(a, n, val, strlen(val), &cap))
				return "invalid recipient in mailto URI";
		} else if (strcasecmp(name, "subject") == 0) {
			n->subject = val;
		}
		q = end;
	}
	if (n->nto == 0)
		return "mailto URI has no recipients";
	return NULL;
}

/* ---- compile time ------------------------------------------------------ */

static bool
importance_validate(struct sieve_validator *v, struct sieve_ast_arg *tag,
		    struct sieve_ast_arg *param)
{
	(void)tag;
	if (!sieve_v_arg_constant(v, param))
		return true;
	if (param->u.str.len != 1 || param->u.str.str[0] < '1' ||
	    param->u.str.str[0] > '3') {
		sieve_v_error(v, param->pos, "invalid :importance value "
			      "'%.16s' for notify: must be \"1\", \"2\" or "
			      "\"3\"", param->u.str.str);
		return false;
	}
	return true;
}

static bool
notify_validate(struct sieve_validator *v, struct sieve_cmd *c)
{
	struct sieve_ast_arg *m = c->pos[0];
	struct sieve_notify n;
	const char *why;

	if (!sieve_v_arg_constant(v, m))
		return true;
	why = parse_method(sieve_v_arena(v), m->u.str.str, &n);
	if (why != NULL) {
		sieve_v_error(v, m->pos, "notify: %s: '%.128s'", why,
			      m->u.str.str);
		return false;
	}
	return true;
}

/* ---- run time ---------------------------------------------------------- */

static int
opt_str(struct sieve_interp *ip, struct sieve_opts *o, unsigned code,
	const char **out)
{
	struct sieve_str s;
	int r;

	*out = NULL;
	if (!(o->present & (1ull << code)))
		return 0;
	if ((r = sieve_operand_string(ip, &o->opt[code], &s)) < 0)
		return r;
	*out = arena_strndup(sieve_result_arena(ip->result), s.p, s.len);
	return 0;
}

static int
op_notify(struct sieve_interp *ip)
{
	struct arena *a = sieve_result_arena(ip->result);
	struct sieve_opts o;
	struct sieve_str method;
	struct sieve_notify *n = arena_zalloc(a, sizeof(*n)), parsed;
	const struct sieve_action *const *acts;
	struct sieve_action *act;
	const char *why, *importance, *from, *message;
	size_t nacts, i;
	int r;

	if ((r = sieve_read_opts(ip, &o)) < 0 ||
	    (r = sieve_read_string(ip, &method)) < 0)
		return r;
	why = parse_method(a, arena_strndup(a, method.p, method.len),
			   &parsed);
	if (why != NULL) {
		sieve_runtime_error(ip, "notify: %s: '%.128s'", why,
				    method.p);
		return SIEVE_EXEC_FAILURE;
	}
	*n = parsed;
	if ((r = opt_str(ip, &o, OPT_FROM, &from)) < 0 ||
	    (r = opt_str(ip, &o, OPT_IMPORTANCE, &importance)) < 0 ||
	    (r = opt_str(ip, &o, OPT_MESSAGE, &message)) < 0)
		return r;
	n->from = from;
	n->message = message;
	n->importance = 2;
	if (importance != NULL) {
		if (strlen(importance) != 1 || importance[0] < '1' ||
		    importance[0] > '3') {
			sieve_runtime_error(ip, "notify: invalid :importance "
					    "'%.16s'", importance);
			return SIEVE_EXEC_FAILURE;
		}
		n->importance = importance[0] - '0';
	}
	if (o.present & (1ull << OPT_OPTIONS)) {
		struct sieve_str *items;
		size_t cnt;
		const char **l;

		if ((r = sieve_operand_strlist(ip, &o.opt[OPT_OPTIONS], &items,
					       &cnt)) < 0)
			return r;
		l = arena_alloc(a, (cnt + 1) * sizeof(*l));
		for (i = 0; i < cnt; i++)
			l[i] = arena_strndup(a, items[i].p, items[i].len);
		l[cnt] = NULL;
		n->options = l;
	}
	/* RFC 5435 3.10: the same notification twice is sent once */
	nacts = sieve_result_actions(ip->result, &acts);
	for (i = 0; i < nacts; i++) {
		const struct sieve_notify *x = acts[i]->ext_data;

		if (acts[i]->type == SIEVE_ACT_EXT &&
		    strcmp(acts[i]->name, "notify") == 0 && x != NULL &&
		    strcmp(x->method, n->method) == 0 &&
		    ((x->message == NULL && n->message == NULL) ||
		     (x->message && n->message &&
		      strcmp(x->message, n->message) == 0))) {
			sieve_trace(ip, "notify \"%s\": duplicate", n->method);
			return 0;
		}
	}
	act = sieve_result_add(ip, SIEVE_ACT_EXT, "notify", n->method,
			       strlen(n->method), true);
	if (act == NULL)
		return SIEVE_EXEC_FAILURE;
	act->copy = false;	/* keeps the implicit keep; not a :copy */
	act->ext_data = n;
	sieve_trace(ip, "notify \"%s\"", n->method);
	return 0;
}

static int
op_valid_method(struct sieve_interp *ip)
{
	struct sieve_opts o;
	struct sieve_str *uris;
	size_t n, i;
	bool ok = true;
	int r;

	if ((r = sieve_read_opts(ip, &o)) < 0 ||
	    (r = sieve_read_strlist(ip, &uris, &n)) < 0)
		return r;
	for (i = 0; i < n && ok; i++) {
		struct sieve_notify parsed;

		ok = parse_method(ip->arena, uris[i].p, &parsed) == NULL;
	}
	ip->reg = ok;
	sieve_trace(ip, "valid_notify_method test: %s", ok ? "true" : "false");
	return 0;
}

/*
 * notify_method_capability: the only capability RFC 5435 defines is
 * "online"; for mailto the answer is "maybe" (RFC 5436 2.2). A method
 * that is not valid matches nothing.
 */
static int
op_method_capability(struct sieve_interp *ip)
{
	struct sieve_opts o;
	struct sieve_str uri, cap, *keys;
	struct sieve_matcher m;
	struct sieve_notify parsed;
	size_t nkeys;
	int r = 0;

	if ((r = sieve_read_opts(ip, &o)) < 0 ||
	    (r = sieve_read_string(ip, &uri)) < 0 ||
	    (r = sieve_read_string(ip, &cap)) < 0 ||
	    (r = sieve_read_strlist(ip, &keys, &nkeys)) < 0)
		return r;
	sieve_matcher_init(&m, ip, &o, keys, nkeys);
	r = 0;
	if (parse_method(ip->arena, uri.p, &parsed) == NULL &&
	    strcasecmp(cap.p, "online") == 0)
		r = sieve_matcher_value(&m, "maybe", 5);
	if ((r = sieve_matcher_conclude(&m, r)) < 0)
		return r;
	return 0;
}

static const struct sieve_op_def enotify_ops[] = {
	{ "NOTIFY", "ox", op_notify },
	{ "VALID_NOTIFY_METHOD", "ox", op_valid_method },
	{ "NOTIFY_METHOD_CAPABILITY", "ox", op_method_capability },
};

static const struct sieve_tag_def notify_tags[] = {
	{ .name = "from", .param = 's', .code = OPT_FROM },
	{ .name = "importance", .param = 's', .code = OPT_IMPORTANCE,
	  .validate = importance_validate },
	{ .name = "options", .param = 'l', .code = OPT_OPTIONS },
	{ .name = "message", .param = 's', .code = OPT_MESSAGE },
	{ .name = NULL },
};

static const struct sieve_cmd_def cmd_notify = {
	.name = "notify", .kind = SIEVE_COMMAND, .args = "s", .op = 0,
	.argnames = (const char *const[]){ "method", NULL },
	.tags = notify_tags, .validate = notify_validate,
};

static const struct sieve_cmd_def tst_valid_notify_method = {
	.name = "valid_notify_method", .kind = SIEVE_TEST, .args = "l",
	.argnames = (const char *const[]){ "notification-uris", NULL },
	.op = 1,
};

static const struct sieve_cmd_def tst_notify_method_capability = {
	.name = "notify_method_capability", .kind = SIEVE_TEST,
	.args = "ssl", .flags = SIEVE_CMDF_MATCH, .op = 2,
	.argnames = (const char *const[]){ "notification-uri",
		"notification-capability", "key-list", NULL },
};

const struct sieve_ext_def sieve_ext_enotify = {
	.name = "enotify",
	.cmds = (const struct sieve_cmd_def *const[]){ &cmd_notify,
		&tst_valid_notify_method, &tst_notify_method_capability,
		NULL },
	SIEVE_OPS(enotify_ops),
};
