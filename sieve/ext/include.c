/*
 * include.c -- RFC 6609 "include": the include, return and global
 * commands, and with "variables" the global namespace (${global.name}).
 * Implementation: full, plus Pigeonhole's deprecated import/export
 * spellings of global.
 *
 * An included script is compiled into the same binary, in a block of its
 * own, when the include command is validated: once per binary however
 * often it is included (its block is found again by identity, the real
 * path of its file). Include loops are an error at compile time unless
 * :once breaks them; sieve_include_max_includes (distinct scripts, 255)
 * and sieve_include_max_nesting_depth (10) bound the work. A script that
 * is :optional and missing gets an empty block. Every included file is
 * recorded in the binary with its mtime and size, so that a cached binary
 * is recompiled once one of them changes (binary.c).
 *
 * Locations (sieve_instance_set_include): Pigeonhole's syntax, a
 * directory ("file:DIR;options" or "DIR"; when it names a file, its
 * directory) where script "name" is DIR/name.sieve, or "dict:file:PATH",
 * a Dovecot file dict holding lines "priv/sieve/name/NAME" -> ID and
 * "priv/sieve/data/ID" -> source.
 *
 * Run time: INCLUDE runs the block with fresh local variables and match
 * values (sieve_interp_run_block); "return" ends the running block, in the
 * main script the script; :once skips a block already run.
 */
#include "compile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "arena.h"
#include "buf.h"

extern const struct sieve_ext_def sieve_ext_include;

enum {
	OPT_PERSONAL = SIEVE_OPT_CMD + 0,
	OPT_GLOBAL,
	OPT_ONCE,
	OPT_OPTIONAL,
};

enum { INC_ONCE = 1, INC_OPTIONAL = 2 };

enum { OP_INCLUDE, OP_RETURN };

#define MAX_NAME_CHARS 255

/* ---- script names and locations ---------------------------------------- */

/* RFC 6609 2 defers to the ManageSieve rules (RFC 5804 1.6): no control
 * characters, no line or paragraph separator; '/' is refused too. */
static bool
name_valid(const char *s, size_t len)
{
	size_t i = 0, chars = 0;

	if (len == 0 || strlen(s) != len)
		return false;
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		uint32_t cp;
		size_t n;

		if (c < 0x80) {
			cp = c;
			n = 1;
		} else if ((c & 0xe0) == 0xc0) {
			cp = c & 0x1f;
			n = 2;
		} else if ((c & 0xf0) == 0xe0) {
			cp = c & 0x0f;
			n = 3;
		} else if ((c & 0xf8) == 0xf0) {
			cp = c & 0x07;
			n = 4;
		} else {
			return false;
		}
		if (len - i < n)
			return false;
		for (size_t k = 1; k < n; k++) {
			if (((unsigned char)s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | ((unsigned char)s[i + k] & 0x3f);
		}
		if (cp <= 0x1f || cp == '/' || cp == 0x7f ||
		    (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 ||
		    cp == 0x2029)
			return false;
		i += n;
		chars++;
	}
	return chars <= MAX_NAME_CHARS;
}

/* What a location gives for one name. */
struct found {
	char *src;		/* malloc'd source; NULL when not found */
	size_t len;
	const char *id;		/* identity */
	const char *dep;	/* file to watch */
};

/* Looks name up in a Dovecot file dict (key line, value line). Returns
 * 0 (src set when found) or -1 when the dict cannot be read. */
static int
dict_lookup(struct arena *a, const char *path, const char *name,
	    struct found *f)
{
	struct buf b = BUF_INIT;
	char *p, *end, *key, *id = NULL, *want;

	if (buf_read_file(&b, path, 0) < 0) {
		buf_free(&b);
		return -1;
	}
	want = arena_printf(a, "priv/sieve/name/%s", name);
	for (int pass = 0; pass < 2; pass++) {
		p = b.data;
		end = b.data + b.len;
		while (p && p < end) {
			char *nl = memchr(p, '\n', (size_t)(end - p));
			char *val, *vend;

			key = p;
			if (nl == NULL)
				break;
			*nl = '\0';
			val = nl + 1;
			vend = memchr(val, '\n', (size_t)(end - val));
			if (vend == NULL)
				vend = end;
			if (pass == 0 && strcmp(key, want) == 0) {
				id = arena_strndup(a, val, (size_t)(vend - val));
			} else if (pass == 1 && strncmp(key, "priv/sieve/data/",
							16) == 0 &&
				   strcmp(key + 16, id) == 0) {
				f->len = (size_t)(vend - val);
				f->src = xstrndup(val, f->len);
			}
			*nl = '\n';
			p = vend < end ? vend + 1 : end;
		}
		if (id == NULL)
			break;
	}
	buf_free(&b);
	f->dep = arena_strdup(a, path);
	f->id = arena_printf(a, "dict:%s:%s", path, name);
	return 0;
}

/*
 * Resolves name in location loc. Returns 1 found, 0 not found, -1 the
 * location is unavailable (*err says why).
 */
static int
resolve(struct arena *a, const char *loc, const char *name, struct found *f,
	const char **err)
{
	struct stat st;
	const char *semi;
	char *dir, *path, *real;
	struct buf b = BUF_INIT;

	memset(f, 0, sizeof(*f));
	if (loc == NULL || *loc == '\0') {
		*err = "unavailable";
		return -1;
	}
	semi = strchr(loc, ';');
	if (strncmp(loc, "dict:file:", 10) == 0) {
		char *dpath = arena_strndup(a, loc + 10, semi ?
					    (size_t)(semi - loc - 10) :
					    strlen(loc + 10));

		if (dict_lookup(a, dpath, name, f) < 0) {
			*err = "unavailable";
			return -1;
		}
		return f->src != NULL;
	}
	if (strncmp(loc, "file:", 5) == 0)
		loc += 5;
	dir = arena_strndup(a, loc, semi ? (size_t)(semi - loc) : strlen(loc));
	if (stat(dir, &st) == 0 && S_ISREG(st.st_mode)) {
		char *slash = strrchr(dir, '/');

		if (slash == NULL)
			dir = ".";
		else
			*(slash == dir ? slash + 1 : slash) = '\0';
	} else if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		*err = "unavailable";
		return -1;
	}
	path = arena_printf(a, "%s/%s.sieve", dir, name);
	f->dep = path;
	f->id = path;
	if (buf_read_file(&b, path, 0) < 0) {
		buf_free(&b);
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		*err = "cannot read";
		return -1;
	}
	real = realpath(path, NULL);
	if (real) {
		f->id = arena_strdup(a, real);
		free(real);
	}
	f->len = b.len;
	f->src = b.data ? buf_steal(&b, NULL) : xstrndup("", 0);
	return 1;
}

/* ---- include ----------------------------------------------------------- */

struct include_data {
	unsigned block;
	unsigned flags;
};

static void
add_dep(struct sieve_include_compile *inc, const char *path)
{
	unsigned i;

	for (i = 0; i < inc->ndeps; i++)
		if (strcmp(inc->deps[i].path, path) == 0)
			return;
	if (inc->ndeps == inc->capdeps) {
		unsigned cap = inc->capdeps ? 2 * inc->capdeps : 8;
		struct sieve_binary_dep *d = arena_alloc(inc->arena,
							 cap * sizeof(*d));

		if (inc->ndeps)
			memcpy(d, inc->deps, inc->ndeps * sizeof(*d));
		inc->deps = d;
		inc->capdeps = cap;
	}
	sieve_binary_dep_stat(&inc->deps[inc->ndeps],
			      arena_strdup(inc->arena, path));
	inc->ndeps++;
}

static unsigned
new_block(struct sieve_include_compile *inc, const char *id,
	  const char *name)
{
	struct sieve_include_block *b;

	if (inc->nblocks == inc->capblocks) {
		unsigned cap = 2 * inc->capblocks;
		struct sieve_include_block *nb = arena_zalloc(inc->arena,
							      cap *
							      sizeof(*nb));

		memcpy(nb, inc->blocks, inc->nblocks * sizeof(*nb));
		inc->blocks = nb;
		inc->capblocks = cap;
	}
	b = &inc->blocks[inc->nblocks];
	memset(b, 0, sizeof(*b));
	b->id = arena_strdup(inc->arena, id);
	b->name = arena_strdup(inc->arena, name);
	return inc->nblocks++;
}

static bool
include_validate(struct sieve_validator *v, struct sieve_cmd *c)
{
	struct sieve_include_compile *inc = v->inc;
	struct sieve_ast_arg *arg = c->pos[0];
	const struct sieve_limits *lim = sieve_instance_limits(v->inst);
	struct include_data *data;
	struct sieve_validator *p;
	const char *name = arg->u.str.str, *loc, *err = NULL, *where;
	bool global = false;
	struct found f;
	unsigned i, flags = 0, blk;
	int r;

	for (i = 0; i < c->nopt; i++) {
		switch (c->opt[i].tag->code) {
		case OPT_GLOBAL:
			global = true;
			break;
		case OPT_ONCE:
			flags |= INC_ONCE;
			break;
		case OPT_OPTIONAL:
			flags |= INC_OPTIONAL;
			break;
		}
	}
	where = global ? "global" : "personal";
	if (!sieve_v_arg_constant(v, arg)) {
		sieve_v_error(v, arg->pos, "the include command requires a "
			      "constant string for its value argument");
		return false;
	}
	if (!name_valid(name, arg->u.str.len)) {
		sieve_v_error(v, arg->pos, "include: invalid script name '%.80s'",
			      name);
		return false;
	}
	if (inc == NULL)
		return false;
	loc = global ? inc->global : inc->personal;
	r = resolve(inc->arena, loc, name, &f, &err);
	if (r < 0) {
		sieve_v_error(v, arg->pos, "include: %s location for included "
			      "script '%s' is %s", where, name, err);
		return false;
	}
	if (f.dep)
		add_dep(inc, f.dep);
	if (r == 0 && !(flags & INC_OPTIONAL)) {
		sieve_v_error(v, arg->pos, "included %s script '%s' does not "
			      "exist", where, name);
		return false;
	}
	/* as Pigeonhole: no more including once something went wrong */
	if (v->diag->errors > 0) {
		free(f.src);
		return false;
	}
	data = arena_zalloc(v->arena, sizeof(*data));
	data->flags = flags;
	c->data = data;
	if (r == 0) {
		/* :optional and absent: an empty block, skipped at run time */
		for (blk = 1; blk < inc->nblocks; blk++)
			if (inc->blocks[blk].missing &&
			    strcmp(inc->blocks[blk].id, f.id) == 0)
				break;
		if (blk == inc->nblocks) {
			blk = new_block(inc, f.id, name);
			inc->blocks[blk].missing = true;
		}
		data->block = blk;
		return true;
	}
	if (v->inc_depth >= lim->include_max_nesting_depth) {
		sieve_v_error(v, c->node->pos, "cannot nest includes deeper "
			      "than %u levels", lim->include_max_nesting_depth);
		free(f.src);
		return false;
	}
	if (!(flags & INC_ONCE)) {
		for (p = v; p != NULL; p = p->parent)
			if (p->script_id && strcmp(p->script_id, f.id) == 0) {
				sieve_v_error(v, c->node->pos,
					      "circular include");
				free(f.src);
				return false;
			}
	}
	for (blk = 0; blk < inc->nblocks; blk++)
		if (inc->blocks[blk].id && !inc->blocks[blk].missing &&
		    strcmp(inc->blocks[blk].id, f.id) == 0)
			break;
	if (blk < inc->nblocks) {
		/* compiled already (or being compiled: :once) */
		data->block = blk;
		free(f.src);
		return true;
	}
	if (inc->nblocks - 1 >= lim->include_max_includes) {
		sieve_v_error(v, c->node->pos, "failed to include script '%s': "
			      "no more than %u includes allowed", name,
			      lim->include_max_includes);
		free(f.src);
		return false;
	}
	blk = new_block(inc, f.id, name);
	data->block = blk;
	if (!sieve_compile_included(v, f.src, f.len, name, f.id, blk)) {
		sieve_v_error(v, c->node->pos, "failed to compile included "
			      "script '%s'", name);
		free(f.src);
		return false;
	}
	free(f.src);
	return true;
}

static bool
include_emit(struct sieve_codegen *g, struct sieve_cmd *c)
{
	const struct include_data *data = c->data;

	sieve_g_op(g, &sieve_ext_include, OP_INCLUDE, c->node->pos.line);
	sieve_g_number(g, data->block);
	sieve_g_number(g, data->flags);
	return true;
}

/* Which blocks ran in this run (:once). */
struct include_state {
	uint8_t *ran;
	unsigned n;
};

static void *
include_init(struct sieve_interp *ip)
{
	struct include_state *st = arena_zalloc(ip->arena, sizeof(*st));

	st->n = ip->bin->nblocks;
	st->ran = arena_zalloc(ip->arena, st->n ? st->n : 1);
	return st;
}

static int
op_include(struct sieve_interp *ip)
{
	struct include_state *st = sieve_interp_ext_state(ip,
							  &sieve_ext_include);
	const struct sieve_binary_block *b;
	uint64_t blk, flags;
	int r;

	if ((r = sieve_read_number(ip, &blk)) < 0 ||
	    (r = sieve_read_number(ip, &flags)) < 0)
		return r;
	if (st == NULL || blk >= ip->bin->nblocks || blk >= st->n)
		return SIEVE_EXEC_CORRUPT;
	b = &ip->bin->blocks[blk];
	if (blk == 0 || (b->code_len == 0 && (flags & INC_OPTIONAL))) {
		/* :optional and missing, or :once of the main script */
		sieve_trace(ip, "include \"%s\": skipped", b->name);
		return 0;
	}
	if ((flags & INC_ONCE) && st->ran[blk]) {
		sieve_trace(ip, "include :once \"%s\": ran already", b->name);
		return 0;
	}
	if (ip->inc_depth >= sieve_instance_limits(ip->bin->inst)->
			     include_max_nesting_depth + 1) {
		sieve_runtime_error(ip, "include \"%s\": nested too deeply",
				    b->name);
		return SIEVE_EXEC_FAILURE;
	}
	st->ran[blk] = 1;
	sieve_trace(ip, "include \"%s\"", b->name);
	r = sieve_interp_run_block(ip, (unsigned)blk);
	sieve_trace(ip, "end of included \"%s\"", b->name);
	return r;
}

/* ---- return ------------------------------------------------------------ */

static int
op_return(struct sieve_interp *ip)
{
	sieve_trace(ip, "return");
	/* in the main script, the same as stop (RFC 6609 3.3) */
	if (ip->inc_depth == 0)
		ip->stop = true;
	ip->returned = true;
	return 0;
}

/* ---- global (import, export) ------------------------------------------- */

static bool
global_validate(struct sieve_validator *v, struct sieve_cmd *c)
{
	struct sieve_ast_arg *a = c->pos[0];
	struct sieve_ast_string *items;
	size_t count, i;

	if (strcmp(c->def->name, "global") != 0) {
		/* the deprecated spellings: only at the top, after require
		 * and themselves */
		const struct sieve_ast_node *prev = v->prev_node;

		if (v->depth > 0 ||
		    (prev != NULL && strcmp(prev->name, "require") != 0 &&
		     strcmp(prev->name, "import") != 0 &&
		     strcmp(prev->name, "export") != 0)) {
			sieve_v_error(v, c->node->pos, "the DEPRECATED %s "
				      "command can only be placed at top level "
				      "at the beginning of the file after any "
				      "require or import/export commands",
				      c->def->name);
			return false;
		}
	}
	if (!sieve_v_ext_required(v, "variables")) {
		sieve_v_error(v, c->node->pos, "%s command requires that "
			      "variables extension is active", c->def->name);
		return false;
	}
	if (a->type == SIEVE_ARG_STRING) {
		items = &a->u.str;
		count = 1;
	} else {
		items = a->u.list.items;
		count = a->u.list.count;
	}
	for (i = 0; i < count; i++) {
		const char *n = items[i].str;
		size_t len = items[i].len;

		if (!sieve_variables_valid_name(n, len)) {
			sieve_v_error(v, items[i].pos, "invalid variable "
				      "identifier '%.80s'", n);
			return false;
		}
		if (sieve_v_name_in(v->locals, v->nlocals, n, len)) {
			sieve_v_error(v, items[i].pos, "declaration of new "
				      "global variable '%.80s' conflicts with "
				      "earlier local use", n);
			return false;
		}
		sieve_v_name_add(v, &v->globals, &v->nglobals,
				 &v->capglobals, n, len);
	}
	return true;
}

/* global is a declaration: no code */
static bool
global_emit(struct sieve_codegen *g, struct sieve_cmd *c)
{
	(void)g;
	(void)c;
	return true;
}

static const struct sieve_op_def include_ops[] = {
	[OP_INCLUDE] = { "INCLUDE", "xx", op_include },
	[OP_RETURN] = { "RETURN", "", op_return },
};

static const struct sieve_tag_def include_tags[] = {
	{ .name = "personal", .code = OPT_PERSONAL, .group = 1 },
	{ .name = "global", .code = OPT_GLOBAL, .group = 1 },
	{ .name = "once", .code = OPT_ONCE },
	{ .name = "optional", .code = OPT_OPTIONAL },
	{ .name = NULL },
};

static const struct sieve_cmd_def cmd_include = {
	.name = "include", .kind = SIEVE_COMMAND, .args = "s",
	.argnames = (const char *const[]){ "value", NULL },
	.tags = include_tags, .op = OP_INCLUDE,
	.validate = include_validate, .emit = include_emit,
};

static const struct sieve_cmd_def cmd_return = {
	.name = "return", .kind = SIEVE_COMMAND, .args = "",
	.op = OP_RETURN,
};

#define GLOBAL_CMD(id, nm)						\
	static const struct sieve_cmd_def id = {			\
		.name = nm, .kind = SIEVE_COMMAND, .args = "l",		\
		.argnames = (const char *const[]){ "value", NULL },	\
		.validate = global_validate, .emit = global_emit,	\
	}
GLOBAL_CMD(cmd_global, "global");
GLOBAL_CMD(cmd_import, "import");
GLOBAL_CMD(cmd_export, "export");

const struct sieve_ext_def sieve_ext_include = {
	.name = "include",
	.cmds = (const struct sieve_cmd_def *const[]){ &cmd_include,
						      &cmd_return, &cmd_global,
						      &cmd_import, &cmd_export,
						      NULL },
	SIEVE_OPS(include_ops),
	.run_init = include_init,
};
