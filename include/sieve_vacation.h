/*
 * sieve_vacation.h -- the host side of the Sieve "vacation" action
 * (RFC 5230, RFC 6131, RFC 3834): deciding whether to answer a message,
 * the response-database key, and the reply message itself. Used by
 * deliver and by the testsuite runner; the engine only records a struct
 * sieve_vacation in a "vacation" action (sieve.h).
 *
 * A host carries out a vacation action in this order:
 *   1. sieve_vacation_decide(): RFC 5230 4.5-4.6 and RFC 3834 checks
 *      (null and system senders, own addresses, lists, bulk mail,
 *      auto-submitted mail, implicit delivery). false: log d.why, done.
 *   2. sieve_vacation_key(): the response database key; when the host's
 *      database (common/dupdb) holds it and it has not expired, no reply.
 *   3. sieve_vacation_compose(): the reply and its SMTP envelope; send it,
 *      then record the key for vac->period seconds (0: do not record).
 *
 * Reply messages use LF line ends throughout (deliver pipes them to
 * sendmail, which accepts LF); header fields are folded at 78 columns.
 */
#ifndef SIEVE_VACATION_H
#define SIEVE_VACATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "sieve.h"

struct arena;
struct sieve_message;

/* Settings, with Dovecot's names. */
struct sieve_vacation_config {
	/* sieve_user_email and other addresses of the user (aliases):
	 * NULL-terminated, or NULL. No reply is sent to them; a message
	 * addressed to one of them is addressed to the user. */
	const char *const *user_addresses;
	bool send_from_recipient;	/* sieve_vacation_send_from_recipient:
					   MAIL FROM is the user's address
					   instead of reply_sender */
	bool use_original_recipient;	/* sieve_vacation_use_original_recipient */
	bool dont_check_recipient;	/* sieve_vacation_dont_check_recipient */
	bool to_header_ignore_envelope;	/* sieve_vacation_to_header_ignore_
					   envelope: To: is the first address
					   of Sender/Resent-From/From even when
					   it is not the envelope sender */
	const char *reply_sender;	/* MAIL FROM when not from the
					   recipient: "" (null sender <>) */
	const char *hostname;		/* right side of Message-ID */
	const char *default_subject;	/* sieve_vacation_default_subject:
					   when the message has no Subject;
					   NULL/"" = "Automated reply" */
	const char *default_subject_template;	/* sieve_vacation_default_
					   subject_template: "%$" or
					   "%{subject}" = original subject;
					   NULL/"" = "Auto: %$" */
	unsigned max_subject_codepoints;	/* sieve_vacation_max_subject_
					   codepoints: 256; 0 = no limit */
};

/* Defaults: null reply sender, hostname "localhost", 256 code points. */
void sieve_vacation_config_init(struct sieve_vacation_config *cfg);
/*
 * Applies one setting by its Dovecot name (sieve_vacation_* or
 * sieve_user_email; value strings must outlive cfg; a user_addresses list
 * is allocated in a). Returns 1 when applied, 0 when key is not a
 * vacation setting, -1 when the value is invalid.
 */
int sieve_vacation_config_set(struct sieve_vacation_config *cfg,
			      struct arena *a, const char *key,
			      const char *value);

struct sieve_vacation_decision {
	bool send;
	const char *why;	/* when !send: the reason, for the log */
	const char *sender;	/* the envelope sender (reply recipient),
				   normalized to local@domain */
	const char *user;	/* the user's address found in the headers
				   (recipient, original recipient, :addresses
				   item or user address): default From: */
	const char *smtp_from;	/* MAIL FROM of the reply ("" = <>) */
};

/*
 * RFC 5230 4.5/4.6 and RFC 3834 2, 3.1.7 (as Pigeonhole checks them):
 * no reply when the envelope recipient or sender is null, the sender is
 * the recipient, an :addresses item or a user address, a system address
 * (MAILER-DAEMON, LISTSERV, majordomo, *-request*, owner-*), the message
 * has List-Id/-Owner/-Subscribe/-Post/-Unsubscribe/-Help/-Archive,
 * Auto-Submitted other than "no", Precedence bulk/list/junk, or
 * X-Auto-Response-Suppress All/OOF; nor when none of the user's addresses
 * appears in To/Cc/Bcc/Resent-To/Resent-Cc/Resent-Bcc (unless
 * dont_check_recipient). Returns d->send; strings are allocated in a.
 */
bool sieve_vacation_decide(struct arena *a,
			   const struct sieve_vacation_config *cfg,
			   const struct sieve_vacation *vac,
			   struct sieve_message *msg,
			   const struct sieve_envelope *env,
			   struct sieve_vacation_decision *d);

#define SIEVE_VACATION_KEY_LEN 32

/*
 * Response database key: SHA-256 of the handle (:handle, or the one
 * RFC 5230 4.2 derives from the reason, :subject, :from and :mime) and
 * the lower-cased sender address. Returns 0, or -1 when the digest fails.
 */
int sieve_vacation_key(const struct sieve_vacation *vac, const char *sender,
		       unsigned char key[SIEVE_VACATION_KEY_LEN]);

struct sieve_vacation_reply {
	const char *mail_from;	/* "" = null sender <> */
	const char *rcpt_to;
	const char *data;	/* the message, LF line ends */
	size_t len;
};

/*
 * Builds the reply to msg: From (:from, else d->user), To (the sender's
 * entry of Sender/Resent-From/From, else <sender>), Subject (:subject,
 * else from the template; RFC 2047-encoded when not ASCII), Date,
 * Message-ID, In-Reply-To and References, Auto-Submitted: auto-replied
 * (vacation), Precedence: bulk, MIME-Version and either a text/plain
 * UTF-8 body (7bit, 8bit, or quoted-printable for lines over 998
 * octets) or the :mime entity as given. now is the Date. Returns 0, -1
 * when d does not allow a reply.
 */
int sieve_vacation_compose(struct arena *a,
			   const struct sieve_vacation_config *cfg,
			   const struct sieve_vacation *vac,
			   struct sieve_message *msg,
			   const struct sieve_vacation_decision *d,
			   time_t now, struct sieve_vacation_reply *out);

/* The response's handle: :handle, else the engine's auto_handle, else
 * derived from the (expanded) arguments (RFC 5230 4.2). */
const char *sieve_vacation_handle(struct arena *a,
				  const struct sieve_vacation *vac);
/* The derivation: every argument length-counted, NULL distinct from "". */
const char *sieve_vacation_derive_handle(struct arena *a, const char *reason,
					 const char *subject, const char *from,
					 bool mime);

/* One line for sieve-test(1): vacation [:days N|:seconds N] [:subject S]
 * [:from S] [:addresses [...]] [:mime] [:handle S] "reason". */
void sieve_vacation_print(const struct sieve_action *act, FILE *out);

#endif
