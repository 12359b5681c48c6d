/*
 * testsuite.c -- the hidden extension "vnd.dovecot.testsuite": the test
 * language in which conformance cases are written in Sieve itself, with
 * the commands and tests of Pigeonhole's testsuite so that files written
 * for it run unchanged:
 *
 *   test "name" { ... }            a test case; fails at test_fail or error
 *   test_fail "reason"
 *   test_set "message"|"envelope.from"|"envelope.to"|"envelope.orig_to"|
 *            "envelope.auth" VALUE
 *   test_set "currentdate" RFC5322-DATE   (ours) the instant currentdate
 *            sees from then on, its zone becoming the local zone
 *   test_script_compile PATH       (test) compile a script beside the file
 *   test_script_run [:append_result]   (test) run it on the current message
 *   test_multiscript [PATHS]       (test) run a sequence and execute it
 *   test_error [MATCH] [COMPARATOR] [:index N] KEYS   (test) on errors
 *   test_result_action [MATCH] [COMPARATOR] [:index N] KEYS   (test) on
 *            action names ("store", "redirect", "discard", "reject", ...);
 *            test_result is the older name
 *   test_result_execute            (test) carry the result out
 *   test_result_reset, test_result_print
 *   test_message :smtp N | :folder NAME N   (command or test) make a sent
 *            or stored message the current one
 *   test_message_print, test_mailbox_create NAME, test_mailbox_delete NAME
 *   test_config_set KEY VALUE, test_config_unset KEY,
 *   test_config_reload [:extension NAME]
 *   test_binary_save NAME, test_binary_load NAME
 *
 * Only the sieve-testsuite program enables it.
 */
#include "compile.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "datetime.h"
#include "message.h"
#include "sieve_redirect.h"
#include "testsuite.h"

/* postmaster_address of the testsuite's world */
#define TS_POSTMASTER "postmaster@example.com"

enum ts_op {
	TS_TEST, TS_TEST_FINISH, TS_FAIL, TS_SET, TS_COMPILE, TS_RUN,
	TS_MULTISCRIPT, TS_ERROR, TS_RESULT_ACTION, TS_RESULT_EXECUTE,
	TS_RESULT_RESET, TS_RESULT_PRINT, TS_MESSAGE, TS_MESSAGE_PRINT,
	TS_MAILBOX_CREATE, TS_MAILBOX_DELETE, TS_CONFIG_SET,
	TS_CONFIG_UNSET, TS_CONFIG_RELOAD, TS_BINARY_SAVE, TS_BINARY_LOAD,
};

#define OPT_INDEX (SIEVE_OPT_CMD + 0)
#define OPT_APPEND (SIEVE_OPT_CMD + 1)
#define OPT_SMTP (SIEVE_OPT_CMD + 2)
#define OPT_FOLDER (SIEVE_OPT_CMD + 3)
#define OPT_EXTENSION (SIEVE_OPT_CMD + 4)

#define TRY(expr)				\
	do {					\
		int r_ = (expr);		\
		if (r_ < 0)			\
			return r_;		\
	} while (0)

static struct testsuite *
ts_of(struct sieve_interp *ip)
{
	return ip->env->ext_ctx;
}

/* The testsuite's variable namespace: ${tst.path} (directory of the
 * .svtest file), ${tst.name} (current test). */
bool
sieve_testsuite_variable(struct sieve_interp *ip, const char *name,
			 size_t len, struct sieve_str *out)
{
	struct testsuite *ts;
	const char *v = NULL;
	unsigned i;

	/* only in the .svtest file itself: its binary uses the extension */
	for (i = 0; i < ip->nslots; i++)
		if (strcmp(ip->slots[i]->name, "vnd.dovecot.testsuite") == 0)
			break;
	if (i == ip->nslots)
		return false;
	ts = ts_of(ip);
	if (ts == NULL)
		return false;
	if (len == 4 && strncasecmp(name, "path", 4) == 0)
		v = ts->dir;
	else if (len == 4 && strncasecmp(name, "name", 4) == 0)
		v = ts->test_name ? ts->test_name : "";
	if (v == NULL)
		return false;
	out->p = v;
	out->len = strlen(v);
	return true;
}

static void
ts_fail(struct sieve_interp *ip, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Fails the current test and skips to its end. */
static void
ts_fail(struct sieve_interp *ip, const char *fmt, ...)
{
	struct testsuite *ts = ts_of(ip);
	va_list ap;
	char *reason;

	va_start(ap, fmt);
	reason = arena_vprintf(ts->arena, fmt, ap);
	va_end(ap);
	if (!ts->in_test) {
		printf("** testsuite failed (line %u): %s\n",
		       sieve_interp_line(ip), reason);
		ts->global_failure = true;
		ip->stop = true;
		return;
	}
	ts->test_failed = true;
	ts->fail_reason = reason;
	ip->pc = ts->test_end;
}

/* ---- compile-time ------------------------------------------------------ */

/* test "name" { block }: TEST name ->end, block, TEST_FINISH */
static bool
test_emit(struct sieve_codegen *g, struct sieve_cmd *c)
{
	struct sieve_validator *v = g->v;
	size_t at;

	sieve_g_op(g, c->ext, TS_TEST,
		   c->node->pos.line);
	sieve_g_arg(g, c->pos[0]);
	at = g->code.len;
	buf_append(&g->code, "\0\0\0\0", 4);
	v->depth++;
	sieve_compile_block(v, c->node->block);
	v->depth--;
	if (v->diag->errors == 0) {
		sieve_g_patch_here(g, at);
		sieve_g_op(g, c->ext, TS_TEST_FINISH,
			   c->node->end.line);
	}
	return true;
}

/* Hybrid command/test: the op gets a leading is-test number. */
static bool
hybrid_emit(struct sieve_codegen *g, struct sieve_cmd *c)
{
	sieve_g_op(g, c->ext, c->def->op,
		   c->node->pos.line);
	sieve_g_number(g, c->as_test);
	sieve_g_operands(g, c);
	return true;
}

static bool
message_validate(struct sieve_validator *v, struct sieve_cmd *c)
{
	unsigned i, n = 0;

	for (i = 0; i < c->nopt; i++)
		if (c->opt[i].tag && (c->opt[i].tag->code == OPT_SMTP ||
				      c->opt[i].tag->code == OPT_FOLDER))
			n++;
	if (n != 1) {
		sieve_v_error(v, c->node->pos, "test_message needs exactly "
			      "one of :smtp or :folder");
		return false;
	}
	return true;
}

/* ---- run-time ---------------------------------------------------------- */

static int
skip_opts(struct sieve_interp *ip)
{
	struct sieve_opts o;

	return sieve_read_opts(ip, &o);
}

static int
op_test(struct sieve_interp *ip)
{
	struct testsuite *ts = ts_of(ip);
	struct sieve_str name;
	uint32_t end;

	TRY(sieve_read_string(ip, &name));
	if (ip->code_len - ip->pc < 4)
		return SIEVE_EXEC_CORRUPT;
	end = (uint32_t)ip->code[ip->pc] | (uint32_t)ip->code[ip->pc + 1] << 8 |
	      (uint32_t)ip->code[ip->pc + 2] << 16 |
	      (uint32_t)ip->code[ip->pc + 3] << 24;
	ip->pc += 4;
	if (end > ip->code_len || end < ip->pc)
		return SIEVE_EXEC_CORRUPT;
	ts->test_name = arena_strndup(ts->arena, name.p, name.len);
	ts->in_test = true;
	ts->test_failed = false;
	ts->fail_reason = NULL;
	ts->test_end = end;
	if (ts->verbose)
		printf("## test '%s'\n", ts->test_name);
	return 0;
}

static int
op_test_finish(struct sieve_interp *ip)
{
	struct testsuite *ts = ts_of(ip);

	if (ts->test_failed) {
		printf("test '%s': FAILED: %s\n", ts->test_name,
		       ts->fail_reason ? ts->fail_reason : "");
		ts->failed++;
	} else {
		printf("test '%s': ok\n", ts->test_name);
		ts->passed++;
	}
	fflush(stdout);
	ts->in_test = false;
	return 0;
}

static int
op_fail(struct sieve_interp *ip)
{
	struct sieve_str reason;

	TRY(skip_opts(ip));
	TRY(sieve_read_string(ip, &reason));
	ts_fail(ip, "%.*s", (int)reason.len, reason.p);
	return 0;
}

static int
op_set(struct sieve_interp *ip)
{
	struct testsuite *ts = ts_of(ip);
	struct sieve_str name, value;
	char *val;

	TRY(skip_opts(ip));
	TRY(sieve_read_string(ip, &name));
	TRY(sieve_read_string(ip, &value));
	val = arena_strndup(ts->arena, value.p, value.len);
	if (strcasecmp(name.p, "message") == 0) {
		testsuite_set_message(ts, val, value.len);
		ip->addr_cache = NULL;
	} else if (strcasecmp(name.p, "envelope.from") == 0) {
		ts->envelope->from = val;
	} else if (strcasecmp(name.p, "envelope.to") == 0) {
		ts->envelope->to = val;
	} else if (strcasecmp(name.p, "envelope.orig_to") == 0) {
		ts->envelope->orig_to = val;
	} else if (strcasecmp(name.p, "envelope.auth") == 0) {
		ts->envelope->auth = val;
	} else if (strcasecmp(name.p, "currentdate") == 0) {
		struct sieve_datetime dt;

		if (!sieve_datetime_parse(val, value.len, &dt)) {
			sieve_runtime_error(ip, "test_set: \"%s\" is not an "
					    "RFC 5322 date", val);
			return SIEVE_EXEC_FAILURE;
		}
		ts->env->clock_set = true;
		ts->env->clock_now = dt.t;
		ts->env->clock_zone = dt.zone;
	} else {
		sieve_runtime_error(ip, "test_set: unknown object '%s'",
				    name.p);
		return SIEVE_EXEC_FAILURE;
	}
	return 0;
}

static void
collect_error(void *ctx, enum sieve_severity sev, struct sieve_pos pos,
	      const char *text, const char *line)
{
	struct testsuite *ts = ctx;

	if (ts->verbose)
		printf("##   %s\n", line);
	if (sev == SIEVE_ERROR)
		testsuite_error(ts, text);
}

static char *
script_path(struct testsuite *ts, const char *name)
{
	if (name[0] == '/')
		return arena_strdup(ts->arena, name);
	return arena_printf(ts->arena, "%s/%s", ts->dir, name);
}

static struct sieve_binary *
compile_path(struct testsuite *ts, const char *name)
{
	struct sieve_diag d;
	struct sieve_binary *bin;
	char *path = script_path(ts, name);

	sieve_diag_init(&d, name);
	d.emit = collect_error;
	d.ctx = ts;
	d.max_errors = ~0u;	/* report everything */
	bin = sieve_compile_file(ts->inst, path, name, &d);
	/* as Pigeonhole's log does, a failed compile ends with one more
	 * error saying so; test_error :count sees it */
	if (bin == NULL)
		testsuite_error(ts, "script validation failed");
	return bin;
}

static int
op_compile(struct sieve_interp *ip)
{
	struct testsuite *ts = ts_of(ip);
	struct sieve_str path;

	TRY(skip_opts(ip));
	TRY(sieve_read_string(ip, &path));
	testsuite_errors_reset(ts);
	sieve_binary_free(ts->compiled);
	ts->compiled = compile_path(ts, path.p);
	ip->reg = ts->compiled != NULL;
	sieve_trace(ip, "test_script_compile \"%s\": %s", path.p,
		    ip->reg ? "ok" : "failed");
	return 0;
}

/* Runs bin on the current message into res; errors are collected. */
static int
run_binary(struct testsuite *ts, struct sieve_binary *bin,
	   struct sieve_result *res)
{
	struct sieve_exec_env env = *ts->env;
	struct sieve_diag d;

	sieve_diag_init(&d, sieve_binary_script_name(bin));
	d.emit = collect_error;
	d.ctx = ts;
	d.max_errors = 0;
	env.diag = &d;
	env.trace = ts->verbose ? stdout : NULL;
	env.ext_ctx = NULL;
	return sieve_execute(bin, &env, res);
}

static int
op_run(struct sieve_interp *ip)
{
	struct testsuite *ts = ts_of(ip);
	struct sieve_opts o;
	int status;

	TRY(sieve_read_opts(ip, &o));
	testsuite_errors_reset(ts);
	if (ts->compiled == NULL) {
		ip->reg = false;
		return 0;
	}
	if (!(o.present & (1ull << OPT_APPEND))) {
		ts->result = testsuite_result_new(ts);
		ip->result = ts->result;
	}
	status = run_binary(ts, ts->compiled, ts->result);
	ip->reg = status == SIEVE_EXEC_OK;
	return 0;
}

static const char *
setting_get(struct testsuite *ts, const char *key)
{
	struct ts_setting *s;

	for (s = ts->settings; s; s = s->next)
		if (strcmp(s->key, key) == 0)
			return s->value;
	return NULL;
}

/*
 * The copy a redirect sends, as deliver sends it (sieve_redirect.h): the
 * MAIL FROM chosen by sieve_redirect_envelope_from, an
 * X-Sieve-Redirected-From field naming the user (sieve_user_email, else
 * the final recipient). False when the message already carries that
 * field: the redirect would loop and nothing is sent.
 */
static bool
redirect_message(struct testsuite *ts, const struct sieve_action *a,
		 const char *data, size_t len, struct ts_message *m)
{
	const char *user = setting_get(ts, "sieve_user_email");
	const char *rcpt = sieve_path_address(ts->arena, ts->envelope->to);
	const char *me;
	bool invalid;

	if (user != NULL && *user == '\0')
		user = NULL;
	if (user != NULL)
		user = sieve_path_address(ts->arena, user);
	me = user ? user : rcpt;
	if (sieve_redirect_loop(ts->env->msg, rcpt, user)) {
		if (ts->verbose)
			printf("##   redirect to <%s> skipped: mail loop\n",
			       a->target);
		return false;
	}
	m->env_from = sieve_redirect_sender(ts->arena,
		setting_get(ts, "sieve_redirect_envelope_from"), ts->envelope,
		user, TS_POSTMASTER, &invalid);
	m->env_to = a->target;
	m->data = arena_printf(ts->arena, "X-Sieve-Redirected-From: %s\r\n"
			       "%.*s", me ? me : "", (int)len, data);
	m->len = strlen(m->data);
	return true;
}

static void
outbox_add(struct testsuite *ts, const struct ts_message *m)
{
	if (ts->nsent == ts->capsent) {
		size_t cap = ts->capsent ? ts->capsent * 2 : 4;
		struct ts_message *nm = arena_alloc(ts->arena,
						    cap * sizeof(*nm));

		if (ts->nsent)
			memcpy(nm, ts->sent, ts->nsent * sizeof(*nm));
		ts->sent = nm;
		ts->capsent = cap;
	}
	ts->sent[ts->nsent++] = *m;
}

/* A notify action (RFC 5436): one short message per mailto recipient,
 * from the null sender, marked auto-notified. */
static void
notify_messages(struct testsuite *ts, const struct sieve_action *a)
{
	const struct sieve_notify *n = a->ext_data;
	const char *const *subj;
	const char *subject;
	size_t i;

	if (n == NULL)
		return;
	subject = n->subject;
	if (subject == NULL && n->message != NULL)
		subject = n->message;
	if (subject == NULL)
		subject = sieve_message_header(ts->env->msg, "subject",
					       &subj) ? subj[0] : "";
	for (i = 0; i < n->nto; i++) {
		struct ts_message m = { NULL, 0, "", n->to[i], NULL };

		m.data = arena_printf(ts->arena, "From: %s\r\nTo: <%s>\r\n"
				      "Subject: %s\r\nAuto-Submitted: "
				      "auto-notified\r\n\r\n%s\r\n",
				      n->from ? n->from : TS_POSTMASTER,
				      n->to[i], subject,
				      n->message ? n->message : subject);
		m.len = strlen(m.data);
		outbox_add(ts, &m);
	}
}

/*
 * Carries out the actions of a result not carried out yet into the
 * store/outbox, the implicit keep too when asked (the last round), and
 * marks them executed: a later round (test_script_run :append_result,
 * the next script of test_multiscript) adds to them without doing them
 * twice.
 */
static bool
execute_result(struct sieve_interp *ip, struct sieve_result *res,
	       bool implicit_keep)
{
	struct testsuite *ts = ts_of(ip);
	const struct sieve_action *const *acts;
	size_t n = sieve_result_pending(res, implicit_keep, &acts), i;
	const char *data;
	size_t len;
	bool ok = true;

	data = sieve_message_data(ts->env->msg, &len);
	testsuite_errors_reset(ts);
	for (i = 0; i < n; i++) {
		const struct sieve_action *a = acts[i];
		struct ts_mailbox *box;
		struct ts_message m = { data, len, NULL, NULL, NULL };

		switch (a->type) {
		case SIEVE_ACT_KEEP:
		case SIEVE_ACT_FILEINTO:
			if (a->type == SIEVE_ACT_FILEINTO &&
			    (strstr(a->target, "//") || a->target[0] == '/' ||
			     a->target[strlen(a->target) - 1] == '/')) {
				testsuite_error(ts, arena_printf(ts->arena,
					"failed to store into mailbox '%s': "
					"invalid mailbox name", a->target));
				ok = false;
				break;
			}
			box = testsuite_mailbox(ts, a->type == SIEVE_ACT_KEEP ?
						"INBOX" : a->target,
						a->create);
			if (box == NULL) {
				testsuite_error(ts, arena_printf(ts->arena,
					"failed to store into mailbox '%s': "
					"mailbox does not exist", a->target));
				ok = false;
				break;
			}
			if (box->n == box->cap) {
				size_t cap = box->cap ? box->cap * 2 : 4;
				struct ts_message *nm =
					arena_alloc(ts->arena,
						    cap * sizeof(*nm));

				if (box->n)
					memcpy(nm, box->msgs,
					       box->n * sizeof(*nm));
				box->msgs = nm;
				box->cap = cap;
			}
			m.flags = a->flags;
			box->msgs[box->n++] = m;
			break;
		case SIEVE_ACT_REDIRECT:
		case SIEVE_ACT_REJECT:
			if (ts->nsent == ts->capsent) {
				size_t cap = ts->capsent ? ts->capsent * 2 : 4;
				struct ts_message *nm =
					arena_alloc(ts->arena,
						    cap * sizeof(*nm));

				if (ts->nsent)
					memcpy(nm, ts->sent,
					       ts->nsent * sizeof(*nm));
				ts->sent = nm;
				ts->capsent = cap;
			}
			if (a->type == SIEVE_ACT_REDIRECT) {
				if (!redirect_message(ts, a, data, len, &m))
					break;
			} else {
				/* no rejection goes to the null sender */
				if (sieve_path_is_null(ts->envelope->from))
					break;
				m.env_from = "";
				m.env_to = sieve_path_address(ts->arena,
							ts->envelope->from);
				m.data = arena_printf(ts->arena,
					"From: Postmaster <" TS_POSTMASTER
					">\r\nTo: <%s>\r\n"
					"Subject: Automatically rejected mail"
					"\r\nAuto-Submitted: auto-replied "
					"(rejected)\r\n\r\n%s\r\n",
					m.env_to, a->target);
				m.len = strlen(m.data);
			}
			ts->sent[ts->nsent++] = m;
			break;
		case SIEVE_ACT_EXT:
			if (strcmp(a->name, "notify") == 0)
				notify_messages(ts, a);
			if (strcmp(a->name, "vacation") == 0 &&
			    !testsuite_vacation(ts, a)) {
				testsuite_error(ts, "failed to send vacation "
						"response");
				ok = false;
			}
			break;
		default:
			break;
		}
	}
	if (ok)
		testsuite_duplicate_commit(ts, res);
	(void)sieve_result_mark_executed(res);
	return ok;
}

static int
op_result_execute(struct sieve_interp *ip)
{
	struct testsuite *ts = ts_of(ip);

	TRY(skip_opts(ip));

	ip->reg = execute_result(ip, ts->result, true);
	return 0;
}

static int
op_multiscript(struct sieve_interp *ip)
{
	struct testsuite *ts = ts_of(ip);
	struct sieve_str *paths;
	size_t n, i;
	struct sieve_result *res;
	bool ok = true;

	TRY(skip_opts(ip));
	TRY(sieve_read_strlist(ip, &paths, &n));
	testsuite_errors_reset(ts);
	res = testsuite_result_new(ts);
	/* as deliver runs sieve_before, the user's script and sieve_after:
	 * each script's actions are carried out after it; the sequence goes
	 * on while the keep is in effect (sieve_result_seal); the implicit
	 * keep is carried out once, at the end */
	for (i = 0; i < n && ok; i++) {
		struct sieve_binary *bin = compile_path(ts, paths[i].p);
		int status;

		if (bin == NULL) {
			ok = false;
			break;
		}
		status = run_binary(ts, bin, res);
		sieve_binary_free(bin);
		if (status != SIEVE_EXEC_OK) {
			ok = false;
			break;
		}
		if (!execute_result(ip, res, false))
			ok = false;
		else if (!sieve_result_implicit_keep(res))
			break;
	}
	if (ok)
		ok = execute_result(ip, res, true);
	ts->result = res;
	ip->result = res;
	ip->reg = ok;
	return 0;
}

static const char *
action_kind(const struct sieve_action *a)
{
	switch (a->type) {
	case SIEVE_ACT_KEEP:
		return "keep";
	case SIEVE_ACT_FILEINTO:
		return "store";
	case SIEVE_ACT_REDIRECT:
		return "redirect";
	case SIEVE_ACT_DISCARD:
		return "discard";
	case SIEVE_ACT_REJECT:
	case SIEVE_ACT_EREJECT:
		return "reject";
	case SIEVE_ACT_EXT:
		return a->name;
	}
	return a->name;
}

/* test_error / test_result_action: match a list of strings. */
static int
match_list(struct sieve_interp *ip, const char *const *vals, size_t n)
{
	struct sieve_opts o;
	struct sieve_str *keys;
	size_t nkeys, i;
	struct sieve_matcher m;
	int r = 0;

	TRY(sieve_read_opts(ip, &o));
	TRY(sieve_read_strlist(ip, &keys, &nkeys));
	sieve_matcher_init(&m, ip, &o, keys, nkeys);
	if (o.present & (1ull << OPT_INDEX)) {
		uint64_t idx = o.opt[OPT_INDEX].number;

		if (idx >= 1 && idx <= n)
			r = sieve_matcher_value(&m, vals[idx - 1],
						strlen(vals[idx - 1]));
	} else {
		for (i = 0; i < n && r == 0; i++)
			r = sieve_matcher_value(&m, vals[i], strlen(vals[i]));
	}
	if ((r = sieve_matcher_conclude(&m, r)) < 0)
		return r;
	return 0;
}

static int
op_error(struct sieve_interp *ip)
{
	struct testsuite *ts = ts_of(ip);

	return match_list(ip, (const char *const *)ts->errors, ts->nerrors);
}

static int
op_result_action(struct sieve_interp *ip)
{
	struct testsuite *ts = ts_of(ip);
	const struct sieve_action *const *acts;
	size_t n = sieve_result_actions(ts->result, &acts), i;
	const char **names = arena_alloc(ts->arena, (n + 1) * sizeof(*names));

	for (i = 0; i < n; i++)
		names[i] = action_kind(acts[i]);
	return match_list(ip, names, n);
}

static int
op_result_reset(struct sieve_interp *ip)
{
	struct testsuite *ts = ts_of(ip);

	TRY(skip_opts(ip));

	ts->result = testsuite_result_new(ts);
	ip->result = ts->result;
	ts->replied = NULL;
	ts->nsent = 0;		/* as Pigeonhole: the outbox empties too */
	return 0;
}

static int
op_result_print(struct sieve_interp *ip)
{
	struct testsuite *ts = ts_of(ip);

	TRY(skip_opts(ip));

	printf("## result:\n");
	sieve_result_print(ts->result, stdout);
	return 0;
}

static int
op_message(struct sieve_interp *ip)
{
	struct testsuite *ts = ts_of(ip);
	struct sieve_opts o;
	uint64_t as_test, idx;
	const struct ts_message *m = NULL;

	TRY(sieve_read_number(ip, &as_test));
	TRY(sieve_read_opts(ip, &o));
	TRY(sieve_read_number(ip, &idx));
	if (o.present & (1ull << OPT_SMTP)) {
		if (idx < ts->nsent)
			m = &ts->sent[idx];
	} else {
		struct sieve_str folder;
		struct ts_mailbox *box;

		TRY(sieve_operand_string(ip, &o.opt[OPT_FOLDER], &folder));
		box = testsuite_mailbox(ts, folder.p, false);
		if (box && idx < box->n)
			m = &box->msgs[idx];
	}
	if (m != NULL) {
		testsuite_set_message(ts, m->data, m->len);
		testsuite_set_message_flags(ts, m->flags);
		ip->addr_cache = NULL;
		if (m->env_to) {
			ts->envelope->from = m->env_from;
			ts->envelope->to = m->env_to;
		}
	}
	if (as_test)
		ip->reg = m != NULL;
	else if (m == NULL)
		ts_fail(ip, "no %s message with index %llu",
			(o.present & (1ull << OPT_SMTP)) ? "outgoing SMTP" :
			"stored", (unsigned long long)idx);
	return 0;
}

static int
op_message_print(struct sieve_interp *ip)
{
	struct testsuite *ts = ts_of(ip);
	size_t len;
	const char *d = sieve_message_data(ts->env->msg, &len);

	TRY(skip_opts(ip));

	printf("\n--MESSAGE:\n%.*s\n--MESSAGE--\n", (int)len, d);
	return 0;
}

static int
op_mailbox_create(struct sieve_interp *ip)
{
	struct sieve_str name;

	TRY(skip_opts(ip));
	TRY(sieve_read_string(ip, &name));
	testsuite_mailbox(ts_of(ip), name.p, true);
	return 0;
}

static int
op_mailbox_delete(struct sieve_interp *ip)
{
	struct testsuite *ts = ts_of(ip);
	struct ts_mailbox **pp;
	struct sieve_str name;

	TRY(skip_opts(ip));
	TRY(sieve_read_string(ip, &name));
	for (pp = &ts->boxes; *pp; pp = &(*pp)->next)
		if (strcmp((*pp)->name, name.p) == 0) {
			*pp = (*pp)->next;
			break;
		}
	return 0;
}

static void
setting_put(struct testsuite *ts, const char *key, const char *value)
{
	struct ts_setting *s;

	for (s = ts->settings; s; s = s->next)
		if (strcmp(s->key, key) == 0) {
			s->value = value;
			return;
		}
	s = arena_zalloc(ts->arena, sizeof(*s));
	s->key = arena_strdup(ts->arena, key);
	s->value = value;
	s->next = ts->settings;
	ts->settings = s;
}

static int
op_config_set(struct sieve_interp *ip)
{
	struct testsuite *ts = ts_of(ip);
	struct sieve_str key, value;

	TRY(skip_opts(ip));
	TRY(sieve_read_string(ip, &key));
	TRY(sieve_read_string(ip, &value));
	setting_put(ts, key.p, arena_strndup(ts->arena, value.p, value.len));
	return 0;
}

static int
op_config_unset(struct sieve_interp *ip)
{
	struct testsuite *ts = ts_of(ip);
	struct sieve_str key;

	TRY(skip_opts(ip));
	TRY(sieve_read_string(ip, &key));
	setting_put(ts, key.p, NULL);
	return 0;
}

static int
op_config_reload(struct sieve_interp *ip)
{
	struct sieve_opts o;

	TRY(sieve_read_opts(ip, &o));
	testsuite_config_apply(ts_of(ip));
	return 0;
}

static int
op_binary_save(struct sieve_interp *ip)
{
	struct testsuite *ts = ts_of(ip);
	struct sieve_str name;
	char *path;

	TRY(skip_opts(ip));
	TRY(sieve_read_string(ip, &name));
	if (ts->compiled == NULL) {
		ts_fail(ip, "test_binary_save: no compiled script");
		return 0;
	}
	path = arena_printf(ts->arena, "%s/%s.svbin", ts->tmpdir, name.p);
	if (sieve_binary_save(ts->compiled, path) < 0)
		ts_fail(ip, "test_binary_save: cannot write %s", path);
	return 0;
}

static int
op_binary_load(struct sieve_interp *ip)
{
	struct testsuite *ts = ts_of(ip);
	struct sieve_str name;
	const char *why = NULL;
	char *path;

	TRY(skip_opts(ip));
	TRY(sieve_read_string(ip, &name));
	path = arena_printf(ts->arena, "%s/%s.svbin", ts->tmpdir, name.p);
	sieve_binary_free(ts->compiled);
	ts->compiled = sieve_binary_open(ts->inst, path, &why);
	if (ts->compiled == NULL)
		ts_fail(ip, "test_binary_load: %s: %s", path, why);
	return 0;
}

static const struct sieve_op_def ts_ops[] = {
	[TS_TEST] = { "TEST", "xj", op_test },
	[TS_TEST_FINISH] = { "TEST_FINISH", "", op_test_finish },
	[TS_FAIL] = { "TEST_FAIL", "ox", op_fail },
	[TS_SET] = { "TEST_SET", "oxx", op_set },
	[TS_COMPILE] = { "TEST_SCRIPT_COMPILE", "ox", op_compile },
	[TS_RUN] = { "TEST_SCRIPT_RUN", "o", op_run },
	[TS_MULTISCRIPT] = { "TEST_MULTISCRIPT", "ox", op_multiscript },
	[TS_ERROR] = { "TEST_ERROR", "ox", op_error },
	[TS_RESULT_ACTION] = { "TEST_RESULT_ACTION", "ox", op_result_action },
	[TS_RESULT_EXECUTE] = { "TEST_RESULT_EXECUTE", "", op_result_execute },
	[TS_RESULT_RESET] = { "TEST_RESULT_RESET", "", op_result_reset },
	[TS_RESULT_PRINT] = { "TEST_RESULT_PRINT", "", op_result_print },
	[TS_MESSAGE] = { "TEST_MESSAGE", "xox", op_message },
	[TS_MESSAGE_PRINT] = { "TEST_MESSAGE_PRINT", "", op_message_print },
	[TS_MAILBOX_CREATE] = { "TEST_MAILBOX_CREATE", "ox", op_mailbox_create },
	[TS_MAILBOX_DELETE] = { "TEST_MAILBOX_DELETE", "ox", op_mailbox_delete },
	[TS_CONFIG_SET] = { "TEST_CONFIG_SET", "oxx", op_config_set },
	[TS_CONFIG_UNSET] = { "TEST_CONFIG_UNSET", "ox", op_config_unset },
	[TS_CONFIG_RELOAD] = { "TEST_CONFIG_RELOAD", "o", op_config_reload },
	[TS_BINARY_SAVE] = { "TEST_BINARY_SAVE", "ox", op_binary_save },
	[TS_BINARY_LOAD] = { "TEST_BINARY_LOAD", "ox", op_binary_load },
};

static const struct sieve_tag_def index_tags[] = {
	{ .name = "index", .param = 'n', .code = OPT_INDEX },
	{ .name = NULL },
};
static const struct sieve_tag_def run_tags[] = {
	{ .name = "append_result", .code = OPT_APPEND },
	{ .name = NULL },
};
static const struct sieve_tag_def message_tags[] = {
	{ .name = "smtp", .code = OPT_SMTP, .group = 1 },
	{ .name = "folder", .param = 's', .code = OPT_FOLDER, .group = 1 },
	{ .name = NULL },
};
static const struct sieve_tag_def reload_tags[] = {
	{ .name = "extension", .param = 's', .code = OPT_EXTENSION },
	{ .name = NULL },
};

#define CMD(n, a, o, ...) \
	static const struct sieve_cmd_def cmd_##n = { .name = #n, \
		.kind = SIEVE_COMMAND, .args = a, .op = o, __VA_ARGS__ }
#define TST(n, a, o, ...) \
	static const struct sieve_cmd_def tst_##n = { .name = #n, \
		.kind = SIEVE_TEST, .args = a, .op = o, __VA_ARGS__ }

static const struct sieve_cmd_def cmd_test = {
	.name = "test", .kind = SIEVE_COMMAND, .args = "s",
	.flags = SIEVE_CMDF_BLOCK, .op = TS_TEST, .emit = test_emit,
};
CMD(test_fail, "s", TS_FAIL);
CMD(test_set, "ss", TS_SET);
TST(test_script_compile, "s", TS_COMPILE);
TST(test_script_run, "", TS_RUN, .tags = run_tags);
TST(test_multiscript, "l", TS_MULTISCRIPT);
TST(test_error, "l", TS_ERROR, .tags = index_tags, .flags = SIEVE_CMDF_MATCH);
TST(test_result_action, "l", TS_RESULT_ACTION, .tags = index_tags,
    .flags = SIEVE_CMDF_MATCH);
static const struct sieve_cmd_def tst_test_result = {
	.name = "test_result", .kind = SIEVE_TEST, .args = "l",
	.op = TS_RESULT_ACTION, .tags = index_tags, .flags = SIEVE_CMDF_MATCH,
};
TST(test_result_execute, "", TS_RESULT_EXECUTE);
CMD(test_result_reset, "", TS_RESULT_RESET);
CMD(test_result_print, "", TS_RESULT_PRINT);
static const struct sieve_cmd_def cmd_test_message = {
	.name = "test_message", .kind = SIEVE_COMMAND, .args = "n",
	.flags = SIEVE_CMDF_HYBRID, .op = TS_MESSAGE, .tags = message_tags,
	.validate = message_validate, .emit = hybrid_emit,
};
CMD(test_message_print, "", TS_MESSAGE_PRINT);
CMD(test_mailbox_create, "s", TS_MAILBOX_CREATE);
CMD(test_mailbox_delete, "s", TS_MAILBOX_DELETE);
CMD(test_config_set, "ss", TS_CONFIG_SET);
CMD(test_config_unset, "s", TS_CONFIG_UNSET);
CMD(test_config_reload, "", TS_CONFIG_RELOAD, .tags = reload_tags);
CMD(test_binary_save, "s", TS_BINARY_SAVE);
CMD(test_binary_load, "s", TS_BINARY_LOAD);

static const struct sieve_cmd_def *const ts_cmds[] = {
	&cmd_test, &cmd_test_fail, &cmd_test_set, &tst_test_script_compile,
	&tst_test_script_run, &tst_test_multiscript, &tst_test_error,
	&tst_test_result_action, &tst_test_result, &tst_test_result_execute,
	&cmd_test_result_reset, &cmd_test_result_print, &cmd_test_message,
	&cmd_test_message_print, &cmd_test_mailbox_create,
	&cmd_test_mailbox_delete, &cmd_test_config_set,
	&cmd_test_config_unset, &cmd_test_config_reload,
	&cmd_test_binary_save, &cmd_test_binary_load,
	NULL
};

const struct sieve_ext_def sieve_ext_testsuite = {
	.name = "vnd.dovecot.testsuite",
	.flags = SIEVE_EXTF_HIDDEN,
	.cmds = ts_cmds,
	SIEVE_OPS(ts_ops),
};
