/*
 * sieve_diag.h -- diagnostics of the Sieve engine: compile errors and
 * warnings, runtime errors.
 *
 * Messages are formatted like a compiler's:
 *     script:line:col: error: text
 * (without ":col" when the column is unknown, without ":line:col" when the
 * position is unknown). A diag counts errors and warnings and stops passing
 * errors on after max_errors (0 = unlimited), as a compiler caps its report.
 */
#ifndef SIEVE_DIAG_H
#define SIEVE_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

struct sieve_pos {
	unsigned line;	/* 1-based; 0 = unknown */
	unsigned col;	/* 1-based, in bytes; 0 = unknown */
};

enum sieve_severity {
	SIEVE_ERROR,
	SIEVE_WARNING,
	SIEVE_INFO,
};

/* Receives one finished diagnostic. text is the bare message; line is the
 * whole formatted line ("script:1:5: error: text"). */
typedef void sieve_diag_fn(void *ctx, enum sieve_severity sev,
			   struct sieve_pos pos, const char *text,
			   const char *line);

struct sieve_diag {
	const char *script;	/* name used in messages */
	unsigned errors;
	unsigned warnings;
	unsigned max_errors;	/* 0 = unlimited */
	bool capped;		/* max_errors reached: later errors dropped */
	sieve_diag_fn *emit;	/* NULL = print to stderr */
	void *ctx;
	FILE *out;		/* where the default emit prints (stderr if NULL) */
};

void sieve_diag_init(struct sieve_diag *d, const char *script);
void sieve_error(struct sieve_diag *d, struct sieve_pos pos,
		 const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void sieve_warning(struct sieve_diag *d, struct sieve_pos pos,
		   const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void sieve_info(struct sieve_diag *d, struct sieve_pos pos,
		const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void sieve_vdiag(struct sieve_diag *d, enum sieve_severity sev,
		 struct sieve_pos pos, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

#endif
