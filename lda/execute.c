/*
 * execute.c -- carrying out a Sieve result in deliver, as one transaction
 * as far as mail allows:
 *
 *   1. stores: keep and every fileinto, in one Maildir operation that puts
 *      the message everywhere or nowhere (nothing stored -> exit 75, the
 *      MTA retries, nothing was sent yet);
 *   2. outgoing mail: redirect, reject, vacation, notify. A redirect or rejection
 *      that cannot be sent falls back to keeping the message in INBOX, so
 *      that it is never lost;
 *   3. tracking entries (duplicate, vacation replies, redirects) are
 *      written only after the message was delivered.
 *
 * With no result (Sieve off or failed) the message goes to the default
 * mailbox (-m, else INBOX).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>


#include "arena.h"
#include "config.h"
#include "digest.h"
#include "lda.h"
#include "log.h"
#include "message.h"
#include "sieve_redirect.h"
#include "sieve_vacation.h"
#include "tamis.h"

#define MAX_TARGETS 64
#define REDIRECT_TRACK_PERIOD (24 * 3600)

/* ---- the engine's callbacks --------------------------------------------- */

static int
host_mailbox_exists(void *ctx, const char *mailbox)
{
	return store_exists(ctx, mailbox);
}

static int
host_duplicate_check(void *ctx, const unsigned char *id, size_t len)
{
	return db_check(ctx, id, len);
}

/* recipient_delimiter, hostname, sieve_env_*: as the lda protocol sees
 * them */
static const char *
host_setting(void *ctx, const char *key)
{
	struct lda *l = ctx;

	return cfg_get_proto(l->cfg, "lda", key);
}

const struct sieve_host *
lda_host(struct lda *l)
{
	static struct sieve_host host;

	host.ctx = l;
	host.mailbox_exists = host_mailbox_exists;
	host.duplicate_check = host_duplicate_check;
	host.setting = host_setting;
	return &host;
}

/* ---- helpers ------------------------------------------------------------- */

static void
digest(const char *a, const char *b, const char *c, unsigned char out[32])
{
	struct digest_sha256 ctx;

	if (digest_sha256_init(&ctx) < 0) {
		/* no tracking then: every key the same, never found */
		log_warn("digests unavailable: %s", digest_error());
		memset(out, 0, 32);
		return;
	}
	digest_sha256_update(&ctx, a, strlen(a) + 1);
	digest_sha256_update(&ctx, b, strlen(b) + 1);
	digest_sha256_update(&ctx, c, strlen(c) + 1);
	digest_sha256_final(&ctx, out);
}

/* The user's own address, for trace headers and replies. */
static const char *
user_address(struct lda *l)
{
	const char *v = cfg_get_proto(l->cfg, "lda", "sieve_user_email");

	if (v && *v)
		return v;
	if (l->env.to && strchr(l->env.to, '@'))
		return l->env.to;
	if (strchr(l->user, '@'))
		return l->user;
	v = cfg_get(l->cfg, "hostname");
	if (v == NULL || *v == '\0') {
		static char host[256];

		if (gethostname(host, sizeof(host) - 1) < 0)
			strcpy(host, "localhost");
		v = host;
	}
	return arena_printf(l->arena, "%s@%s", l->user, v);
}

static bool
is_inbox(const char *box)
{
	return strcasecmp(box, "INBOX") == 0;
}

struct plan {
	struct store_target t[MAX_TARGETS];
	size_t n;
	bool inbox_stored;
};

static void
plan_add(struct lda *l, struct plan *p, const char *box,
	 const char *const *flags)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->t[i].mailbox, box) == 0 ||
		    (is_inbox(box) && is_inbox(p->t[i].mailbox)))
			return;
	if (p->n == MAX_TARGETS) {
		log_warn("too many mailboxes; %s skipped", box);
		return;
	}
	p->t[p->n].mailbox = box;
	p->t[p->n].flags = flags;
	p->n++;
	(void)l;
}

/* The mailbox a store goes into: box when it exists or may be created,
 * else INBOX (the message is never lost for a missing folder). */
static const char *
resolve_mailbox(struct lda *l, const char *box, bool create)
{
	bool autocreate = false, autosub = false;
	char err[512];
	int e;

	if (is_inbox(box))
		return "INBOX";
	e = store_exists(l, box);
	if (e > 0)
		return box;
	(void)cfg_get_bool(l->cfg, "lda", "lda_mailbox_autocreate",
			   &autocreate);
	(void)cfg_get_bool(l->cfg, "lda", "lda_mailbox_autosubscribe",
			   &autosub);
	if (e == 0 && (create || autocreate)) {
		if (store_create(l, box, autosub, err, sizeof(err)) == 0)
			return box;
		log_err("msgid=%s: cannot create mailbox %s: %s: saving to "
			"INBOX", l->msgid, box, err);
		return "INBOX";
	}
	log_err("msgid=%s: mailbox %s %s: saving to INBOX instead", l->msgid,
		box, e == 0 ? "does not exist" : "cannot be checked");
	return "INBOX";
}

static int
store_plan(struct lda *l, struct plan *p)
{
	char err[512];
	size_t i;

	if (p->n == 0)
		return 0;
	if (store_save(l, p->t, p->n, err, sizeof(err)) < 0) {
		log_err("msgid=%s: saving the message failed: %s", l->msgid,
			err);
		return -1;
	}
	for (i = 0; i < p->n; i++) {
		lda_summary(l, "saved mail to %s", p->t[i].mailbox);
		if (is_inbox(p->t[i].mailbox))
			p->inbox_stored = true;
	}
	return 0;
}

/* Fallback when an outgoing action failed: keep the message in INBOX. */
static int
fallback_keep(struct lda *l, struct plan *done)
{
	struct plan p = { 0 };

	if (done->inbox_stored)
		return 0;
	plan_add(l, &p, "INBOX", NULL);
	if (store_plan(l, &p) < 0)
		return -1;
	done->inbox_stored = true;
	return 0;
}

/* ---- redirect ------------------------------------------------------------ */

/* MAIL FROM of a redirect: the engine's rules (sieve_redirect.h), then
 * SRS when configured. */
static const char *
redirect_sender(struct lda *l)
{
	const char *how = cfg_get_proto(l->cfg, "lda",
					"sieve_redirect_envelope_from");
	const char *pm = cfg_get(l->cfg, "postmaster_address");
	const char *from;
	char *srs;
	bool invalid;

	from = sieve_redirect_sender(l->arena, how, &l->env,
				     user_address(l), pm && *pm ? pm : NULL,
				     &invalid);
	if (invalid)
		log_warn("sieve_redirect_envelope_from: unknown value %s",
			 how);
	if (*from == '\0')
		return "";	/* a bounce stays a bounce */
	srs = lda_srs_forward(l, from);
	return srs ? srs : from;
}

/* Message text without a leading Return-Path: (the next hop adds its
 * own); everything else goes out unchanged. */
static const char *
body_for_resend(struct lda *l, size_t *len)
{
	const char *p = l->data, *end = l->data + l->len;

	while (p < end && strncasecmp(p, "Return-Path:", 12) == 0) {
		do {
			const char *nl = memchr(p, '\n', (size_t)(end - p));

			p = nl ? nl + 1 : end;
		} while (p < end && (*p == ' ' || *p == '\t'));
	}
	*len = (size_t)(end - p);
	return p;
}

static int
do_redirect(struct lda *l, const struct sieve_action *a, struct plan *done)
{
	const char *me = user_address(l), *from, *body;
	const char *rcpt[1] = { a->target };
	unsigned char id[32];
	char *prefix, err[512];
	size_t blen;

	if (sieve_redirect_loop(l->msg, sieve_path_address(l->arena, l->env.to),
				me)) {
		log_info("msgid=%s: redirect to <%s> skipped: the message "
			 "was already redirected by %s (loop)", l->msgid,
			 a->target, me);
		return fallback_keep(l, done);
	}
	digest("redirect", l->msgid, a->target, id);
	if (db_check(l, id, sizeof(id)) > 0) {
		lda_summary(l, "already forwarded to <%s>", a->target);
		return 0;
	}
	from = redirect_sender(l);
	prefix = arena_printf(l->arena, "X-Sieve-Redirected-From: %s\n", me);
	body = body_for_resend(l, &blen);
	if (lda_sendmail(l, from, rcpt, 1, prefix, strlen(prefix), body, blen,
			 err, sizeof(err)) < 0) {
		log_err("msgid=%s: redirect to <%s> failed: %s", l->msgid,
			a->target, err);
		return fallback_keep(l, done);
	}
	db_mark(l, id, sizeof(id), REDIRECT_TRACK_PERIOD, false);
	lda_summary(l, "forwarded to <%s>", a->target);
	return 0;
}

/* ---- reject -------------------------------------------------------------- */

static char *
rfc2822_date(struct lda *l)
{
	char buf[64];
	time_t now = time(NULL);

	strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S %z",
		 localtime(&now));
	return arena_strdup(l->arena, buf);
}

static const char *
hostname(struct lda *l)
{
	const char *v = cfg_get(l->cfg, "hostname");
	static char host[256];

	if (v && *v)
		return v;
	if (gethostname(host, sizeof(host) - 1) < 0)
		strcpy(host, "localhost");
	return host;
}

/* RFC 5429 2.1: a rejection as an MDN (RFC 8098) sent to the sender. */
static int
do_reject(struct lda *l, const struct sieve_action *a, struct plan *done)
{
	const char *pm = cfg_get(l->cfg, "postmaster_address");
	const char *rcpt[1] = { l->env.from };
	const char *const *subj;
	struct buf m = BUF_INIT;
	char err[512];
	size_t hdr_end;
	int r;

	if (l->env.from == NULL || *l->env.from == '\0') {
		lda_summary(l, "rejected (null sender: no rejection sent)");
		return 0;
	}
	if (pm == NULL || *pm == '\0')
		pm = arena_printf(l->arena, "MAILER-DAEMON@%s", hostname(l));
	buf_printf(&m, "Message-ID: <%ld.%d.reject@%s>\n", (long)time(NULL),
		   (int)getpid(), hostname(l));
	buf_printf(&m, "Date: %s\n", rfc2822_date(l));
	buf_printf(&m, "From: Mail Delivery System <%s>\n", pm);
	buf_printf(&m, "To: <%s>\n", l->env.from);
	if (sieve_message_header(l->msg, "subject", &subj) > 0)
		buf_printf(&m, "Subject: Rejected: %s\n", subj[0]);
	else
		buf_puts(&m, "Subject: Rejected: your message\n");
	if (strcmp(l->msgid, "(none)") != 0)
		buf_printf(&m, "In-Reply-To: %s\n", l->msgid);
	buf_puts(&m, "Auto-Submitted: auto-replied (rejected)\n"
		 "Precedence: bulk\nMIME-Version: 1.0\n"
		 "Content-Type: multipart/report; "
		 "report-type=disposition-notification;\n"
		 "\tboundary=\"tamis-reject-boundary\"\n\n"
		 "This is a MIME-encapsulated message.\n\n"
		 "--tamis-reject-boundary\n"
		 "Content-Type: text/plain; charset=utf-8\n"
		 "Content-Disposition: inline\n"
		 "Content-Transfer-Encoding: 8bit\n\n");
	buf_printf(&m, "Your message to <%s> was automatically rejected:\n"
		   "%s\n\n", l->env.to, a->target);
	buf_puts(&m, "--tamis-reject-boundary\n"
		 "Content-Type: message/disposition-notification\n\n");
	buf_printf(&m, "Reporting-UA: %s; tamis deliver\n", hostname(l));
	if (l->env.orig_to && strcmp(l->env.orig_to, l->env.to) != 0)
		buf_printf(&m, "Original-Recipient: rfc822; %s\n",
			   l->env.orig_to);
	buf_printf(&m, "Final-Recipient: rfc822; %s\n", l->env.to);
	if (strcmp(l->msgid, "(none)") != 0)
		buf_printf(&m, "Original-Message-ID: %s\n", l->msgid);
	buf_puts(&m, "Disposition: automatic-action/MDN-sent-automatically; "
		 "deleted\n\n--tamis-reject-boundary\n"
		 "Content-Type: text/rfc822-headers\n\n");
	/* the original header only: enough to identify it */
	{
		const char *p = strstr(l->data, "\n\n");

		hdr_end = p ? (size_t)(p - l->data) + 1 : l->len;
		buf_append(&m, l->data, hdr_end);
	}
	buf_puts(&m, "\n--tamis-reject-boundary--\n");
	r = lda_sendmail(l, "", rcpt, 1, NULL, 0, m.data, m.len, err,
			 sizeof(err));
	buf_free(&m);
	if (r < 0) {
		log_err("msgid=%s: sending the rejection failed: %s",
			l->msgid, err);
		return fallback_keep(l, done);
	}
	lda_summary(l, "rejected: %s", a->target);
	return 0;
}

/* ---- vacation ------------------------------------------------------------ */

static int
do_vacation(struct lda *l, const struct sieve_action *a)
{
	const struct sieve_vacation *v = a->ext_data;
	struct sieve_vacation_config vc;
	struct sieve_vacation_decision d;
	struct sieve_vacation_reply reply;
	unsigned char key[SIEVE_VACATION_KEY_LEN];
	static const char *const keys[] = {
		"sieve_vacation_send_from_recipient",
		"sieve_vacation_use_original_recipient",
		"sieve_vacation_dont_check_recipient",
		"sieve_vacation_to_header_ignore_envelope",
		"sieve_vacation_default_subject",
		"sieve_vacation_default_subject_template",
		"sieve_vacation_max_subject_codepoints",
	};
	const char **own;
	const char *rcpt[1];
	char err[512];
	size_t i;

	sieve_vacation_config_init(&vc);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *val = cfg_get_proto(l->cfg, "lda", keys[i]);

		if (val && sieve_vacation_config_set(&vc, l->arena, keys[i],
						     val) < 0)
			log_warn("%s: invalid value \"%s\"", keys[i], val);
	}
	own = arena_zalloc(l->arena, 2 * sizeof(*own));
	own[0] = user_address(l);
	vc.user_addresses = own;
	vc.hostname = hostname(l);
	if (!sieve_vacation_decide(l->arena, &vc, v, l->msg, &l->env, &d)) {
		lda_summary(l, "vacation not sent (%s)", d.why);
		return 0;
	}
	if (sieve_vacation_key(v, d.sender, key) == 0 &&
	    db_check(l, key, sizeof(key)) > 0) {
		lda_summary(l, "vacation not sent (already replied to <%s>)",
			    d.sender);
		return 0;
	}
	if (sieve_vacation_compose(l->arena, &vc, v, l->msg, &d, time(NULL),
				   &reply) < 0) {
		log_err("msgid=%s: cannot compose the vacation reply",
			l->msgid);
		return 0;
	}
	rcpt[0] = reply.rcpt_to;
	if (lda_sendmail(l, reply.mail_from, rcpt, 1, NULL, 0, reply.data,
			 reply.len, err, sizeof(err)) < 0) {
		log_err("msgid=%s: sending the vacation reply failed: %s",
			l->msgid, err);
		return 0;
	}
	if (v->period > 0)
		db_mark(l, key, sizeof(key), v->period, true);
	lda_summary(l, "sent vacation response to <%s>", reply.rcpt_to);
	return 0;
}

/* ---- notify ------------------------------------------------------------- */

/* RFC 5435/5436: a short notice to the mailto recipients, from the null
 * sender, marked auto-notified; no notice about automatic mail. A
 * failure is logged, the delivery goes on. */
static int
do_notify(struct lda *l, const struct sieve_action *a)
{
	const struct sieve_notify *n = a->ext_data;
	const char *const *vals;
	const char *subject, *pm = cfg_get(l->cfg, "postmaster_address");
	struct buf m = BUF_INIT;
	char err[512];

	if (n == NULL || n->nto == 0)
		return 0;
	if (sieve_message_header(l->msg, "auto-submitted", &vals) > 0 &&
	    strncasecmp(vals[0], "no", 2) != 0) {
		lda_summary(l, "notify to <%s> skipped: automatic message",
			    n->to[0]);
		return 0;
	}
	if (pm == NULL || *pm == '\0')
		pm = arena_printf(l->arena, "MAILER-DAEMON@%s", hostname(l));
	subject = n->subject ? n->subject : n->message;
	if (subject == NULL)
		subject = sieve_message_header(l->msg, "subject", &vals) > 0 ?
			  vals[0] : "new mail";
	buf_printf(&m, "Message-ID: <%ld.%d.notify@%s>\n", (long)time(NULL),
		   (int)getpid(), hostname(l));
	buf_printf(&m, "Date: %s\n", rfc2822_date(l));
	buf_printf(&m, "From: %s\n", n->from ? n->from : pm);
	buf_printf(&m, "Subject: %s\n", subject);
	buf_printf(&m, "Auto-Submitted: auto-notified; owner-email=\"%s\"\n",
		   user_address(l));
	buf_puts(&m, "Precedence: bulk\nMIME-Version: 1.0\n"
		 "Content-Type: text/plain; charset=utf-8\n"
		 "Content-Transfer-Encoding: 8bit\n\n");
	buf_printf(&m, "%s\n", n->message ? n->message : subject);
	if (lda_sendmail(l, "", n->to, n->nto, NULL, 0, m.data, m.len, err,
			 sizeof(err)) < 0)
		log_err("msgid=%s: sending the notification failed: %s",
			l->msgid, err);
	else
		lda_summary(l, "sent notification to <%s>", n->to[0]);
	buf_free(&m);
	return 0;
}

/* ---- the transaction ------------------------------------------------------ */

static void
commit_duplicate_marks(struct lda *l)
{
	const struct sieve_duplicate_mark *const *marks;
	size_t n, i;

	if (l->result == NULL || l->sieve_failed)
		return;
	n = sieve_result_duplicate_marks(l->result, &marks);
	for (i = 0; i < n; i++) {
		if (marks[i]->duplicate && !marks[i]->last)
			continue;	/* tracked already, expiry unchanged */
		db_mark(l, marks[i]->id, marks[i]->len, marks[i]->period,
			marks[i]->last);
	}
}

int
lda_execute(struct lda *l)
{
	const struct sieve_action *const *acts = NULL;
	struct plan p = { 0 };
	size_t n = 0, i;
	char err[512];
	bool discarded;

	if (store_open(l, err, sizeof(err)) < 0) {
		log_err("msgid=%s: %s (will retry)", l->msgid, err);
		fprintf(stderr, "deliver: %s\n", err);
		return TAMIS_EX_TEMPFAIL;
	}
	store_autocreate(l);
	if (l->result != NULL && !l->sieve_failed)
		n = sieve_result_final(l->result, &acts);
	discarded = l->result != NULL && !l->sieve_failed && n == 0;

	/* 1. -e: a rejection goes back to the MTA, nothing else happens */
	for (i = 0; i < n; i++) {
		const struct sieve_action *a = acts[i];

		if ((a->type == SIEVE_ACT_REJECT ||
		     a->type == SIEVE_ACT_EREJECT) && l->errors_to_exit) {
			fprintf(stderr, "%s\n", a->target);
			log_info("msgid=%s: rejected: %s", l->msgid,
				 a->target);
			return TAMIS_EX_NOPERM;
		}
	}

	/* 2. stores */
	if (l->result == NULL || l->sieve_failed) {
		plan_add(l, &p, resolve_mailbox(l, l->mailbox, false), NULL);
	} else {
		for (i = 0; i < n; i++) {
			const struct sieve_action *a = acts[i];

			if (a->type == SIEVE_ACT_KEEP)
				plan_add(l, &p, resolve_mailbox(l, l->mailbox,
								false),
					 a->flags);
			else if (a->type == SIEVE_ACT_FILEINTO)
				plan_add(l, &p, resolve_mailbox(l, a->target,
								a->create),
					 a->flags);
		}
		if (l->force_keep)
			plan_add(l, &p, "INBOX", NULL);
	}
	if (store_plan(l, &p) < 0) {
		fprintf(stderr, "deliver: saving the message failed\n");
		return TAMIS_EX_TEMPFAIL;
	}

	/* 3. outgoing */
	for (i = 0; i < n; i++) {
		const struct sieve_action *a = acts[i];
		int r = 0;

		switch (a->type) {
		case SIEVE_ACT_REDIRECT:
			r = do_redirect(l, a, &p);
			break;
		case SIEVE_ACT_REJECT:
		case SIEVE_ACT_EREJECT:
			r = do_reject(l, a, &p);
			break;
		case SIEVE_ACT_EXT:
			if (strcmp(a->name, "vacation") == 0)
				r = do_vacation(l, a);
			else if (strcmp(a->name, "notify") == 0)
				r = do_notify(l, a);
			break;
		default:
			break;
		}
		if (r < 0) {
			fprintf(stderr, "deliver: saving the message "
				"failed\n");
			return TAMIS_EX_TEMPFAIL;
		}
	}
	if (discarded)
		lda_summary(l, "discarded");

	/* 4. tracking */
	commit_duplicate_marks(l);
	if (db_commit(l) < 0)
		log_warn("msgid=%s: the tracking database could not be "
			 "updated", l->msgid);
	return TAMIS_EX_OK;
}
