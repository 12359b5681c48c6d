/*
 * testsuite.c -- state helpers of a testsuite run (see testsuite.h): the
 * current message, the in-memory mail store, the duplicate-tracking list,
 * the error log and the test_config_* settings.
 */
#include "testsuite.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "arena.h"
#include "sieve_private.h"

static void init_flags(struct testsuite *ts, struct sieve_result *r);

void
testsuite_set_message(struct testsuite *ts, const char *data, size_t len)
{
	ts->env->msg = sieve_message_parse(ts->arena, data, len);
	testsuite_set_message_flags(ts, NULL);
}

/* The current message's flags become r's internal flags (imap4flags). */
static void
init_flags(struct testsuite *ts, struct sieve_result *r)
{
	struct buf b = BUF_INIT;
	const char *const *f;

	for (f = ts->msg_flags; f && *f; f++) {
		if (b.len)
			buf_putc(&b, ' ');
		buf_puts(&b, *f);
	}
	buf_putc(&b, '\0');
	sieve_result_set_internal_flags(r, b.data, ts->msg_flags);
	buf_free(&b);
}

struct sieve_result *
testsuite_result_new(struct testsuite *ts)
{
	struct sieve_result *r = sieve_result_new(ts->arena,
						  &ts->inst->limits);

	init_flags(ts, r);
	return r;
}

void
testsuite_set_message_flags(struct testsuite *ts, const char *const *flags)
{
	ts->msg_flags = flags;
	if (ts->result)
		init_flags(ts, ts->result);
}

struct ts_mailbox *
testsuite_mailbox(struct testsuite *ts, const char *name, bool create)
{
	struct ts_mailbox *b;

	/* INBOX and its children: the INBOX part is case-insensitive */
	if (strcasecmp(name, "INBOX") == 0)
		name = "INBOX";
	else if (strncasecmp(name, "INBOX", 5) == 0 &&
		 (name[5] == '.' || name[5] == '/'))
		name = arena_printf(ts->arena, "INBOX%s", name + 5);
	for (b = ts->boxes; b; b = b->next)
		if (strcmp(b->name, name) == 0)
			return b;
	if (!create && strcmp(name, "INBOX") != 0)
		return NULL;
	b = arena_zalloc(ts->arena, sizeof(*b));
	b->name = arena_strdup(ts->arena, name);
	b->next = ts->boxes;
	ts->boxes = b;
	return b;
}

int
testsuite_mailbox_exists(void *ctx, const char *name)
{
	return testsuite_mailbox(ctx, name, false) != NULL;
}

static struct ts_dupe *
dupe_find(struct testsuite *ts, const unsigned char *id, size_t len)
{
	struct ts_dupe *d;

	for (d = ts->dupes; d; d = d->next)
		if (d->len == len && memcmp(d->id, id, len) == 0)
			return d;
	return NULL;
}

int
testsuite_duplicate_check(void *ctx, const unsigned char *id, size_t len)
{
	struct ts_dupe *d = dupe_find(ctx, id, len);

	return d != NULL && d->expires > (uint64_t)time(NULL);
}

void
testsuite_duplicate_commit(struct testsuite *ts,
			   const struct sieve_result *res)
{
	const struct sieve_duplicate_mark *const *marks;
	size_t n = sieve_result_duplicate_marks(res, &marks), i;
	uint64_t now = (uint64_t)time(NULL);

	for (i = 0; i < n; i++) {
		const struct sieve_duplicate_mark *m = marks[i];
		struct ts_dupe *d = dupe_find(ts, m->id, m->len);

		/* without :last an entry keeps its first expiry */
		if (d != NULL && d->expires > now && !m->last)
			continue;
		if (d == NULL) {
			d = arena_zalloc(ts->arena, sizeof(*d));
			d->id = arena_memdup(ts->arena, m->id, m->len);
			d->len = m->len;
			d->next = ts->dupes;
			ts->dupes = d;
		}
		d->expires = now + m->period;
	}
}

void
testsuite_error(struct testsuite *ts, const char *text)
{
	if (ts->nerrors == ts->caperrors) {
		size_t cap = ts->caperrors ? ts->caperrors * 2 : 16;
		char **n = arena_alloc(ts->arena, cap * sizeof(*n));

		if (ts->nerrors)
			memcpy(n, ts->errors, ts->nerrors * sizeof(*n));
		ts->errors = n;
		ts->caperrors = cap;
	}
	ts->errors[ts->nerrors++] = arena_strdup(ts->arena, text);
}

void
testsuite_errors_reset(struct testsuite *ts)
{
	ts->nerrors = 0;
}

static bool
parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (end == s)
		return false;
	switch (*end) {
	case 'k': case 'K':
		v *= 1024;
		end++;
		break;
	case 'm': case 'M':
		v *= 1024 * 1024;
		end++;
		break;
	case 'g': case 'G':
		v *= 1024ull * 1024 * 1024;
		end++;
		break;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	*out = v;
	return *end == '\0' || *end == ' ';
}

void
testsuite_config_apply(struct testsuite *ts)
{
	struct sieve_limits *lim = sieve_instance_limits(ts->inst);
	struct ts_setting *s;
	char err[256];

	*lim = ts->base_limits;
	for (s = ts->settings; s; s = s->next) {
		uint64_t v;

		if (s->value == NULL)
			continue;
		if (strcmp(s->key, "sieve_extensions") == 0) {
			sieve_instance_set_extensions(ts->inst, s->value, err,
						      sizeof(err));
		} else if (strcmp(s->key, "sieve_max_actions") == 0 &&
			   parse_size(s->value, &v)) {
			lim->max_actions = (unsigned)v;
		} else if (strcmp(s->key, "sieve_max_redirects") == 0 &&
			   parse_size(s->value, &v)) {
			lim->max_redirects = (unsigned)v;
		} else if (strcmp(s->key, "sieve_max_script_size") == 0 &&
			   parse_size(s->value, &v)) {
			lim->max_script_size = (size_t)v;
		} else if (strcmp(s->key, "sieve_max_cpu_time") == 0 &&
			   parse_size(s->value, &v)) {
			lim->max_cpu_time = (unsigned)v;
		}
	}
}
