/*
 * check_config.c -- unit tests for common/config.c: every syntax form,
 * errors with file:line, includes (glob, missing, _try, loops), `<file`,
 * $key expansion, unknown-key errors and Dovecot-key warnings,
 * protocol/plugin precedence, units, overrides, and a configuration made
 * of snippets from Dovecot howtos.
 *
 * Data files live in tests/unit/data/config/; cases that need files beside
 * the configuration (certificates, bad syntax) are written to a temporary
 * directory.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"

#define DATA TESTS_DATA_DIR "/config/"

static char tmpdir[] = "/tmp/check_config.XXXXXX";
static char err[1024];

static void
setup(void)
{
	strcpy(tmpdir, "/tmp/check_config.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	err[0] = '\0';
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Writes text to tmpdir/name and returns the full path (static buffer). */
static const char *
write_tmp(const char *name, const char *text)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

static struct cfg *
load_ok(const char *path)
{
	struct cfg *cfg = cfg_load(path, err, sizeof(err));

	ck_assert_msg(cfg != NULL, "load %s: %s", path, err);
	return cfg;
}

static struct cfg *
load_text(const char *text)
{
	return cfg_load(write_tmp("t.conf", text), err, sizeof(err));
}

static const struct cfg_section *
child(const struct cfg_section *s, const char *name, const char *arg)
{
	for (s = cfg_section_first(s, name); s != NULL;
	     s = cfg_section_next(s, name))
		if (arg == NULL ? s->arg == NULL :
		    s->arg != NULL && strcmp(s->arg, arg) == 0)
			return s;
	ck_abort_msg("no section %s %s", name, arg ? arg : "");
	return NULL;
}

START_TEST(test_syntax_values)
{
	struct cfg *cfg = load_ok(DATA "syntax.conf");

	ck_assert_str_eq(cfg_get(cfg, "hostname"), "mx2.example.org");
	ck_assert_str_eq(cfg_get(cfg, "postmaster_address"),
			 "postmaster@example.org");
	ck_assert_str_eq(cfg_get(cfg, "submission_host"),
			 "smtp.example.org:587");
	ck_assert_str_eq(cfg_get(cfg, "sendmail_path"),
			 "/usr/sbin/send\"mail\\x # not a comment");
	ck_assert_str_eq(cfg_get(cfg, "sieve_dir"), "~/sieve");
	ck_assert_str_eq(cfg_get(cfg, "sieve_before"), "");
	ck_assert_str_eq(cfg_get(cfg, "sieve_after"), "");
	ck_assert_str_eq(cfg_get(cfg, "mail_home"), "/home/%u");
	ck_assert_str_eq(cfg_get(cfg, "mail_location"),
			 "maildir:~/Maildir:INDEX=%{home}/idx");
	ck_assert_ptr_null(cfg_get(cfg, "mail_uid"));
	ck_assert_ptr_null(cfg_get(cfg, "sieve"));	/* only in plugin */
	ck_assert_uint_eq(cfg_warning_count(cfg), 0);
	cfg_free(cfg);
}
END_TEST

START_TEST(test_syntax_sections)
{
	struct cfg *cfg = load_ok(DATA "syntax.conf");
	const struct cfg_section *root = cfg_root(cfg), *ns, *mb, *svc, *s;
	const char *names[8];
	int n = 0;

	ck_assert_str_eq(cfg_section_get(child(root, "plugin", NULL), "sieve"),
			 "file:~/sieve;active=~/.dovecot.sieve");
	ns = child(root, "namespace", "inbox");
	ck_assert_str_eq(cfg_section_get(ns, "separator"), "/");
	for (mb = cfg_section_first(ns, "mailbox"); mb != NULL;
	     mb = cfg_section_next(mb, "mailbox"))
		names[n++] = mb->arg;
	ck_assert_int_eq(n, 3);
	ck_assert_str_eq(names[0], "Sent");
	ck_assert_str_eq(names[1], "Sent Messages");
	ck_assert_str_eq(names[2], "Trash");
	mb = child(ns, "mailbox", "Sent");
	ck_assert_str_eq(cfg_section_get(mb, "auto"), "subscribe");
	ck_assert_str_eq(cfg_section_get(mb, "special_use"), "\\Sent");
	ck_assert_str_eq(cfg_section_get(child(ns, "mailbox", "Trash"),
					 "special_use"), "\\Trash");
	ck_assert_ptr_eq(mb->parent, ns);

	svc = child(root, "service", "auth");
	s = child(svc, "unix_listener", "auth-userdb");
	ck_assert_str_eq(cfg_section_get(s, "mode"), "0600");
	ck_assert_str_eq(cfg_section_get(s, "user"), "vmail");
	s = child(svc, "unix_listener", "/var/spool/postfix/private/auth");
	ck_assert_str_eq(cfg_section_get(s, "mode"), "0666");

	s = child(root, "passdb", NULL);
	ck_assert_str_eq(cfg_section_get(s, "driver"), "passwd-file");
	ck_assert_str_eq(cfg_section_get(s, "args"),
			 "scheme=CRYPT username_format=%u /etc/dovecot/users");
	s = child(root, "userdb", NULL);
	ck_assert_str_eq(cfg_section_get(s, "driver"), "static");
	ck_assert_str_eq(cfg_section_get(s, "args"),
			 "uid=vmail gid=vmail home=/home/vmail/%u");
	s = child(root, "empty", NULL);
	ck_assert_ptr_null(s->entries);
	ck_assert_ptr_null(s->children);
	s = child(child(child(root, "a", NULL), "b", NULL), "c", NULL);
	ck_assert_str_eq(cfg_section_get(s, "depth"), "3");
	s = child(root, "local", "192.168.0.0/24");
	ck_assert_str_eq(cfg_section_get(s, "auth_verbose"), "yes");
	/* Sections come in file order, after the a { b { c } } chain. */
	ck_assert_str_eq(root->children->name, "plugin");
	ck_assert_uint_eq(child(root, "a", NULL)->line, 48);
	cfg_free(cfg);
}
END_TEST

/* Text, then the expected "file:line: message" tail. */
static const struct {
	const char *text;
	const char *msg;
} error_cases[] = {
	{ "mail_uid = 1\nmial_gid = 2\n",
	  "t.conf:2: unknown setting 'mial_gid' (did you mean 'mail_gid'?)" },
	{ "\n\ncompletely_unknown = 1\n",
	  "t.conf:3: unknown setting 'completely_unknown'" },
	{ "plugin {\n sieve = x\n", "t.conf:1: section 'plugin' is not "
	  "closed" },
	{ "mail_uid = 1\n}\n", "t.conf:2: unexpected '}'" },
	{ "hostname = \"abc\n", "t.conf:1: missing closing quote" },
	{ "hostname = 'abc' def\n",
	  "t.conf:1: unexpected text after quoted value: def" },
	{ "# c\nhostname\n", "t.conf:2: expected '=' or '{' after "
	  "'hostname'" },
	{ "!includ x\n", "t.conf:1: unknown directive '!includ x'" },
	{ "plugin { a = 1 }\n}\n", "t.conf:2: unexpected '}'" },
	{ "= 3\n", "t.conf:1: expected a setting or section name" },
	{ "namespace \"inbox\" x {\n}\n",
	  "t.conf:1: expected '{' after 'namespace inbox'" },
};

START_TEST(test_errors)
{
	struct cfg *cfg = load_text(error_cases[_i].text);
	const char *slash = strrchr(err, '/');

	ck_assert_ptr_null(cfg);
	ck_assert_ptr_nonnull(slash);
	ck_assert_str_eq(slash + 1, error_cases[_i].msg);
	ck_assert_int_eq(strncmp(err, tmpdir, strlen(tmpdir)), 0);
}
END_TEST

START_TEST(test_value_file_error)
{
	ck_assert_ptr_null(load_text("mail_uid = 1\nssl_key = <nope.pem\n"));
	ck_assert_ptr_nonnull(strstr(err, "t.conf:2: "));
	ck_assert_ptr_nonnull(strstr(err, "nope.pem: No such file"));
	ck_assert_ptr_null(cfg_load(DATA "not-there.conf", err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "not-there.conf: No such file"));
}
END_TEST

START_TEST(test_include)
{
	struct cfg *cfg = load_ok(DATA "include.conf");
	const struct cfg_section *lda;

	/* 10-first then 20-second (sorted), then the line after. */
	ck_assert_str_eq(cfg_get(cfg, "mail_plugins"), "first second last");
	ck_assert_str_eq(cfg_get(cfg, "auth_debug"), "no");
	lda = child(cfg_root(cfg), "protocol", "lda");
	ck_assert_str_eq(cfg_section_get(lda, "mail_plugins"),
			 "first second sieve");
	ck_assert_str_eq(cfg_get_proto(cfg, "lda", "mail_plugins"),
			 "first second sieve");
	ck_assert_ptr_nonnull(strstr(lda->entries->file, "lda.inc"));
	ck_assert_uint_eq(lda->entries->line, 1);
	cfg_free(cfg);
}
END_TEST

START_TEST(test_include_missing)
{
	ck_assert_ptr_null(cfg_load(DATA "include_missing.conf", err,
				    sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "include_missing.conf:3: !include "));
	ck_assert_ptr_nonnull(strstr(err, "no/such/file.conf: No such file"));
}
END_TEST

START_TEST(test_include_loop)
{
	ck_assert_ptr_null(cfg_load(DATA "loop.conf", err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "loop.conf:2: includes nested too "
				     "deeply"));
}
END_TEST

START_TEST(test_include_relative)
{
	struct cfg *cfg;

	char path[600];

	snprintf(path, sizeof(path), "%s/sub", tmpdir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	write_tmp("sub/inner.conf", "!include ../leaf.conf\n");
	write_tmp("leaf.conf", "hostname = leaf\n");
	cfg = load_text("!include sub/inner.conf\n");
	ck_assert_msg(cfg != NULL, "%s", err);
	ck_assert_str_eq(cfg_get(cfg, "hostname"), "leaf");
	cfg_free(cfg);
	/* Quoted path with a blank; a directory is not a file. */
	write_tmp("with blank.conf", "hostname = blank\n");
	cfg = load_text("!include \"with blank.conf\"\n");
	ck_assert_msg(cfg != NULL, "%s", err);
	ck_assert_str_eq(cfg_get(cfg, "hostname"), "blank");
	cfg_free(cfg);
	ck_assert_ptr_null(load_text("\n!include_try sub\n"));
	ck_assert_ptr_nonnull(strstr(err, "t.conf:2: !include "));
	ck_assert_ptr_nonnull(strstr(err, "/sub: Is a directory"));

	/* An included file neither leaves a section open nor closes ours. */
	write_tmp("open.conf", "plugin {\n  x = 1\n");
	ck_assert_ptr_null(load_text("!include open.conf\nhostname = h\n"));
	ck_assert_ptr_nonnull(strstr(err, "open.conf:2: section 'plugin' is "
				     "not closed at the end of the file"));
	write_tmp("close.conf", "x = 1\n}\n");
	ck_assert_ptr_null(load_text("plugin {\n!include close.conf\n}\n"));
	ck_assert_ptr_nonnull(strstr(err, "close.conf:2: unexpected '}'"));
	write_tmp("ok.conf", "x = 1\n");
	cfg = load_text("plugin {\n  !include ok.conf\n}\n");
	ck_assert_msg(cfg != NULL, "%s", err);
	ck_assert_str_eq(cfg_get_proto(cfg, "lda", "x"), "1");
	cfg_free(cfg);
	cfg = load_text("!include_try sub/*.none\n!include_try nope\n");
	ck_assert_ptr_nonnull(cfg);
	ck_assert_ptr_null(cfg_root(cfg)->entries);
	cfg_free(cfg);
}
END_TEST

START_TEST(test_value_file)
{
	struct cfg *cfg;
	const struct cfg_entry *e;

	write_tmp("cert.pem", "-----BEGIN-----\nabc\n-----END-----\n\n");
	write_tmp("key.pem", "secret");
	cfg = load_text("ssl_cert = <cert.pem\nssl_key = < key.pem\n"
			"plugin {\n  sieve_global = < key.pem\n}\n");
	ck_assert_msg(cfg != NULL, "%s", err);
	ck_assert_str_eq(cfg_get(cfg, "ssl_cert"),
			 "-----BEGIN-----\nabc\n-----END-----");
	ck_assert_str_eq(cfg_get(cfg, "ssl_key"), "secret");
	ck_assert_str_eq(cfg_get_proto(cfg, "lda", "sieve_global"), "secret");
	e = cfg_root(cfg)->entries;
	ck_assert_ptr_nonnull(e->src);
	ck_assert_ptr_nonnull(strstr(e->src, "/cert.pem"));
	cfg_free(cfg);
}
END_TEST

/* Unused settings' files are not read; unreadable files are deferred. */
START_TEST(test_value_file_unread)
{
	struct cfg *cfg;
	const struct cfg_entry *e;

	chmod(write_tmp("key.pem", "secret\n"), 0);
	cfg = load_text("ssl_dh = </no/such/dh.pem\nssl_key = <key.pem\n");
	ck_assert_msg(cfg != NULL, "%s", err);
	e = cfg_get_entry(cfg, "ssl_dh");
	ck_assert_str_eq(e->value, "");
	ck_assert_str_eq(e->src, "/no/such/dh.pem");
	ck_assert_uint_eq(e->line, 1);
	ck_assert_uint_eq(cfg_warning_count(cfg), 1);
	e = cfg_get_entry(cfg, "ssl_key");
	if (geteuid() != 0) {
		ck_assert_int_eq(e->read_errno, EACCES);
		ck_assert_str_eq(e->value, "");
	} else {
		ck_assert_int_eq(e->read_errno, 0);
		ck_assert_str_eq(e->value, "secret");
	}
	ck_assert_ptr_null(cfg_get_entry(cfg, "ssl_cert"));
	cfg_free(cfg);
	/* A missing file of a used setting stays an error. */
	ck_assert_ptr_null(load_text("ssl_cert = </no/such/cert.pem\n"));
	ck_assert_str_eq(strrchr(err, '/') + 1, "cert.pem: No such file or "
			 "directory");
}
END_TEST

START_TEST(test_expand)
{
	struct cfg *cfg = load_text(
		"mail_plugins = quota\n"
		"mail_plugins = $mail_plugins acl\n"
		"protocol lda {\n"
		"  mail_plugins = $mail_plugins sieve\n"
		"}\n"
		"mail_plugins = $mail_plugins zlib\n"
		"hostname = $recipient_delimiter$$x$ $\n"
		"sieve_dir = $sieve_after/y\n"
		"submission_host = \"$mail_plugins\"\n");

	ck_assert_msg(cfg != NULL, "%s", err);
	ck_assert_str_eq(cfg_get(cfg, "mail_plugins"), "quota acl zlib");
	ck_assert_str_eq(cfg_get_proto(cfg, "lda", "mail_plugins"),
			 "quota acl sieve");
	ck_assert_str_eq(cfg_get_proto(cfg, "imap", "mail_plugins"),
			 "quota acl zlib");
	/* Default of an unset key, "$$", a lone '$'. */
	ck_assert_str_eq(cfg_get(cfg, "hostname"), "+$x$ $");
	ck_assert_str_eq(cfg_get(cfg, "sieve_dir"), "/y");
	/* Quoted values are literal. */
	ck_assert_str_eq(cfg_get(cfg, "submission_host"), "$mail_plugins");
	cfg_free(cfg);
}
END_TEST

START_TEST(test_warnings)
{
	struct cfg *cfg = load_text("mail_uid = 1\n"
				    "login_max_processes_count = 256\n"
				    "pop3_lock_session=no\n"
				    "ssl_dh_parameters_length = 2048\n");

	ck_assert_msg(cfg != NULL, "%s", err);
	ck_assert_uint_eq(cfg_warning_count(cfg), 3);
	ck_assert_ptr_nonnull(strstr(cfg_warning(cfg, 0),
		"t.conf:2: warning: setting 'login_max_processes_count': "
		"known Dovecot setting, not used by tamis"));
	ck_assert_ptr_nonnull(strstr(cfg_warning(cfg, 1),
		"t.conf:3: warning: setting 'pop3_lock_session'"));
	ck_assert_ptr_nonnull(strstr(cfg_warning(cfg, 2),
		"t.conf:4: warning: setting 'ssl_dh_parameters_length'"));
	ck_assert_ptr_null(cfg_warning(cfg, 3));
	ck_assert_str_eq(cfg_get(cfg, "pop3_lock_session"), "no");
	cfg_free(cfg);
}
END_TEST

/* Named sections given twice merge; unnamed ones do not. */
START_TEST(test_section_merge)
{
	struct cfg *cfg = load_text(
		"namespace inbox {\n  inbox = yes\n  separator = .\n}\n"
		"passdb {\n  driver = pam\n}\n"
		"passdb {\n  driver = passwd-file\n}\n"
		"namespace inbox {\n  separator = /\n"
		"  mailbox Trash {\n    special_use = \\Trash\n  }\n}\n"
		"namespace other {\n}\n");
	const struct cfg_section *root, *ns, *s;

	ck_assert_msg(cfg != NULL, "%s", err);
	root = cfg_root(cfg);
	ns = cfg_section_first(root, "namespace");
	ck_assert_str_eq(ns->arg, "inbox");
	ck_assert_uint_eq(ns->line, 1);
	ck_assert_str_eq(cfg_section_get(ns, "inbox"), "yes");
	ck_assert_str_eq(cfg_section_get(ns, "separator"), "/");
	ck_assert_str_eq(cfg_section_get(child(ns, "mailbox", "Trash"),
					 "special_use"), "\\Trash");
	ns = cfg_section_next(ns, "namespace");
	ck_assert_str_eq(ns->arg, "other");
	ck_assert_ptr_null(cfg_section_next(ns, "namespace"));
	s = cfg_section_first(root, "passdb");
	ck_assert_str_eq(cfg_section_get(s, "driver"), "pam");
	s = cfg_section_next(s, "passdb");
	ck_assert_str_eq(cfg_section_get(s, "driver"), "passwd-file");
	ck_assert_ptr_null(cfg_section_next(s, "passdb"));
	cfg_free(cfg);
}
END_TEST

START_TEST(test_section_keys_free)
{
	/* Anything goes inside sections, even names unknown at top level. */
	struct cfg *cfg = load_text("plugin {\n  quota_rule = *:storage=1G\n"
				    "  mial_gid = 3\n}\n");

	ck_assert_msg(cfg != NULL, "%s", err);
	ck_assert_str_eq(cfg_get_proto(cfg, "lda", "quota_rule"),
			 "*:storage=1G");
	ck_assert_ptr_null(cfg_get(cfg, "quota_rule"));
	cfg_free(cfg);
}
END_TEST

START_TEST(test_precedence)
{
	struct cfg *cfg = load_text(
		"sieve_max_actions = 10\n"
		"sieve_max_redirects = 1\n"
		"mail_debug = no\n"
		"plugin {\n  sieve_max_actions = 20\n"
		"  sieve_max_redirects = 2\n}\n"
		"protocol lda {\n  sieve_max_actions = 30\n}\n"
		"protocol imap {\n  mail_debug = yes\n}\n"
		"protocol lda {\n  sieve_max_cpu_time = 2 mins\n}\n");
	uint64_t n;
	bool b;

	ck_assert_msg(cfg != NULL, "%s", err);
	ck_assert_str_eq(cfg_get_proto(cfg, "lda", "sieve_max_actions"), "30");
	ck_assert_str_eq(cfg_get_proto(cfg, "imap", "sieve_max_actions"),
			 "20");
	ck_assert_str_eq(cfg_get_proto(cfg, "lda", "sieve_max_redirects"),
			 "2");
	ck_assert_str_eq(cfg_get(cfg, "sieve_max_actions"), "10");
	ck_assert_str_eq(cfg_get_proto(cfg, "lda", "mail_debug"), "no");
	ck_assert_str_eq(cfg_get_proto(cfg, "imap", "mail_debug"), "yes");
	ck_assert_ptr_null(cfg_get_proto(cfg, "lda", "sieve_dir"));
	/* Second protocol lda section is searched too. */
	ck_assert_int_eq(cfg_get_time(cfg, "lda", "sieve_max_cpu_time", &n), 0);
	ck_assert_uint_eq(n, 120);
	ck_assert_int_eq(cfg_get_uint(cfg, "lda", "sieve_max_actions", &n), 0);
	ck_assert_uint_eq(n, 30);
	ck_assert_int_eq(cfg_get_uint(cfg, NULL, "sieve_max_actions", &n), 0);
	ck_assert_uint_eq(n, 10);
	ck_assert_int_eq(cfg_get_bool(cfg, "imap", "mail_debug", &b), 0);
	ck_assert(b);
	ck_assert_int_eq(cfg_get_bool(cfg, NULL, "mail_debug", &b), 0);
	ck_assert(!b);
	cfg_free(cfg);
}
END_TEST

START_TEST(test_defaults)
{
	struct cfg *cfg = cfg_new_empty();
	uint64_t n;
	bool b = true;

	ck_assert_ptr_null(cfg_get(cfg, "recipient_delimiter"));
	ck_assert_str_eq(cfg_default("recipient_delimiter"), "+");
	ck_assert_str_eq(cfg_default("sendmail_path"), "/usr/sbin/sendmail");
	ck_assert_ptr_null(cfg_default("mail_location"));
	ck_assert_ptr_null(cfg_default("no_such_key"));
	ck_assert_int_eq(cfg_get_size(cfg, "lda", "sieve_max_script_size", &n),
			 0);
	ck_assert_uint_eq(n, 1024 * 1024);
	ck_assert_int_eq(cfg_get_time(cfg, NULL, "sieve_vacation_min_period",
				      &n), 0);
	ck_assert_uint_eq(n, 86400);
	ck_assert_int_eq(cfg_get_time(cfg, NULL,
				      "sieve_vacation_default_period", &n), 0);
	ck_assert_uint_eq(n, 7 * 86400);
	ck_assert_int_eq(cfg_get_uint(cfg, NULL, "mail_max_userip_connections",
				      &n), 0);
	ck_assert_uint_eq(n, 10);
	ck_assert_int_eq(cfg_get_bool(cfg, NULL, "lda_mailbox_autocreate", &b),
			 0);
	ck_assert(!b);
	ck_assert_int_eq(cfg_get_bool(cfg, NULL, "disable_plaintext_auth", &b),
			 0);
	ck_assert(b);
	ck_assert_int_eq(cfg_get_uint(cfg, NULL, "mail_uid", &n), -1);
	ck_assert_ptr_eq(cfg_section_first(cfg_root(cfg), NULL), NULL);
	cfg_free(cfg);
}
END_TEST

static const struct {
	const char *s;
	int rc;
	uint64_t v;
} size_cases[] = {
	{ "0", 0, 0 }, { "123", 0, 123 }, { "1k", 0, 1024 },
	{ "1K", 0, 1024 }, { "2 M", 0, 2097152 }, { "1M", 0, 1048576 },
	{ "3G", 0, 3221225472ULL }, { "1T", 0, 1099511627776ULL },
	{ "10B", 0, 10 }, { "4 kB", 0, 4096 }, { "", -1, 0 },
	{ "k", -1, 0 }, { "1X", -1, 0 }, { "-1", -1, 0 }, { "1 k x", -1, 0 },
	{ "99999999999999999999", -1, 0 }, { "20000000000T", -1, 0 },
};

START_TEST(test_size)
{
	uint64_t v = 7;

	ck_assert_int_eq(cfg_parse_size(size_cases[_i].s, &v),
			 size_cases[_i].rc);
	if (size_cases[_i].rc == 0)
		ck_assert_uint_eq(v, size_cases[_i].v);
}
END_TEST

static const struct {
	const char *s;
	int rc;
	uint64_t v;
} time_cases[] = {
	{ "0", 0, 0 }, { "30", 0, 30 }, { "30s", 0, 30 },
	{ "30 secs", 0, 30 }, { "1 sec", 0, 1 }, { "5m", 0, 300 },
	{ "5 mins", 0, 300 }, { "2h", 0, 7200 }, { "2 hours", 0, 7200 },
	{ "1 hour", 0, 3600 }, { "1d", 0, 86400 }, { "7 days", 0, 604800 },
	{ "1 day", 0, 86400 }, { "2w", 0, 1209600 }, { "1 week", 0, 604800 },
	{ "10 seconds", 0, 10 }, { "3 minutes", 0, 180 },
	{ "1y", -1, 0 }, { "d", -1, 0 }, { "1 dayz", -1, 0 },
	{ "1.5h", -1, 0 },
};

START_TEST(test_time)
{
	uint64_t v = 7;

	ck_assert_int_eq(cfg_parse_time(time_cases[_i].s, &v),
			 time_cases[_i].rc);
	if (time_cases[_i].rc == 0)
		ck_assert_uint_eq(v, time_cases[_i].v);
}
END_TEST

START_TEST(test_bool_uint)
{
	bool b = false;
	uint64_t n;

	ck_assert_int_eq(cfg_parse_bool("yes", &b), 0);
	ck_assert(b);
	ck_assert_int_eq(cfg_parse_bool("NO", &b), 0);
	ck_assert(!b);
	ck_assert_int_eq(cfg_parse_bool("true", &b), -1);
	ck_assert_int_eq(cfg_parse_bool("", &b), -1);
	ck_assert_int_eq(cfg_parse_uint("5000", &n), 0);
	ck_assert_uint_eq(n, 5000);
	ck_assert_int_eq(cfg_parse_uint("5k", &n), -1);
	ck_assert_int_eq(cfg_parse_uint("vmail", &n), -1);
}
END_TEST

START_TEST(test_override)
{
	struct cfg *cfg = load_text("mail_uid = 1\nplugin {\n  sieve = a\n}\n");

	ck_assert_msg(cfg != NULL, "%s", err);
	ck_assert_int_eq(cfg_override(cfg, "mail_uid=2", err, sizeof(err)), 0);
	ck_assert_int_eq(cfg_override(cfg, "hostname = h.example ", err,
				      sizeof(err)), 0);
	ck_assert_int_eq(cfg_override(cfg, "plugin/sieve=b", err,
				      sizeof(err)), 0);
	ck_assert_int_eq(cfg_override(cfg, "protocol/x=y", err,
				      sizeof(err)), 0);
	ck_assert_str_eq(cfg_get(cfg, "mail_uid"), "2");
	ck_assert_str_eq(cfg_get(cfg, "hostname"), "h.example");
	ck_assert_str_eq(cfg_get_proto(cfg, "lda", "sieve"), "b");
	ck_assert_str_eq(cfg_section_get(cfg_section_first(cfg_root(cfg),
							   "protocol"), "x"),
			 "y");
	ck_assert_int_eq(cfg_override(cfg, "mail_ud=2", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "override: unknown setting 'mail_ud' (did you "
			 "mean 'mail_uid'?)");
	ck_assert_int_eq(cfg_override(cfg, "novalue", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "override 'novalue': expected key=value");
	ck_assert_int_eq(cfg_override(cfg, "plugin/=x", err, sizeof(err)), -1);
	cfg_free(cfg);
}
END_TEST

/* Copies the howto configuration next to its certificate files. */
START_TEST(test_howto)
{
	struct buf b = BUF_INIT;
	const struct cfg_section *root, *s, *ns;
	struct cfg *cfg;
	bool v = true;
	uint64_t n;
	size_t i;

	ck_assert_int_eq(buf_read_file(&b, DATA "howto.conf", 0), 0);
	write_tmp("cert.pem", "CERT\n");
	write_tmp("key.pem", "KEY\n");
	cfg = load_ok(write_tmp("dovecot.conf", b.data));
	buf_free(&b);

	ck_assert_int_eq(cfg_get_bool(cfg, NULL, "disable_plaintext_auth", &v),
			 0);
	ck_assert(!v);
	ck_assert_str_eq(cfg_get(cfg, "auth_mechanisms"), "plain login");
	ck_assert_str_eq(cfg_get(cfg, "mail_location"),
			 "maildir:/home/vmail/%d/%n");
	ck_assert_int_eq(cfg_get_uint(cfg, NULL, "mail_uid", &n), 0);
	ck_assert_uint_eq(n, 5000);
	ck_assert_str_eq(cfg_get(cfg, "mail_gid"), "5000");
	ck_assert_str_eq(cfg_get_proto(cfg, "lda", "mail_plugins"), "sieve");
	ck_assert_ptr_null(cfg_get(cfg, "mail_plugins"));
	ck_assert_str_eq(cfg_get(cfg, "ssl"), "yes");
	ck_assert_str_eq(cfg_get(cfg, "ssl_cert"), "CERT");
	ck_assert_str_eq(cfg_get(cfg, "ssl_key"), "KEY");
	ck_assert_str_eq(cfg_get(cfg, "sieve_extensions"),
			 "+vnd.dovecot.duplicate");
	ck_assert_int_eq(cfg_get_uint(cfg, "imap",
				      "mail_max_userip_connections", &n), 0);
	ck_assert_uint_eq(n, 42);
	ck_assert_int_eq(cfg_get_uint(cfg, "lda",
				      "mail_max_userip_connections", &n), 0);
	ck_assert_uint_eq(n, 10);
	ck_assert_int_eq(cfg_get_bool(cfg, "lda", "auth_debug", &v), 0);
	ck_assert(v);

	root = cfg_root(cfg);
	s = child(child(root, "service", "auth"), "unix_listener",
		  "auth-userdb");
	ck_assert_str_eq(cfg_section_get(s, "mode"), "0600");
	ck_assert_str_eq(cfg_section_get(s, "user"), "vmail");
	ck_assert_str_eq(cfg_section_get(s, "group"), "vmail");
	ns = child(root, "namespace", "inbox");
	ck_assert_str_eq(cfg_section_get(ns, "location"), "");
	ck_assert_str_eq(cfg_section_get(ns, "prefix"), "");
	s = child(ns, "mailbox", "Drafts");
	ck_assert_str_eq(cfg_section_get(s, "auto"), "no");
	ck_assert_str_eq(cfg_section_get(s, "special_use"), "\\Drafts");
	s = child(ns, "mailbox", "Sent");
	ck_assert_str_eq(cfg_section_get(s, "auto"), "subscribe");
	ck_assert_str_eq(cfg_section_get(s, "special_use"), "\\Sent");

	/* ssl_dh_parameters_length, login_max_processes_count, pop3_lock. */
	ck_assert_uint_eq(cfg_warning_count(cfg), 3);
	for (i = 0; i < 3; i++)
		ck_assert_ptr_nonnull(strstr(cfg_warning(cfg, i), "warning:"));
	ck_assert_ptr_nonnull(strstr(cfg_warning(cfg, 0),
				     "ssl_dh_parameters_length"));
	ck_assert_ptr_nonnull(strstr(cfg_warning(cfg, 1),
				     "login_max_processes_count"));
	ck_assert_ptr_nonnull(strstr(cfg_warning(cfg, 2),
				     "pop3_lock_session"));
	cfg_free(cfg);
}
END_TEST

START_TEST(test_crlf_and_empty)
{
	struct cfg *cfg = load_text("hostname = a\r\nplugin {\r\n x = 1\r\n}"
				    "\r\n");

	ck_assert_msg(cfg != NULL, "%s", err);
	ck_assert_str_eq(cfg_get(cfg, "hostname"), "a");
	ck_assert_str_eq(cfg_get_proto(cfg, "lda", "x"), "1");
	cfg_free(cfg);
	cfg = load_text("");
	ck_assert_ptr_nonnull(cfg);
	ck_assert_ptr_null(cfg_root(cfg)->entries);
	cfg_free(cfg);
}
END_TEST

static Suite *
config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_syntax_values);
	tcase_add_test(tc, test_syntax_sections);
	tcase_add_loop_test(tc, test_errors, 0,
			    sizeof(error_cases) / sizeof(error_cases[0]));
	tcase_add_test(tc, test_value_file_error);
	tcase_add_test(tc, test_include);
	tcase_add_test(tc, test_include_missing);
	tcase_add_test(tc, test_include_loop);
	tcase_add_test(tc, test_include_relative);
	tcase_add_test(tc, test_value_file);
	tcase_add_test(tc, test_value_file_unread);
	tcase_add_test(tc, test_expand);
	tcase_add_test(tc, test_warnings);
	tcase_add_test(tc, test_section_merge);
	tcase_add_test(tc, test_section_keys_free);
	tcase_add_test(tc, test_precedence);
	tcase_add_test(tc, test_defaults);
	tcase_add_loop_test(tc, test_size, 0,
			    sizeof(size_cases) / sizeof(size_cases[0]));
	tcase_add_loop_test(tc, test_time, 0,
			    sizeof(time_cases) / sizeof(time_cases[0]));
	tcase_add_test(tc, test_bool_uint);
	tcase_add_test(tc, test_override);
	tcase_add_test(tc, test_howto);
	tcase_add_test(tc, test_crlf_and_empty);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(config_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
