/* userdb.c -- user look-ups from userdb { } sections (see userdb.h). */
#include "userdb.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "config.h"
#include "var_expand.h"

#define PASSWD_FILE_MAX (64 * 1024 * 1024)

int
userdb_parse_uid(const char *s, uid_t *out)
{
	char *end;
	unsigned long v;
	struct passwd *pw;

	if (s == NULL || *s == '\0')
		return -1;
	v = strtoul(s, &end, 10);
	if (*end == '\0') {
		*out = (uid_t)v;
		return 0;
	}
	if ((pw = getpwnam(s)) == NULL)
		return -1;
	*out = pw->pw_uid;
	return 0;
}

int
userdb_parse_gid(const char *s, gid_t *out)
{
	char *end;
	unsigned long v;
	struct group *gr;

	if (s == NULL || *s == '\0')
		return -1;
	v = strtoul(s, &end, 10);
	if (*end == '\0') {
		*out = (gid_t)v;
		return 0;
	}
	if ((gr = getgrnam(s)) == NULL)
		return -1;
	*out = gr->gr_gid;
	return 0;
}

const char *
userdb_field(const struct userdb_user *u, const char *key)
{
	size_t i;

	for (i = 0; i < u->nfields; i++)
		if (strcmp(u->fields[i].key, key) == 0)
			return u->fields[i].value;
	return NULL;
}

void
userdb_user_free(struct userdb_user *u)
{
	size_t i;

	free(u->user);
	free(u->home);
	free(u->mail);
	for (i = 0; i < u->nfields; i++) {
		free(u->fields[i].key);
		free(u->fields[i].value);
	}
	free(u->fields);
	memset(u, 0, sizeof(*u));
}

static char *
expand(const char *src, const char *user, const char *home)
{
	struct var_expand_table tab[5];
	struct buf b = BUF_INIT;
	char local[256];

	var_expand_user_table(tab, user, home, local, sizeof(local));
	(void)var_expand(&b, src, tab, 5, NULL);
	return buf_steal(&b, NULL);
}

/*
 * Sets one userdb field: the well-known ones go into the struct, the rest
 * into fields. override: replace an existing value (override_fields),
 * else only fill what is missing (default_fields) or set (the database).
 */
static void
set_field(struct userdb_user *u, const char *key, const char *value,
	  bool only_if_unset)
{
	size_t i;

	if (strncmp(key, "userdb_", 7) == 0)
		key += 7;
	if (strcmp(key, "uid") == 0) {
		uid_t uid;

		if ((only_if_unset && u->has_uid) ||
		    userdb_parse_uid(value, &uid) < 0)
			return;
		u->uid = uid;
		u->has_uid = true;
		return;
	}
	if (strcmp(key, "gid") == 0) {
		gid_t gid;

		if ((only_if_unset && u->has_gid) ||
		    userdb_parse_gid(value, &gid) < 0)
			return;
		u->gid = gid;
		u->has_gid = true;
		return;
	}
	if (strcmp(key, "home") == 0 || strcmp(key, "mail") == 0) {
		char **dst = key[0] == 'h' ? &u->home : &u->mail;

		if (only_if_unset && *dst != NULL)
			return;
		free(*dst);
		*dst = *value ? xstrdup(value) : NULL;
		return;
	}
	for (i = 0; i < u->nfields; i++) {
		if (strcmp(u->fields[i].key, key) == 0) {
			if (only_if_unset)
				return;
			free(u->fields[i].value);
			u->fields[i].value = xstrdup(value);
			return;
		}
	}
	u->fields = xrealloc(u->fields, (u->nfields + 1) * sizeof(*u->fields));
	u->fields[u->nfields].key = xstrdup(key);
	u->fields[u->nfields].value = xstrdup(value);
	u->nfields++;
}

/* "k=v k2=v2 flag" with %-expansion of the values. */
static void
apply_fields(struct userdb_user *u, const char *spec, bool only_if_unset)
{
	char *copy, *tok, *save = NULL;

	if (spec == NULL)
		return;
	copy = xstrdup(spec);
	for (tok = strtok_r(copy, " \t", &save); tok != NULL;
	     tok = strtok_r(NULL, " \t", &save)) {
		char *eq = strchr(tok, '=');
		char *val;

		if (eq == NULL) {
			set_field(u, tok, "yes", only_if_unset);
			continue;
		}
		*eq = '\0';
		val = expand(eq + 1, u->user, u->home);
		set_field(u, tok, val, only_if_unset);
		free(val);
	}
	free(copy);
}

/* Splits "opt=val opt2=val2 /path" into the path and one option. */
static char *
args_option(const char *args, const char *name)
{
	size_t nlen = strlen(name);
	const char *p = args;

	while (p && *p) {
		const char *end;

		while (*p == ' ' || *p == '\t')
			p++;
		end = p + strcspn(p, " \t");
		if ((size_t)(end - p) > nlen && strncmp(p, name, nlen) == 0 &&
		    p[nlen] == '=')
			return xstrndup(p + nlen + 1, (size_t)(end - p) - nlen - 1);
		p = end;
	}
	return NULL;
}

static char *
args_path(const char *args)
{
	const char *p = args, *last = NULL;
	size_t lastlen = 0;

	while (p && *p) {
		const char *end;

		while (*p == ' ' || *p == '\t')
			p++;
		end = p + strcspn(p, " \t");
		if (end > p && memchr(p, '=', (size_t)(end - p)) == NULL) {
			last = p;
			lastlen = (size_t)(end - p);
		}
		p = end;
	}
	return last ? xstrndup(last, lastlen) : NULL;
}

/* One passwd-file line "user:pass:uid:gid:gecos:home:shell:extra". */
static void
passwd_line_fill(struct userdb_user *u, char *line)
{
	char *f[8] = { 0 };
	unsigned n = 0;
	char *p = line;

	while (n < 8) {
		f[n++] = p;
		if (n == 8)
			break;
		p = strchr(p, ':');
		if (p == NULL)
			break;
		*p++ = '\0';
	}
	if (n > 2 && *f[2])
		set_field(u, "uid", f[2], false);
	if (n > 3 && *f[3])
		set_field(u, "gid", f[3], false);
	if (n > 5 && *f[5])
		set_field(u, "home", f[5], false);
	if (n > 7 && f[7] && *f[7])
		apply_fields(u, f[7], false);
}

static enum userdb_status
lookup_passwd_file(const char *args, const char *user,
		   struct userdb_user *u, char *err, size_t errlen)
{
	char *path_t = args_path(args), *fmt = args_option(args,
							   "username_format");
	char *path = NULL, *name = NULL;
	struct buf b = BUF_INIT;
	enum userdb_status st = USERDB_NOTFOUND;
	size_t namelen;
	char *line, *next;

	if (path_t == NULL) {
		snprintf(err, errlen, "userdb passwd-file: no file in args");
		free(fmt);
		return USERDB_TEMPFAIL;
	}
	path = expand(path_t, user, NULL);
	name = expand(fmt ? fmt : "%u", user, NULL);
	if (buf_read_file(&b, path, PASSWD_FILE_MAX) < 0) {
		if (errno == ENOENT) {
			/* per-domain files: a missing one = no such user */
			st = strchr(path_t, '%') ? USERDB_NOTFOUND :
						   USERDB_TEMPFAIL;
		} else {
			st = USERDB_TEMPFAIL;
		}
		if (st == USERDB_TEMPFAIL)
			snprintf(err, errlen, "userdb passwd-file %s: %s", path,
				 strerror(errno));
		goto out;
	}
	namelen = strlen(name);
	for (line = b.data; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		line[strcspn(line, "\r")] = '\0';
		if (*line == '#' || *line == '\0')
			continue;
		if (strncmp(line, name, namelen) == 0 &&
		    line[namelen] == ':') {
			passwd_line_fill(u, line);
			st = USERDB_FOUND;
			break;
		}
	}
out:
	buf_free(&b);
	free(path_t);
	free(path);
	free(name);
	free(fmt);
	return st;
}

static enum userdb_status
lookup_system(const char *user, struct userdb_user *u)
{
	struct passwd *pw = getpwnam(user);

	if (pw == NULL)
		return USERDB_NOTFOUND;
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	u->has_uid = u->has_gid = true;
	if (u->home == NULL)
		u->home = xstrdup(pw->pw_dir);
	return USERDB_FOUND;
}

enum userdb_status
userdb_lookup(const struct cfg *cfg, const char *user, struct userdb_user *u,
	      char *err, size_t errlen)
{
	const struct cfg_section *s;
	bool unavailable = false;
	char *name;
	const char *fmt;

	memset(u, 0, sizeof(*u));
	*err = '\0';
	/* Dovecot's auth_username_format: %Lu by default */
	fmt = cfg_get(cfg, "auth_username_format");
	name = expand(fmt && *fmt ? fmt : "%Lu", user, NULL);
	u->user = name;

	s = cfg_section_first(cfg_root(cfg), "userdb");
	if (s == NULL)
		return lookup_system(name, u);
	for (; s != NULL; s = cfg_section_next(s, "userdb")) {
		const char *driver = cfg_section_get(s, "driver");
		const char *args = cfg_section_get(s, "args");
		enum userdb_status st;
		char e[512] = "";

		if (driver == NULL && s->arg != NULL)
			driver = s->arg;	/* old "userdb passwd-file { }" */
		if (driver == NULL)
			continue;
		if (strcmp(driver, "passwd-file") == 0) {
			st = lookup_passwd_file(args, name, u, e, sizeof(e));
		} else if (strcmp(driver, "static") == 0) {
			apply_fields(u, args, false);
			st = USERDB_FOUND;
		} else if (strcmp(driver, "passwd") == 0) {
			st = lookup_system(name, u);
		} else if (strcmp(driver, "prefetch") == 0) {
			continue;
		} else {
			snprintf(e, sizeof(e), "userdb %s: not supported "
				 "by deliver yet", driver);
			st = USERDB_TEMPFAIL;
		}
		if (st == USERDB_TEMPFAIL) {
			unavailable = true;
			if (*err == '\0')
				snprintf(err, errlen, "%s", e);
			continue;
		}
		if (st == USERDB_FOUND) {
			apply_fields(u, cfg_section_get(s, "default_fields"),
				     true);
			apply_fields(u, cfg_section_get(s, "override_fields"),
				     false);
			return USERDB_FOUND;
		}
	}
	return unavailable ? USERDB_TEMPFAIL : USERDB_NOTFOUND;
}
