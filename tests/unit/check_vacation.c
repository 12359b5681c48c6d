/*
 * check_vacation.c -- unit tests for the vacation extensions (RFC 5230,
 * RFC 6131: sieve/ext/vacation.c) and the host reply service
 * (sieve/vacation_reply.c): compile-time checks, period clamping, the
 * once-per-script rule and the reject conflict; decide on real messages
 * (RFC 3834 and RFC 5230 4.5-4.6 cases); the response key; the composed
 * reply, parsed back with the message parser.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "message.h"
#include "sieve.h"
#include "sieve_vacation.h"

static struct arena *A;

static void
setup(void)
{
	A = arena_new(4096);
	setenv("TZ", "UTC", 1);	/* Date: is local time */
	tzset();
}

static void
teardown(void)
{
	arena_free(A);
	A = NULL;
	sieve_rfc2047_cache_free();
}

/* ---- engine ------------------------------------------------------------ */

struct errs {
	unsigned n;
	char first[512];
};

static void
collect(void *ctx, enum sieve_severity sev, struct sieve_pos pos,
	const char *text, const char *line)
{
	struct errs *e = ctx;

	(void)pos;
	(void)line;
	if (sev == SIEVE_ERROR && e->n++ == 0)
		snprintf(e->first, sizeof(e->first), "%s", text);
}

static const char plain_msg[] =
	"From: Alice <alice@example.net>\n"
	"To: bob@example.org\n"
	"Subject: lunch\n"
	"\n"
	"body\n";

/*
 * Compiles and runs src with the given limits (NULL: defaults); returns
 * the run status (or 99 when the compile failed), prints the result into
 * out and the first error into e.
 */
static int
run_script(const char *src, const struct sieve_limits *lim, char *out,
	   size_t outlen, struct errs *e)
{
	struct sieve_instance *inst = sieve_instance_new(lim);
	struct sieve_envelope env = { "alice@example.net", "bob@example.org",
				      NULL, NULL };
	struct sieve_exec_env ee;
	struct sieve_diag d;
	struct sieve_binary *bin;
	struct sieve_result *res;
	FILE *f;
	int st;

	memset(e, 0, sizeof(*e));
	out[0] = '\0';
	sieve_diag_init(&d, "t.sieve");
	d.emit = collect;
	d.ctx = e;
	bin = sieve_compile(inst, src, strlen(src), "t.sieve", &d);
	if (bin == NULL) {
		sieve_instance_free(inst);
		return 99;
	}
	res = sieve_result_new(A, sieve_instance_limits(inst));
	memset(&ee, 0, sizeof(ee));
	ee.msg = sieve_message_parse(A, plain_msg, sizeof(plain_msg) - 1);
	ee.envelope = &env;
	ee.diag = &d;
	ee.arena = A;
	st = sieve_execute(bin, &ee, res);
	f = fmemopen(out, outlen, "w");
	if (st == SIEVE_EXEC_OK)
		sieve_result_print(res, f);
	fclose(f);
	sieve_binary_free(bin);
	sieve_instance_free(inst);
	return st;
}

START_TEST(test_print_and_keep)
{
	char out[1024];
	struct errs e;
	int st = run_script("require \"vacation\";\n"
			    "vacation :days 3 :subject \"Away\" :from "
			    "\"Bob <bob@example.org>\" :addresses "
			    "[\"b@example.org\"] :handle \"h1\" \"Gone.\";",
			    NULL, out, sizeof(out), &e);

	ck_assert_int_eq(st, SIEVE_EXEC_OK);
	ck_assert_str_eq(out, "vacation :days 3 :subject \"Away\" :from "
			 "\"Bob <bob@example.org>\" :addresses "
			 "[\"b@example.org\"] :handle \"h1\" \"Gone.\"\n"
			 "keep :implicit\n");
}
END_TEST

START_TEST(test_period_clamping)
{
	struct sieve_limits lim;
	char out[1024];
	struct errs e;

	sieve_limits_default(&lim);
	ck_assert_int_eq(lim.vacation_max_period, 0);	/* no upper bound */
	lim.vacation_max_period = 90 * 86400;
	/* default: 7 days */
	ck_assert_int_eq(run_script("require \"vacation\"; vacation \"x\";",
				    &lim, out, sizeof(out), &e), 0);
	ck_assert_str_eq(out, "vacation :days 7 \"x\"\nkeep :implicit\n");
	/* under the minimum (1 day) and over the maximum (90 days) */
	ck_assert_int_eq(run_script("require \"vacation\"; vacation :days 0 "
				    "\"x\";", &lim, out, sizeof(out), &e), 0);
	ck_assert_str_eq(out, "vacation :days 1 \"x\"\nkeep :implicit\n");
	ck_assert_int_eq(run_script("require \"vacation\"; vacation :days 365 "
				    "\"x\";", &lim, out, sizeof(out), &e), 0);
	ck_assert_str_eq(out, "vacation :days 90 \"x\"\nkeep :implicit\n");
	/* :seconds is clamped the same way */
	ck_assert_int_eq(run_script("require \"vacation-seconds\"; vacation "
				    ":seconds 60 \"x\";", &lim, out,
				    sizeof(out), &e), 0);
	ck_assert_str_eq(out, "vacation :days 1 \"x\"\nkeep :implicit\n");
	/* with no minimum, :seconds 0 means every time; :days 0 does not */
	lim.vacation_min_period = 0;
	lim.vacation_max_period = 0;
	ck_assert_int_eq(run_script("require \"vacation-seconds\"; vacation "
				    ":seconds 0 \"x\";", &lim, out,
				    sizeof(out), &e), 0);
	ck_assert_str_eq(out, "vacation :seconds 0 \"x\"\nkeep :implicit\n");
	ck_assert_int_eq(run_script("require \"vacation-seconds\"; vacation "
				    ":seconds 1800 \"x\";", &lim, out,
				    sizeof(out), &e), 0);
	ck_assert_str_eq(out, "vacation :seconds 1800 \"x\"\n"
			 "keep :implicit\n");
	ck_assert_int_eq(run_script("require \"vacation\"; vacation :days 0 "
				    "\"x\";", &lim, out, sizeof(out), &e), 0);
	ck_assert_str_eq(out, "vacation :seconds 1 \"x\"\nkeep :implicit\n");
	/* no maximum: a year stays a year */
	ck_assert_int_eq(run_script("require \"vacation\"; vacation :days 365 "
				    "\"x\";", &lim, out, sizeof(out), &e), 0);
	ck_assert_str_eq(out, "vacation :days 365 \"x\"\nkeep :implicit\n");
}
END_TEST

START_TEST(test_compile_errors)
{
	char out[256];
	struct errs e;

	ck_assert_int_eq(run_script("require \"vacation\"; vacation :seconds 5 "
				    "\"x\";", NULL, out, sizeof(out), &e), 99);
	ck_assert_ptr_nonnull(strstr(e.first, ":seconds"));
	ck_assert_int_eq(run_script("require \"vacation-seconds\"; vacation "
				    ":days 1 :seconds 5 \"x\";", NULL, out,
				    sizeof(out), &e), 99);
	ck_assert_ptr_nonnull(strstr(e.first, "cannot be combined"));
	ck_assert_int_eq(run_script("require \"vacation\"; vacation :from "
				    "\"not an address\" \"x\";", NULL, out,
				    sizeof(out), &e), 99);
	ck_assert_ptr_nonnull(strstr(e.first, "specified :from address 'not "
				     "an address' is invalid for vacation "
				     "action"));
	ck_assert_int_eq(run_script("require \"vacation\"; vacation :from "
				    "\"a@example.com, b@example.com\" \"x\";",
				    NULL, out, sizeof(out), &e), 99);
	ck_assert_int_eq(run_script("require \"vacation\"; vacation :days "
				    "\"7\" \"x\";", NULL, out, sizeof(out),
				    &e), 99);
	ck_assert_int_eq(run_script("require \"vacation\"; vacation :mime;",
				    NULL, out, sizeof(out), &e), 99);
	ck_assert_int_eq(run_script("vacation \"x\";", NULL, out, sizeof(out),
				    &e), 99);
}
END_TEST

START_TEST(test_runtime_errors)
{
	char out[512];
	struct errs e;

	/* :from from a variable is checked when it runs */
	ck_assert_int_eq(run_script("require [\"vacation\", \"variables\"];\n"
				    "set \"f\" \"nobody\";\n"
				    "vacation :from \"${f}\" \"x\";", NULL, out,
				    sizeof(out), &e), SIEVE_EXEC_FAILURE);
	ck_assert_ptr_nonnull(strstr(e.first, "'nobody' is invalid"));
	ck_assert_int_eq(run_script("require [\"vacation\", \"variables\"];\n"
				    "set \"f\" \"Me <me@example.org>\";\n"
				    "vacation :from \"${f}\" \"x\";", NULL, out,
				    sizeof(out), &e), SIEVE_EXEC_OK);
	/* RFC 5230 4.7: once per script */
	ck_assert_int_eq(run_script("require \"vacation\";\n"
				    "vacation \"a\";\nvacation \"b\";", NULL,
				    out, sizeof(out), &e), SIEVE_EXEC_FAILURE);
	ck_assert_ptr_nonnull(strstr(e.first, "duplicate vacation"));
	ck_assert_ptr_nonnull(strstr(e.first, "line 2"));
	/* RFC 5230 4.7 / RFC 5429: incompatible with reject, both ways */
	ck_assert_int_eq(run_script("require [\"vacation\", \"reject\"];\n"
				    "vacation \"a\";\nreject \"no\";", NULL,
				    out, sizeof(out), &e), SIEVE_EXEC_FAILURE);
	ck_assert_int_eq(run_script("require [\"vacation\", \"reject\"];\n"
				    "reject \"no\";\nvacation \"a\";", NULL,
				    out, sizeof(out), &e), SIEVE_EXEC_FAILURE);
	/* compatible with discard, fileinto, redirect */
	ck_assert_int_eq(run_script("require [\"vacation\", \"fileinto\"];\n"
				    "vacation \"a\"; fileinto \"X\"; "
				    "redirect \"c@example.com\"; discard;",
				    NULL, out, sizeof(out), &e), 0);
	ck_assert_str_eq(out, "vacation :days 7 \"a\"\nfileinto \"X\"\n"
			 "redirect \"c@example.com\"\n");
}
END_TEST

/* ---- decide ------------------------------------------------------------ */

static struct sieve_message *
msg_of(const char *s)
{
	return sieve_message_parse(A, s, strlen(s));
}

static bool
decide(const struct sieve_vacation_config *cfg,
       const struct sieve_vacation *vac, const char *msg, const char *from,
       const char *to, const char *orig, struct sieve_vacation_decision *d)
{
	struct sieve_envelope env = { from, to, orig, NULL };

	return sieve_vacation_decide(A, cfg, vac, msg_of(msg), &env, d);
}

static const char normal[] =
	"From: Timo <timo@example.com>\n"
	"To: Stephan <stephan@example.com>\n"
	"Subject: Frop!\n"
	"Auto-Submitted: no\n"
	"Precedence: normal\n"
	"\n"
	"Frop!\n";

START_TEST(test_decide_replies)
{
	struct sieve_vacation_config cfg;
	struct sieve_vacation vac = { .reason = "gone" };
	struct sieve_vacation_decision d;

	sieve_vacation_config_init(&cfg);
	ck_assert(decide(&cfg, &vac, normal, "timo@example.com",
			 "stephan@example.com", NULL, &d));
	ck_assert_str_eq(d.sender, "timo@example.com");
	ck_assert_str_eq(d.user, "stephan@example.com");
	ck_assert_str_eq(d.smtp_from, "");
	/* angle-bracketed paths and case in addresses */
	ck_assert(decide(&cfg, &vac, normal, "<timo@example.com>",
			 "<Stephan@Example.COM>", NULL, &d));
	/* sent from the recipient when configured */
	cfg.send_from_recipient = true;
	ck_assert(decide(&cfg, &vac, normal, "timo@example.com",
			 "stephan@example.com", NULL, &d));
	ck_assert_str_eq(d.smtp_from, "stephan@example.com");
}
END_TEST

START_TEST(test_decide_refuses)
{
	static const struct {
		const char *hdr;	/* added before the message */
		const char *from;
		const char *why;	/* part of d.why */
	} cases[] = {
		{ "", "", "<>" },
		{ "", "<>", "<>" },
		{ "", NULL, "<>" },
		{ "", "stephan@example.com", "own address" },
		{ "", "alias@example.com", ":addresses" },
		{ "", "me@example.net", "user address" },
		{ "", "MAILER-DAEMON@example.com", "system address" },
		{ "", "owner-list@example.com", "system address" },
		{ "", "dovecot-request@example.com", "system address" },
		{ "", "listserv@example.com", "system address" },
		{ "", "Majordomo@example.com", "system address" },
		{ "List-Id: <x.lists.example.com>\n", "timo@example.com",
		  "mailinglist" },
		{ "List-Unsubscribe: <mailto:u@example.com>\n",
		  "timo@example.com", "list-unsubscribe" },
		{ "List-Post: <mailto:p@example.com>\n", "timo@example.com",
		  "mailinglist" },
		{ "Auto-Submitted: auto-generated\n", "timo@example.com",
		  "auto-submitted" },
		{ "Auto-Submitted: auto-replied (vacation)\n",
		  "timo@example.com", "auto-submitted" },
		{ "Precedence: bulk\n", "timo@example.com", "precedence" },
		{ "Precedence: Junk\n", "timo@example.com", "precedence" },
		{ "Precedence: list\n", "timo@example.com", "precedence" },
		{ "X-Auto-Response-Suppress: DR, OOF,\tRN\n",
		  "timo@example.com", "OOF" },
		{ "X-Auto-Response-Suppress: all\n", "timo@example.com",
		  "all" },
	};
	struct sieve_vacation_config cfg;
	const char *users[] = { "me@example.net", NULL };
	const char *addrs[] = { "alias@example.com", NULL };
	struct sieve_vacation vac = { .reason = "gone", .addresses = addrs };
	struct sieve_vacation_decision d;
	size_t i;

	sieve_vacation_config_init(&cfg);
	cfg.user_addresses = users;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *m = arena_printf(A, "%s%s", cases[i].hdr, normal);

		ck_assert_msg(!decide(&cfg, &vac, m, cases[i].from,
				      "stephan@example.com", NULL, &d),
			      "case %zu replied", i);
		ck_assert(!d.send);
		ck_assert_msg(d.why && strstr(d.why, cases[i].why),
			      "case %zu: %s", i, d.why ? d.why : "(null)");
	}
	/* null envelope recipient */
	ck_assert(!decide(&cfg, &vac, normal, "timo@example.com", "", NULL,
			  &d));
	/* a plain "Precedence: normal" and X-A-R-S "None" do not stop it */
	ck_assert(decide(&cfg, &vac, "Precedence: first-class\n"
			 "X-Auto-Response-Suppress: None\n"
			 "To: stephan@example.com\n\nx\n", "timo@example.com",
			 "stephan@example.com", NULL, &d));
}
END_TEST

START_TEST(test_decide_recipient)
{
	static const char to_all[] =
		"From: timo@example.com\n"
		"To: all@example.com\n"
		"Subject: x\n\nx\n";
	static const char resent[] =
		"From: timo@example.com\n"
		"To: all@example.com\n"
		"Resent-Cc: Stephan <STEPHAN@example.com>\n"
		"Subject: x\n\nx\n";
	struct sieve_vacation_config cfg;
	const char *addrs[] = { "all@example.com", NULL };
	const char *users[] = { "all@example.com", NULL };
	struct sieve_vacation vac = { .reason = "gone" };
	struct sieve_vacation_decision d;

	sieve_vacation_config_init(&cfg);
	/* implicit delivery (list expansion, Bcc): no reply */
	ck_assert(!decide(&cfg, &vac, to_all, "timo@example.com",
			  "stephan@example.com", "all@example.com", &d));
	ck_assert_ptr_nonnull(strstr(d.why, "implicitly delivered"));
	/* Resent-Cc counts */
	ck_assert(decide(&cfg, &vac, resent, "timo@example.com",
			 "stephan@example.com", NULL, &d));
	ck_assert_str_eq(d.user, "stephan@example.com");
	/* the original recipient, when configured */
	cfg.use_original_recipient = true;
	ck_assert(decide(&cfg, &vac, to_all, "timo@example.com",
			 "stephan@example.com", "all@example.com", &d));
	ck_assert_str_eq(d.user, "all@example.com");
	cfg.use_original_recipient = false;
	/* :addresses: From is that address, MAIL FROM is the recipient */
	vac.addresses = addrs;
	cfg.send_from_recipient = true;
	ck_assert(decide(&cfg, &vac, to_all, "timo@example.com",
			 "stephan@example.com", NULL, &d));
	ck_assert_str_eq(d.user, "all@example.com");
	ck_assert_str_eq(d.smtp_from, "stephan@example.com");
	vac.addresses = NULL;
	/* the user's configured address */
	cfg.user_addresses = users;
	ck_assert(decide(&cfg, &vac, to_all, "timo@example.com",
			 "x@example.com", NULL, &d));
	ck_assert_str_eq(d.user, "all@example.com");
	cfg.user_addresses = NULL;
	/* dont_check_recipient answers anyway, from the recipient */
	cfg.dont_check_recipient = true;
	ck_assert(decide(&cfg, &vac, to_all, "timo@example.com",
			 "stephan@example.com", NULL, &d));
	ck_assert_str_eq(d.user, "stephan@example.com");
}
END_TEST

/* ---- key --------------------------------------------------------------- */

START_TEST(test_key)
{
	struct sieve_vacation v1 = { .reason = "gone" };
	struct sieve_vacation v2 = { .reason = "gone", .subject = "Away" };
	struct sieve_vacation v3 = { .reason = "other", .handle = "h" };
	struct sieve_vacation v4 = { .reason = "still other", .handle = "h" };
	struct sieve_vacation v5 = { .reason = "gone", .mime = true };
	unsigned char k1[32], k2[32], k3[32], k4[32];

	ck_assert_int_eq(sieve_vacation_key(&v1, "a@example.com", k1), 0);
	ck_assert_int_eq(sieve_vacation_key(&v1, "A@Example.COM", k2), 0);
	ck_assert(memcmp(k1, k2, 32) == 0);
	ck_assert_int_eq(sieve_vacation_key(&v1, "b@example.com", k2), 0);
	ck_assert(memcmp(k1, k2, 32) != 0);
	/* RFC 5230 4.2: the derived handle follows subject and mime */
	ck_assert_int_eq(sieve_vacation_key(&v2, "a@example.com", k2), 0);
	ck_assert(memcmp(k1, k2, 32) != 0);
	ck_assert_int_eq(sieve_vacation_key(&v5, "a@example.com", k2), 0);
	ck_assert(memcmp(k1, k2, 32) != 0);
	/* an explicit handle makes different reasons one response */
	ck_assert_int_eq(sieve_vacation_key(&v3, "a@example.com", k3), 0);
	ck_assert_int_eq(sieve_vacation_key(&v4, "a@example.com", k4), 0);
	ck_assert(memcmp(k3, k4, 32) == 0);
	ck_assert(memcmp(k1, k3, 32) != 0);
	ck_assert_str_eq(sieve_vacation_handle(A, &v3), "h");
	ck_assert_str_ne(sieve_vacation_handle(A, &v1),
			 sieve_vacation_handle(A, &v2));
}
END_TEST

/* ---- compose ----------------------------------------------------------- */

/* Composes a reply to m; returns it parsed. */
static struct sieve_message *
compose(const struct sieve_vacation_config *cfg,
	const struct sieve_vacation *vac, const char *m,
	struct sieve_vacation_reply *r)
{
	struct sieve_vacation_decision d;
	struct sieve_envelope env = { "joe@example.org", "me@example.com",
				      NULL, NULL };
	struct sieve_message *msg = msg_of(m);

	ck_assert(sieve_vacation_decide(A, cfg, vac, msg, &env, &d));
	ck_assert_int_eq(sieve_vacation_compose(A, cfg, vac, msg, &d,
						1700000000, r), 0);
	ck_assert_ptr_null(memchr(r->data, '\r', r->len));
	return sieve_message_parse(A, r->data, r->len);
}

static const char *
hdr(struct sieve_message *m, const char *name)
{
	const char *const *v;

	return sieve_message_header_decoded(m, name, &v) ? v[0] : NULL;
}

static const char original[] =
	"From: \"Joe Q. Public\" <joe@example.org>, ann@example.org\n"
	"To: me@example.com\n"
	"Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?= from Berlin\n"
	"Message-ID: <m1@example.org>\n"
	"References: <r1@example.org>\n <r2@example.org>\n"
	"\n"
	"Hello\n";

START_TEST(test_compose_headers)
{
	struct sieve_vacation_config cfg;
	struct sieve_vacation vac = { .reason = "I am away.\r\nBack soon." };
	struct sieve_vacation_reply r;
	struct sieve_message *m;
	size_t blen;
	const char *body;

	sieve_vacation_config_init(&cfg);
	cfg.hostname = "mx.example.com";
	m = compose(&cfg, &vac, original, &r);
	ck_assert_str_eq(r.mail_from, "");
	ck_assert_str_eq(r.rcpt_to, "joe@example.org");
	ck_assert_str_eq(hdr(m, "from"), "me@example.com");
	ck_assert_str_eq(hdr(m, "to"), "\"Joe Q. Public\" <joe@example.org>");
	ck_assert_str_eq(hdr(m, "subject"), "Auto: Grüße from Berlin");
	ck_assert_str_eq(hdr(m, "in-reply-to"), "<m1@example.org>");
	ck_assert_str_eq(hdr(m, "references"),
			 "<r1@example.org> <r2@example.org> <m1@example.org>");
	ck_assert_str_eq(hdr(m, "auto-submitted"), "auto-replied (vacation)");
	ck_assert_str_eq(hdr(m, "mime-version"), "1.0");
	ck_assert_str_eq(hdr(m, "content-type"), "text/plain; charset=utf-8");
	ck_assert_str_eq(hdr(m, "content-transfer-encoding"), "7bit");
	ck_assert_str_eq(hdr(m, "date"), "Tue, 14 Nov 2023 22:13:20 +0000");
	ck_assert_ptr_nonnull(strstr(hdr(m, "message-id"),
				     "@mx.example.com>"));
	body = sieve_message_body(m, &blen);
	ck_assert_int_eq(blen, strlen("I am away.\nBack soon.\n"));
	ck_assert(memcmp(body, "I am away.\nBack soon.\n", blen) == 0);
	/* the raw Subject is encoded, not 8-bit */
	ck_assert_ptr_nonnull(strstr(r.data, "Subject: =?utf-8?b?"));
}
END_TEST

START_TEST(test_compose_options)
{
	struct sieve_vacation_config cfg;
	struct sieve_vacation vac = {
		.reason = "Je suis absent.",
		.subject = "Absent: \xc3\xa9t\xc3\xa9",
		.from = "G\xc3\xbcnther <me@example.com>",
	};
	struct sieve_vacation_reply r;
	struct sieve_message *m;

	sieve_vacation_config_init(&cfg);
	m = compose(&cfg, &vac, original, &r);
	ck_assert_str_eq(hdr(m, "subject"), "Absent: \xc3\xa9t\xc3\xa9");
	ck_assert_str_eq(hdr(m, "from"), "G\xc3\xbcnther <me@example.com>");
	ck_assert_ptr_nonnull(strstr(r.data, "From: =?utf-8?b?"));
	ck_assert_str_eq(hdr(m, "content-transfer-encoding"), "7bit");
	/* 8-bit body */
	vac.reason = "\xc3\xa0 bient\xc3\xb4t";
	m = compose(&cfg, &vac, original, &r);
	ck_assert_str_eq(hdr(m, "content-transfer-encoding"), "8bit");
	/* :mime: the entity as given */
	vac.mime = true;
	vac.reason = "Content-Type: text/html; charset=us-ascii\r\n\r\n"
		     "<p>away</p>\r\n";
	m = compose(&cfg, &vac, original, &r);
	ck_assert_str_eq(hdr(m, "content-type"),
			 "text/html; charset=us-ascii");
	ck_assert_ptr_null(hdr(m, "content-transfer-encoding"));
	ck_assert_ptr_nonnull(strstr(r.data, "\n\n<p>away</p>\n"));
}
END_TEST

START_TEST(test_compose_long)
{
	struct sieve_vacation_config cfg;
	struct sieve_vacation vac = { .reason = NULL };
	struct sieve_vacation_reply r;
	struct sieve_message *m;
	char *longline = arena_alloc(A, 1201), *subj, *msg;
	const char *p, *s;
	size_t i;

	for (i = 0; i < 1200; i++)
		longline[i] = (char)('a' + i % 26);
	longline[1200] = '\0';
	vac.reason = longline;
	subj = arena_alloc(A, 600 * 2 + 1);
	for (i = 0; i < 600; i++)
		memcpy(subj + 2 * i, "\xc3\xa9", 2);	/* é */
	subj[1200] = '\0';
	msg = arena_printf(A, "From: joe@example.org\nTo: me@example.com\n"
			   "Subject: %s\n\nx\n", subj);
	sieve_vacation_config_init(&cfg);
	m = compose(&cfg, &vac, msg, &r);
	/* a line over 998 octets forces quoted-printable */
	ck_assert_str_eq(hdr(m, "content-transfer-encoding"),
			 "quoted-printable");
	/* every line of the reply fits in 78 columns */
	for (p = r.data; *p; p = *s ? s + 1 : s) {
		s = strchr(p, '\n');
		if (s == NULL)
			s = p + strlen(p);
		ck_assert_msg(s - p <= 78, "line of %zu", (size_t)(s - p));
	}
	/* 256 code points at most, the last an ellipsis */
	s = hdr(m, "subject");
	ck_assert_int_eq(strncmp(s, "Auto: \xc3\xa9", 8), 0);
	ck_assert_int_eq(strlen(s), 6 + 249 * 2 + 3);
	ck_assert_str_eq(s + strlen(s) - 3, "\xe2\x80\xa6");
	/* no Subject: the configured default */
	cfg.default_subject = "Out of office";
	m = compose(&cfg, &vac, "From: joe@example.org\nTo: me@example.com\n"
		    "\nx\n", &r);
	ck_assert_str_eq(hdr(m, "subject"), "Out of office");
	ck_assert_ptr_null(hdr(m, "in-reply-to"));
	/* template */
	cfg.default_subject_template = "Re: %{subject} [away]";
	m = compose(&cfg, &vac, "From: joe@example.org\nTo: me@example.com\n"
		    "Subject: plans\n\nx\n", &r);
	ck_assert_str_eq(hdr(m, "subject"), "Re: plans [away]");
}
END_TEST

START_TEST(test_config_set)
{
	struct sieve_vacation_config cfg;

	sieve_vacation_config_init(&cfg);
	ck_assert_int_eq(sieve_vacation_config_set(&cfg, A,
		"sieve_vacation_send_from_recipient", "yes"), 1);
	ck_assert(cfg.send_from_recipient);
	ck_assert_int_eq(sieve_vacation_config_set(&cfg, A,
		"sieve_vacation_dont_check_recipient", "maybe"), -1);
	ck_assert_int_eq(sieve_vacation_config_set(&cfg, A,
		"sieve_user_email", "u@example.com"), 1);
	ck_assert_str_eq(cfg.user_addresses[0], "u@example.com");
	ck_assert_ptr_null(cfg.user_addresses[1]);
	ck_assert_int_eq(sieve_vacation_config_set(&cfg, A,
		"sieve_vacation_max_subject_codepoints", "20"), 1);
	ck_assert_uint_eq(cfg.max_subject_codepoints, 20);
	ck_assert_int_eq(sieve_vacation_config_set(&cfg, A,
		"sieve_max_actions", "3"), 0);
}
END_TEST

static Suite *
vacation_suite(void)
{
	Suite *s = suite_create("vacation");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_print_and_keep);
	tcase_add_test(tc, test_period_clamping);
	tcase_add_test(tc, test_compile_errors);
	tcase_add_test(tc, test_runtime_errors);
	tcase_add_test(tc, test_decide_replies);
	tcase_add_test(tc, test_decide_refuses);
	tcase_add_test(tc, test_decide_recipient);
	tcase_add_test(tc, test_key);
	tcase_add_test(tc, test_compose_headers);
	tcase_add_test(tc, test_compose_options);
	tcase_add_test(tc, test_compose_long);
	tcase_add_test(tc, test_config_set);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(vacation_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
