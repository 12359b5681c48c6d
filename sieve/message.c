/*
 * message.c -- read-only view of a mail message for the Sieve tests
 * (RFC 5228 5.7 header, 5.1 address, 5.5 exists; RFC 5322 2.2, 3.6).
 *
 * One pass over the header splits it into fields, then each field is
 * copied once, unfolded and trimmed, and a hash table keyed by lower-cased
 * name maps a name to the values of all its fields in message order.
 * Decoded (RFC 2047) values are computed the first time a name is asked
 * for them and kept.
 *
 * Lines may end in CRLF, LF, a bare CR, or CR CR LF (a common conversion
 * artefact, read as one line end). The header ends at the first empty line,
 * or at the first line that is neither a field ("name:" where the name is
 * printable US-ASCII, possibly followed by white space before the colon,
 * RFC 5322 4.5) nor a continuation (starting with SP or HTAB) of one. That
 * line and everything after it are the body. A message without any empty
 * line is all header with an empty body. An mbox "From " line at the very
 * start is skipped. The data need not be NUL-terminated and may hold NUL
 * and 8-bit bytes; values keep them (sieve_message_header_values gives the
 * lengths).
 */
#include "message.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

/* Where one field sits in the data. */
struct field_span {
	size_t name, name_len;
	size_t val, val_end;	/* after the colon .. end of its last line */
	size_t entry;		/* index of its name entry */
};

/* All fields of one name (case-insensitive). */
struct name_entry {
	const char *lname;	/* lower-cased */
	size_t name_len;
	uint32_t hash;
	size_t count, fill;
	const char **raw;
	size_t *raw_len;
	const char **dec;	/* NULL until first asked for */
	size_t *dec_len;
};

struct sieve_message {
	struct arena *a;
	const char *data;
	size_t len;
	size_t body;		/* offset of the body */
	bool has_body;		/* the header ended before the data did */
	struct sieve_header *fields;
	size_t nfields;
	struct name_entry *names;
	size_t nnames;
	size_t *table;		/* entry index + 1, 0 = free slot */
	size_t mask;
};

static const char *const no_values[1] = { NULL };
static const size_t no_lens[1] = { 0 };

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int
is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* FNV-1a over the lower-cased name. */
static uint32_t
name_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (uint32_t)lower((unsigned char)s[i]);
		h *= 16777619u;
	}
	return h;
}

static int
name_equal(const char *lname, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (lname[i] != lower((unsigned char)s[i]))
			return 0;
	return 1;
}

/*
 * Finds the end of the line starting at pos: returns the offset of its
 * first line-break byte (or len) and sets *next to the start of the next
 * line. LF, CRLF and CR...CRLF are one break; a CR not followed by LF (after
 * any further CRs) is a break of its own.
 */
static size_t
line_end(const char *d, size_t len, size_t pos, size_t *next)
{
	size_t i = pos, k;

	while (i < len && d[i] != '\n' && d[i] != '\r')
		i++;
	if (i >= len) {
		*next = len;
		return len;
	}
	if (d[i] == '\n') {
		*next = i + 1;
		return i;
	}
	for (k = i; k < len && d[k] == '\r'; k++)
		;
	*next = (k < len && d[k] == '\n') ? k + 1 : i + 1;
	return i;
}

/*
 * A field line: a name of printable US-ASCII except ':', then optional WSP
 * (obsolete syntax), then ':'. Sets the name length and the colon offset.
 */
static int
field_line(const char *d, size_t pos, size_t le, size_t *name_len,
	   size_t *colon)
{
	size_t i = pos;

	while (i < le && (unsigned char)d[i] > ' ' &&
	       (unsigned char)d[i] < 127 && d[i] != ':')
		i++;
	if (i == pos)
		return 0;
	*name_len = i - pos;
	while (i < le && is_wsp(d[i]))
		i++;
	if (i >= le || d[i] != ':')
		return 0;
	*colon = i;
	return 1;
}

/* Copies a value without its line breaks and trims WSP at both ends. */
static const char *
unfold(struct arena *a, const char *s, size_t n, size_t *outlen)
{
	char *p = arena_alloc(a, n + 1), *q = p, *start = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != '\r' && s[i] != '\n')
			*q++ = s[i];
	while (start < q && is_wsp(*start))
		start++;
	while (q > start && is_wsp(q[-1]))
		q--;
	*q = '\0';
	*outlen = (size_t)(q - start);
	return start;
}

/*
 * Splits the header into field spans (a malloc'd array; the count goes to
 * *n) and finds where the body starts.
 */
static struct field_span *
split_header(const char *d, size_t len, size_t *n, size_t *body,
	     bool *has_body)
{
	struct field_span *sp = NULL;
	size_t cap = 0, cnt = 0, pos = 0, next;

	*body = len;
	*has_body = true;
	if (len >= 5 && memcmp(d, "From ", 5) == 0) {
		line_end(d, len, 0, &next);
		pos = next;
	}
	while (pos < len) {
		size_t le = line_end(d, len, pos, &next), name_len, colon;

		if (le == pos) {			/* empty line */
			*body = next;
			break;
		}
		if (is_wsp(d[pos])) {			/* continuation */
			if (cnt == 0) {
				*body = pos;
				break;
			}
			sp[cnt - 1].val_end = le;
			pos = next;
			continue;
		}
		if (!field_line(d, pos, le, &name_len, &colon)) {
			*body = pos;
			break;
		}
		if (cnt == cap) {
			cap = cap ? cap * 2 : 32;
			sp = xrealloc(sp, cap * sizeof(*sp));
		}
		sp[cnt].name = pos;
		sp[cnt].name_len = name_len;
		sp[cnt].val = colon + 1;
		sp[cnt].val_end = le;
		cnt++;
		pos = next;
	}
	if (pos >= len && *body == len)
		*has_body = false;	/* ran out of data inside the header */
	*n = cnt;
	return sp;
}

static size_t *
table_slot(const struct sieve_message *m, const char *name, size_t n,
	   uint32_t h)
{
	size_t i = h & m->mask;

	for (;;) {
		size_t e = m->table[i];

		if (e == 0)
			return &m->table[i];
		if (m->names[e - 1].hash == h &&
		    m->names[e - 1].name_len == n &&
		    name_equal(m->names[e - 1].lname, name, n))
			return &m->table[i];
		i = (i + 1) & m->mask;
	}
}

/*
 * Builds the fields array and the name index: a first pass copies every
 * field and counts the fields of each name, a second fills each name's
 * value array in message order. The table is at most half full.
 */
static void
build_index(struct sieve_message *m, struct field_span *sp, size_t n)
{
	struct arena *a = m->a;
	size_t i, size = 8;

	while (size < n * 2)
		size *= 2;
	m->mask = size - 1;
	m->table = arena_zalloc(a, size * sizeof(*m->table));
	m->fields = arena_alloc(a, (n ? n : 1) * sizeof(*m->fields));
	m->names = arena_alloc(a, (n ? n : 1) * sizeof(*m->names));
	m->nfields = n;
	m->nnames = 0;
	for (i = 0; i < n; i++) {
		const char *nm = m->data + sp[i].name;
		size_t nl = sp[i].name_len;
		uint32_t h = name_hash(nm, nl);
		size_t *slot = table_slot(m, nm, nl, h);
		struct sieve_header *f = &m->fields[i];

		f->name = arena_strndup(a, nm, nl);
		f->value = unfold(a, m->data + sp[i].val,
				  sp[i].val_end - sp[i].val, &f->value_len);
		if (*slot == 0) {
			struct name_entry *e = &m->names[m->nnames++];
			char *ln = arena_alloc(a, nl + 1);
			size_t k;

			for (k = 0; k < nl; k++)
				ln[k] = (char)lower((unsigned char)nm[k]);
			ln[nl] = '\0';
			e->lname = ln;
			e->name_len = nl;
			e->hash = h;
			e->count = e->fill = 0;
			e->dec = NULL;
			e->dec_len = NULL;
			*slot = m->nnames;
		}
		sp[i].entry = *slot - 1;
		m->names[sp[i].entry].count++;
	}
	for (i = 0; i < m->nnames; i++) {
		struct name_entry *e = &m->names[i];

		e->raw = arena_alloc(a, (e->count + 1) * sizeof(*e->raw));
		e->raw_len = arena_alloc(a, e->count * sizeof(*e->raw_len));
		e->raw[e->count] = NULL;
	}
	for (i = 0; i < n; i++) {
		struct name_entry *e = &m->names[sp[i].entry];

		e->raw[e->fill] = m->fields[i].value;
		e->raw_len[e->fill] = m->fields[i].value_len;
		e->fill++;
	}
}

struct sieve_message *
sieve_message_parse(struct arena *a, const char *data, size_t len)
{
	struct sieve_message *m = arena_zalloc(a, sizeof(*m));
	struct field_span *sp;
	size_t n;

	if (data == NULL) {
		data = "";
		len = 0;
	}
	m->a = a;
	m->data = data;
	m->len = len;
	sp = split_header(data, len, &n, &m->body, &m->has_body);
	build_index(m, sp, n);
	free(sp);
	return m;
}

static struct name_entry *
lookup(const struct sieve_message *m, const char *name)
{
	size_t n = strlen(name);
	size_t *slot = table_slot(m, name, n, name_hash(name, n));

	return *slot ? &m->names[*slot - 1] : NULL;
}

static void
decode_entry(struct sieve_message *m, struct name_entry *e)
{
	size_t i;

	e->dec = arena_alloc(m->a, (e->count + 1) * sizeof(*e->dec));
	e->dec_len = arena_alloc(m->a, e->count * sizeof(*e->dec_len));
	for (i = 0; i < e->count; i++)
		e->dec[i] = sieve_rfc2047_decode(m->a, e->raw[i],
						 e->raw_len[i],
						 &e->dec_len[i]);
	e->dec[e->count] = NULL;
}

size_t
sieve_message_header_values(struct sieve_message *m, const char *name,
			    bool decoded, const char *const **values,
			    const size_t **lens)
{
	struct name_entry *e = lookup(m, name);

	if (e == NULL) {
		*values = no_values;
		if (lens)
			*lens = no_lens;
		return 0;
	}
	if (decoded && e->dec == NULL)
		decode_entry(m, e);
	*values = decoded ? e->dec : e->raw;
	if (lens)
		*lens = decoded ? e->dec_len : e->raw_len;
	return e->count;
}

size_t
sieve_message_header(struct sieve_message *m, const char *name,
		     const char *const **values)
{
	return sieve_message_header_values(m, name, false, values, NULL);
}

size_t
sieve_message_header_decoded(struct sieve_message *m, const char *name,
			     const char *const **values)
{
	return sieve_message_header_values(m, name, true, values, NULL);
}

size_t
sieve_message_fields(const struct sieve_message *m,
		     const struct sieve_header **fields)
{
	*fields = m->fields;
	return m->nfields;
}

size_t
sieve_message_size(const struct sieve_message *m)
{
	return m->len;
}

const char *
sieve_message_data(const struct sieve_message *m, size_t *len)
{
	*len = m->len;
	return m->data;
}

const char *
sieve_message_body(const struct sieve_message *m, size_t *len)
{
	*len = m->len - m->body;
	return m->data + m->body;
}

bool
sieve_message_has_body(const struct sieve_message *m)
{
	return m->has_body;
}
