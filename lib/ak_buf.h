/*
 * The one growable byte buffer (OpenSSH's sshbuf, smaller): every writer
 * that builds bytes piece by piece (the KRL, the signed data of an SSHSIG,
 * the %f index, an HTTP body) appends here, bounded by a maximum, and
 * checks one sticky error at the end instead of after every append.
 */
#ifndef AK_BUF_H
#define AK_BUF_H

#include <stddef.h>
#include <stdint.h>

struct ak_buf {
	unsigned char *p;	/* NULL until the first append */
	size_t len;
	size_t cap;
	size_t max;		/* len never exceeds it */
	int err;		/* first AK_ERR_* met; appends stop there */
};

/* An empty buffer that will hold at most max bytes. */
void ak_buf_init(struct ak_buf *b, size_t max);

/*
 * Appends len bytes of data (nothing for len 0). Sets b->err to
 * AK_ERR_TOO_LARGE past max or AK_ERR_ALLOC, and returns it (0 if fine).
 */
int ak_buf_put(struct ak_buf *b, const void *data, size_t len);
/* Big-endian integers and SSH strings (uint32 length, then the bytes). */
int ak_buf_put_u8(struct ak_buf *b, uint8_t v);
int ak_buf_put_u32(struct ak_buf *b, uint32_t v);
int ak_buf_put_u64(struct ak_buf *b, uint64_t v);
int ak_buf_put_string(struct ak_buf *b, const void *s, size_t len);

/* Makes room for n more bytes without appending. Returns 0 or b->err. */
int ak_buf_reserve(struct ak_buf *b, size_t n);

/*
 * Hands the bytes over: *pp (caller frees; NULL if empty) and *lenp.
 * Returns b->err (nothing handed over then); b is empty afterwards.
 */
int ak_buf_take(struct ak_buf *b, unsigned char **pp, size_t *lenp);

/* Frees the bytes, wiped first (they may have held a secret). */
void ak_buf_free(struct ak_buf *b);

#endif
