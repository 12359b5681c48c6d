/*
 * compile.h -- the compiler's internal state, shared by validate.c (the
 * walker: checks each command and test) and codegen.c (bytecode emission).
 * Validation and emission happen in one pass over the tree; after the
 * first error nothing more is emitted but checking goes on, so that every
 * error is reported.
 */
#ifndef SIEVE_COMPILE_H
#define SIEVE_COMPILE_H

#include "sieve_private.h"
#include "ast.h"

struct sieve_codegen {
	struct buf code;
	struct buf lines;
	size_t line_pc;			/* pc of the last line entry */
	unsigned line;			/* its line */
	const struct sieve_ext_def *slots[SIEVE_MAX_SLOTS + 1];
	unsigned nslots;
	bool templates;			/* variables: strings with ${ } */
	struct sieve_validator *v;
};

/* include (RFC 6609): one per compile, shared by the main script and the
 * scripts it includes. Block 0 is the main script; an included script
 * gets the next block when first included and keeps it (compiled once). */
struct sieve_include_block {
	const char *id;			/* identity: real path (+ name) */
	const char *name;		/* script name, for messages */
	struct buf code, lines;
	bool compiled;			/* code is final */
	bool missing;			/* :optional and absent: no code */
};

struct sieve_include_compile {
	struct arena *arena;
	const char *personal;		/* location of :personal scripts */
	const char *global;		/* location of :global scripts */
	struct sieve_include_block *blocks;
	unsigned nblocks, capblocks;
	struct sieve_binary_dep *deps;	/* included files (stale check) */
	unsigned ndeps, capdeps;
};

struct sieve_validator {
	struct sieve_instance *inst;
	struct arena *arena;
	struct sieve_diag *diag;
	struct sieve_ast *ast;
	bool *required;			/* per sieve_extensions[] index */
	bool require_allowed;		/* still at the start of the script */
	struct sieve_pos require_pos;	/* name being required (on_require) */
	bool encoded_char;
	bool variables;
	void *var_scope;		/* ext/variables.c: declared names */
	unsigned depth;
	/* outcome of the last test compiled when known at compile time
	 * (ihave of an unavailable extension: 0, through not/allof/anyof);
	 * -1 otherwise. A block guarded by a constant false test is
	 * neither validated nor compiled. */
	int test_const;
	struct sieve_cmd *free_cmds;	/* recycled, linked through data */
	struct sieve_codegen g;
	/* include */
	struct sieve_include_compile *inc;
	struct sieve_validator *parent;	/* the including script's */
	unsigned inc_depth;		/* 0: main script */
	const char *script_id;		/* identity (circular includes) */
	struct sieve_ast_node *prev_node;	/* previous top-level command */
	const char **globals;		/* names declared global */
	size_t nglobals, capglobals;
	const char **locals;		/* names set as local variables */
	size_t nlocals, caplocals;
};

/* validate.c */
bool sieve_compile_block(struct sieve_validator *v,
			 struct sieve_ast_node *first);
bool sieve_compile_test(struct sieve_validator *v, struct sieve_ast_node *n);

/* ext/variables.c: compile-time check of ${...} references; returns the
 * string to use (references to variables declared "global" rewritten to
 * the global namespace: "${x}" -> "${global.x}"), *outlen its length. */
const char *sieve_variables_check_string(struct sieve_validator *v,
					 const char *s, size_t len,
					 struct sieve_pos pos, size_t *outlen);

/* ext/testsuite.c: ${tst.NAME}; false when unknown or not a testsuite */
bool sieve_testsuite_variable(struct sieve_interp *ip, const char *name,
			      size_t len, struct sieve_str *out);

/* validate.c: name lists of the include extension */
bool sieve_v_name_in(const char *const *names, size_t n, const char *name,
		     size_t len);
void sieve_v_name_add(struct sieve_validator *v, const char ***names,
		      size_t *n, size_t *cap, const char *name, size_t len);

/* validate.c: compiles an included script's source into block blk of the
 * compile (called by ext/include.c). False after errors. */
bool sieve_compile_included(struct sieve_validator *parent, const char *src,
			    size_t len, const char *name, const char *id,
			    unsigned blk);

/* ext/variables.c: run-time scopes. Each run of a script block (the main
 * script, an included script) has its own local variables; the global
 * ones are shared. push returns the caller's scope for pop. */
void *sieve_variables_push_scope(struct sieve_interp *ip);
void sieve_variables_pop_scope(struct sieve_interp *ip, void *saved);

/* interp.c: runs block blk of the binary to its end, a return or a
 * stop; the caller's position is restored afterwards. */
int sieve_interp_run_block(struct sieve_interp *ip, unsigned blk);

/* ext/variables.c: run-time access by name for other extensions; an
 * unset variable reads as "". set returns 0 or a SIEVE_EXEC_* status. */
bool sieve_variables_valid_name(const char *s, size_t len);
int sieve_variables_get(struct sieve_interp *ip, const char *name, size_t len,
			struct sieve_str *out);
int sieve_variables_set(struct sieve_interp *ip, const char *name, size_t len,
			const char *val, size_t vlen);

/* ext/environment.c: the value of an environment item (RFC 5183), NULL
 * when it does not exist; vnd: with the vnd.dovecot.environment items. */
const char *sieve_environment_get(struct sieve_interp *ip, const char *name,
				  bool vnd);
/* ext/imap4flags.c: applies the :flags tag of keep/fileinto (RFC 5232 5)
 * to a just-added action; without the tag the action keeps the current
 * internal flags it got from sieve_result_add. 0 or SIEVE_EXEC_*. */
int sieve_imap4flags_apply(struct sieve_interp *ip, const struct sieve_opts *o,
			   struct sieve_action *a);

/* ext/header_index.c: the field that :index / :last (RFC 5260 6)
 * select among total fields, 0-based in *pos (total when there is no
 * such field). Returns false without :index: every field counts. */
bool sieve_index_field(const struct sieve_opts *o, size_t total,
		       size_t *pos);

/* codegen.c */
void sieve_g_init(struct sieve_codegen *g, struct sieve_validator *v);
void sieve_g_free(struct sieve_codegen *g);
unsigned sieve_g_slot(struct sieve_codegen *g, const struct sieve_ext_def *e);
void sieve_g_core_op(struct sieve_codegen *g, uint8_t op, unsigned line);
/* Emits a jump op with a placeholder; returns where to patch. */
size_t sieve_g_jump(struct sieve_codegen *g, uint8_t op, unsigned line);
/* Makes the jump at `at` go to the current end of code. */
void sieve_g_patch_here(struct sieve_codegen *g, size_t at);
void sieve_g_object(struct sieve_codegen *g, const struct sieve_object_def *o);

/* RFC 5322 field-name (1*ftext: printable US-ASCII except ':'). */
bool sieve_valid_field_name(const char *s, size_t len);

/* Core op numbers (index in sieve_ext_core's op table). */
enum sieve_core_op {
	SIEVE_OP_JMP,
	SIEVE_OP_JMPTRUE,
	SIEVE_OP_JMPFALSE,
	SIEVE_OP_NOT,
	SIEVE_OP_TRUE,
	SIEVE_OP_FALSE,
	SIEVE_OP_STOP,
	SIEVE_OP_KEEP,
	SIEVE_OP_DISCARD,
	SIEVE_OP_REDIRECT,
	SIEVE_OP_ADDRESS,
	SIEVE_OP_HEADER,
	SIEVE_OP_EXISTS,
	SIEVE_OP_SIZE,
	SIEVE_OP_CORE_COUNT
};

#endif
