/*
 * config.c -- Dovecot configuration syntax reader (see config.h).
 *
 * A file is read whole and taken line by line.  A line holds one statement,
 * except that a section opened on a line may hold statements and closing
 * braces after its '{' (`name { key = value }`).  Loading stops at the first
 * error; warnings are collected.  Not here: Dovecot's `key = value \`
 * continuation lines, filter sections' semantics (local/remote are kept as
 * plain sections), and %variables (left to the callers).
 */
#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "config.h"

#define CFG_MAX_INCLUDE_DEPTH 16
#define CFG_MAX_FILE_SIZE (16 * 1024 * 1024)

/* Settings tamis uses: name, default. */
static const struct cfg_def cfg_known[] = {
	{ "mail_location", NULL },
	{ "mail_uid", NULL },
	{ "mail_gid", NULL },
	{ "mail_home", NULL },
	{ "postmaster_address", NULL },
	{ "hostname", NULL },
	{ "recipient_delimiter", "+" },
	{ "lda_mailbox_autocreate", "no" },
	{ "lda_mailbox_autosubscribe", "no" },
	{ "sendmail_path", "/usr/sbin/sendmail" },
	{ "submission_host", NULL },
	{ "submission_timeout", "30 secs" },
	{ "submission_ssl", "no" },
	{ "mail_debug", "no" },
	{ "auth_debug", "no" },
	{ "auth_debug_passwords", "no" },
	{ "auth_verbose", "no" },
	{ "auth_mechanisms", "plain" },
	{ "disable_plaintext_auth", "yes" },
	{ "ssl", "yes" },
	{ "ssl_cert", NULL },
	{ "ssl_key", NULL },
	{ "ssl_dh_parameters_length", NULL },
	{ "ssl_min_protocol", "TLSv1.2" },
	{ "mail_max_userip_connections", "10" },
	{ "protocols", NULL },
	{ "listen", NULL },
	{ "base_dir", NULL },
	{ "mail_plugins", NULL },
	{ "log_path", NULL },
	{ "syslog_facility", "mail" },
	{ "sieve", NULL },
	{ "sieve_dir", NULL },
	{ "sieve_before", NULL },
	{ "sieve_after", NULL },
	{ "sieve_global", NULL },
	{ "sieve_global_dir", NULL },
	{ "sieve_include_max_includes", "255" },
	{ "sieve_include_max_nesting_depth", "10" },
	{ "sieve_extensions", NULL },
	{ "sieve_global_extensions", NULL },
	{ "sieve_max_script_size", "1M" },
	{ "sieve_max_actions", "32" },
	{ "sieve_max_redirects", "4" },
	{ "sieve_max_cpu_time", "0" },
	{ "sieve_quota_max_scripts", "0" },
	{ "sieve_quota_max_storage", "0" },
	{ "sieve_redirect_envelope_from", "sender" },
	{ "sieve_vacation_min_period", "1d" },
	{ "sieve_vacation_max_period", "0" },
	{ "sieve_vacation_default_period", "7d" },
	{ "sieve_vacation_send_from_recipient", "no" },
	{ "sieve_vacation_use_original_recipient", "no" },
	{ "sieve_vacation_dont_check_recipient", "no" },
	{ "sieve_vacation_to_header_ignore_envelope", "no" },
	{ "sieve_vacation_default_subject", NULL },
	{ "sieve_vacation_default_subject_template", NULL },
	{ "sieve_vacation_max_subject_codepoints", "256" },
	{ "sieve_duplicate_default_period", "12h" },
	{ "sieve_duplicate_max_period", "2d" },
	{ "sieve_variables_max_scope_size", "255" },
	{ "sieve_variables_max_variable_size", "4k" },
	{ "sieve_user_log", NULL },
	{ "sieve_default", NULL },
	{ "sieve_user_email", NULL },
	{ "sieve_redirect_srs_secret", NULL },
	{ "sieve_redirect_srs_domain", NULL },
	{ "auth_username_format", "%Lu" },
	{ "lda_original_recipient_header", NULL },
	{ "quota_full_tempfail", "no" },
	{ "deliver_log_format", "msgid=%m: %$" },
	{ "mail_log_prefix", NULL },
	{ "first_valid_uid", "500" },
	{ "mail_fsync", "optimized" },
};

/* Known settings that tamis reads but that have no effect (with why). */
static const struct {
	const char *name;
	const char *why;
} cfg_ignored[] = {
	{ "ssl_dh_parameters_length", "not used by Dovecot 2.3 or tamis" },
};

/* Other Dovecot 2.3 settings: accepted with a warning. */
static const char *const cfg_dovecot_only[] = {
	"login_max_processes_count", "pop3_lock_session",
	"mail_privileged_group", "last_valid_uid",
	"first_valid_gid", "last_valid_gid", "auth_cache_size",
	"auth_cache_ttl", "auth_cache_negative_ttl",
	"auth_realms", "auth_default_realm", "auth_worker_max_count",
	"auth_failure_delay", "auth_master_user_separator", "login_greeting",
	"login_trusted_networks", "login_log_format_elements",
	"mail_access_groups", "mmap_disable",
	"mail_nfs_storage", "mail_nfs_index", "lock_method",
	"mailbox_list_index", "maildir_very_dirty_syncs", "pop3_uidl_format",
	"imap_idle_notify_interval", "imap_client_workarounds",
	"pop3_client_workarounds", "ssl_ca", "ssl_cipher_list",
	"ssl_prefer_server_ciphers", "ssl_client_ca_dir", "verbose_ssl",
	"info_log_path", "debug_log_path", "log_timestamp", "instance_name",
	"default_process_limit", "default_client_limit", "default_vsz_limit",
	"default_login_user", "default_internal_user", "shutdown_clients",
	"version_ignore", "lmtp_save_to_detail_mailbox",
	"mail_attachment_dir", "mail_max_lock_timeout", "mdbox_rotate_size",
	"import_environment",
	"managesieve_notify_capability", "managesieve_sieve_capability",
	"managesieve_max_line_length", "managesieve_logout_format",
	"managesieve_implementation_string", "imap_capability",
	"imap_max_line_length", "imap_logout_format", "mail_temp_dir",
	"mail_save_crlf", "auth_ssl_require_client_cert",
	"ssl_verify_client_cert", "ssl_cert_username_field",
	"mail_cache_min_mail_count", "verbose_proctitle",
	"mail_attribute_dict", "login_access_sockets", "ssl_dh",
	"ssl_client_ca_file", "ssl_curve_list", "ssl_options",
	"auth_username_chars", "auth_username_translation",
	"auth_anonymous_username", "auth_policy_server_url",
	"mail_full_filesystem_access", "valid_chroot_dirs", "mail_chroot",
	"dotlock_use_excl", "mail_cache_fields", "maildir_stat_dirs",
	"mail_prefetch_count", "lmtp_proxy", "lmtp_rcpt_check_quota",
	"submission_relay_host", "auth_socket_path", "mail_server_admin",
	"mail_server_comment", "mailbox_idle_check_interval", "imap_id_log",
	"pop3_no_flag_updates", "pop3_reuse_xuidl", "pop3_save_uidl",
	"state_dir", "libexec_dir", "mail_index_log_rotate_min_size",
	"mail_always_cache_fields",
};

struct cfg {
	struct arena *arena;
	struct cfg_section root;
	char **warnings;
	size_t nwarnings;
};

/* Parser state for one cfg_load. */
struct cfg_parser {
	struct cfg *cfg;
	struct cfg_section *cur;
	struct cfg_section *floor;	/* where the current file started */
	const char *file;
	unsigned line;
	unsigned depth;
	char *err;
	size_t errsize;
	bool failed;
};

static void
cfg_warn(struct cfg *cfg, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
cfg_warn(struct cfg *cfg, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cfg->warnings = xrealloc(cfg->warnings,
				 (cfg->nwarnings + 1) * sizeof(char *));
	cfg->warnings[cfg->nwarnings++] = arena_vprintf(cfg->arena, fmt, ap);
	va_end(ap);
}

static int
cfg_fail(struct cfg_parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Records the first error as "file:line: message"; always returns -1. */
static int
cfg_fail(struct cfg_parser *p, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (p->failed)
		return -1;
	p->failed = true;
	if (p->errsize == 0)
		return -1;
	if (p->file != NULL && p->line > 0)
		n = snprintf(p->err, p->errsize, "%s:%u: ", p->file, p->line);
	else if (p->file != NULL)
		n = snprintf(p->err, p->errsize, "%s: ", p->file);
	if (n < 0 || (size_t)n >= p->errsize)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errsize - n, fmt, ap);
	va_end(ap);
	return -1;
}

static void
cfg_section_init(struct cfg_section *s)
{
	memset(s, 0, sizeof(*s));
	s->entries_tail = &s->entries;
	s->children_tail = &s->children;
}

struct cfg *
cfg_new_empty(void)
{
	struct cfg *cfg = xcalloc(1, sizeof(*cfg));

	cfg->arena = arena_new(8192);
	cfg_section_init(&cfg->root);
	cfg->root.name = "";
	return cfg;
}

void
cfg_free(struct cfg *cfg)
{
	if (cfg == NULL)
		return;
	free(cfg->warnings);
	arena_free(cfg->arena);
	free(cfg);
}

size_t
cfg_warning_count(const struct cfg *cfg)
{
	return cfg->nwarnings;
}

const char *
cfg_warning(const struct cfg *cfg, size_t i)
{
	return i < cfg->nwarnings ? cfg->warnings[i] : NULL;
}

const struct cfg_def *
cfg_defs(size_t *n)
{
	*n = sizeof(cfg_known) / sizeof(cfg_known[0]);
	return cfg_known;
}

static const struct cfg_def *
cfg_find_def(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(cfg_known) / sizeof(cfg_known[0]); i++)
		if (strcmp(cfg_known[i].name, key) == 0)
			return &cfg_known[i];
	return NULL;
}

bool
cfg_is_known(const char *key)
{
	return cfg_find_def(key) != NULL;
}

const char *
cfg_default(const char *key)
{
	const struct cfg_def *d = cfg_find_def(key);

	return d != NULL ? d->def : NULL;
}

static bool
cfg_dovecot_known(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(cfg_dovecot_only) / sizeof(char *); i++)
		if (strcmp(cfg_dovecot_only[i], key) == 0)
			return true;
	return false;
}

/* Levenshtein distance, capped: names are short, two rows suffice. */
static size_t
cfg_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t *prev, *row, d;

	prev = xcalloc(lb + 1, sizeof(size_t));
	row = xcalloc(lb + 1, sizeof(size_t));
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = row[j - 1] + 1;

			row[j] = sub < del ? sub : del;
			if (ins < row[j])
				row[j] = ins;
		}
		memcpy(prev, row, (lb + 1) * sizeof(size_t));
	}
	d = prev[lb];
	free(prev);
	free(row);
	return d;
}

static const char *
cfg_suggest(const char *key)
{
	size_t i, best = 3, d;
	const char *name = NULL;

	for (i = 0; i < sizeof(cfg_known) / sizeof(cfg_known[0]); i++) {
		d = cfg_edit_distance(key, cfg_known[i].name);
		if (d < best) {
			best = d;
			name = cfg_known[i].name;
		}
	}
	return name;
}

/*
 * Decides whether a top-level key may be set: tamis settings pass (some
 * with a warning), other Dovecot settings pass with a warning, anything
 * else is an error with a spelling suggestion.
 */
static int
cfg_check_key(struct cfg_parser *p, const char *key)
{
	const char *s;
	size_t i;

	if (cfg_find_def(key) != NULL) {
		for (i = 0; i < sizeof(cfg_ignored) / sizeof(cfg_ignored[0]);
		     i++)
			if (strcmp(cfg_ignored[i].name, key) == 0)
				cfg_warn(p->cfg, "%s:%u: warning: setting "
					 "'%s' %s", p->file, p->line, key,
					 cfg_ignored[i].why);
		return 0;
	}
	if (cfg_dovecot_known(key)) {
		cfg_warn(p->cfg, "%s:%u: warning: setting '%s': known Dovecot "
			 "setting, not used by tamis", p->file, p->line, key);
		return 0;
	}
	s = cfg_suggest(key);
	if (s != NULL)
		return cfg_fail(p, "unknown setting '%s' (did you mean "
				"'%s'?)", key, s);
	return cfg_fail(p, "unknown setting '%s'", key);
}

static struct cfg_entry *
cfg_find_entry(const struct cfg_section *s, const char *key)
{
	struct cfg_entry *e;

	for (e = s->entries; e != NULL; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e;
	return NULL;
}

/* Sets key in section s; a later setting replaces the earlier one. */
static void
cfg_set(struct cfg *cfg, struct cfg_section *s, const char *key,
	const char *value, const char *src, int read_errno, const char *file,
	unsigned line)
{
	struct cfg_entry *e = cfg_find_entry(s, key);

	if (e == NULL) {
		e = arena_zalloc(cfg->arena, sizeof(*e));
		e->key = arena_strdup(cfg->arena, key);
		*s->entries_tail = e;
		s->entries_tail = &e->next;
	}
	e->value = arena_strdup(cfg->arena, value);
	e->src = src != NULL ? arena_strdup(cfg->arena, src) : NULL;
	e->read_errno = read_errno;
	e->file = file;
	e->line = line;
}

/*
 * Opens a section.  As in Dovecot, a named section given again under the
 * same parent (`namespace inbox { }` in two files) continues the first
 * one; unnamed sections (several passdb { }) stay separate.
 */
static struct cfg_section *
cfg_add_section(struct cfg *cfg, struct cfg_section *parent,
		const char *name, const char *arg, const char *file,
		unsigned line)
{
	struct cfg_section *s;

	if (arg != NULL)
		for (s = parent->children; s != NULL; s = s->next)
			if (s->arg != NULL && strcmp(s->name, name) == 0 &&
			    strcmp(s->arg, arg) == 0)
				return s;
	s = arena_alloc(cfg->arena, sizeof(*s));
	cfg_section_init(s);
	s->name = arena_strdup(cfg->arena, name);
	s->arg = arg != NULL ? arena_strdup(cfg->arena, arg) : NULL;
	s->file = file;
	s->line = line;
	s->parent = parent;
	*parent->children_tail = s;
	parent->children_tail = &s->next;
	return s;
}

static char *
cfg_skip_ws(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static void
cfg_rtrim(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
}

/* Directory part of path, with a trailing '/', or "" for a bare name. */
static char *
cfg_dirname(struct arena *a, const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return arena_strdup(a, "");
	return arena_strndup(a, path, slash - path + 1);
}

static char *
cfg_resolve(struct cfg_parser *p, const char *path)
{
	if (path[0] == '/')
		return arena_strdup(p->cfg->arena, path);
	return arena_printf(p->cfg->arena, "%s%s",
			    cfg_dirname(p->cfg->arena, p->file), path);
}

/*
 * Reads a quoted string starting at *sp (on the quote).  Double quotes take
 * \" and \\ (other backslashes are kept), single quotes are literal.  On
 * success *sp points past the closing quote.
 */
static char *
cfg_quoted(struct cfg_parser *p, char **sp)
{
	char *s = *sp, q = *s++;
	struct buf b = BUF_INIT;
	char *out;

	for (; *s != '\0' && *s != q; s++) {
		if (q == '"' && *s == '\\' && (s[1] == '"' || s[1] == '\\'))
			s++;
		buf_putc(&b, *s);
	}
	if (*s != q) {
		buf_free(&b);
		cfg_fail(p, "missing closing quote");
		return NULL;
	}
	*sp = s + 1;
	out = arena_strndup(p->cfg->arena, b.data ? b.data : "", b.len);
	buf_free(&b);
	return out;
}

/*
 * Expands $name references to earlier top-level values ($$ is one '$').
 * An unset name expands to its table default, else to nothing.
 */
static char *
cfg_expand(struct cfg_parser *p, const char *v)
{
	struct buf b = BUF_INIT;
	const char *s, *start;
	char *name, *out;
	const char *val;

	if (strchr(v, '$') == NULL)
		return arena_strdup(p->cfg->arena, v);
	for (s = v; *s != '\0'; s++) {
		if (*s != '$') {
			buf_putc(&b, *s);
			continue;
		}
		if (s[1] == '$') {
			buf_putc(&b, '$');
			s++;
			continue;
		}
		start = s + 1;
		while (isalnum((unsigned char)*start) || *start == '_')
			start++;
		if (start == s + 1) {
			buf_putc(&b, '$');
			continue;
		}
		name = arena_strndup(p->cfg->arena, s + 1, start - (s + 1));
		val = cfg_get(p->cfg, name);
		if (val == NULL)
			val = cfg_default(name);
		if (val != NULL)
			buf_puts(&b, val);
		s = start - 1;
	}
	out = arena_strndup(p->cfg->arena, b.data ? b.data : "", b.len);
	buf_free(&b);
	return out;
}

/* Counts and removes trailing " }" tokens closing one-line sections. */
static unsigned
cfg_strip_closers(char *v, unsigned open)
{
	unsigned n = 0;
	size_t len;

	cfg_rtrim(v);
	while (n < open && (len = strlen(v)) > 0 && v[len - 1] == '}' &&
	       (len == 1 || v[len - 2] == ' ' || v[len - 2] == '\t')) {
		v[len - 1] = '\0';
		cfg_rtrim(v);
		n++;
	}
	return n;
}

static int cfg_parse_file(struct cfg_parser *p, const char *path,
			  bool must_exist);

static int
cfg_close_section(struct cfg_parser *p)
{
	if (p->cur->parent == NULL || p->cur == p->floor)
		return cfg_fail(p, "unexpected '}'");
	p->cur = p->cur->parent;
	return 0;
}

/*
 * Reads one included file into the current section, which the file may
 * neither leave open nor close; the includer's position is restored.
 */
static int
cfg_include_one(struct cfg_parser *p, const char *path, bool must_exist)
{
	const char *file = p->file;
	unsigned line = p->line;
	struct cfg_section *floor = p->floor;
	int rc;

	p->depth++;
	p->floor = p->cur;
	rc = cfg_parse_file(p, path, must_exist);
	if (rc == 0 && p->cur != p->floor)
		rc = cfg_fail(p, "section '%s' is not closed at the end of "
			      "the file", p->cur->name);
	p->depth--;
	p->floor = floor;
	p->file = file;
	p->line = line;
	return rc;
}

/*
 * !include / !include_try.  A plain path is read directly (so a missing or
 * unreadable file gives its own error); a pattern with wildcards names
 * every matching file in sorted order, and matching nothing is fine.
 */
static int
cfg_include(struct cfg_parser *p, char *rest, bool must_exist)
{
	glob_t g;
	char *pat;
	size_t i;
	int rc = 0;

	rest = cfg_skip_ws(rest);
	if (*rest == '"' || *rest == '\'') {
		pat = cfg_quoted(p, &rest);
		if (pat == NULL)
			return -1;
	} else {
		cfg_rtrim(rest);
		pat = rest;
	}
	if (*pat == '\0')
		return cfg_fail(p, "!include without a path");
	pat = cfg_resolve(p, pat);
	if (p->depth >= CFG_MAX_INCLUDE_DEPTH)
		return cfg_fail(p, "includes nested too deeply (loop?): %s",
				pat);
	if (strpbrk(pat, "*?[") == NULL)
		return cfg_include_one(p, pat, must_exist);
	rc = glob(pat, 0, NULL, &g);
	if (rc == GLOB_NOMATCH) {
		globfree(&g);
		return 0;
	}
	if (rc != 0) {
		globfree(&g);
		return cfg_fail(p, "!include %s: cannot read the directory",
				pat);
	}
	for (i = 0; i < g.gl_pathc && rc == 0; i++)
		rc = cfg_include_one(p, arena_strdup(p->cfg->arena,
						     g.gl_pathv[i]),
				     must_exist);
	globfree(&g);
	return rc;
}

/*
 * `key = <path`: the file's content without its trailing newlines.  A file
 * we may not read is not an error here: deliver runs as the mail user and
 * reads the same dovecot.conf whose ssl_key only root may read.  The entry
 * then has an empty value and read_errno set, for the programs that need
 * the content to report.
 */
static char *
cfg_read_value_file(struct cfg_parser *p, const char *path, int *read_errno)
{
	struct buf b = BUF_INIT;
	char *out;

	if (buf_read_file(&b, path, CFG_MAX_FILE_SIZE) < 0) {
		int e = errno;

		buf_free(&b);
		if (e == EACCES) {
			*read_errno = e;
			return arena_strdup(p->cfg->arena, "");
		}
		cfg_fail(p, "%s: %s", path, strerror(e));
		return NULL;
	}
	while (b.len > 0 && (b.data[b.len - 1] == '\n' ||
			     b.data[b.len - 1] == '\r'))
		b.len--;
	out = arena_strndup(p->cfg->arena, b.data ? b.data : "", b.len);
	buf_free(&b);
	return out;
}

/* The value part of `key = ...`; s is past the '='. */
static int
cfg_parse_value(struct cfg_parser *p, const char *key, char *s,
		unsigned *open, char **restp)
{
	bool top = p->cur->parent == NULL;
	char *v, *src = NULL;
	char *hash;
	unsigned closed;
	int read_errno = 0;

	*restp = NULL;
	if (top && cfg_check_key(p, key) < 0)
		return -1;
	s = cfg_skip_ws(s);
	if (*s == '"' || *s == '\'') {
		v = cfg_quoted(p, &s);
		if (v == NULL)
			return -1;
		*restp = s;
		cfg_set(p->cfg, p->cur, key, v, NULL, 0, p->file, p->line);
		return 0;
	}
	hash = strchr(s, '#');
	if (hash != NULL)
		*hash = '\0';
	closed = cfg_strip_closers(s, *open);
	if (*s == '<') {
		src = cfg_skip_ws(s + 1);
		if (*src == '\0')
			return cfg_fail(p, "'<' without a file name");
		src = cfg_resolve(p, src);
		/* Files of settings tamis ignores (ssl_dh) are not read. */
		if (top && cfg_find_def(key) == NULL)
			v = arena_strdup(p->cfg->arena, "");
		else if ((v = cfg_read_value_file(p, src, &read_errno)) == NULL)
			return -1;
	} else {
		v = cfg_expand(p, s);
	}
	cfg_set(p->cfg, p->cur, key, v, src, read_errno, p->file, p->line);
	while (closed-- > 0) {
		if (cfg_close_section(p) < 0)
			return -1;
		(*open)--;
	}
	return 0;
}

static bool
cfg_name_char(char c)
{
	return c != '\0' && c != '=' && c != '{' && c != '}' && c != '#' &&
	       !isspace((unsigned char)c);
}

/*
 * One line: statements until the end.  `open` counts sections opened on
 * this line, whose closing braces may follow an unquoted value.
 */
static int
cfg_parse_line(struct cfg_parser *p, char *s)
{
	unsigned open = 0;
	char *name, *arg, *brace, *rest;

	for (;;) {
		s = cfg_skip_ws(s);
		if (*s == '\0' || *s == '#' || *s == '\r')
			return 0;
		if (*s == '}') {
			if (cfg_close_section(p) < 0)
				return -1;
			if (open > 0)
				open--;
			s++;
			continue;
		}
		if (*s == '!') {
			if (strncmp(s, "!include_try", 12) == 0 &&
			    isspace((unsigned char)s[12]))
				return cfg_include(p, s + 12, false);
			if (strncmp(s, "!include", 8) == 0 &&
			    isspace((unsigned char)s[8]))
				return cfg_include(p, s + 8, true);
			return cfg_fail(p, "unknown directive '%s'", s);
		}
		name = s;
		while (cfg_name_char(*s))
			s++;
		if (s == name)
			return cfg_fail(p, "expected a setting or section "
					"name");
		name = arena_strndup(p->cfg->arena, name, s - name);
		s = cfg_skip_ws(s);
		if (*s == '=') {
			if (cfg_parse_value(p, name, s + 1, &open, &rest) < 0)
				return -1;
			if (rest == NULL)
				return 0;
			s = cfg_skip_ws(rest);
			if (*s != '\0' && *s != '#' && *s != '}' &&
			    *s != '\r')
				return cfg_fail(p, "unexpected text after "
						"quoted value: %s", s);
			continue;
		}
		arg = NULL;
		if (*s != '{') {
			if (*s == '"' || *s == '\'') {
				arg = cfg_quoted(p, &s);
				if (arg == NULL)
					return -1;
				s = cfg_skip_ws(s);
			} else {
				brace = strchr(s, '{');
				if (brace == NULL || *s == '#' ||
				    *s == '\0')
					return cfg_fail(p, "expected '=' or "
							"'{' after '%s'",
							name);
				arg = arena_strndup(p->cfg->arena, s,
						    brace - s);
				cfg_rtrim(arg);
				s = brace;
			}
			if (*s != '{')
				return cfg_fail(p, "expected '{' after "
						"'%s %s'", name, arg);
		}
		p->cur = cfg_add_section(p->cfg, p->cur, name, arg, p->file,
					 p->line);
		open++;
		s++;
	}
}

/* Reads one file into the tree at the current section. */
static int
cfg_parse_file(struct cfg_parser *p, const char *path, bool must_exist)
{
	struct buf b = BUF_INIT;
	char *s, *nl;
	int rc = 0;

	if (buf_read_file(&b, path, CFG_MAX_FILE_SIZE) < 0) {
		int e = errno;

		buf_free(&b);
		if (!must_exist && e == ENOENT)
			return 0;
		if (p->file == NULL)
			return cfg_fail(p, "%s: %s", path, strerror(e));
		return cfg_fail(p, "!include %s: %s", path, strerror(e));
	}
	p->file = arena_strdup(p->cfg->arena, path);
	p->line = 0;
	if (b.data == NULL) {
		buf_free(&b);
		return 0;
	}
	for (s = b.data; s < b.data + b.len && rc == 0; s = nl + 1) {
		nl = memchr(s, '\n', b.data + b.len - s);
		if (nl == NULL)
			nl = b.data + b.len;
		*nl = '\0';
		p->line++;
		if (memchr(s, '\0', nl - s) != NULL) {
			rc = cfg_fail(p, "NUL byte in line");
			break;
		}
		rc = cfg_parse_line(p, s);
	}
	buf_free(&b);
	return rc;
}

struct cfg *
cfg_load(const char *path, char *err, size_t errsize)
{
	struct cfg_parser p;
	struct cfg *cfg = cfg_new_empty();
	struct cfg_section *open;

	memset(&p, 0, sizeof(p));
	p.cfg = cfg;
	p.cur = &cfg->root;
	p.err = err;
	p.errsize = errsize;
	if (errsize > 0)
		err[0] = '\0';
	if (cfg_parse_file(&p, path, true) < 0) {
		cfg_free(cfg);
		return NULL;
	}
	if (p.cur != &cfg->root) {
		open = p.cur;
		p.file = open->file;
		p.line = open->line;
		cfg_fail(&p, "section '%s' is not closed", open->name);
		cfg_free(cfg);
		return NULL;
	}
	return cfg;
}

/*
 * deliver -o: "key=value" sets a top-level setting (checked like the file's),
 * "sec/sub/key=value" sets it in the first sections of those names, which
 * are created when missing.
 */
int
cfg_override(struct cfg *cfg, const char *kv, char *err, size_t errsize)
{
	struct cfg_parser p;
	const char *eq = strchr(kv, '=');
	char *path, *key, *slash, *value;
	struct cfg_section *s = &cfg->root, *child;

	memset(&p, 0, sizeof(p));
	p.cfg = cfg;
	p.err = err;
	p.errsize = errsize;
	p.file = "override";
	if (eq == NULL || eq == kv) {
		p.file = NULL;
		return cfg_fail(&p, "override '%s': expected key=value", kv);
	}
	path = arena_strndup(cfg->arena, kv, eq - kv);
	cfg_rtrim(path);
	value = cfg_skip_ws(arena_strdup(cfg->arena, eq + 1));
	cfg_rtrim(value);
	key = path;
	while ((slash = strchr(key, '/')) != NULL) {
		*slash = '\0';
		child = (struct cfg_section *)cfg_section_first(s, key);
		if (child == NULL)
			child = cfg_add_section(cfg, s, key, NULL, "override",
						0);
		s = child;
		key = slash + 1;
	}
	if (*key == '\0') {
		p.file = NULL;
		return cfg_fail(&p, "override '%s': empty key", kv);
	}
	p.cur = s;
	if (s == &cfg->root && cfg_check_key(&p, key) < 0)
		return -1;
	cfg_set(cfg, s, key, value, NULL, 0, "override", 0);
	return 0;
}

const struct cfg_entry *
cfg_get_entry(const struct cfg *cfg, const char *key)
{
	return cfg_find_entry(&cfg->root, key);
}

const char *
cfg_get(const struct cfg *cfg, const char *key)
{
	const struct cfg_entry *e = cfg_find_entry(&cfg->root, key);

	return e != NULL ? e->value : NULL;
}

const char *
cfg_get_proto(const struct cfg *cfg, const char *proto, const char *key)
{
	const struct cfg_section *s;
	const char *v;

	for (s = cfg_section_first(&cfg->root, "protocol"); s != NULL;
	     s = cfg_section_next(s, "protocol")) {
		if (s->arg == NULL || strcmp(s->arg, proto) != 0)
			continue;
		if ((v = cfg_section_get(s, key)) != NULL)
			return v;
	}
	for (s = cfg_section_first(&cfg->root, "plugin"); s != NULL;
	     s = cfg_section_next(s, "plugin"))
		if ((v = cfg_section_get(s, key)) != NULL)
			return v;
	return cfg_get(cfg, key);
}

static const char *
cfg_lookup(const struct cfg *cfg, const char *proto, const char *key)
{
	const char *v;

	v = proto != NULL ? cfg_get_proto(cfg, proto, key) : cfg_get(cfg, key);
	return v != NULL ? v : cfg_default(key);
}

/* Number then optional unit word; the unit table gives the multiplier. */
struct cfg_unit {
	const char *name;
	uint64_t mult;
};

static int
cfg_parse_units(const char *s, const struct cfg_unit *units, uint64_t *out)
{
	char *end;
	unsigned long long n;
	size_t i;

	while (isspace((unsigned char)*s))
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	while (isspace((unsigned char)*end))
		end++;
	if (*end == '\0') {
		*out = n;
		return 0;
	}
	for (i = 0; units[i].name != NULL; i++) {
		size_t len = strlen(units[i].name);
		const char *t = end + len;

		if (strncasecmp(end, units[i].name, len) != 0)
			continue;
		while (isspace((unsigned char)*t))
			t++;
		if (*t != '\0')
			continue;
		if (n != 0 && units[i].mult > UINT64_MAX / n)
			return -1;
		*out = n * units[i].mult;
		return 0;
	}
	return -1;
}

int
cfg_parse_uint(const char *s, uint64_t *out)
{
	static const struct cfg_unit none[] = { { NULL, 0 } };

	return cfg_parse_units(s, none, out);
}

int
cfg_parse_size(const char *s, uint64_t *out)
{
	static const struct cfg_unit units[] = {
		{ "b", 1 },
		{ "kb", 1024 }, { "k", 1024 },
		{ "mb", 1024 * 1024 }, { "m", 1024 * 1024 },
		{ "gb", 1024ULL * 1024 * 1024 }, { "g", 1024ULL * 1024 * 1024 },
		{ "tb", 1024ULL * 1024 * 1024 * 1024 },
		{ "t", 1024ULL * 1024 * 1024 * 1024 },
		{ NULL, 0 },
	};

	return cfg_parse_units(s, units, out);
}

int
cfg_parse_time(const char *s, uint64_t *secs)
{
	/* Longer names first: a prefix match must not win. */
	static const struct cfg_unit units[] = {
		{ "seconds", 1 }, { "second", 1 }, { "secs", 1 },
		{ "sec", 1 }, { "s", 1 },
		{ "minutes", 60 }, { "minute", 60 }, { "mins", 60 },
		{ "min", 60 }, { "m", 60 },
		{ "hours", 3600 }, { "hour", 3600 }, { "h", 3600 },
		{ "days", 86400 }, { "day", 86400 }, { "d", 86400 },
		{ "weeks", 604800 }, { "week", 604800 }, { "w", 604800 },
		{ NULL, 0 },
	};

	return cfg_parse_units(s, units, secs);
}

int
cfg_parse_bool(const char *s, bool *out)
{
	if (strcasecmp(s, "yes") == 0) {
		*out = true;
		return 0;
	}
	if (strcasecmp(s, "no") == 0) {
		*out = false;
		return 0;
	}
	return -1;
}

int
cfg_get_uint(const struct cfg *cfg, const char *proto, const char *key,
	     uint64_t *out)
{
	const char *v = cfg_lookup(cfg, proto, key);

	return v != NULL ? cfg_parse_uint(v, out) : -1;
}

int
cfg_get_size(const struct cfg *cfg, const char *proto, const char *key,
	     uint64_t *out)
{
	const char *v = cfg_lookup(cfg, proto, key);

	return v != NULL ? cfg_parse_size(v, out) : -1;
}

int
cfg_get_time(const struct cfg *cfg, const char *proto, const char *key,
	     uint64_t *secs)
{
	const char *v = cfg_lookup(cfg, proto, key);

	return v != NULL ? cfg_parse_time(v, secs) : -1;
}

int
cfg_get_bool(const struct cfg *cfg, const char *proto, const char *key,
	     bool *out)
{
	const char *v = cfg_lookup(cfg, proto, key);

	return v != NULL ? cfg_parse_bool(v, out) : -1;
}

const struct cfg_section *
cfg_root(const struct cfg *cfg)
{
	return &cfg->root;
}

static const struct cfg_section *
cfg_match_from(const struct cfg_section *s, const char *name)
{
	for (; s != NULL; s = s->next)
		if (name == NULL || strcmp(s->name, name) == 0)
			return s;
	return NULL;
}

const struct cfg_section *
cfg_section_first(const struct cfg_section *parent, const char *name)
{
	return cfg_match_from(parent->children, name);
}

const struct cfg_section *
cfg_section_next(const struct cfg_section *sec, const char *name)
{
	return cfg_match_from(sec->next, name);
}

const char *
cfg_section_get(const struct cfg_section *sec, const char *key)
{
	const struct cfg_entry *e = cfg_find_entry(sec, key);

	return e != NULL ? e->value : NULL;
}
