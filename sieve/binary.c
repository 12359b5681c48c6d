/*
 * binary.c -- the compiled script container (.svbin): build, save, load,
 * dump.
 *
 * Layout, all integers little-endian:
 *    0  "TAMISSVB"               magic
 *    8  u32 version              SIEVE_BINARY_VERSION
 *   12  u32 size                 whole file
 *   16  u64 checksum             of bytes 24..size
 *   24  u32 next                 number of extension names
 *       next x (u8 len, name)    slot 1.. in order (slot 0 = core)
 *       u32 nblocks              >= 1; block 0 is the main script, the
 *                                others included scripts (RFC 6609)
 *       nblocks x (u32 len, script name; u32 len, code;
 *                  u32 len, line table)
 *       u32 ndeps                included script files
 *       ndeps x (u32 len, path; u64 mtime seconds, -1 when the file was
 *                missing; u32 nanoseconds; u64 size)
 * sieve_binary_open also stats every dependency: a changed, appeared or
 * vanished included script makes the binary stale.
 * Loading maps the file and checks magic, version, size, checksum and that
 * every named extension is known and enabled; nothing is parsed. Anything
 * wrong makes the loader return NULL with a reason, and the caller
 * recompiles from source.
 */
#include "sieve_private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "ast.h"

#define MAX_BLOCKS 65536

#define HDR_SIZE 24

static void
put_u32(struct buf *b, uint32_t v)
{
	uint8_t t[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff,
			 (v >> 24) & 0xff };

	buf_append(b, t, 4);
}

static uint32_t
get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void
put_u64(struct buf *b, uint64_t v)
{
	put_u32(b, (uint32_t)v);
	put_u32(b, (uint32_t)(v >> 32));
}

static uint64_t
get_u64(const uint8_t *p)
{
	return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

/* A fast 64-bit checksum, eight bytes at a time (not cryptographic: it
 * catches truncation and corruption, not forgery). */
static uint64_t
checksum(const uint8_t *p, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ n;

	while (n >= 8) {
		uint64_t w;

		memcpy(&w, p, 8);
		h ^= w;
		h *= 0xff51afd7ed558ccdull;
		h ^= h >> 32;
		p += 8;
		n -= 8;
	}
	while (n--) {
		h ^= *p++;
		h *= 0xc4ceb9fe1a85ec53ull;
	}
	h ^= h >> 29;
	return h;
}

/*
 * Parses and checks an image. On success fills bin's pointers; returns a
 * static reason on failure.
 */
static const char *
parse_image(struct sieve_binary *bin)
{
	const uint8_t *p = bin->data;
	size_t size = bin->size, pos;
	uint32_t next, len, i;

	if (size < HDR_SIZE + 4 || memcmp(p, SIEVE_BINARY_MAGIC, 8) != 0)
		return "not a tamis Sieve binary";
	if (get_u32(p + 8) != SIEVE_BINARY_VERSION)
		return "binary from another version";
	if (get_u32(p + 12) != size)
		return "binary truncated";
	if (get_u64(p + 16) != checksum(p + HDR_SIZE, size - HDR_SIZE))
		return "binary checksum mismatch";
	pos = HDR_SIZE;
	next = get_u32(p + pos);
	pos += 4;
	if (next > SIEVE_MAX_SLOTS)
		return "binary corrupt (extension table)";
	bin->slots[0] = &sieve_ext_core;
	bin->nslots = 1;
	for (i = 0; i < next; i++) {
		char name[256];
		const struct sieve_ext_def *e;

		if (pos >= size)
			return "binary corrupt (extension table)";
		len = p[pos++];
		if (len > size - pos)
			return "binary corrupt (extension table)";
		memcpy(name, p + pos, len);
		name[len] = '\0';
		pos += len;
		e = sieve_ext_find(name);
		if (e == NULL)
			return "binary uses an unknown extension";
		if (bin->inst && !sieve_ext_enabled(bin->inst, e))
			return "binary uses a disabled extension";
		bin->slots[bin->nslots++] = e;
	}
#define TAKE(ptr, l)							\
	do {								\
		if (size - pos < 4)					\
			return "binary corrupt (sections)";		\
		l = get_u32(p + pos);					\
		pos += 4;						\
		if (l > size - pos)					\
			return "binary corrupt (sections)";		\
		ptr = p + pos;						\
		pos += l;						\
	} while (0)
	if (size - pos < 4)
		return "binary corrupt (blocks)";
	bin->nblocks = get_u32(p + pos);
	pos += 4;
	if (bin->nblocks == 0 || bin->nblocks > MAX_BLOCKS ||
	    bin->nblocks > (size - pos) / 12)
		return "binary corrupt (blocks)";
	bin->blocks = xcalloc(bin->nblocks, sizeof(*bin->blocks));
	for (i = 0; i < bin->nblocks; i++) {
		struct sieve_binary_block *bl = &bin->blocks[i];
		const uint8_t *name;
		uint32_t nlen, clen, llen;

		TAKE(name, nlen);
		TAKE(bl->code, clen);
		TAKE(bl->lines, llen);
		bl->code_len = clen;
		bl->lines_len = llen;
		bl->name = xstrndup((const char *)name, nlen);
	}
	if (size - pos < 4)
		return "binary corrupt (dependencies)";
	bin->ndeps = get_u32(p + pos);
	pos += 4;
	if (bin->ndeps > (size - pos) / 24)
		return "binary corrupt (dependencies)";
	bin->deps = xcalloc(bin->ndeps ? bin->ndeps : 1, sizeof(*bin->deps));
	for (i = 0; i < bin->ndeps; i++) {
		struct sieve_binary_dep *dep = &bin->deps[i];
		const uint8_t *path;
		uint32_t plen;

		TAKE(path, plen);
		if (size - pos < 20)
			return "binary corrupt (dependencies)";
		dep->path = xstrndup((const char *)path, plen);
		dep->mtime = (int64_t)get_u64(p + pos);
		dep->mtime_ns = get_u32(p + pos + 8);
		dep->size = get_u64(p + pos + 12);
		pos += 20;
	}
#undef TAKE
	bin->script_name = bin->blocks[0].name;
	bin->code = bin->blocks[0].code;
	bin->code_len = bin->blocks[0].code_len;
	bin->lines = bin->blocks[0].lines;
	bin->lines_len = bin->blocks[0].lines_len;
	if (pos != size)
		return "binary corrupt (trailing data)";
	return NULL;
}

struct sieve_binary *
sieve_binary_build(struct sieve_instance *inst,
		   const struct sieve_ext_def *const *exts, unsigned nexts,
		   const struct sieve_block_src *blocks, unsigned nblocks,
		   const struct sieve_binary_dep *deps, unsigned ndeps)
{
	struct buf b = BUF_INIT;
	struct sieve_binary *bin;
	const char *why;
	unsigned i;
	uint64_t sum;

	buf_append(&b, SIEVE_BINARY_MAGIC, 8);
	put_u32(&b, SIEVE_BINARY_VERSION);
	put_u32(&b, 0);			/* size, patched below */
	buf_append(&b, "\0\0\0\0\0\0\0\0", 8);	/* checksum */
	put_u32(&b, nexts - 1);
	for (i = 1; i < nexts; i++) {
		size_t n = strlen(exts[i]->name);

		buf_putc(&b, (char)n);
		buf_append(&b, exts[i]->name, n);
	}
	put_u32(&b, nblocks);
	for (i = 0; i < nblocks; i++) {
		const char *name = blocks[i].name ? blocks[i].name : "";

		put_u32(&b, (uint32_t)strlen(name));
		buf_puts(&b, name);
		put_u32(&b, (uint32_t)blocks[i].code->len);
		buf_append(&b, blocks[i].code->data, blocks[i].code->len);
		put_u32(&b, (uint32_t)blocks[i].lines->len);
		buf_append(&b, blocks[i].lines->data, blocks[i].lines->len);
	}
	put_u32(&b, ndeps);
	for (i = 0; i < ndeps; i++) {
		put_u32(&b, (uint32_t)strlen(deps[i].path));
		buf_puts(&b, deps[i].path);
		put_u64(&b, (uint64_t)deps[i].mtime);
		put_u32(&b, deps[i].mtime_ns);
		put_u64(&b, deps[i].size);
	}
	{
		uint8_t *d = (uint8_t *)b.data;
		uint32_t size = (uint32_t)b.len;

		d[12] = size & 0xff;
		d[13] = (size >> 8) & 0xff;
		d[14] = (size >> 16) & 0xff;
		d[15] = (size >> 24) & 0xff;
		sum = checksum(d + HDR_SIZE, b.len - HDR_SIZE);
		for (i = 0; i < 8; i++)
			d[16 + i] = (sum >> (8 * i)) & 0xff;
	}
	bin = xcalloc(1, sizeof(*bin));
	bin->inst = inst;
	bin->size = b.len;
	bin->data = (const uint8_t *)buf_steal(&b, NULL);
	why = parse_image(bin);
	if (why != NULL) {	/* cannot happen: we just built it */
		sieve_binary_free(bin);
		return NULL;
	}
	return bin;
}

void
sieve_binary_free(struct sieve_binary *bin)
{
	if (bin == NULL)
		return;
	if (bin->mapped)
		munmap((void *)bin->data, bin->size);
	else
		free((void *)bin->data);
	if (bin->blocks) {
		unsigned i;

		for (i = 0; i < bin->nblocks; i++)
			free(bin->blocks[i].name);
		free(bin->blocks);
	}
	if (bin->deps) {
		unsigned i;

		for (i = 0; i < bin->ndeps; i++)
			free(bin->deps[i].path);
		free(bin->deps);
	}
	free(bin);
}

const void *
sieve_binary_data(const struct sieve_binary *bin, size_t *len)
{
	*len = bin->size;
	return bin->data;
}

const char *
sieve_binary_script_name(const struct sieve_binary *bin)
{
	return bin->script_name;
}

struct sieve_binary *
sieve_binary_from_data(struct sieve_instance *inst, const void *data,
		       size_t len, const char **why)
{
	struct sieve_binary *bin = xcalloc(1, sizeof(*bin));
	const char *reason;

	bin->inst = inst;
	bin->size = len;
	{
		uint8_t *copy = xmalloc(len ? len : 1);

		if (len)
			memcpy(copy, data, len);
		bin->data = copy;
	}
	reason = parse_image(bin);
	if (reason) {
		if (why)
			*why = reason;
		sieve_binary_free(bin);
		return NULL;
	}
	return bin;
}

void
sieve_binary_dep_stat(struct sieve_binary_dep *dep, const char *path)
{
	struct stat st;

	dep->path = (char *)path;
	if (stat(path, &st) < 0) {
		dep->mtime = -1;
		dep->mtime_ns = 0;
		dep->size = 0;
		return;
	}
	dep->mtime = (int64_t)st.st_mtim.tv_sec;
	dep->mtime_ns = (uint32_t)st.st_mtim.tv_nsec;
	dep->size = (uint64_t)st.st_size;
}

/* NULL when every included script is as it was at compile time. */
static const char *
deps_changed(const struct sieve_binary *bin)
{
	unsigned i;

	for (i = 0; i < bin->ndeps; i++) {
		struct sieve_binary_dep now;

		sieve_binary_dep_stat(&now, bin->deps[i].path);
		if (now.mtime != bin->deps[i].mtime ||
		    now.mtime_ns != bin->deps[i].mtime_ns ||
		    now.size != bin->deps[i].size)
			return "an included script changed";
	}
	return NULL;
}

struct sieve_binary *
sieve_binary_open(struct sieve_instance *inst, const char *path,
		  const char **why)
{
	struct sieve_binary *bin;
	struct stat st;
	const char *reason;
	void *map;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (why)
			*why = errno == ENOENT ? "no binary" :
						 "cannot open binary";
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size < HDR_SIZE || st.st_size > (off_t)UINT32_MAX) {
		close(fd);
		if (why)
			*why = "not a tamis Sieve binary";
		return NULL;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		if (why)
			*why = "cannot map binary";
		return NULL;
	}
	bin = xcalloc(1, sizeof(*bin));
	bin->inst = inst;
	bin->data = map;
	bin->size = (size_t)st.st_size;
	bin->mapped = true;
	reason = parse_image(bin);
	if (reason == NULL)
		reason = deps_changed(bin);
	if (reason) {
		if (why)
			*why = reason;
		sieve_binary_free(bin);
		return NULL;
	}
	return bin;
}

/* Writes into an existing non-regular file (/dev/null, /dev/stdout): a
 * rename over it would replace the device with a plain file. */
static int
write_in_place(const struct sieve_binary *bin, const char *path)
{
	const uint8_t *p = bin->data;
	size_t left = bin->size;
	int fd = open(path, O_WRONLY | O_CLOEXEC), saved;

	if (fd < 0)
		return -1;
	while (left > 0) {
		ssize_t n = write(fd, p, left);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
		p += n;
		left -= (size_t)n;
	}
	return close(fd);
}

/* Writes to a temporary file beside path, fsyncs, renames over path. */
int
sieve_binary_save(const struct sieve_binary *bin, const char *path)
{
	size_t plen = strlen(path);
	char *tmp;
	const uint8_t *p = bin->data;
	size_t left = bin->size;
	struct stat st;
	int fd, saved;

	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (S_ISDIR(st.st_mode)) {
			errno = EISDIR;
			return -1;
		}
		return write_in_place(bin, path);
	}
	tmp = xmalloc(plen + 32);

	snprintf(tmp, plen + 32, "%s.%ld.tmp", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		free(tmp);
		return -1;
	}
	while (left > 0) {
		ssize_t n = write(fd, p, left);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		p += n;
		left -= (size_t)n;
	}
	if (fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		goto fail;
	free(tmp);
	return 0;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	errno = saved;
	return -1;
}

unsigned
sieve_binary_line_at(const struct sieve_binary *bin, size_t pc)
{
	return sieve_binary_block_line_at(bin, 0, pc);
}

unsigned
sieve_binary_block_line_at(const struct sieve_binary *bin, unsigned block,
			   size_t pc)
{
	const uint8_t *lines;
	size_t pos = 0, at = 0, lines_len;
	unsigned line = 0;

	if (block >= bin->nblocks)
		return 0;
	lines = bin->blocks[block].lines;
	lines_len = bin->blocks[block].lines_len;
	while (pos < lines_len) {
		uint64_t delta, l;

		if (sieve_get_varint(lines, lines_len, &pos, &delta) < 0 ||
		    sieve_get_varint(lines, lines_len, &pos, &l) < 0)
			break;
		if (at + delta > pc)
			break;
		at += delta;
		line = (unsigned)l;
	}
	return line;
}

/* ---- dump -------------------------------------------------------------- */


int
sieve_dump_operand(const struct sieve_binary *bin, size_t *pc, FILE *out)
{
	const uint8_t *code = bin->code;
	size_t len = bin->code_len;
	uint64_t n, i;
	uint8_t type;

	if (*pc >= len)
		return -1;
	type = code[(*pc)++];
	switch (type) {
	case SIEVE_OPND_NONE:
		fputs("-", out);
		return 0;
	case SIEVE_OPND_NUMBER:
		if (sieve_get_varint(code, len, pc, &n) < 0)
			return -1;
		fprintf(out, "%llu", (unsigned long long)n);
		return 0;
	case SIEVE_OPND_STRING:
	case SIEVE_OPND_TEMPLATE:
		if (sieve_get_varint(code, len, pc, &n) < 0 ||
		    n >= len - *pc)
			return -1;
		if (type == SIEVE_OPND_TEMPLATE)
			fputs("tpl:", out);
		sieve_print_escaped((const char *)code + *pc,
				    n > 200 ? 200 : n, out);
		if (n > 200)
			fputs("...", out);
		*pc += n + 1;
		return 0;
	case SIEVE_OPND_STRLIST:
		if (sieve_get_varint(code, len, pc, &n) < 0 || n > len)
			return -1;
		fputs("[", out);
		for (i = 0; i < n; i++) {
			if (i)
				fputs(", ", out);
			if (sieve_dump_operand(bin, pc, out) < 0)
				return -1;
		}
		fputs("]", out);
		return 0;
	case SIEVE_OPND_OBJECT: {
		const struct sieve_ext_def *e;
		const struct sieve_object_def *o;
		unsigned k, idx;

		if (len - *pc < 2 || code[*pc] >= bin->nslots)
			return -1;
		e = bin->slots[code[*pc]];
		idx = code[*pc + 1];
		*pc += 2;
		for (k = 0; e->objects && e->objects[k] && k < idx; k++)
			;
		if (e->objects == NULL || e->objects[k] == NULL)
			return -1;
		o = e->objects[k];
		fprintf(out, "%s%s", o->cls == SIEVE_OBJ_COMPARATOR ? "" : ":",
			o->name);
		if (o->param) {
			fputs(" ", out);
			return sieve_dump_operand(bin, pc, out);
		}
		return 0;
	}
	case SIEVE_OPND_VARIABLE:
		if (*pc >= len)
			return -1;
		fprintf(out, "var[%u:", code[(*pc)++]);
		if (sieve_get_varint(code, len, pc, &n) < 0)
			return -1;
		fprintf(out, "%llu]", (unsigned long long)n);
		return 0;
	}
	return -1;
}

static void
dump_block(const struct sieve_binary *bin, unsigned block, FILE *out)
{
	size_t pc = 0;
	unsigned last_line = 0;

	while (pc < bin->code_len) {
		const struct sieve_ext_def *e = &sieve_ext_core;
		const struct sieve_op_def *op;
		size_t start = pc;
		unsigned opi = bin->code[pc++], line;
		const char *s;

		if (opi & SIEVE_OP_EXT) {
			unsigned slot = opi & 0x7f;

			if (slot >= bin->nslots || pc >= bin->code_len)
				goto bad;
			e = bin->slots[slot];
			opi = bin->code[pc++];
		}
		if (opi >= e->nops)
			goto bad;
		op = &e->ops[opi];
		line = sieve_binary_block_line_at(bin, block, start);
		if (line != last_line)
			fprintf(out, "%06zu %4u: ", start, line);
		else
			fprintf(out, "%06zu       ", start);
		last_line = line;
		fprintf(out, "%s", op->mnemonic);
		for (s = op->shape ? op->shape : ""; *s; s++) {
			if (*s == 'j') {
				if (bin->code_len - pc < 4)
					goto bad;
				fprintf(out, " ->%06u", get_u32(bin->code + pc));
				pc += 4;
			} else if (*s == 'o') {
				for (;;) {
					unsigned code;

					if (pc >= bin->code_len)
						goto bad;
					code = bin->code[pc++];
					if (code == SIEVE_OPT_END)
						break;
					fprintf(out, " %s=", sieve_opt_name(code));
					if (sieve_dump_operand(bin, &pc, out) < 0)
						goto bad;
				}
			} else if (*s == 'x') {
				fputs(" ", out);
				if (sieve_dump_operand(bin, &pc, out) < 0)
					goto bad;
			}
		}
		fputs("\n", out);
	}
	return;
bad:
	fprintf(out, "\n# corrupt code at %zu\n", pc);
}

void
sieve_binary_dump(const struct sieve_binary *bin, FILE *out)
{
	unsigned i;

	fprintf(out, "# tamis Sieve binary, format %d, %zu bytes\n",
		SIEVE_BINARY_VERSION, bin->size);
	fprintf(out, "# script: %s\n", bin->script_name);
	fprintf(out, "# extensions:");
	for (i = 1; i < bin->nslots; i++)
		fprintf(out, " %u=%s", i, bin->slots[i]->name);
	fprintf(out, "%s\n", bin->nslots > 1 ? "" : " none");
	for (i = 0; i < bin->ndeps; i++)
		fprintf(out, "# depends on: %s\n", bin->deps[i].path);
	for (i = 0; i < bin->nblocks; i++) {
		/* the operand dumper reads bin->code: a view per block */
		struct sieve_binary view = *bin;

		view.code = bin->blocks[i].code;
		view.code_len = bin->blocks[i].code_len;
		if (i > 0)
			fprintf(out, "# block %u: included script %s\n", i,
				bin->blocks[i].name);
		fprintf(out, "# code: %zu bytes\n", view.code_len);
		dump_block(&view, i, out);
	}
}
