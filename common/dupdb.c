/*
 * dupdb.c -- the per-user tracking database (see dupdb.h): loading and
 * checking, buffered marks, and the locked merge-and-replace commit.
 *
 * File format, all integers big-endian:
 *   "TAMISDUP"  u32 version (1)  u32 count
 *   count x { u64 expires  u8 len  len bytes of id }
 *   u32 FNV-1a of every byte before it
 * Anything else (short, long, bad magic, version or checksum, an empty id)
 * is corrupt.
 */
#include "dupdb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "log.h"

#define MAGIC "TAMISDUP"
#define MAGIC_LEN 8
#define VERSION 1
#define HEADER_LEN (MAGIC_LEN + 4 + 4)
#define MAX_FILE_SIZE (64u * 1024 * 1024)

struct dupdb_entry {
	uint64_t expires;
	uint8_t len;
	unsigned char id[DUPDB_MAX_ID_LEN];
};

struct dupdb_mark {
	struct dupdb_entry e;
	bool update;
};

struct dupdb {
	char *path;
	size_t max_entries;
	bool loaded;
	bool corrupt;
	struct dupdb_entry *ents;	/* snapshot of the file */
	size_t n, cap;
	struct dupdb_mark *marks;	/* pending */
	size_t nmarks, capmarks;
};

static uint32_t
fnv1a(const unsigned char *p, size_t n)
{
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static uint64_t
get64(const unsigned char *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

static void
put64(unsigned char *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

struct dupdb *
dupdb_open(const char *path)
{
	struct dupdb *db = xcalloc(1, sizeof(*db));

	db->path = xmalloc(strlen(path) + 1);
	strcpy(db->path, path);
	db->max_entries = DUPDB_DEFAULT_MAX_ENTRIES;
	return db;
}

void
dupdb_close(struct dupdb *db)
{
	if (db == NULL)
		return;
	free(db->ents);
	free(db->marks);
	free(db->path);
	free(db);
}

void
dupdb_set_max_entries(struct dupdb *db, size_t max)
{
	db->max_entries = max;
}

static void
ents_push(struct dupdb *db, const struct dupdb_entry *e)
{
	if (db->n == db->cap) {
		db->cap = db->cap ? db->cap * 2 : 64;
		db->ents = xrealloc(db->ents, db->cap * sizeof(*db->ents));
	}
	db->ents[db->n++] = *e;
}

/* Parses the image into db->ents; false when it is corrupt. */
static bool
parse(struct dupdb *db, const unsigned char *p, size_t len)
{
	size_t off = HEADER_LEN, i;
	uint32_t count;

	if (len < HEADER_LEN + 4 || memcmp(p, MAGIC, MAGIC_LEN) != 0 ||
	    get32(p + MAGIC_LEN) != VERSION ||
	    get32(p + len - 4) != fnv1a(p, len - 4))
		return false;
	count = get32(p + MAGIC_LEN + 4);
	len -= 4;
	for (i = 0; i < count; i++) {
		struct dupdb_entry e;

		if (len - off < 9)
			return false;
		e.expires = get64(p + off);
		e.len = p[off + 8];
		off += 9;
		if (e.len == 0 || len - off < e.len)
			return false;
		memcpy(e.id, p + off, e.len);
		off += e.len;
		ents_push(db, &e);
	}
	return off == len;
}

/* (Re)reads the file. 0, or -1 with errno on a read error. */
static int
load(struct dupdb *db)
{
	struct buf b = BUF_INIT;

	db->n = 0;
	db->corrupt = false;
	if (buf_read_file(&b, db->path, MAX_FILE_SIZE) < 0) {
		int e = errno;

		buf_free(&b);
		if (e == ENOENT) {
			db->loaded = true;
			return 0;
		}
		if (e != EFBIG) {
			errno = e;
			return -1;
		}
		db->corrupt = true;
	} else if (!parse(db, (const unsigned char *)b.data, b.len)) {
		db->corrupt = true;
	}
	buf_free(&b);
	if (db->corrupt) {
		log_warn("%s: corrupt duplicate database, treated as empty",
			 db->path);
		db->n = 0;
	}
	db->loaded = true;
	return 0;
}

static struct dupdb_entry *
find(struct dupdb *db, const void *id, size_t len)
{
	size_t i;

	for (i = 0; i < db->n; i++)
		if (db->ents[i].len == len &&
		    memcmp(db->ents[i].id, id, len) == 0)
			return &db->ents[i];
	return NULL;
}

int
dupdb_check(struct dupdb *db, const void *id, size_t len, uint64_t now)
{
	const struct dupdb_entry *e;

	if (len == 0 || len > DUPDB_MAX_ID_LEN)
		return 0;
	if (!db->loaded && load(db) < 0)
		return -1;
	e = find(db, id, len);
	return e != NULL && now < e->expires;
}

int
dupdb_mark(struct dupdb *db, const void *id, size_t len, uint64_t expires,
	   bool update_existing)
{
	struct dupdb_mark *m = NULL;
	size_t i;

	if (len == 0 || len > DUPDB_MAX_ID_LEN) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < db->nmarks; i++)
		if (db->marks[i].e.len == len &&
		    memcmp(db->marks[i].e.id, id, len) == 0)
			m = &db->marks[i];
	if (m == NULL) {
		if (db->nmarks == db->capmarks) {
			db->capmarks = db->capmarks ? db->capmarks * 2 : 8;
			db->marks = xrealloc(db->marks, db->capmarks *
					     sizeof(*db->marks));
		}
		m = &db->marks[db->nmarks++];
		m->e.len = (uint8_t)len;
		memcpy(m->e.id, id, len);
	}
	m->e.expires = expires;
	m->update = update_existing;
	return 0;
}

size_t
dupdb_count(struct dupdb *db)
{
	if (!db->loaded && load(db) < 0)
		return 0;
	return db->n;
}

bool
dupdb_was_corrupt(const struct dupdb *db)
{
	return db->corrupt;
}

/* Latest expiry first, so that the cap cuts the soonest-expiring. */
static int
cmp_expiry_desc(const void *a, const void *b)
{
	const struct dupdb_entry *x = a, *y = b;

	return x->expires < y->expires ? 1 : x->expires > y->expires ? -1 : 0;
}

/* Merges the pending marks into db->ents (freshly loaded). */
static void
merge(struct dupdb *db, uint64_t now)
{
	size_t i, k;

	for (i = k = 0; i < db->n; i++)
		if (now < db->ents[i].expires)
			db->ents[k++] = db->ents[i];
	db->n = k;
	for (i = 0; i < db->nmarks; i++) {
		const struct dupdb_mark *m = &db->marks[i];
		struct dupdb_entry *e = find(db, m->e.id, m->e.len);

		if (m->e.expires <= now)
			continue;		/* would be dead on arrival */
		if (e == NULL)
			ents_push(db, &m->e);
		else if (m->update)
			e->expires = m->e.expires;
	}
	if (db->max_entries > 0 && db->n > db->max_entries) {
		qsort(db->ents, db->n, sizeof(*db->ents), cmp_expiry_desc);
		db->n = db->max_entries;
	}
}

static int
write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = write(fd, c, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Writes db->ents to a temporary file and renames it over the path. */
static int
save(struct dupdb *db)
{
	struct buf b = BUF_INIT;
	unsigned char h[HEADER_LEN], rec[9];
	char *tmp, *slash;
	size_t i;
	int fd, e;

	memcpy(h, MAGIC, MAGIC_LEN);
	put32(h + MAGIC_LEN, VERSION);
	put32(h + MAGIC_LEN + 4, (uint32_t)db->n);
	buf_append(&b, h, sizeof(h));
	for (i = 0; i < db->n; i++) {
		put64(rec, db->ents[i].expires);
		rec[8] = db->ents[i].len;
		buf_append(&b, rec, sizeof(rec));
		buf_append(&b, db->ents[i].id, db->ents[i].len);
	}
	put32(h, fnv1a((const unsigned char *)b.data, b.len));
	buf_append(&b, h, 4);

	tmp = xmalloc(strlen(db->path) + 32);
	sprintf(tmp, "%s.tmp.%ld", db->path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write_all(fd, b.data, b.len) < 0 || fsync(fd) < 0 ||
	    close(fd) < 0 || (fd = -1, rename(tmp, db->path) < 0)) {
		e = errno;
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		free(tmp);
		buf_free(&b);
		errno = e;
		return -1;
	}
	/* make the rename itself durable */
	slash = strrchr(tmp, '/');
	if (slash != NULL) {
		*(slash == tmp ? slash + 1 : slash) = '\0';
		fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	} else {
		fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(tmp);
	buf_free(&b);
	return 0;
}

int
dupdb_commit(struct dupdb *db, uint64_t now)
{
	char *lockpath;
	int lfd, r, e;

	if (db->nmarks == 0)
		return 0;
	lockpath = xmalloc(strlen(db->path) + 6);
	sprintf(lockpath, "%s.lock", db->path);
	lfd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	free(lockpath);
	if (lfd < 0)
		return -1;
	while ((r = flock(lfd, LOCK_EX)) < 0 && errno == EINTR)
		;
	if (r < 0) {
		e = errno;
		close(lfd);
		errno = e;
		return -1;
	}
	/* under the lock: the latest file, then ours on top */
	r = load(db);
	if (r == 0) {
		merge(db, now);
		r = save(db);
	}
	e = errno;
	if (r == 0) {
		db->nmarks = 0;
		db->corrupt = false;
	} else {
		db->loaded = false;	/* the snapshot holds our marks */
	}
	close(lfd);			/* releases the lock */
	errno = e;
	return r;
}
