/*
 * interp.c -- the bytecode interpreter: operand decoding, the matching
 * driver, runtime diagnostics and the main loop.
 *
 * Every read is bounds-checked: a binary is a file in the user's home and
 * may be damaged or hand-made, so bad code ends the run with
 * SIEVE_EXEC_CORRUPT (the host recompiles), never with a crash. The loop
 * counts steps (max_steps) and checks the CPU clock every 1024 steps
 * (sieve_max_cpu_time); backward jumps cannot be produced by the compiler
 * but are bounded by the step limit all the same.
 */
#include "sieve_private.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "compare.h"
#include "compile.h"

static const char *const opt_names[] = {
	[SIEVE_OPT_COMPARATOR] = "comparator",
	[SIEVE_OPT_MATCH_TYPE] = "match",
	[SIEVE_OPT_ADDRESS_PART] = "address-part",
	[SIEVE_OPT_COPY] = "copy",
	[SIEVE_OPT_CREATE] = "create",
	[SIEVE_OPT_FLAGS] = "flags",
	[SIEVE_OPT_SPECIALUSE] = "specialuse",
	[SIEVE_OPT_MAILBOXID] = "mailboxid",
	[SIEVE_OPT_INDEX] = "index",
	[SIEVE_OPT_LAST] = "last",
	[SIEVE_OPT_MIME] = "mime",
	[SIEVE_OPT_ANYCHILD] = "anychild",
	[SIEVE_OPT_FCC] = "fcc",
};

const char *
sieve_opt_name(unsigned code)
{
	static char tmp[16];

	if (code < sizeof(opt_names) / sizeof(opt_names[0]) &&
	    opt_names[code])
		return opt_names[code];
	snprintf(tmp, sizeof(tmp), "opt%u", code);
	return tmp;
}

/* ---- diagnostics ------------------------------------------------------- */

unsigned
sieve_interp_line(const struct sieve_interp *ip)
{
	return sieve_binary_block_line_at(ip->bin, ip->block, ip->op_start);
}

static void
runtime_diag(struct sieve_interp *ip, enum sieve_severity sev,
	     const char *fmt, va_list ap)
{
	struct sieve_pos pos = { sieve_interp_line(ip), 0 };

	if (ip->diag)
		sieve_vdiag(ip->diag, sev, pos, fmt, ap);
}

void
sieve_runtime_error(struct sieve_interp *ip, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	runtime_diag(ip, SIEVE_ERROR, fmt, ap);
	va_end(ap);
	if (ip->trace) {
		va_start(ap, fmt);
		fprintf(ip->trace, "  line %u: runtime error: ",
			sieve_interp_line(ip));
		vfprintf(ip->trace, fmt, ap);
		fputc('\n', ip->trace);
		va_end(ap);
	}
}

void
sieve_runtime_warning(struct sieve_interp *ip, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	runtime_diag(ip, SIEVE_WARNING, fmt, ap);
	va_end(ap);
}

void
sieve_trace(struct sieve_interp *ip, const char *fmt, ...)
{
	va_list ap;

	if (ip->trace == NULL)
		return;
	fprintf(ip->trace, "  line %u: ", sieve_interp_line(ip));
	va_start(ap, fmt);
	vfprintf(ip->trace, fmt, ap);
	va_end(ap);
	fputc('\n', ip->trace);
}

const char *
sieve_interp_setting(struct sieve_interp *ip, const char *key)
{
	const struct sieve_host *h = ip->env->host;

	return h && h->setting ? h->setting(h->ctx, key) : NULL;
}

void *
sieve_interp_ext_state(struct sieve_interp *ip, const struct sieve_ext_def *e)
{
	unsigned i;

	for (i = 0; i < ip->nslots; i++)
		if (ip->slots[i] == e)
			return ip->ext_state[i];
	return NULL;
}

static int
corrupt(struct sieve_interp *ip, const char *what)
{
	if (ip->status == SIEVE_EXEC_OK) {
		struct sieve_pos pos = { 0, 0 };

		if (ip->diag)
			sieve_error(ip->diag, pos, "binary is corrupt "
				    "(%s at offset %zu)", what, ip->pc);
	}
	ip->status = SIEVE_EXEC_CORRUPT;
	return SIEVE_EXEC_CORRUPT;
}

/* ---- operands ---------------------------------------------------------- */

static int
read_object(struct sieve_interp *ip, struct sieve_operand *o)
{
	const struct sieve_ext_def *e;
	unsigned slot, idx, k;

	if (ip->code_len - ip->pc < 2)
		return corrupt(ip, "truncated object");
	slot = ip->code[ip->pc];
	idx = ip->code[ip->pc + 1];
	ip->pc += 2;
	if (slot >= ip->nslots)
		return corrupt(ip, "bad object extension");
	e = ip->slots[slot];
	for (k = 0; e->objects && e->objects[k] && k < idx; k++)
		;
	if (e->objects == NULL || e->objects[k] == NULL)
		return corrupt(ip, "bad object");
	o->obj = e->objects[k];
	o->obj_ext = e;
	return 0;
}

int
sieve_read_operand(struct sieve_interp *ip, struct sieve_operand *o)
{
	uint64_t n;

	memset(o, 0, sizeof(*o));
	if (ip->pc >= ip->code_len)
		return corrupt(ip, "truncated operand");
	o->type = ip->code[ip->pc++];
	switch (o->type) {
	case SIEVE_OPND_NONE:
		return 0;
	case SIEVE_OPND_NUMBER:
		if (sieve_get_varint(ip->code, ip->code_len, &ip->pc,
				     &o->number) < 0)
			return corrupt(ip, "bad number");
		return 0;
	case SIEVE_OPND_STRING:
	case SIEVE_OPND_TEMPLATE:
		if (sieve_get_varint(ip->code, ip->code_len, &ip->pc, &n) < 0 ||
		    n >= ip->code_len - ip->pc || ip->code[ip->pc + n] != 0)
			return corrupt(ip, "bad string");
		o->str = (const char *)ip->code + ip->pc;
		o->len = (size_t)n;
		ip->pc += n + 1;
		return 0;
	case SIEVE_OPND_STRLIST: {
		uint64_t i;

		if (sieve_get_varint(ip->code, ip->code_len, &ip->pc, &n) < 0 ||
		    n > ip->code_len - ip->pc)
			return corrupt(ip, "bad string list");
		o->count = (uint32_t)n;
		o->items = ip->code + ip->pc;
		/* skip the items, checking them */
		for (i = 0; i < n; i++) {
			struct sieve_operand item;
			int r = sieve_read_operand(ip, &item);

			if (r < 0)
				return r;
			if (item.type != SIEVE_OPND_STRING &&
			    item.type != SIEVE_OPND_TEMPLATE)
				return corrupt(ip, "bad string list item");
		}
		return 0;
	}
	case SIEVE_OPND_OBJECT:
		return read_object(ip, o);
	case SIEVE_OPND_VARIABLE:
		if (ip->pc >= ip->code_len)
			return corrupt(ip, "bad variable");
		o->scope = ip->code[ip->pc++];
		if (sieve_get_varint(ip->code, ip->code_len, &ip->pc,
				     &o->number) < 0)
			return corrupt(ip, "bad variable");
		return 0;
	}
	return corrupt(ip, "unknown operand type");
}

int
sieve_read_opts(struct sieve_interp *ip, struct sieve_opts *o)
{
	memset(o, 0, sizeof(*o));
	for (;;) {
		unsigned code;
		struct sieve_operand op;
		int r;

		if (ip->pc >= ip->code_len)
			return corrupt(ip, "truncated options");
		code = ip->code[ip->pc++];
		if (code == SIEVE_OPT_END)
			return 0;
		if (code > SIEVE_OPT_MAX)
			return corrupt(ip, "bad option code");
		r = sieve_read_operand(ip, &op);
		if (r < 0)
			return r;
		o->present |= 1ull << code;
		switch (code) {
		case SIEVE_OPT_COMPARATOR:
			if (op.type != SIEVE_OPND_OBJECT ||
			    op.obj->cls != SIEVE_OBJ_COMPARATOR)
				return corrupt(ip, "bad comparator");
			o->cmp = op.obj->comparator;
			break;
		case SIEVE_OPT_MATCH_TYPE:
			if (op.type != SIEVE_OPND_OBJECT ||
			    op.obj->cls != SIEVE_OBJ_MATCH_TYPE)
				return corrupt(ip, "bad match type");
			o->mt = op.obj;
			if (op.obj->param) {
				r = sieve_read_operand(ip, &o->mt_param);
				if (r < 0)
					return r;
			}
			break;
		case SIEVE_OPT_ADDRESS_PART:
			if (op.type != SIEVE_OPND_OBJECT ||
			    op.obj->cls != SIEVE_OBJ_ADDRESS_PART)
				return corrupt(ip, "bad address part");
			o->ap = op.obj;
			break;
		default:
			o->opt[code] = op;
			break;
		}
	}
}

int
sieve_operand_string(struct sieve_interp *ip, const struct sieve_operand *o,
		     struct sieve_str *s)
{
	if (o->type == SIEVE_OPND_STRING) {
		s->p = o->str;
		s->len = o->len;
		return 0;
	}
	if (o->type == SIEVE_OPND_TEMPLATE) {
		if (ip->expand)
			return ip->expand(ip, o->str, o->len, s);
		s->p = o->str;
		s->len = o->len;
		return 0;
	}
	return corrupt(ip, "string expected");
}

int
sieve_read_string(struct sieve_interp *ip, struct sieve_str *s)
{
	struct sieve_operand o;
	int r = sieve_read_operand(ip, &o);

	if (r < 0)
		return r;
	return sieve_operand_string(ip, &o, s);
}

int
sieve_read_number(struct sieve_interp *ip, uint64_t *n)
{
	struct sieve_operand o;
	int r = sieve_read_operand(ip, &o);

	if (r < 0)
		return r;
	if (o.type != SIEVE_OPND_NUMBER)
		return corrupt(ip, "number expected");
	*n = o.number;
	return 0;
}

int
sieve_operand_strlist(struct sieve_interp *ip, const struct sieve_operand *o,
		      struct sieve_str **items, size_t *count)
{
	struct sieve_str *arr;
	size_t save, i;
	int r = 0;

	if (o->type == SIEVE_OPND_STRING || o->type == SIEVE_OPND_TEMPLATE) {
		arr = arena_alloc(ip->arena, sizeof(*arr));
		r = sieve_operand_string(ip, o, arr);
		*items = arr;
		*count = 1;
		return r;
	}
	if (o->type != SIEVE_OPND_STRLIST)
		return corrupt(ip, "string list expected");
	arr = arena_alloc(ip->arena, (o->count ? o->count : 1) * sizeof(*arr));
	save = ip->pc;
	ip->pc = (size_t)(o->items - ip->code);
	for (i = 0; i < o->count && r == 0; i++)
		r = sieve_read_string(ip, &arr[i]);
	ip->pc = save;
	*items = arr;
	*count = o->count;
	return r;
}

int
sieve_read_strlist(struct sieve_interp *ip, struct sieve_str **items,
		   size_t *count)
{
	struct sieve_operand o;
	int r = sieve_read_operand(ip, &o);

	if (r < 0)
		return r;
	return sieve_operand_strlist(ip, &o, items, count);
}

/* ---- matching ---------------------------------------------------------- */

int
sieve_matcher_init(struct sieve_matcher *m, struct sieve_interp *ip,
		   const struct sieve_opts *o, struct sieve_str *keys,
		   size_t nkeys)
{
	memset(m, 0, sizeof(*m));
	m->ip = ip;
	m->cmp = o->cmp ? o->cmp : &sieve_cmp_ascii_casemap;
	m->mt = o->mt ? o->mt : &sieve_obj_match_is;
	m->param = &o->mt_param;
	m->keys = keys;
	m->nkeys = nkeys;
	return 0;
}

int
sieve_matcher_value(struct sieve_matcher *m, const char *v, size_t len)
{
	size_t i;

	m->nvalues++;
	if (m->matched)
		return 1;
	if (m->mt->match_end)	/* :count style: decided at the end */
		return m->mt->match ? m->mt->match(m, v, len, NULL, 0) : 0;
	for (i = 0; i < m->nkeys; i++) {
		int r = m->mt->match(m, v, len, m->keys[i].p, m->keys[i].len);

		if (r < 0)
			return r;
		if (r > 0) {
			m->matched = true;
			if (m->ip->trace)
				sieve_trace(m->ip, "  value \"%.*s\" matches "
					    "key \"%.*s\"",
					    (int)(len > 80 ? 80 : len), v,
					    (int)(m->keys[i].len > 80 ? 80 :
						  m->keys[i].len),
					    m->keys[i].p);
			return 1;
		}
	}
	if (m->ip->trace)
		sieve_trace(m->ip, "  value \"%.*s\" matches no key",
			    (int)(len > 80 ? 80 : len), v);
	return 0;
}

int
sieve_matcher_end(struct sieve_matcher *m)
{
	if (m->mt->match_end && !m->matched) {
		int r = m->mt->match_end(m);

		if (r < 0)
			return r;
		m->matched = r > 0;
	}
	return m->matched ? 1 : 0;
}

int
sieve_matcher_conclude(struct sieve_matcher *m, int r)
{
	if (r >= 0)
		r = sieve_matcher_end(m);
	if (r < 0)
		return r;
	m->ip->reg = r > 0;
	return 0;
}

/* ---- the loop ---------------------------------------------------------- */

static int
check_limits(struct sieve_interp *ip, const struct sieve_limits *lim)
{
	if (lim->max_steps && ip->steps > lim->max_steps) {
		sieve_runtime_error(ip, "execution exceeded the step limit "
				    "(%llu instructions)",
				    (unsigned long long)lim->max_steps);
		return SIEVE_EXEC_LIMIT;
	}
	if (lim->max_cpu_time && (ip->steps & 1023) == 0) {
		struct timespec now;

		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
		if (now.tv_sec - ip->start_sec >= (time_t)lim->max_cpu_time) {
			sieve_runtime_error(ip, "execution exceeded the CPU "
					    "time limit (%u s)",
					    lim->max_cpu_time);
			return SIEVE_EXEC_LIMIT;
		}
	}
	if (lim->max_runtime_memory &&
	    arena_used(ip->arena) > lim->max_runtime_memory) {
		sieve_runtime_error(ip, "execution exceeded the memory limit");
		return SIEVE_EXEC_LIMIT;
	}
	return 0;
}

/* The loop over the current block's code. */
static int
run_loop(struct sieve_interp *ip)
{
	const struct sieve_limits *lim = &ip->bin->inst->limits;
	int status = SIEVE_EXEC_OK;

	while (ip->pc < ip->code_len && !ip->stop && !ip->returned) {
		const struct sieve_ext_def *e = &sieve_ext_core;
		unsigned op;

		ip->op_start = ip->pc;
		ip->steps++;
		if ((status = check_limits(ip, lim)) != 0)
			break;
		op = ip->code[ip->pc++];
		if (op & SIEVE_OP_EXT) {
			unsigned slot = op & 0x7f;

			if (slot == 0 || slot >= ip->nslots ||
			    ip->pc >= ip->code_len) {
				status = corrupt(ip, "bad extension op");
				break;
			}
			e = ip->slots[slot];
			op = ip->code[ip->pc++];
		}
		if (op >= e->nops || e->ops[op].exec == NULL) {
			status = corrupt(ip, "bad op");
			break;
		}
		status = e->ops[op].exec(ip);
		if (status == SIEVE_EXEC_OK && ip->status != SIEVE_EXEC_OK)
			status = ip->status;
		if (status != SIEVE_EXEC_OK)
			break;
	}
	return status;
}

int
sieve_interp_run_block(struct sieve_interp *ip, unsigned blk)
{
	const uint8_t *code = ip->code;
	size_t code_len = ip->code_len, pc = ip->pc, op_start = ip->op_start;
	unsigned block = ip->block, match_count = ip->match_count;
	struct sieve_str match_values[32];
	void *scope;
	int status;

	if (blk == 0 || blk >= ip->bin->nblocks)
		return corrupt(ip, "bad block");
	memcpy(match_values, ip->match_values, sizeof(match_values));
	scope = sieve_variables_push_scope(ip);
	ip->code = ip->bin->blocks[blk].code;
	ip->code_len = ip->bin->blocks[blk].code_len;
	ip->pc = 0;
	ip->block = blk;
	ip->match_count = 0;
	ip->inc_depth++;
	status = run_loop(ip);
	ip->inc_depth--;
	ip->returned = false;
	sieve_variables_pop_scope(ip, scope);
	memcpy(ip->match_values, match_values, sizeof(match_values));
	ip->match_count = match_count;
	ip->code = code;
	ip->code_len = code_len;
	ip->pc = pc;
	ip->op_start = op_start;
	ip->block = block;
	return status;
}

int
sieve_execute(struct sieve_binary *bin, const struct sieve_exec_env *env,
	      struct sieve_result *res)
{
	struct sieve_interp ip;
	struct timespec start;
	struct arena *own = NULL;
	void *states[SIEVE_MAX_SLOTS + 1];
	unsigned i;
	int status = SIEVE_EXEC_OK;

	memset(&ip, 0, sizeof(ip));
	ip.bin = bin;
	ip.env = env;
	ip.result = res;
	ip.arena = env->arena;
	if (ip.arena == NULL)
		ip.arena = own = arena_new(16 * 1024);
	ip.code = bin->code;
	ip.code_len = bin->code_len;
	ip.slots = bin->slots;
	ip.nslots = bin->nslots;
	ip.ext_state = states;
	ip.diag = env->diag;
	ip.trace = env->trace;
	memset(states, 0, sizeof(states));
	for (i = 0; i < bin->nslots; i++)
		if (bin->slots[i]->run_init)
			states[i] = bin->slots[i]->run_init(&ip);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &start);
	ip.start_sec = (long)start.tv_sec;
	sieve_result_begin_script(res, bin->script_name);

	status = run_loop(&ip);
	if (ip.stop)
		sieve_result_set_stopped(res);
	if (status != SIEVE_EXEC_OK && env->trace)
		fprintf(env->trace, "## execution failed: %s\n",
			sieve_exec_status_str(status));
	for (i = 0; i < bin->nslots; i++)
		if (bin->slots[i]->run_free)
			bin->slots[i]->run_free(&ip, states[i]);
	arena_free(own);
	return status;
}

const char *
sieve_exec_status_str(int status)
{
	switch (status) {
	case SIEVE_EXEC_OK:
		return "ok";
	case SIEVE_EXEC_FAILURE:
		return "runtime error";
	case SIEVE_EXEC_TEMPFAIL:
		return "temporary failure";
	case SIEVE_EXEC_CORRUPT:
		return "corrupt binary";
	case SIEVE_EXEC_LIMIT:
		return "resource limit exceeded";
	}
	return "unknown";
}
