/*
 * address.c -- RFC 5322 address lists and RFC 5321 envelope paths for the
 * Sieve `address` and `envelope` tests (RFC 5228 2.7.4, 5.1, 5.4).
 *
 * Header values are read by a small tokenizer (atoms, quoted strings,
 * domain literals, specials; white space and nested comments skipped
 * anywhere, RFC 5322 3.2.2 and 4.4) and a parser that takes one list entry
 * at a time: a group ("name:" members ";"), a name-addr ("phrase <addr>",
 * obsolete route "<@a,@b:addr>" dropped) or a bare addr-spec. Obsolete
 * forms are accepted: CFWS around dots, phrases with dots, empty list
 * elements. An entry that does not parse yields one invalid address
 * (local_part and domain NULL, all = its raw text trimmed) and parsing goes
 * on at the next ',' (or ';', which also ends a group).
 *
 * Decisions beyond the RFC, all lenient in the way of common mail readers:
 * - A bare local part without '@' ("To: undisclosed") is an invalid entry,
 *   so :localpart and :domain never match it (RFC 5228 2.7.4) while :all
 *   sees its raw text ("undisclosed").
 * - "<>" in a header is likewise an invalid entry with all = "<>".
 * - A display name may contain '@' ("a@b.c <a@b.c>"); words after the
 *   closing '>' are ignored; a missing final '>' is tolerated when the
 *   entry ends right after the address.
 * - Outside a group, ';' separates entries like ',' (people type it).
 * - An encoded word (=?cs?Q?Doe,_John?=) is one word even when its text
 *   holds specials; display names are not returned, so it is not decoded.
 * - Local parts are returned unquoted; `all` re-quotes one only when it
 *   holds characters outside atext and '.', so "john..doe" stays as it is.
 *   Domains are kept as written (no case folding; CFWS removed; domain
 *   literals keep their brackets, white space inside them removed).
 * - Bytes >= 0x80 count as atext (RFC 6532 UTF-8 headers).
 *
 * Every token is read at most a small constant number of times: the time
 * is linear in the length of the value.
 */
#include "address.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "message.h"

enum tok_kind {
	TK_END,
	TK_ATOM,	/* also an encoded word */
	TK_QUOTED,	/* a complete quoted string, quotes included */
	TK_DLIT,	/* a complete domain literal, brackets included */
	TK_SPECIAL,	/* one of < > @ , ; : . */
	TK_JUNK,	/* anything else: makes the entry invalid */
};

struct tok {
	enum tok_kind kind;
	char ch;		/* the special character */
	size_t start, end;
};

/* Parser state. The *_fail offsets remember that a '(' '"' or '[' at or
 * after them has no end, so that re-reading never rescans to the end. */
struct ap {
	struct arena *a;
	const char *s;
	size_t len;
	size_t pos;
	size_t comment_fail, quote_fail, dlit_fail;
	struct buf tmp;
	struct sieve_address *out;
	size_t n, cap;
};

static int
is_atext(unsigned char c)
{
	if (c >= 0x80)
		return 1;
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Scans a bracketed construct that opens at p->s[i] and closes with
 * `close` (nesting with `open` when nest is set), honouring quoted-pairs.
 * Returns the offset after the closing character, or 0 if it never closes.
 */
static size_t
scan_closed(const struct ap *p, size_t i, char open, char close, int nest)
{
	unsigned long depth = 1;

	for (i++; i < p->len; i++) {
		char c = p->s[i];

		if (c == '\\') {
			i++;
		} else if (nest && c == open) {
			depth++;
		} else if (c == close) {
			if (--depth == 0)
				return i + 1;
		}
	}
	return 0;
}

/* Skips white space and comments. An unclosed '(' is left for next_tok to
 * report as junk. */
static void
skip_cfws(struct ap *p)
{
	while (p->pos < p->len) {
		char c = p->s[p->pos];
		size_t e;

		if (is_space(c)) {
			p->pos++;
		} else if (c == '(' && p->pos < p->comment_fail) {
			e = scan_closed(p, p->pos, '(', ')', 1);
			if (e == 0) {
				p->comment_fail = p->pos;
				return;
			}
			p->pos = e;
		} else {
			return;
		}
	}
}

static void
next_tok(struct ap *p, struct tok *t)
{
	size_t i, e;
	char c;

	skip_cfws(p);
	i = t->start = p->pos;
	t->ch = 0;
	if (i >= p->len) {
		t->kind = TK_END;
		t->end = i;
		return;
	}
	c = p->s[i];
	t->kind = TK_JUNK;
	e = i + 1;
	if (c == '"' && i < p->quote_fail) {
		size_t q = scan_closed(p, i, 0, '"', 0);

		if (q) {
			t->kind = TK_QUOTED;
			e = q;
		} else {
			p->quote_fail = i;
		}
	} else if (c == '[' && i < p->dlit_fail) {
		size_t q = scan_closed(p, i, 0, ']', 0);

		if (q) {
			t->kind = TK_DLIT;
			e = q;
		} else {
			p->dlit_fail = i;
		}
	} else if (strchr("<>@,;:.", c) != NULL && c != '\0') {
		t->kind = TK_SPECIAL;
		t->ch = c;
	} else if (is_atext((unsigned char)c)) {
		t->kind = TK_ATOM;
		e = i;
		while (e < p->len && is_atext((unsigned char)p->s[e])) {
			size_t w = 0;

			if (p->s[e] == '=' && e + 1 < p->len &&
			    p->s[e + 1] == '?')
				w = sieve_rfc2047_word_len(p->s + e,
							   p->len - e);
			e += w ? w : 1;
		}
	}
	t->end = p->pos = e;
}

static void
peek_tok(struct ap *p, struct tok *t)
{
	size_t save = p->pos;

	next_tok(p, t);
	p->pos = save;
}

static int
is_special(const struct tok *t, char c)
{
	return t->kind == TK_SPECIAL && t->ch == c;
}

/* Where an entry ends: ',' ';' or the end of the value. */
static int
is_stopper(const struct tok *t)
{
	return t->kind == TK_END || is_special(t, ',') || is_special(t, ';');
}

static int
is_word(const struct tok *t)
{
	return t->kind == TK_ATOM || t->kind == TK_QUOTED;
}

/* Appends the content of a quoted string: quotes and the backslashes of
 * quoted-pairs removed, line breaks (folding) dropped. */
static void
put_unquoted(struct buf *b, const char *s, size_t start, size_t end)
{
	size_t i;

	for (i = start + 1; i + 1 < end; i++) {
		if (s[i] == '\\' && i + 2 < end)
			i++;
		else if (s[i] == '\r' || s[i] == '\n')
			continue;
		buf_putc(b, s[i]);
	}
}

static void
push(struct ap *p, const char *local, const char *domain, const char *all)
{
	struct sieve_address *ad;

	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 8;
		p->out = xrealloc(p->out, p->cap * sizeof(*p->out));
	}
	ad = &p->out[p->n++];
	ad->local_part = local;
	ad->domain = domain;
	ad->all = all;
}

/* Whether a local part can be written without quotes. */
static int
needs_quotes(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 1;
	for (i = 0; i < n; i++)
		if (s[i] != '.' && !is_atext((unsigned char)s[i]))
			return 1;
	return 0;
}

/* local@domain (or local alone) with the local part quoted if needed. */
static const char *
make_all(struct arena *a, const char *local, const char *domain)
{
	struct buf b = BUF_INIT;
	size_t n = strlen(local), i;
	const char *r;

	if (needs_quotes(local, n)) {
		buf_putc(&b, '"');
		for (i = 0; i < n; i++) {
			if (local[i] == '"' || local[i] == '\\')
				buf_putc(&b, '\\');
			buf_putc(&b, local[i]);
		}
		buf_putc(&b, '"');
	} else {
		buf_append(&b, local, n);
	}
	if (domain) {
		buf_putc(&b, '@');
		buf_puts(&b, domain);
	}
	r = arena_strndup(a, b.data, b.len);
	buf_free(&b);
	return r;
}

/*
 * A domain: a domain literal, or atoms and dots starting with an atom
 * (obsolete CFWS around the dots allowed, a trailing dot tolerated).
 * Returns it as written without the CFWS, or NULL.
 */
static const char *
parse_domain(struct ap *p)
{
	struct tok t;
	int last_dot;

	next_tok(p, &t);
	buf_reset(&p->tmp);
	if (t.kind == TK_DLIT) {
		size_t i;

		for (i = t.start; i < t.end; i++)
			if (!is_space(p->s[i]))
				buf_putc(&p->tmp, p->s[i]);
		return arena_strndup(p->a, p->tmp.data, p->tmp.len);
	}
	if (t.kind != TK_ATOM)
		return NULL;
	buf_append(&p->tmp, p->s + t.start, t.end - t.start);
	last_dot = 0;
	for (;;) {
		peek_tok(p, &t);
		if (is_special(&t, '.')) {
			last_dot = 1;
		} else if (t.kind == TK_ATOM && last_dot) {
			last_dot = 0;
		} else {
			break;
		}
		next_tok(p, &t);
		buf_append(&p->tmp, p->s + t.start, t.end - t.start);
	}
	return arena_strndup(p->a, p->tmp.data, p->tmp.len);
}

/*
 * local-part "@" domain. The local part is words and dots (obsolete form:
 * dots anywhere, CFWS between), no two words adjacent, at least one word.
 */
static int
parse_addr_spec(struct ap *p, const char **local, const char **domain)
{
	struct tok t;
	int words = 0, last_word = 0;

	buf_reset(&p->tmp);
	for (;;) {
		next_tok(p, &t);
		if (is_special(&t, '.')) {
			buf_putc(&p->tmp, '.');
			last_word = 0;
		} else if (is_word(&t) && !last_word) {
			if (t.kind == TK_QUOTED)
				put_unquoted(&p->tmp, p->s, t.start, t.end);
			else
				buf_append(&p->tmp, p->s + t.start,
					   t.end - t.start);
			words++;
			last_word = 1;
		} else {
			break;
		}
	}
	if (!is_special(&t, '@') || words == 0)
		return 0;
	*local = arena_strndup(p->a, p->tmp.data ? p->tmp.data : "",
			       p->tmp.len);
	*domain = parse_domain(p);
	return *domain != NULL;
}

/* After a complete address: the entry must end here. */
static int
at_stopper(struct ap *p)
{
	struct tok t;

	peek_tok(p, &t);
	return is_stopper(&t);
}

/*
 * [display-name] "<" [route ":"] addr-spec ">", the '<' not yet read.
 * The display name is words, dots and (leniently) '@'.
 */
static int
parse_name_addr(struct ap *p, const char **local, const char **domain)
{
	struct tok t;

	for (;;) {
		next_tok(p, &t);
		if (is_special(&t, '<'))
			break;
		if (!is_word(&t) && !is_special(&t, '.') &&
		    !is_special(&t, '@'))
			return 0;
	}
	peek_tok(p, &t);
	if (is_special(&t, '@') || is_special(&t, ',')) {
		/* obs-route: *("," / "@" domain) ":" -- dropped */
		for (;;) {
			next_tok(p, &t);
			if (is_special(&t, ':'))
				break;
			if (is_special(&t, ','))
				continue;
			if (!is_special(&t, '@') || parse_domain(p) == NULL)
				return 0;
		}
	}
	if (!parse_addr_spec(p, local, domain))
		return 0;
	peek_tok(p, &t);
	if (is_stopper(&t))
		return 1;	/* missing '>' at the end of the entry */
	next_tok(p, &t);
	if (!is_special(&t, '>'))
		return 0;
	for (;;) {
		peek_tok(p, &t);
		if (is_stopper(&t))
			return 1;
		if (!is_word(&t) && !is_special(&t, '.'))
			return 0;
		next_tok(p, &t);
	}
}

/*
 * Skips to the end of a broken entry: the next ',' or ';' from its start,
 * except a ',' inside "<...>" followed by '@' (a route). Returns the offset
 * of that separator and leaves the position there.
 */
static size_t
recover(struct ap *p, size_t start)
{
	struct tok t;
	int in_angle = 0;

	p->pos = start;
	for (;;) {
		next_tok(p, &t);
		if (t.kind == TK_END || is_special(&t, ';'))
			break;
		if (is_special(&t, '<')) {
			in_angle = 1;
		} else if (is_special(&t, '>')) {
			in_angle = 0;
		} else if (is_special(&t, ',')) {
			struct tok u;

			peek_tok(p, &u);
			if (!(in_angle && is_special(&u, '@')))
				break;
		}
	}
	p->pos = t.start;
	return t.start;
}

static void
push_invalid(struct ap *p, size_t start, size_t end)
{
	while (start < end && is_space(p->s[start]))
		start++;
	while (end > start && is_space(p->s[end - 1]))
		end--;
	push(p, NULL, NULL, arena_strndup(p->a, p->s + start, end - start));
}

/*
 * One mailbox, from start (just after the previous separator) up to a
 * stopper, which is left unread. A name-addr is recognized by a '<'
 * before the stopper.
 */
static void
parse_mailbox(struct ap *p, size_t start)
{
	struct tok t;
	const char *local = NULL, *domain = NULL;
	int angle = 0, ok;

	for (;;) {
		next_tok(p, &t);
		if (is_stopper(&t))
			break;
		if (is_special(&t, '<')) {
			angle = 1;
			break;
		}
	}
	p->pos = start;
	if (angle)
		ok = parse_name_addr(p, &local, &domain);
	else
		ok = parse_addr_spec(p, &local, &domain) && at_stopper(p);
	if (ok)
		push(p, local, domain, make_all(p->a, local, domain));
	else
		push_invalid(p, start, recover(p, start));
}

/*
 * The members of a group, after its ':'. An unclosed group ends with the
 * value. What follows the ';' is the next entry, as after a top-level ';'.
 */
static void
parse_group(struct ap *p)
{
	struct tok t;

	for (;;) {
		size_t start = p->pos;

		peek_tok(p, &t);
		if (t.kind == TK_END)
			return;
		if (is_special(&t, ',')) {
			next_tok(p, &t);
			continue;
		}
		if (is_special(&t, ';')) {
			next_tok(p, &t);
			return;
		}
		parse_mailbox(p, start);
	}
}

/* A group is a phrase (words and dots, possibly none) and a ':'. */
static int
group_start(struct ap *p)
{
	struct tok t;
	size_t save = p->pos;

	for (;;) {
		next_tok(p, &t);
		if (is_special(&t, ':'))
			return 1;
		if (!is_word(&t) && !is_special(&t, '.')) {
			p->pos = save;
			return 0;
		}
	}
}

size_t
sieve_address_list_parse(struct arena *a, const char *s, size_t len,
			 struct sieve_address **out)
{
	struct ap p;
	struct tok t;

	memset(&p, 0, sizeof(p));
	p.a = a;
	p.s = s ? s : "";
	p.len = s ? len : 0;
	p.comment_fail = p.quote_fail = p.dlit_fail = SIZE_MAX;
	buf_init(&p.tmp);
	for (;;) {
		size_t start = p.pos;

		peek_tok(&p, &t);
		if (t.kind == TK_END)
			break;
		if (is_special(&t, ',') || is_special(&t, ';')) {
			next_tok(&p, &t);
			continue;
		}
		if (group_start(&p))
			parse_group(&p);
		else
			parse_mailbox(&p, start);
	}
	buf_free(&p.tmp);
	*out = arena_memdup(a, p.out, p.n * sizeof(*p.out));
	free(p.out);
	return p.n;
}

/*
 * An obsolete source route, "@a,@b" before the ':' (RFC 5321 4.1.2
 * A-d-l): every hop an '@' and a domain of non-empty labels. The route is
 * dropped, but a malformed one makes the whole path invalid.
 */
static bool
valid_route(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t label = 0;

		if (s[i++] != '@')
			return false;
		for (; i < len && s[i] != ','; i++) {
			if (s[i] == '.') {
				if (label == 0)
					return false;
				label = 0;
			} else if (isalnum((unsigned char)s[i]) ||
				   s[i] == '-' || s[i] == '_') {
				label++;
			} else {
				return false;
			}
		}
		if (label == 0)
			return false;
		if (i < len)
			i++;		/* ',' */
		if (i == len && s[len - 1] == ',')
			return false;
	}
	return true;
}

/*
 * Envelope paths come from the MTA (Postfix's -f and -a, RFC 5321 4.1.2):
 * no comments, no display names. Accepted: "", "<>", "<user@dom>",
 * "user@dom", "<user>" / "user" (domain NULL), a quoted local part, a
 * domain literal, a source route "<@a,@b:user@dom>" (dropped).
 */
bool
sieve_address_parse_path(struct arena *a, const char *s, size_t len,
			 struct sieve_address *out)
{
	struct buf local = BUF_INIT;
	size_t b = 0, e = s ? len : 0, i, at;
	const char *dom = NULL;
	bool ok = false;

	if (s == NULL)
		s = "";
	while (b < e && is_space(s[b]))
		b++;
	while (e > b && is_space(s[e - 1]))
		e--;
	out->all = arena_strndup(a, s + b, e - b);
	out->local_part = NULL;
	out->domain = NULL;
	if (e > b && s[b] == '<') {
		if (e - b < 2 || s[e - 1] != '>')
			return false;
		b++;
		e--;
		while (b < e && is_space(s[b]))
			b++;
		while (e > b && is_space(s[e - 1]))
			e--;
	}
	if (b == e) {			/* null reverse-path */
		out->local_part = "";
		out->all = "";
		return true;
	}
	if (s[b] == '@') {		/* source route */
		const char *c = memchr(s + b, ':', e - b);

		if (c == NULL || !valid_route(s + b, (size_t)(c - s) - b))
			return false;
		b = (size_t)(c - s) + 1;
		if (b == e)
			return false;
	}
	i = b;
	if (s[i] == '"') {
		size_t q = i + 1;

		while (q < e && s[q] != '"') {
			if (s[q] == '\\' && q + 1 < e)
				q++;
			q++;
		}
		if (q >= e)
			return false;
		for (i++; i < q; i++) {
			if (s[i] == '\\')
				i++;
			buf_putc(&local, s[i]);
		}
		i = q + 1;
	} else {
		while (i < e && s[i] != '@') {
			if (s[i] != '.' && !is_atext((unsigned char)s[i]))
				goto done;
			i++;
		}
		if (i == b)
			goto done;
		buf_append(&local, s + b, i - b);
	}
	if (i < e) {
		if (s[i] != '@' || i + 1 == e)
			goto done;
		at = i + 1;
		if (s[at] == '[') {
			if (s[e - 1] != ']' || e - at < 2)
				goto done;
			for (i = at + 1; i < e - 1; i++)
				if (s[i] == '[' || s[i] == ']' ||
				    (unsigned char)s[i] <= ' ')
					goto done;
		} else {
			for (i = at; i < e; i++)
				if (s[i] != '.' &&
				    !is_atext((unsigned char)s[i]))
					goto done;
		}
		dom = arena_strndup(a, s + at, e - at);
	}
	out->local_part = arena_strndup(a, local.data ? local.data : "",
					local.len);
	out->domain = dom;
	out->all = make_all(a, out->local_part, dom);
	ok = true;
done:
	buf_free(&local);
	return ok;
}
