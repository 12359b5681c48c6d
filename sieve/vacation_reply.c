/*
 * vacation_reply.c -- the host side of the vacation action (see
 * sieve_vacation.h): whether to answer (RFC 5230 4.5-4.6, RFC 3834), the
 * response database key (SHA-256 of handle and sender), the reply message
 * (RFC 5230 5, RFC 3834 3.1-3.3) and the sieve-test(1) line of the action.
 * Implementation: full; the response database itself belongs to the host.
 *
 * The reply uses LF line ends; header fields are folded at 78 columns;
 * non-ASCII Subject and From display names become RFC 2047 B-encoded
 * UTF-8 words.
 */
#include "sieve_vacation.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sys/random.h>

#include "address.h"
#include "arena.h"
#include "buf.h"
#include "config.h"
#include "digest.h"
#include "message.h"
#include "sieve_private.h"

#define FOLD_AT 78

void
sieve_vacation_config_init(struct sieve_vacation_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->reply_sender = "";
	cfg->hostname = "localhost";
	cfg->max_subject_codepoints = 256;
}

int
sieve_vacation_config_set(struct sieve_vacation_config *cfg, struct arena *a,
			  const char *key, const char *value)
{
	bool *flag = NULL;
	uint64_t n;

	if (strcmp(key, "sieve_vacation_send_from_recipient") == 0)
		flag = &cfg->send_from_recipient;
	else if (strcmp(key, "sieve_vacation_use_original_recipient") == 0)
		flag = &cfg->use_original_recipient;
	else if (strcmp(key, "sieve_vacation_dont_check_recipient") == 0)
		flag = &cfg->dont_check_recipient;
	else if (strcmp(key, "sieve_vacation_to_header_ignore_envelope") == 0)
		flag = &cfg->to_header_ignore_envelope;
	if (flag != NULL)
		return value == NULL ? (*flag = false, 1) :
		       cfg_parse_bool(value, flag) < 0 ? -1 : 1;
	if (strcmp(key, "sieve_vacation_default_subject") == 0) {
		cfg->default_subject = value;
	} else if (strcmp(key, "sieve_vacation_default_subject_template") ==
		   0) {
		cfg->default_subject_template = value;
	} else if (strcmp(key, "sieve_vacation_max_subject_codepoints") == 0) {
		if (value == NULL)
			n = 256;
		else if (cfg_parse_uint(value, &n) < 0 || n > 1000000)
			return -1;
		cfg->max_subject_codepoints = (unsigned)n;
	} else if (strcmp(key, "sieve_user_email") == 0) {
		const char **list;

		if (value == NULL || *value == '\0') {
			cfg->user_addresses = NULL;
			return 1;
		}
		list = arena_alloc(a, 2 * sizeof(*list));
		list[0] = value;
		list[1] = NULL;
		cfg->user_addresses = list;
	} else {
		return 0;
	}
	return 1;
}

/* ---- addresses --------------------------------------------------------- */

/* local@domain of an envelope path or address, or NULL (null, invalid). */
static const char *
norm_path(struct arena *a, const char *s)
{
	struct sieve_address ad;

	if (s == NULL || *s == '\0' || strcmp(s, "<>") == 0)
		return NULL;
	if (!sieve_address_parse_path(a, s, strlen(s), &ad) ||
	    ad.domain == NULL || ad.local_part == NULL ||
	    *ad.local_part == '\0')
		return NULL;
	return ad.all;
}

static bool
addr_eq(const char *x, const char *y)
{
	return x != NULL && y != NULL && strcasecmp(x, y) == 0;
}

static bool
in_list(const char *addr, const char *const *list)
{
	for (; list && *list; list++)
		if (addr_eq(addr, *list))
			return true;
	return false;
}

/* Whether one of the header values lists addr. */
static bool
headers_list(struct arena *a, const char *const *vals, size_t n,
	     const char *addr)
{
	size_t i, k, na;

	if (addr == NULL)
		return false;
	for (i = 0; i < n; i++) {
		struct sieve_address *as;

		na = sieve_address_list_parse(a, vals[i], strlen(vals[i]), &as);
		for (k = 0; k < na; k++)
			if (as[k].local_part && as[k].domain &&
			    addr_eq(as[k].all, addr))
				return true;
	}
	return false;
}

static bool
system_address(const char *addr)
{
	const char *at = strrchr(addr, '@');
	size_t n = at ? (size_t)(at - addr) : strlen(addr);
	char local[256];

	if (n >= sizeof(local))
		n = sizeof(local) - 1;
	memcpy(local, addr, n);
	local[n] = '\0';
	return strcasecmp(local, "MAILER-DAEMON") == 0 ||
	       strcasecmp(local, "LISTSERV") == 0 ||
	       strcasecmp(local, "majordomo") == 0 ||
	       strcasestr(local, "-request") != NULL ||
	       strncasecmp(local, "owner-", 6) == 0;
}

/* The first token of a header value: "no (comment)" -> "no". */
static bool
token_is(const char *v, const char *word)
{
	size_t n = strlen(word);

	while (*v == ' ' || *v == '\t')
		v++;
	if (strncasecmp(v, word, n) != 0)
		return false;
	v += n;
	return *v == '\0' || *v == ';' || *v == ' ' || *v == '\t' ||
	       *v == '(';
}

/* ---- decide ------------------------------------------------------------ */

static const char *const list_headers[] = {
	"list-id", "list-owner", "list-subscribe", "list-post",
	"list-unsubscribe", "list-help", "list-archive", NULL
};

static const char *const my_headers[] = {
	"to", "cc", "bcc", "resent-to", "resent-cc", "resent-bcc", NULL
};

static bool
refuse(struct sieve_vacation_decision *d, const char *why)
{
	d->send = false;
	d->why = why;
	return false;
}

bool
sieve_vacation_decide(struct arena *a, const struct sieve_vacation_config *cfg,
		      const struct sieve_vacation *vac,
		      struct sieve_message *msg,
		      const struct sieve_envelope *env,
		      struct sieve_vacation_decision *d)
{
	const char *rcpt = norm_path(a, env->to);
	const char *orig = cfg->use_original_recipient ?
			   norm_path(a, env->orig_to) : NULL;
	const char *sender = norm_path(a, env->from);
	const char *const *vals;
	const char *const *h;
	size_t n, i;

	memset(d, 0, sizeof(*d));
	if (rcpt == NULL)
		return refuse(d, "vacation action aborted: envelope recipient "
			      "is <> or invalid");
	if (sender == NULL)
		return refuse(d, env->from && *env->from &&
			      strcmp(env->from, "<>") != 0 ?
			      arena_printf(a, "discarded vacation reply to "
					   "invalid sender <%s>", env->from) :
			      "discarded vacation reply to <>");
	d->sender = sender;
	if (addr_eq(sender, rcpt) || addr_eq(sender, orig))
		return refuse(d, arena_printf(a, "discarded vacation reply "
					      "to own address <%s>", sender));
	if (vac && in_list(sender, vac->addresses))
		return refuse(d, arena_printf(a, "discarded vacation reply "
					      "to own address <%s> (as "
					      "specified using :addresses "
					      "argument)", sender));
	if (in_list(sender, cfg->user_addresses))
		return refuse(d, arena_printf(a, "discarded vacation reply "
					      "to own address <%s> (user "
					      "address)", sender));
	for (h = list_headers; *h; h++)
		if (sieve_message_header(msg, *h, &vals) > 0)
			return refuse(d, arena_printf(a, "discarding vacation "
				"response to mailinglist recipient <%s> "
				"(%s header)", sender, *h));
	n = sieve_message_header(msg, "auto-submitted", &vals);
	for (i = 0; i < n; i++)
		if (!token_is(vals[i], "no"))
			return refuse(d, arena_printf(a, "discarding vacation "
				"response to auto-submitted message from "
				"<%s>", sender));
	n = sieve_message_header(msg, "precedence", &vals);
	for (i = 0; i < n; i++)
		if (token_is(vals[i], "junk") || token_is(vals[i], "bulk") ||
		    token_is(vals[i], "list"))
			return refuse(d, arena_printf(a, "discarding vacation "
				"response to precedence=%s message from <%s>",
				vals[i], sender));
	n = sieve_message_header(msg, "x-auto-response-suppress", &vals);
	for (i = 0; i < n; i++) {
		const char *p = vals[i];

		while (*p) {
			size_t len;

			while (*p == ' ' || *p == '\t' || *p == ',')
				p++;
			len = strcspn(p, ", \t");
			if ((len == 3 && strncasecmp(p, "All", 3) == 0) ||
			    (len == 3 && strncasecmp(p, "OOF", 3) == 0))
				return refuse(d, arena_printf(a, "discarding "
					"vacation response to message from "
					"<%s> (`%.*s' flag found in "
					"x-auto-response-suppress header)",
					sender, (int)len, p));
			p += len;
		}
	}
	if (system_address(sender))
		return refuse(d, arena_printf(a, "not sending vacation "
					      "response to system address "
					      "<%s>", sender));

	/* Is the message addressed to the user? (RFC 5230 4.5) */
	for (h = my_headers; *h && d->user == NULL; h++) {
		const char *const *u;

		n = sieve_message_header(msg, *h, &vals);
		if (n == 0)
			continue;
		if (headers_list(a, vals, n, rcpt)) {
			d->user = d->smtp_from = rcpt;
			break;
		}
		if (headers_list(a, vals, n, orig)) {
			d->user = d->smtp_from = orig;
			break;
		}
		for (u = vac ? vac->addresses : NULL; u && *u; u++)
			if (headers_list(a, vals, n, *u)) {
				/* the script does not choose the sender */
				d->user = *u;
				d->smtp_from = orig ? orig : rcpt;
				break;
			}
		for (u = cfg->user_addresses; u && *u && !d->user; u++)
			if (headers_list(a, vals, n, *u))
				d->user = d->smtp_from = norm_path(a, *u);
	}
	if (d->user == NULL) {
		if (!cfg->dont_check_recipient)
			return refuse(d, arena_printf(a, "discarding vacation "
				"response for implicitly delivered message; "
				"no known (envelope) recipient address found "
				"in message headers (recipient=<%s>%s%s, and%s "
				"additional `:addresses' are specified)", rcpt,
				orig ? ", original-recipient=<" : "",
				orig ? arena_printf(a, "%s>", orig) : "",
				vac && vac->addresses && *vac->addresses ?
				"" : " no"));
		d->smtp_from = orig ? orig : rcpt;
		d->user = cfg->user_addresses && *cfg->user_addresses &&
			  norm_path(a, cfg->user_addresses[0]) ?
			  norm_path(a, cfg->user_addresses[0]) : d->smtp_from;
	}
	if (!cfg->send_from_recipient)
		d->smtp_from = cfg->reply_sender ? cfg->reply_sender : "";
	d->send = true;
	return true;
}

/* ---- key --------------------------------------------------------------- */

/* Each argument counted, so that no two combinations give one handle
 * (RFC 5230 4.2, implementation note). */
const char *
sieve_vacation_derive_handle(struct arena *a, const char *reason,
			     const char *subject, const char *from, bool mime)
{
	return arena_printf(a, "r%zu:%s s%s%zu:%s f%s%zu:%s m%d",
			    strlen(reason ? reason : ""),
			    reason ? reason : "", subject ? "" : "-",
			    strlen(subject ? subject : ""),
			    subject ? subject : "", from ? "" : "-",
			    strlen(from ? from : ""), from ? from : "",
			    mime ? 1 : 0);
}

const char *
sieve_vacation_handle(struct arena *a, const struct sieve_vacation *vac)
{
	if (vac->handle != NULL)
		return vac->handle;
	if (vac->auto_handle != NULL)
		return vac->auto_handle;
	return sieve_vacation_derive_handle(a, vac->reason, vac->subject,
					    vac->from, vac->mime);
}

int
sieve_vacation_key(const struct sieve_vacation *vac, const char *sender,
		   unsigned char key[SIEVE_VACATION_KEY_LEN])
{
	struct arena *a = arena_new(1024);
	const char *handle = sieve_vacation_handle(a, vac);
	struct buf b;
	size_t i;
	int ok;

	buf_init(&b);
	buf_puts(&b, "vacation");
	buf_putc(&b, '\0');
	/* explicit and derived handles live in separate spaces */
	buf_putc(&b, vac->handle ? 'H' : 'D');
	buf_append(&b, handle, strlen(handle));
	buf_putc(&b, '\0');
	for (i = 0; sender && sender[i]; i++)
		buf_putc(&b, (char)(sender[i] >= 'A' && sender[i] <= 'Z' ?
				    sender[i] + 32 : sender[i]));
	ok = digest_sha256(b.data, b.len, key) == 0;
	buf_free(&b);
	arena_free(a);
	return ok ? 0 : -1;
}

/* ---- compose ----------------------------------------------------------- */

static bool
is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

/* Length of the UTF-8 sequence at p (1 for a stray byte). */
static size_t
u8len(const unsigned char *p)
{
	size_t n = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc0 ? 2 : 1;
	size_t i;

	for (i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 1;
	return n;
}

/* Control characters (CR, LF, TAB...) become spaces: no header
 * injection through a script's :subject. */
static char *
clean_line(struct arena *a, const char *s)
{
	char *o = arena_strdup(a, s), *p;

	for (p = o; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return o;
}

/* At most max code points, the last one "…" when cut. */
static const char *
limit_codepoints(struct arena *a, const char *s, unsigned max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t cps = 0, cut = 0;

	if (max == 0)
		return s;
	while (*p) {
		if (cps == max - 1)
			cut = (size_t)((const char *)p - s);
		p += u8len(p);
		cps++;
	}
	if (cps <= max)
		return s;
	return arena_printf(a, "%.*s\xe2\x80\xa6", (int)cut, s);
}

static void
b64_word(struct buf *b, const unsigned char *p, size_t n)
{
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq"
				  "rstuvwxyz0123456789+/";
	size_t i;

	buf_puts(b, "=?utf-8?b?");
	for (i = 0; i + 2 < n; i += 3) {
		buf_putc(b, tbl[p[i] >> 2]);
		buf_putc(b, tbl[(p[i] & 3) << 4 | p[i + 1] >> 4]);
		buf_putc(b, tbl[(p[i + 1] & 15) << 2 | p[i + 2] >> 6]);
		buf_putc(b, tbl[p[i + 2] & 63]);
	}
	if (n - i == 1) {
		buf_putc(b, tbl[p[i] >> 2]);
		buf_putc(b, tbl[(p[i] & 3) << 4]);
		buf_puts(b, "==");
	} else if (n - i == 2) {
		buf_putc(b, tbl[p[i] >> 2]);
		buf_putc(b, tbl[(p[i] & 3) << 4 | p[i + 1] >> 4]);
		buf_putc(b, tbl[(p[i + 1] & 15) << 2]);
		buf_putc(b, '=');
	}
	buf_puts(b, "?=");
}

/*
 * Writes s as RFC 2047 encoded words of at most 45 octets of UTF-8 each
 * (a 72-character word), never splitting a character; words after the
 * first start a folded line. col is the current column; returns the
 * column after the last word.
 */
static size_t
put_encoded(struct buf *b, const char *s, size_t col)
{
	const unsigned char *p = (const unsigned char *)s;
	bool first = true;

	while (*p) {
		size_t n = 0, room = 45;

		if (first)
			room = col + 12 + 4 < FOLD_AT ?
			       (FOLD_AT - col - 12) / 4 * 3 : 3;
		if (room > 45)
			room = 45;
		while (p[n] && n + u8len(p + n) <= room)
			n += u8len(p + n);
		if (n == 0)
			n = u8len(p);
		if (!first) {
			buf_puts(b, "\n ");
			col = 1;
		}
		b64_word(b, p, n);
		col += 12 + (n + 2) / 3 * 4;
		p += n;
		first = false;
	}
	return col;
}

/* "Name: value" folded at white space before column 78. */
static void
put_header(struct buf *b, const char *name, const char *value)
{
	size_t col = strlen(name) + 2;
	const char *p = value;

	buf_printf(b, "%s: ", name);
	while (*p) {
		size_t word = strcspn(p + 1, " ") + 1;

		if (*p == ' ' && col + word > FOLD_AT && col > strlen(name) + 2) {
			buf_puts(b, "\n");
			col = 0;
		}
		buf_append(b, p, word);
		col += word;
		p += word;
	}
	buf_putc(b, '\n');
}

/* An unstructured field: ASCII folded, else encoded words. */
static void
put_text_header(struct buf *b, const char *name, const char *value)
{
	if (is_ascii(value)) {
		put_header(b, name, value);
		return;
	}
	buf_printf(b, "%s: ", name);
	put_encoded(b, value, strlen(name) + 2);
	buf_putc(b, '\n');
}

/* From: with a non-ASCII display name encoded ("Günther <g@x>"). */
static void
put_from(struct arena *a, struct buf *b, const char *from)
{
	const char *lt, *start, *end;
	size_t col;

	from = clean_line(a, from);
	lt = strrchr(from, '<');
	if (is_ascii(from) || lt == NULL || !is_ascii(lt)) {
		put_header(b, "From", from);	/* 8-bit address: as given */
		return;
	}
	for (start = from; *start == ' '; start++)
		;
	for (end = lt; end > start && end[-1] == ' '; end--)
		;
	if (end - start >= 2 && *start == '"' && end[-1] == '"') {
		start++;
		end--;
	}
	buf_puts(b, "From: ");
	col = put_encoded(b, arena_strndup(a, start, (size_t)(end - start)),
			  6);
	buf_puts(b, col + 1 + strlen(lt) > FOLD_AT ? "\n " : " ");
	buf_puts(b, lt);
	buf_putc(b, '\n');
}

/* Entries of an address list as written, split at top-level commas. */
static size_t
split_entries(struct arena *a, const char *s, const char ***out)
{
	size_t n = 0, cap = 4, depth = 0;
	const char **v = arena_alloc(a, cap * sizeof(*v));
	const char *start = s, *p;
	bool quoted = false, angle = false;

	for (p = s;; p++) {
		if (*p == '\0' || (*p == ',' && !quoted && !depth && !angle)) {
			const char *e = p;

			while (start < e && (*start == ' ' || *start == '\t'))
				start++;
			while (e > start && (e[-1] == ' ' || e[-1] == '\t'))
				e--;
			if (e > start) {
				if (n == cap) {
					const char **nv = arena_alloc(a,
						2 * cap * sizeof(*nv));

					memcpy(nv, v, n * sizeof(*nv));
					v = nv;
					cap *= 2;
				}
				v[n++] = arena_strndup(a, start,
						       (size_t)(e - start));
			}
			if (*p == '\0')
				break;
			start = p + 1;
		} else if (*p == '\\' && p[1] && (quoted || depth)) {
			p++;
		} else if (*p == '"' && !depth) {
			quoted = !quoted;
		} else if (!quoted && *p == '(') {
			depth++;
		} else if (!quoted && *p == ')' && depth) {
			depth--;
		} else if (!quoted && !depth && *p == '<') {
			angle = true;
		} else if (!quoted && !depth && *p == '>') {
			angle = false;
		}
	}
	*out = v;
	return n;
}

/* The To: of the reply: the sender's own entry of Sender, Resent-From or
 * From (display name kept), else <sender>. */
static const char *
reply_to(struct arena *a, const struct sieve_vacation_config *cfg,
	 struct sieve_message *msg, const char *sender)
{
	static const char *const hdrs[] = { "sender", "resent-from", "from",
					    NULL };
	const char *const *h;

	for (h = hdrs; *h; h++) {
		const char *const *vals;
		const char **ents;
		size_t n, i;

		if (sieve_message_header(msg, *h, &vals) == 0)
			continue;
		n = split_entries(a, vals[0], &ents);
		for (i = 0; i < n; i++) {
			struct sieve_address *as;

			if (sieve_address_list_parse(a, ents[i],
						     strlen(ents[i]), &as) != 1 ||
			    as[0].local_part == NULL || as[0].domain == NULL)
				continue;
			if (cfg->to_header_ignore_envelope ||
			    addr_eq(as[0].all, sender))
				return clean_line(a, ents[i]);
		}
	}
	return arena_printf(a, "<%s>", sender);
}

static void
put_date(struct buf *b, time_t now)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
					    "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr",
					      "May", "Jun", "Jul", "Aug",
					      "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;
	long off;

	localtime_r(&now, &tm);
	off = tm.tm_gmtoff / 60;
	buf_printf(b, "Date: %s, %d %s %d %02d:%02d:%02d %c%02ld%02ld\n",
		   days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
		   tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
		   off < 0 ? '-' : '+', (off < 0 ? -off : off) / 60,
		   (off < 0 ? -off : off) % 60);
}

static void
put_message_id(struct buf *b, const char *host, time_t now)
{
	static unsigned long counter;
	unsigned char r[12];
	size_t i;

	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		unsigned long v = (unsigned long)now ^
				  ((unsigned long)getpid() << 16) ^ ++counter;

		for (i = 0; i < sizeof(r); i++, v = v * 6364136223846793005ul +
		     1442695040888963407ul)
			r[i] = (unsigned char)(v >> 33);
	}
	buf_printf(b, "Message-ID: <%llx.", (unsigned long long)now);
	for (i = 0; i < sizeof(r); i++)
		buf_printf(b, "%02x", r[i]);
	buf_printf(b, "@%s>\n", host && *host ? host : "localhost");
}

/* Appends s with CRLF and lone CR turned into LF; returns the length of
 * its longest line and whether it has 8-bit bytes. */
static void
put_lf(struct buf *b, const char *s, size_t *longest, bool *eightbit)
{
	size_t line = 0;

	*longest = 0;
	*eightbit = false;
	for (; *s; s++) {
		if (*s == '\r') {
			if (s[1] == '\n')
				continue;
			buf_putc(b, '\n');
			line = 0;
			continue;
		}
		buf_putc(b, *s);
		if (*s == '\n') {
			line = 0;
			continue;
		}
		if ((unsigned char)*s >= 0x80)
			*eightbit = true;
		if (++line > *longest)
			*longest = line;
	}
}

/* RFC 2045 6.7 quoted-printable of LF-ended text. */
static void
put_qp(struct buf *b, const char *s, size_t len)
{
	size_t i, col = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		bool eol = i + 1 == len || s[i + 1] == '\n';

		if (c == '\n') {
			buf_putc(b, '\n');
			col = 0;
			continue;
		}
		if (col >= 72) {
			buf_puts(b, "=\n");
			col = 0;
		}
		if (c == '=' || c >= 0x80 || (c < 0x20 && c != '\t') ||
		    ((c == ' ' || c == '\t') && eol)) {
			buf_printf(b, "=%02X", c);
			col += 3;
		} else {
			buf_putc(b, (char)c);
			col++;
		}
	}
}

static const char *
make_subject(struct arena *a, const struct sieve_vacation_config *cfg,
	     const struct sieve_vacation *vac, struct sieve_message *msg)
{
	const char *const *vals;
	const char *orig, *tpl, *p;
	struct buf b;
	char *s;

	if (vac->subject != NULL)
		return limit_codepoints(a, clean_line(a, vac->subject),
					cfg->max_subject_codepoints);
	if (sieve_message_header_decoded(msg, "subject", &vals) == 0)
		return cfg->default_subject && *cfg->default_subject ?
		       clean_line(a, cfg->default_subject) : "Automated reply";
	orig = clean_line(a, vals[0]);
	tpl = cfg->default_subject_template &&
	      *cfg->default_subject_template ?
	      cfg->default_subject_template : "Auto: %$";
	buf_init(&b);
	for (p = tpl; *p; p++) {
		if (p[0] == '%' && p[1] == '$') {
			buf_puts(&b, orig);
			p++;
		} else if (strncmp(p, "%{subject}", 10) == 0) {
			buf_puts(&b, orig);
			p += 9;
		} else if (p[0] == '%' && p[1] == '%') {
			buf_putc(&b, '%');
			p++;
		} else {
			buf_putc(&b, *p);
		}
	}
	s = clean_line(a, b.data ? b.data : "");
	buf_free(&b);
	return limit_codepoints(a, s, cfg->max_subject_codepoints);
}

int
sieve_vacation_compose(struct arena *a, const struct sieve_vacation_config *cfg,
		       const struct sieve_vacation *vac,
		       struct sieve_message *msg,
		       const struct sieve_vacation_decision *d, time_t now,
		       struct sieve_vacation_reply *out)
{
	const char *const *vals;
	const char *msgid = NULL, *refs = NULL;
	struct buf b;
	size_t longest;
	bool eightbit;

	memset(out, 0, sizeof(*out));
	if (!d->send || d->sender == NULL)
		return -1;
	buf_init(&b);
	put_date(&b, now);
	put_message_id(&b, cfg->hostname, now);
	if (vac->from != NULL)
		put_from(a, &b, vac->from);
	else
		put_header(&b, "From", d->user ? d->user : "");
	put_header(&b, "To", reply_to(a, cfg, msg, d->sender));
	put_text_header(&b, "Subject", make_subject(a, cfg, vac, msg));
	if (sieve_message_header(msg, "message-id", &vals) > 0 && *vals[0])
		msgid = clean_line(a, vals[0]);
	if (sieve_message_header(msg, "references", &vals) > 0 && *vals[0])
		refs = clean_line(a, vals[0]);
	if (msgid != NULL) {
		put_header(&b, "In-Reply-To", msgid);
		put_header(&b, "References", refs ?
			   arena_printf(a, "%s %s", refs, msgid) : msgid);
	} else if (refs != NULL) {
		put_header(&b, "References", refs);
	}
	buf_puts(&b, "Auto-Submitted: auto-replied (vacation)\n"
		 "Precedence: bulk\n"
		 "X-Auto-Response-Suppress: All\n"
		 "MIME-Version: 1.0\n");
	if (vac->mime) {
		/* the script's entity: its own header, blank line, body */
		put_lf(&b, vac->reason, &longest, &eightbit);
		if (b.len && b.data[b.len - 1] != '\n')
			buf_putc(&b, '\n');
	} else {
		struct buf body;

		buf_init(&body);
		put_lf(&body, vac->reason, &longest, &eightbit);
		buf_puts(&b, "Content-Type: text/plain; charset=utf-8\n");
		if (longest > 998) {
			buf_puts(&b, "Content-Transfer-Encoding: "
				 "quoted-printable\n\n");
			put_qp(&b, body.data, body.len);
		} else {
			buf_printf(&b, "Content-Transfer-Encoding: %s\n\n",
				   eightbit ? "8bit" : "7bit");
			buf_append(&b, body.data ? body.data : "", body.len);
		}
		if (b.data[b.len - 1] != '\n')
			buf_putc(&b, '\n');
		buf_free(&body);
	}
	out->data = arena_memdup(a, b.data, b.len + 1);
	out->len = b.len;
	out->mail_from = d->smtp_from ? d->smtp_from : "";
	out->rcpt_to = d->sender;
	buf_free(&b);
	return 0;
}

/* ---- sieve-test line --------------------------------------------------- */

void
sieve_vacation_print(const struct sieve_action *act, FILE *out)
{
	const struct sieve_vacation *v = act->ext_data;
	const char *const *p;

	fputs("vacation", out);
	if (v == NULL) {
		fputc(' ', out);
		sieve_print_quoted(act->target ? act->target : "", out);
		fputc('\n', out);
		return;
	}
	if (v->period % 86400 == 0 && v->period > 0)
		fprintf(out, " :days %llu",
			(unsigned long long)(v->period / 86400));
	else
		fprintf(out, " :seconds %llu", (unsigned long long)v->period);
	if (v->subject) {
		fputs(" :subject ", out);
		sieve_print_quoted(v->subject, out);
	}
	if (v->from) {
		fputs(" :from ", out);
		sieve_print_quoted(v->from, out);
	}
	if (v->addresses) {
		fputs(" :addresses [", out);
		for (p = v->addresses; *p; p++) {
			if (p != v->addresses)
				fputs(", ", out);
			sieve_print_quoted(*p, out);
		}
		fputc(']', out);
	}
	if (v->mime)
		fputs(" :mime", out);
	if (v->handle) {
		fputs(" :handle ", out);
		sieve_print_quoted(v->handle, out);
	}
	fputc(' ', out);
	sieve_print_quoted(v->reason ? v->reason : "", out);
	fputc('\n', out);
}
