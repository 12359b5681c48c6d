/*
 * faultinject.c -- LD_PRELOAD shim for the deliver fault tests: makes one
 * system call fail with a chosen errno, as a full disk or a failing disk
 * would.
 *
 *   TAMIS_FAULT="write:ENOSPC"      every write() to a regular file fails
 *   TAMIS_FAULT="fsync:EIO"         every fsync()/fdatasync() fails
 *   TAMIS_FAULT="rename:EIO"        every rename() fails
 *   TAMIS_FAULT="link:EIO"          every link()/linkat() fails
 *   TAMIS_FAULT_AFTER=N             only from the (N+1)th such call on
 *
 * Pipes and terminals are left alone so that logging and sendmail work.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
should_fail(const char *call)
{
	const char *f = getenv("TAMIS_FAULT");
	const char *after = getenv("TAMIS_FAULT_AFTER");
	static unsigned long calls;
	size_t n = strlen(call);
	const char *e;

	if (f == NULL || strncmp(f, call, n) != 0 || f[n] != ':')
		return 0;
	if (after && calls++ < strtoul(after, NULL, 10))
		return 0;
	e = f + n + 1;
	if (strcmp(e, "ENOSPC") == 0)
		return ENOSPC;
	if (strcmp(e, "EDQUOT") == 0)
		return EDQUOT;
	return EIO;
}

static int
regular(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

ssize_t
write(int fd, const void *buf, size_t n)
{
	static ssize_t (*real)(int, const void *, size_t);
	int e;

	if (real == NULL)
		real = (ssize_t (*)(int, const void *, size_t))
			dlsym(RTLD_NEXT, "write");
	if (regular(fd) && (e = should_fail("write")) != 0) {
		errno = e;
		return -1;
	}
	return real(fd, buf, n);
}

int
fsync(int fd)
{
	static int (*real)(int);
	int e;

	if (real == NULL)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	if ((e = should_fail("fsync")) != 0) {
		errno = e;
		return -1;
	}
	return real(fd);
}

int
fdatasync(int fd)
{
	static int (*real)(int);
	int e;

	if (real == NULL)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
	if ((e = should_fail("fsync")) != 0) {
		errno = e;
		return -1;
	}
	return real(fd);
}

int
rename(const char *a, const char *b)
{
	static int (*real)(const char *, const char *);
	int e;

	if (real == NULL)
		real = (int (*)(const char *, const char *))
			dlsym(RTLD_NEXT, "rename");
	if ((e = should_fail("rename")) != 0) {
		errno = e;
		return -1;
	}
	return real(a, b);
}

int
link(const char *a, const char *b)
{
	static int (*real)(const char *, const char *);
	int e;

	if (real == NULL)
		real = (int (*)(const char *, const char *))
			dlsym(RTLD_NEXT, "link");
	if ((e = should_fail("link")) != 0) {
		errno = e;
		return -1;
	}
	return real(a, b);
}

int
linkat(int d1, const char *a, int d2, const char *b, int flags)
{
	static int (*real)(int, const char *, int, const char *, int);
	int e;

	if (real == NULL)
		real = (int (*)(int, const char *, int, const char *, int))
			dlsym(RTLD_NEXT, "linkat");
	if ((e = should_fail("link")) != 0) {
		errno = e;
		return -1;
	}
	return real(d1, a, d2, b, flags);
}
