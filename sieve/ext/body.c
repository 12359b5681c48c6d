/*
 * body.c -- RFC 5173 "body": the body test.
 *
 *   body [COMPARATOR] [MATCH-TYPE] [:raw / :content <types> / :text] <keys>
 *
 * Implementation: full.
 *   :raw      the undecoded body after the empty line as one value;
 *   :content  each MIME part whose type matches one of the strings
 *             (5.2 rules in mime.c): a leaf part's content decoded from
 *             its transfer encoding, text/ * also from its charset to
 *             UTF-8; a multipart's prologue and epilogue (two values); a
 *             message/rfc822's enclosed header as one value. The walk
 *             descends into every multipart and message/rfc822 part;
 *   :text     (the default) every text/ * leaf part decoded as above,
 *             text/html and application/xhtml+xml converted to plain text
 *             (libxml2), other types skipped.
 * A message that is all header (no empty line) has no body: every body
 * test is false, even against "". A part without its empty line is left
 * out the same way. The body test never sets match variables (5, "Note
 * that the body test does not set match variables"), so ${N} keep the
 * values of the last test that did.
 *
 * Bounds: the MIME tree and the decoded size of each part are limited as
 * mime.h says (SIEVE_MIME_MAX_*); a part decoded beyond the limit is
 * matched on its first SIEVE_MIME_MAX_DECODED octets. The tree and the
 * decoded parts are cached for the run, per message (the testsuite swaps
 * messages in one run).
 */
#include "compile.h"

#include <string.h>
#include <strings.h>

#include "arena.h"
#include "message.h"
#include "mime.h"

#define OPT_RAW (SIEVE_OPT_CMD + 0)
#define OPT_CONTENT (SIEVE_OPT_CMD + 1)
#define OPT_TEXT (SIEVE_OPT_CMD + 2)

extern const struct sieve_ext_def sieve_ext_body;

/* Decoded forms of one part, computed on first use. */
struct part_cache {
	struct sieve_mime_part *part;
	bool have_content, have_text;
	const char *content, *text;
	size_t content_len, text_len;
};

struct body_state {
	const struct sieve_message *msg;	/* what the cache is for */
	const char *data;
	size_t len;
	struct part_cache *parts;		/* depth-first order */
	size_t nparts;
};

static void *
body_run_init(struct sieve_interp *ip)
{
	return arena_zalloc(ip->arena, sizeof(struct body_state));
}

/* The part tree of the current message, parsed once per message. */
static struct body_state *
body_state(struct sieve_interp *ip)
{
	struct body_state *st = sieve_interp_ext_state(ip, &sieve_ext_body);
	const char *data;
	size_t len, n = 0;
	struct sieve_mime_part *root, *p;

	data = sieve_message_data(ip->env->msg, &len);
	if (st->parts && st->msg == ip->env->msg && st->data == data &&
	    st->len == len)
		return st;
	root = sieve_mime_parse(ip->arena, data, len, NULL);
	if (root->truncated)
		sieve_trace(ip, "body: MIME structure too deep or too many "
			    "parts; the rest is read unsplit");
	for (p = root; p; p = sieve_mime_next(p))
		n++;
	st->parts = arena_zalloc(ip->arena, n * sizeof(*st->parts));
	st->nparts = n;
	for (n = 0, p = root; p; p = sieve_mime_next(p))
		st->parts[n++].part = p;
	st->msg = ip->env->msg;
	st->data = data;
	st->len = len;
	return st;
}

static void
decoded(struct sieve_interp *ip, struct part_cache *c)
{
	bool cut;

	if (c->have_content)
		return;
	c->content = sieve_mime_decode(ip->arena, c->part, true,
				       SIEVE_MIME_MAX_DECODED,
				       &c->content_len, &cut);
	c->have_content = true;
	if (cut)
		sieve_trace(ip, "body: a %s/%s part is matched on its first "
			    "%u octets", c->part->type, c->part->subtype,
			    (unsigned)SIEVE_MIME_MAX_DECODED);
}

static bool
is_html(const struct sieve_mime_part *p)
{
	return (strcmp(p->type, "text") == 0 &&
		strcmp(p->subtype, "html") == 0) ||
		(strcmp(p->type, "application") == 0 &&
		 strcmp(p->subtype, "xhtml+xml") == 0);
}

/* A part the walk descended into: its own content is not a leaf's. */
static bool
is_container(const struct sieve_mime_part *p)
{
	return strcmp(p->type, "multipart") == 0 || p->children != NULL;
}

static bool
wanted(const struct sieve_mime_part *p, const struct sieve_str *types,
       size_t ntypes)
{
	size_t i;

	for (i = 0; i < ntypes; i++)
		if (sieve_mime_type_match(p, types[i].p, types[i].len))
			return true;
	return false;
}

/* Feeds the :content values of one part; returns the matcher's result. */
static int
feed_content(struct sieve_interp *ip, struct sieve_matcher *m,
	     struct part_cache *c)
{
	struct sieve_mime_part *p = c->part;
	int r = 0;

	if (strcmp(p->type, "multipart") == 0) {
		if (p->has_prologue)
			r = sieve_matcher_value(m, p->prologue,
						p->prologue_len);
		if (r == 0 && p->has_epilogue)
			r = sieve_matcher_value(m, p->epilogue,
						p->epilogue_len);
		return r;
	}
	if (p->children != NULL)	/* message/rfc822: enclosed header */
		return sieve_matcher_value(m, p->children->header_raw,
					   p->children->header_len);
	decoded(ip, c);
	return sieve_matcher_value(m, c->content, c->content_len);
}

static int
feed_text(struct sieve_interp *ip, struct sieve_matcher *m,
	  struct part_cache *c)
{
	struct sieve_mime_part *p = c->part;

	if (is_container(p) ||
	    (strcmp(p->type, "text") != 0 && !is_html(p)))
		return 0;
	if (!c->have_text) {
		decoded(ip, c);
		if (is_html(p) && c->content_len > 0) {
			c->text = sieve_html_to_text(ip->arena, c->content,
						     c->content_len,
						     SIEVE_MIME_MAX_DECODED,
						     &c->text_len);
		} else {
			c->text = c->content;
			c->text_len = c->content_len;
		}
		c->have_text = true;
	}
	return sieve_matcher_value(m, c->text, c->text_len);
}

static int
op_body(struct sieve_interp *ip)
{
	struct sieve_opts o;
	struct sieve_str *keys, *types = NULL;
	size_t nkeys, ntypes = 0, i;
	struct sieve_matcher m;
	struct body_state *st;
	const char *how;
	bool mv_on = ip->match_values_on;
	int r = 0;

	if ((r = sieve_read_opts(ip, &o)) < 0 ||
	    (r = sieve_read_strlist(ip, &keys, &nkeys)) < 0)
		return r;
	if ((o.present & (1ull << OPT_CONTENT)) &&
	    (r = sieve_operand_strlist(ip, &o.opt[OPT_CONTENT], &types,
				       &ntypes)) < 0)
		return r;
	/* RFC 5173 5: the body test does not set match variables */
	ip->match_values_on = false;
	sieve_matcher_init(&m, ip, &o, keys, nkeys);
	if (ip->env->msg == NULL ||
	    !sieve_message_has_body(ip->env->msg)) {
		how = "no body";
	} else if (o.present & (1ull << OPT_RAW)) {
		const char *b;
		size_t blen;

		how = ":raw";
		b = sieve_message_body(ip->env->msg, &blen);
		r = sieve_matcher_value(&m, b, blen);
	} else {
		bool content = (o.present & (1ull << OPT_CONTENT)) != 0;

		how = content ? ":content" : ":text";
		st = body_state(ip);
		for (i = 0; i < st->nparts && r == 0; i++) {
			struct part_cache *c = &st->parts[i];

			if (!c->part->has_body)
				continue;
			if (!content)
				r = feed_text(ip, &m, c);
			else if (wanted(c->part, types, ntypes))
				r = feed_content(ip, &m, c);
		}
	}
	r = sieve_matcher_conclude(&m, r);
	ip->match_values_on = mv_on;
	if (r < 0)
		return r;
	sieve_trace(ip, "body test (%s): %s", how, ip->reg ? "true" : "false");
	return 0;
}

static const struct sieve_op_def body_ops[] = {
	{ "BODY", "ox", op_body },
};

static const struct sieve_tag_def body_tags[] = {
	{ .name = "raw", .code = OPT_RAW, .group = 1 },
	{ .name = "content", .param = 'l', .code = OPT_CONTENT, .group = 1 },
	{ .name = "text", .code = OPT_TEXT, .group = 1 },
	{ .name = NULL },
};

static const struct sieve_cmd_def tst_body = {
	.name = "body", .kind = SIEVE_TEST, .args = "l",
	.argnames = (const char *const[]){ "key list", NULL },
	.tags = body_tags,
	.flags = SIEVE_CMDF_MATCH, .op = 0,
};

const struct sieve_ext_def sieve_ext_body = {
	.name = "body",
	.cmds = (const struct sieve_cmd_def *const[]){ &tst_body, NULL },
	SIEVE_OPS(body_ops),
	.run_init = body_run_init,
};
