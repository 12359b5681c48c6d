/* log.c -- stderr/syslog logging (see log.h). */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>

static const char *log_ident = "tamis";
static unsigned log_sinks = LOG_TO_STDERR;
static bool log_debug_on;

void
log_init(const char *ident, unsigned sinks, int facility)
{
	log_ident = ident ? ident : "tamis";
	log_sinks = sinks ? sinks : LOG_TO_STDERR;
	if (log_sinks & LOG_TO_SYSLOG)
		openlog(log_ident, LOG_PID, facility);	/* connects on first use */
}

void
log_set_debug(bool on)
{
	log_debug_on = on;
}

bool
log_debug_enabled(void)
{
	return log_debug_on;
}

static void
log_emit(int prio, const char *label, const char *fmt, va_list ap)
{
	int saved = errno;

	if (log_sinks & LOG_TO_SYSLOG) {
		va_list ap2;

		va_copy(ap2, ap);
		errno = saved;
		vsyslog(prio, fmt, ap2);
		va_end(ap2);
	}
	if (log_sinks & LOG_TO_STDERR) {
		fprintf(stderr, "%s: %s", log_ident, label);
		errno = saved;
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	errno = saved;
}

#define LOG_FN(name, prio, label)			\
	void name(const char *fmt, ...)			\
	{						\
		va_list ap;				\
		va_start(ap, fmt);			\
		log_emit(prio, label, fmt, ap);		\
		va_end(ap);				\
	}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_debug_on)
		return;
	va_start(ap, fmt);
	log_emit(LOG_DEBUG, "debug: ", fmt, ap);
	va_end(ap);
}

LOG_FN(log_info, LOG_INFO, "")
LOG_FN(log_warn, LOG_WARNING, "warning: ")
LOG_FN(log_err, LOG_ERR, "error: ")

void
fatal(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_CRIT, "fatal: ", fmt, ap);
	va_end(ap);
	exit(status);
}
