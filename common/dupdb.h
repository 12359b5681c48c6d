/*
 * dupdb.h -- the per-user tracking database of deliver: the duplicate
 * test's ids (RFC 7352) and vacation's "already replied" records (RFC
 * 5230 4.2), as opaque ids (a digest, at most 255 bytes) with an expiry.
 *
 * Use, once per delivery:
 *   db = dupdb_open(path)         nothing read yet; never fails
 *   dupdb_check(db, id, len, now) 1 tracked and not expired, 0 not, -1
 *                                 the file cannot be read (errno)
 *   dupdb_mark(db, id, len, expires, update_existing)
 *                                 buffered until commit
 *   dupdb_commit(db, now)         after the message was delivered: merges
 *                                 the marks into the file
 *   dupdb_close(db)               drops uncommitted marks
 *
 * The file is replaced as a whole (temporary file, fsync, rename) while
 * holding an exclusive flock on PATH.lock, re-read under that lock, so
 * concurrent deliveries committing at once lose nothing. Readers take no
 * lock: they see the old or the new file, never a mix. Expired entries
 * are dropped at commit, and beyond the maximum entry count the entries
 * closest to expiring go first. A missing file is an empty database; a
 * corrupt one (bad header, version, size or checksum) is too, with a
 * warning, and the next commit rewrites it.
 */
#ifndef TAMIS_DUPDB_H
#define TAMIS_DUPDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DUPDB_MAX_ID_LEN 255
#define DUPDB_DEFAULT_MAX_ENTRIES 10000

struct dupdb;

struct dupdb *dupdb_open(const char *path);
void dupdb_close(struct dupdb *db);
/* Entries kept at most (default DUPDB_DEFAULT_MAX_ENTRIES; 0 = no cap). */
void dupdb_set_max_entries(struct dupdb *db, size_t max);

/* Only committed entries count, not this handle's pending marks. Time in
 * seconds since the epoch; an entry lives while now < expires. */
int dupdb_check(struct dupdb *db, const void *id, size_t len, uint64_t now);
/* An absent (or expired) id is added with expires. A present one keeps
 * its expiry unless update_existing (duplicate :last, vacation's new
 * reply), which sets it to expires. Marking one id twice keeps the last
 * mark. 0, or -1 with errno EINVAL (len 0 or over DUPDB_MAX_ID_LEN). */
int dupdb_mark(struct dupdb *db, const void *id, size_t len,
	       uint64_t expires, bool update_existing);
/* 0, or -1 with errno (the marks stay pending; the file is unchanged). */
int dupdb_commit(struct dupdb *db, uint64_t now);

/* Entries as last read or written (tests, tamis tools). */
size_t dupdb_count(struct dupdb *db);
/* The last read found a corrupt file (and warned). */
bool dupdb_was_corrupt(const struct dupdb *db);

#endif
