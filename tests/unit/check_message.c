/*
 * check_message.c -- unit tests for sieve/message.c (header splitting,
 * unfolding, lookup, body) and sieve/rfc2047.c (encoded words), plus a
 * seeded random-input robustness test over the message, RFC 2047 and
 * address parsers (meant to run under ASan/UBSan).
 *
 * Every input is copied into a buffer of exactly its length, so a read past
 * the end is caught by the sanitizer.
 */
#include <check.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "address.h"
#include "arena.h"
#include "message.h"

static struct arena *A;

static void
setup(void)
{
	A = arena_new(4096);
}

static void
teardown(void)
{
	arena_free(A);
	A = NULL;
	sieve_rfc2047_cache_free();
}

/* An exact-size heap copy: no terminating NUL to lean on. */
static char *
exact_copy(const char *s, size_t n)
{
	char *p = malloc(n ? n : 1);

	memcpy(p, s, n);
	return p;
}

/* Values of a header joined with '|' ("" when none). */
static char *
joined(struct sieve_message *m, const char *name, bool decoded)
{
	const char *const *v;
	size_t n = decoded ? sieve_message_header_decoded(m, name, &v)
			   : sieve_message_header(m, name, &v);
	size_t i, total = 1;
	char *out;

	for (i = 0; i < n; i++)
		total += strlen(v[i]) + 1;
	out = arena_alloc(A, total);
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i)
			strcat(out, "|");
		strcat(out, v[i]);
	}
	ck_assert_ptr_null(v[n]);
	return out;
}

/* ---- header splitting and unfolding ------------------------------------ */

struct hdr_case {
	const char *what;
	const char *data;
	const char *name;	/* looked up */
	const char *values;	/* joined by '|' */
	size_t nfields;
	const char *body;
};

static const struct hdr_case hdr_cases[] = {
	{ "simple CRLF", "Subject: hello\r\nTo: a@b\r\n\r\nbody\r\n",
	  "subject", "hello", 2, "body\r\n" },
	{ "simple LF", "Subject: hello\nTo: a@b\n\nbody\n",
	  "Subject", "hello", 2, "body\n" },
	{ "fold CRLF SP", "Subject: a\r\n b\r\n\r\nx",
	  "subject", "a b", 1, "x" },
	{ "fold LF TAB", "Subject: a\n\tb\n\nx", "subject", "a\tb", 1, "x" },
	{ "fold bare CR", "Subject: a\r b\r\rx", "subject", "a b", 1, "x" },
	{ "fold CR CR LF", "Subject: a\r\r\n b\r\r\n\r\r\nx",
	  "subject", "a b", 1, "x" },
	{ "fold many lines", "Subject: one\r\n two\r\n  three\r\n\r\n",
	  "subject", "one two  three", 1, "" },
	{ "fold right after colon", "Subject:\r\n  folded\r\n\r\n",
	  "subject", "folded", 1, "" },
	{ "white-space-only folding line (RFC 5322 A.6.3)",
	  "To    : Mary Smith\r\n  \r\n          <mary@example.net>\r\n"
	  "Subject     : Saying Hello\r\n\r\nThis is",
	  "to", "Mary Smith            <mary@example.net>", 2, "This is" },
	{ "WSP before colon", "Subject  \t: x\r\n\r\n", "subject", "x", 1,
	  "" },
	{ "trim value", "Subject: \t  a  b \t \r\n\r\n", "subject", "a  b",
	  1, "" },
	{ "empty value", "Subject:\r\nX:   \r\n \r\n\r\n", "x", "", 2, "" },
	{ "no space after colon", "Subject:x\r\n\r\n", "subject", "x", 1,
	  "" },
	{ "colon in value", "Subject: a: b: c\r\n\r\n", "subject", "a: b: c",
	  1, "" },
	{ "duplicates keep order",
	  "Received: 1\r\nX: y\r\nreceived: 2\r\nRECEIVED: 3\r\n\r\n",
	  "Received", "1|2|3", 4, "" },
	{ "case-insensitive lookup", "X-Spam-Flag: YES\r\n\r\n",
	  "x-SPAM-flag", "YES", 1, "" },
	{ "absent field", "Subject: x\r\n\r\n", "from", "", 1, "" },
	{ "mixed separator CRLF LF", "Subject: x\r\n\nbody", "subject", "x",
	  1, "body" },
	{ "mixed separator LF CRLF", "Subject: x\n\r\nbody", "subject", "x",
	  1, "body" },
	{ "body keeps its empty lines", "A: 1\n\n\nb\n", "a", "1", 1,
	  "\nb\n" },
	{ "no empty line: all header", "Subject: x\r\nTo: y\r\n",
	  "to", "y", 2, "" },
	{ "no line end at all", "Subject: x", "subject", "x", 1, "" },
	{ "non-field line ends the header",
	  "Subject: x\r\nthis is body\r\nTo: y\r\n", "to", "", 1,
	  "this is body\r\nTo: y\r\n" },
	{ "line without colon first", "no colon here\r\nSubject: x\r\n\r\n",
	  "subject", "", 0, "no colon here\r\nSubject: x\r\n\r\n" },
	{ "space inside the name", "Bad Name: x\r\nA: b\r\n\r\n", "a", "", 0,
	  "Bad Name: x\r\nA: b\r\n\r\n" },
	{ "empty name", ": x\r\n\r\n", "", "", 0, ": x\r\n\r\n" },
	{ "continuation first", " Subject: x\r\n\r\n", "subject", "", 0,
	  " Subject: x\r\n\r\n" },
	{ "mbox From line skipped",
	  "From sender@example.com Mon Jan  1 10:00:00 2024\n"
	  "Subject: x\n\nbody", "subject", "x", 1, "body" },
	{ "From: is a field", "From: a@b\n\n", "from", "a@b", 1, "" },
	{ "8-bit value", "Subject: caf\xc3\xa9 \xe9t\xe9\r\n\r\n", "subject",
	  "caf\xc3\xa9 \xe9t\xe9", 1, "" },
	{ "8-bit in name ends header", "Subj\xe9: x\r\n\r\n", "subj\xe9", "",
	  0, "Subj\xe9: x\r\n\r\n" },
	{ "empty message", "", "subject", "", 0, "" },
	{ "only separator", "\r\nbody", "subject", "", 0, "body" },
};

START_TEST(test_header_cases)
{
	const struct hdr_case *c = &hdr_cases[_i];
	size_t len = strlen(c->data), blen, dlen;
	char *data = exact_copy(c->data, len);
	struct sieve_message *m = sieve_message_parse(A, data, len);
	const struct sieve_header *f;
	const char *body;

	ck_assert_msg(strcmp(joined(m, c->name, false), c->values) == 0,
		      "%s: got '%s'", c->what, joined(m, c->name, false));
	ck_assert_msg(sieve_message_fields(m, &f) == c->nfields, "%s: %zu",
		      c->what, sieve_message_fields(m, &f));
	body = sieve_message_body(m, &blen);
	ck_assert_msg(blen == strlen(c->body) &&
		      memcmp(body, c->body, blen) == 0,
		      "%s: body '%.*s'", c->what, (int)blen, body);
	ck_assert_uint_eq(sieve_message_size(m), len);
	ck_assert_ptr_eq(sieve_message_data(m, &dlen), data);
	ck_assert_uint_eq(dlen, len);
	free(data);
}
END_TEST

START_TEST(test_fields_order_and_names)
{
	static const char msg[] = "Received: r1\r\nSubject  : s\r\n"
				  "received: r2\r\n\r\n";
	char *data = exact_copy(msg, sizeof(msg) - 1);
	struct sieve_message *m = sieve_message_parse(A, data,
						      sizeof(msg) - 1);
	const struct sieve_header *f;

	ck_assert_uint_eq(sieve_message_fields(m, &f), 3);
	ck_assert_str_eq(f[0].name, "Received");
	ck_assert_str_eq(f[0].value, "r1");
	ck_assert_str_eq(f[1].name, "Subject");	/* WSP before ':' gone */
	ck_assert_str_eq(f[1].value, "s");
	ck_assert_uint_eq(f[1].value_len, 1);
	ck_assert_str_eq(f[2].name, "received");
	free(data);
}
END_TEST

START_TEST(test_nul_bytes)
{
	static const char msg[] = "Subject: a\0b\r\nX: \0\r\n\r\nbo\0dy";
	size_t len = sizeof(msg) - 1, blen;
	char *data = exact_copy(msg, len);
	struct sieve_message *m = sieve_message_parse(A, data, len);
	const char *const *v;
	const size_t *lens;
	const char *body;

	ck_assert_uint_eq(sieve_message_header_values(m, "subject", false,
						      &v, &lens), 1);
	ck_assert_uint_eq(lens[0], 3);
	ck_assert(memcmp(v[0], "a\0b", 3) == 0);
	ck_assert_uint_eq(sieve_message_header_values(m, "x", true, &v,
						      &lens), 1);
	ck_assert_uint_eq(lens[0], 1);
	body = sieve_message_body(m, &blen);
	ck_assert_uint_eq(blen, 5);
	ck_assert(memcmp(body, "bo\0dy", 5) == 0);
	ck_assert_uint_eq(sieve_message_header_values(m, "nope", false, &v,
						      &lens), 0);
	ck_assert_ptr_null(v[0]);
	free(data);
}
END_TEST

START_TEST(test_decoded_cached)
{
	static const char msg[] = "Subject: =?utf-8?Q?caf=C3=A9?= ok\r\n"
				  "Subject: plain\r\n\r\n";
	char *data = exact_copy(msg, sizeof(msg) - 1);
	struct sieve_message *m = sieve_message_parse(A, data,
						      sizeof(msg) - 1);
	const char *const *v1, *const *v2, *const *raw;
	size_t used;

	ck_assert_uint_eq(sieve_message_header_decoded(m, "SUBJECT", &v1), 2);
	ck_assert_str_eq(v1[0], "caf\xc3\xa9 ok");
	ck_assert_str_eq(v1[1], "plain");
	used = arena_used(A);
	ck_assert_uint_eq(sieve_message_header_decoded(m, "subject", &v2), 2);
	ck_assert_ptr_eq(v1, v2);		/* cached, no new work */
	ck_assert_uint_eq(arena_used(A), used);
	ck_assert_uint_eq(sieve_message_header(m, "subject", &raw), 2);
	ck_assert_str_eq(raw[0], "=?utf-8?Q?caf=C3=A9?= ok");
	ck_assert_ptr_eq(raw[1], v1[1]);	/* nothing to decode: same */
	free(data);
}
END_TEST

/* 10,000 distinct fields, each found; then 10,000 lookups of one name
 * cost no memory and return the same array. */
START_TEST(test_many_headers)
{
	struct arena *tmp = arena_new(1 << 16);
	size_t cap = 10000 * 32, len = 0, i, used;
	char *data = malloc(cap);
	struct sieve_message *m;
	const char *const *v, *const *w;
	const struct sieve_header *f;
	clock_t t0;

	for (i = 0; i < 10000; i++)
		len += (size_t)snprintf(data + len, cap - len,
					"X-Field-%zu: value %zu\r\n", i, i);
	len += (size_t)snprintf(data + len, cap - len, "\r\nbody");
	m = sieve_message_parse(A, data, len);
	ck_assert_uint_eq(sieve_message_fields(m, &f), 10000);
	for (i = 0; i < 10000; i++) {
		char name[32], val[32];

		snprintf(name, sizeof(name), "x-field-%zu", i);
		snprintf(val, sizeof(val), "value %zu", i);
		ck_assert_uint_eq(sieve_message_header(m, name, &v), 1);
		ck_assert_str_eq(v[0], val);
	}
	sieve_message_header_decoded(m, "X-FIELD-5000", &w);
	used = arena_used(A);
	t0 = clock();
	for (i = 0; i < 10000; i++) {
		ck_assert_uint_eq(sieve_message_header_decoded(m,
				  "X-FIELD-5000", &v), 1);
		ck_assert_ptr_eq(v, w);
	}
	ck_assert_uint_eq(arena_used(A), used);
	ck_assert_msg(clock() - t0 < CLOCKS_PER_SEC, "lookups too slow");
	free(data);
	arena_free(tmp);
}
END_TEST

/* 10,000 fields all called "Received". */
START_TEST(test_many_same_name)
{
	size_t cap = 10000 * 24, len = 0, i;
	char *data = malloc(cap);
	struct sieve_message *m;
	const char *const *v;

	for (i = 0; i < 10000; i++)
		len += (size_t)snprintf(data + len, cap - len,
					"Received: %zu\n", i);
	m = sieve_message_parse(A, data, len);
	ck_assert_uint_eq(sieve_message_header(m, "received", &v), 10000);
	ck_assert_str_eq(v[0], "0");
	ck_assert_str_eq(v[9999], "9999");
	free(data);
}
END_TEST

/* A 10 MB header: one folded field of 10 MB, then a long unfolded one. */
START_TEST(test_huge_header)
{
	size_t big = 10u << 20, len = 0, i;
	char *data = malloc(2 * big + 64);
	struct sieve_message *m;
	const char *const *v;
	const size_t *lens;
	const char *body;
	size_t blen;

	len += (size_t)sprintf(data, "X-Big: ");
	for (i = 0; i < big / 64; i++) {
		memset(data + len, 'a', 62);
		len += 62;
		data[len++] = '\n';
		data[len++] = ' ';
	}
	data[len++] = '\n';
	len += (size_t)sprintf(data + len, "X-Long: ");
	memset(data + len, 'b', big);
	len += big;
	memcpy(data + len, "\n\nB", 3);
	len += 3;
	m = sieve_message_parse(A, data, len);
	ck_assert_uint_eq(sieve_message_header_values(m, "x-big", false, &v,
						      &lens), 1);
	ck_assert_uint_eq(lens[0], (big / 64) * 63 - 1);
	ck_assert_uint_eq(sieve_message_header_values(m, "x-long", true, &v,
						      &lens), 1);
	ck_assert_uint_eq(lens[0], big);
	body = sieve_message_body(m, &blen);
	ck_assert_uint_eq(blen, 1);
	ck_assert_int_eq(body[0], 'B');
	free(data);
}
END_TEST

/* ---- RFC 2047 ----------------------------------------------------------- */

struct ew_case {
	const char *in;
	const char *out;
};

static const struct ew_case ew_cases[] = {
	/* RFC 2047 section 8 */
	{ "=?US-ASCII?Q?Keith_Moore?= <moore@cs.utk.edu>",
	  "Keith Moore <moore@cs.utk.edu>" },
	{ "=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>",
	  "Keld J\xc3\xb8rn Simonsen <keld@dkuug.dk>" },
	{ "=?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>",
	  "Andr\xc3\xa9 Pirard <PIRARD@vm1.ulg.ac.be>" },
	{ "=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n "
	  "=?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=",
	  "If you can read this you understand the example." },
	{ "=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?= "
	  "=?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=",
	  "If you can read this you understand the example." },
	{ "=?ISO-8859-1?Q?Olle_J=E4rnefors?= <ojarnef@admin.kth.se>",
	  "Olle J\xc3\xa4rnefors <ojarnef@admin.kth.se>" },
	{ "=?ISO-8859-1?Q?Patrik_F=E4ltstr=F6m?= <paf@nada.kth.se>",
	  "Patrik F\xc3\xa4ltstr\xc3\xb6m <paf@nada.kth.se>" },
	{ "Nathaniel Borenstein <nsb@thumper.bellcore.com> "
	  "(=?iso-8859-8?b?7eXs+SDv4SDp7Oj08A==?=)",
	  "Nathaniel Borenstein <nsb@thumper.bellcore.com> "
	  "(\xd7\x9d\xd7\x95\xd7\x9c\xd7\xa9 \xd7\x9f\xd7\x91 "
	  "\xd7\x99\xd7\x9c\xd7\x98\xd7\xa4\xd7\xa0)" },
	{ "(=?ISO-8859-1?Q?a?=)", "(a)" },
	{ "(=?ISO-8859-1?Q?a?= b)", "(a b)" },
	{ "(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)", "(ab)" },
	{ "(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)", "(ab)" },
	{ "(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)", "(ab)" },
	{ "(=?ISO-8859-1?Q?a_b?=)", "(a b)" },
	{ "(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)", "(a b)" },
	/* UTF-8, case, language suffix (RFC 2231) */
	{ "=?UTF-8?B?w6nDqMOg?=", "\xc3\xa9\xc3\xa8\xc3\xa0" },
	{ "=?utf-8?q?caf=c3=a9?=", "caf\xc3\xa9" },
	{ "=?utf-8*en?Q?hello?=", "hello" },
	{ "=?UTF-8*EN-us?b?aGk=?=", "hi" },
	{ "=?utf8?Q?x?=", "x" },
	/* Q underscores and stray '=' */
	{ "=?utf-8?Q?a_b__c?=", "a b  c" },
	{ "=?utf-8?Q?=5F_=20?=", "_  " },
	{ "=?utf-8?Q?a=?=", "a=" },
	{ "=?utf-8?Q?a=4?=", "a=4" },
	{ "=?utf-8?Q?50=zz?=", "50=zz" },
	/* B, lenient padding; bad base64 stays as written */
	{ "=?utf-8?B?SGVsbG8?=", "Hello" },
	{ "=?utf-8?B?SGVsbG8=?=", "Hello" },
	{ "=?utf-8?B?SGk=SGk=?=", "HiHi" },
	{ "=?utf-8?B?!!!!?=", "=?utf-8?B?!!!!?=" },
	{ "a =?utf-8?B?SGk-?= b", "a =?utf-8?B?SGk-?= b" },
	/* ISO-8859-1 read as windows-1252; US-ASCII too */
	{ "=?iso-8859-1?Q?=80_=E9?=", "\xe2\x82\xac \xc3\xa9" },
	{ "=?us-ascii?Q?=81?=", "\xef\xbf\xbd" },
	/* other charsets through iconv */
	{ "=?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=",
	  "\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88" },
	{ "=?koi8-r?B?8NLJ18XU?=",
	  "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82" },
	{ "=?shift_jis?Q?=81?=", "\xef\xbf\xbd" },	/* truncated */
	/* unknown charset: as written, and space before the next word kept */
	{ "=?x-unknown-cs?Q?abc?=", "=?x-unknown-cs?Q?abc?=" },
	{ "=?x-foo?Q?a?= =?utf-8?Q?b?=", "=?x-foo?Q?a?= b" },
	{ "=?utf-8?Q?b?= =?x-foo?Q?a?=", "b =?x-foo?Q?a?=" },
	/* invalid bytes become U+FFFD; so does U+0000 */
	{ "=?utf-8?Q?a=FFb?=", "a\xef\xbf\xbd" "b" },
	{ "=?utf-8?Q?=C3?=", "\xef\xbf\xbd" },
	{ "=?utf-8?Q?=ED=A0=80?=", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
	{ "=?utf-8?Q?a=00b?=", "a\xef\xbf\xbd" "b" },
	{ "=?iso-8859-1?Q?a=00b?=", "a\xef\xbf\xbd" "b" },
	/* a character split across two words is joined */
	{ "=?utf-8?Q?=C3?= =?utf-8?Q?=A9?=", "\xc3\xa9" },
	{ "=?utf-8?B?w6k=?==?utf-8?B?w6k=?=", "\xc3\xa9\xc3\xa9" },
	/* glued to text (lenient) */
	{ "Re:=?utf-8?Q?caf=C3=A9?=", "Re:caf\xc3\xa9" },
	{ "foo=?utf-8?Q?bar?=baz", "foobarbaz" },
	{ "=?utf-8?Q?a?==?utf-8?Q?b?=", "ab" },
	{ "=?utf-8?Q?a?= b =?utf-8?Q?c?=", "a b c" },
	{ "x =?utf-8?Q?a?=\t=?iso-8859-1?Q?b?= y", "x ab y" },
	{ "=?utf-8?Q?\?=", "" },
	{ "[=?utf-8?Q?\?=] =?utf-8?Q?\?= z", "[]  z" },
	/* plain text that merely looks similar is untouched */
	{ "What?=? a=?b", "What?=? a=?b" },
	{ "=?utf-8?Q?a b?=", "=?utf-8?Q?a b?=" },
	{ "=?utf-8?X?abc?=", "=?utf-8?X?abc?=" },
	{ "=??Q?abc?=", "=??Q?abc?=" },
	{ "=?utf-8?Q?abc", "=?utf-8?Q?abc" },
	{ "=?utf-8?Q?abc?", "=?utf-8?Q?abc?" },
	{ "1+1=?2?=3", "1+1=?2?=3" },
	{ "=?utf/8?Q?a?=", "=?utf/8?Q?a?=" },
	{ "=?utf-8//TRANSLIT?Q?a?=", "=?utf-8//TRANSLIT?Q?a?=" },
	{ "x=?", "x=?" },
	{ "=", "=" },
	{ "caf\xc3\xa9 \xe9 =?utf-8?Q?x?=", "caf\xc3\xa9 \xe9 x" },
};

START_TEST(test_rfc2047_cases)
{
	const struct ew_case *c = &ew_cases[_i];
	size_t len = strlen(c->in), outlen;
	char *in = exact_copy(c->in, len);
	const char *out = sieve_rfc2047_decode(A, in, len, &outlen);

	ck_assert_msg(outlen == strlen(c->out) &&
		      memcmp(out, c->out, outlen) == 0,
		      "'%s': got '%.*s'", c->in, (int)outlen, out);
	if (out != in)
		ck_assert_int_eq(out[outlen], '\0');
	else
		ck_assert_str_eq(c->in, c->out);
	free(in);
}
END_TEST

START_TEST(test_rfc2047_returns_input)
{
	static const char s[] = "no encoded words here =? at all";
	size_t n;

	ck_assert_ptr_eq(sieve_rfc2047_decode(A, s, sizeof(s) - 1, &n), s);
	ck_assert_uint_eq(n, sizeof(s) - 1);
	ck_assert_uint_eq(sieve_rfc2047_word_len("=?a?q?b?=xyz", 12), 9);
	ck_assert_uint_eq(sieve_rfc2047_word_len("=?a?q?b c?=", 11), 0);
	ck_assert_uint_eq(sieve_rfc2047_word_len("=?a?q?b?", 8), 0);
}
END_TEST

/* More charsets than the descriptor cache holds, in turns. */
START_TEST(test_rfc2047_many_charsets)
{
	static const char *const cs[] = {
		"iso-8859-2", "iso-8859-5", "koi8-r", "windows-1251",
		"iso-8859-15", "cp850", "iso-8859-7", "windows-1250",
		"iso-8859-9", "iso-8859-13", "big5", "euc-jp",
	};
	size_t i, k, n;

	for (k = 0; k < 3; k++) {
		for (i = 0; i < sizeof(cs) / sizeof(cs[0]); i++) {
			char in[128];
			const char *out;

			snprintf(in, sizeof(in),
				 "=?%s?Q?ab?= =?%s?Q?c?= =?utf-8?Q?d?=",
				 cs[i], cs[(i + 1) % 12]);
			out = sieve_rfc2047_decode(A, in, strlen(in), &n);
			ck_assert_msg(strcmp(out, "abcd") == 0, "%s: %s", in,
				      out);
		}
	}
}
END_TEST

/* ---- robustness ----------------------------------------------------- */

static uint64_t rng_state;

static uint32_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

/* Bytes drawn mostly from the characters the parsers care about. */
static void
random_input(char *buf, size_t n)
{
	static const char interesting[] =
		"=?QqBb_\"()<>@,;:.[]\\ \t\r\n:aZ09-+/*";
	static const char *const pieces[] = {
		"=?utf-8?Q?", "=?iso-8859-1?B?", "?=", "\r\n ", "\r\n\r\n",
		"Subject: ", "To: ", "From ", "<@a,@b:", "\"", "(", ")",
		"w6k=", "=C3", "Group:", ";", "x@y", "[1.2.3.4]",
	};
	size_t i = 0;

	while (i < n) {
		uint32_t r = rng() % 10;

		if (r < 3) {
			const char *p = pieces[rng() % (sizeof(pieces) /
						       sizeof(pieces[0]))];
			size_t k = strlen(p);

			if (k > n - i)
				k = n - i;
			memcpy(buf + i, p, k);
			i += k;
		} else if (r < 8) {
			buf[i++] = interesting[rng() %
					       (sizeof(interesting) - 1)];
		} else {
			buf[i++] = (char)(rng() & 0xff);
		}
	}
}

static int
valid_utf8_if_ascii(const char *in, size_t inlen, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < inlen; i++)
		if ((unsigned char)in[i] >= 0x80 || in[i] == '\0')
			return 1;	/* raw 8-bit input passes through */
	for (i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		size_t k = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;

		if (c >= 0x80 && (c < 0xc2 || c > 0xf4))
			return 0;
		if (i + k > n)
			return 0;
		while (--k)
			if (((unsigned char)s[++i] & 0xc0) != 0x80)
				return 0;
		i++;
	}
	return 1;
}

static void
exercise(struct arena *a, const char *in, size_t n)
{
	struct sieve_message *m = sieve_message_parse(a, in, n);
	const struct sieve_header *f;
	size_t nf = sieve_message_fields(m, &f), i, k, blen, dlen;
	struct sieve_address *ad, path;
	const char *d;

	sieve_message_body(m, &blen);
	ck_assert(blen <= n);
	for (i = 0; i < nf; i++) {
		const char *const *v, *const *raw;
		const size_t *lens, *rlens;
		size_t j;

		k = sieve_message_header_values(m, f[i].name, true, &v, &lens);
		ck_assert(k >= 1);
		ck_assert_uint_eq(sieve_message_header_values(m, f[i].name,
				  false, &raw, &rlens), k);
		for (j = 0; j < k; j++)
			ck_assert_msg(valid_utf8_if_ascii(raw[j], rlens[j],
							  v[j], lens[j]),
				      "not UTF-8: '%s' -> '%s'", raw[j], v[j]);
		k = sieve_address_list_parse(a, f[i].value, f[i].value_len,
					     &ad);
		while (k--) {
			ck_assert_ptr_nonnull(ad[k].all);
			ck_assert((ad[k].local_part == NULL) ==
				  (ad[k].domain == NULL));
		}
	}
	/* The raw bytes straight into the other parsers as well. */
	d = sieve_rfc2047_decode(a, in, n, &dlen);
	ck_assert_ptr_nonnull(d);
	k = sieve_address_list_parse(a, in, n, &ad);
	while (k--)
		ck_assert_ptr_nonnull(ad[k].all);
	if (sieve_address_parse_path(a, in, n, &path))
		ck_assert_ptr_nonnull(path.local_part);
	else
		ck_assert_ptr_null(path.local_part);
	ck_assert_ptr_nonnull(path.all);
}

START_TEST(test_random_inputs)
{
	struct arena *a = arena_new(1 << 16);
	int iter;

	rng_state = 0x9e3779b97f4a7c15ull;
	for (iter = 0; iter < 3000; iter++) {
		size_t n = rng() % 400;
		char *buf = malloc(n ? n : 1);

		random_input(buf, n);
		exercise(a, buf, n);
		free(buf);
		arena_free(a);
		a = arena_new(1 << 16);
	}
	arena_free(a);
}
END_TEST

/* Every prefix of a realistic message, each in an exact-size buffer. */
START_TEST(test_truncations)
{
	static const char msg[] =
		"From someone@example.com Sat Jan  3 01:05:34 1996\n"
		"Received: from x.y.test\r\n   by example.net\r\n"
		"From: \"Joe Q. Public\" <john.q.public@example.com>\r\n"
		"To: A Group(Some people)\r\n :Chris Jones <c@(host)ex.test>,"
		" joe@example.org;, <@a,@b:u@[1.2.3.4]>\r\n"
		"Subject: =?iso-8859-1?Q?caf=E9?= =?utf-8?B?w6nDqA==?=\r\n"
		"Cc: \"john \\\"q\\\" doe\"@example.com (c (nested))\r\n"
		"\r\nbody\r\n";
	struct arena *a = arena_new(1 << 16);
	size_t n;

	for (n = 0; n <= sizeof(msg) - 1; n++) {
		char *buf = exact_copy(msg, n);

		exercise(a, buf, n);
		free(buf);
		arena_free(a);
		a = arena_new(1 << 16);
	}
	arena_free(a);
}
END_TEST

/* Inputs built to trip a quadratic scan; each must finish quickly. */
START_TEST(test_pathological_linear)
{
	static const char *const units[] = {
		"=?", "=?a?", "=?a?q?", "=?a?q?x?", "(", "\"", "[", "<",
		"<,", "a", "a@", ",", "@,", "\\", "((a)", ": ", "=?a?q?x?=",
	};
	struct arena *a = arena_new(1 << 16);
	size_t u, total = 200000;

	for (u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
		size_t k = strlen(units[u]), n = 0, dlen;
		char *buf = malloc(total);
		struct sieve_address *ad;
		clock_t t0;

		while (n + k <= total) {
			memcpy(buf + n, units[u], k);
			n += k;
		}
		t0 = clock();
		sieve_rfc2047_decode(a, buf, n, &dlen);
		sieve_address_list_parse(a, buf, n, &ad);
		sieve_message_parse(a, buf, n);
		ck_assert_msg(clock() - t0 < 3 * CLOCKS_PER_SEC,
			      "unit '%s' too slow", units[u]);
		free(buf);
		arena_free(a);
		a = arena_new(1 << 16);
	}
	arena_free(a);
}
END_TEST

static Suite *
message_suite(void)
{
	Suite *s = suite_create("message");
	TCase *tc = tcase_create("header");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_header_cases, 0,
			    sizeof(hdr_cases) / sizeof(hdr_cases[0]));
	tcase_add_test(tc, test_fields_order_and_names);
	tcase_add_test(tc, test_nul_bytes);
	tcase_add_test(tc, test_decoded_cached);
	tcase_add_test(tc, test_many_headers);
	tcase_add_test(tc, test_many_same_name);
	tcase_add_test(tc, test_huge_header);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("rfc2047");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_rfc2047_cases, 0,
			    sizeof(ew_cases) / sizeof(ew_cases[0]));
	tcase_add_test(tc, test_rfc2047_returns_input);
	tcase_add_test(tc, test_rfc2047_many_charsets);
	suite_add_tcase(s, tc);

	tc = tcase_create("robustness");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_random_inputs);
	tcase_add_test(tc, test_truncations);
	tcase_add_test(tc, test_pathological_linear);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(message_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
