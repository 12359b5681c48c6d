/*
 * variables.c -- RFC 5229 "variables": the set action with its modifiers,
 * the string test, ${name} expansion in strings and the match variables
 * ${0}..${N} of :matches. Implementation: full, with Pigeonhole's limits
 * (RFC 5229 6): sieve_variables_max_scope_size variables per script (255;
 * declaring one more is a compile-time error), values cut at
 * sieve_variables_max_variable_size octets (4096; on a UTF-8 character
 * boundary, and :quotewildcard never cuts an escape in two), names of at
 * most 63 characters, at most 10 namespace elements, match variables up
 * to ${32} (a higher index is a compile-time error). Case modifiers map
 * ASCII letters only.
 *
 * Strings holding "${" are compiled as templates (SIEVE_OPND_TEMPLATE) and
 * expanded when the operand is read, in one pass (RFC 5229 3). The
 * validator checks references at compile time: a namespace that no
 * required extension provides is an error (RFC 5229 3). The one namespace
 * provided is "env" (vnd.dovecot.environment: ${env.<item>} reads an
 * environment item, see environment.c); it cannot be assigned to.
 */
#include "compile.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "buf.h"

#define VAR_MAX_NAME_LEN 64	/* a name is shorter than this */
#define VAR_MAX_ELEMENTS 10	/* namespace parts + name */
#define VAR_MAX_MATCH_INDEX 32

enum {
	MOD_LOWER = SIEVE_OPT_CMD + 0,
	MOD_UPPER,
	MOD_LOWERFIRST,
	MOD_UPPERFIRST,
	MOD_QUOTEWILDCARD,
	MOD_LENGTH,
};

extern const struct sieve_ext_def sieve_ext_variables;

/* ---- names ------------------------------------------------------------- */

static bool
is_identifier(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len >= VAR_MAX_NAME_LEN ||
	    !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (i = 1; i < len; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
			return false;
	return true;
}

static bool
is_number(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/*
 * Parses the reference starting at s[0] == '$' (s[1] == '{'). On a well
 * formed reference returns its total length and sets the namespace part
 * (ns, nslen: may be empty) and the name; returns 0 when the text is not a
 * reference (left verbatim).
 */
static size_t
parse_ref(const char *s, size_t len, const char **ns, size_t *nslen,
	  const char **name, size_t *namelen)
{
	size_t i = 2, start = 2, last_dot = 0;
	unsigned elements = 1;

	while (i < len && s[i] != '}') {
		char c = s[i];

		if (!(isalnum((unsigned char)c) || c == '_' || c == '.'))
			return 0;
		if (c == '.') {
			last_dot = i;
			elements++;
		}
		i++;
	}
	if (i >= len || elements > VAR_MAX_ELEMENTS)
		return 0;
	if (last_dot) {
		*ns = s + start;
		*nslen = last_dot - start;
		*name = s + last_dot + 1;
		*namelen = i - last_dot - 1;
		/* every component must be an identifier */
		{
			size_t p = start;

			while (p < last_dot) {
				size_t q = p;

				while (q < last_dot && s[q] != '.')
					q++;
				if (!is_identifier(s + p, q - p))
					return 0;
				p = q + 1;
			}
		}
		if (!is_identifier(*name, *namelen) &&
		    !is_number(*name, *namelen))
			return 0;
	} else {
		*ns = NULL;
		*nslen = 0;
		*name = s + start;
		*namelen = i - start;
		if (!is_identifier(*name, *namelen) &&
		    !is_number(*name, *namelen))
			return 0;
	}
	return i + 1;
}

/* The namespace part of a reference starts with the component "env"
 * (vnd.dovecot.environment). */
static bool
env_namespace(const char *ns, size_t nslen)
{
	return nslen >= 3 && strncasecmp(ns, "env", 3) == 0 &&
	       (nslen == 3 || ns[3] == '.');
}

/* ${env.<item>}: the environment item, "" when it does not exist; a name
 * with '_' naming no item is tried with '-' instead. */
static void
expand_env(struct sieve_interp *ip, struct buf *b, const char *ns,
	   size_t nslen, const char *name, size_t namelen)
{
	const char *val;
	char *item, *p;

	item = nslen > 3 ? arena_printf(ip->arena, "%.*s.%.*s",
					(int)(nslen - 4), ns + 4,
					(int)namelen, name) :
			   arena_strndup(ip->arena, name, namelen);
	val = sieve_environment_get(ip, item, true);
	if (val == NULL && strchr(item, '_') != NULL) {
		for (p = item; *p; p++)
			if (*p == '_')
				*p = '-';
		val = sieve_environment_get(ip, item, true);
	}
	if (val != NULL)
		buf_append(b, val, strlen(val));
}

static bool
is_global_ns(const char *ns, size_t nslen)
{
	return nslen >= 6 && strncasecmp(ns, "global", 6) == 0 &&
	       (nslen == 6 || ns[6] == '.');
}

/*
 * Checks a name in the global namespace (include, RFC 6609 5): one
 * identifier after "global.". Reports and returns false otherwise.
 */
static bool
check_global_name(struct sieve_validator *v, const char *ns, size_t nslen,
		  const char *name, size_t namelen, struct sieve_pos pos)
{
	if (nslen != 6) {
		sieve_v_error(v, pos, "invalid variable name within global "
			      "namespace: encountered sub-namespace");
		return false;
	}
	if (!is_identifier(name, namelen)) {
		sieve_v_error(v, pos, "invalid variable name within global "
			      "namespace: encountered numeric variable name");
		return false;
	}
	return true;
}

/* Compile-time check of a string's references (called by validate.c). */
const char *
sieve_variables_check_string(struct sieve_validator *v, const char *s,
			     size_t len, struct sieve_pos pos, size_t *outlen)
{
	struct buf b = BUF_INIT;
	bool include = sieve_v_ext_required(v, "include");
	bool rewritten = false;
	size_t i = 0, copied = 0;
	const char *out = s;

	while (i + 1 < len) {
		const char *ns, *name;
		size_t nslen, namelen, n;

		if (s[i] != '$' || s[i + 1] != '{') {
			i++;
			continue;
		}
		n = parse_ref(s + i, len - i, &ns, &nslen, &name, &namelen);
		if (n == 0) {
			i++;
			continue;
		}
		if (ns != NULL && env_namespace(ns, nslen) &&
		    sieve_v_ext_required(v, "vnd.dovecot.environment")) {
			if (is_number(name, namelen))
				sieve_v_error(v, pos, "vnd.dovecot.environment: "
					      "invalid variable name '%.*s.%.*s' "
					      "in the env namespace: numeric "
					      "name", (int)nslen, ns,
					      (int)namelen, name);
		} else if (ns != NULL && nslen == 3 &&
			   strncasecmp(ns, "tst", 3) == 0 &&
			   sieve_v_ext_required(v, "vnd.dovecot.testsuite")) {
			/* the testsuite's namespace */
		} else if (ns != NULL && include && is_global_ns(ns, nslen)) {
			(void)check_global_name(v, ns, nslen, name, namelen,
						pos);
		} else if (ns != NULL) {
			sieve_v_error(v, pos, "variable reference '${%.*s.%.*s}' "
				      "uses namespace '%.*s', which no "
				      "required extension provides",
				      (int)nslen, ns, (int)namelen, name,
				      (int)nslen, ns);
		} else if (is_number(name, namelen)) {
			unsigned long idx = 0;

			for (size_t k = 0; k < namelen && idx <= 1000000; k++)
				idx = idx * 10 + (unsigned)(name[k] - '0');
			if (idx > VAR_MAX_MATCH_INDEX)
				sieve_v_error(v, pos, "match value index %lu "
					      "out of range (max: %d)", idx,
					      VAR_MAX_MATCH_INDEX);
		} else if (v->nglobals &&
			   sieve_v_name_in(v->globals, v->nglobals, name,
					   namelen)) {
			/* a variable declared global: the shared one */
			buf_append(&b, s + copied, i - copied);
			buf_puts(&b, "${global.");
			buf_append(&b, name, namelen);
			buf_putc(&b, '}');
			copied = i + n;
			rewritten = true;
		}
		i += n;
	}
	if (rewritten) {
		buf_append(&b, s + copied, len - copied);
		out = arena_strndup(sieve_v_arena(v), b.data, b.len);
		len = b.len;
	}
	buf_free(&b);
	*outlen = len;
	return out;
}

/* ---- run-time storage -------------------------------------------------- */

struct var {
	char *name;		/* lower-cased */
	char *value;
	size_t len;
};

/* Read at each assignment: a configuration reload (the testsuite's
 * test_config_reload) applies to the running script. */
static size_t
max_size(const struct sieve_interp *ip)
{
	return ip->bin->inst->limits.variables_max_variable_size;
}

/* The variables of one scope: one run of a script block (local), or the
 * global ones of include (RFC 6609), shared by all blocks. */
struct var_scope {
	struct var *vars;	/* st->max of them, allocated on first set */
	unsigned n;
};

struct var_state {
	struct var_scope *local;
	struct var_scope global;
	unsigned max;		/* sieve_variables_max_scope_size */
};

static struct var *
scope_find(struct var_scope *sc, const char *name, size_t len)
{
	unsigned i;

	for (i = 0; i < sc->n; i++)
		if (strlen(sc->vars[i].name) == len &&
		    strncasecmp(sc->vars[i].name, name, len) == 0)
			return &sc->vars[i];
	return NULL;
}

/* The scope of name; a "global." prefix is taken off. */
static struct var_scope *
scope_of(struct var_state *st, const char **name, size_t *len)
{
	if (*len > 7 && strncasecmp(*name, "global.", 7) == 0) {
		*name += 7;
		*len -= 7;
		return &st->global;
	}
	return st->local;
}

static struct var *
var_find(struct var_state *st, const char *name, size_t len)
{
	struct var_scope *sc = scope_of(st, &name, &len);

	return scope_find(sc, name, len);
}

void *
sieve_variables_push_scope(struct sieve_interp *ip)
{
	struct var_state *st = sieve_interp_ext_state(ip, &sieve_ext_variables);
	struct var_scope *saved;

	if (st == NULL)
		return NULL;
	saved = st->local;
	st->local = arena_zalloc(ip->arena, sizeof(*st->local));
	return saved;
}

void
sieve_variables_pop_scope(struct sieve_interp *ip, void *saved)
{
	struct var_state *st = sieve_interp_ext_state(ip, &sieve_ext_variables);

	if (st != NULL && saved != NULL)
		st->local = saved;
}

/* Cuts at max bytes without splitting a UTF-8 character. */
static size_t
utf8_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	len = max;
	while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
		len--;
	return len;
}

static int
expand(struct sieve_interp *ip, const char *s, size_t len,
       struct sieve_str *out)
{
	struct var_state *st = sieve_interp_ext_state(ip, &sieve_ext_variables);
	struct buf b = BUF_INIT;
	size_t i = 0;

	while (i < len) {
		const char *ns, *name;
		size_t nslen, namelen, n;
		const char *dollar = memmem(s + i, len - i, "${", 2);

		if (dollar == NULL) {
			buf_append(&b, s + i, len - i);
			break;
		}
		buf_append(&b, s + i, (size_t)(dollar - (s + i)));
		i = (size_t)(dollar - s);
		n = parse_ref(s + i, len - i, &ns, &nslen, &name, &namelen);
		if (n != 0 && ns != NULL && env_namespace(ns, nslen)) {
			/* validated: vnd.dovecot.environment is required */
			expand_env(ip, &b, ns, nslen, name, namelen);
			i += n;
			continue;
		}
		if (n != 0 && ns != NULL && nslen == 3 &&
		    strncasecmp(ns, "tst", 3) == 0) {
			struct sieve_str tv;

			if (sieve_testsuite_variable(ip, name, namelen, &tv))
				buf_append(&b, tv.p, tv.len);
			i += n;
			continue;
		}
		if (n == 0 || (ns != NULL && !(nslen == 6 &&
					       is_global_ns(ns, nslen)))) {
			buf_putc(&b, '$');
			i++;
			continue;
		}
		if (ns != NULL) {
			struct var *v = st ? scope_find(&st->global, name,
							namelen) : NULL;

			if (v)
				buf_append(&b, v->value, v->len);
			i += n;
			continue;
		}
		if (is_number(name, namelen)) {
			unsigned long idx = 0;
			size_t k;

			for (k = 0; k < namelen && idx < 1000; k++)
				idx = idx * 10 + (unsigned)(name[k] - '0');
			if (idx < ip->match_count)
				buf_append(&b, ip->match_values[idx].p,
					   ip->match_values[idx].len);
		} else if (st) {
			struct var *v = var_find(st, name, namelen);

			if (v)
				buf_append(&b, v->value, v->len);
		}
		i += n;
	}
	out->len = b.len;
	out->p = arena_strndup(ip->arena, b.data ? b.data : "", b.len);
	buf_free(&b);
	return 0;
}

static void *
variables_init(struct sieve_interp *ip)
{
	struct var_state *st = arena_zalloc(ip->arena, sizeof(*st));
	const struct sieve_limits *lim = &ip->bin->inst->limits;

	st->max = lim->variables_max_scope_size ?
		  lim->variables_max_scope_size : 1;
	st->local = arena_zalloc(ip->arena, sizeof(*st->local));
	ip->expand = expand;
	ip->match_values_on = true;
	return st;
}

/* Stores val (cut at the size limit; val is modified) into the variable,
 * creating it. NULL after a runtime error. */
static struct var *
var_assign(struct sieve_interp *ip, struct var_state *st, const char *name,
	   size_t namelen, char *val, size_t len)
{
	struct var_scope *sc = scope_of(st, &name, &namelen);
	struct var *var;

	len = utf8_cut(val, len, max_size(ip));
	val[len] = '\0';
	var = scope_find(sc, name, namelen);
	if (var == NULL) {
		if (sc->n >= st->max) {
			sieve_runtime_error(ip, "set: too many variables "
					    "(max %u)", st->max);
			return NULL;
		}
		if (sc->vars == NULL)
			sc->vars = arena_alloc(ip->arena, st->max *
							  sizeof(*sc->vars));
		var = &sc->vars[sc->n++];
		var->name = arena_strndup(ip->arena, name, namelen);
	}
	var->value = val;
	var->len = len;
	return var;
}

/* ---- set --------------------------------------------------------------- */

/* The names a script sets, counted against sieve_variables_max_scope_size
 * at compile time (RFC 5229 6: report at compile time when possible). */
struct var_names {
	struct var_name {
		struct var_name *next;
		const char *name;
		size_t len;
	} *names[64];
	unsigned count;
	bool reported;
};

static bool
declare(struct sieve_validator *v, const struct sieve_ast_arg *name)
{
	struct var_names *sc = v->var_scope;
	unsigned max = v->inst->limits.variables_max_scope_size, h = 0;
	struct var_name *vn;
	size_t i;

	if (sc == NULL)
		sc = v->var_scope = arena_zalloc(v->arena, sizeof(*sc));
	for (i = 0; i < name->u.str.len; i++)
		h = h * 31 + (unsigned)tolower((unsigned char)
					       name->u.str.str[i]);
	h %= 64;
	for (vn = sc->names[h]; vn; vn = vn->next)
		if (vn->len == name->u.str.len &&
		    strncasecmp(vn->name, name->u.str.str, vn->len) == 0)
			return true;
	if (sc->count >= max) {
		/* one error is enough: the rest would say the same */
		if (!sc->reported)
			sieve_v_error(v, name->pos, "set: declaration of new "
				      "variable '%s' exceeds the limit (max "
				      "variables: %u)", name->u.str.str, max);
		sc->reported = true;
		return false;
	}
	vn = arena_alloc(v->arena, sizeof(*vn));
	vn->name = name->u.str.str;
	vn->len = name->u.str.len;
	vn->next = sc->names[h];
	sc->names[h] = vn;
	sc->count++;
	return true;
}

static bool
set_validate(struct sieve_validator *v, struct sieve_cmd *c)
{
	struct sieve_ast_arg *name = c->pos[0];
	unsigned i, k;
	static const int prec[] = { 40, 40, 30, 30, 20, 10 };

	if (sieve_v_arg_constant(v, name) && name->u.str.len > 7 &&
	    strncasecmp(name->u.str.str, "global.", 7) == 0 &&
	    sieve_v_ext_required(v, "include")) {
		/* include's global namespace (RFC 6609 5) */
		const char *dot = strrchr(name->u.str.str, '.');
		const char *vn = dot + 1;

		if (!check_global_name(v, name->u.str.str,
				       (size_t)(dot - name->u.str.str), vn,
				       strlen(vn), name->pos))
			return false;
	} else if (!sieve_v_arg_constant(v, name) ||
		   !is_identifier(name->u.str.str, name->u.str.len)) {
		sieve_v_error(v, name->pos, "set: invalid variable name \"%s\"",
			      name->u.str.str);
		return false;
	} else if (v->nglobals &&
		   sieve_v_name_in(v->globals, v->nglobals, name->u.str.str,
				   name->u.str.len)) {
		/* declared global in this script: set the shared one */
		name->u.str.str = arena_printf(sieve_v_arena(v), "global.%s",
					       name->u.str.str);
		name->u.str.len += 7;
	} else {
		sieve_v_name_add(v, &v->locals, &v->nlocals, &v->caplocals,
				 name->u.str.str, name->u.str.len);
	}
	if (!declare(v, name))
		return false;
	for (i = 0; i < c->nopt; i++)
		for (k = i + 1; k < c->nopt; k++)
			if (prec[c->opt[i].tag->code - MOD_LOWER] ==
			    prec[c->opt[k].tag->code - MOD_LOWER]) {
				sieve_v_error(v, c->opt[k].arg->pos, "set: "
					      "modifiers :%s and :%s cannot be "
					      "used together",
					      c->opt[i].tag->name,
					      c->opt[k].tag->name);
				return false;
			}
	return true;
}

static size_t
utf8_chars(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

static int
op_set(struct sieve_interp *ip)
{
	struct var_state *st = sieve_interp_ext_state(ip, &sieve_ext_variables);
	struct sieve_opts o;
	struct sieve_str name, value;
	struct var *var;
	char *val;
	size_t len, i;
	int r;

	if ((r = sieve_read_opts(ip, &o)) < 0 ||
	    (r = sieve_read_string(ip, &name)) < 0 ||
	    (r = sieve_read_string(ip, &value)) < 0)
		return r;
	if (st == NULL)
		return SIEVE_EXEC_CORRUPT;
	len = value.len;
	val = arena_strndup(ip->arena, value.p, len);
	/* precedence 40 */
	if (o.present & (1ull << MOD_LOWER))
		for (i = 0; i < len; i++)
			val[i] = (char)tolower((unsigned char)val[i]);
	if (o.present & (1ull << MOD_UPPER))
		for (i = 0; i < len; i++)
			val[i] = (char)toupper((unsigned char)val[i]);
	/* 30 */
	if ((o.present & (1ull << MOD_LOWERFIRST)) && len)
		val[0] = (char)tolower((unsigned char)val[0]);
	if ((o.present & (1ull << MOD_UPPERFIRST)) && len)
		val[0] = (char)toupper((unsigned char)val[0]);
	/* 20 */
	if (o.present & (1ull << MOD_QUOTEWILDCARD)) {
		struct buf b = BUF_INIT;

		/* stops where the next escape would not fit whole */
		for (i = 0; i < len; i++) {
			bool esc = val[i] == '*' || val[i] == '?' ||
				   val[i] == '\\';

			if (b.len + (esc ? 2 : 1) > max_size(ip))
				break;
			if (esc)
				buf_putc(&b, '\\');
			buf_putc(&b, val[i]);
		}
		len = b.len;
		val = arena_strndup(ip->arena, b.data ? b.data : "", len);
		buf_free(&b);
	}
	/* 10 */
	if (o.present & (1ull << MOD_LENGTH)) {
		val = arena_printf(ip->arena, "%zu", utf8_chars(val, len));
		len = strlen(val);
	}
	if ((var = var_assign(ip, st, name.p, name.len, val, len)) == NULL)
		return SIEVE_EXEC_FAILURE;
	sieve_trace(ip, "set \"%s\" = \"%.*s\"", var->name,
		    (int)(var->len > 80 ? 80 : var->len), var->value);
	return 0;
}

/* ---- string ------------------------------------------------------------ */

static int
op_string(struct sieve_interp *ip)
{
	struct sieve_opts o;
	struct sieve_str *src, *keys;
	size_t nsrc, nkeys, i;
	struct sieve_matcher m;
	int r = 0;

	if ((r = sieve_read_opts(ip, &o)) < 0 ||
	    (r = sieve_read_strlist(ip, &src, &nsrc)) < 0 ||
	    (r = sieve_read_strlist(ip, &keys, &nkeys)) < 0)
		return r;
	sieve_matcher_init(&m, ip, &o, keys, nkeys);
	for (i = 0; i < nsrc && r == 0; i++) {
		/* :count counts non-empty strings only (RFC 5229 5) */
		if (m.mt->match_end && src[i].len == 0)
			continue;
		r = sieve_matcher_value(&m, src[i].p, src[i].len);
	}
	if ((r = sieve_matcher_conclude(&m, r)) < 0)
		return r;
	sieve_trace(ip, "string test: %s", ip->reg ? "true" : "false");
	return 0;
}

static const struct sieve_op_def variables_ops[] = {
	{ "SET", "oxx", op_set },
	{ "STRING", "oxx", op_string },
};

static const struct sieve_tag_def set_tags[] = {
	{ .name = "lower", .code = MOD_LOWER },
	{ .name = "upper", .code = MOD_UPPER },
	{ .name = "lowerfirst", .code = MOD_LOWERFIRST },
	{ .name = "upperfirst", .code = MOD_UPPERFIRST },
	{ .name = "quotewildcard", .code = MOD_QUOTEWILDCARD },
	{ .name = "length", .code = MOD_LENGTH },
	{ .name = NULL },
};

static const struct sieve_cmd_def cmd_set = {
	.name = "set", .kind = SIEVE_COMMAND, .args = "ss", .tags = set_tags,
	.argnames = (const char *const[]){ "name", "value", NULL },
	.op = 0, .validate = set_validate,
};

/* The string test compares script strings: i;octet unless told. */
static bool
string_validate(struct sieve_validator *v, struct sieve_cmd *c)
{
	if (c->comparator == NULL)
		c->comparator = &sieve_obj_cmp_octet;
	return true;
}

static const struct sieve_cmd_def tst_string = {
	.name = "string", .kind = SIEVE_TEST, .args = "ll",
	.argnames = (const char *const[]){ "source", "key list", NULL },
	.flags = SIEVE_CMDF_MATCH, .op = 1, .validate = string_validate,
};

const struct sieve_ext_def sieve_ext_variables = {
	.name = "variables",
	.cmds = (const struct sieve_cmd_def *const[]){ &cmd_set, &tst_string,
						      NULL },
	SIEVE_OPS(variables_ops),
	.run_init = variables_init,
};

/* ---- access for other extensions (imap4flags) -------------------------- */

bool
sieve_variables_valid_name(const char *s, size_t len)
{
	return is_identifier(s, len);
}

int
sieve_variables_get(struct sieve_interp *ip, const char *name, size_t len,
		    struct sieve_str *out)
{
	struct var_state *st = sieve_interp_ext_state(ip, &sieve_ext_variables);
	struct var *var = st ? var_find(st, name, len) : NULL;

	out->p = var ? var->value : "";
	out->len = var ? var->len : 0;
	return 0;
}

int
sieve_variables_set(struct sieve_interp *ip, const char *name, size_t len,
		    const char *val, size_t vlen)
{
	struct var_state *st = sieve_interp_ext_state(ip, &sieve_ext_variables);

	if (st == NULL)
		return SIEVE_EXEC_CORRUPT;
	if (var_assign(ip, st, name, len, arena_strndup(ip->arena, val, vlen),
		       vlen) == NULL)
		return SIEVE_EXEC_FAILURE;
	return 0;
}
