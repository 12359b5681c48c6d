/*
 * mime.c -- MIME structure of a message (RFC 2045, 2046, 2231) and the
 * decoding of its parts, for "body" (RFC 5173) and the later MIME
 * extensions (RFC 5703).
 *
 * Implemented: the part tree (multipart/ * split on its boundary, with
 * prologue and epilogue; message/rfc822 and message/global descended
 * into; multipart/digest children defaulting to message/rfc822);
 * Content-Type with comments, quoted strings and RFC 2231 parameters
 * (continuations, %XX, charset converted to UTF-8); base64 and
 * quoted-printable decoding; charset conversion through rfc2047.c's iconv
 * cache; HTML to text with libxml2.
 *
 * Leniency, the way mail readers are: a delimiter line may carry trailing
 * white space; a multipart without its close delimiter ends at the end of
 * its enclosing part; one without any delimiter is all prologue, and one
 * with a (forbidden) transfer encoding is split all the same; a body
 * part whose header is followed only by the line break the next
 * delimiter takes ("--b\n" "X: y\n" "\n" "--b") has an empty body,
 * not none; base64 skips bytes outside its alphabet; quoted-printable
 * keeps a '=' that does not start an escape. A boundary that is a prefix
 * of another is not confused with it: the delimiter line must end right
 * after the boundary (and "--", and white space).
 *
 * Bounds for untrusted messages: nesting depth and part count (the rest is
 * left unsplit, root->truncated set), decoded size per part, HTML input
 * size. Splitting is one pass per nesting level, without recursion on the
 * data itself; the only recursion is over the (bounded) depth.
 */
#include "mime.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <dlfcn.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "arena.h"
#include "buf.h"
#include "message.h"

struct walk {
	struct arena *a;
	struct sieve_mime_limits lim;
	size_t nparts;
	struct sieve_mime_part *root;
};

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static char *
lower_dup(struct arena *a, const char *s, size_t n)
{
	char *r = arena_strndup(a, s, n);
	size_t i;

	for (i = 0; i < n; i++)
		r[i] = (char)lower((unsigned char)r[i]);
	return r;
}

/* ---- RFC 822 lexical pieces of Content-Type ---------------------------- */

struct lex {
	const char *p, *end;
};

static void
skip_cfws(struct lex *l)
{
	while (l->p < l->end) {
		if (*l->p == ' ' || *l->p == '\t' || *l->p == '\r' ||
		    *l->p == '\n') {
			l->p++;
		} else if (*l->p == '(') {
			unsigned depth = 0;

			do {
				if (*l->p == '\\' && l->p + 1 < l->end)
					l->p++;
				else if (*l->p == '(')
					depth++;
				else if (*l->p == ')')
					depth--;
				l->p++;
			} while (l->p < l->end && depth > 0);
		} else {
			break;
		}
	}
}

static bool
is_token_char(unsigned char c)
{
	return c > ' ' && c < 127 && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

/* A token (RFC 2045 5.1), or NULL. */
static const char *
lex_token(struct lex *l, struct arena *a, bool fold)
{
	const char *s = l->p;

	while (l->p < l->end && is_token_char((unsigned char)*l->p))
		l->p++;
	if (l->p == s)
		return NULL;
	return fold ? lower_dup(a, s, (size_t)(l->p - s)) :
		arena_strndup(a, s, (size_t)(l->p - s));
}

/* A quoted string without its quotes and quoting backslashes. */
static const char *
lex_quoted(struct lex *l, struct arena *a)
{
	struct buf b;
	const char *r;

	buf_init(&b);
	l->p++;
	while (l->p < l->end && *l->p != '"') {
		if (*l->p == '\\' && l->p + 1 < l->end)
			l->p++;
		if (*l->p != '\r' && *l->p != '\n')
			buf_putc(&b, *l->p);
		l->p++;
	}
	if (l->p < l->end)
		l->p++;
	r = arena_strndup(a, b.data ? b.data : "", b.len);
	buf_free(&b);
	return r;
}

/* ---- parameters, RFC 2231 ---------------------------------------------- */

struct raw_param {
	const char *base;	/* name without the '*' sections */
	long section;		/* -1: none */
	bool ext;		/* charset'lang'%XX form */
	const char *value;
};

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static void
percent_decode(struct buf *b, const char *s)
{
	for (; *s; s++) {
		int h, l;

		if (*s == '%' && (h = hexval((unsigned char)s[1])) >= 0 &&
		    (l = hexval((unsigned char)s[2])) >= 0) {
			buf_putc(b, (char)(h * 16 + l));
			s += 2;
		} else {
			buf_putc(b, *s);
		}
	}
}

/*
 * Joins the sections of one parameter (RFC 2231 3, 4): sections in
 * numeric order, extended ones %-decoded, the charset of the first one
 * applied to the whole value.
 */
static const char *
join_param(struct arena *a, struct raw_param *rp, size_t n, const char *base)
{
	struct buf b, u;
	char charset[64] = "";
	long want;
	size_t i;
	const char *r;

	buf_init(&b);
	for (want = 0;; want++) {
		for (i = 0; i < n; i++)
			if (strcmp(rp[i].base, base) == 0 &&
			    (rp[i].section == want ||
			     (want == 0 && rp[i].section < 0)))
				break;
		if (i == n)
			break;
		if (rp[i].ext) {
			const char *v = rp[i].value;

			if (want == 0) {
				const char *q1 = strchr(v, '\''), *q2;

				if (q1 && (q2 = strchr(q1 + 1, '\'')) != NULL) {
					size_t cl = (size_t)(q1 - v);

					if (cl < sizeof(charset)) {
						memcpy(charset, v, cl);
						charset[cl] = '\0';
					}
					v = q2 + 1;
				}
			}
			percent_decode(&b, v);
		} else {
			buf_puts(&b, rp[i].value);
		}
		if (rp[i].section < 0)
			break;
	}
	buf_init(&u);
	if (charset[0] == '\0' ||
	    !sieve_charset_to_utf8(&u, charset, b.data ? b.data : "", b.len))
		sieve_utf8_sanitize(&u, b.data ? b.data : "", b.len);
	r = arena_strndup(a, u.data ? u.data : "", u.len);
	buf_free(&u);
	buf_free(&b);
	return r;
}

static void
build_params(struct arena *a, struct sieve_mime_part *p,
	     struct raw_param *rp, size_t n)
{
	struct sieve_mime_param *out;
	size_t i, k, cnt = 0;

	out = arena_alloc(a, (n ? n : 1) * sizeof(*out));
	for (i = 0; i < n; i++) {
		bool seen = false;

		for (k = 0; k < cnt; k++)
			if (strcmp(out[k].name, rp[i].base) == 0)
				seen = true;
		if (seen)
			continue;
		out[cnt].name = rp[i].base;
		out[cnt].value = join_param(a, rp, n, rp[i].base);
		cnt++;
	}
	p->params = out;
	p->nparams = cnt;
}

static void
raw_param_name(struct arena *a, const char *name, struct raw_param *rp)
{
	const char *star = strchr(name, '*');

	rp->section = -1;
	rp->ext = false;
	if (star == NULL) {
		rp->base = name;
		return;
	}
	rp->base = arena_strndup(a, name, (size_t)(star - name));
	star++;
	if (*star >= '0' && *star <= '9') {
		long v = 0;

		while (*star >= '0' && *star <= '9' && v < 100000)
			v = v * 10 + (*star++ - '0');
		rp->section = v;
	}
	rp->ext = *star == '*' || (star[-1] == '*' && *star == '\0');
}

/*
 * Content-Type: type "/" subtype *(";" attribute "=" value). Returns false
 * when the type itself does not parse; parameters after a broken one are
 * dropped.
 */
static bool
parse_content_type(struct arena *a, struct sieve_mime_part *p, const char *v,
		   size_t n)
{
	struct lex l = { v, v + n };
	struct raw_param rp[64];
	size_t nrp = 0;
	const char *type, *subtype;

	skip_cfws(&l);
	if ((type = lex_token(&l, a, true)) == NULL)
		return false;
	skip_cfws(&l);
	if (l.p >= l.end || *l.p != '/')
		return false;
	l.p++;
	skip_cfws(&l);
	if ((subtype = lex_token(&l, a, true)) == NULL)
		return false;
	skip_cfws(&l);
	if (l.p < l.end && *l.p != ';')
		return false;
	p->type = type;
	p->subtype = subtype;
	while (l.p < l.end && *l.p == ';' && nrp < 64) {
		const char *name, *val;

		l.p++;
		skip_cfws(&l);
		if ((name = lex_token(&l, a, true)) == NULL)
			break;
		skip_cfws(&l);
		if (l.p >= l.end || *l.p != '=')
			break;
		l.p++;
		skip_cfws(&l);
		if (l.p < l.end && *l.p == '"') {
			val = lex_quoted(&l, a);
		} else {
			/* lenient: anything up to ';' or white space */
			const char *s = l.p;

			while (l.p < l.end && *l.p != ';' && *l.p != ' ' &&
			       *l.p != '\t' && *l.p != '\r' && *l.p != '\n')
				l.p++;
			val = arena_strndup(a, s, (size_t)(l.p - s));
		}
		raw_param_name(a, name, &rp[nrp]);
		rp[nrp].value = val;
		nrp++;
		skip_cfws(&l);
	}
	build_params(a, p, rp, nrp);
	return true;
}

/* ---- the part tree ----------------------------------------------------- */

static bool
identity_cte(const char *cte)
{
	return strcmp(cte, "7bit") == 0 || strcmp(cte, "8bit") == 0 ||
		strcmp(cte, "binary") == 0;
}

static struct sieve_mime_part *parse_part(struct walk *w,
					  struct sieve_mime_part *parent,
					  const char *d, size_t len,
					  bool digest);

static void
add_child(struct walk *w, struct sieve_mime_part *p,
	  struct sieve_mime_part **last, const char *d, size_t len,
	  bool digest)
{
	struct sieve_mime_part *c;

	if (w->nparts >= w->lim.max_parts) {
		w->root->truncated = true;
		return;
	}
	c = parse_part(w, p, d, len, digest);
	if (*last)
		(*last)->next = c;
	else
		p->children = c;
	*last = c;
}

/* End of the content before a delimiter at pos: the line break before
 * the delimiter line belongs to the delimiter (RFC 2046 5.1.1). */
static size_t
before_delimiter(const char *s, size_t start, size_t pos)
{
	size_t end = pos;

	if (end > start && s[end - 1] == '\n')
		end--;
	if (end > start && s[end - 1] == '\r')
		end--;
	return end;
}

static void
split_multipart(struct walk *w, struct sieve_mime_part *p,
		const char *boundary)
{
	const char *s = p->body;
	size_t n = p->body_len, bl = strlen(boundary), pos = 0, start = 0;
	bool in_prologue = true, digest = strcmp(p->subtype, "digest") == 0;
	struct sieve_mime_part *last = NULL;

	while (pos < n) {
		const char *nl = memchr(s + pos, '\n', n - pos);
		size_t next = nl ? (size_t)(nl - s) + 1 : n;
		size_t le = nl ? (size_t)(nl - s) : n, k;
		bool close = false;

		if (le > pos && s[le - 1] == '\r')
			le--;
		if (le - pos < 2 + bl || s[pos] != '-' || s[pos + 1] != '-' ||
		    memcmp(s + pos + 2, boundary, bl) != 0) {
			pos = next;
			continue;
		}
		k = pos + 2 + bl;
		if (le - k >= 2 && s[k] == '-' &&
		    s[k + 1] == '-') {
			close = true;
			k += 2;
		}
		while (k < le && (s[k] == ' ' || s[k] == '\t'))
			k++;
		if (k != le) {
			pos = next;
			continue;
		}
		if (in_prologue) {
			if (pos > 0) {
				p->has_prologue = true;
				p->prologue = s;
				p->prologue_len = before_delimiter(s, 0, pos);
			}
			in_prologue = false;
		} else {
			add_child(w, p, &last, s + start,
				  before_delimiter(s, start, pos) - start,
				  digest);
		}
		if (close) {
			if (next < n) {
				p->has_epilogue = true;
				p->epilogue = s + next;
				p->epilogue_len = n - next;
			}
			return;
		}
		start = next;
		pos = next;
	}
	if (in_prologue) {
		p->has_prologue = n > 0;
		p->prologue = s;
		p->prologue_len = n;
	} else {
		add_child(w, p, &last, s + start, n - start, digest);
	}
}

static const char *
first_value(struct sieve_message *m, const char *name, size_t *len)
{
	const char *const *v;
	const size_t *lens;

	if (sieve_message_header_values(m, name, false, &v, &lens) == 0)
		return NULL;
	*len = lens[0];
	return v[0];
}

static struct sieve_mime_part *
parse_part(struct walk *w, struct sieve_mime_part *parent, const char *d,
	   size_t len, bool digest)
{
	struct arena *a = w->a;
	struct sieve_mime_part *p = arena_zalloc(a, sizeof(*p));
	const char *v;
	size_t vlen, hl;

	w->nparts++;
	p->parent = parent;
	p->depth = parent ? parent->depth + 1 : 0;
	p->header = sieve_message_parse(a, d, len);
	p->has_body = sieve_message_has_body(p->header);
	p->body = sieve_message_body(p->header, &p->body_len);
	if (!p->has_body && parent && strcmp(parent->type, "multipart") == 0 &&
	    len > 0 && d[len - 1] == '\n') {
		/* "--b CRLF header CRLF CRLF --b": the empty line's CRLF is
		 * the one the next delimiter takes; the body is empty */
		p->has_body = true;
		p->body = d + len;
		p->body_len = 0;
	}
	hl = (size_t)(p->body - d);
	if (p->has_body && hl > 0) {
		/* drop the empty line, keep the last field's line break */
		size_t e = hl;

		if (e > 0 && d[e - 1] == '\n')
			e--;
		if (e > 0 && d[e - 1] == '\r')
			e--;
		if (e == 0 || d[e - 1] == '\n' || d[e - 1] == '\r')
			hl = e;
	}
	p->header_raw = d;
	p->header_len = hl;
	p->type = digest ? "message" : "text";
	p->subtype = digest ? "rfc822" : "plain";
	if ((v = first_value(p->header, "content-type", &vlen)) != NULL &&
	    !parse_content_type(a, p, v, vlen)) {
		p->type = "";
		p->subtype = "";
	}
	p->cte = "7bit";
	if ((v = first_value(p->header, "content-transfer-encoding", &vlen))) {
		struct lex l = { v, v + vlen };
		const char *t;

		skip_cfws(&l);
		t = lex_token(&l, a, true);
		p->cte = t ? t : "";
		if (!identity_cte(p->cte) && strcmp(p->cte, "base64") != 0 &&
		    strcmp(p->cte, "quoted-printable") != 0) {
			p->type = "application";	/* RFC 2045 6.4 */
			p->subtype = "octet-stream";
		}
	}
	if (p->depth >= w->lim.max_depth) {
		if (strcmp(p->type, "multipart") == 0 ||
		    strcmp(p->type, "message") == 0)
			w->root->truncated = true;
		return p;
	}
	if (strcmp(p->type, "multipart") == 0) {
		const char *b = sieve_mime_param(p, "boundary");

		if (b && *b)	/* any CTE: readers ignore a wrong one */
			split_multipart(w, p, b);
	} else if (strcmp(p->type, "message") == 0 &&
		   (strcmp(p->subtype, "rfc822") == 0 ||
		    strcmp(p->subtype, "global") == 0) &&
		   identity_cte(p->cte) && p->has_body) {
		if (w->nparts < w->lim.max_parts)
			p->children = parse_part(w, p, p->body, p->body_len,
						 false);
		else
			w->root->truncated = true;
	}
	return p;
}

struct sieve_mime_part *
sieve_mime_parse(struct arena *a, const char *data, size_t len,
		 const struct sieve_mime_limits *lim)
{
	struct walk w;
	struct sieve_mime_part *root;

	memset(&w, 0, sizeof(w));
	w.a = a;
	w.lim.max_depth = SIEVE_MIME_MAX_DEPTH;
	w.lim.max_parts = SIEVE_MIME_MAX_PARTS;
	w.lim.max_decoded = SIEVE_MIME_MAX_DECODED;
	if (lim)
		w.lim = *lim;
	if (w.lim.max_parts == 0)
		w.lim.max_parts = 1;
	/* the root exists before parsing so that limits can mark it */
	w.root = arena_zalloc(a, sizeof(*w.root));
	root = parse_part(&w, NULL, data ? data : "", data ? len : 0, false);
	root->truncated = w.root->truncated;
	return root;
}

struct sieve_mime_part *
sieve_mime_next(struct sieve_mime_part *p)
{
	if (p->children)
		return p->children;
	while (p) {
		if (p->next)
			return p->next;
		p = p->parent;
	}
	return NULL;
}

const char *
sieve_mime_param(const struct sieve_mime_part *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nparams; i++)
		if (strcasecmp(p->params[i].name, name) == 0)
			return p->params[i].value;
	return NULL;
}

bool
sieve_mime_type_match(const struct sieve_mime_part *p, const char *want,
		      size_t wlen)
{
	const char *slash = memchr(want, '/', wlen);
	size_t tl;

	if (wlen == 0)
		return true;
	if (p->type[0] == '\0')
		return false;
	if (slash == NULL)
		return strlen(p->type) == wlen &&
			strncasecmp(p->type, want, wlen) == 0;
	tl = (size_t)(slash - want);
	if (tl == 0 || tl + 1 == wlen ||
	    memchr(slash + 1, '/', wlen - tl - 1) != NULL)
		return false;
	return strlen(p->type) == tl && strncasecmp(p->type, want, tl) == 0 &&
		strlen(p->subtype) == wlen - tl - 1 &&
		strncasecmp(p->subtype, slash + 1, wlen - tl - 1) == 0;
}

/* ---- decoding ---------------------------------------------------------- */

static bool
full(const struct buf *b, size_t from, size_t max)
{
	return max != 0 && b->len - from >= max;
}

bool
sieve_mime_base64_decode(struct buf *out, const char *s, size_t n,
			 size_t max)
{
	size_t i, from = out->len;
	uint32_t acc = 0;
	unsigned nbits = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int v;

		if (c >= 'A' && c <= 'Z')
			v = c - 'A';
		else if (c >= 'a' && c <= 'z')
			v = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			v = c - '0' + 52;
		else if (c == '+')
			v = 62;
		else if (c == '/')
			v = 63;
		else {
			if (c == '=')
				nbits = 0;	/* padding: drop partial bits */
			continue;
		}
		acc = (acc << 6) | (uint32_t)v;
		nbits += 6;
		if (nbits >= 8) {
			if (full(out, from, max))
				return true;
			nbits -= 8;
			buf_putc(out, (char)((acc >> nbits) & 0xff));
		}
	}
	return false;
}

bool
sieve_mime_qp_decode(struct buf *out, const char *s, size_t n, size_t max)
{
	size_t pos = 0, from = out->len;

	while (pos < n) {
		const char *nl = memchr(s + pos, '\n', n - pos);
		size_t le = nl ? (size_t)(nl - s) : n, end = le, i;
		bool crlf = false, soft = false;

		if (end > pos && s[end - 1] == '\r') {
			end--;
			crlf = true;
		}
		/* transport may add trailing white space (RFC 2045 6.7) */
		while (end > pos && (s[end - 1] == ' ' || s[end - 1] == '\t'))
			end--;
		if (end > pos && s[end - 1] == '=') {
			soft = true;
			end--;
		}
		for (i = pos; i < end; i++) {
			int h, l;

			if (full(out, from, max))
				return true;
			if (s[i] == '=' && i + 2 < end &&
			    (h = hexval((unsigned char)s[i + 1])) >= 0 &&
			    (l = hexval((unsigned char)s[i + 2])) >= 0) {
				buf_putc(out, (char)(h * 16 + l));
				i += 2;
			} else {
				buf_putc(out, s[i]);
			}
		}
		if (nl && !soft) {
			if (full(out, from, max))
				return true;
			if (crlf)
				buf_putc(out, '\r');
			buf_putc(out, '\n');
		}
		pos = nl ? le + 1 : n;
	}
	return false;
}

/* Cuts a UTF-8 buffer to at most max octets on a character boundary. */
static bool
cut_utf8(struct buf *b, size_t max)
{
	size_t n;

	if (max == 0 || b->len <= max)
		return false;
	n = max;
	while (n > 0 && ((unsigned char)b->data[n] & 0xc0) == 0x80)
		n--;
	b->len = n;
	b->data[n] = '\0';
	return true;
}

static bool
is_ascii_charset(const char *cs)
{
	return strcasecmp(cs, "us-ascii") == 0 || strcasecmp(cs, "ascii") == 0;
}

const char *
sieve_mime_decode(struct arena *a, const struct sieve_mime_part *p,
		  bool to_utf8, size_t max, size_t *outlen, bool *truncated)
{
	struct buf raw;
	const char *r;
	bool cut = false;

	buf_init(&raw);
	if (strcmp(p->cte, "base64") == 0) {
		cut = sieve_mime_base64_decode(&raw, p->body, p->body_len, max);
	} else if (strcmp(p->cte, "quoted-printable") == 0) {
		cut = sieve_mime_qp_decode(&raw, p->body, p->body_len, max);
	} else {
		size_t n = p->body_len;

		if (max && n > max) {
			n = max;
			cut = true;
		}
		buf_append(&raw, p->body, n);
	}
	if (to_utf8 && strcmp(p->type, "text") == 0) {
		const char *cs = sieve_mime_param(p, "charset");
		struct buf u;

		buf_init(&u);
		/* us-ascii as declared is often 8-bit UTF-8 in practice */
		if (cs == NULL || *cs == '\0' || is_ascii_charset(cs) ||
		    !sieve_charset_to_utf8(&u, cs, raw.data ? raw.data : "",
					   raw.len))
			sieve_utf8_sanitize(&u, raw.data ? raw.data : "",
					    raw.len);
		if (cut_utf8(&u, max))
			cut = true;
		buf_free(&raw);
		raw = u;
	}
	r = arena_strndup(a, raw.data ? raw.data : "", raw.len);
	*outlen = raw.len;
	if (truncated)
		*truncated = cut;
	buf_free(&raw);
	return r;
}

/* ---- HTML to text ------------------------------------------------------ */

struct h2t {
	struct buf out;
	bool line_start;	/* nothing on the current line yet */
	bool space;		/* white space pending */
};

static bool
name_in(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (strcasecmp(name, *list) == 0)
			return true;
	return false;
}

static const char *const skipped_elements[] = {
	"script", "style", NULL
};
static const char *const block_elements[] = {
	"address", "article", "blockquote", "br", "dd", "div", "dl", "dt",
	"footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li",
	"ol", "p", "pre", "section", "table", "title", "tr", "ul", NULL
};

static void
h2t_break(struct h2t *h)
{
	if (!h->line_start)
		buf_putc(&h->out, '\n');
	h->line_start = true;
	h->space = false;
}

static void
h2t_text(struct h2t *h, const unsigned char *s)
{
	for (; s && *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n' ||
		    *s == '\f') {
			h->space = true;
			continue;
		}
		if (h->space && !h->line_start)
			buf_putc(&h->out, ' ');
		h->space = false;
		h->line_start = false;
		buf_putc(&h->out, (char)*s);
	}
}

/*
 * libxml2 is opened on first use: it pulls in ICU and costs a delivery
 * about 2 MB and a millisecond to load, while most messages never need
 * HTML converted.
 */
#ifndef TAMIS_LIBXML2_SONAME
#define TAMIS_LIBXML2_SONAME "libxml2.so.2"
#endif

static struct {
	bool tried, ok;
	htmlDocPtr (*read_memory)(const char *, int, const char *,
				  const char *, int);
	void (*free_doc)(xmlDocPtr);
} xml;

static bool
xml_load(void)
{
	void *h, *r, *f;

	if (xml.tried)
		return xml.ok;
	xml.tried = true;
	h = dlopen(TAMIS_LIBXML2_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL)
		return false;
	r = dlsym(h, "htmlReadMemory");
	f = dlsym(h, "xmlFreeDoc");
	if (r == NULL || f == NULL)
		return false;
	/* POSIX allows the object-to-function pointer conversion */
	*(void **)(&xml.read_memory) = r;
	*(void **)(&xml.free_doc) = f;
	xml.ok = true;
	return true;
}

const char *
sieve_html_to_text(struct arena *a, const char *html, size_t len, size_t max,
		   size_t *outlen)
{
	struct h2t h;
	htmlDocPtr doc;
	xmlNodePtr n;
	const char *r;

	if (max && len > max)
		len = max;
	if (len > INT_MAX)
		len = INT_MAX;
	memset(&h, 0, sizeof(h));
	buf_init(&h.out);
	h.line_start = true;
	if (len && !xml_load()) {
		/* no libxml2: the markup stays, still searchable */
		*outlen = len;
		return arena_strndup(a, html, len);
	}
	doc = len ? xml.read_memory(html, (int)len, NULL, "UTF-8",
				    HTML_PARSE_NOERROR |
				    HTML_PARSE_NOWARNING |
				    HTML_PARSE_NONET) : NULL;
	n = doc ? doc->children : NULL;
	/* iterative walk: the tree may be as deep as libxml2 allows */
	while (n) {
		bool descend = false;

		if (n->type == XML_ELEMENT_NODE) {
			const char *name = (const char *)n->name;

			descend = !name_in(name, skipped_elements);
			if (descend && name_in(name, block_elements))
				h2t_break(&h);
			else if (descend && (strcasecmp(name, "td") == 0 ||
					     strcasecmp(name, "th") == 0))
				h.space = true;
		} else if (n->type == XML_TEXT_NODE ||
			   n->type == XML_CDATA_SECTION_NODE) {
			h2t_text(&h, n->content);
		}
		if (descend && n->children) {
			n = n->children;
			continue;
		}
		for (;;) {
			if (n->type == XML_ELEMENT_NODE &&
			    name_in((const char *)n->name, block_elements))
				h2t_break(&h);
			if (n->next) {
				n = n->next;
				break;
			}
			n = n->parent;
			if (n == NULL || n == (xmlNodePtr)doc) {
				n = NULL;
				break;
			}
		}
	}
	if (doc)
		xml.free_doc(doc);
	while (h.out.len > 0 && h.out.data[h.out.len - 1] == '\n')
		h.out.len--;
	r = arena_strndup(a, h.out.data ? h.out.data : "", h.out.len);
	*outlen = h.out.len;
	buf_free(&h.out);
	return r;
}
