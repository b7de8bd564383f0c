/* OpenSSH KRLs (PROTOCOL.krl) of verified revocation lists. */
#include <sys/stat.h>

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ak_b64.h"
#include "ak_err.h"
#include "ak_file.h"
#include "ak_key.h"
#include "ak_krl.h"
#include "ak_log.h"
#include "ak_wire.h"

#define KRL_MAGIC		"SSHKRL\n"	/* + NUL: 8 bytes */
#define KRL_FORMAT_VERSION	1
#define SECTION_EXPLICIT_KEY	2
#define SECTION_SHA256		5
#define SHA256_LEN		32

struct buf {
	unsigned char *p;
	size_t len, cap;
	int err;
};

static void
put(struct buf *b, const void *data, size_t len)
{
	unsigned char *np;
	size_t cap;

	/* Nothing to add (an empty section whose buffer never grew: NULL). */
	if (b->err || len == 0)
		return;
	if (len > AK_KRL_MAX || b->len + len > AK_KRL_MAX) {
		b->err = AK_ERR_TOO_LARGE;
		return;
	}
	if (b->len + len > b->cap) {
		for (cap = b->cap ? b->cap : 256; cap < b->len + len; cap *= 2)
			;
		if ((np = realloc(b->p, cap)) == NULL) {
			b->err = AK_ERR_ALLOC;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

static void
put_u32(struct buf *b, uint32_t v)
{
	unsigned char x[4] = { (unsigned char)(v >> 24),
	    (unsigned char)(v >> 16), (unsigned char)(v >> 8),
	    (unsigned char)v };

	put(b, x, sizeof(x));
}

static void
put_u64(struct buf *b, uint64_t v)
{
	put_u32(b, (uint32_t)(v >> 32));
	put_u32(b, (uint32_t)v);
}

static void
put_string(struct buf *b, const void *s, size_t len)
{
	if (len > UINT32_MAX) {
		b->err = AK_ERR_TOO_LARGE;
		return;
	}
	put_u32(b, (uint32_t)len);
	put(b, s, len);
}

/* OpenSSH keeps both sections sorted by their blobs; so do we. */
static int
hash_cmp(const void *a, const void *b)
{
	return memcmp(a, b, SHA256_LEN);
}

static int
key_cmp(const void *a, const void *b)
{
	const struct ak_revkey *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->blob, y->blob, n);

	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

int
ak_krl_build(const struct ak_revlist *rl, time_t now, unsigned char **outp,
    size_t *lenp)
{
	struct buf b, sec;
	unsigned char (*hashes)[SHA256_LEN] = NULL;
	struct ak_revkey *keys = NULL;
	size_t i, n = 0, nh = 0;
	int r;

	*outp = NULL;
	*lenp = 0;
	memset(&b, 0, sizeof(b));
	memset(&sec, 0, sizeof(sec));
	put(&b, KRL_MAGIC, sizeof(KRL_MAGIC));	/* with its NUL */
	put_u32(&b, KRL_FORMAT_VERSION);
	put_u64(&b, rl != NULL ? rl->serial : 0);
	put_u64(&b, (uint64_t)now);
	put_u64(&b, 0);				/* flags */
	put_string(&b, "", 0);			/* reserved */
	put_string(&b, "authkeys revocation list", 24);
	if (rl != NULL && rl->nkeys > 0) {
		if ((keys = calloc(rl->nkeys, sizeof(*keys))) == NULL) {
			r = AK_ERR_ALLOC;
			goto out;
		}
		memcpy(keys, rl->keys, rl->nkeys * sizeof(*keys));
		qsort(keys, rl->nkeys, sizeof(*keys), key_cmp);
		for (i = 0; i < rl->nkeys; i++) {
			if (i > 0 && key_cmp(&keys[i - 1], &keys[i]) == 0)
				continue;
			put_string(&sec, keys[i].blob, keys[i].len);
			n++;
		}
		put(&b, (unsigned char []){ SECTION_EXPLICIT_KEY }, 1);
		put_string(&b, sec.p, sec.len);
		sec.len = 0;
	}
	if (rl != NULL && rl->n > 0) {
		if ((hashes = calloc(rl->n, SHA256_LEN)) == NULL) {
			r = AK_ERR_ALLOC;
			goto out;
		}
		/* "SHA256:" + unpadded base64 of the 32-byte hash. */
		for (i = 0; i < rl->n; i++) {
			if (ak_b64_decode(rl->fprs[i] + 7, AK_FPR_LEN - 7,
			    hashes[nh], SHA256_LEN) != SHA256_LEN) {
				r = AK_ERR_FORMAT;
				goto out;
			}
			nh++;
		}
		qsort(hashes, nh, SHA256_LEN, hash_cmp);
		for (i = 0; i < nh; i++) {
			if (i > 0 && hash_cmp(hashes[i - 1], hashes[i]) == 0)
				continue;
			put_string(&sec, hashes[i], SHA256_LEN);
		}
		put(&b, (unsigned char []){ SECTION_SHA256 }, 1);
		put_string(&b, sec.p, sec.len);
	}
	if ((r = b.err != 0 ? b.err : sec.err) != 0)
		goto out;
	*outp = b.p;
	*lenp = b.len;
	b.p = NULL;
	r = 0;
 out:
	(void)n;
	free(hashes);
	free(keys);
	free(sec.p);
	free(b.p);
	return r;
}

int
ak_krl_version(const unsigned char *buf, size_t len,
    unsigned long long *versionp)
{
	struct ak_wire w;
	uint32_t fmt, hi, lo;

	*versionp = 0;
	if (len < sizeof(KRL_MAGIC) || memcmp(buf, KRL_MAGIC,
	    sizeof(KRL_MAGIC)) != 0)
		return AK_ERR_FORMAT;
	w.p = buf + sizeof(KRL_MAGIC);
	w.len = len - sizeof(KRL_MAGIC);
	if (ak_wire_u32(&w, &fmt) != 0 || fmt != KRL_FORMAT_VERSION ||
	    ak_wire_u32(&w, &hi) != 0 || ak_wire_u32(&w, &lo) != 0)
		return AK_ERR_FORMAT;
	*versionp = ((unsigned long long)hi << 32) | lo;
	return 0;
}

int
ak_krl_update(const char *path, const struct ak_revlist *rl, time_t now)
{
	unsigned long long have;
	unsigned char *krl = NULL;
	char *old = NULL, *dcopy = NULL, *bcopy = NULL;
	size_t oldlen, len;
	int r;

	/* What is there (sshd's, so: a regular file, not followed). */
	r = ak_file_read(path, AK_KRL_MAX, 0, 0, &old, &oldlen);
	if (r == 0 && rl == NULL) {
		free(old);
		return 0;	/* exists: nothing to create */
	}
	if (r == 0 && ak_krl_version((unsigned char *)old, oldlen,
	    &have) == 0 && rl != NULL && have > rl->serial) {
		free(old);
		return 0;	/* a newer list already made it */
	}
	free(old);
	if (r != 0 && r != AK_ERR_NOT_FOUND && r != AK_ERR_PERM &&
	    r != AK_ERR_TOO_LARGE)
		return r;
	if ((r = ak_krl_build(rl, now, &krl, &len)) != 0)
		return r;
	if ((dcopy = strdup(path)) == NULL || (bcopy = strdup(path)) == NULL) {
		r = AK_ERR_ALLOC;
		goto out;
	}
	/* Readable by all: sshd and "ssh-keygen -Q" by the admin. */
	r = ak_file_write_atomic(dirname(dcopy), basename(bcopy), krl, len,
	    0644);
	if (r != 0)
		ak_log(LOG_ERR, "revoked_keys_file %s not written: %s", path,
		    ak_err(r));
 out:
	free(dcopy);
	free(bcopy);
	free(krl);
	return r;
}
