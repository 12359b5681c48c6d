/*
 * rfc2047.c -- decoding of RFC 2047 encoded words in header values.
 *
 * An encoded word is =?charset[*language]?B|Q?text?=. Decoding is lenient
 * the way mail readers are: words glued to surrounding text ("Re:=?...?=",
 * "foo=?...?=bar") are decoded, B accepts missing or stray padding, and the
 * white space between two adjacent encoded words is dropped (RFC 2047 6.2).
 * Adjacent words in the same charset are joined before conversion, so a
 * multi-byte character split across two words (a common mailer bug) comes
 * out whole. A word whose charset iconv does not know, or whose text does
 * not decode, is left as written, and so is everything that only looks
 * like an encoded word: only a complete =?cs?e?text?= with no white space
 * inside is touched.
 *
 * Charsets: UTF-8 is validated here; every other charset goes through
 * iconv(3). "iso-8859-1" and "us-ascii" are read as windows-1252, as the
 * WHATWG encoding standard and most mail readers do (the two only differ in
 * 0x80-0x9f, which never carries C1 controls in real mail). Bytes that do
 * not convert become U+FFFD, and so does a decoded U+0000 so that values
 * stay usable as C strings.
 *
 * iconv descriptors are cached per thread (a handful of charsets, evicted
 * round-robin); sieve_rfc2047_cache_free() closes them.
 *
 * Not here: RFC 2231 parameter continuations (MIME parameters, not header
 * text); encoded words are decoded anywhere in the value, comments and
 * quoted strings included, as most mail readers do.
 */
#include "message.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"

#define CHARSET_MAX 40		/* longest charset name we look up */
#define CONV_CACHE_SIZE 8

static const char utf8_replacement[] = "\xef\xbf\xbd";	/* U+FFFD */

/* One scanned encoded word. */
struct ew {
	const char *cs;		/* charset, without the *language suffix */
	size_t cslen;
	char enc;		/* 'B' or 'Q' */
	const char *text;
	size_t textlen;
};

enum conv_kind { CONV_UTF8, CONV_ICONV };

struct conv_slot {
	char name[CHARSET_MAX];	/* normalized charset name, "" = free */
	iconv_t cd;
};

static _Thread_local struct conv_slot conv_cache[CONV_CACHE_SIZE];
static _Thread_local unsigned conv_next;

/* Charset labels that mail uses but iconv does not know, or knows as a
 * smaller set than what mailers actually put under the label. */
static const struct {
	const char *label;
	const char *iconv_name;
} charset_aliases[] = {
	{ "iso-8859-1", "WINDOWS-1252" },
	{ "iso8859-1", "WINDOWS-1252" },
	{ "latin1", "WINDOWS-1252" },
	{ "us-ascii", "WINDOWS-1252" },
	{ "ascii", "WINDOWS-1252" },
	{ "ks_c_5601-1987", "CP949" },
	{ "ks_c_5601", "CP949" },
	{ "gb2312", "GB18030" },
	{ "gbk", "GB18030" },
	{ "x-gbk", "GB18030" },
	{ "iso-8859-8-i", "ISO-8859-8" },
	{ "x-sjis", "SHIFT_JIS" },
	{ "x-mac-roman", "MACINTOSH" },
	{ "unicode-1-1-utf-7", "UTF-7" },
};

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

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

static int
b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* RFC 2047 "especials" and everything that cannot be in a token. */
static int
is_charset_char(unsigned char c)
{
	if (c <= ' ' || c >= 127)
		return 0;
	return strchr("()<>@,;:\"/[]?.=", c) == NULL;
}

static int
is_lws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Recognizes the encoded word starting at s (which must be at "=?"). The
 * scan stops at the third '?' at the latest, so trying every "=?" of a
 * string costs linear time overall.
 */
static size_t
ew_scan(const char *s, size_t len, struct ew *w)
{
	size_t i = 2, cs_start, cs_end, star = 0, t_start;

	if (len < 2 || s[0] != '=' || s[1] != '?')
		return 0;
	cs_start = i;
	while (i < len && is_charset_char((unsigned char)s[i])) {
		if (s[i] == '*' && star == 0)
			star = i;
		i++;
	}
	cs_end = star ? star : i;
	if (cs_end == cs_start || i >= len || s[i] != '?')
		return 0;
	i++;
	if (i + 1 >= len || s[i + 1] != '?')
		return 0;
	w->enc = (char)(s[i] & ~0x20);	/* upper case */
	if (w->enc != 'B' && w->enc != 'Q')
		return 0;
	i += 2;
	t_start = i;
	while (i < len && s[i] > ' ' && s[i] < 127 && s[i] != '?')
		i++;
	if (i + 1 >= len || s[i] != '?' || s[i + 1] != '=')
		return 0;
	w->cs = s + cs_start;
	w->cslen = cs_end - cs_start;
	w->text = s + t_start;
	w->textlen = i - t_start;
	return i + 2;
}

size_t
sieve_rfc2047_word_len(const char *s, size_t len)
{
	struct ew w;

	return ew_scan(s, len, &w);
}

/* Q: '_' is a space, =XX a byte; a '=' without two hex digits stays. */
static void
decode_q(const struct ew *w, struct buf *out)
{
	size_t i;

	for (i = 0; i < w->textlen; i++) {
		char c = w->text[i];

		if (c == '_') {
			c = ' ';
		} else if (c == '=' && i + 2 < w->textlen &&
			   hexval(w->text[i + 1]) >= 0 &&
			   hexval(w->text[i + 2]) >= 0) {
			c = (char)(hexval(w->text[i + 1]) * 16 +
				   hexval(w->text[i + 2]));
			i += 2;
		}
		buf_putc(out, c);
	}
}

/*
 * B, leniently: padding may be missing, and a '=' ends a quantum so that
 * concatenated padded blocks still decode. A character outside the base64
 * alphabet makes the word malformed (returns false, out unchanged).
 */
static int
decode_b(const struct ew *w, struct buf *out)
{
	size_t i, start = out->len;
	unsigned acc = 0, nbits = 0;

	for (i = 0; i < w->textlen; i++) {
		int v;

		if (w->text[i] == '=') {
			acc = nbits = 0;
			continue;
		}
		v = b64val((unsigned char)w->text[i]);
		if (v < 0) {
			out->len = start;
			if (out->data)
				out->data[start] = '\0';
			return 0;
		}
		acc = (acc << 6) | (unsigned)v;
		nbits += 6;
		if (nbits >= 8) {
			nbits -= 8;
			buf_putc(out, (char)((acc >> nbits) & 0xff));
		}
	}
	return 1;
}

/* Normalizes a charset label: lower case, alias applied. */
static int
charset_name(const char *cs, size_t cslen, char name[CHARSET_MAX])
{
	size_t i;

	if (cslen >= CHARSET_MAX)
		return 0;
	for (i = 0; i < cslen; i++)
		name[i] = (char)lower((unsigned char)cs[i]);
	name[cslen] = '\0';
	for (i = 0; i < sizeof(charset_aliases) / sizeof(charset_aliases[0]);
	     i++) {
		if (strcmp(name, charset_aliases[i].label) == 0) {
			strcpy(name, charset_aliases[i].iconv_name);
			break;
		}
	}
	return 1;
}

static int
is_utf8_name(const char *name)
{
	return strcmp(name, "utf-8") == 0 || strcmp(name, "utf8") == 0;
}

/*
 * Finds (or opens and caches) the converter for a normalized charset name.
 * Returns false when iconv does not know the charset.
 */
static int
conv_get(const char *name, enum conv_kind *kind, iconv_t *cd)
{
	unsigned i;
	iconv_t c;
	struct conv_slot *slot;

	if (is_utf8_name(name)) {
		*kind = CONV_UTF8;
		return 1;
	}
	for (i = 0; i < CONV_CACHE_SIZE; i++) {
		if (conv_cache[i].name[0] != '\0' &&
		    strcmp(conv_cache[i].name, name) == 0) {
			*kind = CONV_ICONV;
			*cd = conv_cache[i].cd;
			return 1;
		}
	}
	c = iconv_open("UTF-8", name);
	if (c == (iconv_t)-1)
		return 0;
	slot = &conv_cache[conv_next];
	conv_next = (conv_next + 1) % CONV_CACHE_SIZE;
	if (slot->name[0] != '\0')
		iconv_close(slot->cd);
	strcpy(slot->name, name);
	slot->cd = c;
	*kind = CONV_ICONV;
	*cd = c;
	return 1;
}

void
sieve_rfc2047_cache_free(void)
{
	unsigned i;

	for (i = 0; i < CONV_CACHE_SIZE; i++) {
		if (conv_cache[i].name[0] != '\0')
			iconv_close(conv_cache[i].cd);
		conv_cache[i].name[0] = '\0';
	}
	conv_next = 0;
}

/* Length of the valid UTF-8 sequence at p (1..4), 0 if invalid. */
static size_t
utf8_seq(const unsigned char *p, size_t n)
{
	uint32_t cp;
	size_t need, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		need = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		need = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		need = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	if (n < need)
		return 0;
	for (i = 1; i < need; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((need == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (need == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return need;
}

/* Appends UTF-8 text, U+FFFD for each invalid byte and for U+0000. */
static void
put_utf8(struct buf *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		size_t k = utf8_seq(p + i, n - i);

		if (k == 0 || p[i] == 0) {
			buf_append(out, utf8_replacement, 3);
			i++;
		} else {
			buf_append(out, p + i, k);
			i += k;
		}
	}
}

/*
 * Converts raw bytes through iconv into out. An invalid byte becomes
 * U+FFFD and conversion goes on after it; an incomplete sequence at the
 * end becomes one U+FFFD.
 */
static void
put_iconv(struct buf *out, iconv_t cd, const char *s, size_t n)
{
	char *in = (char *)s;
	size_t inleft = n;
	size_t from = out->len;

	iconv(cd, NULL, NULL, NULL, NULL);
	while (inleft > 0) {
		char *o;
		size_t oleft, r;

		buf_reserve(out, inleft * 2 + 16);
		o = out->data + out->len;
		oleft = out->cap - out->len - 1;
		r = iconv(cd, &in, &inleft, &o, &oleft);
		out->len = (size_t)(o - out->data);
		out->data[out->len] = '\0';
		if (r != (size_t)-1)
			break;
		if (errno == E2BIG)
			continue;
		buf_append(out, utf8_replacement, 3);
		if (errno == EILSEQ) {
			in++;
			inleft--;
		} else {
			break;	/* EINVAL: truncated sequence at the end */
		}
	}
	/* Flush the shift state of stateful charsets (ISO-2022-JP). */
	{
		char *o;
		size_t oleft;

		buf_reserve(out, 16);
		o = out->data + out->len;
		oleft = out->cap - out->len - 1;
		if (iconv(cd, NULL, NULL, &o, &oleft) != (size_t)-1)
			out->len = (size_t)(o - out->data);
		out->data[out->len] = '\0';
	}
	/* iconv output is UTF-8; only U+0000 needs replacing. */
	if (memchr(out->data + from, '\0', out->len - from) != NULL) {
		size_t i, n0 = out->len - from;
		char *copy = xmalloc(n0);

		memcpy(copy, out->data + from, n0);
		out->len = from;
		for (i = 0; i < n0; i++) {
			if (copy[i] == '\0')
				buf_append(out, utf8_replacement, 3);
			else
				buf_putc(out, copy[i]);
		}
		free(copy);
	}
}

/* A run of adjacent encoded words of one charset, decoded but not yet
 * converted. */
struct run {
	int active;
	char name[CHARSET_MAX];
	enum conv_kind kind;
	iconv_t cd;
	struct buf raw;
};

static void
run_flush(struct run *r, struct buf *out)
{
	if (!r->active)
		return;
	if (r->kind == CONV_UTF8)
		put_utf8(out, r->raw.data ? r->raw.data : "", r->raw.len);
	else
		put_iconv(out, r->cd, r->raw.data ? r->raw.data : "",
			  r->raw.len);
	buf_reset(&r->raw);
	r->active = 0;
}

static int
all_lws(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_lws((unsigned char)s[i]))
			return 0;
	return 1;
}

/*
 * The decoder walks the value once. Plain text between words is copied as
 * it is (8-bit bytes included: they may be raw UTF-8 per RFC 6532); a gap
 * of only white space between two decoded words is dropped. `plain` is
 * where the not yet copied plain text starts, `last_end` where the last
 * decoded word ended. A run is flushed before another charset is looked
 * up, so that the cache never closes the descriptor of a pending run.
 */
const char *
sieve_rfc2047_decode(struct arena *a, const char *s, size_t len,
		     size_t *outlen)
{
	struct buf out = BUF_INIT, word = BUF_INIT;
	struct run run = { 0 };
	size_t i = 0, plain = 0, last_end = SIZE_MAX;
	int any = 0;
	const char *res;

	while (i + 1 < len) {
		struct ew w;
		size_t n;
		char name[CHARSET_MAX];
		enum conv_kind kind = CONV_UTF8;
		iconv_t cd = (iconv_t)-1;
		const char *q;
		int same, gap_dropped;

		q = memchr(s + i, '=', len - i - 1);
		if (q == NULL)
			break;
		i = (size_t)(q - s);
		if (s[i + 1] != '?' || (n = ew_scan(s + i, len - i, &w)) == 0 ||
		    !charset_name(w.cs, w.cslen, name)) {
			i++;
			continue;
		}
		same = run.active && strcmp(run.name, name) == 0;
		if (same) {
			kind = run.kind;
			cd = run.cd;
		} else {
			run_flush(&run, &out);
			if (!conv_get(name, &kind, &cd)) {
				i++;
				continue;
			}
		}
		buf_reset(&word);
		if (w.enc == 'Q') {
			decode_q(&w, &word);
		} else if (!decode_b(&w, &word)) {
			i++;	/* malformed: stays as written */
			continue;
		}
		gap_dropped = plain == last_end &&
			      all_lws(s + plain, i - plain);
		if (!(same && gap_dropped)) {
			run_flush(&run, &out);
			if (!gap_dropped)
				buf_append(&out, s + plain, i - plain);
			run.active = 1;
			strcpy(run.name, name);
			run.kind = kind;
			run.cd = cd;
		}
		buf_append(&run.raw, word.data ? word.data : "", word.len);
		any = 1;
		i += n;
		plain = last_end = i;
	}
	buf_free(&word);
	if (!any) {
		buf_free(&out);
		buf_free(&run.raw);
		*outlen = len;
		return s;
	}
	run_flush(&run, &out);
	buf_append(&out, s + plain, len - plain);
	res = arena_strndup(a, out.data, out.len);
	*outlen = out.len;
	buf_free(&out);
	buf_free(&run.raw);
	return res;
}

/*
 * Added for MIME bodies (mime.c): converts a whole text in charset cs to
 * UTF-8, appending to out, with the same rules as encoded words (aliases,
 * U+FFFD for bytes that do not convert and for U+0000). Returns 0 and
 * appends nothing when the charset is unknown.
 */
int
sieve_charset_to_utf8(struct buf *out, const char *cs, const char *s,
		      size_t n)
{
	char name[CHARSET_MAX];
	enum conv_kind kind;
	iconv_t cd = (iconv_t)-1;

	if (!charset_name(cs, strlen(cs), name) || !conv_get(name, &kind, &cd))
		return 0;
	if (kind == CONV_UTF8)
		put_utf8(out, s, n);
	else
		put_iconv(out, cd, s, n);
	return 1;
}

/* Added: appends s as UTF-8, U+FFFD for invalid bytes and U+0000. */
void
sieve_utf8_sanitize(struct buf *out, const char *s, size_t n)
{
	put_utf8(out, s, n);
}
