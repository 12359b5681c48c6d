/*
 * sieve_settings.h -- Pigeonhole's sieve_* settings applied to an engine
 * instance, shared by deliver, managesieved and the tools.
 */
#ifndef SIEVE_SETTINGS_H
#define SIEVE_SETTINGS_H

#include <stddef.h>

struct cfg;
struct sieve_instance;

/*
 * Reads the limits (sieve_max_script_size, sieve_max_actions,
 * sieve_max_redirects, sieve_max_cpu_time, sieve_vacation_*_period,
 * sieve_duplicate_*_period) and sieve_extensions as the protocol proto
 * sees them (protocol proto { }, plugin { }, top level). -1 with a
 * message in err on a bad value.
 */
int sieve_settings_apply(struct sieve_instance *inst, const struct cfg *cfg,
			 const char *proto, char *err, size_t errlen);

#endif
