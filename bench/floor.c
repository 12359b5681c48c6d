/*
 * floor.c -- the physical floor of a Maildir delivery, for bench/deliver.sh.
 *
 *     floor MAILDIR < message
 *
 * Does only what any durable Maildir delivery must do: read the message
 * from standard input, write it to MAILDIR/tmp/ under a unique name, fsync
 * it, rename it into MAILDIR/new/ and fsync that directory.  No config, no
 * user lookup, no parsing, no filtering.  Exit 0 on success, 75 on error.
 * Compiled by the benchmark with `cc -O2`; not part of tamis.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int
fail(const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
	return 75;
}

int
main(int argc, char **argv)
{
	static char buf[1 << 20];
	char tmp[4096], dst[4096], name[128];
	struct timespec ts;
	size_t len = 0;
	ssize_t n;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: floor MAILDIR < message\n");
		return 64;
	}
	while ((n = read(0, buf + len, sizeof(buf) - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return fail("read");
		}
		len += (size_t)n;
		if (len == sizeof(buf))
			return fail("message too large");
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(name, sizeof(name), "%lld.M%ldP%ld.floor",
		 (long long)ts.tv_sec, ts.tv_nsec / 1000, (long)getpid());
	snprintf(tmp, sizeof(tmp), "%s/tmp/%s", argv[1], name);
	snprintf(dst, sizeof(dst), "%s/new/%s", argv[1], name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return fail(tmp);
	for (size_t off = 0; off < len; off += (size_t)n) {
		n = write(fd, buf + off, len - off);
		if (n < 0) {
			if (errno == EINTR) {
				n = 0;
				continue;
			}
			return fail("write");
		}
	}
	if (fsync(fd) < 0 || close(fd) < 0)
		return fail("fsync");
	if (rename(tmp, dst) < 0)
		return fail("rename");
	snprintf(tmp, sizeof(tmp), "%s/new", argv[1]);
	fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		return fail("fsync new/");
	close(fd);
	return 0;
}
