/*
 * imap4flags.c -- RFC 5232 "imap4flags": the setflag, addflag and
 * removeflag actions, the hasflag test and the :flags tag of keep and
 * fileinto. Implementation: full on the engine side; the host stores the
 * flags the keep/fileinto actions carry (struct sieve_action.flags).
 *
 * Flag lists are strings of space-separated flags (RFC 5232 3): they are
 * split, duplicates are dropped case-insensitively (the first spelling
 * stays) and invalid flags are left out, as Pigeonhole does: a system flag
 * must be one of \Answered \Flagged \Deleted \Seen \Draft, a keyword an
 * IMAP atom (RFC 3501 9). Literal invalid flags are warned about at
 * compile time; flags of :flags found invalid at run time are warned about
 * then. The flags an action carries are normalised further: system flags
 * are spelled as in RFC 3501 ("\Seen").
 *
 * The internal flags variable (RFC 5232 3) lives in the result, so that
 * it spans the scripts of a sequence (sieve_before, user, sieve_after),
 * and every keep/fileinto without :flags, the implicit keep included,
 * takes its value at the time (RFC 5232 5). With "variables", the actions
 * take a variable name first and hasflag a list of variable names.
 */
#include "compile.h"

#include <string.h>
#include <strings.h>

#include "arena.h"
#include "buf.h"

enum {
	OPT_VARNAME = SIEVE_OPT_CMD + 0,	/* setflag "var" ... */
	OPT_VARLIST = SIEVE_OPT_CMD + 1,	/* hasflag ["a", "b"] ... */
};

enum { OP_SETFLAG, OP_ADDFLAG, OP_REMOVEFLAG, OP_HASFLAG };

static const char *const system_flags[] = {
	"\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft", NULL,
};

/* ---- flag lists -------------------------------------------------------- */

/* The RFC 3501 spelling of a system flag, or NULL when unknown. */
static const char *
system_flag(const char *f, size_t len)
{
	unsigned i;

	for (i = 0; system_flags[i]; i++)
		if (strlen(system_flags[i]) == len &&
		    strncasecmp(system_flags[i], f, len) == 0)
			return system_flags[i];
	return NULL;
}

static bool
flag_valid(const char *f, size_t len)
{
	size_t i;

	if (len == 0)
		return false;
	if (f[0] == '\\')
		return system_flag(f, len) != NULL;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)f[i];

		/* atom-specials, CTL and non-ASCII */
		if (c <= 0x20 || c >= 0x7f || strchr("(){%*\"\\]", c))
			return false;
	}
	return true;
}

/* Next space-separated token of s[*pos..len); false at the end. */
static bool
next_flag(const char *s, size_t len, size_t *pos, const char **f,
	  size_t *flen)
{
	size_t i = *pos, start;

	while (i < len && s[i] == ' ')
		i++;
	if (i >= len) {
		*pos = i;
		return false;
	}
	start = i;
	while (i < len && s[i] != ' ')
		i++;
	*f = s + start;
	*flen = i - start;
	*pos = i;
	return true;
}

static bool
list_has(const char *s, size_t len, const char *f, size_t flen)
{
	size_t pos = 0, l;
	const char *g;

	while (next_flag(s, len, &pos, &g, &l))
		if (l == flen && strncasecmp(g, f, flen) == 0)
			return true;
	return false;
}

/* Appends the valid flags of add[] not yet in b; the first invalid one is
 * returned in *bad (when bad is not NULL). */
static void
list_add(struct buf *b, const char *add, size_t len, const char **bad,
	 size_t *badlen)
{
	size_t pos = 0, flen;
	const char *f;

	while (next_flag(add, len, &pos, &f, &flen)) {
		if (!flag_valid(f, flen)) {
			if (bad && *bad == NULL) {
				*bad = f;
				*badlen = flen;
			}
			continue;
		}
		if (list_has(b->data ? b->data : "", b->len, f, flen))
			continue;
		if (b->len)
			buf_putc(b, ' ');
		buf_append(b, f, flen);
	}
}

/* cur without the flags named in del. */
static void
list_remove(struct buf *b, const char *cur, size_t len, const char *del,
	    size_t dellen)
{
	size_t pos = 0, flen;
	const char *f;

	while (next_flag(cur, len, &pos, &f, &flen)) {
		if (list_has(del, dellen, f, flen))
			continue;
		if (b->len)
			buf_putc(b, ' ');
		buf_append(b, f, flen);
	}
}

/* Splits a (valid, deduplicated) flag string into an action's list. */
static const char *const *
list_split(struct arena *a, const char *s, size_t len)
{
	size_t pos = 0, flen, n = 0;
	const char *f, **l;

	while (next_flag(s, len, &pos, &f, &flen))
		n++;
	if (n == 0)
		return NULL;
	l = arena_alloc(a, (n + 1) * sizeof(*l));
	pos = 0;
	n = 0;
	while (next_flag(s, len, &pos, &f, &flen)) {
		const char *sys = system_flag(f, flen);

		l[n++] = sys ? sys : arena_strndup(a, f, flen);
	}
	l[n] = NULL;
	return l;
}

static const char *
buf_str(struct arena *a, struct buf *b)
{
	const char *s = arena_strndup(a, b->data ? b->data : "", b->len);

	buf_free(b);
	return s;
}

/* ---- compile time ------------------------------------------------------ */

extern const struct sieve_ext_def sieve_ext_imap4flags;

static const struct sieve_tag_def tag_varname = {
	.name = "variable name", .code = OPT_VARNAME,
};
static const struct sieve_tag_def tag_varlist = {
	.name = "variable list", .code = OPT_VARLIST,
};

/* Warns about the first invalid flag of a literal flag list. */
static void
warn_invalid(struct sieve_validator *v, const struct sieve_ast_arg *a,
	     const char *what)
{
	size_t i, n = a->type == SIEVE_ARG_STRLIST ? a->u.list.count : 1;

	for (i = 0; i < n; i++) {
		const struct sieve_ast_arg *s = a;
		const char *str, *bad = NULL;
		size_t len, badlen = 0;
		struct buf b = BUF_INIT;

		if (a->type == SIEVE_ARG_STRLIST) {
			str = a->u.list.items[i].str;
			len = a->u.list.items[i].len;
		} else {
			str = s->u.str.str;
			len = s->u.str.len;
		}
		if (memmem(str, len, "${", 2) != NULL)
			continue;
		list_add(&b, str, len, &bad, &badlen);
		buf_free(&b);
		if (bad) {
			sieve_v_warning(v, a->pos, "IMAP flag '%.*s' specified "
					"for the %s is invalid and will be "
					"ignored (only the first invalid one is "
					"reported)", (int)(badlen > 64 ? 64 :
					badlen), bad, what);
			return;
		}
	}
}

/* Moves the optional first positional argument into an optional operand
 * so that the op knows whether it is there. */
static bool
move_first(struct sieve_validator *v, struct sieve_cmd *c,
	   const struct sieve_tag_def *tag)
{
	if (c->nopt >= SIEVE_MAX_OPTIONAL) {
		sieve_v_error(v, c->node->pos, "too many tagged arguments");
		return false;
	}
	c->opt[c->nopt].tag = tag;
	c->opt[c->nopt].ext = NULL;
	c->opt[c->nopt].arg = c->pos[0];
	c->opt[c->nopt].param = c->pos[0];
	c->nopt++;
	c->pos[0] = c->pos[1];
	c->npos = 1;
	return true;
}

static bool
check_varname(struct sieve_validator *v, struct sieve_cmd *c,
	      const struct sieve_ast_arg *a, const char *s, size_t len)
{
	if (!sieve_variables_valid_name(s, len)) {
		sieve_v_error(v, a->pos, "%s: invalid variable name \"%.*s\"",
			      c->def->name, (int)len, s);
		return false;
	}
	return true;
}

static bool
varname_allowed(struct sieve_validator *v, struct sieve_cmd *c)
{
	if (sieve_v_ext_required(v, "variables"))
		return true;
	sieve_v_error(v, c->pos[0]->pos, "the %s %s only allows for the "
		      "specification of a variable name when the variables "
		      "extension is active", c->def->name,
		      c->def->kind == SIEVE_TEST ? "test" : "command");
	return false;
}

static bool
flagcmd_validate(struct sieve_validator *v, struct sieve_cmd *c)
{
	if (c->npos == 2) {
		const struct sieve_ast_arg *a = c->pos[0];

		if (!varname_allowed(v, c))
			return false;
		if (!sieve_v_arg_constant(v, a)) {
			sieve_v_error(v, a->pos, "%s: the variable name must be "
				      "a constant string", c->def->name);
			return false;
		}
		if (!check_varname(v, c, a, a->u.str.str, a->u.str.len) ||
		    !move_first(v, c, &tag_varname))
			return false;
	}
	if (strcmp(c->def->name, "removeflag") != 0)
		warn_invalid(v, c->pos[0], arena_printf(sieve_v_arena(v),
							"%s command",
							c->def->name));
	return true;
}

static bool
hasflag_validate(struct sieve_validator *v, struct sieve_cmd *c)
{
	size_t i;

	if (c->npos == 2) {
		const struct sieve_ast_arg *a = c->pos[0];

		if (!varname_allowed(v, c))
			return false;
		if (a->type == SIEVE_ARG_STRING) {
			if (!sieve_v_arg_constant(v, a) ||
			    !check_varname(v, c, a, a->u.str.str,
					   a->u.str.len))
				return false;
		} else {
			for (i = 0; i < a->u.list.count; i++)
				if (!check_varname(v, c, a,
						   a->u.list.items[i].str,
						   a->u.list.items[i].len))
					return false;
		}
		if (!move_first(v, c, &tag_varlist))
			return false;
	}
	return true;
}

static bool
flags_tag_validate(struct sieve_validator *v, struct sieve_ast_arg *tag,
		   struct sieve_ast_arg *param)
{
	(void)tag;
	warn_invalid(v, param, ":flags tag");
	return true;
}

/* ---- run time ---------------------------------------------------------- */

static const char *
internal_flags(struct sieve_interp *ip)
{
	const char *f = sieve_result_internal_flags(ip->result);

	return f ? f : "";
}

static void
set_internal(struct sieve_interp *ip, const char *s)
{
	sieve_result_set_internal_flags(ip->result, s,
					list_split(ip->arena, s, strlen(s)));
}

/* setflag, addflag, removeflag: op [VARNAME] END flag-list */
static int
flag_action(struct sieve_interp *ip, int op)
{
	static const char *const names[] = { "setflag", "addflag",
					     "removeflag" };
	struct sieve_opts o;
	struct sieve_str var = { NULL, 0 }, cur, *items;
	struct buf b = BUF_INIT;
	const char *val;
	size_t n, i;
	int r;

	if ((r = sieve_read_opts(ip, &o)) < 0 ||
	    (r = sieve_read_strlist(ip, &items, &n)) < 0)
		return r;
	if (o.present & (1ull << OPT_VARNAME)) {
		if ((r = sieve_operand_string(ip, &o.opt[OPT_VARNAME],
					      &var)) < 0 ||
		    (r = sieve_variables_get(ip, var.p, var.len, &cur)) < 0)
			return r;
	} else {
		cur.p = internal_flags(ip);
		cur.len = strlen(cur.p);
	}
	if (op == OP_REMOVEFLAG) {
		struct buf del = BUF_INIT;

		for (i = 0; i < n; i++) {
			if (del.len)
				buf_putc(&del, ' ');
			buf_append(&del, items[i].p, items[i].len);
		}
		list_remove(&b, cur.p, cur.len, del.data ? del.data : "",
			    del.len);
		buf_free(&del);
	} else {
		if (op == OP_ADDFLAG)
			list_add(&b, cur.p, cur.len, NULL, NULL);
		for (i = 0; i < n; i++)
			list_add(&b, items[i].p, items[i].len, NULL, NULL);
	}
	val = buf_str(ip->arena, &b);
	if (var.p != NULL) {
		if ((r = sieve_variables_set(ip, var.p, var.len, val,
					     strlen(val))) < 0)
			return r;
		sieve_trace(ip, "%s: variable \"%s\" = \"%s\"", names[op],
			    var.p, val);
	} else {
		set_internal(ip, val);
		sieve_trace(ip, "%s: internal flags = \"%s\"", names[op], val);
	}
	return 0;
}

static int
op_setflag(struct sieve_interp *ip)
{
	return flag_action(ip, OP_SETFLAG);
}

static int
op_addflag(struct sieve_interp *ip)
{
	return flag_action(ip, OP_ADDFLAG);
}

static int
op_removeflag(struct sieve_interp *ip)
{
	return flag_action(ip, OP_REMOVEFLAG);
}

/* Splits strings into flags (normalised: valid, deduplicated per string)
 * appended to the array *out of *n (capacity *cap). */
static void
push_flags(struct sieve_interp *ip, const char *s, size_t len,
	   struct sieve_str **out, size_t *n, size_t *cap)
{
	struct buf b = BUF_INIT;
	size_t pos = 0, flen;
	const char *f, *norm;

	list_add(&b, s, len, NULL, NULL);
	norm = buf_str(ip->arena, &b);
	while (next_flag(norm, strlen(norm), &pos, &f, &flen)) {
		if (*n == *cap) {
			size_t c = *cap ? *cap * 2 : 8;
			struct sieve_str *a = arena_alloc(ip->arena,
							  c * sizeof(*a));

			if (*n)
				memcpy(a, *out, *n * sizeof(*a));
			*out = a;
			*cap = c;
		}
		(*out)[*n].p = f;
		(*out)[(*n)++].len = flen;
	}
}

/* hasflag: HASFLAG [VARLIST] END key-list (RFC 5232 4) */
static int
op_hasflag(struct sieve_interp *ip)
{
	struct sieve_opts o;
	struct sieve_str *keys, *vals = NULL, *mkeys = NULL;
	size_t nkeys, nvals = 0, capvals = 0, nmkeys = 0, capmkeys = 0, i;
	const struct sieve_object_def *mt;
	struct sieve_matcher m;
	int r = 0;

	if ((r = sieve_read_opts(ip, &o)) < 0 ||
	    (r = sieve_read_strlist(ip, &keys, &nkeys)) < 0)
		return r;
	if (o.present & (1ull << OPT_VARLIST)) {
		struct sieve_str *names, val;
		size_t nnames;

		if ((r = sieve_operand_strlist(ip, &o.opt[OPT_VARLIST],
					       &names, &nnames)) < 0)
			return r;
		for (i = 0; i < nnames; i++) {
			if ((r = sieve_variables_get(ip, names[i].p,
						     names[i].len, &val)) < 0)
				return r;
			push_flags(ip, val.p, val.len, &vals, &nvals,
				   &capvals);
		}
	} else {
		const char *cur = internal_flags(ip);

		push_flags(ip, cur, strlen(cur), &vals, &nvals, &capvals);
	}
	/* :is and :contains compare flag by flag: the keys are flag lists
	 * too; other match types see the key strings as written */
	mt = o.mt ? o.mt : &sieve_obj_match_is;
	if (mt == &sieve_obj_match_is || mt == &sieve_obj_match_contains) {
		for (i = 0; i < nkeys; i++)
			push_flags(ip, keys[i].p, keys[i].len, &mkeys,
				   &nmkeys, &capmkeys);
		keys = mkeys;
		nkeys = nmkeys;
	}
	sieve_matcher_init(&m, ip, &o, keys, nkeys);
	for (i = 0; i < nvals && r == 0; i++)
		r = sieve_matcher_value(&m, vals[i].p, vals[i].len);
	if ((r = sieve_matcher_conclude(&m, r)) < 0)
		return r;
	sieve_trace(ip, "hasflag test: %s", ip->reg ? "true" : "false");
	return 0;
}

int
sieve_imap4flags_apply(struct sieve_interp *ip, const struct sieve_opts *o,
		       struct sieve_action *a)
{
	struct sieve_str *items;
	struct buf b = BUF_INIT;
	size_t n, i;
	int r;

	if (!(o->present & (1ull << SIEVE_OPT_FLAGS)))
		return 0;
	if ((r = sieve_operand_strlist(ip, &o->opt[SIEVE_OPT_FLAGS], &items,
				       &n)) < 0)
		return r;
	for (i = 0; i < n; i++) {
		const char *bad = NULL;
		size_t badlen = 0;

		list_add(&b, items[i].p, items[i].len, &bad, &badlen);
		if (bad != NULL)
			sieve_runtime_warning(ip, "%s: ignoring invalid IMAP "
					      "flag '%.*s'", a->name,
					      (int)(badlen > 64 ? 64 : badlen),
					      bad);
	}
	a->flags = list_split(sieve_result_arena(ip->result),
			      b.data ? b.data : "", b.len);
	buf_free(&b);
	return 0;
}

static const struct sieve_op_def imap4flags_ops[] = {
	[OP_SETFLAG] = { "SETFLAG", "ox", op_setflag },
	[OP_ADDFLAG] = { "ADDFLAG", "ox", op_addflag },
	[OP_REMOVEFLAG] = { "REMOVEFLAG", "ox", op_removeflag },
	[OP_HASFLAG] = { "HASFLAG", "ox", op_hasflag },
};

static const char *const flagcmd_argnames[] = { "variable name",
						"list of flags", NULL };

static const struct sieve_cmd_def cmd_setflag = {
	.name = "setflag", .kind = SIEVE_COMMAND, .args = "sl",
	.argnames = flagcmd_argnames, .flags = SIEVE_CMDF_OPT_FIRST,
	.op = OP_SETFLAG, .validate = flagcmd_validate,
};

static const struct sieve_cmd_def cmd_addflag = {
	.name = "addflag", .kind = SIEVE_COMMAND, .args = "sl",
	.argnames = flagcmd_argnames, .flags = SIEVE_CMDF_OPT_FIRST,
	.op = OP_ADDFLAG, .validate = flagcmd_validate,
};

static const struct sieve_cmd_def cmd_removeflag = {
	.name = "removeflag", .kind = SIEVE_COMMAND, .args = "sl",
	.argnames = flagcmd_argnames, .flags = SIEVE_CMDF_OPT_FIRST,
	.op = OP_REMOVEFLAG, .validate = flagcmd_validate,
};

static const struct sieve_cmd_def tst_hasflag = {
	.name = "hasflag", .kind = SIEVE_TEST, .args = "ll",
	.argnames = (const char *const[]){ "variable list", "list of flags",
					   NULL },
	.flags = SIEVE_CMDF_MATCH | SIEVE_CMDF_OPT_FIRST, .op = OP_HASFLAG,
	.validate = hasflag_validate,
};

static const struct sieve_tag_def tag_flags = {
	.name = "flags", .param = 'l', .code = SIEVE_OPT_FLAGS,
	.validate = flags_tag_validate,
};

const struct sieve_ext_def sieve_ext_imap4flags = {
	.name = "imap4flags",
	.cmds = (const struct sieve_cmd_def *const[]){
		&cmd_setflag, &cmd_addflag, &cmd_removeflag, &tst_hasflag,
		NULL,
	},
	SIEVE_OPS(imap4flags_ops),
	.attach = (const struct sieve_tag_attach[]){
		{ "fileinto", &tag_flags },
		{ "keep", &tag_flags },
		{ NULL, NULL },
	},
};
