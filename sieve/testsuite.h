/*
 * testsuite.h -- state of a testsuite run, shared by the hidden extension
 * vnd.dovecot.testsuite (sieve/ext/testsuite.c) and the runner program
 * (sieve/tools/sieve-testsuite.c).
 *
 * The runner compiles one .svtest file with the extension enabled and runs
 * it; the extension's commands then drive the engine: set the message and
 * envelope, compile and run other scripts, look at their errors and
 * results, execute results into an in-memory mail store and outbox.
 */
#ifndef SIEVE_TESTSUITE_H
#define SIEVE_TESTSUITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sieve.h"

struct arena;

struct ts_message {
	const char *data;
	size_t len;
	const char *env_from;	/* outbox: MAIL FROM */
	const char *env_to;	/* outbox: RCPT TO */
	const char *const *flags;	/* store: IMAP flags (imap4flags) */
};

struct ts_mailbox {
	struct ts_mailbox *next;
	const char *name;
	struct ts_message *msgs;
	size_t n, cap;
};

/* An entry of the in-memory duplicate-tracking list (RFC 7352). */
struct ts_dupe {
	struct ts_dupe *next;
	const unsigned char *id;
	size_t len;
	uint64_t expires;	/* time(NULL) based */
};

/* The testsuite's vacation response database: keys of replies sent. */
struct ts_replied {
	struct ts_replied *next;
	unsigned char key[32];
};

struct ts_setting {
	struct ts_setting *next;
	const char *key;
	const char *value;
};

struct testsuite {
	struct sieve_instance *inst;
	struct sieve_limits base_limits;
	const char *dir;		/* directory of the .svtest file */
	const char *tmpdir;		/* binaries saved by test_binary_save */
	struct arena *arena;		/* lives as long as the run */
	struct sieve_exec_env *env;	/* the .svtest's own environment */
	struct sieve_envelope *envelope;
	struct sieve_result *result;	/* current result */
	struct sieve_binary *compiled;	/* last test_script_compile */
	char **errors;			/* messages of the last compile/run */
	size_t nerrors, caperrors;
	/* current test */
	const char *test_name;
	bool in_test;
	bool test_failed;
	const char *fail_reason;
	size_t test_end;		/* pc of TEST_FINISH */
	unsigned passed, failed;
	bool global_failure;
	/* mail store and outbox */
	struct ts_mailbox *boxes;
	struct ts_message *sent;
	size_t nsent, capsent;
	struct ts_setting *settings;
	struct ts_dupe *dupes;		/* duplicate-tracking list */
	struct ts_replied *replied;	/* emptied by test_result_reset */
	bool verbose;
	/* flags of the current message when it came from the store: a new
	 * result starts its imap4flags internal variable with them, as a
	 * script run on a stored IMAP message sees its flags */
	const char *const *msg_flags;
};

void testsuite_set_message(struct testsuite *ts, const char *data,
			   size_t len);
/* A fresh result for the current message. */
struct sieve_result *testsuite_result_new(struct testsuite *ts);
/* Makes flags the current message's flags (and the current result's
 * internal flags). */
void testsuite_set_message_flags(struct testsuite *ts,
				 const char *const *flags);
struct ts_mailbox *testsuite_mailbox(struct testsuite *ts, const char *name,
				     bool create);
/* sieve_host.mailbox_exists over the in-memory store (ctx = testsuite) */
int testsuite_mailbox_exists(void *ctx, const char *name);
/* sieve_host.duplicate_check over the in-memory list (ctx = testsuite) */
int testsuite_duplicate_check(void *ctx, const unsigned char *id,
			      size_t len);
/* Stores the duplicate marks of an executed result, as deliver does
 * after a successful delivery. */
void testsuite_duplicate_commit(struct testsuite *ts,
				const struct sieve_result *res);
void testsuite_error(struct testsuite *ts, const char *text);
void testsuite_errors_reset(struct testsuite *ts);
/* Carries out a vacation action: decides (sieve_vacation.h) with the
 * test_config_set settings, skips senders already answered since the
 * last test_result_reset, composes the reply into the outbox. Not
 * replying is no failure; false only when composing fails. */
bool testsuite_vacation(struct testsuite *ts, const struct sieve_action *a);
/* sieve_host.setting over the test_config_set settings (ctx =
 * testsuite): they apply at once, test_config_reload is not needed for
 * those the engine reads while running (recipient_delimiter,
 * sieve_env_*). hostname is "tamis.example.net" unless set. */
const char *testsuite_setting(void *ctx, const char *key);
/* Applies the test_config_set settings to the instance. */
void testsuite_config_apply(struct testsuite *ts);
/* Sets the include locations (NULL: the testsuite's defaults). */
void testsuite_include_locations(struct testsuite *ts, const char *personal,
				 const char *global);

#endif
