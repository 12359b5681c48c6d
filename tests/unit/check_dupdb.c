/*
 * check_dupdb.c -- unit tests for common/dupdb.c: missing file, check /
 * mark / commit, pending marks invisible until commit, expiry and
 * update_existing, the entry cap, invalid ids, corrupt files (garbage,
 * truncated, bad checksum, other version), commit errors, and 8 forked
 * processes committing at once without losing an entry.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "dupdb.h"

#define NOW 1700000000ull

static char tmpdir[] = "/tmp/check_dupdb.XXXXXX";
static char path[256];

static void
setup(void)
{
	strcpy(tmpdir, "/tmp/check_dupdb.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(path, sizeof(path), "%s/dupes", tmpdir);
}

static void
teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

static int
check_in_new_handle(const char *id, uint64_t now)
{
	struct dupdb *db = dupdb_open(path);
	int r = dupdb_check(db, id, strlen(id), now);

	dupdb_close(db);
	return r;
}

static size_t
count_in_new_handle(void)
{
	struct dupdb *db = dupdb_open(path);
	size_t n = dupdb_count(db);

	dupdb_close(db);
	return n;
}

static void
write_file(const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(missing_file_is_empty)
{
	struct dupdb *db = dupdb_open(path);

	ck_assert_int_eq(dupdb_check(db, "a", 1, NOW), 0);
	ck_assert_uint_eq(dupdb_count(db), 0);
	ck_assert(!dupdb_was_corrupt(db));
	/* nothing to commit: no file appears */
	ck_assert_int_eq(dupdb_commit(db, NOW), 0);
	ck_assert_int_eq(access(path, F_OK), -1);
	dupdb_close(db);
}
END_TEST

START_TEST(mark_commit_check)
{
	struct dupdb *db = dupdb_open(path);

	ck_assert_int_eq(dupdb_mark(db, "id-1", 4, NOW + 100, false), 0);
	ck_assert_int_eq(dupdb_mark(db, "id-2", 4, NOW + 100, false), 0);
	/* pending marks are not visible, to this handle or others */
	ck_assert_int_eq(dupdb_check(db, "id-1", 4, NOW), 0);
	ck_assert_int_eq(check_in_new_handle("id-1", NOW), 0);
	ck_assert_int_eq(dupdb_commit(db, NOW), 0);
	ck_assert_int_eq(dupdb_check(db, "id-1", 4, NOW), 1);
	ck_assert_int_eq(check_in_new_handle("id-1", NOW), 1);
	ck_assert_int_eq(check_in_new_handle("id-2", NOW), 1);
	ck_assert_int_eq(check_in_new_handle("id-3", NOW), 0);
	/* a prefix or an extension of an id is another id */
	ck_assert_int_eq(check_in_new_handle("id-", NOW), 0);
	ck_assert_int_eq(check_in_new_handle("id-10", NOW), 0);
	ck_assert_uint_eq(count_in_new_handle(), 2);
	dupdb_close(db);
}
END_TEST

START_TEST(uncommitted_marks_are_dropped)
{
	struct dupdb *db = dupdb_open(path);

	ck_assert_int_eq(dupdb_mark(db, "x", 1, NOW + 100, false), 0);
	dupdb_close(db);
	ck_assert_int_eq(check_in_new_handle("x", NOW), 0);
}
END_TEST

START_TEST(expiry)
{
	struct dupdb *db = dupdb_open(path);

	ck_assert_int_eq(dupdb_mark(db, "short", 5, NOW + 10, false), 0);
	ck_assert_int_eq(dupdb_mark(db, "long", 4, NOW + 1000, false), 0);
	ck_assert_int_eq(dupdb_mark(db, "dead", 4, NOW, false), 0);
	ck_assert_int_eq(dupdb_commit(db, NOW), 0);
	dupdb_close(db);
	ck_assert_uint_eq(count_in_new_handle(), 2);	/* "dead" not kept */
	ck_assert_int_eq(check_in_new_handle("short", NOW + 9), 1);
	ck_assert_int_eq(check_in_new_handle("short", NOW + 10), 0);
	ck_assert_int_eq(check_in_new_handle("long", NOW + 10), 1);

	/* a later commit drops what expired */
	db = dupdb_open(path);
	ck_assert_int_eq(dupdb_mark(db, "new", 3, NOW + 1000, false), 0);
	ck_assert_int_eq(dupdb_commit(db, NOW + 20), 0);
	dupdb_close(db);
	ck_assert_uint_eq(count_in_new_handle(), 2);
	ck_assert_int_eq(check_in_new_handle("short", NOW), 0);
	ck_assert_int_eq(check_in_new_handle("long", NOW), 1);
}
END_TEST

START_TEST(update_existing)
{
	struct dupdb *db = dupdb_open(path);

	ck_assert_int_eq(dupdb_mark(db, "keep", 4, NOW + 100, false), 0);
	ck_assert_int_eq(dupdb_mark(db, "move", 4, NOW + 100, false), 0);
	ck_assert_int_eq(dupdb_commit(db, NOW), 0);
	dupdb_close(db);

	db = dupdb_open(path);
	/* without update the first expiry stays (duplicate without :last) */
	ck_assert_int_eq(dupdb_mark(db, "keep", 4, NOW + 500, false), 0);
	/* with it the expiry moves (duplicate :last) */
	ck_assert_int_eq(dupdb_mark(db, "move", 4, NOW + 500, true), 0);
	ck_assert_int_eq(dupdb_commit(db, NOW + 50), 0);
	dupdb_close(db);
	ck_assert_int_eq(check_in_new_handle("keep", NOW + 99), 1);
	ck_assert_int_eq(check_in_new_handle("keep", NOW + 100), 0);
	ck_assert_int_eq(check_in_new_handle("move", NOW + 499), 1);
	ck_assert_int_eq(check_in_new_handle("move", NOW + 500), 0);

	/* marking an id twice in one handle keeps the last mark */
	db = dupdb_open(path);
	ck_assert_int_eq(dupdb_mark(db, "twice", 5, NOW + 10, false), 0);
	ck_assert_int_eq(dupdb_mark(db, "twice", 5, NOW + 300, false), 0);
	ck_assert_int_eq(dupdb_commit(db, NOW), 0);
	dupdb_close(db);
	ck_assert_int_eq(check_in_new_handle("twice", NOW + 299), 1);
}
END_TEST

START_TEST(entry_cap_drops_soonest_expiring)
{
	struct dupdb *db = dupdb_open(path);
	char id[8];
	int i;

	dupdb_set_max_entries(db, 3);
	for (i = 0; i < 5; i++) {
		snprintf(id, sizeof(id), "e%d", i);
		ck_assert_int_eq(dupdb_mark(db, id, strlen(id),
					    NOW + 100 + (uint64_t)i, false), 0);
	}
	ck_assert_int_eq(dupdb_commit(db, NOW), 0);
	ck_assert_uint_eq(dupdb_count(db), 3);
	dupdb_close(db);
	ck_assert_uint_eq(count_in_new_handle(), 3);
	ck_assert_int_eq(check_in_new_handle("e0", NOW), 0);
	ck_assert_int_eq(check_in_new_handle("e1", NOW), 0);
	ck_assert_int_eq(check_in_new_handle("e2", NOW), 1);
	ck_assert_int_eq(check_in_new_handle("e4", NOW), 1);
}
END_TEST

START_TEST(invalid_ids)
{
	struct dupdb *db = dupdb_open(path);
	char big[DUPDB_MAX_ID_LEN + 1];

	memset(big, 'x', sizeof(big));
	errno = 0;
	ck_assert_int_eq(dupdb_mark(db, "", 0, NOW + 10, false), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(dupdb_mark(db, big, sizeof(big), NOW + 10, false),
			 -1);
	ck_assert_int_eq(dupdb_mark(db, big, DUPDB_MAX_ID_LEN, NOW + 10,
				    false), 0);
	ck_assert_int_eq(dupdb_commit(db, NOW), 0);
	ck_assert_int_eq(dupdb_check(db, big, DUPDB_MAX_ID_LEN, NOW), 1);
	ck_assert_int_eq(dupdb_check(db, big, sizeof(big), NOW), 0);
	dupdb_close(db);
}
END_TEST

/* Makes a valid one-entry file and returns its bytes in b. */
static void
valid_file(struct buf *b)
{
	struct dupdb *db = dupdb_open(path);

	ck_assert_int_eq(dupdb_mark(db, "good", 4, NOW + 100, false), 0);
	ck_assert_int_eq(dupdb_commit(db, NOW), 0);
	dupdb_close(db);
	ck_assert_int_eq(buf_read_file(b, path, 0), 0);
}

static void
assert_corrupt_then_repaired(void)
{
	struct dupdb *db = dupdb_open(path);

	ck_assert_int_eq(dupdb_check(db, "good", 4, NOW), 0);
	ck_assert(dupdb_was_corrupt(db));
	ck_assert_uint_eq(dupdb_count(db), 0);
	/* the next commit writes a valid file */
	ck_assert_int_eq(dupdb_mark(db, "fresh", 5, NOW + 100, false), 0);
	ck_assert_int_eq(dupdb_commit(db, NOW), 0);
	dupdb_close(db);
	db = dupdb_open(path);
	ck_assert_int_eq(dupdb_check(db, "fresh", 5, NOW), 1);
	ck_assert(!dupdb_was_corrupt(db));
	dupdb_close(db);
}

START_TEST(corrupt_garbage)
{
	write_file("this is not a database\n", 23);
	assert_corrupt_then_repaired();
	write_file("", 0);
	assert_corrupt_then_repaired();
}
END_TEST

START_TEST(corrupt_truncated)
{
	struct buf b = BUF_INIT;
	size_t cut;

	valid_file(&b);
	ck_assert_int_eq(check_in_new_handle("good", NOW), 1);
	for (cut = 1; cut < b.len; cut++) {
		write_file(b.data, b.len - cut);
		ck_assert_int_eq(check_in_new_handle("good", NOW), 0);
	}
	write_file(b.data, b.len - 1);
	assert_corrupt_then_repaired();
	buf_free(&b);
}
END_TEST

START_TEST(corrupt_flipped_byte)
{
	struct buf b = BUF_INIT;
	size_t i;

	valid_file(&b);
	for (i = 0; i < b.len; i++) {
		struct dupdb *db;

		b.data[i] ^= 0x20;
		write_file(b.data, b.len);
		db = dupdb_open(path);
		ck_assert_int_eq(dupdb_check(db, "good", 4, NOW), 0);
		ck_assert(dupdb_was_corrupt(db));
		dupdb_close(db);
		b.data[i] ^= 0x20;
	}
	/* appended bytes */
	buf_append(&b, "x", 1);
	write_file(b.data, b.len);
	assert_corrupt_then_repaired();
	buf_free(&b);
}
END_TEST

START_TEST(corrupt_other_version)
{
	struct buf b = BUF_INIT;

	valid_file(&b);
	b.data[11] = 2;		/* version 2, checksum left as is */
	write_file(b.data, b.len);
	assert_corrupt_then_repaired();
	buf_free(&b);
}
END_TEST

START_TEST(commit_error_keeps_marks)
{
	struct dupdb *db;
	char sub[300];

	snprintf(sub, sizeof(sub), "%s/sub", tmpdir);
	snprintf(path, sizeof(path), "%s/sub/dupes", tmpdir);
	db = dupdb_open(path);
	ck_assert_int_eq(dupdb_mark(db, "m", 1, NOW + 100, false), 0);
	errno = 0;
	ck_assert_int_eq(dupdb_commit(db, NOW), -1);
	ck_assert_int_eq(errno, ENOENT);
	/* once the directory exists the same marks go in */
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	ck_assert_int_eq(dupdb_commit(db, NOW), 0);
	dupdb_close(db);
	ck_assert_int_eq(check_in_new_handle("m", NOW), 1);
}
END_TEST

START_TEST(unreadable_file_is_an_error)
{
	struct dupdb *db;

	if (geteuid() == 0)
		return;		/* root reads anything */
	write_file("x", 1);
	ck_assert_int_eq(chmod(path, 0), 0);
	db = dupdb_open(path);
	ck_assert_int_eq(dupdb_check(db, "x", 1, NOW), -1);
	ck_assert_int_eq(errno, EACCES);
	dupdb_close(db);
}
END_TEST

#define NPROC 8
#define ROUNDS 10
#define PER_ROUND 5

/* 8 processes, released at once, each committing ROUNDS times; every
 * entry must be there at the end, and the shared id once. */
START_TEST(concurrent_commits_lose_nothing)
{
	int go[2];
	pid_t pids[NPROC];
	struct dupdb *db;
	char id[32];
	int p, r, k, status;

	ck_assert_int_eq(pipe(go), 0);
	for (p = 0; p < NPROC; p++) {
		pids[p] = fork();
		ck_assert_int_ge(pids[p], 0);
		if (pids[p] == 0) {
			char c;
			int bad = 0;

			close(go[1]);
			if (read(go[0], &c, 1) != 0)
				_exit(3);
			for (r = 0; r < ROUNDS; r++) {
				db = dupdb_open(path);
				for (k = 0; k < PER_ROUND; k++) {
					snprintf(id, sizeof(id), "p%d-r%d-k%d",
						 p, r, k);
					dupdb_mark(db, id, strlen(id),
						   NOW + 1000, false);
				}
				dupdb_mark(db, "shared", 6, NOW + 1000, false);
				if (dupdb_commit(db, NOW) != 0)
					bad = 1;
				dupdb_close(db);
			}
			_exit(bad);
		}
	}
	close(go[0]);
	close(go[1]);		/* EOF releases every child */
	for (p = 0; p < NPROC; p++) {
		ck_assert_int_eq(waitpid(pids[p], &status, 0), pids[p]);
		ck_assert(WIFEXITED(status));
		ck_assert_int_eq(WEXITSTATUS(status), 0);
	}
	db = dupdb_open(path);
	ck_assert_uint_eq(dupdb_count(db), NPROC * ROUNDS * PER_ROUND + 1);
	for (p = 0; p < NPROC; p++)
		for (r = 0; r < ROUNDS; r++)
			for (k = 0; k < PER_ROUND; k++) {
				snprintf(id, sizeof(id), "p%d-r%d-k%d", p, r,
					 k);
				ck_assert_int_eq(dupdb_check(db, id,
							     strlen(id), NOW),
						 1);
			}
	ck_assert(!dupdb_was_corrupt(db));
	dupdb_close(db);
}
END_TEST

static Suite *
dupdb_suite(void)
{
	Suite *s = suite_create("dupdb");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, missing_file_is_empty);
	tcase_add_test(tc, mark_commit_check);
	tcase_add_test(tc, uncommitted_marks_are_dropped);
	tcase_add_test(tc, expiry);
	tcase_add_test(tc, update_existing);
	tcase_add_test(tc, entry_cap_drops_soonest_expiring);
	tcase_add_test(tc, invalid_ids);
	tcase_add_test(tc, corrupt_garbage);
	tcase_add_test(tc, corrupt_truncated);
	tcase_add_test(tc, corrupt_flipped_byte);
	tcase_add_test(tc, corrupt_other_version);
	tcase_add_test(tc, commit_error_keeps_marks);
	tcase_add_test(tc, unreadable_file_is_an_error);
	tcase_add_test(tc, concurrent_commits_lose_nothing);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(dupdb_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
