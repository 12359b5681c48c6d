/*
 * digest.h -- SHA-256 (duplicate ids, vacation and redirect tracking keys)
 * and HMAC-SHA1 (SRS) from libnettle, loaded on first use.
 *
 * deliver runs once per message and most messages need no digest, so the
 * library is not linked but opened with dlopen() the first time a digest
 * is asked for: a delivery that needs none does not pay for loading it.
 * Functions return 0, or -1 when the library cannot be loaded (the reason
 * in digest_error()).
 */
#ifndef TAMIS_DIGEST_H
#define TAMIS_DIGEST_H

#include <stddef.h>

#include <nettle/sha2.h>

#define DIGEST_SHA256_LEN 32
#define DIGEST_SHA1_LEN 20

struct digest_sha256 {
	struct sha256_ctx ctx;
};

int digest_sha256_init(struct digest_sha256 *d);
void digest_sha256_update(struct digest_sha256 *d, const void *p, size_t n);
void digest_sha256_final(struct digest_sha256 *d,
			 unsigned char out[DIGEST_SHA256_LEN]);
/* One call: SHA-256 of p. */
int digest_sha256(const void *p, size_t n,
		  unsigned char out[DIGEST_SHA256_LEN]);
int digest_hmac_sha1(const void *key, size_t klen, const void *p, size_t n,
		     unsigned char out[DIGEST_SHA1_LEN]);
const char *digest_error(void);

#endif
