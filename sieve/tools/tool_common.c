/* tool_common.c -- options shared by the Sieve tools (see tool_common.h). */
#include "tool_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "tamis.h"

void
tool_opts_init(struct tool_opts *o)
{
	memset(o, 0, sizeof(*o));
}

void
tool_opts_add(struct tool_opts *o, int opt, const char *arg)
{
	switch (opt) {
	case 'c':
		o->config = arg;
		break;
	case 'x':
		o->ext = xrealloc(o->ext, (o->next + 1) * sizeof(*o->ext));
		o->ext[o->next++] = xstrdup(arg);
		break;
	case 'o':
		o->set = xrealloc(o->set, (o->nset + 1) * sizeof(*o->set));
		o->set[o->nset++] = xstrdup(arg);
		break;
	}
}

void
tool_opts_free(struct tool_opts *o)
{
	unsigned i;

	for (i = 0; i < o->next; i++)
		free(o->ext[i]);
	for (i = 0; i < o->nset; i++)
		free(o->set[i]);
	free(o->ext);
	free(o->set);
}

struct sieve_instance *
tool_instance(const struct tool_opts *o)
{
	struct sieve_instance *inst = sieve_instance_new(NULL);
	char err[256];
	unsigned i;

	for (i = 0; i < o->next; i++) {
		if (sieve_instance_set_extensions(inst, o->ext[i], err,
						  sizeof(err)) < 0) {
			fprintf(stderr, "-x: %s\n", err);
			exit(TAMIS_EX_USAGE);
		}
	}
	return inst;
}
