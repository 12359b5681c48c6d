/*
 * userdb.h -- finding a mail user the way Dovecot's userdb { } sections do,
 * without an auth server: deliver reads the databases itself.
 *
 * Drivers: passwd-file (Dovecot's "user:password:uid:gid:gecos:home:shell:
 * extra_fields" format, path may hold %d %n %u; args username_format=),
 * static (args uid= gid= home= mail= ..., allow_all_users=), passwd (the
 * system's users), prefetch (skipped: nothing to prefetch without a
 * passdb lookup). Each section's default_fields and override_fields are
 * applied as Dovecot does. Sections are tried in order; a user found in
 * none is unknown, unless a database could not be read (then the lookup
 * fails temporarily). With no userdb { } at all, the system's users.
 *
 * LDAP comes later (ldap driver): until then an ldap userdb is reported as
 * unavailable, a temporary failure, so that mail waits in the queue.
 */
#ifndef TAMIS_USERDB_H
#define TAMIS_USERDB_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct cfg;

struct userdb_field {
	char *key;
	char *value;
};

struct userdb_user {
	char *user;		/* as looked up (after auth_username_format) */
	char *home;		/* NULL when the database gives none */
	char *mail;		/* userdb "mail" field (mail_location), or NULL */
	uid_t uid;
	gid_t gid;
	bool has_uid, has_gid;
	struct userdb_field *fields;	/* every other field (sieve=, ...) */
	size_t nfields;
};

enum userdb_status {
	USERDB_FOUND = 1,
	USERDB_NOTFOUND = 0,
	USERDB_TEMPFAIL = -1,	/* database unreadable or unsupported */
};

/* Looks user up; on USERDB_TEMPFAIL a message is in err. */
enum userdb_status userdb_lookup(const struct cfg *cfg, const char *user,
				 struct userdb_user *out, char *err,
				 size_t errlen);
/* Value of an extra field, or NULL. */
const char *userdb_field(const struct userdb_user *u, const char *key);
void userdb_user_free(struct userdb_user *u);

/* "vmail" or "5000" to a uid / gid; -1 when unknown. */
int userdb_parse_uid(const char *s, uid_t *out);
int userdb_parse_gid(const char *s, gid_t *out);

#endif
