/*
 * arena.c -- region allocator (see arena.h).
 *
 * Blocks are chained newest first; a request larger than a quarter of the
 * block size gets a block of its own so that big strings do not waste the
 * tail of the current block.
 */
#include "arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN 8

struct arena_block {
	struct arena_block *next;
	size_t size;	/* usable bytes after the header */
	size_t used;
	max_align_t data[];
};

struct arena {
	struct arena_block *head;
	struct arena_block *first;
	size_t block_size;
	size_t total;
};

static unsigned long fail_countdown;

static void
default_oom(size_t n)
{
	fprintf(stderr, "fatal: out of memory (allocating %zu bytes)\n", n);
	exit(75);	/* EX_TEMPFAIL: the MTA will try again later */
}

static oom_handler_fn *oom_handler = default_oom;

void
set_oom_handler(oom_handler_fn *fn)
{
	oom_handler = fn ? fn : default_oom;
}

void
alloc_fail_after(unsigned long n)
{
	fail_countdown = n;
}

static int
injected_failure(void)
{
	if (fail_countdown == 0)
		return 0;
	return --fail_countdown == 0;
}

void *
xmalloc(size_t n)
{
	void *p = injected_failure() ? NULL : malloc(n ? n : 1);

	if (p == NULL)
		oom_handler(n);
	return p;
}

void *
xcalloc(size_t nmemb, size_t n)
{
	void *p;

	if (n && nmemb > SIZE_MAX / n)
		oom_handler(SIZE_MAX);
	p = injected_failure() ? NULL : calloc(nmemb ? nmemb : 1, n ? n : 1);
	if (p == NULL)
		oom_handler(nmemb * n);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = injected_failure() ? NULL : realloc(p, n ? n : 1);

	if (q == NULL)
		oom_handler(n);
	return q;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static struct arena_block *
block_new(size_t size)
{
	struct arena_block *b;

	if (size > SIZE_MAX - sizeof(*b))
		oom_handler(SIZE_MAX);
	b = xmalloc(sizeof(*b) + size);
	b->next = NULL;
	b->size = size;
	b->used = 0;
	return b;
}

struct arena *
arena_new(size_t block_size)
{
	struct arena *a = xmalloc(sizeof(*a));

	if (block_size < 256)
		block_size = 256;
	a->block_size = block_size;
	a->first = a->head = block_new(block_size);
	a->total = 0;
	return a;
}

void
arena_free(struct arena *a)
{
	struct arena_block *b, *next;

	if (a == NULL)
		return;
	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	free(a);
}

void
arena_reset(struct arena *a)
{
	struct arena_block *b, *next;

	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		if (b != a->first)
			free(b);
	}
	a->first->next = NULL;
	a->first->used = 0;
	a->head = a->first;
	a->total = 0;
}

size_t
arena_used(const struct arena *a)
{
	return a->total;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_block *b = a->head;
	size_t need;

	if (n > SIZE_MAX - ARENA_ALIGN || (fail_countdown && injected_failure()))
		oom_handler(n);
	need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (need == 0)
		need = ARENA_ALIGN;
	if (b->size - b->used < need) {
		if (need > a->block_size / 4) {
			/* Oversized: own block, linked behind the head. */
			struct arena_block *big = block_new(need);

			big->used = need;
			big->next = b->next;
			b->next = big;
			a->total += need;
			return big->data;
		}
		b = block_new(a->block_size);
		b->next = a->head;
		a->head = b;
	}
	{
		void *p = (char *)b->data + b->used;

		b->used += need;
		a->total += need;
		return p;
	}
}

void *
arena_zalloc(struct arena *a, size_t n)
{
	void *p = arena_alloc(a, n);

	memset(p, 0, n);
	return p;
}

void *
arena_memdup(struct arena *a, const void *p, size_t n)
{
	void *q = arena_alloc(a, n);

	if (n)
		memcpy(q, p, n);
	return q;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *
arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;
	char *p;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		n = 0;
	p = arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}
