/* settings.c -- sieve_* settings to an engine instance (sieve_settings.h). */
#include "sieve_settings.h"

#include <stdio.h>

#include "config.h"
#include "sieve.h"

struct limit_setting {
	const char *key;
	char kind;		/* 's' size, 'u' number, 't' time */
	size_t off;
	char width;		/* 'z' size_t, 'u' unsigned, 'q' uint64_t */
};

#define LIM(f) offsetof(struct sieve_limits, f)

static const struct limit_setting limit_settings[] = {
	{ "sieve_max_script_size", 's', LIM(max_script_size), 'z' },
	{ "sieve_max_actions", 'u', LIM(max_actions), 'u' },
	{ "sieve_max_redirects", 'u', LIM(max_redirects), 'u' },
	{ "sieve_max_cpu_time", 't', LIM(max_cpu_time), 'u' },
	{ "sieve_vacation_min_period", 't', LIM(vacation_min_period), 'q' },
	{ "sieve_vacation_max_period", 't', LIM(vacation_max_period), 'q' },
	{ "sieve_vacation_default_period", 't',
	  LIM(vacation_default_period), 'q' },
	{ "sieve_duplicate_default_period", 't',
	  LIM(duplicate_default_period), 'q' },
	{ "sieve_duplicate_max_period", 't', LIM(duplicate_max_period), 'q' },
	{ "sieve_variables_max_scope_size", 'u',
	  LIM(variables_max_scope_size), 'u' },
	{ "sieve_variables_max_variable_size", 's',
	  LIM(variables_max_variable_size), 'z' },
	{ "sieve_include_max_includes", 'u', LIM(include_max_includes), 'u' },
	{ "sieve_include_max_nesting_depth", 'u',
	  LIM(include_max_nesting_depth), 'u' },
};

int
sieve_settings_apply(struct sieve_instance *inst, const struct cfg *cfg,
		     const char *proto, char *err, size_t errlen)
{
	struct sieve_limits *lim = sieve_instance_limits(inst);
	const char *ext;
	size_t i;

	for (i = 0; i < sizeof(limit_settings) / sizeof(limit_settings[0]);
	     i++) {
		const struct limit_setting *s = &limit_settings[i];
		const char *raw = proto ? cfg_get_proto(cfg, proto, s->key) :
					  cfg_get(cfg, s->key);
		char *p = (char *)lim + s->off;
		uint64_t v;
		int r;

		if (raw == NULL)
			continue;	/* keep the engine's default */
		r = s->kind == 's' ? cfg_parse_size(raw, &v) :
		    s->kind == 't' ? cfg_parse_time(raw, &v) :
				     cfg_parse_uint(raw, &v);
		if (r < 0) {
			snprintf(err, errlen, "%s: invalid value \"%s\"",
				 s->key, raw);
			return -1;
		}
		if (s->width == 'z')
			*(size_t *)(void *)p = (size_t)v;
		else if (s->width == 'u')
			*(unsigned *)(void *)p = (unsigned)v;
		else
			*(uint64_t *)(void *)p = v;
	}
	{
		const char *g = proto ? cfg_get_proto(cfg, proto,
						      "sieve_global") :
					cfg_get(cfg, "sieve_global");

		if (g == NULL)
			g = proto ? cfg_get_proto(cfg, proto,
						  "sieve_global_dir") :
				    cfg_get(cfg, "sieve_global_dir");
		if (g != NULL && *g != '\0')
			sieve_instance_set_include(inst, true, g);
	}
	ext = proto ? cfg_get_proto(cfg, proto, "sieve_extensions") :
		      cfg_get(cfg, "sieve_extensions");
	if (ext != NULL) {
		char e[256];

		if (sieve_instance_set_extensions(inst, ext, e,
						  sizeof(e)) < 0) {
			snprintf(err, errlen, "sieve_extensions: %s", e);
			return -1;
		}
	}
	return 0;
}
