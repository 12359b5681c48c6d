/*
 * sieve_private.h -- engine internals shared by the compiler, the binary
 * code and the interpreter. Not for hosts (include/sieve.h) nor for
 * extensions (include/sieve_ext.h).
 */
#ifndef SIEVE_PRIVATE_H
#define SIEVE_PRIVATE_H

#include "sieve.h"
#include "sieve_ext.h"

#include "buf.h"

#define SIEVE_BINARY_MAGIC "TAMISSVB"
#define SIEVE_BINARY_VERSION 2	/* bump on any incompatible change */
#define SIEVE_MAX_SLOTS 127	/* extensions used by one binary */
#define SIEVE_OP_EXT 0x80	/* op byte >= this: extension op */

extern const struct sieve_ext_def sieve_ext_core;

/* registry.c: every known extension, core first. */
extern const struct sieve_ext_def *const sieve_extensions[];
extern const unsigned sieve_extension_count;

struct sieve_cmd_entry {
	const char *name;
	const struct sieve_cmd_def *def;
	const struct sieve_ext_def *ext;
	/* A second extension defining the same name (a deprecated vendor
	 * alias such as vnd.dovecot.duplicate): used when the script
	 * requires that one instead. */
	const struct sieve_cmd_def *alt_def;
	const struct sieve_ext_def *alt_ext;
};

struct sieve_instance {
	struct sieve_limits limits;
	/* include (RFC 6609): locations of :personal and :global scripts,
	 * Pigeonhole syntax ("file:DIR", "DIR", "dict:file:PATH"); NULL =
	 * unavailable (:personal then defaults to the script's directory in
	 * sieve_compile_file) */
	char *include_personal;
	char *include_global;
	bool *enabled;			/* per sieve_extensions[] index */
	char *capabilities;
	/* name -> command; open addressing, built once */
	struct sieve_cmd_entry *cmds;
	unsigned cmds_mask;
};

int sieve_ext_index(const char *name);
const struct sieve_ext_def *sieve_ext_find(const char *name);
bool sieve_ext_enabled(const struct sieve_instance *inst,
		       const struct sieve_ext_def *ext);
const struct sieve_cmd_entry *sieve_cmd_lookup(const struct sieve_instance *i,
					       const char *name);

/* One code block: the main script (block 0) or an included script
 * (RFC 6609), each with its own line table. */
struct sieve_binary_block {
	char *name;
	const uint8_t *code;
	size_t code_len;
	const uint8_t *lines;
	size_t lines_len;
};

/* A file the binary was compiled from besides the main script (included
 * scripts): the binary is stale once one of them changes. */
struct sieve_binary_dep {
	char *path;
	int64_t mtime;			/* seconds; -1: was missing */
	uint32_t mtime_ns;
	uint64_t size;
};

/* What the compiler hands to sieve_binary_build for one block. */
struct sieve_block_src {
	const char *name;
	const struct buf *code;
	const struct buf *lines;
};

/* A compiled program: either owned memory or an mmap. */
struct sieve_binary {
	struct sieve_instance *inst;
	const uint8_t *data;		/* whole image */
	size_t size;
	bool mapped;
	char *script_name;
	const uint8_t *code;
	size_t code_len;
	const uint8_t *lines;		/* line table */
	size_t lines_len;
	const struct sieve_ext_def *slots[SIEVE_MAX_SLOTS + 1];
	unsigned nslots;		/* slot 0 = core */
	struct sieve_binary_block *blocks;	/* [0] = the fields above */
	unsigned nblocks;
	struct sieve_binary_dep *deps;
	unsigned ndeps;
};

/* binary.c */
struct sieve_binary *sieve_binary_build(struct sieve_instance *inst,
					const struct sieve_ext_def *const *exts,
					unsigned nexts,
					const struct sieve_block_src *blocks,
					unsigned nblocks,
					const struct sieve_binary_dep *deps,
					unsigned ndeps);
unsigned sieve_binary_line_at(const struct sieve_binary *bin, size_t pc);
unsigned sieve_binary_block_line_at(const struct sieve_binary *bin,
				    unsigned block, size_t pc);
/* Fills dep from the file at path (stat); a missing file gets mtime -1. */
void sieve_binary_dep_stat(struct sieve_binary_dep *dep, const char *path);

/* varint helpers */
void sieve_put_varint(struct buf *b, uint64_t v);
/* 0 on success, -1 on truncation/overflow */
int sieve_get_varint(const uint8_t *p, size_t len, size_t *pos, uint64_t *v);

/* interp.c */
const char *sieve_opt_name(unsigned code);

/* result.c */
void sieve_result_set_stopped(struct sieve_result *r);
/* Quoting of sieve-test(1)'s action lines. */
void sieve_print_quoted(const char *s, FILE *out);
void sieve_result_begin_script(struct sieve_result *r, const char *script);
/* imap4flags: the internal flags variable (space-separated, as the script
 * spelled them) and its normalised list (NULL-terminated or NULL), copied;
 * the getter returns NULL until the first set. */
void sieve_result_set_internal_flags(struct sieve_result *r, const char *flags,
				     const char *const *list);
const char *sieve_result_internal_flags(const struct sieve_result *r);
/* For data hung on the result's actions. */
struct arena *sieve_result_arena(struct sieve_result *r);

/* dump helper: prints one operand at *pc; returns -1 on bad code */
int sieve_dump_operand(const struct sieve_binary *bin, size_t *pc, FILE *out);

#endif
