/*
 * redirect.c -- the envelope rules of a redirect (see sieve_redirect.h):
 * the MAIL FROM chosen by sieve_redirect_envelope_from and the
 * X-Sieve-Redirected-From loop check. Pure functions of the envelope and
 * the message, so that deliver and the testsuite cannot drift apart.
 */
#include "sieve_redirect.h"

#include <string.h>
#include <strings.h>

#include "arena.h"
#include "message.h"

static bool
blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* s without surrounding blanks, in a. */
static char *
trimmed(struct arena *a, const char *s)
{
	size_t b = 0, e = strlen(s);

	while (b < e && blank(s[b]))
		b++;
	while (e > b && blank(s[e - 1]))
		e--;
	return arena_strndup(a, s + b, e - b);
}

const char *
sieve_path_address(struct arena *a, const char *path)
{
	char *p;
	size_t n;

	if (path == NULL)
		return NULL;
	p = trimmed(a, path);
	n = strlen(p);
	if (n >= 2 && p[0] == '<' && p[n - 1] == '>') {
		p[n - 1] = '\0';
		p = trimmed(a, p + 1);
	}
	return p;
}

bool
sieve_path_is_null(const char *path)
{
	size_t i = 0, n;

	if (path == NULL)
		return true;
	n = strlen(path);
	while (i < n && blank(path[i]))
		i++;
	while (n > i && blank(path[n - 1]))
		n--;
	return n == i || (n - i == 2 && path[i] == '<' && path[i + 1] == '>');
}

/* addr when the envelope has it, else the sender. */
static const char *
or_sender(struct arena *a, const char *addr, const char *sender)
{
	if (addr == NULL || sieve_path_is_null(addr))
		return sender;
	return sieve_path_address(a, addr);
}

/*
 * The setting is matched without case and surrounding blanks, as the
 * configuration file may carry them; an explicit address is written as a
 * path, "<a@b>" or "<>" (a null sender on purpose).
 */
const char *
sieve_redirect_sender(struct arena *a, const char *setting,
		      const struct sieve_envelope *env,
		      const char *user_email, const char *postmaster,
		      bool *invalid)
{
	const char *sender;
	char *how;
	size_t n;

	*invalid = false;
	if (sieve_path_is_null(env->from))
		return "";	/* a bounce stays a bounce */
	sender = sieve_path_address(a, env->from);
	if (setting == NULL)
		return sender;
	how = trimmed(a, setting);
	n = strlen(how);
	if (n == 0 || strcasecmp(how, "default") == 0 ||
	    strcasecmp(how, "sender") == 0)
		return sender;
	if (strcasecmp(how, "recipient") == 0)
		return or_sender(a, env->to, sender);
	if (strcasecmp(how, "orig_recipient") == 0)
		return or_sender(a, env->orig_to ? env->orig_to : env->to,
				 sender);
	if (strcasecmp(how, "user_email") == 0)
		return or_sender(a, user_email ? user_email : env->to, sender);
	if (strcasecmp(how, "postmaster") == 0)
		return or_sender(a, postmaster, sender);
	if (how[0] == '<' && how[n - 1] == '>' && n >= 2 &&
	    memchr(how + 1, '<', n - 2) == NULL &&
	    memchr(how + 1, '>', n - 2) == NULL)
		return sieve_path_address(a, how);
	*invalid = true;
	return sender;
}

/* Whether the field value v, blanks aside, is addr (case-insensitive). */
static bool
names(const char *v, const char *addr)
{
	size_t n, m;

	if (addr == NULL || *addr == '\0')
		return false;
	while (blank(*v))
		v++;
	n = strlen(v);
	while (n > 0 && blank(v[n - 1]))
		n--;
	m = strlen(addr);
	return n == m && strncasecmp(v, addr, n) == 0;
}

bool
sieve_redirect_loop(struct sieve_message *msg, const char *recipient,
		    const char *user_email)
{
	const char *const *vals;
	size_t n = sieve_message_header(msg, "x-sieve-redirected-from",
					&vals), i;

	for (i = 0; i < n; i++)
		if (names(vals[i], recipient) || names(vals[i], user_email))
			return true;
	return false;
}
