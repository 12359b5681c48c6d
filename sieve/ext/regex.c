/*
 * regex.c -- the "regex" extension (draft-murchison-sieve-regex-07): the
 * :regex match type for every test that takes a match type (header,
 * address, envelope, string, ...), with the match variables ${0}..${N} of
 * the variables extension (${0} the whole match, ${n} the n-th group).
 *
 * Behaviour follows Pigeonhole, which uses POSIX regcomp(REG_EXTENDED):
 * - comparators: i;ascii-casemap (the default) matches caseless on ASCII
 *   letters only, i;octet exactly; any other comparator is a compile-time
 *   error. Matching is byte-wise: '.' is one octet, not one UTF-8
 *   character, as with glibc in the C locale Dovecot runs in.
 * - constant keys are compiled while the script is validated, and a bad
 *   one is an error there; a key built from variables that turns out bad
 *   is a runtime error that makes the key match nothing (the script goes
 *   on, as Pigeonhole does).
 * - a successful match sets the match values (groups that took no part are
 *   empty); a failed one leaves the previous values alone.
 *
 * The engine is PCRE2 (byte mode, no JIT). Patterns are first rewritten
 * so that they mean what they mean in POSIX ERE:
 * - PCRE2_DOTALL and PCRE2_DOLLAR_ENDONLY: '.' matches a newline, '^' and
 *   '$' only anchor at the ends of the value (no REG_NEWLINE).
 * - in a bracket expression a backslash is an ordinary character
 *   ("[\.]" is backslash or dot); "[:alpha:]" classes work as in POSIX,
 *   "[.x.]" and "[=x=]" are refused (PCRE2 has no collating elements).
 * - the GNU escapes \< \> (word start/end), \` and \' (value start/end)
 *   are translated; "(?" and "(*" (PCRE2 syntax that is an error in ERE)
 *   are refused, and so are UTF and UCP mode switches.
 * What stays different: when several matches start at the same place,
 *   POSIX takes the longest and PCRE2 the first alternative, which only
 *   changes the match values ("(a|ab)" on "ab": ${1} is "a", not "ab");
 *   a quantifier right after another ("a*?", "a++") is PCRE2's lazy or
 *   possessive form; PCRE2 escapes such as \d and \h are accepted.
 *
 * Resources: each compiled pattern is kept for the rest of the run (one
 * compile per distinct key and case mode, not one per value), and every
 * match runs under a match limit, a backtracking depth limit and a heap
 * limit, so a hostile pattern like "(a+)+$" ends with a runtime error
 * (SIEVE_EXEC_LIMIT: the implicit keep applies) instead of running for
 * hours.
 */

#include "compile.h"
#include "pcre.h"

#include <string.h>

#include "arena.h"
#include "buf.h"
#include "compare.h"

/* Per match of one value against one pattern. */
#define REGEX_MATCH_LIMIT 1000000	/* backtracking steps */
#define REGEX_DEPTH_LIMIT 20000		/* nested backtracking points */
#define REGEX_HEAP_LIMIT 16384		/* KiB for backtracking frames */
#define REGEX_BUCKETS 64
#define REGEX_SHOWN 128			/* pattern octets in a message */

extern const struct sieve_ext_def sieve_ext_regex;

/* ---- POSIX ERE to PCRE2 ------------------------------------------------- */

/*
 * Rewrites the ERE pattern p into PCRE2 syntax in out. Returns NULL, or
 * an error message for what POSIX does not accept and PCRE2 would.
 */
static const char *
ere_to_pcre(const char *p, size_t len, struct buf *out)
{
	size_t i = 0;

	while (i < len) {
		char c = p[i];

		if (c == '\\' && i + 1 < len) {
			switch (p[i + 1]) {
			case '<':
				buf_puts(out, "\\b(?=\\w)");
				break;
			case '>':
				buf_puts(out, "\\b(?<=\\w)");
				break;
			case '`':
				buf_puts(out, "\\A");
				break;
			case '\'':
				buf_puts(out, "\\z");
				break;
			default:
				buf_append(out, p + i, 2);
			}
			i += 2;
			continue;
		}
		if (c == '(' && i + 1 < len && (p[i + 1] == '?' ||
						p[i + 1] == '*'))
			return "invalid preceding regular expression";
		if (c != '[') {
			buf_putc(out, c);
			i++;
			continue;
		}
		/* a bracket expression: '^', then ']' may come first */
		buf_putc(out, '[');
		i++;
		if (i < len && p[i] == '^')
			buf_putc(out, p[i++]);
		if (i < len && p[i] == ']') {
			buf_puts(out, "\\]");
			i++;
		}
		while (i < len && p[i] != ']') {
			if (p[i] == '[' && i + 1 < len &&
			    (p[i + 1] == ':' || p[i + 1] == '.' ||
			     p[i + 1] == '=')) {
				char kind = p[i + 1];
				size_t k = i + 2;

				while (k + 1 < len &&
				       !(p[k] == kind && p[k + 1] == ']'))
					k++;
				if (k + 1 >= len)
					return "unmatched [, [^, [:, [., or [=";
				if (kind != ':')
					return "invalid collation character";
				buf_append(out, p + i, k + 2 - i);
				i = k + 2;
				continue;
			}
			if (p[i] == '\\')
				buf_putc(out, '\\');
			buf_putc(out, p[i++]);
		}
		if (i >= len)
			return "unmatched [, [^, [:, [., or [=";
		buf_putc(out, p[i++]);
	}
	return NULL;
}

/*
 * Compiles pattern p; on failure returns NULL and sets *err to a message
 * (in arena a).
 */
static pcre2_code *
regex_compile(struct arena *a, const char *p, size_t len, bool caseless,
	      const char **err)
{
	struct buf b = BUF_INIT;
	pcre2_code *code = NULL;
	uint32_t opts = PCRE2_DOTALL | PCRE2_DOLLAR_ENDONLY | PCRE2_NEVER_UTF |
			PCRE2_NEVER_UCP | PCRE2_NEVER_BACKSLASH_C;
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off;
	int ecode;

	if (caseless)
		opts |= PCRE2_CASELESS;
	if (!sieve_pcre2_load()) {
		*err = arena_printf(a, "regular expressions unavailable: %s",
				    sieve_pcre2_error());
		return NULL;
	}
	*err = ere_to_pcre(p, len, &b);
	if (*err == NULL) {
		code = pcre2_compile((PCRE2_SPTR)(b.data ? b.data : ""),
				     b.len, opts, &ecode, &off, NULL);
		if (code == NULL) {
			pcre2_get_error_message(ecode, msg, sizeof(msg));
			*err = arena_strdup(a, (const char *)msg);
		}
	}
	buf_free(&b);
	return code;
}

/* The pattern as it appears in messages: cut, and only printable. */
static const char *
shown(struct arena *a, const char *p, size_t len)
{
	struct buf b = BUF_INIT;
	const char *r;
	size_t i, n = len > REGEX_SHOWN ? REGEX_SHOWN : len;

	for (i = 0; i < n; i++)
		buf_putc(&b, (unsigned char)p[i] < 0x20 || p[i] == 0x7f ?
			 '?' : p[i]);
	if (n < len)
		buf_puts(&b, "...");
	r = arena_strndup(a, b.data ? b.data : "", b.len);
	buf_free(&b);
	return r;
}

/* ---- compile time -------------------------------------------------------- */

static bool
check_key(struct sieve_validator *v, struct sieve_ast_string *k,
	  struct sieve_pos pos, bool caseless)
{
	struct arena *a = sieve_v_arena(v);
	const char *err;
	pcre2_code *code;

	code = regex_compile(a, k->str, k->len, caseless, &err);
	if (code != NULL) {
		pcre2_code_free(code);
		return true;
	}
	sieve_v_error(v, pos, "invalid regular expression '%s' for regex "
		      "match: %s", shown(a, k->str, k->len), err);
	return false;
}

/*
 * The comparator must be i;octet or i;ascii-casemap; the constant keys
 * (the last positional argument of every test with a match type) must
 * compile. Keys holding variables wait for the run.
 */
static bool
regex_validate(struct sieve_validator *v, struct sieve_cmd *c)
{
	const struct sieve_comparator *cmp = c->comparator ?
		c->comparator->comparator : &sieve_cmp_ascii_casemap;
	struct sieve_ast_arg *keys;
	bool caseless = cmp == &sieve_cmp_ascii_casemap, ok = true;
	size_t i;

	if (cmp != &sieve_cmp_octet && !caseless) {
		sieve_v_error(v, c->node->pos, "regex match type only supports "
			      "i;octet and i;ascii-casemap comparators");
		return false;
	}
	if (c->npos == 0)
		return true;
	keys = c->pos[c->npos - 1];
	if (keys->type == SIEVE_ARG_STRING) {
		if (sieve_v_arg_constant(v, keys))
			ok = check_key(v, &keys->u.str, keys->pos, caseless);
	} else if (keys->type == SIEVE_ARG_STRLIST) {
		for (i = 0; i < keys->u.list.count; i++) {
			struct sieve_ast_string *k = &keys->u.list.items[i];

			if (v->variables &&
			    memmem(k->str, k->len, "${", 2) != NULL)
				continue;
			if (!check_key(v, k, keys->pos, caseless))
				ok = false;
		}
	}
	return ok;
}

/* ---- run time: the compiled-pattern cache --------------------------------- */

struct regex_entry {
	struct regex_entry *next;
	uint32_t hash;
	bool caseless;
	const char *pat;
	size_t len;
	pcre2_code *code;	/* NULL: did not compile (reported once) */
};

struct regex_state {
	struct regex_entry *bucket[REGEX_BUCKETS];
	pcre2_match_context *mctx;
	pcre2_match_data *md;
	unsigned compiled;	/* for the trace */
};

static uint32_t
hash_pattern(const char *p, size_t len, bool caseless)
{
	uint32_t h = caseless ? 2166136261u : 2166136262u;	/* FNV-1a */

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)p[i];
		h *= 16777619u;
	}
	return h;
}

static void *
regex_run_init(struct sieve_interp *ip)
{
	return arena_zalloc(ip->arena, sizeof(struct regex_state));
}

static void
regex_run_free(struct sieve_interp *ip, void *state)
{
	struct regex_state *st = state;

	if (st == NULL)
		return;
	for (unsigned b = 0; b < REGEX_BUCKETS; b++)
		for (struct regex_entry *e = st->bucket[b]; e; e = e->next)
			pcre2_code_free(e->code);
	pcre2_match_data_free(st->md);
	pcre2_match_context_free(st->mctx);
}

/* The compiled form of key: from the cache, or compiled now (once). */
static struct regex_entry *
regex_get(struct sieve_interp *ip, struct regex_state *st, const char *key,
	  size_t klen, bool caseless)
{
	uint32_t h = hash_pattern(key, klen, caseless);
	struct regex_entry **slot = &st->bucket[h % REGEX_BUCKETS], *e;
	const char *err;

	for (e = *slot; e; e = e->next)
		if (e->hash == h && e->caseless == caseless &&
		    e->len == klen && memcmp(e->pat, key, klen) == 0)
			return e;
	e = arena_zalloc(ip->arena, sizeof(*e));
	e->hash = h;
	e->caseless = caseless;
	e->pat = arena_memdup(ip->arena, key, klen);
	e->len = klen;
	e->code = regex_compile(ip->arena, key, klen, caseless, &err);
	e->next = *slot;
	*slot = e;
	if (e->code == NULL) {
		sieve_runtime_error(ip, "invalid regular expression '%s' for "
				    "regex match: %s",
				    shown(ip->arena, key, klen), err);
		return e;
	}
	st->compiled++;
	if (ip->trace)
		sieve_trace(ip, "  regex '%s' compiled (%u in this run)",
			    shown(ip->arena, key, klen), st->compiled);
	return e;
}

/* Copies the groups of the last match into the match values. */
static void
set_match_values(struct sieve_interp *ip, struct regex_state *st,
		 const char *v, int rc)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(st->md);
	unsigned n = rc > 0 ? (unsigned)rc :
		     pcre2_get_ovector_count(st->md);
	unsigned i, max = sizeof(ip->match_values) /
			  sizeof(ip->match_values[0]);

	if (n > max)
		n = max;
	for (i = 0; i < n; i++) {
		struct sieve_str *mv = &ip->match_values[i];

		if (ov[2 * i] == PCRE2_UNSET) {
			mv->p = "";
			mv->len = 0;
			continue;
		}
		mv->len = ov[2 * i + 1] - ov[2 * i];
		mv->p = arena_strndup(ip->arena, v + ov[2 * i], mv->len);
	}
	ip->match_count = n;
}

static int
mt_regex(struct sieve_matcher *m, const char *v, size_t vlen, const char *k,
	 size_t klen)
{
	struct sieve_interp *ip = m->ip;
	struct regex_state *st = sieve_interp_ext_state(ip, &sieve_ext_regex);
	bool caseless = m->cmp == &sieve_cmp_ascii_casemap;
	struct regex_entry *e;
	PCRE2_UCHAR msg[256];
	int rc;

	if (st == NULL)
		return SIEVE_EXEC_CORRUPT;
	if (!caseless && m->cmp != &sieve_cmp_octet) {
		sieve_runtime_error(ip, "regex match type only supports "
				    "i;octet and i;ascii-casemap comparators");
		return SIEVE_EXEC_FAILURE;
	}
	if (st->md == NULL) {
		if (!sieve_pcre2_load()) {
			sieve_runtime_error(ip, "regex match: %s",
					    sieve_pcre2_error());
			return SIEVE_EXEC_TEMPFAIL;
		}
		st->mctx = pcre2_match_context_create(NULL);
		st->md = pcre2_match_data_create(
			sizeof(ip->match_values) / sizeof(ip->match_values[0]),
			NULL);
		if (st->mctx == NULL || st->md == NULL) {
			sieve_runtime_error(ip, "regex match: out of memory");
			return SIEVE_EXEC_TEMPFAIL;
		}
		pcre2_set_match_limit(st->mctx, REGEX_MATCH_LIMIT);
		pcre2_set_depth_limit(st->mctx, REGEX_DEPTH_LIMIT);
		pcre2_set_heap_limit(st->mctx, REGEX_HEAP_LIMIT);
	}
	e = regex_get(ip, st, k ? k : "", klen, caseless);
	if (e->code == NULL)
		return 0;
	rc = pcre2_match(e->code, (PCRE2_SPTR)(v ? v : ""), vlen, 0, 0,
			 st->md, st->mctx);
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc < 0) {
		pcre2_get_error_message(rc, msg, sizeof(msg));
		sieve_runtime_error(ip, "regex match of '%s' gave up: %s",
				    shown(ip->arena, k, klen), msg);
		return rc == PCRE2_ERROR_MATCHLIMIT ||
		       rc == PCRE2_ERROR_DEPTHLIMIT ||
		       rc == PCRE2_ERROR_HEAPLIMIT ? SIEVE_EXEC_LIMIT :
		       SIEVE_EXEC_FAILURE;
	}
	if (ip->match_values_on)
		set_match_values(ip, st, v ? v : "", rc);
	return 1;
}

static const struct sieve_object_def obj_regex = {
	.name = "regex", .cls = SIEVE_OBJ_MATCH_TYPE,
	.validate = regex_validate, .match = mt_regex,
};

const struct sieve_ext_def sieve_ext_regex = {
	.name = "regex",
	.objects = (const struct sieve_object_def *const[]){ &obj_regex,
							     NULL },
	.run_init = regex_run_init,
	.run_free = regex_run_free,
};
