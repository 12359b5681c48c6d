/*
 * check_mime.c -- unit tests for sieve/mime.c: the MIME part walker
 * (tree, prologue/epilogue, digest defaults, Content-Type and RFC 2231
 * parameters, type matching), the decoders (base64, quoted-printable,
 * charsets) and HTML to text, with nasty inputs: deep nesting, broken and
 * look-alike boundaries, huge lines, invalid base64, unknown charsets,
 * limits, and a seeded random mutation test (meant for ASan/valgrind).
 *
 * Inputs are copied into buffers of exactly their length, so a read past
 * the end is caught by the sanitizers.
 */
#include <check.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "message.h"
#include "mime.h"

static struct arena *A;
static char *copies[64];
static unsigned ncopies;

static void
setup(void)
{
	A = arena_new(4096);
}

static void
teardown(void)
{
	while (ncopies > 0)
		free(copies[--ncopies]);
	arena_free(A);
	A = NULL;
	sieve_rfc2047_cache_free();
}

/* An exact-size heap copy, freed at teardown. */
static const char *
exact(const char *s, size_t n)
{
	char *p = malloc(n ? n : 1);

	memcpy(p, s, n);
	ck_assert_uint_lt(ncopies, 64);
	copies[ncopies++] = p;
	return p;
}

static struct sieve_mime_part *
parse(const char *s)
{
	return sieve_mime_parse(A, exact(s, strlen(s)), strlen(s), NULL);
}

static size_t
count_parts(struct sieve_mime_part *root, unsigned *maxdepth)
{
	struct sieve_mime_part *p;
	size_t n = 0;

	if (maxdepth)
		*maxdepth = 0;
	for (p = root; p; p = sieve_mime_next(p)) {
		n++;
		if (maxdepth && p->depth > *maxdepth)
			*maxdepth = p->depth;
	}
	return n;
}

static const char *
decoded(struct sieve_mime_part *p, size_t max, bool *cut)
{
	size_t len;

	return sieve_mime_decode(A, p, true, max, &len, cut);
}

static int
span_is(const char *p, size_t n, const char *want)
{
	return n == strlen(want) && memcmp(p, want, n) == 0;
}

/* ---- tree -------------------------------------------------------------- */

static const char nested[] =
	"From: a@example.com\r\n"
	"Content-Type: multipart/mixed; boundary=\"outer\"\r\n"
	"\r\n"
	"prologue\r\n"
	"--outer\r\n"
	"Content-Type: multipart/alternative; boundary=inner\r\n"
	"\r\n"
	"--inner\r\n"
	"\r\n"
	"plain\r\n"
	"--inner\r\n"
	"Content-Type: text/html\r\n"
	"\r\n"
	"<b>x</b>\r\n"
	"--inner--\r\n"
	"--outer\r\n"
	"Content-Type: message/rfc822\r\n"
	"\r\n"
	"Subject: inside\r\n"
	"\r\n"
	"enclosed\r\n"
	"--outer--\r\n"
	"epilogue\r\n";

START_TEST(test_tree)
{
	struct sieve_mime_part *r = parse(nested), *alt, *plain, *html, *msg;

	ck_assert_str_eq(r->type, "multipart");
	ck_assert_str_eq(r->subtype, "mixed");
	ck_assert_str_eq(sieve_mime_param(r, "BOUNDARY"), "outer");
	ck_assert(r->has_prologue && span_is(r->prologue, r->prologue_len,
					     "prologue"));
	ck_assert(r->has_epilogue && span_is(r->epilogue, r->epilogue_len,
					     "epilogue\r\n"));
	alt = r->children;
	ck_assert_str_eq(alt->subtype, "alternative");
	ck_assert(!alt->has_prologue);
	ck_assert(!alt->has_epilogue);
	plain = alt->children;
	ck_assert_str_eq(plain->type, "text");	/* default */
	ck_assert(span_is(plain->body, plain->body_len, "plain"));
	html = plain->next;
	ck_assert_str_eq(html->subtype, "html");
	ck_assert(span_is(html->body, html->body_len, "<b>x</b>"));
	ck_assert_ptr_null(html->next);
	msg = alt->next;
	ck_assert_str_eq(msg->subtype, "rfc822");
	ck_assert_ptr_nonnull(msg->children);
	ck_assert(span_is(msg->children->header_raw, msg->children->header_len,
			  "Subject: inside\r\n"));
	ck_assert(span_is(msg->children->body, msg->children->body_len,
			  "enclosed"));
	ck_assert_uint_eq(msg->children->depth, 2);
	ck_assert_uint_eq(count_parts(r, NULL), 6);
	ck_assert(!r->truncated);
}
END_TEST

START_TEST(test_digest_and_types)
{
	struct sieve_mime_part *r = parse(
		"Content-Type: multipart/digest; boundary=d\n\n"
		"--d\n\nSubject: one\n\nbody one\n"
		"--d\nContent-Type: Text/PLAIN (comment); CharSet=\"UTF-8\"\n\nx\n"
		"--d\nContent-Type: text/plain/extra\n\ny\n"
		"--d\nContent-Type: text/plain\nContent-Transfer-Encoding: x-gzip\n\nz\n"
		"--d--\n");
	struct sieve_mime_part *a = r->children, *b = a->next, *c = b->next,
		*d = c->next;

	ck_assert_str_eq(a->type, "message");
	ck_assert_str_eq(a->subtype, "rfc822");
	ck_assert_ptr_nonnull(a->children);
	ck_assert_str_eq(b->type, "text");
	ck_assert_str_eq(b->subtype, "plain");
	ck_assert_str_eq(sieve_mime_param(b, "charset"), "UTF-8");
	ck_assert_str_eq(c->type, "");		/* invalid Content-Type */
	ck_assert(sieve_mime_type_match(c, "", 0));
	ck_assert(!sieve_mime_type_match(c, "text", 4));
	ck_assert_str_eq(d->type, "application");	/* RFC 2045 6.4 */
	ck_assert_str_eq(d->subtype, "octet-stream");
	ck_assert(sieve_mime_type_match(b, "TEXT", 4));
	ck_assert(sieve_mime_type_match(b, "text/plain", 10));
	ck_assert(!sieve_mime_type_match(b, "text/", 5));
	ck_assert(!sieve_mime_type_match(b, "/plain", 6));
	ck_assert(!sieve_mime_type_match(b, "text/plain/", 11));
	ck_assert(!sieve_mime_type_match(b, "tex", 3));
	ck_assert(!sieve_mime_type_match(b, "text/plai", 9));
}
END_TEST

START_TEST(test_rfc2231)
{
	struct sieve_mime_part *r = parse(
		"Content-Type: application/pdf; name*0*=utf-8''%E2%82%AC;"
		" name*1=\" and more.pdf\"; title*=iso-8859-1'fr'caf%E9;"
		" plain=\"a \\\"quoted\\\" (not a comment)\"; trailing;\n\nx");

	ck_assert_str_eq(sieve_mime_param(r, "name"), "\xe2\x82\xac and more.pdf");
	ck_assert_str_eq(sieve_mime_param(r, "title"), "caf\xc3\xa9");
	ck_assert_str_eq(sieve_mime_param(r, "plain"),
			 "a \"quoted\" (not a comment)");
	ck_assert_ptr_null(sieve_mime_param(r, "trailing"));
}
END_TEST

/* ---- broken structure -------------------------------------------------- */

START_TEST(test_broken_boundaries)
{
	struct sieve_mime_part *r;

	/* no close delimiter: the last part runs to the end, no epilogue */
	r = parse("Content-Type: multipart/mixed; boundary=b\n\n"
		  "--b\n\none\n--b\n\ntwo\n");
	ck_assert_uint_eq(count_parts(r, NULL), 3);
	ck_assert(span_is(r->children->next->body,
			  r->children->next->body_len, "two\n"));
	ck_assert(!r->has_epilogue);

	/* a boundary that is a prefix of a longer one; trailing white space
	 * after a delimiter; a delimiter followed by text is no delimiter */
	r = parse("Content-Type: multipart/mixed; boundary=ab\n\n"
		  "--ab \t\n\n--abc\nstill one\n--ab-x\n--ab--  \nepi");
	ck_assert_uint_eq(count_parts(r, NULL), 2);
	ck_assert(span_is(r->children->body, r->children->body_len,
			  "--abc\nstill one\n--ab-x"));
	ck_assert(span_is(r->epilogue, r->epilogue_len, "epi"));

	/* no delimiter at all: all prologue */
	r = parse("Content-Type: multipart/mixed; boundary=zz\n\nnothing here");
	ck_assert_ptr_null(r->children);
	ck_assert(span_is(r->prologue, r->prologue_len, "nothing here"));

	/* no boundary parameter, or an empty one: not split */
	r = parse("Content-Type: multipart/mixed; boundary=\"\"\n\n--\n\nx\n----\n");
	ck_assert_ptr_null(r->children);
	r = parse("Content-Type: multipart/mixed\n\n--b\n\nx\n");
	ck_assert_ptr_null(r->children);

	/* delimiter as the very last bytes; header-only part; empty data */
	r = parse("Content-Type: multipart/mixed; boundary=b\n\n--b\nX-A: 1\n--b--");
	ck_assert_uint_eq(count_parts(r, NULL), 2);
	ck_assert(!r->children->has_body);
	ck_assert(!r->has_epilogue);
	r = sieve_mime_parse(A, NULL, 0, NULL);
	ck_assert(!r->has_body);
	ck_assert_str_eq(r->type, "text");
}
END_TEST

START_TEST(test_deep_nesting)
{
	struct buf b;
	struct sieve_mime_part *r;
	unsigned depth, i;

	/* 2000 nested multiparts, each with its own boundary */
	buf_init(&b);
	for (i = 0; i < 2000; i++)
		buf_printf(&b, "Content-Type: multipart/mixed; boundary=b%u\n\n"
			   "--b%u\n", i, i);
	buf_puts(&b, "\ninnermost\n");
	r = sieve_mime_parse(A, exact(b.data, b.len), b.len, NULL);
	ck_assert_uint_le(count_parts(r, &depth), SIEVE_MIME_MAX_DEPTH + 1);
	ck_assert_uint_eq(depth, SIEVE_MIME_MAX_DEPTH);
	ck_assert(r->truncated);

	/* 100000 nested message/rfc822 parts */
	buf_reset(&b);
	for (i = 0; i < 100000; i++)
		buf_puts(&b, "Content-Type: message/rfc822\n\n");
	buf_puts(&b, "Subject: deep\n\nbottom\n");
	r = sieve_mime_parse(A, exact(b.data, b.len), b.len, NULL);
	ck_assert_uint_eq(count_parts(r, &depth), SIEVE_MIME_MAX_DEPTH + 1);
	ck_assert(r->truncated);
	buf_free(&b);
}
END_TEST

START_TEST(test_many_parts)
{
	struct buf b;
	struct sieve_mime_part *r;
	struct sieve_mime_limits lim = { 8, 100, 1000 };
	unsigned i;

	buf_init(&b);
	buf_puts(&b, "Content-Type: multipart/mixed; boundary=p\n\n");
	for (i = 0; i < 20000; i++)
		buf_printf(&b, "--p\n\npart %u\n", i);
	buf_puts(&b, "--p--\n");
	r = sieve_mime_parse(A, exact(b.data, b.len), b.len, NULL);
	ck_assert_uint_eq(count_parts(r, NULL), SIEVE_MIME_MAX_PARTS);
	ck_assert(r->truncated);
	r = sieve_mime_parse(A, exact(b.data, b.len), b.len, &lim);
	ck_assert_uint_eq(count_parts(r, NULL), 100);
	buf_free(&b);
}
END_TEST

START_TEST(test_huge_line)
{
	size_t n = 6u << 20, len;
	char *s = malloc(n + 64);
	struct sieve_mime_part *r;
	const char *d;
	bool cut;

	strcpy(s, "Content-Transfer-Encoding: base64\n\n");
	len = strlen(s);
	memset(s + len, 'Q', n);	/* one 6 MiB line */
	r = sieve_mime_parse(A, s, len + n, NULL);
	d = decoded(r, 1000, &cut);
	ck_assert(cut);
	ck_assert_uint_eq(strlen(d), 1000);
	d = decoded(r, 0, &cut);
	ck_assert(!cut);
	/* the Q's decode to 0x41 0x04 0x10 repeated, kept as UTF-8 */
	ck_assert_uint_eq(strlen(d), n / 4 * 3);
	free(s);
}
END_TEST

/* ---- decoders ---------------------------------------------------------- */

static char *
b64(const char *in, size_t max, bool *cut)
{
	struct buf b;
	char *r;

	buf_init(&b);
	*cut = sieve_mime_base64_decode(&b, exact(in, strlen(in)), strlen(in),
					max);
	r = arena_strndup(A, b.data ? b.data : "", b.len);
	buf_free(&b);
	return r;
}

static char *
qp(const char *in)
{
	struct buf b;
	char *r;

	buf_init(&b);
	sieve_mime_qp_decode(&b, exact(in, strlen(in)), strlen(in), 0);
	r = arena_strndup(A, b.data ? b.data : "", b.len);
	buf_free(&b);
	return r;
}

START_TEST(test_base64)
{
	bool cut;

	ck_assert_str_eq(b64("SGVsbG8sIHdvcmxkIQ==", 0, &cut), "Hello, world!");
	ck_assert(!cut);
	ck_assert_str_eq(b64("SGVs\r\nbG8=\r\n", 0, &cut), "Hello");
	/* junk outside the alphabet is skipped */
	ck_assert_str_eq(b64("!!S*G(V)s#b G\x80" "8", 0, &cut), "Hello");
	/* no padding; a lone trailing sextet is dropped */
	ck_assert_str_eq(b64("SGVsbG8", 0, &cut), "Hello");
	ck_assert_str_eq(b64("QUJD" "Q", 0, &cut), "ABC");
	/* padding in the middle drops the partial bits and goes on */
	ck_assert_str_eq(b64("QQ==QUJD", 0, &cut), "AABC");
	ck_assert_str_eq(b64("====", 0, &cut), "");
	ck_assert_str_eq(b64("", 0, &cut), "");
	ck_assert_str_eq(b64("SGVsbG8sIHdvcmxkIQ==", 5, &cut), "Hello");
	ck_assert(cut);
}
END_TEST

START_TEST(test_qp)
{
	ck_assert_str_eq(qp("caf=E9 =3d=3D"), "caf\xe9 ==");
	ck_assert_str_eq(qp("soft=\r\nbreak"), "softbreak");
	ck_assert_str_eq(qp("soft= \t\nbreak"), "softbreak");
	ck_assert_str_eq(qp("trailing   \r\nnext"), "trailing\r\nnext");
	ck_assert_str_eq(qp("bad =ZZ =4 end="), "bad =ZZ =4 end");
	ck_assert_str_eq(qp("=\n=\n=\n"), "");
	ck_assert_str_eq(qp("a\nb\n"), "a\nb\n");
	ck_assert_str_eq(qp("=e9=C3=A9"), "\xe9\xc3\xa9");
}
END_TEST

START_TEST(test_charsets)
{
	struct sieve_mime_part *r;
	const char *d;
	bool cut;

	r = parse("Content-Type: text/plain; charset=ISO-8859-1\n\ncaf\xe9");
	ck_assert_str_eq(decoded(r, 0, &cut), "caf\xc3\xa9");
	r = parse("Content-Type: text/plain; charset=x-unknown-cs\n\nok\xff!");
	ck_assert_str_eq(decoded(r, 0, &cut), "ok\xef\xbf\xbd!");
	r = parse("Content-Type: text/plain; charset=\"utf-8\"\n\n\xc3\xa9t\xc3");
	ck_assert_str_eq(decoded(r, 0, &cut), "\xc3\xa9t\xef\xbf\xbd");
	r = parse("Content-Type: text/plain\n\nplain \xc3\xa9");
	ck_assert_str_eq(decoded(r, 0, &cut), "plain \xc3\xa9");
	r = parse("Content-Type: text/plain; charset=windows-1252\n\n\x80");
	ck_assert_str_eq(decoded(r, 0, &cut), "\xe2\x82\xac");
	/* UTF-16 through iconv, with a NUL character: U+FFFD */
	r = parse("Content-Type: text/plain; charset=utf-16le\n"
		  "Content-Transfer-Encoding: base64\n\nQQAAAEIA");
	ck_assert_str_eq(decoded(r, 0, &cut), "A\xef\xbf\xbd" "B");
	/* a limit never splits a character */
	r = parse("Content-Type: text/plain; charset=utf-8\n\n"
		  "\xe2\x82\xac\xe2\x82\xac");
	d = decoded(r, 4, &cut);
	ck_assert(cut);
	ck_assert_str_eq(d, "\xe2\x82\xac");
	/* non-text content is not converted */
	r = parse("Content-Type: application/x-thing; charset=iso-8859-1\n\n\xe9");
	ck_assert_str_eq(decoded(r, 0, &cut), "\xe9");
}
END_TEST

/* ---- HTML -------------------------------------------------------------- */

static const char *
h2t(const char *html)
{
	size_t len;

	return sieve_html_to_text(A, exact(html, strlen(html)), strlen(html),
				  0, &len);
}

START_TEST(test_html)
{
	ck_assert_str_eq(h2t("<p>Hello <b>big</b>\n  world</p><p>two</p>"),
			 "Hello big world\ntwo");
	ck_assert_str_eq(h2t("<script>evil()</script><style>p{}</style>ok"),
			 "ok");
	ck_assert_str_eq(h2t("a<br>b<!-- c -->d"), "a\nbd");
	ck_assert_str_eq(h2t("&lt;tag&gt; &amp; &#233;&#x20AC; &nbsp;x"),
			 "<tag> & \xc3\xa9\xe2\x82\xac \xc2\xa0x");
	ck_assert_str_eq(h2t("<table><tr><td>a</td><td>b</td></tr></table>"),
			 "a b");
	ck_assert_str_eq(h2t(""), "");
	ck_assert_str_eq(h2t("   \n\t "), "");
	ck_assert_str_eq(h2t("no markup at all"), "no markup at all");
	/* broken markup still yields its text */
	ck_assert_str_eq(h2t("<b>unclosed <i>tags <p>and</b> more"),
			 "unclosed tags\nand more");
	ck_assert_str_eq(h2t("<script>if (a</b) w('<p>x</p>')</script>y"), "y");
	ck_assert_str_eq(h2t("<STYLE type=x>p</STYLE ><SCRIPT>s</SCRIPT>z"),
			 "z");
	ck_assert_str_eq(h2t("<div title=\"a>b\">t</div><"), "t\n<");
	/* invalid UTF-8 input does not stop the text */
	ck_assert_ptr_nonnull(strstr(h2t("<p>bad \xff byte</p>"), "byte"));
}
END_TEST

START_TEST(test_html_nasty)
{
	struct buf b;
	size_t len, i;
	const char *t;

	/* 100000 nested elements: libxml2 stops nesting, the walk is
	 * iterative, the text before the cut survives */
	buf_init(&b);
	buf_puts(&b, "start");
	for (i = 0; i < 100000; i++)
		buf_puts(&b, "<div><span>");
	buf_puts(&b, "deep");
	t = sieve_html_to_text(A, exact(b.data, b.len), b.len, 0, &len);
	ck_assert(strncmp(t, "start", 5) == 0);
	/* a huge text node and a limit on the input */
	buf_reset(&b);
	buf_puts(&b, "<p>");
	for (i = 0; i < 1000000; i++)
		buf_putc(&b, (char)('a' + i % 26));
	buf_puts(&b, "</p>");
	t = sieve_html_to_text(A, exact(b.data, b.len), b.len, 0, &len);
	ck_assert_uint_eq(len, 1000000);
	t = sieve_html_to_text(A, exact(b.data, b.len), b.len, 1003, &len);
	ck_assert_uint_eq(len, 1000);
	ck_assert(strncmp(t, "abc", 3) == 0);
	/* NUL bytes inside */
	t = sieve_html_to_text(A, exact("<p>a\0b</p>", 10), 10, 0, &len);
	ck_assert(len >= 1 && t[0] == 'a');
	buf_free(&b);
}
END_TEST

/* ---- random mutations -------------------------------------------------- */

static uint32_t rnd_state = 12345;

static uint32_t
rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

START_TEST(test_random)
{
	static const char *const pieces[] = {
		"--b\n", "--b--\n", "--c\n", "\n", "\r\n",
		"Content-Type: multipart/mixed; boundary=c\n",
		"Content-Type: message/rfc822\n",
		"Content-Type: text/html; charset=iso-8859-1\n",
		"Content-Transfer-Encoding: base64\n",
		"Content-Transfer-Encoding: quoted-printable\n",
		"=", "=4", "=\n", "<p>", "</", "&#", "\xff", "\0", "QUJD", ";",
		"name*0*=x'y'%", "\"", "(", "\\",
	};
	unsigned iter;

	for (iter = 0; iter < 3000; iter++) {
		struct buf b;
		struct sieve_mime_part *r, *p;
		unsigned k, n = rnd() % 60;
		char *data;

		buf_init(&b);
		buf_puts(&b, "Content-Type: multipart/mixed; boundary=b\n\n");
		for (k = 0; k < n; k++) {
			const char *s = pieces[rnd() % (sizeof(pieces) /
							sizeof(pieces[0]))];

			buf_append(&b, s, *s ? strlen(s) : 1);
		}
		data = malloc(b.len ? b.len : 1);
		memcpy(data, b.data ? b.data : "", b.len);
		r = sieve_mime_parse(A, data, b.len, NULL);
		for (p = r; p; p = sieve_mime_next(p)) {
			size_t len;
			bool cut;
			const char *d = sieve_mime_decode(A, p, true, 100,
							  &len, &cut);

			ck_assert_uint_le(len, 100);
			if (strcmp(p->subtype, "html") == 0)
				sieve_html_to_text(A, d, len, 0, &len);
		}
		free(data);
		buf_free(&b);
		arena_reset(A);
	}
}
END_TEST

static Suite *
mime_suite(void)
{
	Suite *s = suite_create("mime");
	TCase *tc = tcase_create("mime");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_tree);
	tcase_add_test(tc, test_digest_and_types);
	tcase_add_test(tc, test_rfc2231);
	tcase_add_test(tc, test_broken_boundaries);
	tcase_add_test(tc, test_deep_nesting);
	tcase_add_test(tc, test_many_parts);
	tcase_add_test(tc, test_huge_line);
	tcase_add_test(tc, test_base64);
	tcase_add_test(tc, test_qp);
	tcase_add_test(tc, test_charsets);
	tcase_add_test(tc, test_html);
	tcase_add_test(tc, test_html_nasty);
	tcase_add_test(tc, test_random);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(mime_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
