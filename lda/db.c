/*
 * db.c -- deliver's use of the per-user tracking database (dupdb.h):
 * ~/.tamis.dupes, or next to the Maildir when the user has no home.
 * Opened on first use; marks are committed once, after the delivery.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "dupdb.h"
#include "lda.h"
#include "log.h"

static struct dupdb *
db(struct lda *l)
{
	if (l->db == NULL) {
		if (l->home != NULL)
			l->db_path = arena_printf(l->arena, "%s/.tamis.dupes",
						  l->home);
		else
			l->db_path = arena_printf(l->arena, "%s/.tamis.dupes",
						  l->maildir_root);
		l->db = dupdb_open(l->db_path);
	}
	return l->db;
}

int
db_check(struct lda *l, const unsigned char *id, size_t len)
{
	int r = dupdb_check(db(l), id, len, (uint64_t)time(NULL));

	if (r < 0)
		log_err("tracking database %s: %m", l->db_path);
	return r;
}

void
db_mark(struct lda *l, const unsigned char *id, size_t len, uint64_t period,
	bool update)
{
	(void)dupdb_mark(db(l), id, len, (uint64_t)time(NULL) + period,
			 update);
}

int
db_commit(struct lda *l)
{
	int r;

	if (l->db == NULL)
		return 0;
	r = dupdb_commit(l->db, (uint64_t)time(NULL));
	if (r < 0)
		log_err("tracking database %s: %m", l->db_path);
	dupdb_close(l->db);
	l->db = NULL;
	return r;
}
