/*
 * sieve_ext.h -- the API for writing a Sieve command, test or extension.
 *
 * Everything is declared in static tables; nothing registers at run time.
 * An extension is one file sieve/ext/<name>.c exporting one
 * `const struct sieve_ext_def sieve_ext_<name>` and one line in
 * sieve/ext/extensions.def.
 *
 * Compilation: the validator matches a node's arguments against its
 * command definition (tags, then positional arguments by the signature
 * string), fills a struct sieve_cmd and calls the definition's validate
 * hook; code generation then emits, unless the definition has its own
 * emit hook:
 *     op  optional-operands...  0  positional-operands...
 * Each optional operand is a code byte (enum sieve_opt_code) followed by
 * one self-describing operand. Every operand starts with a type byte
 * (enum sieve_operand_type) so that the binary can be dumped and checked
 * without knowing the op.
 */
#ifndef SIEVE_EXT_H
#define SIEVE_EXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sieve.h"

struct arena;
struct sieve_ast_node;
struct sieve_ast_arg;
struct sieve_comparator;
struct sieve_validator;
struct sieve_codegen;
struct sieve_interp;
struct sieve_ext_def;
struct sieve_address;
struct sieve_object_def;

/* ---- operands ---------------------------------------------------------- */

enum sieve_operand_type {
	SIEVE_OPND_NONE = 0,	/* a flag tag without parameter */
	SIEVE_OPND_NUMBER = 1,	/* varint */
	SIEVE_OPND_STRING = 2,	/* varint len, bytes, NUL */
	SIEVE_OPND_STRLIST = 3,	/* varint count, then count string operands */
	SIEVE_OPND_TEMPLATE = 4,/* variables: varint len, bytes, NUL: expanded
				   at run time */
	SIEVE_OPND_OBJECT = 5,	/* ext slot byte, index byte (+ param operand
				   when the object def has one) */
	SIEVE_OPND_VARIABLE = 6,/* variables: scope byte, varint index */
};

/* Codes of optional operands. One global list so that a tag attached by
 * another extension never clashes with the command's own. */
enum sieve_opt_code {
	SIEVE_OPT_END = 0,
	SIEVE_OPT_COMPARATOR = 1,
	SIEVE_OPT_MATCH_TYPE = 2,
	SIEVE_OPT_ADDRESS_PART = 3,
	/* command-owned tags: 8..47 */
	SIEVE_OPT_CMD = 8,
	/* tags attached to other commands by extensions: 48.. */
	SIEVE_OPT_COPY = 48,
	SIEVE_OPT_CREATE = 49,
	SIEVE_OPT_FLAGS = 50,
	SIEVE_OPT_SPECIALUSE = 51,
	SIEVE_OPT_MAILBOXID = 52,
	SIEVE_OPT_INDEX = 53,
	SIEVE_OPT_LAST = 54,
	SIEVE_OPT_MIME = 55,
	SIEVE_OPT_ANYCHILD = 56,
	SIEVE_OPT_FCC = 57,
	SIEVE_OPT_MAX = 63,
};

/* ---- compile-time definitions ----------------------------------------- */

enum sieve_cmd_kind { SIEVE_COMMAND, SIEVE_TEST };

enum sieve_cmd_flags {
	SIEVE_CMDF_MATCH = 1 << 0,	/* takes :comparator and a match type */
	SIEVE_CMDF_ADDRESS = 1 << 1,	/* takes an address part */
	SIEVE_CMDF_BLOCK = 1 << 2,	/* requires a block */
	SIEVE_CMDF_TEST = 1 << 3,	/* takes exactly one test */
	SIEVE_CMDF_TESTLIST = 1 << 4,	/* takes a test list */
	SIEVE_CMDF_CONTROL = 1 << 5,	/* if/elsif/else/require/stop etc. */
	SIEVE_CMDF_HYBRID = 1 << 6,	/* usable as a command and a test */
	SIEVE_CMDF_OPT_FIRST = 1 << 7,	/* the first positional argument of
					   the signature may be left out
					   (imap4flags' variable name); the
					   validate hook sees npos one less */
};

/*
 * A tagged argument. param: 0 (flag), 's' string, 'l' string list (a single
 * string is accepted), 'n' number. Tags with the same nonzero group are
 * mutually exclusive.
 */
struct sieve_tag_def {
	const char *name;		/* without ':' */
	char param;
	uint8_t code;			/* enum sieve_opt_code */
	uint8_t group;
	/* Extra checks; return false after reporting an error. */
	bool (*validate)(struct sieve_validator *v, struct sieve_ast_arg *tag,
			 struct sieve_ast_arg *param);
	/* Another tag (name without ':') that must be given too (RFC 5260:
	 * ":last" needs ":index"); NULL: none. */
	const char *needs;
};

/* Tags an extension adds to a command it does not own (":copy"). */
struct sieve_tag_attach {
	const char *command;
	const struct sieve_tag_def *tag;
};

#define SIEVE_MAX_POSITIONAL 6
#define SIEVE_MAX_OPTIONAL 16

/* A validated command or test, handed to validate/emit hooks. */
struct sieve_cmd {
	const struct sieve_cmd_def *def;
	const struct sieve_ext_def *ext;	/* owner (NULL: core) */
	struct sieve_ast_node *node;
	struct {
		const struct sieve_tag_def *tag;
		const struct sieve_ext_def *ext;	/* tag's extension */
		struct sieve_ast_arg *arg;	/* the tag itself */
		struct sieve_ast_arg *param;	/* its parameter or NULL */
	} opt[SIEVE_MAX_OPTIONAL];
	unsigned nopt;
	struct sieve_ast_arg *pos[SIEVE_MAX_POSITIONAL];
	unsigned npos;
	/* resolved objects (SIEVE_CMDF_MATCH / _ADDRESS) */
	const struct sieve_object_def *comparator;
	const struct sieve_object_def *match_type;
	const struct sieve_object_def *address_part;
	bool as_test;			/* HYBRID: used as a test */
	void *data;			/* for the hooks */
};

struct sieve_cmd_def {
	const char *name;
	enum sieve_cmd_kind kind;
	const char *args;		/* positional signature: s l n */
	const char *const *argnames;	/* for messages, NULL-terminated */
	const struct sieve_tag_def *tags; /* terminated by { NULL } */
	unsigned flags;			/* enum sieve_cmd_flags */
	uint8_t op;			/* index in the owner's op table */
	bool (*validate)(struct sieve_validator *v, struct sieve_cmd *c);
	/* NULL: generic emission of op + operands. */
	bool (*emit)(struct sieve_codegen *g, struct sieve_cmd *c);
};

/* Comparators, match types and address parts are "objects": referred to
 * in the binary by (extension slot, index in the extension's table). */
enum sieve_object_class {
	SIEVE_OBJ_COMPARATOR,
	SIEVE_OBJ_MATCH_TYPE,
	SIEVE_OBJ_ADDRESS_PART,
};

struct sieve_matcher;

struct sieve_object_def {
	const char *name;		/* tag name, or comparator name */
	enum sieve_object_class cls;
	char param;			/* match type parameter (':count "gt"') */
	const struct sieve_comparator *comparator;	/* COMPARATOR */
	/* MATCH_TYPE: compile-time check against the comparator. */
	bool (*validate)(struct sieve_validator *v, struct sieve_cmd *c);
	/* MATCH_TYPE: match one value against one key; 1, 0 or <0 error */
	int (*match)(struct sieve_matcher *m, const char *val, size_t vlen,
		     const char *key, size_t klen);
	/* MATCH_TYPE whose decision needs every value (:count) */
	int (*match_end)(struct sieve_matcher *m);
	/* ADDRESS_PART: extract the part; NULL = no match possible */
	const char *(*extract)(struct sieve_interp *ip,
			       const struct sieve_address *addr);
};

/* ---- run-time ---------------------------------------------------------- */

/*
 * An operation. shape tells the dumper (and the binary checker) what
 * follows the op: 'o' an optional-operand list, 'x' one operand, 'j' a
 * 4-byte jump target, '*' operands up to the next END (rare).
 */
struct sieve_op_def {
	const char *mnemonic;
	const char *shape;
	int (*exec)(struct sieve_interp *ip);	/* SIEVE_EXEC_* */
};

enum sieve_ext_flags {
	SIEVE_EXTF_CORE = 1 << 0,	/* always there, no require */
	SIEVE_EXTF_HIDDEN = 1 << 1,	/* only when enabled explicitly */
	SIEVE_EXTF_OFF = 1 << 2,	/* known but disabled by default */
};

struct sieve_ext_def {
	const char *name;
	unsigned flags;
	const struct sieve_cmd_def *const *cmds;	/* NULL-terminated */
	const struct sieve_op_def *ops;
	unsigned nops;
	const struct sieve_tag_attach *attach;		/* { NULL } ended */
	const struct sieve_object_def *const *objects;	/* NULL-terminated */
	/* Called once per compile when the script requires it. */
	bool (*on_require)(struct sieve_validator *v,
			   const struct sieve_ext_def *ext);
	/* Set when the extension needs per-run state. */
	void *(*run_init)(struct sieve_interp *ip);
	/* Releases what run_init's state holds outside the run's arena
	 * (called once at the end of the run, state may be NULL). */
	void (*run_free)(struct sieve_interp *ip, void *state);
};

#define SIEVE_OPS(tbl) .ops = (tbl), .nops = sizeof(tbl) / sizeof((tbl)[0])

/* ---- validator services ------------------------------------------------ */

void sieve_v_error(struct sieve_validator *v, struct sieve_pos pos,
		   const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void sieve_v_warning(struct sieve_validator *v, struct sieve_pos pos,
		     const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool sieve_v_ext_required(const struct sieve_validator *v, const char *name);
struct arena *sieve_v_arena(struct sieve_validator *v);
/* The string argument is a compile-time constant (no variables). */
bool sieve_v_arg_constant(const struct sieve_validator *v,
			  const struct sieve_ast_arg *arg);

/* ---- code generation services ----------------------------------------- */

void sieve_g_op(struct sieve_codegen *g, const struct sieve_ext_def *ext,
		uint8_t op, unsigned line);
void sieve_g_arg(struct sieve_codegen *g, const struct sieve_ast_arg *arg);
void sieve_g_number(struct sieve_codegen *g, uint64_t n);
void sieve_g_string(struct sieve_codegen *g, const char *s, size_t len);
void sieve_g_none(struct sieve_codegen *g);
void sieve_g_byte(struct sieve_codegen *g, uint8_t b);
/* The generic part: optional operands, END, positional operands. */
void sieve_g_operands(struct sieve_codegen *g, struct sieve_cmd *c);

/* ---- interpreter services ---------------------------------------------- */

struct sieve_operand {
	uint8_t type;			/* enum sieve_operand_type */
	uint64_t number;
	const char *str;		/* STRING/TEMPLATE: NUL-terminated */
	size_t len;
	uint32_t count;			/* STRLIST: items */
	const uint8_t *items;		/* STRLIST: first item */
	const struct sieve_object_def *obj;	/* OBJECT */
	const struct sieve_ext_def *obj_ext;
	uint8_t scope;			/* VARIABLE */
};

struct sieve_opts {
	uint64_t present;		/* bit per sieve_opt_code */
	const struct sieve_comparator *cmp;
	const struct sieve_object_def *mt;
	struct sieve_operand mt_param;
	const struct sieve_object_def *ap;
	struct sieve_operand opt[SIEVE_OPT_MAX + 1];
};

struct sieve_str {
	const char *p;
	size_t len;
};

struct sieve_interp {
	struct sieve_binary *bin;
	const struct sieve_exec_env *env;
	struct sieve_result *result;
	struct arena *arena;		/* per-run */
	const uint8_t *code;
	size_t code_len;
	size_t pc;
	size_t op_start;		/* pc of the current op */
	bool reg;			/* last test's outcome */
	bool stop;
	int status;
	uint64_t steps;
	const struct sieve_ext_def *const *slots;
	unsigned nslots;
	void **ext_state;		/* per slot, from run_init */
	struct sieve_diag *diag;
	FILE *trace;
	/* match values of the last successful match (variables) */
	bool match_values_on;
	struct sieve_str match_values[32];
	unsigned match_count;
	/* per-run caches */
	void *addr_cache;
	/* variables: expands a template string (NULL: literal) */
	int (*expand)(struct sieve_interp *ip, const char *s, size_t len,
		      struct sieve_str *out);
	/* include (RFC 6609): the block running (0 = main script), how deep
	 * in includes, whether "return" ended it */
	unsigned block;
	unsigned inc_depth;
	bool returned;
	long start_sec;			/* CPU clock at the start of the run */
};

/* Operand readers; they fail (and mark the binary corrupt) on bad code. */
int sieve_read_operand(struct sieve_interp *ip, struct sieve_operand *o);
int sieve_read_opts(struct sieve_interp *ip, struct sieve_opts *o);
/* Reads a string operand (expanding templates). */
int sieve_read_string(struct sieve_interp *ip, struct sieve_str *s);
int sieve_read_number(struct sieve_interp *ip, uint64_t *n);
/* Reads a string-list operand into an array (expanded). */
int sieve_read_strlist(struct sieve_interp *ip, struct sieve_str **items,
		       size_t *count);
/* String value of an already-read STRING/TEMPLATE operand. */
int sieve_operand_string(struct sieve_interp *ip,
			 const struct sieve_operand *o, struct sieve_str *s);
int sieve_operand_strlist(struct sieve_interp *ip,
			  const struct sieve_operand *o,
			  struct sieve_str **items, size_t *count);

void sieve_runtime_error(struct sieve_interp *ip, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sieve_runtime_warning(struct sieve_interp *ip, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
unsigned sieve_interp_line(const struct sieve_interp *ip);
void sieve_trace(struct sieve_interp *ip, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void *sieve_interp_ext_state(struct sieve_interp *ip,
			     const struct sieve_ext_def *ext);
/* A setting from the host (sieve_host.setting), NULL when unset. */
const char *sieve_interp_setting(struct sieve_interp *ip, const char *key);

/* Matching: feed values, get whether any matched any key. */
struct sieve_matcher {
	struct sieve_interp *ip;
	const struct sieve_comparator *cmp;
	const struct sieve_object_def *mt;
	const struct sieve_operand *param;
	struct sieve_str *keys;
	size_t nkeys;
	uint64_t nvalues;		/* values fed so far */
	bool matched;
	void *state;
};
int sieve_matcher_init(struct sieve_matcher *m, struct sieve_interp *ip,
		       const struct sieve_opts *o, struct sieve_str *keys,
		       size_t nkeys);
/* 1 matched (stop feeding), 0 not yet, <0 error */
int sieve_matcher_value(struct sieve_matcher *m, const char *v, size_t len);
/* Final verdict: 1, 0, <0 */
int sieve_matcher_end(struct sieve_matcher *m);
/* The usual ending of a test: r is the last sieve_matcher_value result;
 * sets the test outcome (ip->reg). Returns 0 or the error status. */
int sieve_matcher_conclude(struct sieve_matcher *m, int r);

/*
 * Result services for actions. sieve_result_add merges a duplicate (same
 * type and target: RFC 5228 2.10.3, 4.1, 4.2) into the earlier action,
 * enforces sieve_max_actions / sieve_max_redirects and the conflicts of
 * RFC 5429 (reject with delivering actions), and cancels the implicit keep
 * unless copy is set. Returns NULL after a runtime error.
 */
struct sieve_action *sieve_result_add(struct sieve_interp *ip,
				      enum sieve_action_type type,
				      const char *name, const char *target,
				      size_t target_len, bool copy);
void sieve_result_cancel_keep(struct sieve_interp *ip);
/* duplicate: records (or returns the already recorded) tracking entry for
 * id; the caller sets period and last. */
struct sieve_duplicate_mark *
sieve_result_add_duplicate_mark(struct sieve_interp *ip,
				const unsigned char *id, size_t len);

/* Core objects usable by extensions */
extern const struct sieve_object_def sieve_obj_cmp_octet;
extern const struct sieve_object_def sieve_obj_match_is;
extern const struct sieve_object_def sieve_obj_match_contains;
extern const struct sieve_object_def sieve_obj_match_matches;

#endif
