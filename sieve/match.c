/*
 * match.c -- :is, :contains and :matches (RFC 5228 2.7.1) under a
 * comparator, and the match values of :matches (RFC 5229 3.2).
 *
 * Byte-wise comparators (i;octet, i;ascii-casemap) are matched in place
 * through their fold table, without allocating: this code runs for every
 * header test of every message. Comparators that normalize
 * (i;unicode-casemap) are matched as octets on normalized copies, except
 * when both sides are pure ASCII and the comparator says that normalizing
 * ASCII is the same as the ASCII case fold (SIEVE_CMP_ASCII_FAST).
 *
 * The glob matcher works segment by segment (a segment is the part of the
 * key between runs of '*') and remembers, for each run of stars, the
 * smallest value offset from which the rest of the key is known not to
 * match. Each (segment, offset) pair is then tried at most once, so the
 * worst case is O(vlen * klen) rather than exponential, and the first
 * success found is the one where every wildcard is as short as possible,
 * left to right (RFC 5229 3.2).
 */
#include "match.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"

#define NOMATCH ((size_t)-1)
#define GROUPS_ON_STACK 16

static const unsigned char identity_fold[256] = {
#define R8(b) (b), (b) + 1, (b) + 2, (b) + 3, (b) + 4, (b) + 5, (b) + 6, (b) + 7
#define R32(b) R8(b), R8((b) + 8), R8((b) + 16), R8((b) + 24)
	R32(0x00), R32(0x20), R32(0x40), R32(0x60),
	R32(0x80), R32(0xA0), R32(0xC0), R32(0xE0),
#undef R32
#undef R8
};

/* True when no octet of s has the high bit set; 8 octets at a time. */
static bool
is_ascii(const char *s, size_t len)
{
	uint64_t acc = 0, w;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		memcpy(&w, s + i, 8);
		acc |= w;
	}
	for (; i < len; i++)
		acc |= (unsigned char)s[i];
	return (acc & 0x8080808080808080ULL) == 0;
}

static bool
fold_equal(const unsigned char *f, const char *a, const char *b, size_t n)
{
	const unsigned char *ua = (const unsigned char *)a;
	const unsigned char *ub = (const unsigned char *)b;

	for (size_t i = 0; i < n; i++) {
		if (f[ua[i]] != f[ub[i]])
			return false;
	}
	return true;
}

/*
 * Comparators that work octet by octet can only call two strings equal
 * when they have the same length, which rejects most candidates before
 * looking at a byte. The others (numeric, normalizing) use compare().
 */
bool
sieve_match_is(const struct sieve_comparator *cmp, const char *val,
	       size_t vlen, const char *key, size_t klen)
{
	if (cmp->normalize == NULL && (cmp->flags & SIEVE_CMP_SUBSTRING)) {
		if (vlen != klen)
			return false;
		if (vlen == 0)
			return true;
		if (cmp->fold == NULL)
			return memcmp(val, key, vlen) == 0;
		return fold_equal(cmp->fold, val, key, vlen);
	}
	return cmp->compare(val ? val : "", vlen, key ? key : "", klen) == 0;
}

/*
 * Substring search with the fold applied on the fly (no folded copies).
 * i;octet goes to memmem, which is sublinear on typical input.
 */
static bool
find_folded(const unsigned char *f, const char *val, size_t vlen,
	    const char *key, size_t klen)
{
	const unsigned char *v = (const unsigned char *)val;
	const unsigned char *k = (const unsigned char *)key;
	unsigned char first;

	if (klen == 0)
		return true;
	if (klen > vlen)
		return false;
	if (f == NULL)
		return memmem(val, vlen, key, klen) != NULL;
	first = f[k[0]];
	for (size_t i = 0, last = vlen - klen; i <= last; i++) {
		size_t j = 1;

		if (f[v[i]] != first)
			continue;
		while (j < klen && f[v[i + j]] == f[k[j]])
			j++;
		if (j == klen)
			return true;
	}
	return false;
}

static struct arena *
temp_arena(size_t vlen, size_t klen)
{
	size_t size = 2 * (vlen + klen) + 256;

	return arena_new(size < 65536 ? size : 65536);
}

bool
sieve_match_contains_ex(const struct sieve_comparator *cmp,
			const char *val, size_t vlen, const char *key,
			size_t klen, struct arena *scratch)
{
	struct arena *own = NULL, *a = scratch;
	const char *nv, *nk;
	size_t nvlen, nklen;
	bool r;

	if (!(cmp->flags & SIEVE_CMP_SUBSTRING))
		return false;
	if (klen == 0)
		return true;
	if (cmp->normalize == NULL)
		return find_folded(cmp->fold, val, vlen, key, klen);
	if ((cmp->flags & SIEVE_CMP_ASCII_FAST) && is_ascii(val, vlen) &&
	    is_ascii(key, klen))
		return find_folded(sieve_ascii_casemap_fold, val, vlen, key,
				   klen);
	if (a == NULL)
		a = own = temp_arena(vlen, klen);
	nv = cmp->normalize(a, val ? val : "", vlen, &nvlen);
	nk = cmp->normalize(a, key, klen, &nklen);
	r = find_folded(NULL, nv, nvlen, nk, nklen);
	arena_free(own);
	return r;
}

bool
sieve_match_contains(const struct sieve_comparator *cmp, const char *val,
		     size_t vlen, const char *key, size_t klen)
{
	return sieve_match_contains_ex(cmp, val, vlen, key, klen, NULL);
}

/* ---- glob matching ---------------------------------------------------- */

struct glob {
	const unsigned char *v;
	size_t vlen;
	const unsigned char *k;
	size_t klen;
	const unsigned char *fold;	/* never NULL */
};

/* A run of stars and the segment that follows it in the key. */
struct group {
	size_t kstart, kend;	/* the segment: key[kstart..kend) */
	unsigned nstars;
	bool fixed;		/* no '?': the segment is fixlen octets */
	size_t fixlen;
	size_t minlen;		/* octets it takes at least (one per token) */
	int first;		/* its first literal octet, folded; or -1 */
	size_t from;		/* where the stars start in the value */
	size_t at;		/* where the segment is being tried */
	size_t fail;		/* the rest fails from any offset >= fail */
};

/* Octets that '?' takes at v[p]: one UTF-8 character if well-formed. */
static size_t
char_len(const struct glob *g, size_t p)
{
	size_t n;

	if (g->v[p] < 0x80)
		return 1;
	n = sieve_utf8_decode((const char *)g->v + p, g->vlen - p, NULL);
	return n ? n : 1;
}

/*
 * Matches key[ks..ke) (no unescaped '*' inside) at value offset p; returns
 * the offset after it, or NOMATCH. Everything in a segment matches a fixed
 * length at a given offset, so there is no choice to remember here.
 */
static size_t
seg_match(const struct glob *g, size_t ks, size_t ke, size_t p)
{
	for (size_t i = ks; i < ke; i++) {
		unsigned char c = g->k[i];

		if (p >= g->vlen)
			return NOMATCH;
		if (c == '?') {
			p += char_len(g, p);
			continue;
		}
		if (c == '\\' && i + 1 < g->klen)
			c = g->k[++i];
		if (g->fold[g->v[p]] != g->fold[c])
			return NOMATCH;
		p++;
	}
	return p;
}

/*
 * Splits the key: returns the end of segment 0 and fills grp[0..cap) with
 * the star runs; *ngroups counts all the runs (when it is more than cap,
 * the caller needs a bigger array and a second call).
 */
static size_t
parse_key(const struct glob *g, struct group *grp, size_t cap,
	  size_t *ngroups)
{
	size_t seg0_end = g->klen, ng = 0, i = 0;
	struct group *cur = NULL;

	while (i < g->klen) {
		unsigned char c = g->k[i];

		if (c != '*') {
			bool esc = c == '\\' && i + 1 < g->klen;

			if (cur && cur->minlen == 0 && c != '?')
				cur->first = g->fold[g->k[esc ? i + 1 : i]];
			if (cur) {
				if (c == '?')
					cur->fixed = false;
				else
					cur->fixlen++;
				cur->minlen++;
			}
			i += esc ? 2 : 1;
			continue;
		}
		if (ng == 0)
			seg0_end = i;
		else if (cur)
			cur->kend = i;
		cur = ng < cap ? &grp[ng] : NULL;
		ng++;
		if (cur) {
			cur->nstars = 0;
			cur->fixed = true;
			cur->fixlen = 0;
			cur->minlen = 0;
			cur->first = -1;
		}
		while (i < g->klen && g->k[i] == '*') {
			if (cur)
				cur->nstars++;
			i++;
		}
		if (cur) {
			cur->kstart = i;
			cur->kend = g->klen;
		}
	}
	*ngroups = ng;
	return seg0_end;
}

/*
 * Finds the match where every wildcard is as short as possible, left to
 * right: each star run tries its segment at increasing offsets, and only
 * when the rest of the key cannot match from there moves on. grp[k].fail
 * is the smallest offset from which star run k is known to fail (failure
 * from p implies failure from anything after p, since a star can always
 * absorb more), so no offset is tried twice for a run. The last segment
 * must end the value; when it has a fixed length only one offset can work.
 */
static bool
glob_search(const struct glob *g, struct group *grp, size_t ng,
	    size_t seg0_end)
{
	size_t e = seg_match(g, 0, seg0_end, 0);
	size_t k = 0;

	if (e == NOMATCH)
		return false;
	if (ng == 0)
		return e == g->vlen;
	for (size_t i = 0; i < ng; i++)
		grp[i].fail = g->vlen + 1;
	grp[0].from = grp[0].at = e;
	for (;;) {
		struct group *s = &grp[k];
		bool last = k + 1 == ng, down = false;
		size_t lim;

		if (last && s->fixed) {
			if (s->fixlen <= g->vlen - s->from) {
				size_t p = g->vlen - s->fixlen;

				if (p < s->fail &&
				    seg_match(g, s->kstart, s->kend, p) ==
				    g->vlen) {
					s->at = p;
					return true;
				}
			}
			s->at = g->vlen + 1;
		}
		/* the segment cannot start at lim or later */
		lim = s->fail;
		if (s->minlen > g->vlen)
			lim = 0;
		else if (g->vlen - s->minlen + 1 < lim)
			lim = g->vlen - s->minlen + 1;
		while (s->at < lim) {
			size_t end;

			if (s->first >= 0) {
				while (s->at < lim &&
				       g->fold[g->v[s->at]] != s->first)
					s->at++;
				if (s->at >= lim)
					break;
			}
			end = seg_match(g, s->kstart, s->kend, s->at);

			if (end != NOMATCH) {
				if (last) {
					if (end == g->vlen)
						return true;
				} else if (end < grp[k + 1].fail) {
					k++;
					grp[k].from = grp[k].at = end;
					down = true;
					break;
				}
			}
			s->at++;
		}
		if (down)
			continue;
		if (s->from < s->fail)
			s->fail = s->from;
		if (k == 0)
			return false;
		k--;
		grp[k].at++;
	}
}

static void
put_value(struct sieve_match_values *mv, unsigned *idx, const char *base,
	  size_t off, size_t len)
{
	if (*idx < SIEVE_MATCH_VALUES_MAX) {
		mv->v[*idx].p = base + off;
		mv->v[*idx].len = len;
	}
	(*idx)++;
}

/* Records what each '?' of key[ks..ke), matched from offset p, took. */
static void
record_segment(const struct glob *g, size_t ks, size_t ke, size_t p,
	       struct sieve_match_values *mv, unsigned *idx)
{
	for (size_t i = ks; i < ke; i++) {
		if (g->k[i] == '?') {
			size_t n = char_len(g, p);

			put_value(mv, idx, (const char *)g->v, p, n);
			p += n;
			continue;
		}
		if (g->k[i] == '\\' && i + 1 < g->klen)
			i++;
		p++;
	}
}

/* After a successful search, fills mv in key order. */
static void
record_values(const struct glob *g, const struct group *grp, size_t ng,
	      size_t seg0_end, struct sieve_match_values *mv)
{
	const char *base = (const char *)g->v;
	unsigned idx = 1;

	mv->v[0].p = base;
	mv->v[0].len = g->vlen;
	record_segment(g, 0, seg0_end, 0, mv, &idx);
	for (size_t k = 0; k < ng; k++) {
		const struct group *s = &grp[k];

		for (unsigned i = 1; i < s->nstars; i++)
			put_value(mv, &idx, base, s->from, 0);
		put_value(mv, &idx, base, s->from, s->at - s->from);
		record_segment(g, s->kstart, s->kend, s->at, mv, &idx);
	}
	mv->count = idx < SIEVE_MATCH_VALUES_MAX ? idx :
		    SIEVE_MATCH_VALUES_MAX;
}

/* The glob match proper, with fold NULL meaning i;octet. */
static bool
glob_match(const unsigned char *fold, const char *val, size_t vlen,
	   const char *key, size_t klen, struct sieve_match_values *mv)
{
	struct group stack_grp[GROUPS_ON_STACK], *grp = stack_grp;
	struct glob g = {
		.v = (const unsigned char *)(val ? val : ""),
		.vlen = vlen,
		.k = (const unsigned char *)(key ? key : ""),
		.klen = klen,
		.fold = fold ? fold : identity_fold,
	};
	size_t ng, seg0_end;
	bool r;

	seg0_end = parse_key(&g, grp, GROUPS_ON_STACK, &ng);
	if (ng > GROUPS_ON_STACK) {
		grp = xmalloc(ng * sizeof(*grp));
		parse_key(&g, grp, ng, &ng);
	}
	r = glob_search(&g, grp, ng, seg0_end);
	if (r && mv != NULL)
		record_values(&g, grp, ng, seg0_end, mv);
	if (grp != stack_grp)
		free(grp);
	return r;
}

/*
 * The key of a normalizing comparator: each run of literal characters is
 * normalized as a whole (a backslash escape only makes the next octet
 * literal) and the wildcards are kept. An octet of the normalized text
 * that is special to the glob (U+FF0A FULLWIDTH ASTERISK becomes '*') is
 * escaped, so normalizing never turns a literal into a wildcard. A key that
 * is not valid UTF-8 is not normalized at all (RFC 5051 step 1b).
 */
static const char *
normalize_key(const struct sieve_comparator *cmp, struct arena *a,
	      const char *key, size_t klen, size_t *outlen)
{
	struct buf out = BUF_INIT, run = BUF_INIT;
	const char *res;
	size_t i = 0;

	if (!sieve_utf8_valid(key, klen)) {
		*outlen = klen;
		return key;
	}
	for (;;) {
		char c = i < klen ? key[i] : '\0';

		if (i < klen && c != '*' && c != '?') {
			if (c == '\\' && i + 1 < klen)
				c = key[++i];
			buf_putc(&run, c);
			i++;
			continue;
		}
		if (run.len) {
			size_t n;
			const char *nr = cmp->normalize(a, run.data, run.len,
							&n);

			for (size_t j = 0; j < n; j++) {
				if (nr[j] == '*' || nr[j] == '?' ||
				    nr[j] == '\\')
					buf_putc(&out, '\\');
				buf_putc(&out, nr[j]);
			}
			buf_reset(&run);
		}
		if (i >= klen)
			break;
		buf_putc(&out, c);
		i++;
	}
	*outlen = out.len;
	res = out.len ? arena_memdup(a, out.data, out.len) : "";
	buf_free(&out);
	buf_free(&run);
	return res;
}

/*
 * A walk over the characters of the original value for map_back: the
 * character at val[vi .. vi + n) normalizes to nv[ni .. ni + m).
 */
struct walk {
	const struct sieve_comparator *cmp;
	struct arena *a;
	const char *val;
	size_t vlen, vi, ni, n, m;
};

/* Sizes the character at vi; false at the end of the value. */
static bool
walk_char(struct walk *w)
{
	if (w->vi >= w->vlen)
		return false;
	if (w->n == 0) {
		w->n = sieve_utf8_decode(w->val + w->vi, w->vlen - w->vi, NULL);
		if (w->n == 0)
			w->n = 1;
		w->cmp->normalize(w->a, w->val + w->vi, w->n, &w->m);
	}
	return true;
}

static void
walk_next(struct walk *w)
{
	w->vi += w->n;
	w->ni += w->m;
	w->n = 0;
}

/*
 * Maps match values found in the normalized value nv back onto val, for
 * sieve_match_matches, which has no arena to keep nv in. Normalization is
 * character by character, so walking val one character at a time and
 * adding up the lengths of the normalized characters relates the offsets.
 * A start inside the expansion of a character moves to that character's
 * start, an end inside it to its end. The values are in increasing order,
 * so one walk serves them all.
 */
static void
map_back(const struct sieve_comparator *cmp, struct arena *a,
	 const char *val, size_t vlen, const char *nv,
	 struct sieve_match_values *mv)
{
	struct walk w = { .cmp = cmp, .a = a, .val = val, .vlen = vlen };

	for (unsigned i = 1; i < mv->count; i++) {
		size_t s = (size_t)(mv->v[i].p - nv);
		size_t e = s + mv->v[i].len;
		size_t os, oe;

		while (walk_char(&w) && w.ni + w.m <= s)
			walk_next(&w);
		os = oe = w.vi;
		if (e > s) {
			while (walk_char(&w)) {
				oe = w.vi + w.n;
				if (w.ni + w.m >= e)
					break;
				walk_next(&w);
			}
		}
		mv->v[i].p = val + os;
		mv->v[i].len = oe - os;
	}
	mv->v[0].p = val;
	mv->v[0].len = vlen;
}

bool
sieve_match_matches_ex(const struct sieve_comparator *cmp,
		       const char *val, size_t vlen, const char *key,
		       size_t klen, struct sieve_match_values *mv,
		       struct arena *arena)
{
	struct arena *own = NULL, *a = arena;
	const char *nv, *nk;
	size_t nvlen, nklen;
	bool r;

	if (!(cmp->flags & SIEVE_CMP_SUBSTRING))
		return false;
	if (val == NULL)
		val = "";
	if (key == NULL)
		key = "";
	if (cmp->normalize == NULL)
		return glob_match(cmp->fold, val, vlen, key, klen, mv);
	/* Without an arena the values map back onto val anyway, and for
	 * pure ASCII that mapping is the identity. */
	if ((cmp->flags & SIEVE_CMP_ASCII_FAST) && (mv == NULL || !arena) &&
	    is_ascii(val, vlen) && is_ascii(key, klen))
		return glob_match(sieve_ascii_casemap_fold, val, vlen, key,
				  klen, mv);
	if (a == NULL)
		a = own = temp_arena(vlen, klen);
	nv = cmp->normalize(a, val, vlen, &nvlen);
	nk = normalize_key(cmp, a, key, klen, &nklen);
	r = glob_match(NULL, nv, nvlen, nk, nklen, mv);
	if (r && mv != NULL && own != NULL && nv != val)
		map_back(cmp, own, val, vlen, nv, mv);
	arena_free(own);
	return r;
}

bool
sieve_match_matches(const struct sieve_comparator *cmp, const char *val,
		    size_t vlen, const char *key, size_t klen,
		    struct sieve_match_values *mv)
{
	return sieve_match_matches_ex(cmp, val, vlen, key, klen, mv, NULL);
}
