/*
 * deliver -- the local delivery agent Postfix's pipe(8) runs for every
 * message, command-line compatible with Dovecot's dovecot-lda:
 *
 *   deliver [-c CONFIG] [-d USER] [-f SENDER] [-a ORIG_RCPT] [-r RCPT]
 *           [-m MAILBOX] [-e] [-p FILE] [-o KEY=VALUE]... [-k] [-s]
 *
 * It reads the message (stdin, or -p), finds the user in the userdb,
 * runs the Sieve scripts and stores the message into the user's Maildir.
 * Exit codes are Postfix's contract (sysexits): 0 only once the message
 * is durably stored (or deliberately discarded/forwarded); 75 for every
 * temporary problem so that Postfix retries; 67 unknown user; with -e a
 * rejected message exits 77 with the reason on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "arena.h"
#include "config.h"
#include "lda.h"
#include "dupdb.h"
#include "log.h"
#include "maildir.h"
#include "message.h"
#include "sieve_settings.h"
#include "tamis.h"

#define MAX_MESSAGE_SIZE (512UL * 1024 * 1024)

static void
usage(void)
{
	fprintf(stderr, "usage: deliver [-c CONFIG] [-d USER] [-f SENDER] "
		"[-a ORIGINAL_RECIPIENT] [-r RECIPIENT] [-m MAILBOX] [-e] "
		"[-p MESSAGE_FILE] [-o KEY=VALUE]...\n");
	exit(TAMIS_EX_USAGE);
}

void
lda_summary(struct lda *l, const char *fmt, ...)
{
	va_list ap;

	if (l->summary.len)
		buf_puts(&l->summary, ", ");
	va_start(ap, fmt);
	buf_vprintf(&l->summary, fmt, ap);
	va_end(ap);
}

/* Temporary failure: logged, one line on stderr for Postfix's queue. */
static void __attribute__((noreturn, format(printf, 2, 3)))
tempfail(struct lda *l, const char *fmt, ...)
{
	va_list ap;
	char msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_err("msgid=%s: %s (will retry)", l->msgid ? l->msgid : "?", msg);
	exit(TAMIS_EX_TEMPFAIL);
}

static struct cfg *
load_config(const char *path, char **overrides, size_t noverrides)
{
	struct cfg *cfg;
	char err[1024];
	size_t i;

	if (path == NULL && (path = getenv("TAMIS_CONFIG")) != NULL &&
	    *path == '\0')
		path = NULL;
	if (path == NULL && access(TAMIS_SYSCONFDIR "/tamis.conf", F_OK) == 0)
		path = TAMIS_SYSCONFDIR "/tamis.conf";
	if (path != NULL) {
		cfg = cfg_load(path, err, sizeof(err));
		if (cfg == NULL) {
			/* a broken configuration must not bounce mail */
			log_err("configuration: %s", err);
			fprintf(stderr, "deliver: configuration: %s\n", err);
			exit(TAMIS_EX_TEMPFAIL);
		}
	} else {
		cfg = cfg_new_empty();	/* embedded defaults */
	}
	for (i = 0; i < noverrides; i++) {
		if (cfg_override(cfg, overrides[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "deliver: -o %s: %s\n", overrides[i],
				err);
			exit(TAMIS_EX_USAGE);
		}
	}
	return cfg;
}

static void
read_message(struct lda *l, const char *path)
{
	struct buf b = BUF_INIT;
	char *p;
	size_t skip = 0;
	int r;

	if (path != NULL)
		r = buf_read_file(&b, path, MAX_MESSAGE_SIZE);
	else
		r = buf_read_fd(&b, 0, MAX_MESSAGE_SIZE);
	if (r < 0) {
		if (errno == EFBIG) {
			fprintf(stderr, "deliver: message larger than %lu "
				"bytes\n", MAX_MESSAGE_SIZE);
			exit(TAMIS_EX_DATAERR);
		}
		if (path != NULL && errno == ENOENT) {
			fprintf(stderr, "deliver: %s: %s\n", path,
				strerror(errno));
			exit(TAMIS_EX_NOINPUT);
		}
		tempfail(l, "reading the message: %s", strerror(errno));
	}
	p = b.data ? b.data : "";
	/* mbox "From sender date" line (pipe flag F): not part of the
	 * message; its sender is the envelope sender when -f is missing */
	if (b.len > 5 && strncmp(p, "From ", 5) == 0) {
		char *nl = memchr(p, '\n', b.len);

		skip = nl ? (size_t)(nl - p) + 1 : b.len;
		if (l->sender == NULL) {
			size_t sl = strcspn(p + 5, " \t\r\n");

			l->sender = arena_strndup(l->arena, p + 5, sl);
		}
	}
	l->len = b.len - skip;
	l->data = arena_memdup(l->arena, p + skip, l->len + 1);
	buf_free(&b);
}

/* Return-Path: <x> as the sender when neither -f nor From_ gave one. */
static const char *
return_path(struct lda *l)
{
	const char *const *vals, *v;
	size_t n = sieve_message_header(l->msg, "return-path", &vals);
	const char *lt, *gt;

	if (n == 0)
		return NULL;
	v = vals[0];
	n = strlen(v);
	lt = memchr(v, '<', n);
	gt = lt ? memchr(lt, '>', n - (size_t)(lt - v)) : NULL;
	if (lt && gt)
		return arena_strndup(l->arena, lt + 1, (size_t)(gt - lt - 1));
	return NULL;
}

static void
find_user(struct lda *l, bool have_d)
{
	char err[512];
	enum userdb_status st;
	const char *v;
	uid_t uid;
	gid_t gid;

	if (!have_d) {
		struct passwd *pw = getpwuid(getuid());
		const char *home = getenv("HOME");

		if (pw == NULL)
			tempfail(l, "the invoking uid %u has no passwd entry",
				 (unsigned)getuid());
		memset(&l->u, 0, sizeof(l->u));
		l->u.user = xstrdup(pw->pw_name);
		l->u.uid = pw->pw_uid;
		l->u.gid = pw->pw_gid;
		l->u.has_uid = l->u.has_gid = true;
		l->u.home = xstrdup(home && *home == '/' ? home : pw->pw_dir);
		l->user = l->u.user;
	} else {
		st = userdb_lookup(l->cfg, l->user, &l->u, err, sizeof(err));
		if (st == USERDB_NOTFOUND && strchr(l->user, '+')) {
			/* user+detail@domain: retry without the detail */
			const char *delim = cfg_get(l->cfg,
						    "recipient_delimiter");
			char *plain = arena_strdup(l->arena, l->user);
			size_t dp = strcspn(plain, delim ? delim : "+");
			char *at = strchr(plain, '@');

			if (plain[dp] != '\0' && (!at || plain + dp < at)) {
				memmove(plain + dp, at ? at : "",
					at ? strlen(at) + 1 : 1);
				userdb_user_free(&l->u);
				st = userdb_lookup(l->cfg, plain, &l->u, err,
						   sizeof(err));
			}
		}
		if (st == USERDB_TEMPFAIL)
			tempfail(l, "user %s: %s", l->user, err);
		if (st == USERDB_NOTFOUND) {
			log_info("msgid=%s: unknown user %s", l->msgid,
				 l->user);
			fprintf(stderr, "deliver: unknown user %s\n", l->user);
			exit(TAMIS_EX_NOUSER);
		}
	}
	/* mail_uid / mail_gid when the userdb gives none */
	if (!l->u.has_uid && (v = cfg_get(l->cfg, "mail_uid")) != NULL) {
		if (userdb_parse_uid(v, &uid) < 0)
			tempfail(l, "mail_uid: unknown user %s", v);
		l->u.uid = uid;
		l->u.has_uid = true;
	}
	if (!l->u.has_gid && (v = cfg_get(l->cfg, "mail_gid")) != NULL) {
		if (userdb_parse_gid(v, &gid) < 0)
			tempfail(l, "mail_gid: unknown group %s", v);
		l->u.gid = gid;
		l->u.has_gid = true;
	}
	l->home = l->u.home;
	if (l->home == NULL && (v = cfg_get(l->cfg, "mail_home")) != NULL &&
	    *v) {
		l->home = lda_expand_path(l, v);
	}
}

/*
 * Running as root: become the mail user. As in Dovecot, a uid under
 * first_valid_uid (500) is refused, root included, unless the admin
 * lowered it on purpose.
 */
static void
drop_privileges(struct lda *l)
{
	uint64_t first = 500;

	(void)cfg_get_uint(l->cfg, NULL, "first_valid_uid", &first);
	if (l->u.has_uid && (uint64_t)l->u.uid < first)
		tempfail(l, "user %s: mail access for uid %u is not permitted "
			 "(first_valid_uid = %llu)", l->user,
			 (unsigned)l->u.uid, (unsigned long long)first);
	if (geteuid() != 0 || (l->u.has_uid && l->u.uid == 0))
		return;
	if (!l->u.has_uid)
		tempfail(l, "user %s: no uid to run as: set mail_uid or the "
			 "userdb uid", l->user);
	if (!l->u.has_gid)
		l->u.gid = l->u.uid;
	if (setgroups(1, &l->u.gid) < 0 || setgid(l->u.gid) < 0 ||
	    setuid(l->u.uid) < 0)
		tempfail(l, "cannot change to uid %u gid %u: %s",
			 (unsigned)l->u.uid, (unsigned)l->u.gid,
			 strerror(errno));
}

/* mail_location "maildir:PATH[:KEY=VALUE...]" to the INBOX directory. */
static void
find_maildir(struct lda *l)
{
	const char *loc = l->u.mail;
	const struct cfg_section *ns;
	char *path;

	if (loc == NULL)
		loc = cfg_get_proto(l->cfg, "lda", "mail_location");
	if (loc == NULL || *loc == '\0')
		loc = "maildir:~/Maildir";
	if (strncmp(loc, "maildir:", 8) != 0)
		tempfail(l, "mail_location %s: only maildir is supported",
			 loc);
	path = lda_expand_path(l, loc + 8);
	if (path == NULL)
		tempfail(l, "mail_location %s: user %s has no home directory",
			 loc, l->user);
	path[strcspn(path, ":")] = '\0';
	if (path[0] != '/')
		tempfail(l, "mail_location %s: not an absolute path", loc);
	l->maildir_root = path;

	l->separator = '.';
	l->ns_prefix = "";
	for (ns = cfg_section_first(cfg_root(l->cfg), "namespace"); ns;
	     ns = cfg_section_next(ns, "namespace")) {
		const char *inbox = cfg_section_get(ns, "inbox");
		const char *sep = cfg_section_get(ns, "separator");
		const char *prefix = cfg_section_get(ns, "prefix");

		if (!((inbox && strcmp(inbox, "yes") == 0) ||
		      (ns->arg && strcmp(ns->arg, "inbox") == 0)))
			continue;
		if (sep && *sep)
			l->separator = sep[0];
		if (prefix)
			l->ns_prefix = prefix;
		break;
	}
}

static bool
sieve_enabled(struct lda *l)
{
	const char *plugins = cfg_get_proto(l->cfg, "lda", "mail_plugins");

	/* Dovecot runs Sieve only with mail_plugins = sieve; tamis by
	 * default, unless mail_plugins is set without it */
	return plugins == NULL || strstr(plugins, "sieve") != NULL;
}

/* Everything is freed at exit, whichever path leads there, so that leak
 * checkers see a clean process. */
static struct lda *cleanup_lda;

static void
cleanup(void)
{
	struct lda *l = cleanup_lda;

	if (l == NULL)
		return;
	cleanup_lda = NULL;
	if (l->db)
		dupdb_close(l->db);	/* uncommitted marks are dropped */
	if (l->md)
		maildir_close(l->md);
	if (l->ginst)
		sieve_instance_free(l->ginst);
	if (l->inst)
		sieve_instance_free(l->inst);
	if (l->cfg)
		cfg_free(l->cfg);
	userdb_user_free(&l->u);
	buf_free(&l->summary);
	arena_free(l->arena);
}

int
main(int argc, char **argv)
{
	static struct lda lda;
	struct lda *l = &lda;
	const char *config = NULL, *msgpath = NULL, *logpath;
	char **overrides = NULL;
	size_t noverrides = 0;
	bool have_d = false, debug = false;
	int c, status;

	memset(l, 0, sizeof(*l));
	l->arena = arena_new(64 * 1024);
	cleanup_lda = l;
	atexit(cleanup);
	l->msgid = "";
	log_init("deliver", isatty(2) ? LOG_TO_STDERR : LOG_TO_SYSLOG,
		 LOG_MAIL);
	while ((c = getopt(argc, argv, "a:c:d:ef:km:no:p:r:s")) != -1) {
		switch (c) {
		case 'a':
			l->orig_rcpt = optarg;
			break;
		case 'c':
			config = optarg;
			break;
		case 'd':
			l->user = optarg;
			have_d = true;
			break;
		case 'e':
			l->errors_to_exit = true;
			break;
		case 'f':
			l->sender = optarg;
			break;
		case 'k':	/* keep the environment: nothing to clear */
		case 'n':	/* Dovecot: don't autocreate -m; see below */
		case 's':	/* Dovecot 1.x: subscribe; accepted */
			break;
		case 'm':
			l->mailbox = optarg;
			break;
		case 'o':
			if (overrides == NULL)
				overrides = arena_alloc(l->arena, (size_t)argc *
							sizeof(*overrides));
			overrides[noverrides++] = optarg;
			break;
		case 'p':
			msgpath = optarg;
			break;
		case 'r':
			l->final_rcpt = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	l->cfg = load_config(config, overrides, noverrides);
	logpath = cfg_get(l->cfg, "log_path");
	if (logpath && (strcmp(logpath, "/dev/stderr") == 0))
		log_init("deliver", LOG_TO_STDERR, LOG_MAIL);
	else if (logpath && strcmp(logpath, "syslog") == 0)
		log_init("deliver", LOG_TO_SYSLOG, LOG_MAIL);
	(void)cfg_get_bool(l->cfg, "lda", "mail_debug", &debug);
	log_set_debug(debug);

	read_message(l, msgpath);
	l->msg = sieve_message_parse(l->arena, l->data, l->len);
	{
		const char *const *ids;
		size_t n = sieve_message_header(l->msg, "message-id", &ids);

		l->msgid = n ? ids[0] : "(none)";
	}
	if (l->sender == NULL)
		l->sender = return_path(l);
	if (l->sender == NULL)
		l->sender = "MAILER-DAEMON";

	find_user(l, have_d);
	{
		char *ident = arena_printf(l->arena, "deliver(%s)", l->user);

		log_init(ident, 0 /* same sinks */, LOG_MAIL);
	}
	drop_privileges(l);
	find_maildir(l);

	l->env.from = strcmp(l->sender, "<>") == 0 ? "" : l->sender;
	l->env.to = l->final_rcpt ? l->final_rcpt : l->user;
	l->env.orig_to = l->orig_rcpt ? l->orig_rcpt : l->env.to;
	if (l->mailbox == NULL || *l->mailbox == '\0')
		l->mailbox = "INBOX";

	if (sieve_enabled(l)) {
		char err[512];

		l->inst = sieve_instance_new(NULL);
		if (sieve_settings_apply(l->inst, l->cfg, "lda", err,
					 sizeof(err)) < 0)
			tempfail(l, "configuration: %s", err);
		if (lda_run_scripts(l) < 0)
			tempfail(l, "Sieve execution failed");
	}
	status = lda_execute(l);
	if (l->summary.len)
		log_info("msgid=%s: %s", l->msgid, l->summary.data);
	return status;
}
