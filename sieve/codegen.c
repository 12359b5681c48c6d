/*
 * codegen.c -- bytecode emission.
 *
 * Code layout (see sieve_ext.h for operands):
 *   core op:       one byte < 0x80 (enum sieve_core_op)
 *   extension op:  0x80 | slot, then the op's index in that extension
 *   jumps:         op, then a 4-byte little-endian absolute target
 * The line table holds (pc delta, line) varint pairs, one per emitted op
 * whose line differs from the previous entry, for runtime messages.
 * Output depends only on the script: compiling twice gives the same bytes.
 */
#include "compile.h"

#include <string.h>

#include "arena.h"

void
sieve_put_varint(struct buf *b, uint64_t v)
{
	uint8_t tmp[10];
	size_t n = 0;

	do {
		uint8_t byte = v & 0x7f;

		v >>= 7;
		tmp[n++] = byte | (v ? 0x80 : 0);
	} while (v);
	buf_append(b, tmp, n);
}

int
sieve_get_varint(const uint8_t *p, size_t len, size_t *pos, uint64_t *v)
{
	uint64_t r = 0;
	unsigned shift = 0;

	while (*pos < len) {
		uint8_t byte = p[(*pos)++];

		if (shift > 63 || (shift == 63 && (byte & 0x7e)))
			return -1;
		r |= (uint64_t)(byte & 0x7f) << shift;
		if (!(byte & 0x80)) {
			*v = r;
			return 0;
		}
		shift += 7;
	}
	return -1;
}

void
sieve_g_init(struct sieve_codegen *g, struct sieve_validator *v)
{
	memset(g, 0, sizeof(*g));
	g->v = v;
	g->slots[0] = &sieve_ext_core;
	g->nslots = 1;
}

void
sieve_g_free(struct sieve_codegen *g)
{
	buf_free(&g->code);
	buf_free(&g->lines);
}

unsigned
sieve_g_slot(struct sieve_codegen *g, const struct sieve_ext_def *e)
{
	unsigned i;

	if (e == NULL || (e->flags & SIEVE_EXTF_CORE))
		return 0;
	for (i = 1; i < g->nslots; i++)
		if (g->slots[i] == e)
			return i;
	if (g->nslots > SIEVE_MAX_SLOTS)
		return 0;	/* cannot happen: fewer extensions exist */
	g->slots[g->nslots] = e;
	return g->nslots++;
}

static void
mark_line(struct sieve_codegen *g, unsigned line)
{
	if (line == 0 || line == g->line)
		return;
	sieve_put_varint(&g->lines, g->code.len - g->line_pc);
	sieve_put_varint(&g->lines, line);
	g->line_pc = g->code.len;
	g->line = line;
}

void
sieve_g_byte(struct sieve_codegen *g, uint8_t b)
{
	buf_putc(&g->code, (char)b);
}

void
sieve_g_core_op(struct sieve_codegen *g, uint8_t op, unsigned line)
{
	mark_line(g, line);
	sieve_g_byte(g, op);
}

void
sieve_g_op(struct sieve_codegen *g, const struct sieve_ext_def *ext,
	   uint8_t op, unsigned line)
{
	unsigned slot = sieve_g_slot(g, ext);

	mark_line(g, line);
	if (slot == 0) {
		sieve_g_byte(g, op);
	} else {
		sieve_g_byte(g, (uint8_t)(SIEVE_OP_EXT | slot));
		sieve_g_byte(g, op);
	}
}

size_t
sieve_g_jump(struct sieve_codegen *g, uint8_t op, unsigned line)
{
	static const uint8_t zero[4];
	size_t at;

	sieve_g_core_op(g, op, line);
	at = g->code.len;
	buf_append(&g->code, zero, 4);
	return at;
}

void
sieve_g_patch_here(struct sieve_codegen *g, size_t at)
{
	uint32_t target = (uint32_t)g->code.len;
	uint8_t *p = (uint8_t *)g->code.data + at;

	p[0] = target & 0xff;
	p[1] = (target >> 8) & 0xff;
	p[2] = (target >> 16) & 0xff;
	p[3] = (target >> 24) & 0xff;
}

void
sieve_g_number(struct sieve_codegen *g, uint64_t n)
{
	sieve_g_byte(g, SIEVE_OPND_NUMBER);
	sieve_put_varint(&g->code, n);
}

void
sieve_g_none(struct sieve_codegen *g)
{
	sieve_g_byte(g, SIEVE_OPND_NONE);
}

static void
put_string(struct sieve_codegen *g, const char *s, size_t len)
{
	bool tpl = g->templates && memmem(s, len, "${", 2) != NULL;

	sieve_g_byte(g, tpl ? SIEVE_OPND_TEMPLATE : SIEVE_OPND_STRING);
	sieve_put_varint(&g->code, len);
	buf_append(&g->code, s, len);
	sieve_g_byte(g, 0);
}

void
sieve_g_string(struct sieve_codegen *g, const char *s, size_t len)
{
	put_string(g, s, len);
}

void
sieve_g_arg(struct sieve_codegen *g, const struct sieve_ast_arg *a)
{
	size_t i;

	switch (a->type) {
	case SIEVE_ARG_NUMBER:
		sieve_g_number(g, a->u.number);
		break;
	case SIEVE_ARG_STRING:
		put_string(g, a->u.str.str, a->u.str.len);
		break;
	case SIEVE_ARG_STRLIST:
		sieve_g_byte(g, SIEVE_OPND_STRLIST);
		sieve_put_varint(&g->code, a->u.list.count);
		for (i = 0; i < a->u.list.count; i++)
			put_string(g, a->u.list.items[i].str,
				   a->u.list.items[i].len);
		break;
	case SIEVE_ARG_TAG:
		sieve_g_none(g);
		break;
	}
}

static unsigned
object_index(const struct sieve_ext_def *e, const struct sieve_object_def *o)
{
	unsigned i;

	for (i = 0; e->objects && e->objects[i]; i++)
		if (e->objects[i] == o)
			return i;
	return 0;
}

/* Finds the extension owning an object (core first). */
static const struct sieve_ext_def *
object_owner(const struct sieve_object_def *o)
{
	unsigned i, k;

	for (i = 0; i < sieve_extension_count; i++) {
		const struct sieve_ext_def *e = sieve_extensions[i];

		for (k = 0; e->objects && e->objects[k]; k++)
			if (e->objects[k] == o)
				return e;
	}
	return &sieve_ext_core;
}

void
sieve_g_object(struct sieve_codegen *g, const struct sieve_object_def *o)
{
	const struct sieve_ext_def *e = object_owner(o);

	sieve_g_byte(g, SIEVE_OPND_OBJECT);
	sieve_g_byte(g, (uint8_t)sieve_g_slot(g, e));
	sieve_g_byte(g, (uint8_t)object_index(e, o));
}

void
sieve_g_operands(struct sieve_codegen *g, struct sieve_cmd *c)
{
	unsigned i;

	if (c->comparator) {
		sieve_g_byte(g, SIEVE_OPT_COMPARATOR);
		sieve_g_object(g, c->comparator);
	}
	if (c->match_type) {
		sieve_g_byte(g, SIEVE_OPT_MATCH_TYPE);
		sieve_g_object(g, c->match_type);
		if (c->match_type->param) {
			/* the parameter was kept as a tag-less opt slot */
			for (i = 0; i < c->nopt; i++)
				if (c->opt[i].tag == NULL && c->opt[i].param)
					break;
			if (i < c->nopt)
				sieve_g_arg(g, c->opt[i].param);
			else
				sieve_g_none(g);
		}
	}
	if (c->address_part) {
		sieve_g_byte(g, SIEVE_OPT_ADDRESS_PART);
		sieve_g_object(g, c->address_part);
	}
	for (i = 0; i < c->nopt; i++) {
		if (c->opt[i].tag == NULL)
			continue;
		if (c->opt[i].ext)
			sieve_g_slot(g, c->opt[i].ext);
		sieve_g_byte(g, c->opt[i].tag->code);
		if (c->opt[i].param)
			sieve_g_arg(g, c->opt[i].param);
		else
			sieve_g_none(g);
	}
	sieve_g_byte(g, SIEVE_OPT_END);
	for (i = 0; i < c->npos; i++)
		sieve_g_arg(g, c->pos[i]);
}
