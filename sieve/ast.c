/*
 * ast.c -- the syntax tree's printer (sievec -A, tests) and the
 * encoded-character decoding of RFC 5228 2.4.2.4.
 */
#include "ast.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "buf.h"

void
sieve_print_escaped(const char *s, size_t len, FILE *out)
{
	size_t i;

	fputc('"', out);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\r')
			fputs("\\r", out);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void dump_node(const struct sieve_ast_node *n, unsigned indent,
		      FILE *out);

static void
dump_node_inline(const struct sieve_ast_node *n, FILE *out)
{
	size_t i, k;

	fputs(n->name, out);
	for (i = 0; i < n->nargs; i++) {
		const struct sieve_ast_arg *a = &n->args[i];

		fputc(' ', out);
		switch (a->type) {
		case SIEVE_ARG_TAG:
			fprintf(out, ":%s", a->u.tag);
			break;
		case SIEVE_ARG_NUMBER:
			fprintf(out, "%llu", (unsigned long long)a->u.number);
			break;
		case SIEVE_ARG_STRING:
			sieve_print_escaped(a->u.str.str, a->u.str.len, out);
			break;
		case SIEVE_ARG_STRLIST:
			fputc('[', out);
			for (k = 0; k < a->u.list.count; k++) {
				if (k)
					fputs(", ", out);
				sieve_print_escaped(a->u.list.items[k].str,
					    a->u.list.items[k].len, out);
			}
			fputc(']', out);
			break;
		}
	}
	if (n->test_list)
		fputs(" (", out);
	for (i = 0; i < n->ntests; i++) {
		fputs(i ? ", " : (n->test_list ? "" : " "), out);
		dump_node_inline(n->tests[i], out);
	}
	if (n->test_list)
		fputc(')', out);
}

static void
dump_node(const struct sieve_ast_node *n, unsigned indent, FILE *out)
{
	for (; n; n = n->next) {
		fprintf(out, "%*s", (int)indent * 2, "");
		dump_node_inline(n, out);
		if (n->has_block) {
			fputs(" {\n", out);
			dump_node(n->block, indent + 1, out);
			fprintf(out, "%*s}\n", (int)indent * 2, "");
		} else {
			fputs(";\n", out);
		}
	}
}

void
sieve_ast_dump(const struct sieve_ast *ast, FILE *out)
{
	dump_node(ast->first, 0, out);
}

static void
put_utf8(struct buf *b, unsigned long cp)
{
	char t[4];

	if (cp < 0x80) {
		t[0] = (char)cp;
		buf_append(b, t, 1);
	} else if (cp < 0x800) {
		t[0] = (char)(0xc0 | (cp >> 6));
		t[1] = (char)(0x80 | (cp & 0x3f));
		buf_append(b, t, 2);
	} else if (cp < 0x10000) {
		t[0] = (char)(0xe0 | (cp >> 12));
		t[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		t[2] = (char)(0x80 | (cp & 0x3f));
		buf_append(b, t, 3);
	} else {
		t[0] = (char)(0xf0 | (cp >> 18));
		t[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		t[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		t[3] = (char)(0x80 | (cp & 0x3f));
		buf_append(b, t, 4);
	}
}

/*
 * Decodes one ${hex:...} or ${unicode:...} starting at s (s[0] == '$').
 * Returns the length consumed, or 0 when the sequence is not well formed
 * (then it stays literal).
 */
static size_t
decode_one(const char *s, size_t len, struct buf *out, bool *bad_cp)
{
	size_t i, start;
	bool hex, bad = false;
	struct buf tmp = BUF_INIT;

	if (len >= 6 && strncasecmp(s + 2, "hex:", 4) == 0) {
		hex = true;
		i = 6;
	} else if (len >= 10 && strncasecmp(s + 2, "unicode:", 8) == 0) {
		hex = false;
		i = 10;
	} else {
		return 0;
	}
	start = i;
	for (;;) {
		unsigned long v = 0;
		size_t digits = 0;

		while (i < len && (s[i] == ' ' || s[i] == '\t' ||
				   s[i] == '\r' || s[i] == '\n'))
			i++;
		if (i < len && s[i] == '}') {
			if (tmp.len == 0 && i == start)
				i = start;	/* ${hex:} has no value */
			break;
		}
		while (i < len && isxdigit((unsigned char)s[i])) {
			if (digits < 8)
				v = v * 16 + (unsigned long)(isdigit(
					(unsigned char)s[i]) ? s[i] - '0' :
					(tolower((unsigned char)s[i]) - 'a' +
					 10));
			digits++;
			i++;
		}
		if (digits == 0 || (hex && digits != 2) || (!hex && digits > 8)) {
			buf_free(&tmp);
			return 0;
		}
		if (i < len && s[i] != ' ' && s[i] != '\t' && s[i] != '}' &&
		    s[i] != '\r' && s[i] != '\n') {
			buf_free(&tmp);
			return 0;
		}
		if (hex) {
			char ch = (char)v;

			buf_append(&tmp, &ch, 1);
		} else {
			if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
				bad = true;
				v = 0xfffd;
			}
			put_utf8(&tmp, v);
		}
	}
	if (i >= len || i == start) {
		buf_free(&tmp);
		return 0;	/* unterminated, or no value at all */
	}
	/* only a complete sequence counts (an unterminated one is text) */
	*bad_cp = *bad_cp || bad;
	buf_append(out, tmp.data ? tmp.data : "", tmp.len);
	buf_free(&tmp);
	return i + 1;
}

const char *
sieve_encoded_char_decode(struct arena *a, const char *s, size_t len,
			  size_t *outlen, struct sieve_pos pos,
			  struct sieve_diag *d)
{
	struct buf b = BUF_INIT;
	size_t i = 0;
	bool changed = false, bad = false;
	const char *r;

	while (i < len) {
		size_t n;

		if (s[i] == '$' && i + 1 < len && s[i + 1] == '{' &&
		    (n = decode_one(s + i, len - i, &b, &bad)) > 0) {
			i += n;
			changed = true;
			continue;
		}
		buf_append(&b, s + i, 1);
		i++;
	}
	if (bad)
		sieve_error(d, pos, "invalid unicode character in encoded "
			    "character sequence");
	if (!changed) {
		buf_free(&b);
		*outlen = len;
		return s;
	}
	r = arena_strndup(a, b.data ? b.data : "", b.len);
	*outlen = b.len;
	buf_free(&b);
	return r;
}
