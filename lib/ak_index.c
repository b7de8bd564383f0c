/* The %f index of cached documents (see ak_index.h). */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ak_b64.h"
#include "ak_err.h"
#include "ak_file.h"
#include "ak_index.h"
#include "ak_key.h"
#include "ak_valid.h"

#define MAGIC		"AKIDX1\n"	/* + NUL: 8 bytes */
#define HDR_LEN		32		/* magic, serial, doclen, count */
#define REC_LEN		40		/* hash, offset, length */
#define MAX_RECS	(AK_DOC_MAX / 8)

static void
put64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

static uint64_t
get64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static int
rec_cmp(const void *a, const void *b)
{
	return memcmp(a, b, AK_HASH_LEN);
}

int
ak_index_hash_of(const char *fpr, unsigned char hash[AK_HASH_LEN])
{
	if (!ak_fpr_valid(fpr) || ak_b64_decode(fpr + 7, AK_FPR_LEN - 7, hash,
	    AK_HASH_LEN) != AK_HASH_LEN)
		return AK_ERR_BAD_FPR;
	return 0;
}

static void
index_name(const char *name, char *out, size_t len)
{
	snprintf(out, len, "idx.%s", name);
}

int
ak_index_write(const char *dir, const char *name, const struct ak_doc *doc)
{
	unsigned char *buf = NULL, *rec;
	struct ak_key_line *kl;
	char iname[80], fpr[AK_FPR_LEN + 1];
	size_t i, n = 0;
	int r;

	if (doc->nlines > MAX_RECS)
		return AK_ERR_TOO_LARGE;
	if ((buf = calloc(1, HDR_LEN + doc->nlines * REC_LEN)) == NULL)
		return AK_ERR_ALLOC;
	for (i = 0; i < doc->nlines; i++) {
		const struct ak_doc_line *l = &doc->lines[i];

		/* A bare fingerprint (lists) or a key line; others: none. */
		if (l->len == AK_FPR_LEN && strncmp(l->s, "SHA256:", 7) == 0) {
			memcpy(fpr, l->s, AK_FPR_LEN);
			fpr[AK_FPR_LEN] = '\0';
		} else if (ak_key_line_parse(l->s, l->len, &kl) == 0) {
			memcpy(fpr, kl->fpr, AK_FPR_LEN + 1);
			ak_key_line_free(kl);
		} else
			continue;
		rec = buf + HDR_LEN + n * REC_LEN;
		if (ak_index_hash_of(fpr, rec) != 0)
			continue;
		put64(rec + 32, ((uint64_t)(l->s - doc->buf) << 32) |
		    (uint32_t)l->len);
		n++;
	}
	/* Sorted for a binary search. */
	qsort(buf + HDR_LEN, n, REC_LEN, rec_cmp);
	/* A key listed twice (two lines, other options): no index. */
	for (i = 1; i < n; i++) {
		if (rec_cmp(buf + HDR_LEN + (i - 1) * REC_LEN,
		    buf + HDR_LEN + i * REC_LEN) == 0) {
			free(buf);
			ak_index_remove(dir, name);
			return 0;
		}
	}
	memcpy(buf, MAGIC, 8);
	put64(buf + 8, doc->serial);
	put64(buf + 16, doc->len);
	put64(buf + 24, n);
	index_name(name, iname, sizeof(iname));
	r = ak_file_write_atomic_flags(dir, iname, buf, HDR_LEN + n * REC_LEN,
	    0600, 0, 0);
	free(buf);
	return r;
}

int
ak_index_present(const char *dir, const char *name)
{
	char iname[80], path[PATH_MAX];
	struct stat st;

	index_name(name, iname, sizeof(iname));
	return snprintf(path, sizeof(path), "%s/%s", dir, iname) <
	    (int)sizeof(path) && lstat(path, &st) == 0;
}

void
ak_index_remove(const char *dir, const char *name)
{
	char iname[80], path[PATH_MAX];

	index_name(name, iname, sizeof(iname));
	if (snprintf(path, sizeof(path), "%s/%s", dir, iname) <
	    (int)sizeof(path))
		(void)unlink(path);
}

int
ak_index_lookup(const char *dir, const char *name, uid_t also_trust,
    unsigned long long serial, size_t doclen,
    const unsigned char hash[AK_HASH_LEN], size_t *offp, size_t *lenp)
{
	char iname[80], path[PATH_MAX];
	const unsigned char *m = MAP_FAILED, *rec;
	struct stat st;
	uint64_t n, v;
	size_t lo, hi, mid;
	int fd, c, r = AK_ERR_FORMAT;

	index_name(name, iname, sizeof(iname));
	if (snprintf(path, sizeof(path), "%s/%s", dir, iname) >=
	    (int)sizeof(path))
		return AK_ERR_TOO_LARGE;
	/* No index is not "no such key": the caller parses instead. */
	if ((fd = ak_file_open_regular(path, 1, also_trust, &st)) < 0)
		return fd == AK_ERR_NOT_FOUND ? AK_ERR_IO : fd;
	if (st.st_size < HDR_LEN ||
	    (size_t)st.st_size > HDR_LEN + (size_t)MAX_RECS * REC_LEN) {
		r = AK_ERR_PERM;
		goto out;
	}
	if ((m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd,
	    0)) == MAP_FAILED) {
		r = AK_ERR_IO;
		goto out;
	}
	n = get64(m + 24);
	if (memcmp(m, MAGIC, 8) != 0 || get64(m + 8) != serial ||
	    get64(m + 16) != doclen || n > MAX_RECS ||
	    (uint64_t)st.st_size != HDR_LEN + n * REC_LEN)
		goto out;
	for (lo = 0, hi = (size_t)n; lo < hi; ) {
		mid = lo + (hi - lo) / 2;
		rec = m + HDR_LEN + mid * REC_LEN;
		if ((c = memcmp(hash, rec, AK_HASH_LEN)) == 0) {
			v = get64(rec + 32);
			*offp = (size_t)(v >> 32);
			*lenp = (size_t)(v & 0xffffffffU);
			r = *offp + *lenp <= doclen ? 0 : AK_ERR_FORMAT;
			goto out;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	r = AK_ERR_NOT_FOUND;
 out:
	if (m != MAP_FAILED)
		munmap((void *)m, (size_t)st.st_size);
	close(fd);
	return r;
}
