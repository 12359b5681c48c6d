/* tool_common.c -- options shared by the Sieve tools (see tool_common.h). */
#include "tool_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "config.h"
#include "sieve_settings.h"
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
	if (o->cfg)
		cfg_free(o->cfg);
}

const char *
tool_setting(void *ctx, const char *key)
{
	const struct tool_opts *o = ctx;

	return o->cfg ? cfg_get_proto(o->cfg, "lda", key) : NULL;
}

/*
 * Applies the Sieve settings of a configuration file (as Dovecot's LDA sees
 * them: protocol lda { }, then plugin { }, then top level) to the
 * instance. Exits with EX_CONFIG on a bad file.
 */
static void
apply_config(struct sieve_instance *inst, struct tool_opts *o)
{
	struct cfg *cfg;
	char err[512];
	size_t i;

	cfg = cfg_load(o->config, err, sizeof(err));
	if (cfg == NULL) {
		fprintf(stderr, "%s\n", err);
		exit(TAMIS_EX_CONFIG);
	}
	for (i = 0; i < o->nset; i++)
		if (cfg_override(cfg, o->set[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "-o %s: %s\n", o->set[i], err);
			exit(TAMIS_EX_CONFIG);
		}
	for (i = 0; i < cfg_warning_count(cfg); i++)
		fprintf(stderr, "%s\n", cfg_warning(cfg, i));
	if (sieve_settings_apply(inst, cfg, "lda", err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", o->config, err);
		exit(TAMIS_EX_CONFIG);
	}
	o->cfg = cfg;
}

struct sieve_instance *
tool_instance(struct tool_opts *o)
{
	struct sieve_instance *inst;
	const char *fail = getenv("TAMIS_ALLOC_FAIL_AFTER");
	char err[256];
	unsigned i;

	/* fault injection for tests: the Nth allocation from here fails */
	if (fail && *fail)
		alloc_fail_after(strtoul(fail, NULL, 10));
	inst = sieve_instance_new(NULL);
	if (o->config)
		apply_config(inst, o);

	for (i = 0; i < o->next; i++) {
		if (sieve_instance_set_extensions(inst, o->ext[i], err,
						  sizeof(err)) < 0) {
			fprintf(stderr, "-x: %s\n", err);
			exit(TAMIS_EX_USAGE);
		}
	}
	return inst;
}
