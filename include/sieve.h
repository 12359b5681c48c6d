/*
 * sieve.h -- public API of the tamis Sieve engine (RFC 5228 and extensions).
 *
 * Life of a script:
 *   instance (enabled extensions, limits)
 *     -> sieve_compile(): source -> binary (diagnostics as file:line:col)
 *     -> sieve_binary_save()/sieve_binary_open(): the .svbin cache beside the
 *        script; loading is an mmap and a checksum, no parsing
 *     -> sieve_execute(): runs against one message and envelope, filling a
 *        result (the list of actions); the engine itself does no I/O
 *        besides calling the host's callbacks.
 * The host (deliver, sieve-test, managesieved, the testsuite) then carries
 * out the result.
 */
#ifndef SIEVE_H
#define SIEVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sieve_diag.h"

struct arena;
struct sieve_result;

/* ---- limits ----------------------------------------------------------- */

struct sieve_limits {
	size_t max_script_size;		/* sieve_max_script_size: 1M */
	unsigned max_nesting;		/* blocks and tests: 32 */
	size_t max_string_len;		/* one string: 1M */
	size_t max_list_items;		/* one string list: 10000 */
	unsigned long max_nodes;	/* commands + tests: 1000000 */
	unsigned max_errors;		/* compile errors reported: 10 */
	unsigned max_actions;		/* sieve_max_actions: 32 */
	unsigned max_redirects;		/* sieve_max_redirects: 4 */
	unsigned max_cpu_time;		/* sieve_max_cpu_time, seconds: 0 */
	uint64_t max_steps;		/* instructions per run: 50M */
	size_t max_runtime_memory;	/* per run (variables, strings): 64M */
	/* vacation (RFC 5230/6131), seconds: sieve_vacation_min_period 1d,
	 * sieve_vacation_max_period 0 (none), sieve_vacation_default_period 7d;
	 * a script's :days/:seconds is clamped into [min, max] (0 max = no
	 * upper bound). */
	uint64_t vacation_min_period;
	uint64_t vacation_max_period;
	uint64_t vacation_default_period;
	/* duplicate (RFC 7352), seconds: sieve_duplicate_default_period
	 * 12h, sieve_duplicate_max_period 2d (Pigeonhole's defaults); a
	 * script's :seconds is clamped to the max (0 max = no bound). */
	uint64_t duplicate_default_period;
	uint64_t duplicate_max_period;
	/* variables (RFC 5229 6): sieve_variables_max_scope_size, variables
	 * a script may declare: 255; sieve_variables_max_variable_size,
	 * octets a value keeps (longer ones are cut): 4096. */
	unsigned variables_max_scope_size;
	size_t variables_max_variable_size;
	/* include (RFC 6609): sieve_include_max_includes 255 (distinct
	 * scripts in one binary), sieve_include_max_nesting_depth 10 */
	unsigned include_max_includes;
	unsigned include_max_nesting_depth;
};

void sieve_limits_default(struct sieve_limits *lim);

/* ---- instance ---------------------------------------------------------- */

struct sieve_instance;

struct sieve_instance *sieve_instance_new(const struct sieve_limits *lim);
void sieve_instance_free(struct sieve_instance *inst);
struct sieve_limits *sieve_instance_limits(struct sieve_instance *inst);

/*
 * Changes the set of enabled extensions, as Pigeonhole's sieve_extensions
 * setting and sievec -x do: "+name" enables, "-name" disables, a list of
 * bare names replaces the whole set. Unknown names are an error (message
 * written to err). Returns 0 or -1.
 */
int sieve_instance_set_extensions(struct sieve_instance *inst,
				  const char *spec, char *err, size_t errlen);
/* Enables every extension except the hidden ones, those off by default
 * (deprecated, needing configuration) included: what Pigeonhole's tools do
 * when given no extension list (sieve-testsuite). */
void sieve_instance_enable_all(struct sieve_instance *inst);
/* Enables an extension normally hidden from scripts (the testsuite). */
int sieve_instance_enable_hidden(struct sieve_instance *inst,
				 const char *name);
bool sieve_instance_extension_enabled(const struct sieve_instance *inst,
				      const char *name);
/* Space-separated names of the enabled extensions (ManageSieve SIEVE
 * capability). Static storage owned by the instance. */
const char *sieve_instance_capabilities(struct sieve_instance *inst);

/*
 * Where "include" (RFC 6609) finds scripts: the :personal and :global
 * locations, in Pigeonhole's syntax: a directory ("file:DIR;options" or
 * "DIR"; a file stands for its directory) holding NAME.sieve, or
 * "dict:file:PATH". NULL: unavailable; a NULL personal location defaults,
 * in sieve_compile_file, to the directory of the script compiled (what
 * sievec and sieve-test do). Sets the :global location when global is
 * true, else the :personal one. Copied. sieve_settings_apply sets the
 * :global one from sieve_global (or the older sieve_global_dir).
 */
void sieve_instance_set_include(struct sieve_instance *inst, bool global,
				const char *location);

/* ---- compile / binary -------------------------------------------------- */

struct sieve_binary;

/* Compiles src; returns NULL when there were errors (all reported to d). */
struct sieve_binary *sieve_compile(struct sieve_instance *inst,
				   const char *src, size_t len,
				   const char *script_name,
				   struct sieve_diag *d);
/* Reads and compiles a file; read errors are reported to d too. */
struct sieve_binary *sieve_compile_file(struct sieve_instance *inst,
					const char *path,
					const char *script_name,
					struct sieve_diag *d);

/* Atomic write (temporary file, fsync, rename). 0 or -1 with errno. */
int sieve_binary_save(const struct sieve_binary *bin, const char *path);
/* Maps a saved binary. NULL when it is absent, truncated, corrupt, from
 * another version, needs an extension that is not enabled or one of the
 * scripts it includes changed since: *why says which (static string), and
 * the caller recompiles from source. */
struct sieve_binary *sieve_binary_open(struct sieve_instance *inst,
				       const char *path, const char **why);
/* Same from memory (copied). */
struct sieve_binary *sieve_binary_from_data(struct sieve_instance *inst,
					    const void *data, size_t len,
					    const char **why);
const void *sieve_binary_data(const struct sieve_binary *bin, size_t *len);
const char *sieve_binary_script_name(const struct sieve_binary *bin);
void sieve_binary_dump(const struct sieve_binary *bin, FILE *out);
void sieve_binary_free(struct sieve_binary *bin);

/* ---- message, envelope ------------------------------------------------- */

struct sieve_message;

/* Parses a message held in memory (not copied; must outlive the message). */
struct sieve_message *sieve_message_parse(struct arena *a, const char *data,
					  size_t len);

struct sieve_envelope {
	const char *from;	/* MAIL FROM path; "" = null sender; NULL = none */
	const char *to;		/* RCPT TO of this delivery */
	const char *orig_to;	/* original recipient (ORCPT / -a) */
	const char *auth;	/* authenticated submitter, or NULL */
};

/* ---- results ----------------------------------------------------------- */

enum sieve_action_type {
	SIEVE_ACT_KEEP,		/* store into the default mailbox */
	SIEVE_ACT_FILEINTO,	/* store into mailbox */
	SIEVE_ACT_REDIRECT,	/* forward to address */
	SIEVE_ACT_DISCARD,
	SIEVE_ACT_REJECT,	/* RFC 5429 reject: MDN-style refusal */
	SIEVE_ACT_EREJECT,	/* RFC 5429 ereject: SMTP-level refusal */
	SIEVE_ACT_EXT,		/* extension action (vacation, notify, ...) */
};

struct sieve_action {
	enum sieve_action_type type;
	const char *name;	/* "keep", "fileinto", ..., or the ext's */
	const char *target;	/* mailbox, address, or reason text */
	bool copy;		/* :copy (RFC 3894) */
	bool create;		/* :create (RFC 5490) */
	const char *const *flags;	/* imap4flags, NULL-terminated, or NULL */
	const char *special_use;	/* :specialuse, or NULL */
	const char *script;	/* script that added it */
	unsigned line;		/* its source line */
	const void *ext_data;	/* extension payload: for "vacation", a
				   struct sieve_vacation */
	bool sealed;		/* from an earlier round of a sequence */
	bool executed;		/* carried out already (mark_executed) */
};

/* Payload of the vacation action (RFC 5230, RFC 6131). The host decides
 * whether to answer (RFC 3834 rules, response database: see
 * sieve_vacation.h) and sends the reply. */
struct sieve_vacation {
	const char *reason;		/* body text, or a MIME entity (:mime) */
	const char *subject;		/* :subject, or NULL */
	const char *from;		/* :from, or NULL */
	const char *const *addresses;	/* :addresses, NULL-terminated, or NULL */
	const char *handle;		/* :handle, or NULL (then derived from
					   reason, subject, from, mime) */
	const char *auto_handle;	/* without :handle: the engine's handle
					   from the arguments as written,
					   before variable expansion (RFC 5230
					   4.2); NULL: derive from the above */
	uint64_t period;		/* seconds between replies to one
					   sender, clamped; 0 = every time */
	bool mime;			/* :mime */
};

/* Payload of the notify action (RFC 5435 enotify, RFC 5436 mailto). The
 * host composes and sends the notification. */
struct sieve_notify {
	const char *method;		/* the method URI as given */
	const char **to;		/* mailto recipients, NULL-terminated */
	size_t nto;
	const char *subject;		/* mailto ?subject=, or NULL */
	const char *from;		/* :from, or NULL */
	const char *message;		/* :message, or NULL */
	const char *const *options;	/* :options, NULL-terminated, or NULL */
	int importance;			/* 1 high, 2 normal, 3 low */
};

/* A duplicate-tracking entry (RFC 7352) the host stores once the message
 * is delivered: id is a digest of the handle and the unique id. */
struct sieve_duplicate_mark {
	const unsigned char *id;
	size_t len;
	uint64_t period;		/* seconds the entry lives */
	bool last;			/* :last: the expiry moves forward on
					   every occurrence */
	bool duplicate;			/* what the first test of this id in
					   the run answered; later tests of
					   the same id answer the same (RFC
					   7352 3). When set without last,
					   the host has nothing to store. */
};
size_t sieve_result_duplicate_marks(const struct sieve_result *r,
				    const struct sieve_duplicate_mark
				    *const **marks);

struct sieve_result;

/* A result collects the actions of one or more scripts run in sequence
 * (sieve_before, the user script, sieve_after) for one message. */
struct sieve_result *sieve_result_new(struct arena *a,
				      const struct sieve_limits *lim);
size_t sieve_result_actions(const struct sieve_result *r,
			    const struct sieve_action *const **actions);
/* True while no action cancelled the implicit keep (RFC 5228 2.10.2). */
bool sieve_result_implicit_keep(const struct sieve_result *r);
/* True when the last script run ended with "stop" (it ends that script
 * only, not a sequence: see sieve_result_seal). */
bool sieve_result_stopped(const struct sieve_result *r);
/* The actions to perform, implicit keep included as a "keep" action,
 * duplicates merged; used by hosts to execute and by sieve-test to print. */
size_t sieve_result_final(struct sieve_result *r,
			  const struct sieve_action *const **actions);
/*
 * Rounds of a sequence of scripts (Pigeonhole's multiscript rules). After
 * each script the host calls sieve_result_seal(): the actions so far count
 * as done for the conflict rules of later scripts (a reject may follow an
 * earlier fileinto, a second reject after an earlier one is dropped), and
 * the answer says whether the sequence goes on: true while the keep is in
 * effect (implicit keep not cancelled, or an explicit keep in the script
 * just run). "stop" ends only its own script. A host that carries the
 * actions out after each round (the testsuite) calls
 * sieve_result_mark_executed() instead: sieve_result_final() then leaves
 * those actions out, and the implicit keep too once INBOX got the message.
 */
bool sieve_result_seal(struct sieve_result *r);
/* After a runtime error in the current script of a sequence: drops that
 * script's actions and keeps those of the earlier scripts. */
void sieve_result_drop_round(struct sieve_result *r);
bool sieve_result_mark_executed(struct sieve_result *r);
/* Same as sieve_result_final, with or without the implicit keep: the
 * actions of a round that is not the last (sieve_result_mark_executed). */
size_t sieve_result_pending(struct sieve_result *r, bool implicit_keep,
			    const struct sieve_action *const **actions);
/* Prints one action per line in the canonical text of sieve-test(1). */
void sieve_result_print(struct sieve_result *r, FILE *out);
void sieve_action_print(const struct sieve_action *a, FILE *out);

/* ---- execution --------------------------------------------------------- */

struct sieve_host {
	void *ctx;
	/* mailboxexists / fileinto checks: 1 exists, 0 not, -1 error. */
	int (*mailbox_exists)(void *ctx, const char *mailbox);
	/* duplicate test: 1 the id was tracked and has not expired, 0 not,
	 * -1 error (the test then fails as a runtime error). */
	int (*duplicate_check)(void *ctx, const unsigned char *id,
			       size_t len);
	/* Dovecot settings the engine reads by name while running: the
	 * value or NULL when unset (the default applies). Asked for:
	 * recipient_delimiter (subaddress, default "+"), hostname
	 * (environment "host" and "domain"), sieve_env_<name>
	 * (vnd.dovecot.environment "vnd.dovecot.config.<name>"). */
	const char *(*setting)(void *ctx, const char *key);
};

/* What the environment test (RFC 5183) and vnd.dovecot.environment report
 * about the host running the script; a NULL field has no value (the item
 * does not match), except username and default_mailbox. */
struct sieve_env_info {
	const char *location;	/* "MDA" (deliver), "MS" (tools), "MTA" */
	const char *phase;	/* "pre", "during" (deliver), "post" */
	const char *username;	/* vnd.dovecot.username; NULL: "" */
	const char *default_mailbox;	/* NULL: "INBOX" */
};

enum sieve_exec_status {
	SIEVE_EXEC_OK = 0,
	SIEVE_EXEC_FAILURE = -1,	/* runtime error: implicit keep applies */
	SIEVE_EXEC_TEMPFAIL = -2,	/* host trouble: try again later */
	SIEVE_EXEC_CORRUPT = -3,	/* binary corrupt: recompile */
	SIEVE_EXEC_LIMIT = -4,		/* resource limit hit */
};

struct sieve_exec_env {
	struct sieve_message *msg;
	const struct sieve_envelope *envelope;
	const struct sieve_host *host;	/* may be NULL */
	struct sieve_diag *diag;	/* runtime errors; NULL = stderr */
	FILE *trace;			/* sieve-test -t; NULL = off */
	struct arena *arena;		/* per-run memory */
	void *ext_ctx;			/* for hidden extensions (testsuite) */
	const struct sieve_env_info *info;	/* environment; may be NULL */
	/* date extension (RFC 5260): when clock_set, currentdate reads
	 * clock_now (seconds since the epoch) and the local zone is
	 * clock_zone (minutes east of UTC); otherwise the clock, read once
	 * per run, and the system's zone (TZ). The testsuite sets them. */
	bool clock_set;
	int64_t clock_now;
	int clock_zone;
};

/* Runs bin; actions are added to res. On failure res keeps the actions
 * added so far but the host should apply only the implicit keep. */
int sieve_execute(struct sieve_binary *bin, const struct sieve_exec_env *env,
		  struct sieve_result *res);

const char *sieve_exec_status_str(int status);

#endif
