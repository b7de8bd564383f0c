/*
 * The cache of verified documents: entries read without following links or
 * blocking and only from trusted owners, written atomically mode 0600,
 * per-document locks that no other user can hold, 304 confirmations by mtime.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ak_cache.h"
#include "ak_sha256.h"
#include "ak_signers.h"
#include "ak_doc.h"
#include "ak_err.h"
#include "ak_file.h"
#include "ak_key.h"
#include "ak_time.h"
#include "ak_valid.h"

#define CACHE_MAGIC	"#authkeys-cache v1\n"
#define HEADER_MAX	1024	/* every field, a 256-byte ETag: 664 */

int
ak_cache_name(const char *account, char *out, size_t outlen)
{
	int n;

	if (account == NULL)
		n = snprintf(out, outlen, "revoked");
	else if (!ak_account_valid(account))
		return AK_ERR_BAD_NAME;
	else
		n = snprintf(out, outlen, "acct.%s", account);
	return n < 0 || (size_t)n >= outlen ? AK_ERR_TOO_LARGE : 0;
}

/* The cache directory: root's, the running user's or also_trust's. */
static int
dir_trusted(const char *dir, uid_t also_trust)
{
	struct stat st;

	if (stat(dir, &st) == -1)
		return errno == ENOENT ? AK_ERR_NOT_FOUND : AK_ERR_IO;
	if (!S_ISDIR(st.st_mode))
		return AK_ERR_PERM;
	return ak_file_trusted(&st, geteuid()) ||
	    ak_file_trusted(&st, also_trust) ? 0 : AK_ERR_PERM;
}

/* Reads "#key value\n" at *p; value must be printable, without spaces. */
static int
header_field(char **p, const char *key, char **val)
{
	size_t klen = strlen(key);
	char *nl;

	if (strncmp(*p, key, klen) != 0 || (*p)[klen] != ' ' ||
	    (nl = strchr(*p, '\n')) == NULL)
		return AK_ERR_FORMAT;
	*nl = '\0';
	*val = *p + klen + 1;
	*p = nl + 1;
	if (ak_has_ctrl(*val, strlen(*val)))
		return AK_ERR_FORMAT;
	return 0;
}

static int
parse_ull(const char *s, unsigned long long *v)
{
	char *ep;

	if (*s < '0' || *s > '9' || strlen(s) > 20)
		return AK_ERR_FORMAT;
	errno = 0;
	*v = strtoull(s, &ep, 10);
	return errno != 0 || *ep != '\0' ? AK_ERR_FORMAT : 0;
}

static int
parse_hex(const char *s, unsigned char *out)
{
	return ak_sha256_unhex(s, strlen(s), out);
}

int
ak_cache_parse(char *raw, size_t len, struct ak_cache_entry *e)
{
	char *p = raw, *v;
	unsigned long long n;

	if (strncmp(p, CACHE_MAGIC, strlen(CACHE_MAGIC)) != 0)
		return AK_ERR_FORMAT;
	p += strlen(CACHE_MAGIC);
	if (header_field(&p, "#checked", &v) != 0 || parse_ull(v, &n) != 0)
		return AK_ERR_FORMAT;
	e->checked = (time_t)n;
	if (header_field(&p, "#status", &v) != 0)
		return AK_ERR_FORMAT;
	if (strcmp(v, "200") == 0)
		e->status = 200;
	else if (strcmp(v, "404") == 0)
		e->status = 404;
	else
		return AK_ERR_FORMAT;
	if (header_field(&p, "#etag", &v) != 0 || strlen(v) > AK_ETAG_MAX)
		return AK_ERR_FORMAT;
	if (strcmp(v, "-") != 0)
		memcpy(e->etag, v, strlen(v) + 1);
	if (header_field(&p, "#min-serial", &v) != 0 ||
	    parse_ull(v, &e->min_serial) != 0)
		return AK_ERR_FORMAT;
	/* Optional (entries of older versions have none). */
	if (strncmp(p, "#sha256 ", 8) == 0) {
		if (header_field(&p, "#sha256", &v) != 0 ||
		    parse_hex(v, e->sha256) != 0)
			return AK_ERR_FORMAT;
		e->has_sha256 = 1;
	}
	if (strncmp(p, "#signed-sha256 ", 15) == 0) {
		if (header_field(&p, "#signed-sha256", &v) != 0 ||
		    parse_hex(v, e->signed_sha256) != 0)
			return AK_ERR_FORMAT;
		e->has_signed_sha256 = 1;
	}
	if (strncmp(p, "#verified ", 10) == 0) {
		if (header_field(&p, "#verified", &v) != 0 ||
		    parse_hex(v, e->verified) != 0)
			return AK_ERR_FORMAT;
		e->has_verified = 1;
	}
	if (strncmp(p, "#floor-signer ", 14) == 0) {
		if (header_field(&p, "#floor-signer", &v) != 0 ||
		    parse_hex(v, e->floor_signer) != 0)
			return AK_ERR_FORMAT;
		e->has_floor_signer = 1;
	}
	e->body = p;
	e->bodylen = len - (size_t)(p - raw);
	if (e->status == 404 && e->bodylen != 0)
		return AK_ERR_FORMAT;
	return 0;
}

int
ak_cache_read(const char *dir, const char *name, uid_t also_trust,
    struct ak_cache_entry **ep)
{
	struct ak_cache_entry *e = NULL;
	char path[PATH_MAX];
	time_t mtime = 0;
	size_t len;
	int r;

	*ep = NULL;
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path))
		return AK_ERR_TOO_LARGE;
	if ((r = dir_trusted(dir, also_trust)) != 0)
		return r;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return AK_ERR_ALLOC;
	if ((r = ak_file_read_mtime(path, AK_DOC_MAX + HEADER_MAX, 1,
	    also_trust, &e->raw, &len, &mtime)) != 0)
		goto out;
	if ((r = ak_cache_parse(e->raw, len, e)) != 0)
		goto out;
	/* A 304 confirms by touching the file (ak_cache_touch). */
	if (mtime > e->checked)
		e->checked = mtime;
	*ep = e;
	e = NULL;
 out:
	ak_cache_entry_free(e);
	return r;
}

int
ak_cache_read_head(const char *dir, const char *name, uid_t also_trust,
    struct ak_cache_entry **ep, size_t *doclenp, int *fdp)
{
	struct ak_cache_entry *e = NULL;
	struct stat st;
	char path[PATH_MAX];
	size_t off = 0;
	ssize_t n;
	int fd = -1, r = AK_ERR_IO;

	*ep = NULL;
	*fdp = -1;
	*doclenp = 0;
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path))
		return AK_ERR_TOO_LARGE;
	if ((r = dir_trusted(dir, also_trust)) != 0)
		return r;
	if ((fd = ak_file_open_regular(path, 1, also_trust, &st)) < 0)
		return fd;
	r = AK_ERR_TOO_LARGE;
	if ((size_t)st.st_size > AK_DOC_MAX + HEADER_MAX)
		goto out;
	r = AK_ERR_ALLOC;
	if ((e = calloc(1, sizeof(*e))) == NULL ||
	    (e->raw = malloc(AK_CACHE_HEAD + 1)) == NULL)
		goto out;
	r = AK_ERR_IO;
	while (off < AK_CACHE_HEAD && off < (size_t)st.st_size) {
		if ((n = read(fd, e->raw + off, AK_CACHE_HEAD - off)) == -1 &&
		    errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	e->raw[off] = '\0';
	if ((r = ak_cache_parse(e->raw, off, e)) != 0)
		goto out;
	if (st.st_mtime > e->checked)
		e->checked = st.st_mtime;
	*doclenp = (size_t)st.st_size - (size_t)(e->body - e->raw);
	*ep = e;
	e = NULL;
	*fdp = fd;
	fd = -1;
	r = 0;
 out:
	ak_cache_entry_free(e);
	if (fd != -1)
		close(fd);
	return r;
}

int
ak_cache_pread(int fd, const struct ak_cache_entry *e, size_t off,
    size_t len, char *buf)
{
	size_t done = 0, base = (size_t)(e->body - e->raw);
	ssize_t n;

	while (done < len) {
		n = pread(fd, buf + done, len - done,
		    (off_t)(base + off + done));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return AK_ERR_IO;
		done += (size_t)n;
	}
	buf[len] = '\0';
	return 0;
}

int
ak_cache_write(const char *dir, const char *name,
    const struct ak_cache_entry *e)
{
	char hdr[HEADER_MAX], hex[AK_SHA256_HEX], vhex[AK_SHA256_HEX],
	    fhex[AK_SHA256_HEX], shex[AK_SHA256_HEX], *buf;
	unsigned char h[AK_SHA256_LEN];
	size_t sl = 0;
	int n, r;

	if (strchr(e->etag, '\n') != NULL || strchr(e->etag, ' ') != NULL)
		return AK_ERR_FORMAT;
	/*
	 * The body's SHA-256, so the cache-hit path can hold a document
	 * against its snapshot entry without reading all of it.
	 */
	ak_sha256(e->body, e->bodylen, h);
	ak_sha256_hex(h, hex);
	/* And of its signed bytes, if it has any signature. */
	if (e->status == 200 &&
	    (sl = ak_doc_signed_len(e->body, e->bodylen)) < e->bodylen) {
		ak_sha256(e->body, sl, h);
		ak_sha256_hex(h, shex);
	}
	ak_sha256_hex(e->verified, vhex);
	ak_sha256_hex(e->floor_signer, fhex);
	n = snprintf(hdr, sizeof(hdr), "%s#checked %lld\n#status %d\n"
	    "#etag %s\n#min-serial %llu\n%s%s%s%s%s%s%s%s%s%s%s%s",
	    CACHE_MAGIC, (long long)e->checked, e->status,
	    e->etag[0] ? e->etag : "-",
	    e->min_serial, e->status == 200 ? "#sha256 " : "",
	    e->status == 200 ? hex : "", e->status == 200 ? "\n" : "",
	    sl < e->bodylen ? "#signed-sha256 " : "",
	    sl < e->bodylen ? shex : "", sl < e->bodylen ? "\n" : "",
	    e->has_verified ? "#verified " : "", e->has_verified ? vhex : "",
	    e->has_verified ? "\n" : "",
	    e->has_floor_signer ? "#floor-signer " : "",
	    e->has_floor_signer ? fhex : "", e->has_floor_signer ? "\n" : "");
	if (n < 0 || (size_t)n >= sizeof(hdr))
		return AK_ERR_TOO_LARGE;
	if ((buf = malloc((size_t)n + e->bodylen)) == NULL)
		return AK_ERR_ALLOC;
	memcpy(buf, hdr, (size_t)n);
	if (e->bodylen > 0)
		memcpy(buf + n, e->body, e->bodylen);
	/* Private to the owner: no other user may open, let alone lock, it. */
	r = ak_file_write_atomic_flags(dir, name, buf, (size_t)n + e->bodylen,
	    0600, 1, e->checked);
	free(buf);
	return r;
}

void
ak_cache_entry_free(struct ak_cache_entry *e)
{
	if (e == NULL)
		return;
	free(e->raw);
	free(e);
}

int
ak_cache_touch(const char *dir, const char *name)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path))
		return AK_ERR_TOO_LARGE;
	/* Never follows a link; on a crash the entry just looks older. */
	return utimensat(AT_FDCWD, path, NULL, AT_SYMLINK_NOFOLLOW) == 0 ? 0 :
	    AK_ERR_IO;
}

/*
 * Opens (creating) the lock file path without following links or blocking
 * (a FIFO put in its place must not hang us), and accepts only a regular
 * file that is ours and open to no one else: a lock file others can open is
 * a lock others can hold. Anything else is removed and made anew, once.
 */
static int
open_lock(const char *path)
{
	struct stat st;
	int fd, tries, flags = O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC;

	for (tries = 0; tries < 2; tries++) {
		if ((fd = open(path, flags, 0600)) != -1) {
			if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
			    st.st_uid == geteuid() &&
			    (st.st_mode & 077) == 0 && st.st_nlink == 1)
				return fd;
			close(fd);
		} else if (errno != ELOOP && errno != ENXIO &&
		    errno != EISDIR && errno != EEXIST && errno != EACCES &&
		    errno != EWOULDBLOCK)
			return AK_ERR_IO;
		if (unlink(path) == -1 && errno != ENOENT)
			return AK_ERR_PERM;
		flags |= O_EXCL;
	}
	return AK_ERR_PERM;
}

int
ak_cache_lock(const char *dir, const char *name, long long deadline_ms)
{
	char path[PATH_MAX];
	int fd;

	if (snprintf(path, sizeof(path), "%s/.lock.%s", dir, name) >=
	    (int)sizeof(path))
		return AK_ERR_TOO_LARGE;
	if ((fd = open_lock(path)) < 0)
		return fd;
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		if (errno != EWOULDBLOCK && errno != EINTR)
			break;
		if (ak_now_ms() >= deadline_ms) {
			close(fd);
			return AK_ERR_LOCKED;
		}
		usleep(5000);
	}
	close(fd);
	return AK_ERR_IO;
}

void
ak_cache_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

int
ak_cache_doc(const struct ak_cache_entry *e, enum ak_doc_kind kind,
    const char *account, time_t now, long skew, struct ak_doc **docp)
{
	struct ak_doc *doc = NULL;
	int r;

	*docp = NULL;
	if (e->status == 404)
		return 0;
	if ((r = ak_doc_parse(e->body, e->bodylen, (enum ak_doc_kind)kind,
	    &doc)) != 0)
		return r;
	if ((r = ak_doc_check(doc, account, now, 0)) != 0 ||
	    (r = ak_doc_ahead(doc, now, skew)) != 0) {
		ak_doc_free(doc);
		return r;
	}
	*docp = doc;
	return 0;
}

int
ak_cache_forget(const char *dir)
{
	struct dirent *de;
	DIR *d;
	int fd, n = 0, r = 0;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return errno == ENOENT ? 0 : AK_ERR_IO;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return AK_ERR_IO;
	}
	while ((de = readdir(d)) != NULL) {
		/* Ours are "name" and "kind.name"; dot files are locks. */
		if (de->d_name[0] == '.' || (de->d_type != DT_REG &&
		    de->d_type != DT_UNKNOWN))
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			n++;
		else if (errno != ENOENT)
			r = AK_ERR_IO;
	}
	closedir(d);
	return r != 0 ? r : n;
}

/*
 * The digest of the file that says who may sign, read once. A trusted_root
 * past its #expires decides nothing with on_freeze = deny (as the
 * resolver, which then refuses): the cache-hit path must not go on from
 * marks the root made while it was in force. Only its header is read
 * here; the resolver verifies the rest.
 */
void
ak_root_record_name(const unsigned char boot[32], char *out, size_t outlen)
{
	char hex[65];

	ak_sha256_hex(boot, hex);
	(void)snprintf(out, outlen, "root-%.16s", hex);
}

int
ak_root_state_read(const struct ak_config *cfg, uid_t owner,
    struct ak_root_state *rs)
{
	struct ak_doc hdr, rhdr;
	char *buf = NULL, *rbuf = NULL, name[40], path[4096];
	size_t len, hl, rlen;
	int r;

	memset(rs, 0, sizeof(*rs));
	if ((r = ak_file_read_root(cfg->trusted_root, AK_DOC_MAX, &buf,
	    &len)) != 0)
		return r;
	ak_sha256(buf, len, rs->digest);
	if ((r = ak_doc_parse_header(buf, len, AK_DOC_ROOT, &hdr, &hl)) != 0)
		goto out;
	rs->boot_serial = rs->serial = hdr.serial;
	rs->boot_expires = rs->expires = hdr.expires;
	/*
	 * The root the cache owner took from the store since this bootstrap
	 * (its record, as ak_root_walk reads it): entries are marked with it.
	 */
	ak_root_record_name(rs->digest, name, sizeof(name));
	if (snprintf(path, sizeof(path), "%s/%s", cfg->cache_dir, name) <
	    (int)sizeof(path) && ak_file_read(path, AK_DOC_MAX, 1, owner,
	    &rbuf, &rlen) == 0 && ak_doc_parse_header(rbuf, rlen, AK_DOC_ROOT,
	    &rhdr, &hl) == 0 && rhdr.serial > hdr.serial) {
		ak_sha256(rbuf, rlen, rs->digest);
		rs->serial = rhdr.serial;
		rs->expires = rhdr.expires;
	}
 out:
	free(rbuf);
	free(buf);
	return r;
}

/* *expired: the serial of the root in use if it expired (stale), else 0. */
static int
trust_digest(const struct ak_config *cfg, uid_t owner,
    unsigned char digest[32], unsigned long long *expired)
{
	struct ak_root_state rs;
	int r;

	*expired = 0;
	if (cfg->trusted_root == NULL)
		return ak_signers_file_digest(cfg->trusted_signers, digest);
	if ((r = ak_root_state_read(cfg, owner, &rs)) != 0)
		return r;
	memcpy(digest, rs.digest, 32);
	if (rs.expires > time(NULL))
		return 0;
	*expired = rs.serial;
	return cfg->freeze_deny ? AK_ERR_EXPIRED : 0;
}

int
ak_marks_load(const struct ak_config *cfg, uid_t owner, struct ak_marks *m)
{
	unsigned char digest[32];
	char ns[160];
	int r;

	memset(m, 0, sizeof(*m));
	if (!cfg->require_signature || ak_config_trust_file(cfg) == NULL)
		return 0;
	if ((r = trust_digest(cfg, owner, digest, &m->root_expired)) != 0)
		return r;
	if (snprintf(ns, sizeof(ns), "%s-timestamp", cfg->namespace) >=
	    (int)sizeof(ns))
		return AK_ERR_TOO_LARGE;
	ak_signers_mark(digest, cfg->namespace, m->doc);
	ak_signers_mark(digest, ns, m->ts);
	m->on = 1;
	return 0;
}

int
ak_marks_ok(const struct ak_marks *m, const struct ak_cache_entry *e,
    enum ak_doc_kind kind)
{
	if (m == NULL || !m->on || e->status == 404)
		return 1;
	if (!e->has_verified)
		return 0;
	return memcmp(e->verified, kind == AK_DOC_TIMESTAMP ? m->ts : m->doc,
	    sizeof(e->verified)) == 0;
}
