/*
 * lda.h -- the state of one delivery, shared by the parts of deliver:
 *   deliver.c   command line, configuration, user, message in, exit code
 *   scripts.c   which Sieve scripts run, their .svbin cache and error log
 *   execute.c   carrying out the result (Maildir, outgoing mail, databases)
 *   mailer.c    handing mail to sendmail_path; SRS
 *   smtp.c      or submitting it over SMTP to submission_host
 */
#ifndef LDA_H
#define LDA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"
#include "sieve.h"
#include "userdb.h"

struct arena;
struct cfg;
struct maildir;
struct dupdb;

struct lda {
	struct cfg *cfg;
	struct arena *arena;

	/* command line */
	const char *user;		/* -d, or the invoking user */
	const char *sender;		/* -f; "" = null sender */
	const char *orig_rcpt;		/* -a */
	const char *final_rcpt;		/* -r, else user */
	const char *mailbox;		/* -m, else "INBOX" */
	bool errors_to_exit;		/* -e */

	/* user */
	struct userdb_user u;
	const char *home;		/* NULL when unknown */
	const char *maildir_root;
	char separator;			/* namespace hierarchy separator */
	const char *ns_prefix;		/* namespace inbox prefix ("" usually) */

	/* message */
	char *data;
	size_t len;
	struct sieve_message *msg;
	const char *msgid;		/* for logs: "<...>" or "" */
	struct sieve_envelope env;

	/* engine */
	struct sieve_instance *inst;
	struct sieve_instance *ginst;	/* global scripts, when
					   sieve_global_extensions adds some */
	struct sieve_result *result;
	bool sieve_failed;		/* runtime error: only keep the message */
	bool force_keep;		/* a script did not compile: keep too */

	/* storage and databases, opened on first use */
	struct maildir *md;
	struct dupdb *db;
	const char *db_path;

	/* what happened, for the one log line */
	struct buf summary;
};

/* scripts.c: runs sieve_before, the user's script, sieve_after. Returns
 * 0 (l->result holds the actions; l->sieve_failed when a script could not
 * be compiled or failed at run time: the caller keeps the message) or
 * -1 on a temporary failure (exit 75). */
int lda_run_scripts(struct lda *l);
/* "~/x" and %-variables of a setting. NULL when ~ is used without home. */
char *lda_expand_path(struct lda *l, const char *value);

/* execute.c: the engine's callbacks (mailboxexists, duplicate). */
const struct sieve_host *lda_host(struct lda *l);
/* execute.c: carries out the result; returns a sysexits code. */
int lda_execute(struct lda *l);

/* store.c: the user's Maildir (opened on first use). A target is one
 * mailbox with its flags. store_save puts the message into all targets at
 * once, durably, or into none (-1, errno set, message in err). */
struct store_target {
	const char *mailbox;		/* UTF-8 name, "INBOX" */
	const char *const *flags;	/* NULL-terminated, or NULL */
};
int store_open(struct lda *l, char *err, size_t errlen);
int store_exists(struct lda *l, const char *mailbox);	/* 1, 0, -1 */
int store_create(struct lda *l, const char *mailbox, bool subscribe,
		 char *err, size_t errlen);
int store_save(struct lda *l, const struct store_target *t, size_t n,
	       char *err, size_t errlen);
/* Creates the namespace's "auto = create|subscribe" mailboxes. */
void store_autocreate(struct lda *l);

/* db.c: the user's tracking database (duplicate, vacation, redirect),
 * ~/.tamis.dupes. check: 1 seen and not expired, 0 not, -1 error. Marks
 * are buffered and written by db_commit once the message is delivered. */
int db_check(struct lda *l, const unsigned char *id, size_t len);
void db_mark(struct lda *l, const unsigned char *id, size_t len,
	     uint64_t period, bool update);
int db_commit(struct lda *l);

/* mailer.c: sends a message (whole text) through sendmail_path, or over
 * SMTP when submission_host is set. from "" is the null sender. 0 sent,
 * -1 failed (message in err). */
int lda_sendmail(struct lda *l, const char *from, const char *const *rcpts,
		 size_t nrcpts, const char *prefix, size_t prefix_len,
		 const char *body, size_t body_len, char *err, size_t errlen);
/* smtp.c: submits a message over SMTP to server ("host[:port]", port 25
 * by default); every wait bounded by submission_timeout. The text may
 * have LF or CRLF line ends. 0 accepted, -1 failed or refused (message in
 * err: "submission_host mx:25: RCPT TO <x>: 550 5.1.1 no such user"). */
int lda_smtp_send(struct lda *l, const char *server, const char *from,
		  const char *const *rcpts, size_t nrcpts, const char *prefix,
		  size_t prefix_len, const char *body, size_t body_len,
		  char *err, size_t errlen);
/* SRS0 rewriting of an envelope sender for forwarding (NULL when SRS is
 * not configured or the sender cannot be rewritten). */
char *lda_srs_forward(struct lda *l, const char *sender);

void lda_summary(struct lda *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
