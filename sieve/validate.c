/*
 * validate.c -- semantic checks of a parsed script, driving code generation.
 *
 * One pass over the tree: for each command and test, find its definition
 * (core or a required extension), match tagged and positional arguments
 * against the definition, resolve comparators, match types and address
 * parts, run the definition's own checks, then emit code. Errors are
 * reported with line and column and checking continues (RFC 5228 2.10.6
 * says a script with errors must not run at all, so after the first error
 * nothing is emitted).
 *
 * Covers: require placement (RFC 5228 3.2), if/elsif/else chaining (3.1),
 * argument typing (2.6), tag exclusivity (2.7.1-2.7.4), comparator
 * support of match types (2.7.3), encoded-character decoding (2.4.2.4).
 */
#include "compile.h"

#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "compare.h"

void
sieve_v_error(struct sieve_validator *v, struct sieve_pos pos,
	      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sieve_vdiag(v->diag, SIEVE_ERROR, pos, fmt, ap);
	va_end(ap);
}

void
sieve_v_warning(struct sieve_validator *v, struct sieve_pos pos,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sieve_vdiag(v->diag, SIEVE_WARNING, pos, fmt, ap);
	va_end(ap);
}

struct arena *
sieve_v_arena(struct sieve_validator *v)
{
	return v->arena;
}

static bool
ext_required(const struct sieve_validator *v, const struct sieve_ext_def *e)
{
	unsigned i;

	if (e == NULL || (e->flags & SIEVE_EXTF_CORE))
		return true;
	for (i = 0; i < sieve_extension_count; i++)
		if (sieve_extensions[i] == e)
			return v->required[i];
	return false;
}

bool
sieve_v_ext_required(const struct sieve_validator *v, const char *name)
{
	int i = sieve_ext_index(name);

	return i >= 0 && v->required[i];
}

bool
sieve_v_arg_constant(const struct sieve_validator *v,
		     const struct sieve_ast_arg *arg)
{
	if (!v->variables)
		return true;
	if (arg->type == SIEVE_ARG_STRING)
		return memmem(arg->u.str.str, arg->u.str.len, "${", 2) == NULL;
	if (arg->type == SIEVE_ARG_STRLIST) {
		size_t i;

		for (i = 0; i < arg->u.list.count; i++)
			if (memmem(arg->u.list.items[i].str,
				   arg->u.list.items[i].len, "${", 2))
				return false;
	}
	return true;
}

/* ---- names and suggestions -------------------------------------------- */

static unsigned
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	unsigned row[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (i = 1; i <= la; i++) {
		unsigned prev = row[0], tmp;

		row[0] = (unsigned)i;
		for (j = 1; j <= lb; j++) {
			unsigned cost = a[i - 1] == b[j - 1] ? 0 : 1;
			unsigned best = prev + cost;

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

/* The closest command or test name of the same kind, or NULL. */
static const char *
suggest_command(struct sieve_validator *v, const char *name,
		enum sieve_cmd_kind kind)
{
	const char *best = NULL;
	unsigned best_d = 3, i;

	for (i = 0; i <= v->inst->cmds_mask; i++) {
		const struct sieve_cmd_entry *e = &v->inst->cmds[i];
		unsigned d;

		if (e->name == NULL || e->def->kind != kind ||
		    !sieve_ext_enabled(v->inst, e->ext) ||
		    (e->ext->flags & SIEVE_EXTF_HIDDEN))
			continue;
		d = edit_distance(name, e->name);
		if (d < best_d || (d == best_d && best &&
				   strcmp(e->name, best) < 0)) {
			best_d = d;
			best = e->name;
		}
	}
	return best;
}

static const char *
arg_type_name(const struct sieve_ast_arg *a)
{
	switch (a->type) {
	case SIEVE_ARG_TAG:
		return "a tag";
	case SIEVE_ARG_NUMBER:
		return "a number";
	case SIEVE_ARG_STRING:
		return "a string";
	case SIEVE_ARG_STRLIST:
		return "a string list";
	}
	return "?";
}

static const char *
param_type_name(char t)
{
	switch (t) {
	case 's':
		return "a string";
	case 'l':
		return "a string list";
	case 'n':
		return "a number";
	}
	return "nothing";
}

static bool
arg_fits(const struct sieve_ast_arg *a, char t)
{
	switch (t) {
	case 's':
		return a->type == SIEVE_ARG_STRING;
	case 'l':
		return a->type == SIEVE_ARG_STRING ||
		       a->type == SIEVE_ARG_STRLIST;
	case 'n':
		return a->type == SIEVE_ARG_NUMBER;
	}
	return false;
}

/* ---- strings ----------------------------------------------------------- */

static void
process_string(struct sieve_validator *v, struct sieve_ast_string *s)
{
	if (v->encoded_char &&
	    memmem(s->str, s->len, "${", 2) != NULL) {
		size_t n;
		const char *d = sieve_encoded_char_decode(v->arena, s->str,
							  s->len, &n, s->pos,
							  v->diag);

		s->str = d;
		s->len = n;
	}
	if (v->variables && memmem(s->str, s->len, "${", 2) != NULL)
		s->str = sieve_variables_check_string(v, s->str, s->len,
						      s->pos, &s->len);
}

bool
sieve_v_name_in(const char *const *names, size_t n, const char *name,
		size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(names[i]) == len &&
		    strncasecmp(names[i], name, len) == 0)
			return true;
	return false;
}

void
sieve_v_name_add(struct sieve_validator *v, const char ***names, size_t *n,
		 size_t *cap, const char *name, size_t len)
{
	if (sieve_v_name_in(*names, *n, name, len))
		return;
	if (*n == *cap) {
		size_t ncap = *cap ? 2 * *cap : 16;
		const char **bigger = arena_alloc(v->arena,
						  ncap * sizeof(*bigger));

		if (*n)
			memcpy(bigger, *names, *n * sizeof(*bigger));
		*names = bigger;
		*cap = ncap;
	}
	(*names)[(*n)++] = arena_strndup(v->arena, name, len);
}

static void
process_strings(struct sieve_validator *v, struct sieve_ast_arg *a)
{
	size_t i;

	if (a->type == SIEVE_ARG_STRING)
		process_string(v, &a->u.str);
	else if (a->type == SIEVE_ARG_STRLIST)
		for (i = 0; i < a->u.list.count; i++)
			process_string(v, &a->u.list.items[i]);
}

/* ---- objects: comparators, match types, address parts ----------------- */

/*
 * Finds an object of class cls by name among the core and the extensions
 * the script may use. *owner_out is set to the extension that defines it
 * (even if not required: for a helpful message).
 */
static const struct sieve_object_def *
find_object(struct sieve_validator *v, enum sieve_object_class cls,
	    const char *name, const struct sieve_ext_def **owner_out,
	    bool *usable)
{
	unsigned i;
	const struct sieve_object_def *found = NULL;

	*usable = false;
	for (i = 0; i < sieve_extension_count; i++) {
		const struct sieve_ext_def *e = sieve_extensions[i];
		const struct sieve_object_def *const *o;

		if (!sieve_ext_enabled(v->inst, e))
			continue;
		for (o = e->objects; o && *o; o++) {
			bool eq = cls == SIEVE_OBJ_COMPARATOR ?
				  strcasecmp((*o)->name, name) == 0 :
				  strcmp((*o)->name, name) == 0;

			if ((*o)->cls != cls || !eq)
				continue;
			if (v->required[i] || (e->flags & SIEVE_EXTF_CORE)) {
				*owner_out = e;
				*usable = true;
				return *o;
			}
			if (found == NULL) {
				found = *o;
				*owner_out = e;
			}
		}
	}
	return found;
}

/* ---- commands and tests ------------------------------------------------ */

static const struct sieve_tag_def *
find_tag(const struct sieve_validator *v, const struct sieve_cmd_def *def,
	 const char *name, const struct sieve_ext_def **ext_out)
{
	const struct sieve_tag_def *t;
	unsigned i;

	for (t = def->tags; t && t->name; t++)
		if (strcmp(t->name, name) == 0) {
			*ext_out = NULL;
			return t;
		}
	for (i = 0; i < sieve_extension_count; i++) {
		const struct sieve_ext_def *e = sieve_extensions[i];
		const struct sieve_tag_attach *at;

		if (!v->required[i] && !(e->flags & SIEVE_EXTF_CORE))
			continue;
		for (at = e->attach; at && at->command; at++)
			if (strcmp(at->command, def->name) == 0 &&
			    strcmp(at->tag->name, name) == 0) {
				*ext_out = e;
				return at->tag;
			}
	}
	return NULL;
}

static const char *
kind_name(enum sieve_cmd_kind k)
{
	return k == SIEVE_TEST ? "test" : "command";
}

static const char *
arg_name(const struct sieve_cmd_def *def, unsigned i)
{
	unsigned k;

	if (def->argnames == NULL)
		return "argument";
	for (k = 0; k < i && def->argnames[k]; k++)
		;
	return def->argnames[k] ? def->argnames[k] : "argument";
}

/* Is name a tag this command accepts (for messages and typo hints)? */
static bool
tag_known(struct sieve_validator *v, const struct sieve_cmd_def *def,
	  const char *name)
{
	const struct sieve_ext_def *owner;
	bool usable;

	if ((def->flags & SIEVE_CMDF_MATCH) &&
	    (strcmp(name, "comparator") == 0 ||
	     find_object(v, SIEVE_OBJ_MATCH_TYPE, name, &owner, &usable)))
		return true;
	if ((def->flags & SIEVE_CMDF_ADDRESS) &&
	    find_object(v, SIEVE_OBJ_ADDRESS_PART, name, &owner, &usable))
		return true;
	return find_tag(v, def, name, &owner) != NULL;
}

/*
 * Matches the node's arguments against the definition. Returns false
 * after reporting errors.
 */
static bool
bind_arguments(struct sieve_validator *v, struct sieve_cmd *c)
{
	struct sieve_ast_node *n = c->node;
	const struct sieve_cmd_def *def = c->def;
	const char *sig = def->args ? def->args : "";
	size_t nsig = strlen(sig), i;
	bool ok = true;
	unsigned groups_seen = 0;
	/* "1 or 2" when the first argument is optional */
	const char *optfirst = !(def->flags & SIEVE_CMDF_OPT_FIRST) ? "" :
		nsig == 2 ? "1 or " : "at most ";

	for (i = 0; i < n->nargs; i++) {
		struct sieve_ast_arg *a = &n->args[i];
		const struct sieve_object_def *obj = NULL;
		const struct sieve_ext_def *owner = NULL;
		bool usable = false;
		char param = 0;

		if (a->type != SIEVE_ARG_TAG) {
			process_strings(v, a);
			if (c->npos >= SIEVE_MAX_POSITIONAL ||
			    c->npos >= nsig) {
				sieve_v_error(v, a->pos,
					      "the %s %s requires %s%zu "
					      "positional argument%s, but more "
					      "were specified", def->name,
					      kind_name(def->kind), optfirst,
					      nsig, nsig == 1 ? "" : "s");
				c->data = (void *)1;
				return false;
			}
			/* an optional first argument: types are checked
			 * once the count is known */
			if (!(def->flags & SIEVE_CMDF_OPT_FIRST) &&
			    !arg_fits(a, sig[c->npos])) {
				sieve_v_error(v, a->pos,
					      "the %s %s expects %s as argument "
					      "%u (%s), but %s was found",
					      def->name, kind_name(def->kind),
					      param_type_name(sig[c->npos]),
					      c->npos + 1,
					      arg_name(def, c->npos),
					      arg_type_name(a));
				return false;
			}
			c->pos[c->npos++] = a;
			continue;
		}
		if (c->npos > 0) {
			if (tag_known(v, def, a->u.tag))
				sieve_v_error(v, a->pos, "unexpected tagged "
					      "argument ':%s' while reading the "
					      "positional arguments of the %s "
					      "%s (tags come first)", a->u.tag,
					      def->name, kind_name(def->kind));
			else
				sieve_v_error(v, a->pos, "unknown tagged "
					      "argument ':%s' for the %s %s "
					      "(at position %zu)", a->u.tag,
					      def->name, kind_name(def->kind),
					      i + 1);
			return false;
		}
		/* comparator */
		if ((def->flags & SIEVE_CMDF_MATCH) &&
		    strcmp(a->u.tag, "comparator") == 0) {
			struct sieve_ast_arg *p = i + 1 < n->nargs ?
						  &n->args[i + 1] : NULL;

			if (c->comparator || (groups_seen & 1)) {
				sieve_v_error(v, a->pos, "more than one "
					      ":comparator for '%s'",
					      def->name);
				return false;
			}
			groups_seen |= 1;
			if (p == NULL || p->type != SIEVE_ARG_STRING) {
				sieve_v_error(v, a->pos, ":comparator needs a "
					      "string naming the comparator");
				return false;
			}
			i++;
			process_strings(v, p);
			if (!sieve_v_arg_constant(v, p)) {
				sieve_v_error(v, p->pos, "the comparator name "
					      "must be a constant string");
				return false;
			}
			obj = find_object(v, SIEVE_OBJ_COMPARATOR,
					  p->u.str.str, &owner, &usable);
			if (obj == NULL) {
				sieve_v_error(v, p->pos, "unknown comparator "
					      "'%s'", p->u.str.str);
				return false;
			} else if (!usable) {
				sieve_v_error(v, p->pos, "comparator '%s' "
					      "needs require \"%s\"",
					      p->u.str.str, owner->name);
				return false;
			} else {
				c->comparator = obj;
			}
			continue;
		}
		if (def->flags & SIEVE_CMDF_MATCH) {
			obj = find_object(v, SIEVE_OBJ_MATCH_TYPE, a->u.tag,
					  &owner, &usable);
			if (obj) {
				if (!usable) {
					sieve_v_error(v, a->pos, "match type "
						      "':%s' needs require "
						      "\"%s\"", a->u.tag,
						      owner->name);
					return false;
				} else if (c->match_type) {
					sieve_v_error(v, a->pos, "more than "
						      "one match type for "
						      "'%s'", def->name);
					return false;
				}
				c->match_type = obj;
				param = obj->param;
			}
		}
		if (obj == NULL && (def->flags & SIEVE_CMDF_ADDRESS)) {
			obj = find_object(v, SIEVE_OBJ_ADDRESS_PART, a->u.tag,
					  &owner, &usable);
			if (obj) {
				if (!usable) {
					sieve_v_error(v, a->pos, "address "
						      "part ':%s' needs "
						      "require \"%s\"",
						      a->u.tag, owner->name);
					return false;
				} else if (c->address_part) {
					sieve_v_error(v, a->pos, "more than "
						      "one address part for "
						      "'%s'", def->name);
					return false;
				}
				c->address_part = obj;
			}
		}
		if (obj != NULL) {
			if (param) {
				struct sieve_ast_arg *p = i + 1 < n->nargs ?
							  &n->args[i + 1] :
							  NULL;

				if (p == NULL || !arg_fits(p, param)) {
					sieve_v_error(v, a->pos, "':%s' needs "
						      "%s parameter", a->u.tag,
						      param_type_name(param));
					return false;
				}
				process_strings(v, p);
				i++;
				/* keep the parameter as an optional slot */
				if (c->nopt < SIEVE_MAX_OPTIONAL) {
					c->opt[c->nopt].tag = NULL;
					c->opt[c->nopt].arg = a;
					c->opt[c->nopt].param = p;
					c->opt[c->nopt].ext = owner;
					c->nopt++;
				}
			}
			continue;
		}
		{
			const struct sieve_ext_def *tag_ext = NULL;
			const struct sieve_tag_def *t =
				find_tag(v, def, a->u.tag, &tag_ext);
			struct sieve_ast_arg *p = NULL;
			unsigned k;

			if (t == NULL) {
				sieve_v_error(v, a->pos, "unknown tagged "
					      "argument ':%s' for the %s %s "
					      "(at position %zu)", a->u.tag,
					      def->name, kind_name(def->kind),
					      i + 1);
				return false;
			}
			for (k = 0; k < c->nopt; k++) {
				const struct sieve_tag_def *o = c->opt[k].tag;

				if (o == NULL)
					continue;
				if (o == t) {
					sieve_v_error(v, a->pos, "tagged "
						      "argument ':%s' given "
						      "twice", t->name);
					return false;
				} else if (t->group && o->group == t->group) {
					sieve_v_error(v, a->pos, "':%s' "
						      "cannot be combined with "
						      "':%s'", t->name,
						      o->name);
					return false;
				}
			}
			if (t->param) {
				p = i + 1 < n->nargs ? &n->args[i + 1] : NULL;
				if (p == NULL || !arg_fits(p, t->param)) {
					sieve_v_error(v, a->pos, "':%s' needs "
						      "%s parameter", t->name,
						      param_type_name(t->param));
					return false;
					continue;
				}
				process_strings(v, p);
				i++;
			}
			if (t->validate && !t->validate(v, a, p)) {
				return false;
			}
			if (c->nopt >= SIEVE_MAX_OPTIONAL) {
				sieve_v_error(v, a->pos, "too many tagged "
					      "arguments");
				return false;
			}
			c->opt[c->nopt].tag = t;
			c->opt[c->nopt].ext = tag_ext;
			c->opt[c->nopt].arg = a;
			c->opt[c->nopt].param = p;
			c->nopt++;
		}
	}
	for (i = 0; i < c->nopt; i++) {
		const struct sieve_tag_def *t = c->opt[i].tag;
		bool found = false;
		unsigned k;

		if (t == NULL || t->needs == NULL)
			continue;
		for (k = 0; k < c->nopt && !found; k++)
			found = c->opt[k].tag &&
				strcmp(c->opt[k].tag->name, t->needs) == 0;
		if (!found) {
			sieve_v_error(v, c->opt[i].arg->pos, "the :%s tag of "
				      "the %s %s needs :%s", t->name,
				      def->name, kind_name(def->kind),
				      t->needs);
			return false;
		}
	}
	if ((def->flags & SIEVE_CMDF_OPT_FIRST) && nsig > 0 &&
	    c->npos + 1 >= nsig) {
		size_t off = nsig - c->npos;

		for (i = 0; i < c->npos; i++) {
			if (arg_fits(c->pos[i], sig[i + off]))
				continue;
			sieve_v_error(v, c->pos[i]->pos, "the %s %s expects %s "
				      "as argument %zu (%s), but %s was found",
				      def->name, kind_name(def->kind),
				      param_type_name(sig[i + off]), i + 1,
				      arg_name(def, (unsigned)(i + off)),
				      arg_type_name(c->pos[i]));
			return false;
		}
		return ok;
	}
	if (c->npos < nsig) {
		sieve_v_error(v, n->pos, "the %s %s requires %s%zu "
			      "positional argument%s, but %u %s specified",
			      def->name, kind_name(def->kind), optfirst, nsig,
			      nsig == 1 ? "" : "s",
			      c->npos, c->npos == 1 ? "was" : "were");
		c->data = (void *)1;	/* a count error: sub-tests still checked */
		return false;
	}
	return ok;
}

/* Checks the match type against the comparator (RFC 5228 2.7.3). */
static bool
check_match(struct sieve_validator *v, struct sieve_cmd *c)
{
	const struct sieve_comparator *cmp = c->comparator ?
		c->comparator->comparator : &sieve_cmp_ascii_casemap;
	const struct sieve_object_def *mt = c->match_type;

	if (mt == NULL)
		return true;
	if (mt->validate)
		return mt->validate(v, c);
	if ((mt == &sieve_obj_match_contains ||
	     mt == &sieve_obj_match_matches) &&
	    !(cmp->flags & SIEVE_CMP_SUBSTRING)) {
		sieve_v_error(v, c->node->pos, "comparator '%s' does not "
			      "support the ':%s' match type", cmp->name,
			      mt->name);
		return false;
	}
	return true;
}

/* The sub-tests, then (when block is set) the block. After bad arguments
 * the sub-tests are still looked at, as Pigeonhole does: a tag without
 * its colon turns into a sub-test and may be what broke the arguments. */
static bool
check_tests_and_block(struct sieve_validator *v, struct sieve_cmd *c,
		      bool block)
{
	struct sieve_ast_node *n = c->node;
	const struct sieve_cmd_def *def = c->def;
	bool ok = true;

	if (def->flags & SIEVE_CMDF_TEST) {
		if (n->ntests != 1 || n->test_list) {
			sieve_v_error(v, n->pos, "the %s %s requires exactly "
				      "one sub-test%s", def->name,
				      kind_name(def->kind), n->test_list ?
				      " (not a test list)" : "");
			ok = false;
		}
	} else if (def->flags & SIEVE_CMDF_TESTLIST) {
		if (!n->test_list || n->ntests == 0) {
			sieve_v_error(v, n->pos, "the %s %s requires a test "
				      "list in parentheses", def->name,
				      kind_name(def->kind));
			ok = false;
		}
	} else if (n->ntests > 0) {
		const struct sieve_ast_node *t = n->tests[0];
		const struct sieve_cmd_entry *e =
			sieve_cmd_lookup(v->inst, t->name);

		/* Typos: a tag without its colon parses as a sub-test, and
		 * so does the next command after a missing ';'. */
		if (n->ntests == 1 && !n->test_list &&
		    tag_known(v, def, t->name)) {
			sieve_v_error(v, t->pos, "missing colon: '%s' should "
				      "be the :%s tag of the %s %s", t->name,
				      t->name, def->name, kind_name(def->kind));
		} else if (n->ntests == 1 && !n->test_list &&
			   !c->as_test &&
			   (e == NULL || e->def->kind != SIEVE_TEST)) {
			sieve_v_error(v, t->pos, "missing semicolon at the end "
				      "of the %s command (before '%s')",
				      def->name, t->name);
		} else {
			sieve_v_error(v, t->pos, "the %s %s accepts no "
				      "sub-tests, but %zu %s specified",
				      def->name, kind_name(def->kind),
				      n->ntests, n->ntests == 1 ? "was" :
				      "were");
		}
		ok = false;
	}
	if (ok && block && !c->as_test) {
		if ((def->flags & SIEVE_CMDF_BLOCK) && !n->has_block) {
			sieve_v_error(v, n->pos, "the %s command requires a "
				      "block { ... }", def->name);
			ok = false;
		} else if (!(def->flags & SIEVE_CMDF_BLOCK) && n->has_block) {
			sieve_v_error(v, n->pos, "the %s command does not "
				      "accept a block (missing ';'?)",
				      def->name);
			ok = false;
		}
	}
	return ok;
}

/*
 * Looks the node up and binds its arguments. Returns NULL after reporting
 * an error.
 */
static struct sieve_cmd *
resolve(struct sieve_validator *v, struct sieve_ast_node *n,
	enum sieve_cmd_kind kind)
{
	const struct sieve_cmd_entry *e = sieve_cmd_lookup(v->inst, n->name);
	struct sieve_cmd_entry alt;
	struct sieve_cmd *c;
	bool ok;

	/* the same name from an alias extension: taken when the main one
	 * is disabled, or when the script requires only the alias */
	if (e != NULL && e->alt_def != NULL &&
	    sieve_ext_enabled(v->inst, e->alt_ext) &&
	    (!sieve_ext_enabled(v->inst, e->ext) ||
	     (ext_required(v, e->alt_ext) && !ext_required(v, e->ext)))) {
		alt.name = e->name;
		alt.def = e->alt_def;
		alt.ext = e->alt_ext;
		alt.alt_def = NULL;
		alt.alt_ext = NULL;
		e = &alt;
	}

	if (e == NULL || !sieve_ext_enabled(v->inst, e->ext)) {
		const char *s = suggest_command(v, n->name, kind);

		if (e == NULL && s == NULL) {
			/* maybe the other kind? */
			sieve_v_error(v, n->pos, "unknown %s '%s'",
				      kind_name(kind), n->name);
		} else if (s) {
			sieve_v_error(v, n->pos, "unknown %s '%s' (did you "
				      "mean '%s'?)", kind_name(kind), n->name,
				      s);
		} else {
			sieve_v_error(v, n->pos, "unknown %s '%s'",
				      kind_name(kind), n->name);
		}
		return NULL;
	}
	if (e->def->kind != kind && !(e->def->flags & SIEVE_CMDF_HYBRID)) {
		sieve_v_error(v, n->pos, "cannot use %s '%s' as a %s",
			      kind_name(e->def->kind), n->name,
			      kind_name(kind));
		return NULL;
	}
	if (!ext_required(v, e->ext)) {
		sieve_v_error(v, n->pos, "%s '%s' needs require \"%s\"",
			      kind_name(kind), n->name, e->ext->name);
		return NULL;
	}
	if (v->free_cmds) {
		c = v->free_cmds;
		v->free_cmds = c->data;
		/* clear the fixed part; opt[]/pos[] are filled up to
		 * nopt/npos before being read */
		memset(c, 0, offsetof(struct sieve_cmd, opt));
		c->nopt = c->npos = 0;
		c->comparator = c->match_type = c->address_part = NULL;
		c->as_test = false;
		c->data = NULL;
	} else {
		c = arena_zalloc(v->arena, sizeof(*c));
	}
	c->def = e->def;
	c->ext = (e->ext->flags & SIEVE_EXTF_CORE) ? NULL : e->ext;
	c->node = n;
	c->as_test = kind == SIEVE_TEST;
	/* one error per command, as a reader expects: the first one */
	ok = bind_arguments(v, c);
	ok = check_tests_and_block(v, c, ok || c->data == (void *)1) && ok;
	c->data = NULL;
	if (ok && (c->def->flags & SIEVE_CMDF_MATCH))
		ok = check_match(v, c);
	if (ok && c->def->validate)
		ok = c->def->validate(v, c);
	return ok ? c : NULL;
}

/* Commands are checked and emitted one at a time: their records are
 * recycled, so a 10,000-rule script does not keep 40,000 of them. */
static void
release(struct sieve_validator *v, struct sieve_cmd *c)
{
	c->data = v->free_cmds;
	v->free_cmds = c;
}

/*
 * A command or test that failed but takes sub-tests (if, not, allof,
 * anyof, ...): its sub-tests are still checked, so that one run reports
 * their errors too (Pigeonhole descends the same way).
 */
static void
check_failed_tests(struct sieve_validator *v, struct sieve_ast_node *n)
{
	const struct sieve_cmd_entry *e = sieve_cmd_lookup(v->inst, n->name);

	if (e == NULL || !ext_required(v, e->ext) ||
	    !(e->def->flags & (SIEVE_CMDF_TEST | SIEVE_CMDF_TESTLIST)))
		return;
	for (size_t i = 0; i < n->ntests; i++)
		sieve_compile_test(v, n->tests[i]);
}

static bool
emitting(const struct sieve_validator *v)
{
	return v->diag->errors == 0;
}

static void
emit_generic(struct sieve_validator *v, struct sieve_cmd *c)
{
	if (!emitting(v))
		return;
	if (c->def->emit) {
		c->def->emit(&v->g, c);
		return;
	}
	sieve_g_op(&v->g, c->ext, c->def->op, c->node->pos.line);
	sieve_g_operands(&v->g, c);
}

bool
sieve_compile_test(struct sieve_validator *v, struct sieve_ast_node *n)
{
	struct sieve_cmd *c;
	size_t i, patches[64];
	size_t npatch = 0;
	bool ok = true;

	v->test_const = -1;
	c = resolve(v, n, SIEVE_TEST);
	if (c == NULL) {
		check_failed_tests(v, n);
		v->test_const = -1;
		return false;
	}
	if (!(c->def->flags & SIEVE_CMDF_CONTROL)) {
		emit_generic(v, c);
		release(v, c);
		return true;	/* test_const as the validate hook left it */
	}
	if (strcmp(c->def->name, "true") == 0) {
		if (emitting(v))
			sieve_g_core_op(&v->g, SIEVE_OP_TRUE, n->pos.line);
	} else if (strcmp(c->def->name, "false") == 0) {
		if (emitting(v))
			sieve_g_core_op(&v->g, SIEVE_OP_FALSE, n->pos.line);
	} else if (strcmp(c->def->name, "not") == 0) {
		ok = sieve_compile_test(v, n->tests[0]);
		if (emitting(v))
			sieve_g_core_op(&v->g, SIEVE_OP_NOT, n->pos.line);
		if (v->test_const >= 0)
			v->test_const = !v->test_const;
	} else {
		/* allof: leave at the first false; anyof: at the first true */
		uint8_t jop = strcmp(c->def->name, "allof") == 0 ?
			      SIEVE_OP_JMPFALSE : SIEVE_OP_JMPTRUE;
		size_t *pl = patches;
		/* allof: false when one is; true when all are (anyof
		 * the other way round) */
		int decisive = jop == SIEVE_OP_JMPFALSE ? 0 : 1;
		int result = !decisive;

		if (n->ntests > 64)
			pl = arena_alloc(v->arena, n->ntests * sizeof(*pl));
		for (i = 0; i < n->ntests; i++) {
			ok = sieve_compile_test(v, n->tests[i]) && ok;
			if (v->test_const == decisive)
				result = decisive;
			else if (v->test_const < 0 && result != decisive)
				result = -1;
			if (i + 1 < n->ntests && emitting(v))
				pl[npatch++] = sieve_g_jump(&v->g, jop,
							    n->pos.line);
		}
		if (emitting(v))
			for (i = 0; i < npatch; i++)
				sieve_g_patch_here(&v->g, pl[i]);
		v->test_const = result;
	}
	return ok;
}

static bool
compile_require(struct sieve_validator *v, struct sieve_cmd *c)
{
	struct sieve_ast_arg *a = c->pos[0];
	struct sieve_ast_string *items;
	size_t count, i;
	bool ok = true;

	if (!v->require_allowed) {
		sieve_v_error(v, c->node->pos, "require must come before "
			      "any other command");
		ok = false;
	}
	if (a->type == SIEVE_ARG_STRING) {
		items = &a->u.str;
		count = 1;
	} else {
		items = a->u.list.items;
		count = a->u.list.count;
	}
	for (i = 0; i < count; i++) {
		const char *name = items[i].str;
		int idx = sieve_ext_index(name);
		const struct sieve_ext_def *e;

		if (strlen(name) != items[i].len || idx < 0 ||
		    !v->inst->enabled[idx]) {
			sieve_v_error(v, items[i].pos, "unsupported extension "
				      "'%s'", name);
			ok = false;
			continue;
		}
		e = sieve_extensions[idx];
		if (v->required[idx])
			continue;
		v->required[idx] = true;
		if (strcmp(name, "encoded-character") == 0)
			v->encoded_char = true;
		if (strcmp(name, "variables") == 0) {
			v->variables = true;
			v->g.templates = true;
		}
		v->require_pos = items[i].pos;
		if (e->on_require && !e->on_require(v, e))
			ok = false;
		sieve_g_slot(&v->g, e);
	}
	return ok;
}

/*
 * Compiles an if/elsif/else chain starting at n. Returns the last node of
 * the chain so that the caller continues after it.
 */
static struct sieve_ast_node *
compile_if_chain(struct sieve_validator *v, struct sieve_ast_node *n,
		 struct sieve_cmd *c)
{
	size_t end_patches[256], *ends = end_patches, nends = 0, cap = 256;
	struct sieve_ast_node *last = n;

	for (;;) {
		size_t skip = 0;
		bool has_test = strcmp(c->def->name, "else") != 0;

		if (has_test) {
			sieve_compile_test(v, c->node->tests[0]);
			if (emitting(v))
				skip = sieve_g_jump(&v->g, SIEVE_OP_JMPFALSE,
						    c->node->pos.line);
		}
		/* a constant false test (ihave): the block is left out */
		if (!has_test || v->test_const != 0) {
			v->depth++;
			sieve_compile_block(v, c->node->block);
			v->depth--;
		}
		last = c->node;
		release(v, c);
		if (!has_test)
			break;
		if (last->next == NULL ||
		    (strcmp(last->next->name, "elsif") != 0 &&
		     strcmp(last->next->name, "else") != 0)) {
			if (emitting(v))
				sieve_g_patch_here(&v->g, skip);
			break;
		}
		if (emitting(v)) {
			if (nends == cap) {
				size_t *bigger = arena_alloc(v->arena,
							     2 * cap *
							     sizeof(*ends));

				memcpy(bigger, ends, nends * sizeof(*ends));
				ends = bigger;
				cap *= 2;
			}
			ends[nends++] = sieve_g_jump(&v->g, SIEVE_OP_JMP,
						     last->pos.line);
			sieve_g_patch_here(&v->g, skip);
		}
		c = resolve(v, last->next, SIEVE_COMMAND);
		if (c == NULL) {
			last = last->next;
			if (last->has_block) {
				v->depth++;
				sieve_compile_block(v, last->block);
				v->depth--;
			}
			break;
		}
	}
	if (emitting(v)) {
		size_t i;

		for (i = 0; i < nends; i++)
			sieve_g_patch_here(&v->g, ends[i]);
	}
	return last;
}

bool
sieve_compile_block(struct sieve_validator *v, struct sieve_ast_node *first)
{
	struct sieve_ast_node *n, *prev = NULL;
	bool after_failed_if = false;

	for (n = first; n != NULL; n = n->next) {
		struct sieve_cmd *c;
		const char *name = n->name;
		bool chained = after_failed_if;

		if (v->depth == 0) {
			v->prev_node = prev;
			prev = n;
		} else {
			v->prev_node = NULL;
		}
		after_failed_if = false;
		if (v->diag->capped)
			return false;
		if (strcmp(name, "require") != 0 || v->depth > 0)
			v->require_allowed = false;
		if (strcmp(name, "elsif") == 0 || strcmp(name, "else") == 0) {
			if (chained) {
				/* the 'if' had errors: check this part too */
				after_failed_if = strcmp(name, "elsif") == 0;
				(void)resolve(v, n, SIEVE_COMMAND);
				for (size_t i = 0; i < n->ntests; i++)
					sieve_compile_test(v, n->tests[i]);
			} else {
				sieve_v_error(v, n->pos, "'%s' without a "
					      "preceding 'if'", name);
			}
			if (n->has_block) {
				v->depth++;
				sieve_compile_block(v, n->block);
				v->depth--;
			}
			continue;
		}
		c = resolve(v, n, SIEVE_COMMAND);
		if (c == NULL) {
			/* keep checking what is inside */
			after_failed_if = strcmp(name, "if") == 0;
			check_failed_tests(v, n);
			if (n->has_block) {
				v->depth++;
				sieve_compile_block(v, n->block);
				v->depth--;
			}
			continue;
		}
		if (strcmp(name, "require") == 0) {
			if (v->depth > 0) {
				sieve_v_error(v, n->pos, "require is only "
					      "allowed at the top of the "
					      "script");
				continue;
			}
			compile_require(v, c);
			continue;
		}
		if (strcmp(name, "if") == 0) {
			n = compile_if_chain(v, n, c);
			continue;
		}
		if (c->def->flags & SIEVE_CMDF_BLOCK) {
			/* extension block commands (testsuite 'test'): the emit
			 * hook compiles the block itself */
			if (emitting(v) && c->def->emit) {
				c->def->emit(&v->g, c);
			} else {
				v->depth++;
				sieve_compile_block(v, n->block);
				v->depth--;
			}
			continue;
		}
		emit_generic(v, c);
		release(v, c);
	}
	return v->diag->errors == 0;
}

/* ---- entry points ------------------------------------------------------ */

static void
limits_to_parse(const struct sieve_instance *inst,
		struct sieve_parse_limits *pl)
{
	memset(pl, 0, sizeof(*pl));
	pl->max_nesting = inst->limits.max_nesting;
	pl->max_string_len = inst->limits.max_string_len;
	pl->max_list_items = inst->limits.max_list_items;
	pl->max_nodes = inst->limits.max_nodes;
}

/* Parses and compiles one script with v (set up by the caller). */
static bool
compile_one(struct sieve_validator *v, const char *src, size_t len)
{
	struct sieve_parse_limits pl;
	struct sieve_ast *ast;
	unsigned before = v->diag->errors;

	limits_to_parse(v->inst, &pl);
	v->required = arena_zalloc(v->arena, sieve_extension_count *
					     sizeof(bool));
	v->require_allowed = true;
	ast = sieve_parse(v->arena, src, len, &pl, v->diag);
	if (ast != NULL && v->diag->errors == before) {
		v->ast = ast;
		sieve_compile_block(v, ast->first);
	}
	return ast != NULL && v->diag->errors == before;
}

bool
sieve_compile_included(struct sieve_validator *parent, const char *src,
		       size_t len, const char *name, const char *id,
		       unsigned blk)
{
	struct sieve_validator v;
	struct sieve_include_block *b;
	const char *saved_name = parent->diag->script;
	bool ok;

	if (parent->inst->limits.max_script_size &&
	    len > parent->inst->limits.max_script_size) {
		sieve_error(parent->diag, (struct sieve_pos){ 0, 0 },
			    "included script %s is too large (%zu bytes, "
			    "max %zu)", name, len,
			    parent->inst->limits.max_script_size);
		return false;
	}
	memset(&v, 0, sizeof(v));
	v.inst = parent->inst;
	v.diag = parent->diag;
	v.arena = arena_new(64 * 1024);
	v.inc = parent->inc;
	v.parent = parent;
	v.inc_depth = parent->inc_depth + 1;
	v.script_id = id;
	sieve_g_init(&v.g, &v);
	/* one extension table for the whole binary */
	memcpy(v.g.slots, parent->g.slots, sizeof(v.g.slots));
	v.g.nslots = parent->g.nslots;
	parent->diag->script = name;
	ok = compile_one(&v, src, len);
	parent->diag->script = saved_name;
	memcpy(parent->g.slots, v.g.slots, sizeof(v.g.slots));
	parent->g.nslots = v.g.nslots;
	b = &v.inc->blocks[blk];
	if (ok) {
		b->code = v.g.code;
		b->lines = v.g.lines;
		memset(&v.g.code, 0, sizeof(v.g.code));
		memset(&v.g.lines, 0, sizeof(v.g.lines));
		b->compiled = true;
	}
	sieve_g_free(&v.g);
	arena_free(v.arena);
	return ok;
}

static struct sieve_binary *
compile_main(struct sieve_instance *inst, const char *src, size_t len,
	     const char *script_name, const char *path, struct sieve_diag *d)
{
	struct sieve_validator v;
	struct sieve_include_compile inc;
	struct sieve_binary *bin = NULL;
	unsigned i;

	if (d->max_errors == 0 && inst->limits.max_errors)
		d->max_errors = inst->limits.max_errors;
	if (inst->limits.max_script_size &&
	    len > inst->limits.max_script_size) {
		sieve_error(d, (struct sieve_pos){ 0, 0 },
			    "script is too large (%zu bytes, max %zu)", len,
			    inst->limits.max_script_size);
		return NULL;
	}
	memset(&inc, 0, sizeof(inc));
	inc.arena = arena_new(4096);
	inc.personal = inst->include_personal;
	inc.global = inst->include_global;
	if (inc.personal == NULL && path != NULL) {
		/* sievec, sieve-test: :personal beside the script */
		const char *slash = strrchr(path, '/');

		inc.personal = slash ? arena_strndup(inc.arena, path,
						     (size_t)(slash - path) +
						     (slash == path)) : ".";
	}
	inc.capblocks = 8;
	inc.blocks = arena_zalloc(inc.arena, inc.capblocks *
					     sizeof(*inc.blocks));
	inc.nblocks = 1;
	inc.blocks[0].name = script_name ? script_name : "";
	if (path != NULL) {
		char *real = realpath(path, NULL);

		inc.blocks[0].id = arena_strdup(inc.arena, real ? real : path);
		free(real);
	}

	memset(&v, 0, sizeof(v));
	v.inst = inst;
	v.diag = d;
	v.arena = arena_new(64 * 1024);
	v.inc = &inc;
	v.script_id = inc.blocks[0].id;
	sieve_g_init(&v.g, &v);

	if (compile_one(&v, src, len)) {
		struct sieve_block_src *blocks;

		inc.blocks[0].code = v.g.code;
		inc.blocks[0].lines = v.g.lines;
		memset(&v.g.code, 0, sizeof(v.g.code));
		memset(&v.g.lines, 0, sizeof(v.g.lines));
		blocks = arena_alloc(inc.arena, inc.nblocks * sizeof(*blocks));
		for (i = 0; i < inc.nblocks; i++) {
			blocks[i].name = inc.blocks[i].name;
			blocks[i].code = &inc.blocks[i].code;
			blocks[i].lines = &inc.blocks[i].lines;
		}
		bin = sieve_binary_build(inst, v.g.slots, v.g.nslots, blocks,
					 inc.nblocks, inc.deps, inc.ndeps);
	}
	for (i = 0; i < inc.nblocks; i++) {
		buf_free(&inc.blocks[i].code);
		buf_free(&inc.blocks[i].lines);
	}
	sieve_g_free(&v.g);
	arena_free(v.arena);
	arena_free(inc.arena);
	return bin;
}

struct sieve_binary *
sieve_compile(struct sieve_instance *inst, const char *src, size_t len,
	      const char *script_name, struct sieve_diag *d)
{
	return compile_main(inst, src, len, script_name, NULL, d);
}

struct sieve_binary *
sieve_compile_file(struct sieve_instance *inst, const char *path,
		   const char *script_name, struct sieve_diag *d)
{
	struct buf b = BUF_INIT;
	struct sieve_binary *bin;
	size_t cap = inst->limits.max_script_size;

	if (buf_read_file(&b, path, cap ? cap : 0) < 0) {
		if (errno == EFBIG)
			sieve_error(d, (struct sieve_pos){ 0, 0 },
				    "script is too large (max %zu bytes)",
				    cap);
		else
			sieve_error(d, (struct sieve_pos){ 0, 0 },
				    "cannot read %s: %m", path);
		buf_free(&b);
		return NULL;
	}
	bin = compile_main(inst, b.data ? b.data : "", b.len,
			   script_name ? script_name : path, path, d);
	buf_free(&b);
	return bin;
}
