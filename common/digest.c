/* digest.c -- libnettle's digests, loaded on first use (see digest.h). */
#include "digest.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <nettle/hmac.h>

#ifndef TAMIS_NETTLE_SONAME
#define TAMIS_NETTLE_SONAME "libnettle.so.8"
#endif

static struct {
	bool tried, ok;
	char err[256];
	void (*sha256_init)(struct sha256_ctx *);
	void (*sha256_update)(struct sha256_ctx *, size_t, const uint8_t *);
	void (*sha256_digest)(struct sha256_ctx *, size_t, uint8_t *);
	void (*hmac_sha1_set_key)(struct hmac_sha1_ctx *, size_t,
				  const uint8_t *);
	void (*hmac_sha1_update)(struct hmac_sha1_ctx *, size_t,
				 const uint8_t *);
	void (*hmac_sha1_digest)(struct hmac_sha1_ctx *, size_t, uint8_t *);
} nt;

static bool
load(void)
{
	void *h;

	if (nt.tried)
		return nt.ok;
	nt.tried = true;
	h = dlopen(TAMIS_NETTLE_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		snprintf(nt.err, sizeof(nt.err), "%s", dlerror());
		return false;
	}
	/* ISO C forbids object-to-function pointer casts; POSIX allows
	 * this one (dlsym's documented use) */
#define SYM(field, name)						\
	do {								\
		void *s = dlsym(h, name);				\
		if (s == NULL) {					\
			snprintf(nt.err, sizeof(nt.err), "%s: no %s",	\
				 TAMIS_NETTLE_SONAME, name);		\
			return false;					\
		}							\
		*(void **)(&nt.field) = s;				\
	} while (0)
	SYM(sha256_init, "nettle_sha256_init");
	SYM(sha256_update, "nettle_sha256_update");
	SYM(sha256_digest, "nettle_sha256_digest");
	SYM(hmac_sha1_set_key, "nettle_hmac_sha1_set_key");
	SYM(hmac_sha1_update, "nettle_hmac_sha1_update");
	SYM(hmac_sha1_digest, "nettle_hmac_sha1_digest");
#undef SYM
	nt.ok = true;
	return true;
}

const char *
digest_error(void)
{
	return nt.err[0] ? nt.err : "no error";
}

int
digest_sha256_init(struct digest_sha256 *d)
{
	if (!load())
		return -1;
	nt.sha256_init(&d->ctx);
	return 0;
}

void
digest_sha256_update(struct digest_sha256 *d, const void *p, size_t n)
{
	nt.sha256_update(&d->ctx, n, p);
}

void
digest_sha256_final(struct digest_sha256 *d,
		    unsigned char out[DIGEST_SHA256_LEN])
{
	nt.sha256_digest(&d->ctx, DIGEST_SHA256_LEN, out);
}

int
digest_sha256(const void *p, size_t n, unsigned char out[DIGEST_SHA256_LEN])
{
	struct digest_sha256 d;

	if (digest_sha256_init(&d) < 0)
		return -1;
	digest_sha256_update(&d, p, n);
	digest_sha256_final(&d, out);
	return 0;
}

int
digest_hmac_sha1(const void *key, size_t klen, const void *p, size_t n,
		 unsigned char out[DIGEST_SHA1_LEN])
{
	struct hmac_sha1_ctx ctx;

	if (!load())
		return -1;
	nt.hmac_sha1_set_key(&ctx, klen, key);
	nt.hmac_sha1_update(&ctx, n, p);
	nt.hmac_sha1_digest(&ctx, DIGEST_SHA1_LEN, out);
	return 0;
}
