/* OpenSSH KRLs (PROTOCOL.krl) of verified revocation lists, root's alone. */
#include <sys/stat.h>

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ak_buf.h"
#include "ak_err.h"
#include "ak_file.h"
#include "ak_keyset.h"
#include "ak_krl.h"
#include "ak_log.h"
#include "ak_wire.h"

#define KRL_MAGIC		"SSHKRL\n"	/* + NUL: 8 bytes */
#define KRL_FORMAT_VERSION	1
#define SECTION_EXPLICIT_KEY	2
#define SECTION_SHA256		5

/* OpenSSH keeps the explicit keys sorted by their blobs; so do we. */
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
ak_krl_build(const struct ak_revset *rs, time_t now, unsigned char **outp,
    size_t *lenp)
{
	struct ak_buf b, sec;
	struct ak_revkey *keys = NULL;
	size_t i;
	int r;

	*outp = NULL;
	*lenp = 0;
	ak_buf_init(&b, AK_KRL_MAX);
	ak_buf_init(&sec, AK_KRL_MAX);
	ak_buf_put(&b, KRL_MAGIC, sizeof(KRL_MAGIC));	/* with its NUL */
	ak_buf_put_u32(&b, KRL_FORMAT_VERSION);
	ak_buf_put_u64(&b, rs != NULL ? rs->serial : 0);
	ak_buf_put_u64(&b, (uint64_t)now);
	ak_buf_put_u64(&b, 0);				/* flags */
	ak_buf_put_string(&b, "", 0);			/* reserved */
	ak_buf_put_string(&b, "authkeys revocation list", 24);
	if (rs != NULL && rs->nkeys > 0) {
		if ((keys = calloc(rs->nkeys, sizeof(*keys))) == NULL) {
			r = AK_ERR_ALLOC;
			goto out;
		}
		memcpy(keys, rs->keys, rs->nkeys * sizeof(*keys));
		qsort(keys, rs->nkeys, sizeof(*keys), key_cmp);
		for (i = 0; i < rs->nkeys; i++) {
			if (i > 0 && key_cmp(&keys[i - 1], &keys[i]) == 0)
				continue;
			ak_buf_put_string(&sec, keys[i].blob, keys[i].len);
		}
		ak_buf_put_u8(&b, SECTION_EXPLICIT_KEY);
		ak_buf_put_string(&b, sec.p, sec.len);
		ak_buf_free(&sec);
	}
	/* The revset's hashes are sorted and unique, as OpenSSH keeps them. */
	if (rs != NULL && rs->n > 0) {
		for (i = 0; i < rs->n; i++)
			ak_buf_put_string(&sec, rs->hashes[i], AK_HASH_LEN);
		ak_buf_put_u8(&b, SECTION_SHA256);
		ak_buf_put_string(&b, sec.p, sec.len);
	}
	if ((r = sec.err) != 0)
		goto out;
	r = ak_buf_take(&b, outp, lenp);
 out:
	free(keys);
	ak_buf_free(&sec);
	ak_buf_free(&b);
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

/* The directory of path, and every one above it: root's alone. */
static int
dir_is_roots(const char *path)
{
	char copy[PATH_MAX], why[PATH_MAX + 64];

	if (snprintf(copy, sizeof(copy), "%s", path) >= (int)sizeof(copy))
		return 0;
	return ak_file_safe_path(dirname(copy), 0, why, sizeof(why)) == 0;
}

enum ak_krl_state
ak_krl_inspect(const char *path, unsigned long long *versionp, char *why,
    size_t whylen)
{
	struct stat st;
	unsigned char head[32];
	ssize_t n;
	int fd, r, e;

	*versionp = 0;
	snprintf(why, whylen, "a KRL root wrote");
	if (!dir_is_roots(path)) {
		snprintf(why, whylen, "its directory is not root's, or others "
		    "can write it");
		return AK_KRL_BAD_DIR;
	}
	if (lstat(path, &st) == -1) {
		e = errno;
		snprintf(why, whylen, "%s", e == ENOENT ? "missing" :
		    strerror(e));
		return e == ENOENT ? AK_KRL_MISSING : AK_KRL_FOREIGN;
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != 0 || st.st_nlink != 1 ||
	    (st.st_mode & 022) != 0) {
		snprintf(why, whylen, "not root's own regular file (uid %u, "
		    "mode %o, %lu link(s))", (unsigned)st.st_uid,
		    (unsigned)st.st_mode, (unsigned long)st.st_nlink);
		return AK_KRL_FOREIGN;
	}
	/*
	 * Opened without following a link or blocking, checked again; only
	 * its header is read (the module looks at every login).
	 */
	if ((fd = ak_file_open_regular(path, 1, 0, &st)) < 0) {
		snprintf(why, whylen, "%s", ak_err(fd));
		return AK_KRL_FOREIGN;
	}
	n = read(fd, head, sizeof(head));
	close(fd);
	r = n > 0 ? ak_krl_version(head, (size_t)n, versionp) : AK_ERR_IO;
	if (r != 0 || st.st_uid != 0 || st.st_nlink != 1) {
		snprintf(why, whylen, "not a KRL");
		return AK_KRL_FOREIGN;
	}
	return AK_KRL_OURS;
}

int
ak_krl_update(const char *path, const struct ak_revset *rs, time_t now)
{
	enum ak_krl_state state;
	unsigned long long have;
	unsigned char *krl = NULL;
	char why[128], dcopy[PATH_MAX], bcopy[PATH_MAX];
	size_t len;
	int r;

	state = ak_krl_inspect(path, &have, why, sizeof(why));
	if (state == AK_KRL_BAD_DIR) {
		ak_log(LOG_ERR, "revoked_keys_file %s: %s; not written (make "
		    "its directory root's, mode 0755)", path, why);
		return AK_ERR_PERM;
	}
	if (state == AK_KRL_OURS && (rs == NULL || have >= rs->serial))
		return 0;	/* root's own, current or newer */
	if (state == AK_KRL_FOREIGN)
		ak_log(LOG_NOTICE, "revoked_keys_file %s: %s; replaced", path,
		    why);
	if ((r = ak_krl_build(rs, now, &krl, &len)) != 0)
		return r;
	if (snprintf(dcopy, sizeof(dcopy), "%s", path) >= (int)sizeof(dcopy) ||
	    snprintf(bcopy, sizeof(bcopy), "%s", path) >= (int)sizeof(bcopy)) {
		free(krl);
		return AK_ERR_TOO_LARGE;
	}
	/* Readable by all: sshd and "ssh-keygen -Q" by the admin. */
	r = ak_file_write_atomic(dirname(dcopy), basename(bcopy), krl, len,
	    0644);
	if (r != 0)
		ak_log(LOG_ERR, "revoked_keys_file %s not written: %s", path,
		    ak_err(r));
	else
		ak_log(LOG_INFO, "revoked_keys_file %s: KRL version %llu "
		    "written", path, rs != NULL ? rs->serial : 0ULL);
	free(krl);
	return r;
}
