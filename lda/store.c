/*
 * store.c -- deliver's side of the user's Maildir (maildir.h): opened on
 * first use with the namespace's separator, the mailboxes the namespace
 * wants created ("auto = create | subscribe"), and the one-step store.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "config.h"
#include "lda.h"
#include "log.h"
#include "maildir.h"

/* "INBOX.Work" with prefix "INBOX." -> "Work": Sieve scripts written for
 * a prefixed namespace name folders with the prefix. */
static const char *
strip_prefix(struct lda *l, const char *box)
{
	size_t n = strlen(l->ns_prefix);

	if (n > 0 && strncasecmp(box, l->ns_prefix, n) == 0 && box[n] != '\0')
		return box + n;
	return box;
}

int
store_open(struct lda *l, char *err, size_t errlen)
{
	struct maildir_opts o;
	bool fsync_on = true;
	const char *v;

	if (l->md != NULL)
		return 0;
	memset(&o, 0, sizeof(o));
	o.sep = l->separator;
	v = cfg_get(l->cfg, "hostname");
	o.hostname = v && *v ? v : NULL;
	/* mail_fsync = never is a Dovecot setting for tests and tmpfs */
	v = cfg_get(l->cfg, "mail_fsync");
	if (v && strcmp(v, "never") == 0)
		fsync_on = false;
	o.no_fsync = !fsync_on;
	l->md = maildir_open(l->maildir_root, &o);
	if (maildir_mkroot(l->md) < 0) {
		snprintf(err, errlen, "Maildir %s: %s", l->maildir_root,
			 maildir_error(l->md));
		maildir_close(l->md);
		l->md = NULL;
		return -1;
	}
	return 0;
}

int
store_exists(struct lda *l, const char *mailbox)
{
	char err[512];

	if (store_open(l, err, sizeof(err)) < 0)
		return -1;
	mailbox = strip_prefix(l, mailbox);
	if (strcasecmp(mailbox, "INBOX") == 0)
		return 1;
	return maildir_mailbox_exists(l->md, mailbox);
}

int
store_create(struct lda *l, const char *mailbox, bool subscribe, char *err,
	     size_t errlen)
{
	if (store_open(l, err, errlen) < 0)
		return -1;
	mailbox = strip_prefix(l, mailbox);
	if (maildir_mailbox_create(l->md, mailbox, subscribe) < 0) {
		snprintf(err, errlen, "%s", maildir_error(l->md));
		return -1;
	}
	log_info("msgid=%s: created mailbox %s", l->msgid, mailbox);
	return 0;
}

int
store_save(struct lda *l, const struct store_target *t, size_t n, char *err,
	   size_t errlen)
{
	struct maildir_target *mt;
	size_t i;

	if (store_open(l, err, errlen) < 0)
		return -1;
	mt = arena_zalloc(l->arena, n * sizeof(*mt));
	for (i = 0; i < n; i++) {
		mt[i].mailbox = strip_prefix(l, t[i].mailbox);
		mt[i].flags = t[i].flags;
	}
	if (maildir_store(l->md, l->arena, l->data, l->len, mt, n) < 0) {
		snprintf(err, errlen, "%s", maildir_error(l->md));
		return -1;
	}
	for (i = 0; i < n; i++) {
		log_debug("stored %s", mt[i].path);
		if (mt[i].warnings & MAILDIR_WARN_KEYWORDS_FULL)
			log_warn("msgid=%s: %s: no room for more keywords; "
				 "some dropped", l->msgid, t[i].mailbox);
		if (mt[i].warnings & MAILDIR_WARN_BAD_FLAG)
			log_warn("msgid=%s: %s: invalid flag ignored",
				 l->msgid, t[i].mailbox);
	}
	return 0;
}

/* Dovecot's config writes "special_use = \\Junk" as often as "\Junk". */
void
store_autocreate(struct lda *l)
{
	const struct cfg_section *ns, *mb;
	char err[512];

	for (ns = cfg_section_first(cfg_root(l->cfg), "namespace"); ns;
	     ns = cfg_section_next(ns, "namespace")) {
		const char *inbox = cfg_section_get(ns, "inbox");

		if (!((inbox && strcmp(inbox, "yes") == 0) ||
		      (ns->arg && strcmp(ns->arg, "inbox") == 0)))
			continue;
		for (mb = cfg_section_first(ns, "mailbox"); mb;
		     mb = cfg_section_next(mb, "mailbox")) {
			const char *aut = cfg_section_get(mb, "auto");
			bool sub;

			if (mb->arg == NULL || aut == NULL)
				continue;
			if (strcmp(aut, "create") != 0 &&
			    strcmp(aut, "subscribe") != 0)
				continue;
			sub = strcmp(aut, "subscribe") == 0;
			if (maildir_mailbox_exists(l->md, mb->arg) == 1)
				continue;
			if (maildir_mailbox_create(l->md, mb->arg, sub) < 0)
				snprintf(err, sizeof(err), "%s",
					 maildir_error(l->md)),
				log_warn("cannot create mailbox %s: %s",
					 mb->arg, err);
		}
	}
}
