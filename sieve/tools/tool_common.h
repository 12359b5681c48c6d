/*
 * tool_common.h -- what sievec, sieve-test and sieve-testsuite share:
 * the -c CONFIG / -x EXTENSIONS / -o KEY=VALUE options and making an
 * engine instance from them.
 */
#ifndef TOOL_COMMON_H
#define TOOL_COMMON_H

#include "sieve.h"

struct tool_opts {
	const char *config;	/* -c */
	char **ext;		/* -x, in order */
	unsigned next;
	char **set;		/* -o key=value */
	unsigned nset;
	struct cfg *cfg;	/* the -c file, kept for tool_setting */
};

void tool_opts_init(struct tool_opts *o);
void tool_opts_add(struct tool_opts *o, int opt, const char *arg);
void tool_opts_free(struct tool_opts *o);
/* Exits with a message on a bad configuration or extension list. */
struct sieve_instance *tool_instance(struct tool_opts *o);
/* sieve_host.setting over the -c file (ctx = the tool_opts): the
 * settings the engine reads while running, such as recipient_delimiter.
 * NULL without -c. */
const char *tool_setting(void *ctx, const char *key);

#endif
