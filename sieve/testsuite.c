/*
 * testsuite.c -- state helpers of a testsuite run (see testsuite.h): the
 * current message, the in-memory mail store, the duplicate-tracking list,
 * the error log, the test_config_* settings and vacation replies into the
 * outbox.
 */
#include "testsuite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "address.h"
#include "arena.h"
#include "config.h"
#include "message.h"
#include "sieve_private.h"
#include "sieve_vacation.h"

static void init_flags(struct testsuite *ts, struct sieve_result *r);

/* The first valid address of the first field called name, or NULL. */
static const char *
first_address(struct testsuite *ts, const char *name)
{
	const char *const *vals;
	struct sieve_address *as;
	size_t n, i;

	if (sieve_message_header(ts->env->msg, name, &vals) == 0)
		return NULL;
	n = sieve_address_list_parse(ts->arena, vals[0], strlen(vals[0]),
				     &as);
	for (i = 0; i < n; i++)
		if (as[i].local_part && as[i].domain)
			return as[i].all;
	return NULL;
}

/*
 * As Pigeonhole's testsuite does, a new message brings its envelope:
 * recipient from Envelope-To or To, sender from Return-Path, Sender or
 * From, defaults recipient@example.com and sender@example.com.
 */
void
testsuite_set_message(struct testsuite *ts, const char *data, size_t len)
{
	const char *to, *from;

	ts->env->msg = sieve_message_parse(ts->arena, data, len);
	testsuite_set_message_flags(ts, NULL);
	if (ts->envelope == NULL)
		return;
	if ((to = first_address(ts, "envelope-to")) == NULL &&
	    (to = first_address(ts, "to")) == NULL)
		to = "recipient@example.com";
	if ((from = first_address(ts, "return-path")) == NULL &&
	    (from = first_address(ts, "sender")) == NULL &&
	    (from = first_address(ts, "from")) == NULL)
		from = "sender@example.com";
	ts->envelope->to = to;
	ts->envelope->orig_to = to;
	ts->envelope->from = from;
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

const char *
testsuite_setting(void *ctx, const char *key)
{
	struct testsuite *ts = ctx;
	struct ts_setting *s;

	for (s = ts->settings; s; s = s->next)
		if (strcmp(s->key, key) == 0)
			return s->value;
	if (strcmp(key, "hostname") == 0)
		return "tamis.example.net";
	return NULL;
}

void
testsuite_config_apply(struct testsuite *ts)
{
	struct sieve_limits *lim = sieve_instance_limits(ts->inst);
	struct ts_setting *s;
	char err[256];

	const char *personal = NULL, *global = NULL;

	*lim = ts->base_limits;
	for (s = ts->settings; s; s = s->next) {
		uint64_t v;

		if (s->value == NULL)
			continue;
		if (strcmp(s->key, "sieve") == 0 ||
		    (strcmp(s->key, "sieve_dir") == 0 && personal == NULL)) {
			personal = s->value;
		} else if (strcmp(s->key, "sieve_global") == 0 ||
			   (strcmp(s->key, "sieve_global_dir") == 0 &&
			    global == NULL)) {
			global = s->value;
		} else if (strcmp(s->key, "sieve_extensions") == 0) {
			sieve_instance_set_extensions(ts->inst, s->value, err,
						      sizeof(err));
		} else if (strcmp(s->key, "sieve_max_actions") == 0 &&
			   parse_size(s->value, &v)) {
			lim->max_actions = (unsigned)v;
		} else if (strcmp(s->key, "sieve_include_max_includes") == 0 &&
			   parse_size(s->value, &v)) {
			lim->include_max_includes = (unsigned)v;
		} else if (strcmp(s->key,
				  "sieve_include_max_nesting_depth") == 0 &&
			   parse_size(s->value, &v)) {
			lim->include_max_nesting_depth = (unsigned)v;
		} else if (strcmp(s->key, "sieve_max_redirects") == 0 &&
			   parse_size(s->value, &v)) {
			lim->max_redirects = (unsigned)v;
		} else if (strcmp(s->key, "sieve_max_script_size") == 0 &&
			   parse_size(s->value, &v)) {
			lim->max_script_size = (size_t)v;
		} else if (strcmp(s->key, "sieve_variables_max_scope_size") ==
			   0 && parse_size(s->value, &v)) {
			lim->variables_max_scope_size = (unsigned)v;
		} else if (strcmp(s->key,
				  "sieve_variables_max_variable_size") == 0 &&
			   parse_size(s->value, &v)) {
			lim->variables_max_variable_size = (size_t)v;
		} else if (strcmp(s->key, "sieve_max_cpu_time") == 0 &&
			   parse_size(s->value, &v)) {
			lim->max_cpu_time = (unsigned)v;
		} else if (strcmp(s->key, "sieve_vacation_min_period") == 0 &&
			   cfg_parse_time(s->value, &v) == 0) {
			lim->vacation_min_period = v;
		} else if (strcmp(s->key, "sieve_vacation_max_period") == 0 &&
			   cfg_parse_time(s->value, &v) == 0) {
			lim->vacation_max_period = v;
		} else if (strcmp(s->key, "sieve_vacation_default_period") == 0 &&
			   cfg_parse_time(s->value, &v) == 0) {
			lim->vacation_default_period = v;
		}
	}
	testsuite_include_locations(ts, personal, global);
}

/* As Pigeonhole's testsuite: included scripts beside the .svtest file, in
 * "included" (:personal) and "included-global" (:global), unless the
 * sieve / sieve_global settings say otherwise. */
void
testsuite_include_locations(struct testsuite *ts, const char *personal,
			    const char *global)
{
	sieve_instance_set_include(ts->inst, false, personal ? personal :
				   arena_printf(ts->arena, "%s/included",
						ts->dir));
	sieve_instance_set_include(ts->inst, true, global ? global :
				   arena_printf(ts->arena,
						"%s/included-global",
						ts->dir));
}

bool
testsuite_vacation(struct testsuite *ts, const struct sieve_action *a)
{
	const struct sieve_vacation *vac = a->ext_data;
	struct sieve_vacation_config cfg;
	struct sieve_vacation_decision d;
	struct sieve_vacation_reply reply;
	struct ts_replied *r;
	struct ts_setting *s;
	unsigned char key[SIEVE_VACATION_KEY_LEN];

	if (vac == NULL)
		return false;
	sieve_vacation_config_init(&cfg);
	cfg.hostname = "tamis.example.net";
	for (s = ts->settings; s; s = s->next)
		(void)sieve_vacation_config_set(&cfg, ts->arena, s->key,
						s->value);
	if (!sieve_vacation_decide(ts->arena, &cfg, vac, ts->env->msg,
				   ts->envelope, &d)) {
		if (ts->verbose)
			printf("##   vacation: %s\n", d.why);
		return true;
	}
	if (sieve_vacation_key(vac, d.sender, key) < 0)
		return false;
	for (r = ts->replied; r; r = r->next)
		if (memcmp(r->key, key, sizeof(key)) == 0) {
			if (ts->verbose)
				printf("##   vacation: already replied to "
				       "<%s>\n", d.sender);
			return true;
		}
	if (sieve_vacation_compose(ts->arena, &cfg, vac, ts->env->msg, &d,
				   time(NULL), &reply) < 0)
		return false;
	if (vac->period > 0) {
		r = arena_zalloc(ts->arena, sizeof(*r));
		memcpy(r->key, key, sizeof(key));
		r->next = ts->replied;
		ts->replied = r;
	}
	if (ts->nsent == ts->capsent) {
		size_t cap = ts->capsent ? ts->capsent * 2 : 4;
		struct ts_message *nm = arena_alloc(ts->arena,
						    cap * sizeof(*nm));

		if (ts->nsent)
			memcpy(nm, ts->sent, ts->nsent * sizeof(*nm));
		ts->sent = nm;
		ts->capsent = cap;
	}
	ts->sent[ts->nsent].data = reply.data;
	ts->sent[ts->nsent].len = reply.len;
	ts->sent[ts->nsent].env_from = reply.mail_from;
	ts->sent[ts->nsent].env_to = reply.rcpt_to;
	ts->sent[ts->nsent].flags = NULL;
	ts->nsent++;
	return true;
}
