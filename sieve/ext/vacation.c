/*
 * vacation.c -- RFC 5230 "vacation" and RFC 6131 "vacation-seconds".
 * Implementation: full on the engine side. The command becomes one
 * SIEVE_ACT_EXT action named "vacation" whose ext_data is a struct
 * sieve_vacation (include/sieve.h); the host decides whether to answer
 * and composes the reply (sieve/vacation_reply.c, sieve_vacation.h).
 *
 *   vacation [":days" number | ":seconds" number] [":subject" string]
 *            [":from" string] [":addresses" string-list] [":mime"]
 *            [":handle" string] <reason: string>
 *
 * Compile time: :seconds only when "vacation-seconds" is required (which
 * implies "vacation", RFC 6131 section 2); :days and :seconds exclude each
 * other; a constant :from must be one valid RFC 5322 mailbox; a constant
 * period outside the site limits draws a warning.
 * Run time: the period is clamped into [sieve_vacation_min_period,
 * sieve_vacation_max_period] (a :days period is never 0: RFC 5230 4.1),
 * :from is checked again after variable expansion, invalid :addresses
 * items are dropped with a warning, a second vacation in one script run
 * is an error (RFC 5230 4.7; one from an earlier script of a sequence
 * wins, the later is ignored) and reject/ereject conflict with it (checked
 * by result.c, RFC 5429 2.1). vacation keeps the implicit keep.
 */
#include "compile.h"

#include <stdio.h>
#include <string.h>

#include "address.h"
#include "arena.h"
#include "sieve_vacation.h"

#define OPT_DAYS (SIEVE_OPT_CMD + 0)
#define OPT_SECONDS (SIEVE_OPT_CMD + 1)
#define OPT_SUBJECT (SIEVE_OPT_CMD + 2)
#define OPT_FROM (SIEVE_OPT_CMD + 3)
#define OPT_ADDRESSES (SIEVE_OPT_CMD + 4)
#define OPT_VMIME (SIEVE_OPT_CMD + 5)
#define OPT_HANDLE (SIEVE_OPT_CMD + 6)

#define DAY 86400ull

extern const struct sieve_ext_def sieve_ext_vacation;

/*
 * A :from value must be exactly one mailbox (display name allowed) with a
 * local part and a domain. Returns NULL when valid, else why not.
 */
static const char *
from_invalid(struct arena *a, const char *s, size_t len)
{
	struct sieve_address *addrs;
	size_t n = sieve_address_list_parse(a, s, len, &addrs);

	if (n == 0)
		return "no address found";
	if (n > 1)
		return "more than one address";
	if (addrs[0].local_part == NULL || addrs[0].domain == NULL ||
	    *addrs[0].local_part == '\0')
		return "invalid address syntax";
	return NULL;
}

/* ---- compile time ------------------------------------------------------ */

static bool
period_validate(struct sieve_validator *v, struct sieve_ast_arg *tag,
		struct sieve_ast_arg *param)
{
	const struct sieve_limits *lim = &v->inst->limits;
	bool days = strcmp(tag->u.tag, "days") == 0;
	uint64_t n = param->u.number;
	uint64_t secs = days ? n * DAY : n;

	if (!days && !sieve_v_ext_required(v, "vacation-seconds")) {
		sieve_v_error(v, tag->pos, "unknown tagged argument ':seconds' "
			      "for the vacation command (requires the "
			      "vacation-seconds extension)");
		return false;
	}
	if (days && n > UINT64_MAX / DAY)
		secs = UINT64_MAX;
	if (secs < lim->vacation_min_period || (days && n == 0))
		sieve_v_warning(v, param->pos, "specified :%s value '%llu' is "
				"under the minimum", tag->u.tag,
				(unsigned long long)n);
	else if (lim->vacation_max_period &&
		 secs > lim->vacation_max_period)
		sieve_v_warning(v, param->pos, "specified :%s value '%llu' is "
				"over the maximum", tag->u.tag,
				(unsigned long long)n);
	return true;
}

static bool
from_validate(struct sieve_validator *v, struct sieve_ast_arg *tag,
	      struct sieve_ast_arg *param)
{
	const char *why;

	(void)tag;
	if (!sieve_v_arg_constant(v, param))
		return true;
	why = from_invalid(sieve_v_arena(v), param->u.str.str,
			   param->u.str.len);
	if (why != NULL) {
		sieve_v_error(v, param->pos, "specified :from address '%.128s' "
			      "is invalid for vacation action: %s",
			      param->u.str.str, why);
		return false;
	}
	return true;
}

/* ---- run time ---------------------------------------------------------- */

/* Per script run: the vacation this run added (the testsuite may switch
 * results within one run: test_result_reset). */
struct vacation_run {
	const struct sieve_result *result;
	unsigned line;
};

static void *
vacation_run_init(struct sieve_interp *ip)
{
	return arena_zalloc(ip->arena, sizeof(struct vacation_run));
}

/* A vacation from an earlier script of the sequence already in the
 * result: its line, else 0. */
static unsigned
earlier_vacation(struct sieve_interp *ip)
{
	const struct sieve_action *const *acts;
	size_t n = sieve_result_actions(ip->result, &acts), i;

	for (i = 0; i < n; i++)
		if (acts[i]->type == SIEVE_ACT_EXT &&
		    strcmp(acts[i]->name, "vacation") == 0)
			return acts[i]->line ? acts[i]->line : 1;
	return 0;
}

static uint64_t
clamp_period(const struct sieve_limits *lim, const struct sieve_opts *o)
{
	uint64_t secs, lo = lim->vacation_min_period;

	if (o->present & (1ull << OPT_DAYS)) {
		uint64_t n = o->opt[OPT_DAYS].number;

		secs = n > UINT64_MAX / DAY ? UINT64_MAX : n * DAY;
		if (lo == 0)
			lo = 1;		/* :days never means "every time" */
	} else if (o->present & (1ull << OPT_SECONDS)) {
		secs = o->opt[OPT_SECONDS].number;
	} else {
		return lim->vacation_default_period;
	}
	if (secs < lo)
		secs = lo;
	if (lim->vacation_max_period && secs > lim->vacation_max_period)
		secs = lim->vacation_max_period;
	return secs;
}

static int
opt_string(struct sieve_interp *ip, const struct sieve_opts *o, unsigned code,
	   const char **out)
{
	struct sieve_str s;
	int r;

	*out = NULL;
	if (!(o->present & (1ull << code)))
		return 0;
	if ((r = sieve_operand_string(ip, &o->opt[code], &s)) < 0)
		return r;
	*out = arena_strndup(ip->arena, s.p, s.len);
	return 0;
}

/* The text of a string operand as written in the script. */
static const char *
raw_string(struct sieve_interp *ip, const struct sieve_operand *op)
{
	return arena_strndup(ip->arena, op->str ? op->str : "", op->len);
}

static const char *
raw_opt(struct sieve_interp *ip, const struct sieve_opts *o, unsigned code)
{
	if (!(o->present & (1ull << code)))
		return NULL;
	return raw_string(ip, &o->opt[code]);
}

static int
op_vacation(struct sieve_interp *ip)
{
	struct vacation_run *run = sieve_interp_ext_state(ip,
							  &sieve_ext_vacation);
	struct sieve_vacation *vac;
	struct sieve_action *a;
	struct sieve_opts o;
	struct sieve_operand rop;
	struct sieve_str reason;
	const char *why;
	unsigned line = 0;
	int r;

	if ((r = sieve_read_opts(ip, &o)) < 0 ||
	    (r = sieve_read_operand(ip, &rop)) < 0 ||
	    (r = sieve_operand_string(ip, &rop, &reason)) < 0)
		return r;
	if (run != NULL && run->line != 0 && run->result == ip->result) {
		sieve_runtime_error(ip, "duplicate vacation action not allowed "
				    "(previously triggered one was here: "
				    "line %u)", run->line);
		return SIEVE_EXEC_FAILURE;
	}
	if ((line = earlier_vacation(ip)) != 0) {
		sieve_trace(ip, "vacation: ignored, an earlier script already "
			    "answers (line %u)", line);
		return 0;
	}
	vac = arena_zalloc(ip->arena, sizeof(*vac));
	vac->reason = arena_strndup(ip->arena, reason.p, reason.len);
	vac->period = clamp_period(&ip->bin->inst->limits, &o);
	vac->mime = (o.present & (1ull << OPT_VMIME)) != 0;
	if ((r = opt_string(ip, &o, OPT_SUBJECT, &vac->subject)) < 0 ||
	    (r = opt_string(ip, &o, OPT_FROM, &vac->from)) < 0 ||
	    (r = opt_string(ip, &o, OPT_HANDLE, &vac->handle)) < 0)
		return r;
	if (vac->handle == NULL)
		/* RFC 5230 4.2: from the arguments before expansion, so that
		 * ":subject "Re: ${1}"" stays one response */
		vac->auto_handle = sieve_vacation_derive_handle(ip->arena,
			raw_string(ip, &rop),
			raw_opt(ip, &o, OPT_SUBJECT), raw_opt(ip, &o, OPT_FROM),
			vac->mime);
	if (vac->from != NULL &&
	    (why = from_invalid(ip->arena, vac->from,
				strlen(vac->from))) != NULL) {
		sieve_runtime_error(ip, "specified :from address '%.128s' is "
				    "invalid for vacation action: %s",
				    vac->from, why);
		return SIEVE_EXEC_FAILURE;
	}
	if (o.present & (1ull << OPT_ADDRESSES)) {
		struct sieve_str *items;
		size_t n, i, k = 0;
		const char **list;

		if ((r = sieve_operand_strlist(ip, &o.opt[OPT_ADDRESSES],
					       &items, &n)) < 0)
			return r;
		list = arena_alloc(ip->arena, (n + 1) * sizeof(*list));
		for (i = 0; i < n; i++) {
			struct sieve_address ad;

			if (!sieve_address_parse_path(ip->arena, items[i].p,
						      items[i].len, &ad) ||
			    ad.domain == NULL) {
				sieve_runtime_warning(ip, "specified :addresses "
						      "item '%.128s' is invalid "
						      "for vacation action "
						      "(ignored)", items[i].p);
				continue;
			}
			list[k++] = ad.all;
		}
		list[k] = NULL;
		vac->addresses = list;
	}
	a = sieve_result_add(ip, SIEVE_ACT_EXT, "vacation", reason.p,
			     reason.len, true);
	if (a == NULL)
		return SIEVE_EXEC_FAILURE;
	a->copy = false;	/* kept the implicit keep; not a :copy */
	a->ext_data = vac;
	if (run != NULL) {
		run->result = ip->result;
		run->line = sieve_interp_line(ip);
	}
	sieve_trace(ip, "vacation: period %llus%s%s", (unsigned long long)
		    vac->period, vac->subject ? ", subject " : "",
		    vac->subject ? vac->subject : "");
	return 0;
}

/* ---- definitions ------------------------------------------------------- */

static const struct sieve_op_def vacation_ops[] = {
	{ "VACATION", "ox", op_vacation },
};

static const struct sieve_tag_def vacation_tags[] = {
	{ .name = "days", .param = 'n', .code = OPT_DAYS, .group = 1,
	  .validate = period_validate },
	{ .name = "seconds", .param = 'n', .code = OPT_SECONDS, .group = 1,
	  .validate = period_validate },
	{ .name = "subject", .param = 's', .code = OPT_SUBJECT },
	{ .name = "from", .param = 's', .code = OPT_FROM,
	  .validate = from_validate },
	{ .name = "addresses", .param = 'l', .code = OPT_ADDRESSES },
	{ .name = "mime", .code = OPT_VMIME },
	{ .name = "handle", .param = 's', .code = OPT_HANDLE },
	{ .name = NULL },
};

static const struct sieve_cmd_def cmd_vacation = {
	.name = "vacation", .kind = SIEVE_COMMAND, .args = "s", .op = 0,
	.argnames = (const char *const[]){ "reason", NULL },
	.tags = vacation_tags,
};

const struct sieve_ext_def sieve_ext_vacation = {
	.name = "vacation",
	.cmds = (const struct sieve_cmd_def *const[]){ &cmd_vacation, NULL },
	SIEVE_OPS(vacation_ops),
	.run_init = vacation_run_init,
};

/* "vacation-seconds" implies "vacation" (RFC 6131 section 2). */
static bool
seconds_on_require(struct sieve_validator *v, const struct sieve_ext_def *e)
{
	int i = sieve_ext_index("vacation");

	(void)e;
	if (i < 0 || !v->inst->enabled[i]) {
		sieve_v_error(v, (struct sieve_pos){ 0 }, "vacation-seconds: the vacation extension is "
			      "not enabled");
		return false;
	}
	if (!v->required[i]) {
		v->required[i] = true;
		sieve_g_slot(&v->g, &sieve_ext_vacation);
	}
	return true;
}

const struct sieve_ext_def sieve_ext_vacation_seconds = {
	.name = "vacation-seconds",
	.on_require = seconds_on_require,
};
