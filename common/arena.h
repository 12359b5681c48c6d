/*
 * arena.h -- region allocator and checked allocation.
 *
 * An arena hands out memory from chained blocks and frees it all at once.
 * Lifetimes in tamis: one arena per compile, one per delivery, one per
 * protocol session. Out of memory is not recoverable for a mail program that
 * may be asked again later: the handler (default: print and exit 75,
 * EX_TEMPFAIL, so the MTA retries) is called and never returns.
 */
#ifndef TAMIS_ARENA_H
#define TAMIS_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena;

struct arena *arena_new(size_t block_size);
void arena_free(struct arena *a);
/* Frees every block but the first; the arena is empty again. */
void arena_reset(struct arena *a);
/* Bytes handed out since creation or the last reset. */
size_t arena_used(const struct arena *a);

void *arena_alloc(struct arena *a, size_t n);	/* 8-byte aligned, not zeroed */
void *arena_zalloc(struct arena *a, size_t n);
void *arena_memdup(struct arena *a, const void *p, size_t n);
char *arena_strdup(struct arena *a, const char *s);
/* Copies n bytes and appends a NUL. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Checked malloc family: never return NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Called on allocation failure; must not return. */
typedef void oom_handler_fn(size_t n);
void set_oom_handler(oom_handler_fn *fn);
/* Test hook: make the Nth allocation from now fail (0 = never). */
void alloc_fail_after(unsigned long n);

#endif
