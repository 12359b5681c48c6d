/*
 * parser.c -- lexer and recursive-descent parser for the Sieve grammar of
 * RFC 5228 section 8, producing the tree of ast.h.
 *
 * The lexer (2.1-2.4): identifiers (at most 32 characters, as
 * Pigeonhole), tags, numbers with K/M/G (overflow of 64 bits is an
 * error), quoted strings (backslash takes the next character literally),
 * multi-line text: strings (dot-unstuffed, CRLF line ends), # and / * * /
 * comments. A lexical error is reported and a usable token is still
 * returned, so parsing goes on and one run reports every error.
 *
 * The parser knows no command names. Recovery after a syntax error skips
 * to the next ';' or to the end of the current block. Nesting of blocks
 * and of tests is bounded (32 each by default) and the descent stops at
 * the limit, so hostile input cannot exhaust the stack; arguments per
 * command are bounded too.
 */
#include "ast.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "buf.h"

#define MAX_IDENTIFIER 32
#define MAX_ARGUMENTS 32

enum tok {
	T_EOF, T_IDENT, T_TAG, T_NUMBER, T_STRING, T_LBRACKET, T_RBRACKET,
	T_LPAREN, T_RPAREN, T_LBRACE, T_RBRACE, T_COMMA, T_SEMI, T_BAD,
};

struct parser {
	struct arena *a;
	struct sieve_diag *d;
	const struct sieve_parse_limits *lim;
	const char *src;
	size_t len, pos;
	unsigned line, col;
	/* current token */
	enum tok t;
	struct sieve_pos tpos;
	const char *text;	/* identifier/tag name, string value */
	size_t tlen;
	uint64_t num;
	bool multiline;
	bool fatal;
	unsigned block_depth, test_depth;
	unsigned long nodes;
	struct buf sb;		/* string building */
};

static void
perr(struct parser *p, struct sieve_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
perr(struct parser *p, struct sieve_pos pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sieve_vdiag(p->d, SIEVE_ERROR, pos, fmt, ap);
	va_end(ap);
}

static int
peekc(const struct parser *p, size_t off)
{
	return p->pos + off < p->len ? (unsigned char)p->src[p->pos + off] :
				       -1;
}

static void
advance(struct parser *p, size_t n)
{
	const char *s = p->src + p->pos, *end, *nl;

	if (n == 1 && p->pos < p->len) {
		if (*s == '\n') {
			p->line++;
			p->col = 1;
		} else {
			p->col++;
		}
		p->pos++;
		return;
	}
	if (n > p->len - p->pos)
		n = p->len - p->pos;
	end = s + n;
	while ((nl = memchr(s, '\n', (size_t)(end - s))) != NULL) {
		p->line++;
		p->col = 1;
		s = nl + 1;
	}
	p->col += (unsigned)(end - s);
	p->pos += n;
}

static struct sieve_pos
here(const struct parser *p)
{
	struct sieve_pos pos = { p->line, p->col };

	return pos;
}

/* Skips white space and comments. */
static void
skip_space(struct parser *p)
{
	for (;;) {
		int c = peekc(p, 0);

		if (c == ' ' || c == '\t' || c == '\r') {
			p->pos++;
			p->col++;
		} else if (c == '\n') {
			advance(p, 1);
		} else if (c == '#') {
			while (p->pos < p->len && p->src[p->pos] != '\n')
				advance(p, 1);
		} else if (c == '/' && peekc(p, 1) == '*') {
			struct sieve_pos start = here(p);
			const char *end = memmem(p->src + p->pos + 2,
						 p->len - p->pos - 2, "*/", 2);

			if (end == NULL) {
				perr(p, start, "unterminated comment");
				advance(p, p->len - p->pos);
				return;
			}
			advance(p, (size_t)(end - (p->src + p->pos)) + 2);
		} else if (c == 0) {
			perr(p, here(p), "NUL character in script");
			advance(p, 1);
		} else {
			return;
		}
	}
}

static void
lex_number(struct parser *p)
{
	uint64_t v = 0;
	bool overflow = false;
	int c;

	while ((c = peekc(p, 0)) >= '0' && c <= '9') {
		unsigned dgt = (unsigned)(c - '0');

		if (v > (UINT64_MAX - dgt) / 10)
			overflow = true;
		else
			v = v * 10 + dgt;
		advance(p, 1);
	}
	c = peekc(p, 0);
	if (c == 'K' || c == 'k' || c == 'M' || c == 'm' || c == 'G' ||
	    c == 'g') {
		unsigned shift = (c == 'K' || c == 'k') ? 10 :
				 (c == 'M' || c == 'm') ? 20 : 30;

		if (v > (UINT64_MAX >> shift))
			overflow = true;
		else
			v <<= shift;
		advance(p, 1);
	}
	if (overflow) {
		perr(p, p->tpos, "number is too large (the maximum is %llu)",
		     (unsigned long long)UINT64_MAX);
		v = UINT64_MAX;
	}
	p->t = T_NUMBER;
	p->num = v;
}

static void
lex_quoted(struct parser *p)
{
	size_t max = p->lim->max_string_len;

	buf_reset(&p->sb);
	advance(p, 1);
	for (;;) {
		int c = peekc(p, 0);

		if (c < 0) {
			perr(p, p->tpos, "unterminated string (started here)");
			break;
		}
		if (c == '"') {
			advance(p, 1);
			break;
		}
		if (c != '\\' && c != '\n') {
			/* copy the plain run up to the next special byte */
			size_t k = p->pos;

			while (k < p->len && p->src[k] != '"' &&
			       p->src[k] != '\\' && p->src[k] != '\n')
				k++;
			{
				size_t run = k - p->pos;

				if (max && p->sb.len + run > max)
					run = p->sb.len < max ?
					      max - p->sb.len : 0;
				buf_append(&p->sb, p->src + p->pos, run);
			}
			advance(p, k - p->pos);
			continue;
		}
		if (c == '\\' && p->pos + 1 < p->len) {
			advance(p, 1);
			c = peekc(p, 0);
		}
		/* a bare LF becomes CRLF, as in multi-line strings */
		if (c == '\n' && (p->sb.len == 0 ||
				  p->sb.data[p->sb.len - 1] != '\r') &&
		    (!max || p->sb.len < max))
			buf_putc(&p->sb, '\r');
		if (!max || p->sb.len < max)
			buf_putc(&p->sb, (char)c);
		advance(p, 1);
	}
	if (max && p->sb.len >= max)
		perr(p, p->tpos, "string is too long (max %zu bytes)", max);
	p->t = T_STRING;
	p->multiline = false;
	p->text = arena_strndup(p->a, p->sb.data ? p->sb.data : "",
				p->sb.len);
	p->tlen = p->sb.len;
}

/* text: [ws] [#comment] CRLF lines... "." CRLF */
static void
lex_multiline(struct parser *p)
{
	size_t max = p->lim->max_string_len;
	bool done = false;

	advance(p, 5);
	while (peekc(p, 0) == ' ' || peekc(p, 0) == '\t')
		advance(p, 1);
	if (peekc(p, 0) == '#')
		while (p->pos < p->len && p->src[p->pos] != '\n')
			advance(p, 1);
	if (peekc(p, 0) == '\r')
		advance(p, 1);
	if (peekc(p, 0) != '\n') {
		perr(p, here(p), "expected a line break after 'text:'");
	} else {
		advance(p, 1);
	}
	buf_reset(&p->sb);
	while (p->pos < p->len) {
		const char *ls = p->src + p->pos;
		const char *nl = memchr(ls, '\n', p->len - p->pos);
		size_t ll = nl ? (size_t)(nl - ls) : p->len - p->pos;
		size_t content = ll;

		if (content && ls[content - 1] == '\r')
			content--;
		if (content == 1 && ls[0] == '.') {
			advance(p, ll + (nl ? 1 : 0));
			done = true;
			break;
		}
		if (content >= 2 && ls[0] == '.' && ls[1] == '.')
			ls++, content--;	/* dot-unstuffing */
		if (!max || p->sb.len + content + 2 <= max) {
			buf_append(&p->sb, ls, content);
			buf_append(&p->sb, "\r\n", 2);
		}
		advance(p, ll + (nl ? 1 : 0));
	}
	if (!done)
		perr(p, p->tpos, "unterminated multi-line string (no line "
		     "with a single '.')");
	if (max && p->sb.len + 2 > max)
		perr(p, p->tpos, "string is too long (max %zu bytes)", max);
	p->t = T_STRING;
	p->multiline = true;
	p->text = arena_strndup(p->a, p->sb.data ? p->sb.data : "",
				p->sb.len);
	p->tlen = p->sb.len;
}

static void
next(struct parser *p)
{
	int c;

	skip_space(p);
	p->tpos = here(p);
	c = peekc(p, 0);
	if (c < 0) {
		p->t = T_EOF;
		return;
	}
	if (isalpha(c) || c == '_' || (c == ':' && (isalpha(peekc(p, 1)) ||
						     peekc(p, 1) == '_'))) {
		bool tag = c == ':';
		size_t start, n;

		if (tag)
			advance(p, 1);
		start = p->pos;
		while (p->pos < p->len &&
		       (isalnum((unsigned char)p->src[p->pos]) ||
			p->src[p->pos] == '_'))
			p->pos++;
		n = p->pos - start;
		p->col += (unsigned)n;
		if (!tag && n == 4 && strncmp(p->src + start, "text", 4) == 0 &&
		    peekc(p, 0) == ':') {
			p->pos = start;
			p->col = p->tpos.col;
			lex_multiline(p);
			return;
		}
		if (n > MAX_IDENTIFIER) {
			perr(p, p->tpos, "%s is too long (max %d characters)",
			     tag ? "tag name" : "identifier", MAX_IDENTIFIER);
			n = MAX_IDENTIFIER;
		}
		p->t = tag ? T_TAG : T_IDENT;
		/* identifiers and tags are case-insensitive: fold once here */
		{
			char *id = arena_strndup(p->a, p->src + start, n);
			size_t k;

			for (k = 0; k < n; k++)
				id[k] = (char)tolower((unsigned char)id[k]);
			p->text = id;
		}
		p->tlen = n;
		return;
	}
	if (c >= '0' && c <= '9') {
		lex_number(p);
		return;
	}
	if (c == '"') {
		lex_quoted(p);
		return;
	}
	advance(p, 1);
	switch (c) {
	case '[': p->t = T_LBRACKET; return;
	case ']': p->t = T_RBRACKET; return;
	case '(': p->t = T_LPAREN; return;
	case ')': p->t = T_RPAREN; return;
	case '{': p->t = T_LBRACE; return;
	case '}': p->t = T_RBRACE; return;
	case ',': p->t = T_COMMA; return;
	case ';': p->t = T_SEMI; return;
	}
	/* a run of stray characters is one error */
	perr(p, p->tpos, "unexpected character '%c'%s",
	     isprint(c) ? c : '?', isprint(c) ? "" : " (not printable)");
	while ((c = peekc(p, 0)) >= 0 && !isspace(c) && !isalnum(c) &&
	       strchr("[](){},;\":#_", c) == NULL)
		advance(p, 1);
	p->t = T_BAD;
}

static const char *
tok_name(const struct parser *p)
{
	switch (p->t) {
	case T_EOF: return "end of script";
	case T_IDENT: return "identifier";
	case T_TAG: return "tag";
	case T_NUMBER: return "number";
	case T_STRING: return "string";
	case T_LBRACKET: return "'['";
	case T_RBRACKET: return "']'";
	case T_LPAREN: return "'('";
	case T_RPAREN: return "')'";
	case T_LBRACE: return "'{'";
	case T_RBRACE: return "'}'";
	case T_COMMA: return "','";
	case T_SEMI: return "';'";
	case T_BAD: return "invalid characters";
	}
	return "?";
}

/* ---- parser ------------------------------------------------------------ */

/* Skips to just after the next ';' or a balanced block, or to a '}'
 * closing the current block (not consumed). */
static void
recover(struct parser *p)
{
	unsigned depth = 0;

	for (;;) {
		switch (p->t) {
		case T_EOF:
			return;
		case T_SEMI:
			next(p);
			if (depth == 0)
				return;
			break;
		case T_LBRACE:
			depth++;
			next(p);
			break;
		case T_RBRACE:
			if (depth == 0)
				return;
			depth--;
			next(p);
			if (depth == 0)
				return;
			break;
		default:
			next(p);
		}
	}
}

static bool parse_test(struct parser *p, struct sieve_ast_node **out);

static bool
count_node(struct parser *p)
{
	if (p->lim->max_nodes && ++p->nodes > p->lim->max_nodes) {
		if (!p->fatal)
			perr(p, p->tpos, "script has too many commands and "
			     "tests (max %lu)", p->lim->max_nodes);
		p->fatal = true;
		return false;
	}
	return true;
}

static bool
parse_string_list(struct parser *p, struct sieve_ast_arg *arg)
{
	struct sieve_ast_string *items = NULL;
	size_t n = 0, cap = 0;

	next(p);	/* '[' */
	for (;;) {
		if (p->t != T_STRING) {
			perr(p, p->tpos, "expected a string in the string "
			     "list, found %s", tok_name(p));
			return false;
		}
		if (n == cap) {
			struct sieve_ast_string *ni;

			cap = cap ? cap * 2 : 4;
			ni = arena_alloc(p->a, cap * sizeof(*ni));
			if (n)
				memcpy(ni, items, n * sizeof(*ni));
			items = ni;
		}
		items[n].str = p->text;
		items[n].len = p->tlen;
		items[n].pos = p->tpos;
		items[n].multiline = p->multiline;
		n++;
		if (p->lim->max_list_items && n > p->lim->max_list_items) {
			perr(p, arg->pos, "string list has too many items "
			     "(max %zu)", p->lim->max_list_items);
			return false;
		}
		next(p);
		if (p->t == T_RBRACKET) {
			next(p);
			break;
		}
		if (p->t != T_COMMA) {
			perr(p, p->tpos, "expected ',' or ']' in the string "
			     "list, found %s", tok_name(p));
			return false;
		}
		next(p);
	}
	arg->type = SIEVE_ARG_STRLIST;
	arg->u.list.items = items;
	arg->u.list.count = n;
	return true;
}

/* Arguments, then an optional test or test list. */
static bool
parse_arguments(struct parser *p, struct sieve_ast_node *node)
{
	struct sieve_ast_arg args[MAX_ARGUMENTS];
	size_t n = 0;
	bool too_many = false;

	for (;;) {
		struct sieve_ast_arg a;

		memset(&a, 0, sizeof(a));
		a.pos = p->tpos;
		if (p->t == T_TAG) {
			a.type = SIEVE_ARG_TAG;
			a.u.tag = p->text;
			next(p);
		} else if (p->t == T_NUMBER) {
			a.type = SIEVE_ARG_NUMBER;
			a.u.number = p->num;
			next(p);
		} else if (p->t == T_STRING) {
			a.type = SIEVE_ARG_STRING;
			a.u.str.str = p->text;
			a.u.str.len = p->tlen;
			a.u.str.pos = p->tpos;
			a.u.str.multiline = p->multiline;
			next(p);
		} else if (p->t == T_LBRACKET) {
			if (!parse_string_list(p, &a))
				return false;
		} else {
			break;
		}
		if (n == MAX_ARGUMENTS) {
			if (!too_many)
				perr(p, a.pos, "too many arguments for '%s' "
				     "(max %d)", node->name, MAX_ARGUMENTS);
			too_many = true;
			continue;
		}
		args[n++] = a;
	}
	if (too_many)
		return false;
	node->args = arena_memdup(p->a, args, n * sizeof(args[0]));
	node->nargs = n;

	if (p->t == T_IDENT) {
		node->tests = arena_alloc(p->a, sizeof(*node->tests));
		node->ntests = 1;
		return parse_test(p, &node->tests[0]);
	}
	if (p->t == T_LPAREN) {
		struct sieve_ast_node **tests = NULL;
		size_t nt = 0, cap = 0;
		struct sieve_pos open = p->tpos;

		node->test_list = true;
		if (p->lim->max_nesting && p->test_depth >= p->lim->max_nesting) {
			perr(p, p->tpos, "tests nested too deeply (max %u)",
			     p->lim->max_nesting);
			return false;
		}
		p->test_depth++;
		next(p);
		for (;;) {
			struct sieve_ast_node *t;

			if (p->t != T_IDENT) {
				perr(p, p->tpos, "expected a test in the test "
				     "list, found %s", tok_name(p));
				p->test_depth--;
				return false;
			}
			if (!parse_test(p, &t)) {
				p->test_depth--;
				return false;
			}
			if (nt == cap) {
				struct sieve_ast_node **nn;

				cap = cap ? cap * 2 : 4;
				nn = arena_alloc(p->a, cap * sizeof(*nn));
				if (nt)
					memcpy(nn, tests, nt * sizeof(*nn));
				tests = nn;
			}
			tests[nt++] = t;
			if (p->t == T_RPAREN) {
				next(p);
				break;
			}
			if (p->t != T_COMMA) {
				perr(p, p->tpos, "expected ',' or ')' in the "
				     "test list opened at %u:%u, found %s",
				     open.line, open.col, tok_name(p));
				p->test_depth--;
				return false;
			}
			next(p);
		}
		p->test_depth--;
		node->tests = tests;
		node->ntests = nt;
	}
	return true;
}

static bool
parse_test(struct parser *p, struct sieve_ast_node **out)
{
	struct sieve_ast_node *t;
	bool ok;

	if (p->lim->max_nesting && p->test_depth >= p->lim->max_nesting) {
		perr(p, p->tpos, "tests nested too deeply (max %u)",
		     p->lim->max_nesting);
		return false;
	}
	if (!count_node(p))
		return false;
	t = arena_zalloc(p->a, sizeof(*t));
	t->name = p->text;
	t->pos = p->tpos;
	next(p);
	p->test_depth++;
	ok = parse_arguments(p, t);
	p->test_depth--;
	*out = t;
	return ok;
}

static struct sieve_ast_node *parse_commands(struct parser *p, bool inner);

static struct sieve_ast_node *
parse_command(struct parser *p)
{
	struct sieve_ast_node *c;

	if (!count_node(p))
		return NULL;
	c = arena_zalloc(p->a, sizeof(*c));
	c->name = p->text;
	c->pos = p->tpos;
	next(p);
	if (!parse_arguments(p, c)) {
		recover(p);
		return NULL;
	}
	if (p->t == T_SEMI) {
		c->end = p->tpos;
		next(p);
		return c;
	}
	if (p->t == T_LBRACE) {
		struct sieve_pos open = p->tpos;

		if (p->lim->max_nesting &&
		    p->block_depth >= p->lim->max_nesting) {
			perr(p, p->tpos, "blocks nested too deeply (max %u)",
			     p->lim->max_nesting);
			recover(p);
			return NULL;
		}
		c->has_block = true;
		next(p);
		p->block_depth++;
		c->block = parse_commands(p, true);
		p->block_depth--;
		if (p->fatal)
			return NULL;
		if (p->t != T_RBRACE) {
			perr(p, open, "missing '}' closing the block opened "
			     "here");
			return NULL;
		}
		c->end = p->tpos;
		next(p);
		return c;
	}
	if (p->t == T_BAD) {
		recover(p);
		return NULL;
	}
	perr(p, c->pos, "missing semicolon at the end of the %s command "
	     "(found %s at %u:%u)", c->name, tok_name(p), p->tpos.line,
	     p->tpos.col);
	recover(p);
	return NULL;
}

static struct sieve_ast_node *
parse_commands(struct parser *p, bool inner)
{
	struct sieve_ast_node *first = NULL, **tail = &first;

	for (;;) {
		struct sieve_ast_node *c;

		if (p->fatal || p->d->capped)
			return first;
		if (p->t == T_EOF)
			return first;
		if (p->t == T_RBRACE) {
			if (inner)
				return first;
			perr(p, p->tpos, "unexpected '}' (no block to close)");
			next(p);
			continue;
		}
		if (p->t != T_IDENT) {
			if (p->t != T_BAD)
				perr(p, p->tpos, "expected a command, found %s",
				     tok_name(p));
			recover(p);
			continue;
		}
		c = parse_command(p);
		if (c) {
			*tail = c;
			tail = &c->next;
		}
	}
}

struct sieve_ast *
sieve_parse(struct arena *a, const char *src, size_t len,
	    const struct sieve_parse_limits *lim, struct sieve_diag *d)
{
	static const struct sieve_parse_limits defaults = { 32, 0, 0, 0 };
	struct sieve_parse_limits l = lim ? *lim : defaults;
	struct parser p;
	struct sieve_ast *ast;

	if (l.max_nesting == 0)
		l.max_nesting = 32;
	memset(&p, 0, sizeof(p));
	p.a = a;
	p.d = d;
	p.lim = &l;
	p.src = src;
	p.len = len;
	p.line = 1;
	p.col = 1;
	next(&p);
	ast = arena_zalloc(a, sizeof(*ast));
	ast->script = d->script;
	ast->first = parse_commands(&p, false);
	ast->commands = (unsigned)p.nodes;
	buf_free(&p.sb);
	return p.fatal ? NULL : ast;
}
