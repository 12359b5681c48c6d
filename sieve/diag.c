/* diag.c -- compiler-style diagnostics (see sieve_diag.h). */
#include "sieve_diag.h"

#include <stdio.h>
#include <string.h>

static const char *const sev_label[] = {
	[SIEVE_ERROR] = "error",
	[SIEVE_WARNING] = "warning",
	[SIEVE_INFO] = "info",
};

void
sieve_diag_init(struct sieve_diag *d, const char *script)
{
	memset(d, 0, sizeof(*d));
	d->script = script ? script : "script";
	d->max_errors = 10;
}

void
sieve_vdiag(struct sieve_diag *d, enum sieve_severity sev,
	    struct sieve_pos pos, const char *fmt, va_list ap)
{
	char text[1024], line[1400];
	int n;

	if (sev == SIEVE_ERROR) {
		if (d->capped)
			return;
		d->errors++;
		if (d->max_errors && d->errors >= d->max_errors)
			d->capped = true;
	} else if (sev == SIEVE_WARNING) {
		d->warnings++;
	}
	vsnprintf(text, sizeof(text), fmt, ap);
	if (pos.line && pos.col)
		n = snprintf(line, sizeof(line), "%s:%u:%u: %s: %s", d->script,
			     pos.line, pos.col, sev_label[sev], text);
	else if (pos.line)
		n = snprintf(line, sizeof(line), "%s:%u: %s: %s", d->script,
			     pos.line, sev_label[sev], text);
	else
		n = snprintf(line, sizeof(line), "%s: %s: %s", d->script,
			     sev_label[sev], text);
	(void)n;
	if (d->emit)
		d->emit(d->ctx, sev, pos, text, line);
	else
		fprintf(d->out ? d->out : stderr, "%s\n", line);
}

#define DIAG_FN(fn, sev)						\
	void fn(struct sieve_diag *d, struct sieve_pos pos,		\
		const char *fmt, ...)					\
	{								\
		va_list ap;						\
		va_start(ap, fmt);					\
		sieve_vdiag(d, sev, pos, fmt, ap);			\
		va_end(ap);						\
	}

DIAG_FN(sieve_error, SIEVE_ERROR)
DIAG_FN(sieve_warning, SIEVE_WARNING)
DIAG_FN(sieve_info, SIEVE_INFO)
