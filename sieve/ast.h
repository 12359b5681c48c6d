/*
 * ast.h -- syntax tree of a Sieve script (RFC 5228 section 8 grammar).
 *
 * The parser is purely syntactic: it knows no command names. Commands and
 * tests share one node shape (identifier, arguments, optional test or
 * test-list); commands may also carry a block. Strings are kept exactly as
 * written after the lexical unescaping of RFC 5228 2.4.2 (quoted: \" and
 * \\; multi-line: dot-unstuffing), so that encoded-character and variables
 * can be handled by the validator once `require` is known.
 */
#ifndef SIEVE_AST_H
#define SIEVE_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sieve_diag.h"

struct arena;

enum sieve_ast_arg_type {
	SIEVE_ARG_TAG,		/* ":name" */
	SIEVE_ARG_NUMBER,	/* 10, 10K, 2M, 1G */
	SIEVE_ARG_STRING,	/* "..." or text: ... . */
	SIEVE_ARG_STRLIST,	/* [ "a", "b" ] */
};

struct sieve_ast_string {
	const char *str;	/* NUL-terminated; may contain NUL if encoded */
	size_t len;
	struct sieve_pos pos;
	bool multiline;		/* came from text: */
};

struct sieve_ast_arg {
	enum sieve_ast_arg_type type;
	struct sieve_pos pos;
	union {
		const char *tag;		/* without the ':' */
		uint64_t number;		/* K/M/G already applied */
		struct sieve_ast_string str;
		struct {
			struct sieve_ast_string *items;
			size_t count;
		} list;
	} u;
};

/* A command or a test. */
struct sieve_ast_node {
	const char *name;		/* identifier as written */
	struct sieve_pos pos;		/* of the identifier */
	struct sieve_ast_arg *args;	/* tags, numbers, strings, lists */
	size_t nargs;
	struct sieve_ast_node **tests;	/* test (1) or test-list (n) */
	size_t ntests;
	bool test_list;			/* tests were given in ( ... ) */
	bool has_block;			/* command ended with { ... } */
	struct sieve_ast_node *block;	/* first command in the block */
	struct sieve_ast_node *next;	/* next command in the same block */
	struct sieve_pos end;		/* position of ';' or closing '}' */
};

struct sieve_ast {
	const char *script;		/* name for messages */
	struct sieve_ast_node *first;	/* first top-level command */
	unsigned commands;		/* total commands + tests parsed */
};

struct sieve_parse_limits {
	unsigned max_nesting;		/* blocks and tests together; 0 = 32 */
	size_t max_string_len;		/* 0 = unlimited */
	size_t max_list_items;		/* 0 = unlimited */
	unsigned long max_nodes;	/* commands + tests; 0 = unlimited */
};

/*
 * Parses src (len bytes, need not be NUL-terminated). Errors go to d with
 * positions; the parser recovers at ';' and '}' and keeps reporting until
 * d->capped. Returns the tree (possibly partial) allocated in a, or NULL on
 * a fatal error (limit exceeded). The caller checks d->errors.
 */
struct sieve_ast *sieve_parse(struct arena *a, const char *src, size_t len,
			      const struct sieve_parse_limits *lim,
			      struct sieve_diag *d);

/* Prints s quoted, with CR, LF, quotes and control bytes escaped. */
void sieve_print_escaped(const char *s, size_t len, FILE *out);

/* Prints the tree in a readable, stable form (sievec -A, tests). */
void sieve_ast_dump(const struct sieve_ast *ast, FILE *out);

/*
 * RFC 5228 2.4.2.4 encoded-character: replaces ${hex:...} and
 * ${unicode:...} in s. Malformed sequences are left as they are (as the RFC
 * says); a unicode value beyond 0x10FFFF or a surrogate is an error
 * reported at pos. Returns the new string in a (or s itself when it had
 * nothing to replace); *outlen gets its length.
 */
const char *sieve_encoded_char_decode(struct arena *a, const char *s,
				      size_t len, size_t *outlen,
				      struct sieve_pos pos,
				      struct sieve_diag *d);

#endif
