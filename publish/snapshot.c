/*
 * What a publish writes last (SPEC "Snapshot and timestamp"): the snapshot
 * naming every document by serial and SHA-256 of its bytes, then the
 * timestamp naming the snapshot; and --timestamp, which re-signs only the
 * timestamp. Before anything is written, each key is checked against the
 * roles trusted_signers gives it.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ak_buf.h"
#include "ak_doc.h"
#include "ak_err.h"
#include "ak_file.h"
#include "ak_key.h"
#include "ak_signers.h"
#include "ak_snap.h"
#include "publish.h"

#define VIEW_MAX	(8 * 1024 * 1024)

static char *
join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *p;

	if ((p = malloc(la + lb + 2)) == NULL)
		return NULL;
	memcpy(p, a, la);
	p[la] = '/';
	memcpy(p + la + 1, b, lb + 1);
	return p;
}

/* The public half of a key file: KEY itself if it ends in .pub. */
static int
read_pub(const char *key, unsigned char **blobp, size_t *lenp)
{
	char path[4200], *buf = NULL, *sp, *b64, *e;
	enum ak_key_type t;
	size_t len, kl = strlen(key);
	int r = -1;

	snprintf(path, sizeof(path), "%s%s", key, kl > 4 &&
	    strcmp(key + kl - 4, ".pub") == 0 ? "" : ".pub");
	if (ak_file_read(path, 65536, 0, 0, &buf, &len) != 0)
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	if ((sp = strchr(buf, ' ')) != NULL) {
		*sp = '\0';
		b64 = sp + 1;
		if ((e = strchr(b64, ' ')) == NULL)
			e = b64 + strlen(b64);
		if (ak_key_parse_pub(buf, b64, (size_t)(e - b64), blobp, lenp,
		    &t) == 0)
			r = 0;
	}
	free(buf);
	return r;
}

/* Says, before anything is written, if key may not sign in namespace ns. */
static int
check_role(const struct pub_opts *o, const struct ak_signers *s,
    const char *key, const char *ns, const char *role)
{
	unsigned char *blob = NULL;
	size_t len;
	int why;

	if (read_pub(key, &blob, &len) != 0) {
		fprintf(stderr, "%s: no readable public key (%s.pub) to check "
		    "the %s role against trusted_signers; going on\n", key,
		    key, role);
		return 0;
	}
	if (ak_signers_find(s, blob, len, ns, o->now, &why) == NULL) {
		fprintf(stderr, "%s cannot sign the %s (namespace %s): %s in "
		    "trusted_signers; hosts would refuse it. Nothing "
		    "published.\n", key, role, ns, why == AK_ERR_NAMESPACE ?
		    "its namespaces= do not allow it" : "it has no line");
		free(blob);
		return -1;
	}
	free(blob);
	return 0;
}

int
pub_check_roles(const struct pub_opts *o, const struct ak_config *pol)
{
	struct ak_signers *s = NULL;
	char tsns[128];
	int r = 0;

	if (pol->trusted_signers == NULL)
		return 0;
	if (ak_signers_load(pol->trusted_signers, &s) != 0) {
		fprintf(stderr, "%s: cannot read trusted_signers; nothing "
		    "published\n", pol->trusted_signers);
		return -1;
	}
	snprintf(tsns, sizeof(tsns), "%s-timestamp", pol->namespace);
	if (!o->timestamp_only && check_role(o, s, o->key, pol->namespace,
	    "documents and snapshot") != 0)
		r = -1;
	if (r == 0 && check_role(o, s, o->ts_key != NULL ? o->ts_key : o->key,
	    tsns, "timestamp") != 0)
		r = -1;
	ak_signers_free(s);
	return r;
}

/* Signs path in place: ssh-keygen writes path.sig, appended to path. */
static int
sign_file(const char *key, const char *ns, const char *path)
{
	char sigpath[4200], *sig = NULL;
	size_t siglen;
	int status, r = -1;
	pid_t pid;
	FILE *f;

	if ((pid = pub_sign_start(key, ns, (char **)&path, 1)) == -1 ||
	    waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return -1;
	snprintf(sigpath, sizeof(sigpath), "%s.sig", path);
	if (ak_file_read(sigpath, 65536, 0, 0, &sig, &siglen) == 0 &&
	    (f = fopen(path, "a")) != NULL) {
		if (fwrite(sig, 1, siglen, f) == siglen && fflush(f) == 0 &&
		    fsync(fileno(f)) == 0)
			r = 0;
		if (fclose(f) != 0)
			r = -1;
	}
	unlink(sigpath);
	free(sig);
	return r;
}

/* The published file's serial and body (between header and signature). */
static int
published(const char *path, enum ak_doc_kind kind, struct ak_doc **docp)
{
	char *buf = NULL;
	size_t len;
	int r;

	*docp = NULL;
	if ((r = ak_file_read(path, VIEW_MAX, 0, 0, &buf, &len)) != 0)
		return r;
	r = ak_doc_parse(buf, len, kind, docp);
	free(buf);
	return r;
}

static int
same_body(const struct ak_doc *d, const char *body, size_t len)
{
	struct ak_buf b;
	size_t i;
	int same;

	ak_buf_init(&b, VIEW_MAX);
	for (i = 0; i < d->nlines; i++) {
		ak_buf_put(&b, d->lines[i].s, d->lines[i].len);
		ak_buf_put(&b, "\n", 1);
	}
	same = b.err == 0 && b.len == len && memcmp(b.p, body, len) == 0;
	ak_buf_free(&b);
	return same;
}

/*
 * Writes and signs one view file (kind, body) into staging and moves it to
 * out/v1/NAME, unless the published one has the same body and is far from
 * its #expires (keep: same bytes, same hash, same ETag).
 */
static int
write_view_file(const struct pub_opts *o, const char *staging,
    enum ak_doc_kind kind, const char *key, const char *ns, long valid,
    int keep_same, const char *body, size_t bodylen)
{
	const char *name = kind == AK_DOC_SNAPSHOT ? "snapshot" : "timestamp";
	char rel[32], hdr[AK_DOC_HEADER_MAX], *final = NULL, *staged = NULL;
	unsigned long long serial = (unsigned long long)o->now;
	struct ak_doc *old = NULL;
	FILE *f = NULL;
	int n, r = -1;

	snprintf(rel, sizeof(rel), "v1/%s", name);
	if ((final = join(o->out, rel)) == NULL ||
	    (staged = join(staging, name)) == NULL)
		goto out;
	if (published(final, kind, &old) == 0) {
		if (keep_same && same_body(old, body, bodylen) &&
		    old->expires - o->now > o->resign_before) {
			r = 0;
			goto out;
		}
		if (old->serial >= serial)
			serial = old->serial + 1;
	}
	if ((n = ak_doc_format_header(kind, NULL, serial, o->now + valid, hdr,
	    sizeof(hdr))) < 0 || (f = fopen(staged, "w")) == NULL ||
	    fwrite(hdr, 1, (size_t)n, f) != (size_t)n ||
	    fwrite(body, 1, bodylen, f) != bodylen || fclose(f) != 0) {
		fprintf(stderr, "%s: cannot write\n", staged);
		goto out;
	}
	if (sign_file(key, ns, staged) != 0) {
		fprintf(stderr, "%s: signing failed (key %s, namespace %s)\n",
		    name, key, ns);
		goto out;
	}
	chmod(staged, 0644);
	if (ak_file_replace_newer(staged, final) != 0) {
		fprintf(stderr, "%s: cannot replace\n", final);
		goto out;
	}
	printf("%s serial %llu\n", final, serial);
	r = 0;
 out:
	if (staged != NULL)
		unlink(staged);
	ak_doc_free(old);
	free(final);
	free(staged);
	return r;
}

/* "snapshot SERIAL sha256:HEX" for the published snapshot. */
static int
timestamp_body(const struct pub_opts *o, char *out, size_t outlen)
{
	char *path, *buf = NULL, hash[AK_SNAP_HASH_TEXT];
	struct ak_doc *d = NULL;
	size_t len;
	int r = -1;

	if ((path = join(o->out, "v1/snapshot")) == NULL)
		return -1;
	if (ak_file_read(path, VIEW_MAX, 0, 0, &buf, &len) != 0 ||
	    ak_doc_parse(buf, len, AK_DOC_SNAPSHOT, &d) != 0) {
		fprintf(stderr, "%s: no valid snapshot to stamp (publish "
		    "first)\n", path);
		goto out;
	}
	ak_snap_hash_text(buf, len, hash);
	if (snprintf(out, outlen, "snapshot %llu %s\n", d->serial, hash) <
	    (int)outlen)
		r = 0;
 out:
	ak_doc_free(d);
	free(buf);
	free(path);
	return r;
}

static int
stamp(const struct pub_opts *o, const struct ak_config *pol,
    const char *staging)
{
	char body[160], ns[128];

	snprintf(ns, sizeof(ns), "%s-timestamp", pol->namespace);
	if (timestamp_body(o, body, sizeof(body)) != 0)
		return -1;
	return write_view_file(o, staging, AK_DOC_TIMESTAMP, o->ts_key !=
	    NULL ? o->ts_key : o->key, ns, o->ts_valid, 0, body,
	    strlen(body));
}

/* The snapshot's body: every published document of the source. */
static int
snapshot_body(const struct pub_opts *o, const struct pub_item *items,
    size_t n, struct ak_buf *b)
{
	char line[160], hash[AK_SNAP_HASH_TEXT], *buf;
	struct ak_doc hdr;
	size_t i, len, hl;
	int pass;

	(void)o;
	/* Accounts first (the source's order is by name), then the list. */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < n; i++) {
			const struct pub_item *it = &items[i];
			enum ak_doc_kind k = it->name[0] ? AK_DOC_ACCOUNT :
			    AK_DOC_REVOCATIONS;

			if ((pass == 0) != (k == AK_DOC_ACCOUNT))
				continue;
			if (ak_file_read(it->final, AK_DOC_MAX, 0, 0, &buf,
			    &len) != 0)
				return -1;
			if (ak_doc_parse_header(buf, len, k, &hdr, &hl) != 0) {
				free(buf);
				return -1;
			}
			ak_snap_hash_text(buf, len, hash);
			free(buf);
			if (k == AK_DOC_ACCOUNT)
				snprintf(line, sizeof(line), "account %s %llu "
				    "%s\n", it->name, hdr.serial, hash);
			else
				snprintf(line, sizeof(line), "revocations %llu "
				    "%s\n", hdr.serial, hash);
			ak_buf_put(b, line, strlen(line));
		}
	}
	return b->err == 0 ? 0 : -1;
}

static int
with_staging(const struct pub_opts *o, char *staging, size_t len)
{
	snprintf(staging, len, "%s/.staging-view.XXXXXX", o->out);
	if (mkdtemp(staging) == NULL) {
		fprintf(stderr, "%s: cannot make a staging directory\n",
		    o->out);
		return -1;
	}
	return 0;
}

int
pub_write_view(const struct pub_opts *o, const struct ak_config *pol,
    const struct pub_item *items, size_t n)
{
	struct ak_buf b;
	char staging[4200];
	int r = -1;

	if (with_staging(o, staging, sizeof(staging)) != 0)
		return -1;
	ak_buf_init(&b, VIEW_MAX);
	if (snapshot_body(o, items, n, &b) != 0) {
		fprintf(stderr, "%s: cannot read the published documents for "
		    "the snapshot\n", o->out);
		goto out;
	}
	/* The snapshot before the timestamp that names it. */
	if (write_view_file(o, staging, AK_DOC_SNAPSHOT, o->key,
	    pol->namespace, o->valid, 1, (const char *)b.p, b.len) != 0 ||
	    stamp(o, pol, staging) != 0)
		goto out;
	r = 0;
 out:
	ak_buf_free(&b);
	rmdir(staging);
	return r;
}

int
pub_write_timestamp(const struct pub_opts *o, const struct ak_config *pol)
{
	char staging[4200];
	int r;

	if (with_staging(o, staging, sizeof(staging)) != 0)
		return -1;
	r = stamp(o, pol, staging);
	rmdir(staging);
	return r;
}
