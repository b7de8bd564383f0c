/* The %f index of cached documents (see ak_index.h). */
#include <sys/mman.h>
#include <sys/stat.h>

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ak_buf.h"
#include "ak_err.h"
#include "ak_file.h"
#include "ak_index.h"
#include "ak_keyset.h"
#include "ak_sha256.h"

#define MAGIC_KEYS	"AKIDX2\n"	/* + NUL: 8 bytes */
#define MAGIC_REVSET	"AKREV2\n"
#define HDR_LEN		64	/* magic, serial, doclen, count, tail */
#define KEY_REC		40	/* hash, offset << 32 | length */
#define REV_REC		AK_HASH_LEN
#define MAX_RECS	(AK_DOC_MAX / 8)

static uint64_t
get64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

size_t
ak_index_tail_len(size_t doclen)
{
	return doclen < AK_INDEX_TAIL ? doclen : AK_INDEX_TAIL;
}

void
ak_index_bind(unsigned long long serial, size_t doclen, const char *tail,
    size_t taillen, struct ak_index_bind *b)
{
	b->serial = serial;
	b->doclen = doclen;
	ak_sha256(tail, taillen, b->tail);
}

void
ak_index_bind_doc(const struct ak_doc *doc, struct ak_index_bind *b)
{
	size_t t = ak_index_tail_len(doc->len);

	ak_index_bind(doc->serial, doc->len, doc->buf + doc->len - t, t, b);
}

static int
index_path(const char *dir, const char *name, char *path, size_t len)
{
	return snprintf(path, len, "%s/idx.%s", dir, name) < (int)len ? 0 :
	    AK_ERR_TOO_LARGE;
}

static void
header(struct ak_buf *b, const char *magic, const struct ak_index_bind *bd,
    size_t n)
{
	ak_buf_put(b, magic, 8);
	ak_buf_put_u64(b, bd->serial);
	ak_buf_put_u64(b, bd->doclen);
	ak_buf_put_u64(b, n);
	ak_buf_put(b, bd->tail, AK_HASH_LEN);
}

static int
write_index(const char *dir, const char *name, struct ak_buf *b)
{
	char iname[80];
	int r;

	if (b->err != 0)
		return b->err;
	if (snprintf(iname, sizeof(iname), "idx.%s", name) >=
	    (int)sizeof(iname))
		return AK_ERR_TOO_LARGE;
	r = ak_file_write_atomic_flags(dir, iname, b->p, b->len, 0600, 0, 0);
	return r;
}

/* Key records sort by hash, then by place, so one key's lines are a run. */
static int
key_rec_cmp(const void *a, const void *b)
{
	int c = memcmp(a, b, AK_HASH_LEN);

	if (c != 0)
		return c;
	return memcmp((const unsigned char *)a + AK_HASH_LEN,
	    (const unsigned char *)b + AK_HASH_LEN, 8);
}

int
ak_index_write_keys(const char *dir, const char *name,
    const struct ak_doc *doc, const struct ak_keyset *ks)
{
	struct ak_index_bind bd;
	struct ak_buf b;
	size_t i, n = 0;
	unsigned char *recs;
	int r;

	if (ks->all == AK_DENY_BAD_DOC) {
		ak_index_remove(dir, name);
		return 0;
	}
	if (ks->n > MAX_RECS || doc->len > UINT32_MAX)
		return AK_ERR_TOO_LARGE;
	for (i = 0; i < ks->n; i++)
		n += ks->ents[i].kl != NULL;
	ak_index_bind_doc(doc, &bd);
	ak_buf_init(&b, HDR_LEN + (size_t)MAX_RECS * KEY_REC);
	header(&b, MAGIC_KEYS, &bd, n);
	if ((r = ak_buf_reserve(&b, n * KEY_REC)) != 0)
		goto out;
	recs = b.p + b.len;
	for (i = 0; i < ks->n; i++) {
		const struct ak_keyent *e = &ks->ents[i];

		if (e->kl == NULL)
			continue;
		ak_buf_put(&b, e->hash, AK_HASH_LEN);
		ak_buf_put_u64(&b, (uint64_t)e->off << 32 |
		    (uint32_t)e->len);
	}
	if (b.err == 0)
		qsort(recs, n, KEY_REC, key_rec_cmp);
	r = write_index(dir, name, &b);
 out:
	ak_buf_free(&b);
	return r;
}

int
ak_index_write_revset(const char *dir, const char *name,
    const struct ak_doc *doc, const struct ak_revset *rs)
{
	struct ak_index_bind bd;
	struct ak_buf b;
	int r;

	if (rs->n > MAX_RECS)
		return AK_ERR_TOO_LARGE;
	ak_index_bind_doc(doc, &bd);
	ak_buf_init(&b, HDR_LEN + (size_t)MAX_RECS * REV_REC);
	header(&b, MAGIC_REVSET, &bd, rs->n);
	ak_buf_put(&b, rs->hashes, rs->n * REV_REC);
	r = write_index(dir, name, &b);
	ak_buf_free(&b);
	return r;
}

int
ak_index_present(const char *dir, const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	return index_path(dir, name, path, sizeof(path)) == 0 &&
	    lstat(path, &st) == 0;
}

void
ak_index_remove(const char *dir, const char *name)
{
	char path[PATH_MAX];

	if (index_path(dir, name, path, sizeof(path)) == 0)
		(void)unlink(path);
}

/* An index file mapped, its header checked against the binding. */
struct mapped {
	const unsigned char *m;
	size_t size;
	uint64_t n;
};

static int
map_index(const char *dir, const char *name, uid_t also_trust,
    const char *magic, size_t rec, const struct ak_index_bind *bd,
    struct mapped *mp)
{
	char path[PATH_MAX];
	struct stat st;
	void *m;
	int fd, r;

	memset(mp, 0, sizeof(*mp));
	if ((r = index_path(dir, name, path, sizeof(path))) != 0)
		return r;
	/* No index is not "no such key": the caller reads the document. */
	if ((fd = ak_file_open_regular(path, 1, also_trust, &st)) < 0)
		return fd == AK_ERR_NOT_FOUND ? AK_ERR_IO : fd;
	if (st.st_size < HDR_LEN ||
	    (size_t)st.st_size > HDR_LEN + (size_t)MAX_RECS * rec) {
		close(fd);
		return AK_ERR_FORMAT;
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return AK_ERR_IO;
	mp->m = m;
	mp->size = (size_t)st.st_size;
	mp->n = get64(mp->m + 24);
	if (memcmp(mp->m, magic, 8) != 0 || get64(mp->m + 8) != bd->serial ||
	    get64(mp->m + 16) != bd->doclen ||
	    memcmp(mp->m + 32, bd->tail, AK_HASH_LEN) != 0 ||
	    mp->n > MAX_RECS || mp->size != HDR_LEN + mp->n * rec) {
		munmap((void *)mp->m, mp->size);
		memset(mp, 0, sizeof(*mp));
		return AK_ERR_FORMAT;
	}
	return 0;
}

/* The first record whose hash is not below hash. */
static size_t
lower_bound(const struct mapped *mp, size_t rec,
    const unsigned char hash[AK_HASH_LEN])
{
	size_t lo = 0, hi = (size_t)mp->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (memcmp(mp->m + HDR_LEN + mid * rec, hash, AK_HASH_LEN) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int
ak_index_current(const char *dir, const char *name, uid_t also_trust,
    const struct ak_index_bind *b)
{
	struct mapped mp;

	if (map_index(dir, name, also_trust, MAGIC_KEYS, KEY_REC, b,
	    &mp) == 0 || map_index(dir, name, also_trust, MAGIC_REVSET,
	    REV_REC, b, &mp) == 0) {
		munmap((void *)mp.m, mp.size);
		return 1;
	}
	return 0;
}

int
ak_index_lines(const char *dir, const char *name, uid_t also_trust,
    const struct ak_index_bind *b, const unsigned char hash[AK_HASH_LEN],
    size_t *off, size_t *len, size_t max, size_t *np)
{
	struct mapped mp;
	const unsigned char *p;
	uint64_t v;
	size_t i;
	int r;

	*np = 0;
	if ((r = map_index(dir, name, also_trust, MAGIC_KEYS, KEY_REC, b,
	    &mp)) != 0)
		return r;
	for (i = lower_bound(&mp, KEY_REC, hash); i < mp.n; i++) {
		p = mp.m + HDR_LEN + i * KEY_REC;
		if (memcmp(p, hash, AK_HASH_LEN) != 0)
			break;
		v = get64(p + AK_HASH_LEN);
		if (*np == max || (v >> 32) + (v & 0xffffffffU) > b->doclen) {
			r = *np == max ? AK_ERR_TOO_LARGE : AK_ERR_FORMAT;
			break;
		}
		off[*np] = (size_t)(v >> 32);
		len[*np] = (size_t)(v & 0xffffffffU);
		(*np)++;
	}
	munmap((void *)mp.m, mp.size);
	if (r != 0)
		*np = 0;
	return r;
}

int
ak_index_revoked(const char *dir, const char *name, uid_t also_trust,
    const struct ak_index_bind *b, const unsigned char hash[AK_HASH_LEN],
    int *revokedp)
{
	struct mapped mp;
	size_t i;
	int r;

	*revokedp = 0;
	if ((r = map_index(dir, name, also_trust, MAGIC_REVSET, REV_REC, b,
	    &mp)) != 0)
		return r;
	i = lower_bound(&mp, REV_REC, hash);
	*revokedp = i < mp.n && memcmp(mp.m + HDR_LEN + i * REV_REC, hash,
	    AK_HASH_LEN) == 0;
	munmap((void *)mp.m, mp.size);
	return 0;
}
