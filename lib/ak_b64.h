/* Base64 (RFC 4648) without dependencies, for key blobs and fingerprints. */
#ifndef AK_B64_H
#define AK_B64_H

#include <stddef.h>

/*
 * Decodes len chars of src (padding optional, no white space) into dst of
 * dstlen bytes. Returns the decoded length, or -1 on a bad character,
 * bad length or a too small dst.
 */
long ak_b64_decode(const char *src, size_t len, unsigned char *dst,
    size_t dstlen);

/*
 * Encodes len bytes into dst (NUL-terminated), with '=' padding if pad.
 * Returns the length written, or -1 if dst is too small.
 */
long ak_b64_encode(const unsigned char *src, size_t len, char *dst,
    size_t dstlen, int pad);

/* Returns the decoded size bound for len base64 characters. */
#define AK_B64_DECODED_MAX(len)	(((len) / 4 + 1) * 3)

#endif
