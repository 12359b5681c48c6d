/*
 * smtp.c -- outgoing mail submitted over SMTP to submission_host
 * ("host[:port]", "[v6addr]:port"; port 25 by default), used by
 * lda_sendmail instead of sendmail_path when that setting is not empty,
 * as Dovecot's LDA does.
 *
 * A plain SMTP client (RFC 5321): greeting, EHLO (HELO when EHLO is
 * refused) with our hostname, MAIL FROM, one RCPT TO per recipient, DATA
 * with CRLF line ends and dot-stuffing, QUIT. Every wait for the server
 * (connect, each reply, each write) is bounded by submission_timeout
 * (default 30 s). Any 4xx/5xx reply, I/O error or timeout fails the
 * whole submission with a message naming the step and the server's reply.
 * TLS (submission_ssl) is not supported.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "arena.h"
#include "config.h"
#include "lda.h"

#define SMTP_DEFAULT_TIMEOUT 30		/* seconds */
#define SMTP_LINE_MAX 2048		/* longer reply lines are cut */
#define SMTP_TEXT_MAX 512		/* reply text kept for messages */

struct smtp {
	int fd;
	int timeout_ms;
	unsigned timeout_s;
	const char *server;		/* "host:port", for messages */
	char *err;
	size_t errlen;

	char in[4096];			/* received, not yet consumed */
	size_t inlen, inpos;
	char out[8192];			/* to send */
	size_t outlen;

	/* last reply */
	int code;
	char text[SMTP_TEXT_MAX];	/* "550 5.1.1 no such user" */
	bool ext_8bitmime;
};

static void
fail(struct smtp *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
fail(struct smtp *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(s->err, s->errlen, "submission_host %s: ", s->server);
	if (n < 0 || (size_t)n >= s->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(s->err + n, s->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

/* Waits until fd is ready for events; 0, or -1 with errno (ETIMEDOUT). */
static int
wait_fd(struct smtp *s, short events)
{
	struct pollfd p = { .fd = s->fd, .events = events };
	int r;

	for (;;) {
		r = poll(&p, 1, s->timeout_ms);
		if (r > 0)
			return 0;
		if (r == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (errno != EINTR)
			return -1;
	}
}

static const char *
io_error(struct smtp *s, int e)
{
	static char buf[64];

	if (e == ETIMEDOUT) {
		snprintf(buf, sizeof(buf), "timed out after %u s",
			 s->timeout_s);
		return buf;
	}
	return strerror(e);
}

/* Sends the output buffer. 0, or -1 with errno. */
static int
flush_out(struct smtp *s)
{
	size_t off = 0;

	while (off < s->outlen) {
		ssize_t w = send(s->fd, s->out + off, s->outlen - off,
				 MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				if (wait_fd(s, POLLOUT) < 0)
					return -1;
				continue;
			}
			return -1;
		}
		off += (size_t)w;
	}
	s->outlen = 0;
	return 0;
}

static int
put(struct smtp *s, const char *p, size_t n)
{
	while (n > 0) {
		size_t room = sizeof(s->out) - s->outlen;
		size_t k = n < room ? n : room;

		memcpy(s->out + s->outlen, p, k);
		s->outlen += k;
		p += k;
		n -= k;
		if (s->outlen == sizeof(s->out) && flush_out(s) < 0)
			return -1;
	}
	return 0;
}

/* One line without its CR LF into line (cut at size - 1). 0, or -1 with
 * errno (0 when the server closed the connection). */
static int
read_line(struct smtp *s, char *line, size_t size)
{
	size_t n = 0;

	for (;;) {
		while (s->inpos < s->inlen) {
			char c = s->in[s->inpos++];

			if (c == '\n') {
				if (n > 0 && line[n - 1] == '\r')
					n--;
				line[n] = '\0';
				return 0;
			}
			if (n < size - 1)
				line[n++] = c;
		}
		s->inpos = s->inlen = 0;
		for (;;) {
			ssize_t r = recv(s->fd, s->in, sizeof(s->in), 0);

			if (r > 0) {
				s->inlen = (size_t)r;
				break;
			}
			if (r == 0) {
				errno = 0;
				return -1;
			}
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return -1;
			if (wait_fd(s, POLLIN) < 0)
				return -1;
		}
	}
}

static bool
word_is(const char *p, const char *w)
{
	size_t n = strlen(w);

	return strncasecmp(p, w, n) == 0 &&
	       (p[n] == '\0' || p[n] == ' ' || p[n] == '\t');
}

/* Appends to text (SMTP_TEXT_MAX bytes, kept NUL-terminated), cutting. */
static void
append(char *text, size_t *tl, const char *p, size_t n)
{
	size_t room = SMTP_TEXT_MAX - 1 - *tl;

	if (n > room)
		n = room;
	memcpy(text + *tl, p, n);
	*tl += n;
	text[*tl] = '\0';
}

/* Reads one reply (RFC 5321 4.2: "ddd-text" lines, then "ddd text") into
 * s->code and s->text. 0, or -1 (message in err) on I/O errors and
 * malformed replies. */
static int
read_reply(struct smtp *s, const char *step)
{
	char line[SMTP_LINE_MAX];
	size_t tl = 0;
	int code = -1;

	s->text[0] = '\0';
	for (;;) {
		int c;
		bool last;

		if (read_line(s, line, sizeof(line)) < 0) {
			if (errno == 0)
				fail(s, "%s: connection closed by the server",
				     step);
			else
				fail(s, "%s: %s", step, io_error(s, errno));
			return -1;
		}
		if (line[0] < '2' || line[0] > '5' || line[1] < '0' ||
		    line[1] > '9' || line[2] < '0' || line[2] > '9' ||
		    (line[3] != '\0' && line[3] != ' ' && line[3] != '-')) {
			fail(s, "%s: malformed reply \"%.100s\"", step, line);
			return -1;
		}
		c = (line[0] - '0') * 100 + (line[1] - '0') * 10 +
		    (line[2] - '0');
		if (code >= 0 && c != code) {
			fail(s, "%s: malformed reply (code %d after %d)",
			     step, c, code);
			return -1;
		}
		code = c;
		last = line[3] != '-';
		/* keep "550 first line; second line" for messages */
		if (tl == 0) {
			append(s->text, &tl, line, 3);
			if (line[3] && line[4]) {
				append(s->text, &tl, " ", 1);
				append(s->text, &tl, line + 4, strlen(line + 4));
			}
		} else if (line[3] && line[4]) {
			append(s->text, &tl, "; ", 2);
			append(s->text, &tl, line + 4, strlen(line + 4));
		}
		if (line[3] && word_is(line + 4, "8BITMIME"))
			s->ext_8bitmime = true;
		if (last)
			break;
	}
	s->code = code;
	return 0;
}

/* Sends a command line (without CR LF) and reads the reply. Returns the
 * reply code, or -1 (message in err). step names the command in
 * messages. */
static int
command(struct smtp *s, const char *step, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
command(struct smtp *s, const char *step, const char *fmt, ...)
{
	char line[SMTP_LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 2, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line) - 2) {
		fail(s, "%s: command too long", step);
		return -1;
	}
	memcpy(line + n, "\r\n", 3);
	if (put(s, line, (size_t)n + 2) < 0 || flush_out(s) < 0) {
		fail(s, "%s: %s", step, io_error(s, errno));
		return -1;
	}
	if (read_reply(s, step) < 0)
		return -1;
	return s->code;
}

/* Splits "host[:port]" / "[addr]:port" / bare IPv6 into host and port. */
static int
parse_server(struct arena *a, const char *spec, char **host, char **port)
{
	const char *colon;

	if (spec[0] == '[') {
		const char *end = strchr(spec, ']');

		if (end == NULL || end == spec + 1)
			return -1;
		*host = arena_strndup(a, spec + 1, (size_t)(end - spec - 1));
		if (end[1] == '\0')
			*port = arena_strdup(a, "25");
		else if (end[1] == ':' && end[2] != '\0')
			*port = arena_strdup(a, end + 2);
		else
			return -1;
		return 0;
	}
	colon = strchr(spec, ':');
	if (colon != NULL && strchr(colon + 1, ':') == NULL) {
		if (colon == spec || colon[1] == '\0')
			return -1;
		*host = arena_strndup(a, spec, (size_t)(colon - spec));
		*port = arena_strdup(a, colon + 1);
	} else {
		*host = arena_strdup(a, spec);	/* name, or bare IPv6 */
		*port = arena_strdup(a, "25");
	}
	return 0;
}

/* Non-blocking connect to each address in turn, each bounded by the
 * timeout. The socket stays non-blocking (all I/O goes through poll). */
static int
smtp_connect(struct smtp *s, const char *host, const char *port)
{
	struct addrinfo hints, *res = NULL, *ai;
	int r, e = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	r = getaddrinfo(host, port, &hints, &res);
	if (r != 0) {
		fail(s, "%s", r == EAI_SYSTEM ? strerror(errno) :
		     gai_strerror(r));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
				SOCK_NONBLOCK, ai->ai_protocol);
		socklen_t sl = sizeof(e);

		if (fd < 0) {
			e = errno;
			continue;
		}
		s->fd = fd;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			freeaddrinfo(res);
			return 0;
		}
		if (errno == EINPROGRESS || errno == EINTR) {
			if (wait_fd(s, POLLOUT) == 0 &&
			    getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &sl) == 0) {
				if (e == 0) {
					freeaddrinfo(res);
					return 0;
				}
			} else {
				e = errno;
			}
		} else {
			e = errno;
		}
		close(fd);
		s->fd = -1;
	}
	freeaddrinfo(res);
	fail(s, "connect: %s", io_error(s, e ? e : ECONNREFUSED));
	return -1;
}

/* Adds the message in SMTP form: CR LF line ends (bare LF and bare CR
 * become CR LF), a '.' doubled at the start of a line, a final CR LF when
 * missing. *bol and *cr carry the state from one piece to the next. */
static int
put_data(struct smtp *s, const char *p, size_t n, bool *bol, bool *cr)
{
	size_t i, start = 0;

	for (i = 0; i < n; i++) {
		char c = p[i];

		if (*cr) {
			*cr = false;
			if (put(s, "\r\n", 2) < 0)
				return -1;
			*bol = true;
			if (c == '\n') {
				start = i + 1;
				continue;
			}
		}
		if (c == '\r' || c == '\n' || (*bol && c == '.')) {
			if (put(s, p + start, i - start) < 0)
				return -1;
			start = i + 1;
			if (c == '\r') {
				*cr = true;
			} else if (c == '\n') {
				if (put(s, "\r\n", 2) < 0)
					return -1;
				*bol = true;
			} else {
				if (put(s, "..", 2) < 0)
					return -1;
				*bol = false;
			}
			continue;
		}
		*bol = false;
	}
	return put(s, p + start, n - start);
}

static bool
bad_address(const char *a)
{
	for (; *a; a++)
		if (*a == '\r' || *a == '\n' || *a == '<' || *a == '>' ||
		    (unsigned char)*a < 0x20)
			return true;
	return false;
}

static bool
has_8bit(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] >= 0x80)
			return true;
	return false;
}

static const char *
our_hostname(struct lda *l)
{
	const char *v = cfg_get(l->cfg, "hostname");
	static char host[256];

	if (v && *v)
		return v;
	if (gethostname(host, sizeof(host) - 1) < 0 || host[0] == '\0')
		strcpy(host, "localhost");
	host[sizeof(host) - 1] = '\0';
	return host;
}

int
lda_smtp_send(struct lda *l, const char *server, const char *from,
	      const char *const *rcpts, size_t nrcpts, const char *prefix,
	      size_t prefix_len, const char *body, size_t body_len, char *err,
	      size_t errlen)
{
	struct smtp *s;
	char *host, *port;
	const char *ssl = cfg_get_proto(l->cfg, "lda", "submission_ssl");
	const char *helo = our_hostname(l);
	uint64_t t = 0;
	size_t i;
	bool bol = true, cr = false;
	int code, ret = -1;

	s = arena_alloc(l->arena, sizeof(*s));
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->server = server;
	s->err = err;
	s->errlen = errlen;
	if (cfg_get_time(l->cfg, "lda", "submission_timeout", &t) < 0 ||
	    t == 0 || t > 3600)
		t = SMTP_DEFAULT_TIMEOUT;
	s->timeout_s = (unsigned)t;
	s->timeout_ms = (int)t * 1000;

	if (ssl && *ssl && strcmp(ssl, "no") != 0) {
		fail(s, "submission_ssl = %s is not supported", ssl);
		return -1;
	}
	if (parse_server(l->arena, server, &host, &port) < 0) {
		fail(s, "invalid host[:port]");
		return -1;
	}
	s->server = arena_printf(l->arena, "%s:%s", host, port);
	if (from == NULL)
		from = "";
	if (bad_address(from)) {
		fail(s, "invalid sender address");
		return -1;
	}
	if (nrcpts == 0) {
		fail(s, "no recipients");
		return -1;
	}
	for (i = 0; i < nrcpts; i++) {
		if (rcpts[i] == NULL || *rcpts[i] == '\0' ||
		    bad_address(rcpts[i])) {
			fail(s, "invalid recipient address");
			return -1;
		}
	}

	if (smtp_connect(s, host, port) < 0)
		return -1;
	if (read_reply(s, "greeting") < 0)
		goto out;
	if (s->code != 220) {
		fail(s, "greeting: %s", s->text);
		goto quit;
	}
	s->ext_8bitmime = false;
	code = command(s, "EHLO", "EHLO %s", helo);
	if (code < 0)
		goto out;
	if (code / 100 == 5) {
		/* EHLO not understood: an old server, try HELO */
		s->ext_8bitmime = false;
		code = command(s, "HELO", "HELO %s", helo);
		if (code < 0)
			goto out;
		if (code / 100 != 2) {
			fail(s, "HELO: %s", s->text);
			goto quit;
		}
	} else if (code / 100 != 2) {
		fail(s, "EHLO: %s", s->text);
		goto quit;
	}
	code = command(s, "MAIL FROM", "MAIL FROM:<%s>%s", from,
		       s->ext_8bitmime && (has_8bit(prefix, prefix_len) ||
					   has_8bit(body, body_len)) ?
		       " BODY=8BITMIME" : "");
	if (code < 0)
		goto out;
	if (code / 100 != 2) {
		fail(s, "MAIL FROM <%s>: %s", from, s->text);
		goto quit;
	}
	for (i = 0; i < nrcpts; i++) {
		code = command(s, "RCPT TO", "RCPT TO:<%s>", rcpts[i]);
		if (code < 0)
			goto out;
		if (code / 100 != 2) {
			fail(s, "RCPT TO <%s>: %s", rcpts[i], s->text);
			goto quit;
		}
	}
	code = command(s, "DATA", "DATA");
	if (code < 0)
		goto out;
	if (code != 354) {
		fail(s, "DATA: %s", s->text);
		goto quit;
	}
	if ((prefix_len && put_data(s, prefix, prefix_len, &bol, &cr) < 0) ||
	    put_data(s, body, body_len, &bol, &cr) < 0 ||
	    (cr && put(s, "\r\n", 2) < 0) ||
	    (!cr && !bol && put(s, "\r\n", 2) < 0) ||
	    put(s, ".\r\n", 3) < 0 || flush_out(s) < 0) {
		fail(s, "sending the message: %s", io_error(s, errno));
		goto out;
	}
	if (read_reply(s, "end of DATA") < 0)
		goto out;
	if (s->code / 100 != 2) {
		fail(s, "end of DATA: %s", s->text);
		goto quit;
	}
	ret = 0;
quit:
	/* the message is accepted (or refused) already: the reply to QUIT
	 * does not matter, and a slow server costs at most one timeout */
	{
		char scratch[SMTP_TEXT_MAX];

		s->err = scratch;
		s->errlen = sizeof(scratch);
		s->outlen = 0;
		if (put(s, "QUIT\r\n", 6) == 0 && flush_out(s) == 0)
			(void)read_reply(s, "QUIT");
	}
out:
	close(s->fd);
	return ret;
}
