/*
 * registry.c -- the table of extensions and the engine instance.
 *
 * sieve/ext/extensions.def is expanded twice: once to declare each
 * extension's definition, once to list it. The instance keeps which of them
 * are enabled (sieve_extensions setting, sievec -x) and a hash of command
 * names built once, so that validating a 10,000-rule script looks each
 * command up in O(1).
 */
#include "sieve_private.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define EXT(id) extern const struct sieve_ext_def sieve_ext_##id;
#include "ext/extensions.def"
#undef EXT

const struct sieve_ext_def *const sieve_extensions[] = {
	&sieve_ext_core,
#define EXT(id) &sieve_ext_##id,
#include "ext/extensions.def"
#undef EXT
};

const unsigned sieve_extension_count =
	sizeof(sieve_extensions) / sizeof(sieve_extensions[0]);

void
sieve_limits_default(struct sieve_limits *lim)
{
	memset(lim, 0, sizeof(*lim));
	lim->max_script_size = 1024 * 1024;
	lim->max_nesting = 32;
	lim->max_string_len = 1024 * 1024;
	lim->max_list_items = 10000;
	lim->max_nodes = 1000000;
	lim->max_errors = 10;
	lim->max_actions = 32;
	lim->max_redirects = 4;
	lim->max_cpu_time = 0;
	lim->max_steps = 50000000;
	lim->max_runtime_memory = 64 * 1024 * 1024;
	lim->vacation_min_period = 24 * 3600;
	lim->vacation_max_period = 0;	/* no upper bound */
	lim->vacation_default_period = 7 * 24 * 3600;
	lim->duplicate_default_period = 12 * 3600;
	lim->duplicate_max_period = 2 * 24 * 3600;
	lim->variables_max_scope_size = 255;
	lim->variables_max_variable_size = 4 * 1024;
	lim->include_max_includes = 255;
	lim->include_max_nesting_depth = 10;
}

int
sieve_ext_index(const char *name)
{
	unsigned i;

	for (i = 1; i < sieve_extension_count; i++)
		if (strcmp(sieve_extensions[i]->name, name) == 0)
			return (int)i;
	return -1;
}

const struct sieve_ext_def *
sieve_ext_find(const char *name)
{
	int i = sieve_ext_index(name);

	return i < 0 ? NULL : sieve_extensions[i];
}

bool
sieve_ext_enabled(const struct sieve_instance *inst,
		  const struct sieve_ext_def *ext)
{
	unsigned i;

	if (ext->flags & SIEVE_EXTF_CORE)
		return true;
	for (i = 0; i < sieve_extension_count; i++)
		if (sieve_extensions[i] == ext)
			return inst->enabled[i];
	return false;
}

bool
sieve_instance_extension_enabled(const struct sieve_instance *inst,
				 const char *name)
{
	const struct sieve_ext_def *ext = sieve_ext_find(name);

	return ext != NULL && sieve_ext_enabled(inst, ext);
}

static unsigned
name_hash(const char *s)
{
	unsigned h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void
cmds_insert(struct sieve_instance *inst, const struct sieve_cmd_def *def,
	    const struct sieve_ext_def *ext)
{
	unsigned h = name_hash(def->name) & inst->cmds_mask;

	while (inst->cmds[h].name != NULL) {
		if (strcmp(inst->cmds[h].name, def->name) == 0) {
			/* first definition wins; a second is the alias */
			if (inst->cmds[h].alt_def == NULL) {
				inst->cmds[h].alt_def = def;
				inst->cmds[h].alt_ext = ext;
			}
			return;
		}
		h = (h + 1) & inst->cmds_mask;
	}
	inst->cmds[h].name = def->name;
	inst->cmds[h].def = def;
	inst->cmds[h].ext = ext;
}

const struct sieve_cmd_entry *
sieve_cmd_lookup(const struct sieve_instance *inst, const char *name)
{
	unsigned h = name_hash(name) & inst->cmds_mask;

	while (inst->cmds[h].name != NULL) {
		if (strcmp(inst->cmds[h].name, name) == 0)
			return &inst->cmds[h];
		h = (h + 1) & inst->cmds_mask;
	}
	return NULL;
}

struct sieve_instance *
sieve_instance_new(const struct sieve_limits *lim)
{
	struct sieve_instance *inst = xcalloc(1, sizeof(*inst));
	unsigned i, n = 0, size = 64;

	if (lim)
		inst->limits = *lim;
	else
		sieve_limits_default(&inst->limits);
	inst->enabled = xcalloc(sieve_extension_count, sizeof(bool));
	for (i = 0; i < sieve_extension_count; i++) {
		const struct sieve_ext_def *e = sieve_extensions[i];
		const struct sieve_cmd_def *const *c;

		inst->enabled[i] = !(e->flags & (SIEVE_EXTF_HIDDEN |
						 SIEVE_EXTF_OFF));
		for (c = e->cmds; c && *c; c++)
			n++;
	}
	while (size < n * 2)
		size *= 2;
	inst->cmds = xcalloc(size, sizeof(*inst->cmds));
	inst->cmds_mask = size - 1;
	for (i = 0; i < sieve_extension_count; i++) {
		const struct sieve_cmd_def *const *c;

		for (c = sieve_extensions[i]->cmds; c && *c; c++)
			cmds_insert(inst, *c, sieve_extensions[i]);
	}
	return inst;
}

void
sieve_instance_free(struct sieve_instance *inst)
{
	if (inst == NULL)
		return;
	free(inst->enabled);
	free(inst->cmds);
	free(inst->capabilities);
	free(inst->include_personal);
	free(inst->include_global);
	free(inst);
}

void
sieve_instance_set_include(struct sieve_instance *inst, bool global,
			   const char *location)
{
	char **p = global ? &inst->include_global : &inst->include_personal;

	free(*p);
	*p = location ? xstrdup(location) : NULL;
}

void
sieve_instance_enable_all(struct sieve_instance *inst)
{
	unsigned i;

	for (i = 0; i < sieve_extension_count; i++)
		if (!(sieve_extensions[i]->flags & SIEVE_EXTF_HIDDEN))
			inst->enabled[i] = true;
	free(inst->capabilities);
	inst->capabilities = NULL;
}

struct sieve_limits *
sieve_instance_limits(struct sieve_instance *inst)
{
	return &inst->limits;
}

/*
 * "+a -b" adjusts the current set; "a b" (no sign on any word) replaces it;
 * an empty spec leaves it as it is. Hidden extensions cannot be enabled
 * this way (sieve_instance_enable_hidden is for the testsuite).
 */
int
sieve_instance_set_extensions(struct sieve_instance *inst, const char *spec,
			      char *err, size_t errlen)
{
	bool absolute = true, any = false;
	bool *next = xcalloc(sieve_extension_count, sizeof(bool));
	const char *p;
	unsigned i;

	for (p = spec; *p; p++) {
		if ((*p == '+' || *p == '-') &&
		    (p == spec || isspace((unsigned char)p[-1])))
			absolute = false;
	}
	for (i = 0; i < sieve_extension_count; i++)
		next[i] = absolute ? false : inst->enabled[i];
	p = spec;
	for (;;) {
		char name[128];
		size_t n;
		char sign = 0;
		int idx;

		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		if (*p == '+' || *p == '-')
			sign = *p++;
		n = strcspn(p, " \t\r\n");
		if (n == 0 || n >= sizeof(name)) {
			snprintf(err, errlen, "invalid extension list '%s'",
				 spec);
			free(next);
			return -1;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		p += n;
		idx = sieve_ext_index(name);
		if (idx < 0 || (sieve_extensions[idx]->flags &
				SIEVE_EXTF_HIDDEN)) {
			snprintf(err, errlen, "unknown Sieve extension '%s'",
				 name);
			free(next);
			return -1;
		}
		next[idx] = sign != '-';
		any = true;
	}
	if (any || !absolute)
		memcpy(inst->enabled, next,
		       sieve_extension_count * sizeof(bool));
	free(next);
	free(inst->capabilities);
	inst->capabilities = NULL;
	return 0;
}

int
sieve_instance_enable_hidden(struct sieve_instance *inst, const char *name)
{
	int idx = sieve_ext_index(name);

	if (idx < 0)
		return -1;
	inst->enabled[idx] = true;
	return 0;
}

const char *
sieve_instance_capabilities(struct sieve_instance *inst)
{
	struct buf b = BUF_INIT;
	unsigned i;

	if (inst->capabilities)
		return inst->capabilities;
	buf_puts(&b, "");
	for (i = 1; i < sieve_extension_count; i++) {
		if (!inst->enabled[i] ||
		    (sieve_extensions[i]->flags & SIEVE_EXTF_HIDDEN))
			continue;
		if (b.len)
			buf_putc(&b, ' ');
		buf_puts(&b, sieve_extensions[i]->name);
	}
	inst->capabilities = buf_steal(&b, NULL);
	return inst->capabilities;
}
