/*
 * check_maildir.c -- unit tests for common/maildir.c and common/mutf7.c:
 * modified UTF-7 (RFC 3501 5.1.3 examples, round trips, malformed input),
 * mailbox name mapping and rejection, folder creation, subscriptions,
 * listing, message file names with flags and keywords, multi-target
 * store, rollback on failure, the cross-file-system copy, stale locks, and
 * concurrent deliveries and keyword additions from forked processes.
 *
 * Every test works in a fresh directory under $TMPDIR (or /tmp).
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "maildir.h"
#include "mutf7.h"

static struct arena *A;
static char base_dir[256];
static char root[300];

static void
rm_rf(const char *path)
{
	struct dirent *de;
	struct stat st;
	char sub[1024];
	DIR *d;

	if (lstat(path, &st) < 0)
		return;
	if (S_ISDIR(st.st_mode) && (d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
			rm_rf(sub);
		}
		closedir(d);
		rmdir(path);
	} else
		unlink(path);
}

static void
setup(void)
{
	const char *t = getenv("TMPDIR");

	A = arena_new(4096);
	snprintf(base_dir, sizeof(base_dir), "%s/check_maildir.XXXXXX",
		 t && *t ? t : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(base_dir));
	snprintf(root, sizeof(root), "%s/example.com/jdoe", base_dir);
}

static void
teardown(void)
{
	rm_rf(base_dir);
	arena_free(A);
	A = NULL;
}

static struct maildir *
open_md(char sep, bool fsync_on)
{
	struct maildir_opts o = { .sep = sep, .no_fsync = !fsync_on,
				  .hostname = "mx1.example.com" };
	struct maildir *md = maildir_open(root, &o);

	ck_assert_int_eq(maildir_mkroot(md), 0);
	return md;
}

/* Number of entries (not . and ..) in dir; the last name in *last. */
static int
count_dir(const char *dir, char *last, size_t cap)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		n++;
		if (last)
			snprintf(last, cap, "%s", de->d_name);
	}
	closedir(d);
	return n;
}

static char *
slurp(const char *path)
{
	struct buf b = BUF_INIT;
	char *s;

	if (buf_read_file(&b, path, 0) < 0)
		return NULL;
	s = arena_strndup(A, b.data ? b.data : "", b.len);
	buf_free(&b);
	return s;
}

static char *
sub_path(const char *fmt, const char *arg)
{
	char tmp[1024];

	snprintf(tmp, sizeof(tmp), fmt, arg);
	return arena_printf(A, "%s/%s", root, tmp);
}

/* A file or directory under the root. */
static int
exists(const char *rel)
{
	return access(sub_path("%s", rel), F_OK) == 0;
}

#define DEP "D\xc3\xa9partement"	/* Département */

/* ---- modified UTF-7 ------------------------------------------------------ */

struct mutf7_case {
	const char *utf8;
	const char *mutf7;
};

static const struct mutf7_case mutf7_cases[] = {
	/* RFC 3501 5.1.3 */
	{ "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/"
	  "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
	  "~peter/mail/&U,BTFw-/&ZeVnLIqe-" },
	{ "Hi Mom -\xe2\x98\xba-!", "Hi Mom -&Jjo--!" },
	{ "&", "&-" },
	{ "a&b&&c", "a&-b&-&-c" },
	{ "D\xc3\xa9partement", "D&AOk-partement" },
	{ "\xc3\xa9t\xc3\xa9", "&AOk-t&AOk-" },
	{ "\xc3\xa9\xc3\xa9", "&AOkA6Q-" },
	{ "\xf0\x9f\x98\x80", "&2D3eAA-" },		/* U+1F600, a pair */
	{ "", "" },
	{ "plain ASCII ~!@#$%^*()", "plain ASCII ~!@#$%^*()" },
	{ "tab\there", "tab&AAk-here" },
};

START_TEST(test_mutf7_cases)
{
	const struct mutf7_case *c = &mutf7_cases[_i];
	struct buf b = BUF_INIT;

	ck_assert_int_eq(mutf7_from_utf8(&b, c->utf8, strlen(c->utf8)), 0);
	ck_assert_str_eq(b.data ? b.data : "", c->mutf7);
	buf_reset(&b);
	ck_assert_int_eq(mutf7_to_utf8(&b, c->mutf7, strlen(c->mutf7)), 0);
	ck_assert_str_eq(b.data ? b.data : "", c->utf8);
	buf_free(&b);
}
END_TEST

static const char *const mutf7_bad[] = {
	"&Jjo!",		/* unterminated */
	"&Jjo",
	"&",
	"&U,BTFw-&ZeVnLIqe-",	/* adjacent shifts */
	"&AGE-",		/* 'a' encoded */
	"&ACY-",		/* '&' encoded */
	"D\xc3\xa9partement",	/* raw 8-bit */
	"a\x01",		/* control */
	"&2D0-",		/* lone high surrogate */
	"&3gA-",		/* lone low surrogate */
	"&Jj-",			/* 12 bits: not a whole unit */
	"&Jjp-",		/* nonzero padding bits */
	"&*-",			/* not base64 */
	"&Jj/-",		/* '/' is not modified base64 */
	"&2D3eAA",		/* unterminated pair */
};

START_TEST(test_mutf7_bad)
{
	struct buf b = BUF_INIT;
	const char *s = mutf7_bad[_i];

	errno = 0;
	ck_assert_msg(mutf7_to_utf8(&b, s, strlen(s)) == -1,
		      "accepted \"%s\"", s);
	ck_assert_int_eq(errno, EINVAL);
	buf_free(&b);
}
END_TEST

static const char *const utf8_bad[] = {
	"\xc3", "\xc0\x80", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
	"\xff", "a\x80", "\xe2\x98",
};

START_TEST(test_utf8_bad)
{
	struct buf b = BUF_INIT;
	const char *s = utf8_bad[_i];

	errno = 0;
	ck_assert_int_eq(mutf7_from_utf8(&b, s, strlen(s)), -1);
	ck_assert_int_eq(errno, EINVAL);
	buf_free(&b);
}
END_TEST

/*
 * Code points up to U+0800 one by one, then a sample with the edges
 * (surrogate neighbours, U+FFFF, the first and last astral ones).
 */
static unsigned long
next_cp(unsigned long cp)
{
	static const unsigned long edges[] = { 0xd7ff, 0xe000, 0xfffd, 0xffff,
					       0x10000, 0x10ffff };

	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		if (cp < edges[i] && edges[i] <= cp + (cp < 0x10000 ? 13 : 997))
			return edges[i];
	return cp + (cp < 0x800 ? 1 : cp < 0x10000 ? 13 : 997);
}


START_TEST(test_mutf7_roundtrip)
{
	struct buf in = BUF_INIT, enc = BUF_INIT, dec = BUF_INIT;
	unsigned long cp;

	for (cp = 1; cp <= 0x10ffff; cp = next_cp(cp)) {
		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		buf_reset(&in);
		buf_reset(&enc);
		buf_reset(&dec);
		/* alone, and between ASCII and another character */
		buf_printf(&in, "x");
		if (cp < 0x80)
			buf_putc(&in, (char)cp);
		else if (cp < 0x800)
			buf_printf(&in, "%c%c", (char)(0xc0 | cp >> 6),
				   (char)(0x80 | (cp & 0x3f)));
		else if (cp < 0x10000)
			buf_printf(&in, "%c%c%c", (char)(0xe0 | cp >> 12),
				   (char)(0x80 | (cp >> 6 & 0x3f)),
				   (char)(0x80 | (cp & 0x3f)));
		else
			buf_printf(&in, "%c%c%c%c", (char)(0xf0 | cp >> 18),
				   (char)(0x80 | (cp >> 12 & 0x3f)),
				   (char)(0x80 | (cp >> 6 & 0x3f)),
				   (char)(0x80 | (cp & 0x3f)));
		buf_puts(&in, "\xc3\xa9y");
		ck_assert_int_eq(mutf7_from_utf8(&enc, in.data, in.len), 0);
		for (size_t i = 0; i < enc.len; i++)
			ck_assert(enc.data[i] >= 0x20 && enc.data[i] <= 0x7e);
		ck_assert_int_eq(mutf7_to_utf8(&dec, enc.data, enc.len), 0);
		ck_assert_uint_eq(dec.len, in.len);
		ck_assert_msg(memcmp(dec.data, in.data, in.len) == 0,
			      "U+%04lX", cp);
	}
	buf_free(&in);
	buf_free(&enc);
	buf_free(&dec);
}
END_TEST

/* ---- names -------------------------------------------------------------- */

struct name_case {
	char sep;
	const char *name;
	const char *dir;	/* NULL: rejected */
	int err;
};

static const struct name_case name_cases[] = {
	{ '.', "INBOX", "", 0 },
	{ '.', "inBox", "", 0 },
	{ '.', "Work", ".Work", 0 },
	{ '.', "Work.Projects", ".Work.Projects", 0 },
	{ '/', "Work/Projects", ".Work.Projects", 0 },
	{ '.', "D\xc3\xa9partement", ".D&AOk-partement", 0 },
	{ '/', "Archives/2024/D\xc3\xa9""c", ".Archives.2024.D&AOk-c", 0 },
	{ '.', "R&D", ".R&-D", 0 },
	{ '.', "inbox.sub", ".INBOX.sub", 0 },
	{ '.', "My Folder", ".My Folder", 0 },
	{ '.', "", NULL, EINVAL },
	{ '.', "a..b", NULL, EINVAL },
	{ '.', ".a", NULL, EINVAL },
	{ '.', "a.", NULL, EINVAL },
	{ '/', "a//b", NULL, EINVAL },
	{ '/', "/a", NULL, EINVAL },
	{ '/', "a/", NULL, EINVAL },
	{ '.', "a/b", NULL, EINVAL },
	{ '/', "a.b", NULL, EINVAL },
	{ '/', "..", NULL, EINVAL },
	{ '.', "a\tb", NULL, EINVAL },
	{ '.', "a\rb", NULL, EINVAL },
	{ '.', "a\x7f", NULL, EINVAL },
	{ '.', "bad\xc3", NULL, EINVAL },
	{ '.', "bad\xed\xa0\x80", NULL, EINVAL },
};

START_TEST(test_names)
{
	const struct name_case *c = &name_cases[_i];
	struct maildir_opts o = { .sep = c->sep };
	struct maildir *md = maildir_open(root, &o);
	char *dir;

	errno = 0;
	dir = maildir_mailbox_dir(md, A, c->name);
	if (c->dir) {
		ck_assert_msg(dir != NULL, "%s: %s", c->name,
			      maildir_error(md));
		ck_assert_str_eq(dir, c->dir);
	} else {
		ck_assert_msg(dir == NULL, "accepted \"%s\" as %s", c->name,
			      dir);
		ck_assert_int_eq(errno, c->err);
		ck_assert_ptr_nonnull(strstr(maildir_error(md),
					     "invalid mailbox name"));
		ck_assert_int_eq(maildir_mailbox_exists(md, c->name), -1);
	}
	maildir_close(md);
}
END_TEST

START_TEST(test_name_too_long)
{
	struct maildir *md = maildir_open(root, NULL);
	char name[1100];

	memset(name, 'x', 300);
	name[300] = '\0';
	errno = 0;
	ck_assert_ptr_null(maildir_mailbox_dir(md, A, name));
	ck_assert_int_eq(errno, ENAMETOOLONG);
	memset(name, 'x', 1001);
	name[1001] = '\0';
	ck_assert_ptr_null(maildir_mailbox_dir(md, A, name));
	ck_assert_int_eq(errno, ENAMETOOLONG);
	/* 254 bytes on disk with the leading dot: fine */
	memset(name, 'x', 254);
	name[254] = '\0';
	ck_assert_ptr_nonnull(maildir_mailbox_dir(md, A, name));
	maildir_close(md);
}
END_TEST

/* ---- folders, subscriptions, listing ------------------------------------ */

START_TEST(test_mkroot)
{
	struct maildir *md = maildir_open(root, NULL);
	struct stat st;

	ck_assert_int_eq(maildir_mailbox_exists(md, "INBOX"), 0);
	ck_assert_int_eq(maildir_mkroot(md), 0);
	ck_assert_int_eq(maildir_mkroot(md), 0);
	ck_assert_int_eq(maildir_mailbox_exists(md, "inbox"), 1);
	ck_assert_int_eq(stat(sub_path("%s", "tmp"), &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_eq(st.st_mode & 0777, 0700);
	maildir_close(md);

	/* a root that is a file */
	snprintf(root, sizeof(root), "%s/file", base_dir);
	close(open(root, O_CREAT | O_WRONLY, 0600));
	md = maildir_open(root, NULL);
	ck_assert_int_eq(maildir_mkroot(md), -1);
	ck_assert_int_eq(errno, ENOTDIR);
	ck_assert_ptr_nonnull(strstr(maildir_error(md), root));
	maildir_close(md);
}
END_TEST

START_TEST(test_create)
{
	struct maildir *md = open_md('/', true);
	struct stat st;

	ck_assert_int_eq(maildir_mailbox_exists(md, "Work/Projects"), 0);
	ck_assert_int_eq(maildir_mailbox_create(md, "Work/Projects", true), 0);
	ck_assert_int_eq(maildir_mailbox_exists(md, "Work/Projects"), 1);
	/* Maildir++ is flat: the parent is not created */
	ck_assert_int_eq(maildir_mailbox_exists(md, "Work"), 0);
	ck_assert_int_eq(stat(sub_path("%s/maildirfolder", ".Work.Projects"),
			      &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(stat(sub_path("%s/tmp", ".Work.Projects"), &st), 0);
	/* idempotent, and completes a half-made folder */
	ck_assert_int_eq(maildir_mailbox_create(md, "Work/Projects", true), 0);
	ck_assert_int_eq(rmdir(sub_path("%s/cur", ".Work.Projects")), 0);
	ck_assert_int_eq(maildir_mailbox_exists(md, "Work/Projects"), 0);
	ck_assert_int_eq(maildir_mailbox_create(md, "Work/Projects", false), 0);
	ck_assert_int_eq(maildir_mailbox_exists(md, "Work/Projects"), 1);
	ck_assert_int_eq(maildir_mailbox_create(md, DEP, true), 0);
	ck_assert_int_eq(stat(sub_path("%s", ".D&AOk-partement/new"), &st), 0);
	ck_assert_int_eq(maildir_mailbox_create(md, "bad.name", false), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(maildir_mailbox_create(md, "INBOX", true), 0);
	ck_assert_ptr_nonnull(strstr(slurp(sub_path("%s", "subscriptions")),
				     "\nINBOX\n"));
	/* a folder that is a plain file does not exist */
	close(open(sub_path("%s", ".Plain"), O_CREAT | O_WRONLY, 0600));
	ck_assert_int_eq(maildir_mailbox_exists(md, "Plain"), 0);
	ck_assert_int_eq(maildir_mailbox_create(md, "Plain", false), -1);
	ck_assert_int_eq(errno, ENOTDIR);
	maildir_close(md);
}
END_TEST

START_TEST(test_subscriptions)
{
	struct maildir *md = open_md('.', true);
	const char *path = sub_path("%s", "subscriptions");

	ck_assert_int_eq(maildir_mailbox_create(md, "Work.Projects", true), 0);
	ck_assert_str_eq(slurp(path), "V\t2\n\nWork\tProjects\n");
	ck_assert_int_eq(maildir_subscribe(md, "Work.Projects", true), 0);
	ck_assert_int_eq(maildir_subscribe(md, "D\xc3\xa9partement", true), 1);
	ck_assert_int_eq(maildir_subscribe(md, "inbox", true), 1);
	ck_assert_str_eq(slurp(path),
			 "V\t2\n\nWork\tProjects\nD&AOk-partement\nINBOX\n");
	ck_assert_int_eq(maildir_subscribe(md, "Work.Projects", false), 1);
	ck_assert_int_eq(maildir_subscribe(md, "Work.Projects", false), 0);
	ck_assert_str_eq(slurp(path), "V\t2\n\nD&AOk-partement\nINBOX\n");
	ck_assert_int_eq(exists("subscriptions.lock"), 0);
	ck_assert_int_eq(count_dir(sub_path("%s", "tmp"), NULL, 0), 0);
	ck_assert_int_eq(maildir_subscribe(md, "a..b", true), -1);
	ck_assert_int_eq(errno, EINVAL);
	maildir_close(md);

	/* a version 1 file (no header) stays version 1 */
	unlink(path);
	FILE *f = fopen(path, "w");
	fputs("Old\n", f);
	fclose(f);
	md = open_md('/', true);
	ck_assert_int_eq(maildir_subscribe(md, "A/B", true), 1);
	ck_assert_str_eq(slurp(path), "Old\nA.B\n");
	maildir_close(md);
}
END_TEST

START_TEST(test_list)
{
	struct maildir *md = open_md('/', false);
	const char **names;

	ck_assert_int_eq(maildir_mailbox_create(md, "Work/Projects", false), 0);
	ck_assert_int_eq(maildir_mailbox_create(md, DEP, false), 0);
	ck_assert_int_eq(maildir_mailbox_create(md, "Archive", false), 0);
	/* not mailboxes: a bad encoding, a dot dir without cur/ */
	ck_assert_int_eq(mkdir(sub_path("%s", ".&Jjo"), 0700), 0);
	ck_assert_int_eq(mkdir(sub_path("%s", ".&Jjo/cur"), 0700), 0);
	ck_assert_int_eq(mkdir(sub_path("%s", ".NoCur"), 0700), 0);
	ck_assert_int_eq(maildir_mailbox_list(md, A, &names), 4);
	ck_assert_str_eq(names[0], "INBOX");
	ck_assert_str_eq(names[1], "Archive");
	ck_assert_str_eq(names[2], "D\xc3\xa9partement");
	ck_assert_str_eq(names[3], "Work/Projects");
	ck_assert_ptr_null(names[4]);
	maildir_close(md);
}
END_TEST

/* Several processes create and subscribe the same folder at once. */
START_TEST(test_create_race)
{
	struct maildir *md;
	pid_t pids[6];
	int st;

	md = open_md('.', true);
	maildir_close(md);
	for (int i = 0; i < 6; i++) {
		if ((pids[i] = fork()) == 0) {
			struct maildir *m = open_md('.', true);
			int r = maildir_mailbox_create(m, "Shared.Box", true) |
				maildir_mailbox_create(m, "Shared", true);

			maildir_close(m);
			_exit(r == 0 ? 0 : 1);
		}
		ck_assert_int_gt(pids[i], 0);
	}
	for (int i = 0; i < 6; i++) {
		ck_assert_int_eq(waitpid(pids[i], &st, 0), pids[i]);
		ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	md = open_md('.', true);
	ck_assert_int_eq(maildir_mailbox_exists(md, "Shared.Box"), 1);
	ck_assert_int_eq(maildir_mailbox_exists(md, "Shared"), 1);
	char *s = slurp(sub_path("%s", "subscriptions"));
	ck_assert_ptr_nonnull(s);
	ck_assert(strcmp(s, "V\t2\n\nShared\tBox\nShared\n") == 0 ||
		  strcmp(s, "V\t2\n\nShared\nShared\tBox\n") == 0);
	maildir_close(md);
}
END_TEST

/* ---- delivery ----------------------------------------------------------- */

static const char msg[] = "From: a@example.com\nSubject: hi\r\n\nbody\n";

START_TEST(test_store_new)
{
	struct maildir *md = open_md('.', true);
	struct maildir_target t = { .mailbox = "INBOX" };
	char name[512], want[64];
	const char *base;

	ck_assert_int_eq(maildir_store(md, A, msg, sizeof(msg) - 1, &t, 1), 0);
	ck_assert_int_eq(count_dir(sub_path("%s", "new"), name, sizeof(name)),
			 1);
	ck_assert_int_eq(count_dir(sub_path("%s", "tmp"), NULL, 0), 0);
	ck_assert_int_eq(count_dir(sub_path("%s", "cur"), NULL, 0), 0);
	ck_assert_ptr_nonnull(t.path);
	ck_assert_str_eq(t.path, sub_path("new/%s", name));
	ck_assert_str_eq(slurp(t.path), msg);
	/* <sec>.M<usec>P<pid>Q<n>.<host>,S=<size>,W=<crlf size> */
	snprintf(want, sizeof(want), "P%ldQ", (long)getpid());
	ck_assert_ptr_nonnull(strstr(name, ".M"));
	ck_assert_ptr_nonnull(strstr(name, want));
	base = strstr(name, ".mx1.example.com,");
	ck_assert_ptr_nonnull(base);
	/* 39 bytes, 3 bare LFs: W = 42 */
	ck_assert_str_eq(base, ".mx1.example.com,S=39,W=42");
	ck_assert_uint_eq(t.warnings, 0);
	maildir_close(md);
}
END_TEST

START_TEST(test_store_fd)
{
	struct maildir *md = open_md('.', true);
	struct maildir_target t = { .mailbox = "inbox" };
	struct buf big = BUF_INIT;
	char path[400];
	int fd;

	/* larger than one read chunk */
	for (int i = 0; i < 20000; i++)
		buf_printf(&big, "line %d\r\n", i);
	snprintf(path, sizeof(path), "%s/in.eml", base_dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, big.data, big.len), (ssize_t)big.len);
	lseek(fd, 0, SEEK_SET);
	ck_assert_int_eq(maildir_store_fd(md, A, fd, &t, 1), 0);
	close(fd);
	ck_assert_str_eq(slurp(t.path), big.data);
	char *sw = arena_printf(A, ",S=%zu,W=%zu", big.len, big.len);
	ck_assert_ptr_nonnull(strstr(t.path, sw));
	ck_assert_int_eq(maildir_store_fd(md, A, -1, &t, 1), -1);
	ck_assert_int_eq(errno, EBADF);
	buf_free(&big);
	maildir_close(md);
}
END_TEST

static const char *
info_of(const char *path)
{
	const char *p = strrchr(path, ':');

	return p ? p : "";
}

START_TEST(test_store_flags)
{
	struct maildir *md = open_md('.', true);
	const char *f1[] = { "\\Seen", "\\flagged", "$Junk", "NonJunk",
			     "\\SEEN", NULL };
	const char *f2[] = { "nonjunk", "\\Draft", "\\Answered", "\\Deleted",
			     NULL };
	const char *f3[] = { "\\Recent", "bad(kw", "x]", "", "Fine", NULL };
	struct maildir_target t = { .mailbox = "INBOX", .flags = f1 };

	ck_assert_int_eq(maildir_store(md, A, msg, sizeof(msg) - 1, &t, 1), 0);
	ck_assert_ptr_nonnull(strstr(t.path, "/cur/"));
	ck_assert_str_eq(info_of(t.path), ":2,FSab");
	ck_assert_str_eq(slurp(sub_path("%s", "dovecot-keywords")),
			 "0 $Junk\n1 NonJunk\n");
	ck_assert_int_eq(exists("dovecot-uidlist.lock"), 0);

	t.flags = f2;
	ck_assert_int_eq(maildir_store(md, A, msg, sizeof(msg) - 1, &t, 1), 0);
	ck_assert_str_eq(info_of(t.path), ":2,DRTb");
	ck_assert_uint_eq(t.warnings, 0);

	t.flags = f3;
	ck_assert_int_eq(maildir_store(md, A, msg, sizeof(msg) - 1, &t, 1), 0);
	ck_assert_str_eq(info_of(t.path), ":2,c");
	ck_assert_uint_eq(t.warnings, MAILDIR_WARN_BAD_FLAG);
	ck_assert_str_eq(slurp(sub_path("%s", "dovecot-keywords")),
			 "0 $Junk\n1 NonJunk\n2 Fine\n");

	/* flags that are all invalid: new/ */
	const char *f4[] = { "\\Recent", NULL };
	t.flags = f4;
	ck_assert_int_eq(maildir_store(md, A, msg, sizeof(msg) - 1, &t, 1), 0);
	ck_assert_ptr_nonnull(strstr(t.path, "/new/"));
	ck_assert_int_eq(count_dir(sub_path("%s", "cur"), NULL, 0), 3);
	maildir_close(md);
}
END_TEST

START_TEST(test_keyword_check)
{
	ck_assert(maildir_keyword_valid("$Junk"));
	ck_assert(maildir_keyword_valid("Nicht-Junk_1.x"));
	ck_assert(!maildir_keyword_valid(""));
	ck_assert(!maildir_keyword_valid("\\Seen"));
	ck_assert(!maildir_keyword_valid("a b"));
	ck_assert(!maildir_keyword_valid("a{"));
	ck_assert(!maildir_keyword_valid("a*"));
	ck_assert(!maildir_keyword_valid("a%"));
	ck_assert(!maildir_keyword_valid("\"a"));
	ck_assert(!maildir_keyword_valid("caf\xc3\xa9"));
	ck_assert_int_eq(maildir_flag_letter("\\seen"), 'S');
	ck_assert_int_eq(maildir_flag_letter("\\ANSWERED"), 'R');
	ck_assert_int_eq(maildir_flag_letter("\\Deleted"), 'T');
	ck_assert_int_eq(maildir_flag_letter("\\Recent"), 0);
	ck_assert_int_eq(maildir_flag_letter("Seen"), 0);
}
END_TEST

/* 26 letters; the 27th keyword and beyond are dropped with a warning. */
START_TEST(test_keywords_full)
{
	struct maildir *md = open_md('.', false);
	const char *kw[32];
	char names[30][8];
	struct maildir_target t = { .mailbox = "INBOX", .flags = kw };

	for (int i = 0; i < 30; i++) {
		snprintf(names[i], sizeof(names[i]), "k%02d", i);
		kw[i] = names[i];
	}
	kw[30] = NULL;
	ck_assert_int_eq(maildir_store(md, A, "x", 1, &t, 1), 0);
	ck_assert_uint_eq(t.warnings, MAILDIR_WARN_KEYWORDS_FULL);
	ck_assert_str_eq(info_of(t.path), ":2,abcdefghijklmnopqrstuvwxyz");
	char *k = slurp(sub_path("%s", "dovecot-keywords"));
	ck_assert_ptr_nonnull(strstr(k, "\n25 k25\n"));
	ck_assert_ptr_null(strstr(k, "k26"));
	/* known keywords still work when the table is full */
	kw[0] = "K03";
	kw[1] = "k29";
	kw[2] = NULL;
	ck_assert_int_eq(maildir_store(md, A, "x", 1, &t, 1), 0);
	ck_assert_str_eq(info_of(t.path), ":2,d");
	ck_assert_uint_eq(t.warnings, MAILDIR_WARN_KEYWORDS_FULL);
	maildir_close(md);
}
END_TEST

/* An existing file written by Dovecot, with holes, is kept. */
START_TEST(test_keywords_existing)
{
	struct maildir *md = open_md('.', false);
	const char *kw[] = { "new1", "$label1", "new2", NULL };
	struct maildir_target t = { .mailbox = "INBOX", .flags = kw };
	FILE *f = fopen(sub_path("%s", "dovecot-keywords"), "w");

	fputs("0 $label1\n2 $label3\ngarbage\n", f);
	fclose(f);
	ck_assert_int_eq(maildir_store(md, A, "x", 1, &t, 1), 0);
	ck_assert_str_eq(info_of(t.path), ":2,abd");
	ck_assert_str_eq(slurp(sub_path("%s", "dovecot-keywords")),
			 "0 $label1\n1 new1\n2 $label3\n3 new2\n");
	maildir_close(md);
}
END_TEST

START_TEST(test_store_multi)
{
	struct maildir *md = open_md('/', true);
	const char *seen[] = { "\\Seen", "Work", NULL };
	struct maildir_target t[3] = {
		{ .mailbox = "INBOX" },
		{ .mailbox = "Work/Projects", .flags = seen },
		{ .mailbox = "D\xc3\xa9partement" },
	};

	ck_assert_int_eq(maildir_mailbox_create(md, "Work/Projects", false), 0);
	ck_assert_int_eq(maildir_mailbox_create(md, DEP, false), 0);
	ck_assert_int_eq(maildir_store(md, A, msg, sizeof(msg) - 1, t, 3), 0);
	for (int i = 0; i < 3; i++) {
		ck_assert_ptr_nonnull(t[i].path);
		ck_assert_str_eq(slurp(t[i].path), msg);
	}
	ck_assert_str_eq(t[0].path,
			 sub_path("new/%s", strrchr(t[0].path, '/') + 1));
	ck_assert_ptr_nonnull(strstr(t[1].path, "/.Work.Projects/cur/"));
	ck_assert_str_eq(info_of(t[1].path), ":2,Sa");
	ck_assert_ptr_nonnull(strstr(t[2].path, "/.D&AOk-partement/new/"));
	ck_assert_str_eq(slurp(sub_path("%s",
					".Work.Projects/dovecot-keywords")),
			 "0 Work\n");
	ck_assert_int_eq(exists("dovecot-keywords"), 0);
	ck_assert_int_eq(count_dir(sub_path("%s", "tmp"), NULL, 0), 0);
	/* the same mailbox twice: two files */
	t[1].mailbox = "INBOX";
	t[1].flags = NULL;
	ck_assert_int_eq(maildir_store(md, A, msg, sizeof(msg) - 1, t, 2), 0);
	ck_assert_str_ne(t[0].path, t[1].path);
	ck_assert_int_eq(count_dir(sub_path("%s", "new"), NULL, 0), 3);
	maildir_close(md);
}
END_TEST

/* Counts message files in new/ and cur/ of every mailbox and tmp/ of root. */
static int
count_all(void)
{
	const char *boxes[] = { "", ".Work", ".Bad" };
	int n = 0, c;

	for (int i = 0; i < 3; i++) {
		if ((c = count_dir(sub_path("%s/new", boxes[i]), NULL, 0)) > 0)
			n += c;
		if ((c = count_dir(sub_path("%s/cur", boxes[i]), NULL, 0)) > 0)
			n += c;
	}
	return n + count_dir(sub_path("%s", "tmp"), NULL, 0);
}

START_TEST(test_store_rollback)
{
	struct maildir *md = open_md('.', true);
	const char *kw[] = { "k", NULL };
	struct maildir_target t[3] = {
		{ .mailbox = "INBOX" },
		{ .mailbox = "Work", .flags = kw },
		{ .mailbox = "Missing" },
	};

	ck_assert_int_eq(maildir_mailbox_create(md, "Work", false), 0);
	/* third target missing: ENOENT, nothing left anywhere */
	ck_assert_int_eq(maildir_store(md, A, msg, sizeof(msg) - 1, t, 3), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_ptr_nonnull(strstr(maildir_error(md), "Missing"));
	ck_assert_int_eq(count_all(), 0);
	ck_assert_ptr_null(t[0].path);

	/* a failure reading the keywords file of the third target */
	ck_assert_int_eq(maildir_mailbox_create(md, "Bad", false), 0);
	ck_assert_int_eq(mkdir(sub_path("%s", ".Bad/dovecot-keywords"), 0700),
			 0);
	t[2].mailbox = "Bad";
	t[2].flags = kw;
	ck_assert_int_eq(maildir_store(md, A, msg, sizeof(msg) - 1, t, 3), -1);
	ck_assert_int_eq(errno, EISDIR);
	ck_assert_int_eq(count_all(), 0);

	/* the target vanishes: its cur/ is a symlink to nowhere now */
	ck_assert_int_eq(rmdir(sub_path("%s", ".Bad/dovecot-keywords")), 0);
	ck_assert_int_eq(rmdir(sub_path("%s", ".Bad/cur")), 0);
	ck_assert_int_eq(mkdir(sub_path("%s", ".Bad/cur2"), 0700), 0);
	ck_assert_int_eq(symlink(sub_path("%s", ".Bad/cur2"),
				 sub_path("%s", ".Bad/cur")), 0);
	ck_assert_int_eq(maildir_mailbox_exists(md, "Bad"), 1);
	ck_assert_int_eq(rmdir(sub_path("%s", ".Bad/cur2")), 0);
	ck_assert_int_eq(maildir_mailbox_exists(md, "Bad"), 0);
	ck_assert_int_eq(maildir_store(md, A, msg, sizeof(msg) - 1, t, 3), -1);
	ck_assert_int_eq(count_all(), 0);

	/* an invalid name */
	t[2].mailbox = "a..b";
	ck_assert_int_eq(maildir_store(md, A, msg, sizeof(msg) - 1, t, 3), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(count_all(), 0);

	/* and a retry once fixed stores exactly once */
	t[2].mailbox = "Work";
	t[2].flags = NULL;
	ck_assert_int_eq(maildir_store(md, A, msg, sizeof(msg) - 1, t, 3), 0);
	ck_assert_int_eq(count_all(), 3);
	maildir_close(md);
}
END_TEST

/* tmp/ of the root is a file: nothing can be spooled. */
START_TEST(test_store_no_tmp)
{
	struct maildir *md = open_md('.', true);
	struct maildir_target t = { .mailbox = "INBOX" };

	ck_assert_int_eq(rmdir(sub_path("%s", "tmp")), 0);
	close(open(sub_path("%s", "tmp"), O_CREAT | O_WRONLY, 0600));
	ck_assert_int_eq(maildir_store(md, A, msg, sizeof(msg) - 1, &t, 1), -1);
	ck_assert_int_eq(errno, ENOTDIR);
	ck_assert_int_eq(count_dir(sub_path("%s", "new"), NULL, 0), 0);
	ck_assert_int_eq(maildir_store(md, A, msg, 1, &t, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	maildir_close(md);
}
END_TEST

/*
 * A write error while spooling (here EFBIG from RLIMIT_FSIZE, standing
 * for ENOSPC or EDQUOT): -1 with that errno, nothing in tmp/ or new/.
 * In a child, so that the limit does not outlive the test.
 */
START_TEST(test_store_write_error)
{
	pid_t pid;
	int st;

	maildir_close(open_md('.', true));
	if ((pid = fork()) == 0) {
		struct maildir *m = open_md('.', true);
		struct maildir_target t = { .mailbox = "INBOX" };
		struct rlimit rl = { 1000, 1000 };
		char big[4000];
		int r, e;

		memset(big, 'x', sizeof(big));
		signal(SIGXFSZ, SIG_IGN);
		setrlimit(RLIMIT_FSIZE, &rl);
		r = maildir_store(m, A, big, sizeof(big), &t, 1);
		e = errno;
		_exit(r == -1 && e == EFBIG &&
		      strstr(maildir_error(m), "write") != NULL ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ck_assert_int_eq(count_dir(sub_path("%s", "tmp"), NULL, 0), 0);
	ck_assert_int_eq(count_dir(sub_path("%s", "new"), NULL, 0), 0);
}
END_TEST

/* A target on another file system (a symlinked folder in /dev/shm). */
START_TEST(test_store_exdev)
{
	struct maildir *md = open_md('.', true);
	struct maildir_target t[2] = { { .mailbox = "INBOX" },
				       { .mailbox = "Other" } };
	char other[128];
	struct stat a, b;

	snprintf(other, sizeof(other), "/dev/shm/check_maildir.%ld",
		 (long)getpid());
	if (stat("/dev/shm", &b) < 0 || stat(root, &a) < 0 ||
	    a.st_dev == b.st_dev || mkdir(other, 0700) < 0) {
		maildir_close(md);
		return;		/* no second file system here */
	}
	ck_assert_int_eq(symlink(other, sub_path("%s", ".Other")), 0);
	ck_assert_int_eq(maildir_mailbox_create(md, "Other", false), 0);
	ck_assert_int_eq(maildir_store(md, A, msg, sizeof(msg) - 1, t, 2), 0);
	ck_assert_str_eq(slurp(t[1].path), msg);
	ck_assert_int_eq(count_dir(sub_path("%s", ".Other/tmp"), NULL, 0), 0);
	ck_assert_int_eq(count_dir(sub_path("%s", ".Other/new"), NULL, 0), 1);
	/* the copy fails (tmp/ there is a file): rollback of INBOX too */
	rm_rf(sub_path("%s", ".Other/tmp"));
	close(open(sub_path("%s", ".Other/tmp"), O_CREAT | O_WRONLY, 0600));
	ck_assert_int_eq(maildir_store(md, A, msg, sizeof(msg) - 1, t, 2), -1);
	ck_assert_int_eq(errno, ENOTDIR);
	ck_assert_int_eq(count_dir(sub_path("%s", "new"), NULL, 0), 1);
	ck_assert_int_eq(count_dir(sub_path("%s", ".Other/new"), NULL, 0), 1);
	ck_assert_int_eq(count_dir(sub_path("%s", "tmp"), NULL, 0), 0);
	rm_rf(other);
	maildir_close(md);
}
END_TEST

START_TEST(test_hostname_escape)
{
	struct maildir_opts o = { .hostname = "a/b:c" };
	struct maildir *md = maildir_open(root, &o);
	struct maildir_target t = { .mailbox = "INBOX" };

	ck_assert_int_eq(maildir_mkroot(md), 0);
	ck_assert_int_eq(maildir_store(md, A, "x\n", 2, &t, 1), 0);
	ck_assert_ptr_nonnull(strstr(t.path, ".a\\057b\\072c,S=2,W=3"));
	ck_assert_ptr_null(strchr(strrchr(t.path, '/'), ':'));
	maildir_close(md);
}
END_TEST

/* A lock left by a dead process is broken at once. */
START_TEST(test_stale_lock)
{
	struct maildir *md = open_md('.', false);
	const char *kw[] = { "x", NULL };
	struct maildir_target t = { .mailbox = "INBOX", .flags = kw };
	pid_t dead = fork();
	FILE *f;

	if (dead == 0)
		_exit(0);
	ck_assert_int_eq(waitpid(dead, NULL, 0), dead);
	f = fopen(sub_path("%s", "dovecot-uidlist.lock"), "w");
	fprintf(f, "%ld:mx1.example.com", (long)dead);
	fclose(f);
	ck_assert_int_eq(maildir_store(md, A, "x", 1, &t, 1), 0);
	ck_assert_str_eq(info_of(t.path), ":2,a");
	ck_assert_int_eq(exists("dovecot-uidlist.lock"), 0);
	maildir_close(md);
}
END_TEST

/* ---- concurrency -------------------------------------------------------- */

#define PROCS 8
#define PER_PROC 125

START_TEST(test_concurrent_store)
{
	static char seen[PROCS][PER_PROC];
	struct dirent *de;
	pid_t pids[PROCS];
	int st, n = 0;
	DIR *d;

	maildir_close(open_md('.', true));
	for (int p = 0; p < PROCS; p++) {
		if ((pids[p] = fork()) == 0) {
			struct maildir *m = open_md('.', true);
			struct arena *a = arena_new(4096);
			char body[256];
			int fails = 0;

			for (int i = 0; i < PER_PROC; i++) {
				struct maildir_target t = {
					.mailbox = "INBOX"
				};
				int len = snprintf(body, sizeof(body),
						   "Subject: %d/%d\n\nproc %d "
						   "message %d\n", p, i, p, i);

				fails += maildir_store(m, a, body, (size_t)len,
						       &t, 1) != 0;
				arena_reset(a);
			}
			arena_free(a);
			maildir_close(m);
			_exit(fails == 0 ? 0 : 1);
		}
		ck_assert_int_gt(pids[p], 0);
	}
	for (int p = 0; p < PROCS; p++) {
		ck_assert_int_eq(waitpid(pids[p], &st, 0), pids[p]);
		ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	memset(seen, 0, sizeof(seen));
	d = opendir(sub_path("%s", "new"));
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		char *s, want[128];
		int p, i;

		if (de->d_name[0] == '.')
			continue;
		n++;
		s = slurp(sub_path("new/%s", de->d_name));
		ck_assert_ptr_nonnull(s);
		ck_assert_int_eq(sscanf(s, "Subject: %d/%d", &p, &i), 2);
		ck_assert(p >= 0 && p < PROCS && i >= 0 && i < PER_PROC);
		snprintf(want, sizeof(want), "Subject: %d/%d\n\nproc %d "
			 "message %d\n", p, i, p, i);
		ck_assert_str_eq(s, want);
		ck_assert_int_eq(seen[p][i], 0);
		seen[p][i] = 1;
	}
	closedir(d);
	ck_assert_int_eq(n, PROCS * PER_PROC);
	ck_assert_int_eq(count_dir(sub_path("%s", "tmp"), NULL, 0), 0);
}
END_TEST

/* Processes add their own keywords and shared ones at the same time. */
START_TEST(test_concurrent_keywords)
{
	enum { KP = 6, ROUNDS = 10 };
	char *names[26] = { NULL };
	pid_t pids[KP];
	struct dirent *de;
	int st, files = 0;
	DIR *d;

	maildir_close(open_md('.', false));
	for (int p = 0; p < KP; p++) {
		if ((pids[p] = fork()) == 0) {
			struct maildir *m = open_md('.', false);
			struct arena *a = arena_new(4096);
			char own[2][16];
			const char *kw[4];
			int fails = 0;

			snprintf(own[0], sizeof(own[0]), "own%da", p);
			snprintf(own[1], sizeof(own[1]), "own%db", p);
			kw[0] = own[0], kw[1] = "shared", kw[2] = own[1];
			kw[3] = NULL;
			for (int r = 0; r < ROUNDS; r++) {
				struct maildir_target t = { .mailbox = "INBOX",
							    .flags = kw };
				char body[32];
				int len = snprintf(body, sizeof(body), "%d\n",
						   p);

				fails += maildir_store(m, a, body, (size_t)len,
						       &t, 1) != 0 ||
					 t.warnings != 0;
				arena_reset(a);
			}
			arena_free(a);
			maildir_close(m);
			_exit(fails == 0 ? 0 : 1);
		}
		ck_assert_int_gt(pids[p], 0);
	}
	for (int p = 0; p < KP; p++) {
		ck_assert_int_eq(waitpid(pids[p], &st, 0), pids[p]);
		ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	/* the file: 13 distinct keywords at distinct indexes */
	char *k = slurp(sub_path("%s", "dovecot-keywords"));
	ck_assert_ptr_nonnull(k);
	int lines = 0;
	for (char *line = strtok(k, "\n"); line; line = strtok(NULL, "\n")) {
		char name[64];
		int idx;

		ck_assert_int_eq(sscanf(line, "%d %63s", &idx, name), 2);
		ck_assert(idx >= 0 && idx < 26);
		ck_assert_ptr_null(names[idx]);
		for (int j = 0; j < 26; j++)
			if (names[j])
				ck_assert_str_ne(names[j], name);
		names[idx] = arena_strdup(A, name);
		lines++;
	}
	ck_assert_int_eq(lines, 2 * KP + 1);
	/* every file's letters name its sender's keywords */
	d = opendir(sub_path("%s", "cur"));
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		const char *info;
		char want[3][16];
		int p, got = 0;

		if (de->d_name[0] == '.')
			continue;
		files++;
		ck_assert_int_eq(sscanf(slurp(sub_path("cur/%s", de->d_name)),
					"%d", &p), 1);
		info = strstr(de->d_name, ":2,");
		ck_assert_ptr_nonnull(info);
		ck_assert_int_eq(strlen(info + 3), 3);
		snprintf(want[0], sizeof(want[0]), "own%da", p);
		snprintf(want[1], sizeof(want[1]), "own%db", p);
		snprintf(want[2], sizeof(want[2]), "shared");
		for (const char *c = info + 3; *c; c++) {
			ck_assert(*c >= 'a' && *c <= 'z');
			ck_assert_ptr_nonnull(names[*c - 'a']);
			for (int j = 0; j < 3; j++)
				got += strcmp(names[*c - 'a'], want[j]) == 0;
			if (c > info + 3)
				ck_assert_int_lt(c[-1], c[0]);
		}
		ck_assert_int_eq(got, 3);
	}
	closedir(d);
	ck_assert_int_eq(files, KP * ROUNDS);
}
END_TEST

static Suite *
maildir_suite(void)
{
	Suite *s = suite_create("maildir");
	TCase *tc = tcase_create("maildir");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_mutf7_cases, 0,
			    sizeof(mutf7_cases) / sizeof(mutf7_cases[0]));
	tcase_add_loop_test(tc, test_mutf7_bad, 0,
			    sizeof(mutf7_bad) / sizeof(mutf7_bad[0]));
	tcase_add_loop_test(tc, test_utf8_bad, 0,
			    sizeof(utf8_bad) / sizeof(utf8_bad[0]));
	tcase_add_test(tc, test_mutf7_roundtrip);
	tcase_add_loop_test(tc, test_names, 0,
			    sizeof(name_cases) / sizeof(name_cases[0]));
	tcase_add_test(tc, test_name_too_long);
	tcase_add_test(tc, test_mkroot);
	tcase_add_test(tc, test_create);
	tcase_add_test(tc, test_subscriptions);
	tcase_add_test(tc, test_list);
	tcase_add_test(tc, test_create_race);
	tcase_add_test(tc, test_store_new);
	tcase_add_test(tc, test_store_fd);
	tcase_add_test(tc, test_store_flags);
	tcase_add_test(tc, test_keyword_check);
	tcase_add_test(tc, test_keywords_full);
	tcase_add_test(tc, test_keywords_existing);
	tcase_add_test(tc, test_store_multi);
	tcase_add_test(tc, test_store_rollback);
	tcase_add_test(tc, test_store_no_tmp);
	tcase_add_test(tc, test_store_write_error);
	tcase_add_test(tc, test_store_exdev);
	tcase_add_test(tc, test_hostname_escape);
	tcase_add_test(tc, test_stale_lock);
	tcase_add_test(tc, test_concurrent_store);
	tcase_add_test(tc, test_concurrent_keywords);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(maildir_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
