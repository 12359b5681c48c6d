/*
 * mailer.c -- outgoing mail of a delivery (redirect, reject, vacation):
 * handed to the MTA through sendmail_path, as Dovecot's LDA does
 * ("sendmail -i -f SENDER -- RCPT..."), or submitted over SMTP to
 * submission_host when that is set (smtp.c), and SRS rewriting of the envelope
 * sender of forwarded mail.
 *
 * SRS (Sender Rewriting Scheme) lets a forwarded message pass the SPF
 * check of the next hop: the envelope sender user@example.org becomes
 *     SRS0=HHHH=TT=example.org=user@forward.example.net
 * where TT is a day stamp (base32, modulo 1024) and HHHH the start of an
 * HMAC-SHA1 over stamp, domain and local part keyed with the site's
 * secret, so that bounces can be verified and returned by the forwarding
 * domain. An address that already is SRS0 becomes SRS1 (the original
 * forwarder's part is kept, not nested). Settings:
 * sieve_redirect_srs_secret, sieve_redirect_srs_domain.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>


#include "arena.h"
#include "config.h"
#include "digest.h"
#include "lda.h"
#include "log.h"

#define MAX_SENDMAIL_ARGS 32

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
lda_sendmail(struct lda *l, const char *from, const char *const *rcpts,
	     size_t nrcpts, const char *prefix, size_t prefix_len,
	     const char *body, size_t body_len, char *err, size_t errlen)
{
	const char *path = cfg_get_proto(l->cfg, "lda", "sendmail_path");
	const char *smtp = cfg_get_proto(l->cfg, "lda", "submission_host");
	char *copy, *tok, *save = NULL;
	char *argv[MAX_SENDMAIL_ARGS + 8];
	size_t argc = 0, i;
	int pipefd[2], status;
	pid_t pid;
	void (*old_pipe)(int);
	int werr = 0;

	if (smtp != NULL && *smtp != '\0')
		return lda_smtp_send(l, smtp, from, rcpts, nrcpts, prefix,
				     prefix_len, body, body_len, err, errlen);
	if (path == NULL || *path == '\0')
		path = cfg_default("sendmail_path");
	if (nrcpts > 0 && nrcpts > MAX_SENDMAIL_ARGS) {
		snprintf(err, errlen, "too many recipients");
		return -1;
	}
	copy = arena_strdup(l->arena, path);
	for (tok = strtok_r(copy, " \t", &save);
	     tok != NULL && argc < MAX_SENDMAIL_ARGS;
	     tok = strtok_r(NULL, " \t", &save))
		argv[argc++] = tok;
	argv[argc++] = "-i";
	argv[argc++] = "-f";
	argv[argc++] = (char *)(from && *from ? from : "<>");
	argv[argc++] = "--";
	argv[argc] = NULL;
	{
		char **all = arena_alloc(l->arena,
					 (argc + nrcpts + 1) * sizeof(*all));

		memcpy(all, argv, argc * sizeof(*all));
		for (i = 0; i < nrcpts; i++)
			all[argc + i] = (char *)rcpts[i];
		all[argc + nrcpts] = NULL;
		if (pipe(pipefd) < 0) {
			snprintf(err, errlen, "pipe: %s", strerror(errno));
			return -1;
		}
		fflush(NULL);
		pid = fork();
		if (pid < 0) {
			snprintf(err, errlen, "fork: %s", strerror(errno));
			close(pipefd[0]);
			close(pipefd[1]);
			return -1;
		}
		if (pid == 0) {
			dup2(pipefd[0], 0);
			close(pipefd[0]);
			close(pipefd[1]);
			execv(all[0], all);
			fprintf(stderr, "deliver: cannot run %s: %s\n", all[0],
				strerror(errno));
			_exit(127);
		}
	}
	close(pipefd[0]);
	old_pipe = signal(SIGPIPE, SIG_IGN);
	if ((prefix_len && write_all(pipefd[1], prefix, prefix_len) < 0) ||
	    write_all(pipefd[1], body, body_len) < 0)
		werr = errno;
	close(pipefd[1]);
	signal(SIGPIPE, old_pipe);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			snprintf(err, errlen, "waitpid: %s", strerror(errno));
			return -1;
		}
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (WIFEXITED(status))
			snprintf(err, errlen, "%s exited with status %d",
				 argv[0], WEXITSTATUS(status));
		else
			snprintf(err, errlen, "%s killed by signal %d",
				 argv[0], WTERMSIG(status));
		return -1;
	}
	if (werr) {
		snprintf(err, errlen, "writing to %s: %s", argv[0],
			 strerror(werr));
		return -1;
	}
	return 0;
}

/* ---- SRS ----------------------------------------------------------------- */

static const char srs_base32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

static void
srs_hash(const char *secret, const char *a, const char *b, const char *c,
	 char out[5])
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned char md[DIGEST_SHA1_LEN];
	unsigned char data[1024];
	size_t n = 0, k;
	const char *parts[3] = { a, b, c };

	for (k = 0; k < 3; k++) {
		const char *p;

		for (p = parts[k]; p && *p && n < sizeof(data); p++)
			/* case-insensitive: SRS addresses may be lowercased
			 * on the way back */
			data[n++] = (unsigned char)((*p >= 'A' && *p <= 'Z') ?
						    *p + 32 : *p);
	}
	if (digest_hmac_sha1(secret, strlen(secret), data, n, md) < 0) {
		log_warn("SRS: digests unavailable: %s", digest_error());
		memset(md, 0, sizeof(md));
	}
	/* the first 4 base64 characters: 24 bits of the digest */
	out[0] = b64[md[0] >> 2];
	out[1] = b64[((md[0] & 3) << 4) | (md[1] >> 4)];
	out[2] = b64[((md[1] & 15) << 2) | (md[2] >> 6)];
	out[3] = b64[md[2] & 63];
	out[4] = '\0';
}

char *
lda_srs_forward(struct lda *l, const char *sender)
{
	const char *secret = cfg_get_proto(l->cfg, "lda",
					   "sieve_redirect_srs_secret");
	const char *domain = cfg_get_proto(l->cfg, "lda",
					   "sieve_redirect_srs_domain");
	const char *at;
	char *local, hash[5], stamp[3];
	unsigned days;

	if (secret == NULL || *secret == '\0' || domain == NULL ||
	    *domain == '\0' || sender == NULL || *sender == '\0')
		return NULL;
	at = strrchr(sender, '@');
	if (at == NULL || at == sender || at[1] == '\0')
		return NULL;
	if (strcasecmp(at + 1, domain) == 0)
		return NULL;		/* already ours */
	local = arena_strndup(l->arena, sender, (size_t)(at - sender));

	if (strncasecmp(local, "SRS1=", 5) == 0 ||
	    strncasecmp(local, "SRS0=", 5) == 0) {
		/* SRS0=HHHH=TT=domain=user@fwd1 -> SRS1=HHHH=fwd1==HHHH=TT=
		 * domain=user@ours; SRS1 stays SRS1 with fwd1 kept */
		const char *rest, *fwd;

		if (local[3] == '1') {
			char *eq = strchr(local + 5, '=');	/* after hash */

			if (eq == NULL)
				return NULL;
			fwd = arena_strndup(l->arena, eq + 1,
					    strcspn(eq + 1, "="));
			rest = eq + 1 + strlen(fwd);	/* "==HHHH=..." */
			if (strncmp(rest, "==", 2) != 0)
				return NULL;
			rest += 1;	/* "=HHHH=..." */
		} else {
			fwd = at + 1;
			rest = local + 4;	/* "=HHHH=TT=..." */
		}
		srs_hash(secret, fwd, rest, NULL, hash);
		return arena_printf(l->arena, "SRS1=%s=%s=%s@%s", hash, fwd,
				    rest, domain);
	}
	days = (unsigned)((time(NULL) / 86400) % 1024);
	stamp[0] = srs_base32[(days >> 5) & 31];
	stamp[1] = srs_base32[days & 31];
	stamp[2] = '\0';
	srs_hash(secret, stamp, at + 1, local, hash);
	return arena_printf(l->arena, "SRS0=%s=%s=%s=%s@%s", hash, stamp,
			    at + 1, local, domain);
}
