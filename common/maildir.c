/*
 * maildir.c -- Maildir++ storage (see maildir.h for the layout).
 *
 * Implemented: mailbox name mapping and checks (levels encoded by
 * mutf7.c), folder creation, subscriptions (Dovecot's version 2 file),
 * listing, the dovecot-keywords file, and delivery of one message to
 * several mailboxes with rollback.  Locks are dotlocks compatible with
 * Dovecot's: a `<file>.lock` created with O_EXCL holding "<pid>:<host>",
 * broken when its process is dead (same host) or when it is older than
 * the stale timeout.  dovecot-keywords is changed under
 * dovecot-uidlist.lock, the lock Dovecot itself relies on for that file.
 */
#include "maildir.h"
#include "arena.h"
#include "buf.h"
#include "mutf7.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define KEYWORDS_MAX		26
#define LOCK_STALE_SECS		120	/* as Dovecot's uidlist/keywords */
#define LOCK_WAIT_SECS		(LOCK_STALE_SECS + 2)
#define STORE_MAX_TARGETS	64
#define BASE_MAX		384	/* unique base name, host up to 255 */

struct maildir {
	char *root;
	char sep;
	mode_t dir_mode;
	mode_t file_mode;
	bool fsync;
	char host[256];		/* escaped: '/' -> \057, ':' -> \072 */
	char err[512];
};

/* Per-process counter for unique names (the Q part). */
static unsigned long maildir_counter;

static void set_err(struct maildir *md, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Records a message; errno is kept. */
static void
set_err(struct maildir *md, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(md->err, sizeof(md->err), fmt, ap);
	va_end(ap);
	errno = saved;
}

static int
sys_err(struct maildir *md, const char *what, const char *path)
{
	set_err(md, "%s: %s: %s", what, path, strerror(errno));
	return -1;
}

/* ---- small file helpers -------------------------------------------------- */

static int
write_full(int fd, const void *p, size_t n)
{
	const char *c = p;
	ssize_t w;

	while (n > 0) {
		w = write(fd, c, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
fsync_dir(struct maildir *md, const char *dir)
{
	int fd, r;

	if (!md->fsync)
		return 0;
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return sys_err(md, "open", dir);
	r = fsync(fd);
	if (r < 0 && errno != EINVAL)	/* EINVAL: fs without dir fsync */
		sys_err(md, "fsync", dir);
	else
		r = 0;
	close(fd);
	return r;
}

static int
path_fmt(struct maildir *md, char *out, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
path_fmt(struct maildir *md, char *out, size_t cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, cap, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= cap) {
		errno = ENAMETOOLONG;
		set_err(md, "path too long under %s", md->root);
		return -1;
	}
	return 0;
}

/* mkdir that accepts an existing directory. */
static int
mkdir_ok(struct maildir *md, const char *path)
{
	struct stat st;

	if (mkdir(path, md->dir_mode) == 0)
		return 0;
	if (errno != EEXIST)
		return sys_err(md, "mkdir", path);
	if (stat(path, &st) < 0)
		return sys_err(md, "stat", path);
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return sys_err(md, "mkdir", path);
	}
	return 0;
}

/* Creates dir/tmp, dir/new, dir/cur. */
static int
mkdir_subdirs(struct maildir *md, const char *dir)
{
	static const char *const sub[] = { "tmp", "new", "cur" };
	char p[PATH_MAX];

	for (size_t i = 0; i < 3; i++) {
		if (path_fmt(md, p, sizeof(p), "%s/%s", dir, sub[i]) < 0 ||
		    mkdir_ok(md, p) < 0)
			return -1;
	}
	return 0;
}

/* ---- handle ------------------------------------------------------------- */

struct maildir *
maildir_open(const char *root, const struct maildir_opts *opts)
{
	struct maildir *md = xcalloc(1, sizeof(*md));
	const char *h = opts ? opts->hostname : NULL;
	char sys[256];
	size_t n, o = 0;

	md->root = xstrdup(root);
	n = strlen(md->root);
	while (n > 1 && md->root[n - 1] == '/')
		md->root[--n] = '\0';
	md->sep = opts && opts->sep ? opts->sep : '.';
	md->dir_mode = opts && opts->dir_mode ? opts->dir_mode : 0700;
	md->file_mode = opts && opts->file_mode ? opts->file_mode : 0600;
	md->fsync = !(opts && opts->no_fsync);
	if (h == NULL) {
		if (gethostname(sys, sizeof(sys)) < 0)
			strcpy(sys, "localhost");
		sys[sizeof(sys) - 1] = '\0';
		h = sys;
	}
	for (; *h && o + 5 < sizeof(md->host); h++) {
		if (*h == '/' || *h == ':') {
			snprintf(md->host + o, 5, "\\%03o", (unsigned char)*h);
			o += 4;
		} else
			md->host[o++] = *h;
	}
	md->host[o] = '\0';
	return md;
}

void
maildir_close(struct maildir *md)
{
	if (md == NULL)
		return;
	free(md->root);
	free(md);
}

const char *
maildir_error(const struct maildir *md)
{
	return md->err;
}

const char *
maildir_root(const struct maildir *md)
{
	return md->root;
}

int
maildir_mkroot(struct maildir *md)
{
	char p[PATH_MAX];
	size_t i, n;

	struct stat st;

	/* the usual case, an existing Maildir: three stats, no mkdir */
	if (path_fmt(md, p, sizeof(p), "%s/new", md->root) == 0 &&
	    stat(p, &st) == 0 && S_ISDIR(st.st_mode) &&
	    path_fmt(md, p, sizeof(p), "%s/cur", md->root) == 0 &&
	    stat(p, &st) == 0 && S_ISDIR(st.st_mode) &&
	    path_fmt(md, p, sizeof(p), "%s/tmp", md->root) == 0 &&
	    stat(p, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	if (path_fmt(md, p, sizeof(p), "%s", md->root) < 0)
		return -1;
	/* mkdir -p: each ancestor, then the root itself. */
	n = strlen(p);
	for (i = 1; i < n; i++) {
		if (p[i] != '/')
			continue;
		p[i] = '\0';
		if (mkdir(p, md->dir_mode) < 0 && errno != EEXIST) {
			sys_err(md, "mkdir", p);
			return -1;
		}
		p[i] = '/';
	}
	if (mkdir_ok(md, p) < 0)
		return -1;
	return mkdir_subdirs(md, p);
}

/* ---- names -------------------------------------------------------------- */

static int
name_err(struct maildir *md, int e, const char *name, const char *why)
{
	set_err(md, "invalid mailbox name \"%.200s\": %s", name, why);
	errno = e;
	return -1;
}

/*
 * Storage directory of a mailbox into out ("" for INBOX).  One level at a
 * time: checked, mUTF-7 encoded, joined with '.'.
 */
static int
name_to_dir(struct maildir *md, const char *name, struct buf *out)
{
	char storage_sep = md->sep == '.' ? '/' : '.';
	const char *p, *end, *lvl;
	size_t len;

	buf_reset(out);
	if (name == NULL || *name == '\0')
		return name_err(md, EINVAL, "", "empty name");
	len = strlen(name);
	if (len > MAILDIR_NAME_MAX)
		return name_err(md, ENAMETOOLONG, name, "name too long");
	for (p = name; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return name_err(md, EINVAL, name,
					"control character in name");
		if (*p == storage_sep) {
			char why[64];

			snprintf(why, sizeof(why),
				 "character '%c' not allowed in a level",
				 storage_sep);
			return name_err(md, EINVAL, name, why);
		}
	}
	if (strcasecmp(name, "INBOX") == 0)
		return 0;
	for (lvl = name;; lvl = end + 1) {
		end = strchr(lvl, md->sep);
		if (end == NULL)
			end = lvl + strlen(lvl);
		if (end == lvl)
			return name_err(md, EINVAL, name, "empty level");
		buf_putc(out, '.');
		if (lvl == name && end - lvl == 5 &&
		    strncasecmp(lvl, "INBOX", 5) == 0)
			buf_puts(out, "INBOX");
		else if (mutf7_from_utf8(out, lvl, (size_t)(end - lvl)) < 0)
			return name_err(md, EINVAL, name, "invalid UTF-8");
		if (*end == '\0')
			break;
	}
	if (out->len > NAME_MAX)
		return name_err(md, ENAMETOOLONG, name,
				"name too long on disk");
	return 0;
}

char *
maildir_mailbox_dir(struct maildir *md, struct arena *a, const char *name)
{
	struct buf b = BUF_INIT;
	char *r = NULL;

	if (name_to_dir(md, name, &b) == 0)
		r = arena_strndup(a, b.data ? b.data : "", b.len);
	buf_free(&b);
	return r;
}

/* Absolute directory of a mailbox into out. */
static int
mailbox_path(struct maildir *md, const char *name, char *out, size_t cap)
{
	struct buf b = BUF_INIT;
	int r;

	r = name_to_dir(md, name, &b);
	if (r == 0)
		r = path_fmt(md, out, cap, "%s/%s", md->root,
			     b.data ? b.data : "");
	buf_free(&b);
	if (r == 0 && out[strlen(out) - 1] == '/')
		out[strlen(out) - 1] = '\0';
	return r;
}

static int
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int
maildir_mailbox_exists(struct maildir *md, const char *name)
{
	char dir[PATH_MAX], p[PATH_MAX];
	struct stat st;

	if (mailbox_path(md, name, dir, sizeof(dir)) < 0)
		return -1;
	if (stat(dir, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return sys_err(md, "stat", dir);
	}
	if (!S_ISDIR(st.st_mode))
		return 0;
	if (path_fmt(md, p, sizeof(p), "%s/new", dir) < 0 || !is_dir(p))
		return 0;
	if (path_fmt(md, p, sizeof(p), "%s/cur", dir) < 0 || !is_dir(p))
		return 0;
	return 1;
}

int
maildir_mailbox_create(struct maildir *md, const char *name, bool subscribe)
{
	char dir[PATH_MAX], p[PATH_MAX];
	int fd;

	if (mailbox_path(md, name, dir, sizeof(dir)) < 0)
		return -1;
	if (strcmp(dir, md->root) == 0) {
		if (maildir_mkroot(md) < 0)
			return -1;
		return subscribe && maildir_subscribe(md, name, true) < 0 ?
			-1 : 0;
	}
	if (!is_dir(md->root) && maildir_mkroot(md) < 0)
		return -1;
	if (mkdir_ok(md, dir) < 0 || mkdir_subdirs(md, dir) < 0)
		return -1;
	if (path_fmt(md, p, sizeof(p), "%s/maildirfolder", dir) < 0)
		return -1;
	fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, md->file_mode);
	if (fd < 0)
		return sys_err(md, "open", p);
	close(fd);
	if (fsync_dir(md, dir) < 0 || fsync_dir(md, md->root) < 0)
		return -1;
	if (subscribe && maildir_subscribe(md, name, true) < 0)
		return -1;
	return 0;
}

/* ---- dotlocks ----------------------------------------------------------- */

/* True when the lock's owner is known dead: "<pid>:<host>" on our host. */
static bool
lock_owner_dead(struct maildir *md, const char *lockpath)
{
	char buf[300], *colon, *end;
	ssize_t n;
	long pid;
	int fd;

	if ((fd = open(lockpath, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	if ((colon = strchr(buf, ':')) == NULL)
		return false;
	*colon = '\0';
	pid = strtol(buf, &end, 10);
	if (*end != '\0' || pid <= 0 || strcmp(colon + 1, md->host) != 0)
		return false;
	return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

/*
 * Takes lockpath: created with O_EXCL holding "<pid>:<host>".  A lock held
 * by a dead process of this host, or untouched for LOCK_STALE_SECS, is
 * removed (after checking it is still the same file).  Waits up to
 * LOCK_WAIT_SECS; then -1 with EAGAIN.
 */
static int
lock_take(struct maildir *md, const char *lockpath)
{
	struct timespec ts;
	struct stat st, st2;
	time_t start = time(NULL);
	char id[300];
	unsigned delay = 1000;
	int fd, n;

	n = snprintf(id, sizeof(id), "%ld:%s", (long)getpid(), md->host);
	for (;;) {
		fd = open(lockpath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			  md->file_mode);
		if (fd >= 0) {
			if (write_full(fd, id, (size_t)n) < 0) {
				sys_err(md, "write", lockpath);
				close(fd);
				unlink(lockpath);
				return -1;
			}
			close(fd);
			return 0;
		}
		if (errno != EEXIST)
			return sys_err(md, "open", lockpath);
		if (lstat(lockpath, &st) == 0 &&
		    (time(NULL) - st.st_mtime > LOCK_STALE_SECS ||
		     lock_owner_dead(md, lockpath))) {
			if (lstat(lockpath, &st2) == 0 &&
			    st2.st_ino == st.st_ino &&
			    st2.st_mtime == st.st_mtime)
				unlink(lockpath);
			continue;
		}
		if (time(NULL) - start > LOCK_WAIT_SECS) {
			errno = EAGAIN;
			return sys_err(md, "lock timeout", lockpath);
		}
		ts.tv_sec = 0;
		/* jitter from the pid: waiters do not retry in step */
		ts.tv_nsec = 1000L *
			     (delay + (unsigned)getpid() * 7919u % delay);
		nanosleep(&ts, NULL);
		if (delay < 100000)
			delay *= 2;
	}
}

static void
unlink_quiet(const char *path)
{
	int saved = errno;

	unlink(path);
	errno = saved;
}

/*
 * Replaces path with data: a unique temp file in dir/tmp, fsync, rename,
 * fsync of dir.  The caller holds the lock.
 */
static int
replace_file(struct maildir *md, const char *dir, const char *path,
	     const char *data, size_t len)
{
	char tmp[PATH_MAX];
	int fd;

	if (path_fmt(md, tmp, sizeof(tmp), "%s/tmp/%ld.%lu.%s.replace", dir,
		     (long)getpid(), ++maildir_counter, md->host) < 0)
		return -1;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, md->file_mode);
	if (fd < 0)
		return sys_err(md, "open", tmp);
	if (write_full(fd, data, len) < 0 || (md->fsync && fsync(fd) < 0)) {
		sys_err(md, "write", tmp);
		close(fd);
		unlink_quiet(tmp);
		return -1;
	}
	if (close(fd) < 0) {
		sys_err(md, "close", tmp);
		unlink_quiet(tmp);
		return -1;
	}
	if (rename(tmp, path) < 0) {
		sys_err(md, "rename", path);
		unlink_quiet(tmp);
		return -1;
	}
	return fsync_dir(md, dir);
}

/* ---- subscriptions ------------------------------------------------------ */

static const char subs_header[] = "V\t2\n\n";

/* The line of a name: levels as stored on disk, separated by TAB. */
static int
subs_line(struct maildir *md, const char *name, struct buf *line)
{
	struct buf dir = BUF_INIT;

	if (name_to_dir(md, name, &dir) < 0) {
		buf_free(&dir);
		return -1;
	}
	buf_reset(line);
	if (dir.len == 0)
		buf_puts(line, "INBOX");
	for (size_t i = 1; i < dir.len; i++)
		buf_putc(line, dir.data[i] == '.' ? '\t' : dir.data[i]);
	buf_free(&dir);
	return 0;
}

int
maildir_subscribe(struct maildir *md, const char *name, bool set)
{
	struct buf line = BUF_INIT, old = BUF_INIT, out = BUF_INIT;
	char path[PATH_MAX], lock[PATH_MAX];
	const char *p, *eol;
	bool found = false, v2 = true;
	int r = -1;

	if (subs_line(md, name, &line) < 0)
		return -1;
	if (path_fmt(md, path, sizeof(path), "%s/subscriptions",
		     md->root) < 0 ||
	    path_fmt(md, lock, sizeof(lock), "%s.lock", path) < 0)
		goto out;
	if (lock_take(md, lock) < 0)
		goto out;
	if (buf_read_file(&old, path, 0) < 0 && errno != ENOENT) {
		sys_err(md, "read", path);
		goto unlock;
	}
	p = old.data ? old.data : "";
	if (old.len > 0) {
		v2 = strncmp(p, subs_header, sizeof(subs_header) - 1) == 0;
		if (v2)
			p += sizeof(subs_header) - 1;
	}
	if (v2)
		buf_puts(&out, subs_header);
	else {
		/* Version 1 names are joined by the storage separator. */
		for (size_t i = 0; i < line.len; i++)
			if (line.data[i] == '\t')
				line.data[i] = '.';
	}
	for (; *p; p = *eol ? eol + 1 : eol) {
		eol = strchr(p, '\n');
		if (eol == NULL)
			eol = p + strlen(p);
		if ((size_t)(eol - p) == line.len &&
		    memcmp(p, line.data, line.len) == 0) {
			found = true;
			if (!set)
				continue;
		}
		if (eol > p) {
			buf_append(&out, p, (size_t)(eol - p));
			buf_putc(&out, '\n');
		}
	}
	if (found == set) {
		r = 0;
		goto unlock;
	}
	if (set) {
		buf_append(&out, line.data, line.len);
		buf_putc(&out, '\n');
	}
	r = replace_file(md, md->root, path, out.data, out.len) < 0 ? -1 : 1;
unlock:
	unlink_quiet(lock);
out:
	buf_free(&line);
	buf_free(&old);
	buf_free(&out);
	return r;
}

/* ---- listing ------------------------------------------------------------ */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
maildir_mailbox_list(struct maildir *md, struct arena *a, const char ***names)
{
	struct buf b = BUF_INIT;
	struct dirent *de;
	const char **v;
	size_t n = 1, cap = 16;
	DIR *d;

	if ((d = opendir(md->root)) == NULL)
		return sys_err(md, "opendir", md->root);
	v = xmalloc(cap * sizeof(*v));
	v[0] = "INBOX";
	while ((de = readdir(d)) != NULL) {
		const char *s = de->d_name, *lvl, *end;
		char sub[PATH_MAX];
		bool ok = true;

		if (s[0] != '.' || s[1] == '\0' || strcmp(s, "..") == 0)
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s/cur", md->root, s) >=
		    (int)sizeof(sub) || !is_dir(sub))
			continue;
		buf_reset(&b);
		for (lvl = s + 1; ok; lvl = end + 1) {
			end = strchr(lvl, '.');
			if (end == NULL)
				end = lvl + strlen(lvl);
			if (end == lvl ||
			    memchr(lvl, md->sep, (size_t)(end - lvl)))
				ok = false;
			else if (mutf7_to_utf8(&b, lvl,
						       (size_t)(end - lvl)) < 0)
				ok = false;
			if (*end == '\0')
				break;
			buf_putc(&b, md->sep);
		}
		if (!ok)
			continue;
		if (n + 1 >= cap) {
			cap *= 2;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[n++] = arena_strndup(a, b.data, b.len);
	}
	closedir(d);
	buf_free(&b);
	qsort(v + 1, n - 1, sizeof(*v), cmp_str);
	*names = arena_alloc(a, (n + 1) * sizeof(*v));
	memcpy(*names, v, n * sizeof(*v));
	(*names)[n] = NULL;
	free(v);
	return (int)n;
}

/* ---- flags and keywords ------------------------------------------------- */

static const struct {
	const char *name;
	char letter;
} system_flags[] = {
	{ "\\Draft", 'D' }, { "\\Flagged", 'F' }, { "\\Answered", 'R' },
	{ "\\Seen", 'S' }, { "\\Deleted", 'T' },
};

char
maildir_flag_letter(const char *flag)
{
	size_t n = sizeof(system_flags) / sizeof(system_flags[0]);

	for (size_t i = 0; i < n; i++)
		if (strcasecmp(flag, system_flags[i].name) == 0)
			return system_flags[i].letter;
	return 0;
}

bool
maildir_keyword_valid(const char *kw)
{
	size_t n = 0;

	for (const char *p = kw; *p; p++, n++) {
		unsigned char c = (unsigned char)*p;

		if (c <= 0x20 || c >= 0x7f || strchr("(){%*\"\\]", c))
			return false;
	}
	return n > 0 && n <= 255;
}

struct keywords {
	char *names[KEYWORDS_MAX];
};

static void
keywords_clear(struct keywords *k)
{
	for (size_t i = 0; i < KEYWORDS_MAX; i++) {
		free(k->names[i]);
		k->names[i] = NULL;
	}
}

/* Reads dir/dovecot-keywords; a missing file is an empty list. */
static int
keywords_read(struct maildir *md, const char *path, struct keywords *k)
{
	struct buf b = BUF_INIT;
	char *p, *eol, *sp, *end;
	long idx;

	keywords_clear(k);
	if (buf_read_file(&b, path, 1 << 20) < 0) {
		if (errno == ENOENT) {
			buf_free(&b);
			return 0;
		}
		sys_err(md, "read", path);
		buf_free(&b);
		return -1;
	}
	for (p = b.data; p && *p; p = eol + 1) {
		if ((eol = strchr(p, '\n')) == NULL)
			eol = p + strlen(p) - 1;	/* last, unterminated */
		else
			*eol = '\0';
		if ((sp = strchr(p, ' ')) == NULL)
			continue;
		*sp = '\0';
		idx = strtol(p, &end, 10);
		if (*end != '\0' || end == p || idx < 0 ||
		    idx >= KEYWORDS_MAX || sp[1] == '\0')
			continue;
		free(k->names[idx]);
		k->names[idx] = xstrdup(sp + 1);
	}
	buf_free(&b);
	return 0;
}

static int
keywords_find(const struct keywords *k, const char *kw)
{
	for (int i = 0; i < KEYWORDS_MAX; i++)
		if (k->names[i] && strcasecmp(k->names[i], kw) == 0)
			return i;
	return -1;
}

/*
 * Maps keywords to letters in mailbox dir, adding the missing ones to
 * dovecot-keywords under dovecot-uidlist.lock.  letters[i] is the letter
 * of kw[i], or 0 when it was dropped (no free index: *warn).
 */
static int
keywords_resolve(struct maildir *md, const char *dir, const char **kw,
		 size_t nkw, char *letters, unsigned *warn)
{
	struct keywords k = { { NULL } };
	char path[PATH_MAX], lock[PATH_MAX];
	struct buf out = BUF_INIT;
	bool missing = false, added = false, locked = false;
	size_t i;
	int r = -1, idx;

	if (path_fmt(md, path, sizeof(path), "%s/dovecot-keywords", dir) < 0 ||
	    path_fmt(md, lock, sizeof(lock), "%s/dovecot-uidlist.lock",
		     dir) < 0)
		return -1;
	if (keywords_read(md, path, &k) < 0)
		goto out;
	for (i = 0; i < nkw; i++)
		if (keywords_find(&k, kw[i]) < 0)
			missing = true;
	if (missing) {
		if (lock_take(md, lock) < 0)
			goto out;
		locked = true;
		if (keywords_read(md, path, &k) < 0)	/* under the lock */
			goto out;
		for (i = 0; i < nkw; i++) {
			if (keywords_find(&k, kw[i]) >= 0)
				continue;
			for (idx = 0; idx < KEYWORDS_MAX && k.names[idx]; idx++)
				;
			if (idx == KEYWORDS_MAX)
				continue;
			k.names[idx] = xstrdup(kw[i]);
			added = true;
		}
		if (added) {
			for (idx = 0; idx < KEYWORDS_MAX; idx++)
				if (k.names[idx])
					buf_printf(&out, "%d %s\n", idx,
						   k.names[idx]);
			if (replace_file(md, dir, path, out.data, out.len) < 0)
				goto out;
		}
	}
	for (i = 0; i < nkw; i++) {
		idx = keywords_find(&k, kw[i]);
		letters[i] = idx < 0 ? 0 : (char)('a' + idx);
		if (idx < 0)
			*warn |= MAILDIR_WARN_KEYWORDS_FULL;
	}
	r = 0;
out:
	if (locked)
		unlink_quiet(lock);
	keywords_clear(&k);
	buf_free(&out);
	return r;
}

static int
cmp_char(const void *a, const void *b)
{
	return *(const char *)a - *(const char *)b;
}

/*
 * The ":2,<letters>" info of a target into info (empty when no flags).
 */
static int
target_info(struct maildir *md, const char *dir, struct maildir_target *t,
	    char *info, size_t cap)
{
	const char *kw[64];
	char letters[64], sys[8] = "", all[KEYWORDS_MAX + 8];
	size_t nkw = 0, nsys = 0, nall = 0, i;
	char l;

	info[0] = '\0';
	for (i = 0; t->flags && t->flags[i]; i++) {
		const char *f = t->flags[i];

		if ((l = maildir_flag_letter(f)) != 0) {
			if (!memchr(sys, l, nsys))
				sys[nsys++] = l;
		} else if (!maildir_keyword_valid(f)) {
			t->warnings |= MAILDIR_WARN_BAD_FLAG;
		} else if (nkw < sizeof(kw) / sizeof(kw[0])) {
			kw[nkw++] = f;
		} else
			t->warnings |= MAILDIR_WARN_KEYWORDS_FULL;
	}
	if (nkw > 0 &&
	    keywords_resolve(md, dir, kw, nkw, letters, &t->warnings) < 0)
		return -1;
	qsort(sys, nsys, 1, cmp_char);
	memcpy(all, sys, nsys);
	nall = nsys;
	for (i = 0; i < nkw; i++) {
		if (letters[i] && !memchr(all + nsys, letters[i], nall - nsys))
			all[nall++] = letters[i];
	}
	qsort(all + nsys, nall - nsys, 1, cmp_char);
	if (nall > 0 && cap > nall + 3) {
		memcpy(info, ":2,", 3);
		memcpy(info + 3, all, nall);
		info[3 + nall] = '\0';
	}
	return 0;
}

/* ---- delivery ----------------------------------------------------------- */

struct spool {
	char path[PATH_MAX];	/* root/tmp/<base> */
	char base[BASE_MAX];		/* <sec>.M<usec>P<pid>Q<n>.<host> */
	int fd;
	size_t size, vsize;
	bool last_cr;
};

static void
unique_base(struct maildir *md, char *out, size_t cap)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	snprintf(out, cap, "%lld.M%ldP%ldQ%lu.%s", (long long)tv.tv_sec,
		 (long)tv.tv_usec, (long)getpid(), ++maildir_counter, md->host);
}

static int
spool_open(struct maildir *md, struct spool *sp)
{
	for (int tries = 0; tries < 100; tries++) {
		unique_base(md, sp->base, sizeof(sp->base));
		if (path_fmt(md, sp->path, sizeof(sp->path), "%s/tmp/%s",
			     md->root, sp->base) < 0)
			return -1;
		sp->fd = open(sp->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
			      md->file_mode);
		if (sp->fd >= 0)
			return 0;
		if (errno != EEXIST)
			return sys_err(md, "open", sp->path);
	}
	return sys_err(md, "open", sp->path);
}

/* Writes a chunk, counting the size with CRLF line ends. */
static int
spool_write(struct maildir *md, struct spool *sp, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n' && !sp->last_cr)
			sp->vsize++;
		sp->last_cr = p[i] == '\r';
	}
	sp->size += n;
	sp->vsize += n;
	if (write_full(sp->fd, p, n) < 0)
		return sys_err(md, "write", sp->path);
	return 0;
}

static int
spool_finish(struct maildir *md, struct spool *sp)
{
	if (md->fsync && fsync(sp->fd) < 0)
		return sys_err(md, "fsync", sp->path);
	return 0;
}

/* Copies the spool file into dest through dir/tmp (other file system). */
static int
copy_into(struct maildir *md, struct spool *sp, const char *dir,
	  const char *dest)
{
	char tmp[PATH_MAX], chunk[65536];
	ssize_t n;
	off_t off = 0;
	int fd, r = -1;

	if (path_fmt(md, tmp, sizeof(tmp), "%s/tmp/%s", dir, sp->base) < 0)
		return -1;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, md->file_mode);
	if (fd < 0)
		return sys_err(md, "open", tmp);
	for (;;) {
		n = pread(sp->fd, chunk, sizeof(chunk), off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			sys_err(md, "read", sp->path);
			goto out;
		}
		if (n == 0)
			break;
		if (write_full(fd, chunk, (size_t)n) < 0) {
			sys_err(md, "write", tmp);
			goto out;
		}
		off += n;
	}
	if (md->fsync && fsync(fd) < 0) {
		sys_err(md, "fsync", tmp);
		goto out;
	}
	if (link(tmp, dest) < 0) {
		sys_err(md, "link", dest);
		goto out;
	}
	r = 0;
out:
	close(fd);
	unlink_quiet(tmp);
	return r;
}

/*
 * Places the spool file in one target: link into new/ or cur/ under the
 * final name (a link never replaces a file; on a name clash a new unique
 * name is tried), copy when the link crosses file systems, then fsync of
 * the directory.  The final path goes to dest.
 */
static int
place_one(struct maildir *md, struct spool *sp, struct maildir_target *t,
	  char *dest, size_t cap)
{
	char dir[PATH_MAX], sub[PATH_MAX], info[64], base[BASE_MAX];
	int tries;

	if (mailbox_path(md, t->mailbox, dir, sizeof(dir)) < 0)
		return -1;
	switch (maildir_mailbox_exists(md, t->mailbox)) {
	case -1:
		return -1;
	case 0:
		errno = ENOENT;
		set_err(md, "mailbox \"%.200s\" does not exist", t->mailbox);
		return -1;
	}
	if (target_info(md, dir, t, info, sizeof(info)) < 0)
		return -1;
	if (path_fmt(md, sub, sizeof(sub), "%s/%s", dir,
		     info[0] ? "cur" : "new") < 0)
		return -1;
	snprintf(base, sizeof(base), "%s", sp->base);
	for (tries = 0;; tries++) {
		if (path_fmt(md, dest, cap, "%s/%s,S=%zu,W=%zu%s", sub, base,
			     sp->size, sp->vsize, info) < 0)
			return -1;
		if (link(sp->path, dest) == 0)
			break;
		if (errno == EXDEV) {
			if (copy_into(md, sp, dir, dest) == 0)
				break;
			if (errno != EEXIST)
				return -1;
		} else if (errno != EEXIST)
			return sys_err(md, "link", dest);
		if (tries == 10)
			return sys_err(md, "link", dest);
		unique_base(md, base, sizeof(base));
	}
	if (fsync_dir(md, sub) < 0) {
		unlink_quiet(dest);
		return -1;
	}
	return 0;
}

static int
store_spool(struct maildir *md, struct arena *a, struct spool *sp,
	    struct maildir_target *t, size_t n)
{
	char (*placed)[PATH_MAX];
	size_t i, k;
	int saved;

	if (spool_finish(md, sp) < 0)
		return -1;
	placed = xmalloc(n * sizeof(*placed));
	for (i = 0; i < n; i++) {
		t[i].warnings = 0;
		t[i].path = NULL;
		if (place_one(md, sp, &t[i], placed[i], sizeof(placed[i])) < 0)
			break;
	}
	if (i < n) {
		/* Take back what this call placed: a retry must not
		 * duplicate the message. */
		saved = errno;
		for (k = 0; k < i; k++) {
			char *slash;

			unlink(placed[k]);
			if ((slash = strrchr(placed[k], '/')) != NULL) {
				*slash = '\0';
				fsync_dir(md, placed[k]);
			}
			t[k].path = NULL;
		}
		free(placed);
		errno = saved;
		return -1;
	}
	for (i = 0; i < n; i++)
		t[i].path = arena_strdup(a, placed[i]);
	free(placed);
	return 0;
}

static int
store_common(struct maildir *md, struct arena *a, const void *data,
	     size_t len, int in_fd, struct maildir_target *t, size_t n)
{
	struct spool sp;
	char chunk[65536];
	ssize_t r;
	int ret = -1, saved;

	if (n == 0 || n > STORE_MAX_TARGETS) {
		errno = EINVAL;
		set_err(md, "store: %zu targets", n);
		return -1;
	}
	memset(&sp, 0, sizeof(sp));
	if (spool_open(md, &sp) < 0)
		return -1;
	if (in_fd < 0) {
		if (spool_write(md, &sp, data, len) < 0)
			goto out;
	} else {
		for (;;) {
			r = read(in_fd, chunk, sizeof(chunk));
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				sys_err(md, "read", "message");
				goto out;
			}
			if (r == 0)
				break;
			if (spool_write(md, &sp, chunk, (size_t)r) < 0)
				goto out;
		}
	}
	ret = store_spool(md, a, &sp, t, n);
out:
	saved = errno;
	close(sp.fd);
	unlink(sp.path);
	errno = saved;
	return ret;
}

int
maildir_store(struct maildir *md, struct arena *a, const void *data,
	      size_t len, struct maildir_target *targets, size_t ntargets)
{
	return store_common(md, a, data, len, -1, targets, ntargets);
}

int
maildir_store_fd(struct maildir *md, struct arena *a, int fd,
		 struct maildir_target *targets, size_t ntargets)
{
	if (fd < 0) {
		errno = EBADF;
		set_err(md, "store: bad descriptor");
		return -1;
	}
	return store_common(md, a, NULL, 0, fd, targets, ntargets);
}
