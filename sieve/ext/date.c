/*
 * date.c -- RFC 5260 "date": the tests date (section 4) and currentdate
 * (section 5) with :zone and :originalzone (4.1) and every date part of
 * 4.2 (computed by sieve/datetime.c). Implementation: full.
 *
 * date looks at the first field of the name (or the one :index selects,
 * RFC 5260 section 6: sieve/ext/header_index.c), takes the text after
 * its last ';' if it has one (Received:), else the whole value, parses
 * it as an RFC 5322 date-time; a field that is no valid date matches
 * nothing and counts 0 for :count. Without :zone or :originalzone the date is
 * shifted to the local zone. currentdate sees one instant per run: the
 * clock read at its first use, or the host's clock_now (the testsuite's
 * test_set "currentdate"). As Pigeonhole does, an unknown constant date
 * part or :zone is a warning at compile time; at run time an unknown
 * date part makes the test false and an invalid :zone (from a variable)
 * falls back to the local zone, both with a warning.
 */
#include "compile.h"

#include <string.h>
#include <time.h>

#include "arena.h"
#include "datetime.h"
#include "message.h"

#define OPT_ZONE (SIEVE_OPT_CMD + 0)
#define OPT_ORIGINALZONE (SIEVE_OPT_CMD + 1)

enum date_op { DATE_OP_DATE, DATE_OP_CURRENTDATE };

extern const struct sieve_ext_def sieve_ext_date;

#define TRY(expr)				\
	do {					\
		int r_ = (expr);		\
		if (r_ < 0)			\
			return r_;		\
	} while (0)

/* ---- compile-time ------------------------------------------------------ */

static bool
zone_validate(struct sieve_validator *v, struct sieve_ast_arg *tag,
	      struct sieve_ast_arg *param)
{
	if (param && sieve_v_arg_constant(v, param) &&
	    !sieve_datetime_parse_zone(param->u.str.str, param->u.str.len,
				       NULL))
		sieve_v_warning(v, param->pos, "the :zone argument \"%s\" is "
				"not a valid time zone (+hhmm or -hhmm): the "
				"local zone is used", param->u.str.str);
	return true;
}

static bool
field_name_ok(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 33 || (unsigned char)s[i] > 126 ||
		    s[i] == ':')
			return false;
	return len > 0;
}

static bool
date_validate(struct sieve_validator *v, struct sieve_cmd *c)
{
	bool is_date = c->def->op == DATE_OP_DATE;
	struct sieve_ast_arg *part = c->pos[is_date ? 1 : 0];

	if (is_date && sieve_v_arg_constant(v, c->pos[0]) &&
	    !field_name_ok(c->pos[0]->u.str.str, c->pos[0]->u.str.len)) {
		sieve_v_error(v, c->pos[0]->pos, "invalid header name \"%s\"",
			      c->pos[0]->u.str.str);
		return false;
	}
	if (sieve_v_arg_constant(v, part) &&
	    !sieve_datetime_part_known(part->u.str.str))
		sieve_v_warning(v, part->pos, "unknown date part \"%s\": the "
				"test will be false", part->u.str.str);
	return true;
}

/* ---- run-time ---------------------------------------------------------- */

/* The instant currentdate sees, fixed for the run (RFC 5260 5). */
struct date_run {
	bool have_now;
	int64_t now;
	int local_zone;
};

static void *
date_run_init(struct sieve_interp *ip)
{
	return arena_zalloc(ip->arena, sizeof(struct date_run));
}

static void
clock_read(struct sieve_interp *ip, int64_t *now, int *local_zone)
{
	struct date_run *st = sieve_interp_ext_state(ip, &sieve_ext_date);

	if (ip->env->clock_set) {
		*now = ip->env->clock_now;
		*local_zone = ip->env->clock_zone;
		return;
	}
	if (st == NULL) {	/* not in this binary's slots: cannot be */
		*now = (int64_t)time(NULL);
		*local_zone = sieve_datetime_local_zone(*now);
		return;
	}
	if (!st->have_now) {
		st->now = (int64_t)time(NULL);
		st->local_zone = sieve_datetime_local_zone(st->now);
		st->have_now = true;
	}
	*now = st->now;
	*local_zone = st->local_zone;
}

/*
 * The zone to show the date in: :originalzone the date's own, :zone the
 * given one, else the local zone. 0 or a SIEVE_EXEC_* status.
 */
static int
wanted_zone(struct sieve_interp *ip, const struct sieve_opts *o,
	    int original, int local, int *zone)
{
	struct sieve_str s;

	*zone = local;
	if (o->present & (1ull << OPT_ORIGINALZONE)) {
		*zone = original;
	} else if (o->present & (1ull << OPT_ZONE)) {
		TRY(sieve_operand_string(ip, &o->opt[OPT_ZONE], &s));
		if (!sieve_datetime_parse_zone(s.p, s.len, zone)) {
			sieve_runtime_warning(ip, "the :zone argument \"%.*s\" "
					      "is not a valid time zone: using "
					      "the local zone", (int)s.len,
					      s.p);
			*zone = local;
		}
	}
	return 0;
}

/* The date of a field's value: after its last ';' if any. */
static bool
field_date(const char *value, struct sieve_datetime *dt)
{
	const char *semi = strrchr(value, ';');

	if (semi)
		value = semi + 1;
	return sieve_datetime_parse(value, strlen(value), dt);
}

/* Shared by date and currentdate: reads the operands after the header
 * name and matches the date part of dt (NULL: no date) in zone. */
static int
date_match(struct sieve_interp *ip, const struct sieve_opts *o,
	   const struct sieve_datetime *dt, int local, const char *what)
{
	struct sieve_str part, *keys;
	size_t nkeys;
	struct sieve_matcher m;
	char buf[64];
	const char *value = NULL;
	int zone, r = 0;

	TRY(sieve_read_string(ip, &part));
	TRY(sieve_read_strlist(ip, &keys, &nkeys));
	if (!sieve_datetime_part_known(part.p)) {
		sieve_runtime_warning(ip, "%s: unknown date part \"%.*s\"",
				      what, (int)part.len, part.p);
		ip->reg = false;
		return 0;
	}
	sieve_matcher_init(&m, ip, o, keys, nkeys);
	if (dt != NULL) {
		TRY(wanted_zone(ip, o, dt->zone, local, &zone));
		value = sieve_datetime_part(buf, sizeof(buf), part.p, dt->t,
					    zone);
		if (ip->trace)
			sieve_trace(ip, "%s: %s is \"%s\"", what, part.p,
				    value);
		r = sieve_matcher_value(&m, value, strlen(value));
	}
	if ((r = sieve_matcher_conclude(&m, r)) < 0)
		return r;
	sieve_trace(ip, "%s test: %s", what, ip->reg ? "true" : "false");
	return 0;
}

static int
op_date(struct sieve_interp *ip)
{
	struct sieve_opts o;
	struct sieve_str name;
	struct sieve_datetime dt;
	const char *const *values;
	size_t nv = 0, pick = 0;
	int64_t now;
	int local;
	bool have = false;

	TRY(sieve_read_opts(ip, &o));
	TRY(sieve_read_string(ip, &name));
	clock_read(ip, &now, &local);
	if (ip->env->msg)
		nv = sieve_message_header(ip->env->msg, name.p, &values);
	if (!sieve_index_field(&o, nv, &pick))
		pick = 0;	/* RFC 5260 4: the first field */
	if (pick < nv) {
		have = field_date(values[pick], &dt);
		if (ip->trace)
			sieve_trace(ip, "date: field %zu of \"%s\": %s",
				    pick + 1, name.p,
				    have ? "a date" : "no valid date");
	}
	return date_match(ip, &o, have ? &dt : NULL, local, "date");
}

static int
op_currentdate(struct sieve_interp *ip)
{
	struct sieve_opts o;
	struct sieve_datetime dt;
	int local;

	TRY(sieve_read_opts(ip, &o));
	clock_read(ip, &dt.t, &local);
	dt.zone = local;
	return date_match(ip, &o, &dt, local, "currentdate");
}

static const struct sieve_op_def date_ops[] = {
	[DATE_OP_DATE] = { "DATE", "oxxx", op_date },
	[DATE_OP_CURRENTDATE] = { "CURRENTDATE", "oxx", op_currentdate },
};

/* ---- definitions ------------------------------------------------------- */

static const struct sieve_tag_def date_tags[] = {
	{ .name = "zone", .param = 's', .code = OPT_ZONE, .group = 1,
	  .validate = zone_validate },
	{ .name = "originalzone", .code = OPT_ORIGINALZONE, .group = 1 },
	{ .name = NULL },
};

static const struct sieve_tag_def currentdate_tags[] = {
	{ .name = "zone", .param = 's', .code = OPT_ZONE,
	  .validate = zone_validate },
	{ .name = NULL },
};

static const struct sieve_cmd_def tst_date = {
	.name = "date", .kind = SIEVE_TEST, .args = "ssl",
	.argnames = (const char *const[]){ "header name", "date part",
					   "key list", NULL },
	.tags = date_tags, .flags = SIEVE_CMDF_MATCH, .op = DATE_OP_DATE,
	.validate = date_validate,
};

static const struct sieve_cmd_def tst_currentdate = {
	.name = "currentdate", .kind = SIEVE_TEST, .args = "sl",
	.argnames = (const char *const[]){ "date part", "key list", NULL },
	.tags = currentdate_tags, .flags = SIEVE_CMDF_MATCH,
	.op = DATE_OP_CURRENTDATE, .validate = date_validate,
};

const struct sieve_ext_def sieve_ext_date = {
	.name = "date",
	.cmds = (const struct sieve_cmd_def *const[]){ &tst_date,
						       &tst_currentdate,
						       NULL },
	SIEVE_OPS(date_ops),
	.run_init = date_run_init,
};
