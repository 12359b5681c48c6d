/*
 * log.h -- logging to stderr (foreground, tools) or syslog (daemons, deliver).
 *
 * One line per event. %m is supported by both sinks (glibc printf).
 */
#ifndef TAMIS_LOG_H
#define TAMIS_LOG_H

#include <stdbool.h>

enum log_sink { LOG_TO_STDERR = 1, LOG_TO_SYSLOG = 2 };

void log_init(const char *ident, unsigned sinks, int facility);
void log_set_debug(bool on);
bool log_debug_enabled(void);

void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Logs and exits with the given status (a sysexits code). */
void fatal(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

#endif
