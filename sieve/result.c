/*
 * result.c -- the actions a script (or a sequence of scripts) decided on.
 *
 * RFC 5228 2.10: actions are collected while the script runs and carried
 * out by the host afterwards, all or nothing. Here: duplicate actions are
 * merged as they are added (same mailbox, same redirect address), limits
 * are enforced (sieve_max_actions, sieve_max_redirects), conflicts are
 * refused (RFC 5429 2.1/2.2: reject and ereject exclude delivery and a
 * second reject), and the implicit keep is tracked (2.10.2).
 *
 * Sequences of scripts (sieve_before, the user's, sieve_after; the
 * testsuite's rounds) follow Pigeonhole: a round ends when a script is done
 * (sieve_result_seal) or the host carried the actions out
 * (sieve_result_mark_executed). Actions of earlier rounds count as done:
 * a reject no longer conflicts with them, a second reject after an
 * executed one is dropped quietly, a keep merges into an earlier
 * fileinto "INBOX" and turns it into a keep. The sequence goes on only
 * while the keep is in effect: the implicit keep not cancelled, or an
 * explicit keep in the round that just ended; "stop" ends only its script.
 *
 * imap4flags (RFC 5232): the result holds the internal flags variable, so
 * that it spans the scripts of a sequence; keep and fileinto actions (the
 * implicit keep at the end) take its current value unless :flags says
 * otherwise, the last one winning when duplicates merge.
 */
#include "sieve_private.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "sieve_vacation.h"

struct sieve_result {
	struct arena *arena;
	struct sieve_limits lim;
	struct sieve_action **acts;
	size_t n, cap;
	bool keep_cancelled;
	bool round_keep;		/* explicit keep in the current round */
	bool implicit_listed;		/* the last pending list had it */
	bool implicit_executed;		/* carried out in an earlier round */
	bool stopped;
	unsigned redirects;
	const char *script;
	const struct sieve_action **final;
	struct sieve_action implicit;
	struct sieve_duplicate_mark **marks;
	size_t nmarks, capmarks;
	const char *iflags;		/* imap4flags internal variable */
	const char *const *iflag_list;	/* same, normalised; NULL = none */
};

struct sieve_result *
sieve_result_new(struct arena *a, const struct sieve_limits *lim)
{
	struct sieve_result *r = arena_zalloc(a, sizeof(*r));

	r->arena = a;
	if (lim)
		r->lim = *lim;
	else
		sieve_limits_default(&r->lim);
	return r;
}

void
sieve_result_begin_script(struct sieve_result *r, const char *script)
{
	r->script = script ? arena_strdup(r->arena, script) : NULL;
	r->stopped = false;
}

void
sieve_result_set_stopped(struct sieve_result *r)
{
	r->stopped = true;
}

bool
sieve_result_stopped(const struct sieve_result *r)
{
	return r->stopped;
}

void
sieve_result_cancel_keep(struct sieve_interp *ip)
{
	ip->result->keep_cancelled = true;
}

void
sieve_result_set_internal_flags(struct sieve_result *r, const char *flags,
				const char *const *list)
{
	size_t n = 0, i;
	const char **l;

	r->iflags = arena_strdup(r->arena, flags ? flags : "");
	while (list && list[n])
		n++;
	if (n == 0) {
		r->iflag_list = NULL;
		return;
	}
	l = arena_alloc(r->arena, (n + 1) * sizeof(*l));
	for (i = 0; i < n; i++)
		l[i] = arena_strdup(r->arena, list[i]);
	l[n] = NULL;
	r->iflag_list = l;
}

struct arena *
sieve_result_arena(struct sieve_result *r)
{
	return r->arena;
}

const char *
sieve_result_internal_flags(const struct sieve_result *r)
{
	return r->iflags;
}

bool
sieve_result_implicit_keep(const struct sieve_result *r)
{
	return !r->keep_cancelled;
}

size_t
sieve_result_actions(const struct sieve_result *r,
		     const struct sieve_action *const **actions)
{
	*actions = (const struct sieve_action *const *)r->acts;
	return r->n;
}

static bool
delivers(const struct sieve_action *a)
{
	return a->type == SIEVE_ACT_KEEP || a->type == SIEVE_ACT_FILEINTO ||
	       a->type == SIEVE_ACT_REDIRECT;
}

/* Actions answering the sender, which exclude a rejection (RFC 5429 2.1:
 * reject and vacation). */
static bool
sends_response(const struct sieve_action *a)
{
	return a->type == SIEVE_ACT_EXT && strcmp(a->name, "vacation") == 0;
}

static bool
is_reject(enum sieve_action_type t)
{
	return t == SIEVE_ACT_REJECT || t == SIEVE_ACT_EREJECT;
}

/* keep and fileinto "INBOX" store into the same place. */
static bool
same_target(const struct sieve_action *a, enum sieve_action_type type,
	    const char *target, size_t len)
{
	const char *t = a->target ? a->target : "";

	if (type == SIEVE_ACT_REDIRECT)
		/* addresses: compare case-insensitively (domain part), a
		 * difference in the local part's case is rare enough */
		return strlen(t) == len && strncasecmp(t, target, len) == 0;
	return strlen(t) == len && memcmp(t, target, len) == 0;
}

struct sieve_action *
sieve_result_add(struct sieve_interp *ip, enum sieve_action_type type,
		 const char *name, const char *target, size_t target_len,
		 bool copy)
{
	struct sieve_result *r = ip->result;
	struct sieve_action *a;
	size_t i;

	if (target == NULL)
		target = "";
	for (i = 0; i < r->n; i++) {
		a = r->acts[i];
		if (is_reject(type) && is_reject(a->type) && a->sealed)
			return a;	/* an earlier round rejected already */
		if (a->sealed)
			continue;	/* done: nothing to conflict with */
		if (is_reject(type) && (delivers(a) || is_reject(a->type) ||
					sends_response(a))) {
			sieve_runtime_error(ip, "%s action conflicts with the "
					    "earlier %s action", name,
					    a->name);
			return NULL;
		}
		if (is_reject(a->type) &&
		    (type == SIEVE_ACT_KEEP || type == SIEVE_ACT_FILEINTO ||
		     type == SIEVE_ACT_REDIRECT ||
		     (type == SIEVE_ACT_EXT && strcmp(name, "vacation") == 0))) {
			sieve_runtime_error(ip, "%s action conflicts with the "
					    "earlier %s action", name,
					    a->name);
			return NULL;
		}
	}
	for (i = 0; i < r->n; i++) {
		bool inbox_dup;

		a = r->acts[i];
		/* keep and fileinto "INBOX" are the same store */
		inbox_dup = (a->type == SIEVE_ACT_KEEP &&
			     type == SIEVE_ACT_FILEINTO && target_len == 5 &&
			     strncasecmp(target, "INBOX", 5) == 0) ||
			    (type == SIEVE_ACT_KEEP &&
			     a->type == SIEVE_ACT_FILEINTO &&
			     strcasecmp(a->target, "INBOX") == 0);
		if (inbox_dup ||
		    (a->type == type && type != SIEVE_ACT_EXT &&
		     same_target(a, type, target, target_len))) {
			if (type == SIEVE_ACT_KEEP && a->type != type) {
				/* keep takes precedence: the store into
				 * INBOX becomes the keep (done or not) */
				a->type = SIEVE_ACT_KEEP;
				a->name = name;
				a->target = "";
			}
			if (type == SIEVE_ACT_KEEP)
				r->round_keep = true;
			if (type == SIEVE_ACT_KEEP || type == SIEVE_ACT_FILEINTO)
				a->flags = r->iflag_list;
			if (!copy) {
				a->copy = false;
				r->keep_cancelled = true;
			}
			return a;
		}
	}
	if (type == SIEVE_ACT_REDIRECT) {
		if (r->lim.max_redirects && r->redirects >= r->lim.max_redirects) {
			sieve_runtime_error(ip, "number of redirect actions "
					    "exceeds policy limit (max %u)",
					    r->lim.max_redirects);
			return NULL;
		}
		r->redirects++;
	}
	if (r->lim.max_actions && r->n >= r->lim.max_actions) {
		sieve_runtime_error(ip, "total number of actions exceeds "
				    "policy limit (max %u)", r->lim.max_actions);
		return NULL;
	}
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 8;
		struct sieve_action **n = arena_alloc(r->arena,
						      cap * sizeof(*n));

		if (r->n)
			memcpy(n, r->acts, r->n * sizeof(*n));
		r->acts = n;
		r->cap = cap;
	}
	a = arena_zalloc(r->arena, sizeof(*a));
	a->type = type;
	a->name = name;
	a->target = arena_strndup(r->arena, target, target_len);
	a->copy = copy;
	if (type == SIEVE_ACT_KEEP || type == SIEVE_ACT_FILEINTO)
		a->flags = r->iflag_list;
	a->script = r->script;
	a->line = sieve_interp_line(ip);
	r->acts[r->n++] = a;
	if (type == SIEVE_ACT_KEEP)
		r->round_keep = true;
	if (!copy)
		r->keep_cancelled = true;
	return a;
}

/*
 * The list to carry out: explicit actions in order, keep and fileinto
 * "INBOX" merged, discards dropped, the implicit keep appended when it
 * still applies.
 */
size_t
sieve_result_final(struct sieve_result *r,
		   const struct sieve_action *const **actions)
{
	return sieve_result_pending(r, true, actions);
}

size_t
sieve_result_pending(struct sieve_result *r, bool implicit_keep,
		     const struct sieve_action *const **actions)
{
	size_t i, n = 0;
	bool stored_inbox = r->implicit_executed;

	r->final = arena_alloc(r->arena, (r->n + 1) * sizeof(*r->final));
	for (i = 0; i < r->n; i++) {
		const struct sieve_action *a = r->acts[i];
		bool inbox = a->type == SIEVE_ACT_KEEP ||
			     (a->type == SIEVE_ACT_FILEINTO &&
			      strcasecmp(a->target, "INBOX") == 0);

		if (a->type == SIEVE_ACT_DISCARD)
			continue;
		if (a->executed) {
			/* carried out in an earlier round: not again, and
			 * a store into INBOX then was the keep */
			stored_inbox = stored_inbox || inbox;
			continue;
		}
		if (inbox) {
			if (stored_inbox)
				continue;
			stored_inbox = true;
		}
		r->final[n++] = a;
	}
	r->implicit_listed = false;
	if (implicit_keep && !r->keep_cancelled && !stored_inbox) {
		r->implicit_listed = true;
		memset(&r->implicit, 0, sizeof(r->implicit));
		r->implicit.type = SIEVE_ACT_KEEP;
		r->implicit.name = "keep";
		r->implicit.target = "INBOX";
		r->implicit.flags = r->iflag_list;
		r->final[n++] = &r->implicit;
	}
	*actions = r->final;
	return n;
}

/* A script of a sequence failed at run time: its actions go, those of the
 * earlier scripts stay (the host then keeps the message as well). */
void
sieve_result_drop_round(struct sieve_result *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->n; i++)
		if (r->acts[i]->sealed)
			r->acts[n++] = r->acts[i];
	r->n = n;
}

/* Ends a round: what is in the result now belongs to an earlier round. */
bool
sieve_result_seal(struct sieve_result *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		r->acts[i]->sealed = true;
	if (r->round_keep)
		r->keep_cancelled = false;
	r->round_keep = false;
	return !r->keep_cancelled;
}

bool
sieve_result_mark_executed(struct sieve_result *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		r->acts[i]->executed = true;
	if (r->implicit_listed)
		r->implicit_executed = true;
	r->implicit_listed = false;
	return sieve_result_seal(r);
}

/* "text" with \" \\ and \n escaped, CR dropped: sieve-test's quoting. */
void
sieve_print_quoted(const char *s, FILE *out)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		if (*s == '\r')
			continue;
		if (*s == '\n') {
			fputs("\\n", out);
			continue;
		}
		fputc(*s, out);
	}
	fputc('"', out);
}

static void
print_flags(const char *const *flags, FILE *out)
{
	const char *const *f;

	if (flags == NULL)
		return;
	fputs(" :flags [", out);
	for (f = flags; *f; f++) {
		if (f != flags)
			fputs(", ", out);
		sieve_print_quoted(*f, out);
	}
	fputs("]", out);
}

void
sieve_action_print(const struct sieve_action *a, FILE *out)
{
	if (a->type == SIEVE_ACT_EXT && strcmp(a->name, "vacation") == 0) {
		sieve_vacation_print(a, out);
		return;
	}
	fputs(a->name, out);
	if (a->copy)
		fputs(" :copy", out);
	if (a->create)
		fputs(" :create", out);
	if (a->special_use) {
		fputs(" :specialuse ", out);
		sieve_print_quoted(a->special_use, out);
	}
	print_flags(a->flags, out);
	if (a->type != SIEVE_ACT_DISCARD &&
	    !(a->type == SIEVE_ACT_KEEP && a->target &&
	      strcmp(a->target, "INBOX") == 0) &&
	    a->target && *a->target) {
		fputc(' ', out);
		sieve_print_quoted(a->target, out);
	}
	fputc('\n', out);
}

void
sieve_result_print(struct sieve_result *r, FILE *out)
{
	const struct sieve_action *const *acts;
	size_t n = sieve_result_final(r, &acts), i;

	for (i = 0; i < n; i++) {
		if (acts[i] == &r->implicit) {
			fputs("keep :implicit", out);
			print_flags(acts[i]->flags, out);
			fputc('\n', out);
			continue;
		}
		sieve_action_print(acts[i], out);
	}
	for (i = 0; i < r->n; i++)
		if (r->acts[i]->type == SIEVE_ACT_DISCARD && n == 0)
			fputs("discard\n", out);
}

struct sieve_duplicate_mark *
sieve_result_add_duplicate_mark(struct sieve_interp *ip,
				const unsigned char *id, size_t len)
{
	struct sieve_result *r = ip->result;
	struct sieve_duplicate_mark *m;
	size_t i;

	for (i = 0; i < r->nmarks; i++)
		if (r->marks[i]->len == len &&
		    memcmp(r->marks[i]->id, id, len) == 0)
			return r->marks[i];
	if (r->nmarks == r->capmarks) {
		size_t cap = r->capmarks ? r->capmarks * 2 : 4;
		struct sieve_duplicate_mark **n =
			arena_alloc(r->arena, cap * sizeof(*n));

		if (r->nmarks)
			memcpy(n, r->marks, r->nmarks * sizeof(*n));
		r->marks = n;
		r->capmarks = cap;
	}
	m = arena_zalloc(r->arena, sizeof(*m));
	m->id = arena_memdup(r->arena, id, len);
	m->len = len;
	r->marks[r->nmarks++] = m;
	return m;
}

size_t
sieve_result_duplicate_marks(const struct sieve_result *r,
			     const struct sieve_duplicate_mark *const **marks)
{
	*marks = (const struct sieve_duplicate_mark *const *)r->marks;
	return r->nmarks;
}
