/*
 * SHA-256 (FIPS 180-4) without libcrypto, so the cache-hit path of the
 * command computes fingerprints without loading OpenSSL.
 */
#ifndef AK_SHA256_H
#define AK_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define AK_SHA256_LEN	32

struct ak_sha256 {
	uint32_t h[8];
	uint64_t total;
	unsigned char buf[64];
	size_t used;
};

void ak_sha256_init(struct ak_sha256 *c);
void ak_sha256_update(struct ak_sha256 *c, const void *data, size_t len);
void ak_sha256_final(struct ak_sha256 *c, unsigned char out[AK_SHA256_LEN]);
/* One-shot digest of len bytes into out. */
void ak_sha256(const void *data, size_t len, unsigned char out[AK_SHA256_LEN]);

/* A digest as lowercase hex, NUL-terminated. */
#define AK_SHA256_HEX	(2 * AK_SHA256_LEN + 1)
void ak_sha256_hex(const unsigned char h[AK_SHA256_LEN],
    char out[AK_SHA256_HEX]);
/*
 * The one hex reader: exactly 64 lowercase hex digits (what ak_sha256_hex
 * writes) from s into h. Returns 0, or AK_ERR_FORMAT for anything else.
 */
int ak_sha256_unhex(const char *s, size_t len,
    unsigned char h[AK_SHA256_LEN]);

#endif
