/*
 * config.h -- reader for Dovecot's configuration syntax.
 *
 * Mail administrators moving from Dovecot's LDA + Pigeonhole keep their
 * /etc/dovecot files; tamis reads the same files.  Supported: `key = value`
 * (plain, "double quoted" with \" and \\, 'single quoted'), # comments,
 * nested sections `name [arg] { ... }` (also on one line), !include and
 * !include_try with glob patterns, `key = <file`, $key expansion of earlier
 * top-level values, and key=value overrides (deliver -o).
 *
 * The result is a tree of sections; the root is the top level.  Top-level
 * keys are checked against the table of settings tamis knows; keys inside
 * sections are accepted as they are.  All memory belongs to the struct cfg.
 */
#ifndef TAMIS_CONFIG_H
#define TAMIS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cfg;

/*
 * One `key = value` line.  `src` is the path of a `key = <file` value;
 * read_errno is set (value "") when that file could not be read for lack
 * of permission (e.g. ssl_key when deliver runs as the mail user).  Files
 * of settings tamis ignores are not read (value "").
 */
struct cfg_entry {
	const char *key;
	const char *value;
	const char *src;
	int read_errno;
	const char *file;
	unsigned line;
	struct cfg_entry *next;
};

/* A section; the root has name "" and no parent. */
struct cfg_section {
	const char *name;
	const char *arg;		/* NULL when none */
	const char *file;
	unsigned line;
	struct cfg_entry *entries;
	struct cfg_section *children;
	struct cfg_section *next;	/* sibling */
	struct cfg_section *parent;
	struct cfg_entry **entries_tail;
	struct cfg_section **children_tail;
};

/* A known setting and its default (NULL: empty/unset). */
struct cfg_def {
	const char *name;
	const char *def;
};

/* Loads path; NULL with "file:line: message" in err on the first error. */
struct cfg *cfg_load(const char *path, char *err, size_t errsize);
struct cfg *cfg_new_empty(void);
void cfg_free(struct cfg *cfg);

/* Warnings collected while loading ("file:line: warning: ..."). */
size_t cfg_warning_count(const struct cfg *cfg);
const char *cfg_warning(const struct cfg *cfg, size_t i);

/* Applies "key=value" (or "section/key=value") after loading; -1 with a
 * message in err when malformed or the key is unknown. */
int cfg_override(struct cfg *cfg, const char *kv, char *err, size_t errsize);

/* Explicit top-level entry (file:line, src, read_errno), or NULL. */
const struct cfg_entry *cfg_get_entry(const struct cfg *cfg, const char *key);
/* Explicit top-level value, or NULL. */
const char *cfg_get(const struct cfg *cfg, const char *key);
/* `protocol <proto> { }` value, then `plugin { }`, then top level; NULL. */
const char *cfg_get_proto(const struct cfg *cfg, const char *proto,
			  const char *key);
/* Table default of a known setting (NULL when none or unknown). */
const char *cfg_default(const char *key);
bool cfg_is_known(const char *key);
const struct cfg_def *cfg_defs(size_t *n);

/*
 * Typed look-ups: the value comes from cfg_get_proto (proto non-NULL) or
 * cfg_get, else the table default.  0 on success, -1 when there is no value
 * or it does not parse.
 */
int cfg_get_uint(const struct cfg *cfg, const char *proto, const char *key,
		 uint64_t *out);
int cfg_get_size(const struct cfg *cfg, const char *proto, const char *key,
		 uint64_t *out);
int cfg_get_time(const struct cfg *cfg, const char *proto, const char *key,
		 uint64_t *secs);
int cfg_get_bool(const struct cfg *cfg, const char *proto, const char *key,
		 bool *out);

/* The same parsers on a string. */
int cfg_parse_uint(const char *s, uint64_t *out);
int cfg_parse_size(const char *s, uint64_t *out);	/* B k M G T */
int cfg_parse_time(const char *s, uint64_t *secs);	/* s m h d w, words */
int cfg_parse_bool(const char *s, bool *out);		/* yes / no */

/* Sections: the root, then children by name (NULL name: any). */
const struct cfg_section *cfg_root(const struct cfg *cfg);
const struct cfg_section *cfg_section_first(const struct cfg_section *parent,
					    const char *name);
const struct cfg_section *cfg_section_next(const struct cfg_section *sec,
					   const char *name);
/* Value of key directly inside sec, or NULL. */
const char *cfg_section_get(const struct cfg_section *sec, const char *key);

#endif
