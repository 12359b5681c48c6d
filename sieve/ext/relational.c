/*
 * relational.c -- RFC 5231 "relational": the :count and :value match
 * types with a relation "gt" / "ge" / "lt" / "le" / "eq" / "ne".
 * Implementation: full. :value compares each value with each key by the
 * comparator's ordering; :count compares the number of values (as a
 * decimal string) with each key, so it is normally used with
 * "i;ascii-numeric" (RFC 5231 section 4).
 */
#include "compile.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "compare.h"

enum rel { REL_GT, REL_GE, REL_LT, REL_LE, REL_EQ, REL_NE, REL_BAD };

static enum rel
parse_rel(const char *s, size_t len)
{
	static const char *const names[] = { "gt", "ge", "lt", "le", "eq",
					     "ne" };
	unsigned i;

	if (len != 2)
		return REL_BAD;
	for (i = 0; i < 6; i++)
		if (strncasecmp(s, names[i], 2) == 0)
			return (enum rel)i;
	return REL_BAD;
}

static bool
rel_holds(enum rel r, int c)
{
	switch (r) {
	case REL_GT:
		return c > 0;
	case REL_GE:
		return c >= 0;
	case REL_LT:
		return c < 0;
	case REL_LE:
		return c <= 0;
	case REL_EQ:
		return c == 0;
	case REL_NE:
		return c != 0;
	case REL_BAD:
		break;
	}
	return false;
}

static enum rel
matcher_rel(struct sieve_matcher *m)
{
	struct sieve_str s;

	if (m->param == NULL ||
	    sieve_operand_string(m->ip, m->param, &s) < 0)
		return REL_BAD;
	return parse_rel(s.p, s.len);
}

static int
rel_error(struct sieve_matcher *m)
{
	sieve_runtime_error(m->ip, "invalid relation for relational match");
	return SIEVE_EXEC_FAILURE;
}

static int
mt_value(struct sieve_matcher *m, const char *v, size_t vlen, const char *k,
	 size_t klen)
{
	enum rel r = matcher_rel(m);

	if (r == REL_BAD)
		return rel_error(m);
	return rel_holds(r, m->cmp->compare(v, vlen, k, klen));
}

static int
mt_count_value(struct sieve_matcher *m, const char *v, size_t vlen,
	       const char *k, size_t klen)
{
	return 0;	/* counted by the caller (nvalues) */
}

static int
mt_count_end(struct sieve_matcher *m)
{
	enum rel r = matcher_rel(m);
	char num[32];
	size_t i, n;

	if (r == REL_BAD)
		return rel_error(m);
	n = (size_t)snprintf(num, sizeof(num), "%llu",
			     (unsigned long long)m->nvalues);
	for (i = 0; i < m->nkeys; i++)
		if (rel_holds(r, m->cmp->compare(num, n, m->keys[i].p,
						 m->keys[i].len)))
			return 1;
	return 0;
}

/* The relation must be constant and valid; the comparator must order. */
static bool
rel_validate(struct sieve_validator *v, struct sieve_cmd *c)
{
	const struct sieve_comparator *cmp = c->comparator ?
		c->comparator->comparator : &sieve_cmp_ascii_casemap;
	unsigned i;

	for (i = 0; i < c->nopt; i++) {
		struct sieve_ast_arg *p = c->opt[i].param;

		if (c->opt[i].tag != NULL || p == NULL)
			continue;
		if (!sieve_v_arg_constant(v, p))
			continue;
		if (parse_rel(p->u.str.str, p->u.str.len) == REL_BAD) {
			sieve_v_error(v, p->pos, "invalid relation \"%s\" "
				      "for :%s (expected gt, ge, lt, le, eq "
				      "or ne)", p->u.str.str,
				      c->match_type->name);
			return false;
		}
	}
	if (!(cmp->flags & SIEVE_CMP_ORDERING)) {
		sieve_v_error(v, c->node->pos, "comparator '%s' cannot order "
			      "values, as :%s needs", cmp->name,
			      c->match_type->name);
		return false;
	}
	return true;
}

static const struct sieve_object_def obj_value = {
	.name = "value", .cls = SIEVE_OBJ_MATCH_TYPE, .param = 's',
	.validate = rel_validate, .match = mt_value,
};

static const struct sieve_object_def obj_count = {
	.name = "count", .cls = SIEVE_OBJ_MATCH_TYPE, .param = 's',
	.validate = rel_validate, .match = mt_count_value,
	.match_end = mt_count_end,
};

const struct sieve_ext_def sieve_ext_relational = {
	.name = "relational",
	.objects = (const struct sieve_object_def *const[]){ &obj_value,
							     &obj_count,
							     NULL },
};
