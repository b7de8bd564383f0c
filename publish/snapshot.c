/*
 * What a publish writes last (SPEC "Snapshot and timestamp"): the snapshot
 * naming every document by serial and SHA-256 of its bytes, then the
 * timestamp naming the snapshot; and --timestamp, which re-signs only the
 * timestamp. Before anything is written, each key is checked against the
 * roles trusted_signers gives it.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ak_buf.h"
#include "ak_doc.h"
#include "ak_err.h"
#include "ak_file.h"
#include "ak_key.h"
#include "ak_root.h"
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

/* The timestamp's signers: --timestamp-key, else the -k keys. */
static const char *const *
ts_keys(const struct pub_opts *o)
{
	return o->nts_keys > 0 ? o->ts_keys : o->keys;
}

static size_t
ts_count(const struct pub_opts *o)
{
	return o->nts_keys > 0 ? o->nts_keys : o->nkeys;
}

/* Says, before anything is written, if key may not sign in namespace ns. */
static int
check_role(const struct pub_opts *o, const struct ak_signers *s,
    const char *key, const char *ns, const char *role)
{
	unsigned char *blob = NULL;
	size_t len;
	int why;

	if (pub_read_pub(key, &blob, &len) != 0) {
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

/*
 * With trusted_root: the keys given for a role must reach its threshold
 * (hosts count distinct keys of the role), and each must be one of its
 * keys. Returns 0 or -1 after saying what falls short.
 */
static int
check_threshold(const struct pub_opts *o, const struct ak_signers *s,
    const char *const *keys, size_t nkeys, const char *role)
{
	unsigned char *blob;
	size_t len, i, have = 0;
	int why;

	for (i = 0; i < nkeys; i++) {
		if (pub_read_pub(keys[i], &blob, &len) != 0) {
			fprintf(stderr, "%s: no readable public key (%s.pub) "
			    "to check against trusted_root's %s role; nothing "
			    "published\n", keys[i], keys[i], role);
			return -1;
		}
		if (ak_signers_find(s, blob, len, NULL, o->now, &why) == NULL)
			fprintf(stderr, "%s is not a key of trusted_root's %s "
			    "role: its signature counts for nothing\n",
			    keys[i], role);
		else
			have++;
		free(blob);
	}
	if (o->partial && !o->timestamp_only && have > 0 && have == nkeys) {
		if (have < ak_signers_threshold(s))
			printf("partial: the %s role needs %u of its %zu "
			    "keys; the keys given are %zu of them. Hosts "
			    "refuse this tree until --add-signature brings it "
			    "to %u: do not serve it before.\n", role,
			    ak_signers_threshold(s), s->n, have,
			    ak_signers_threshold(s));
		return 0;
	}
	if (o->partial) {
		fprintf(stderr, "--partial: every -k key must be a key of "
		    "trusted_root's %s role. Nothing published.\n", role);
		return -1;
	}
	if (have < ak_signers_threshold(s)) {
		fprintf(stderr, "trusted_root's %s role needs %u of its %zu "
		    "keys to sign; the keys given are %zu of them: hosts "
		    "would refuse it. Nothing published.\n", role,
		    ak_signers_threshold(s), s->n, have);
		return -1;
	}
	return 0;
}

static int
check_root_roles(const struct pub_opts *o, const struct ak_config *pol)
{
	struct ak_root *root;
	int r = 0;

	if (o->root != NULL)
		root = o->root;
	else if (pub_root_in_force(o, pol, &root) != 0) {
		fprintf(stderr, "%s: cannot read trusted_root; nothing "
		    "published\n", pol->trusted_root);
		return -1;
	}
	/* --add-signature's keys are checked where they sign. */
	if (!o->timestamp_only && !o->add_signature)
		r = check_threshold(o, root->role[AK_ROLE_DOCUMENTS], o->keys,
		    o->nkeys, "documents");
	/* A partial publish writes no timestamp. */
	if (r == 0 && !o->partial)
		r = check_threshold(o, root->role[AK_ROLE_TIMESTAMP],
		    ts_keys(o), ts_count(o), "timestamp");
	if (root != o->root)
		ak_root_free(root);
	return r;
}

/* How many of keys are keys of role s (unreadable ones count none). */
static size_t
role_keys(const struct pub_opts *o, const struct ak_signers *s,
    const char *const *keys, size_t nkeys)
{
	unsigned char *blob;
	size_t len, i, have = 0;
	int why;

	for (i = 0; i < nkeys; i++) {
		if (pub_read_pub(keys[i], &blob, &len) != 0)
			continue;
		have += ak_signers_find(s, blob, len, NULL, o->now, &why) !=
		    NULL;
		free(blob);
	}
	return have;
}

void
pub_roles_summary(const struct pub_opts *o, const struct ak_config *pol)
{
	struct ak_root *root;
	const struct ak_signers *d, *t;
	size_t hd, ht;

	if (pol->trusted_root == NULL)
		return;
	if (pub_root_in_force(o, pol, &root) != 0) {
		printf("root: trusted_root %s cannot be read\n",
		    pol->trusted_root);
		return;
	}
	d = root->role[AK_ROLE_DOCUMENTS];
	t = root->role[AK_ROLE_TIMESTAMP];
	hd = role_keys(o, d, o->keys, o->nkeys);
	ht = role_keys(o, t, ts_keys(o), ts_count(o));
	printf("root: serial %llu in force on hosts (trusted_root %s, "
	    "then the store's v1/root.N)\n", root->serial, pol->trusted_root);
	printf("root: documents need %u of %zu keys, the -k keys are %zu of "
	    "them: %s\n", d->threshold, d->n, hd, hd >= d->threshold ?
	    "enough" : "TOO FEW, hosts would refuse what they sign");
	if (ts_count(o) > 0)
		printf("root: timestamps need %u of %zu keys, the timestamp "
		    "keys are %zu of them: %s\n", t->threshold, t->n, ht,
		    ht >= t->threshold ? "enough" : "TOO FEW, hosts would "
		    "refuse the timestamp");
	ak_root_free(root);
}

int
pub_check_roles(const struct pub_opts *o, const struct ak_config *pol)
{
	struct ak_signers *s = NULL;
	char tsns[128];
	size_t i;
	int r = 0;

	if (pol->trusted_root != NULL)
		return check_root_roles(o, pol);
	if (pol->trusted_signers == NULL)
		return 0;
	if (ak_signers_load(pol->trusted_signers, &s) != 0) {
		fprintf(stderr, "%s: cannot read trusted_signers; nothing "
		    "published\n", pol->trusted_signers);
		return -1;
	}
	snprintf(tsns, sizeof(tsns), "%s-timestamp", pol->namespace);
	for (i = 0; !o->timestamp_only && r == 0 && i < o->nkeys; i++)
		r = check_role(o, s, o->keys[i], pol->namespace,
		    "documents and snapshot");
	for (i = 0; r == 0 && i < ts_count(o); i++)
		r = check_role(o, s, ts_keys(o)[i], tsns, "timestamp");
	ak_signers_free(s);
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
write_view_file(const struct pub_opts *o, const struct ak_config *pol,
    const char *staging, enum ak_doc_kind kind, const char *const *keys,
    size_t nkeys, const char *ns, long valid, int keep_same, const char *body,
    size_t bodylen)
{
	const char *name = kind == AK_DOC_SNAPSHOT ? "snapshot" : "timestamp";
	char rel[32], hdr[AK_DOC_HEADER_MAX], *final = NULL, *staged = NULL;
	unsigned long long serial = (unsigned long long)o->now, floor;
	struct ak_doc *old = NULL;
	FILE *f = NULL;
	int n, ok, r = -1;

	snprintf(rel, sizeof(rel), "v1/%s", name);
	if ((final = join(o->out, rel)) == NULL ||
	    (staged = join(staging, name)) == NULL)
		goto out;
	if (published(final, kind, &old) == 0) {
		/* Re-signed in the last half of its life, as documents. */
		if (keep_same && same_body(old, body, bodylen) &&
		    pub_keep_signatures(o, old) &&
		    old->expires - o->now > valid / 2) {
			r = 0;
			goto out;
		}
		if (old->serial >= serial)
			serial = old->serial + 1;
	}
	if (pub_serial_floor(o, kind, &floor) != 0)
		goto out;
	if (floor >= serial)
		serial = floor + 1;
	if (pub_serial_ok(o, pol, name, serial) != 0)
		goto out;
	if ((n = ak_doc_format_header(kind, NULL, serial, o->now + valid, hdr,
	    sizeof(hdr))) < 0 || (f = fopen(staged, "w")) == NULL) {
		fprintf(stderr, "%s: cannot write\n", staged);
		goto out;
	}
	ok = fwrite(hdr, 1, (size_t)n, f) == (size_t)n &&
	    fwrite(body, 1, bodylen, f) == bodylen;
	/* Closed whether the writes went through or not. */
	if (fclose(f) != 0 || !ok) {
		fprintf(stderr, "%s: cannot write\n", staged);
		goto out;
	}
	if (pub_sign_file(keys, nkeys, ns, staged) != 0) {
		fprintf(stderr, "%s: signing failed (key %s%s, namespace "
		    "%s)\n", name, keys[0], nkeys > 1 ? " and others" : "", ns);
		goto out;
	}
	chmod(staged, 0644);
	if (pub_serial_record(o, kind, serial) != 0)
		goto out;
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
	unsigned char keys[AK_DOC_SIGS_MAX][32];
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
	/* A snapshot hosts would refuse is never stamped. */
	if (o->root != NULL && pub_doc_signers(o, d, keys) <
	    ak_signers_threshold(o->root->role[AK_ROLE_DOCUMENTS])) {
		fprintf(stderr, "%s: signed by %zu of the %u keys of the "
		    "documents role it needs: hosts would refuse it. Complete "
		    "it with --add-signature first; no timestamp written\n",
		    path, pub_doc_signers(o, d, keys),
		    ak_signers_threshold(o->root->role[AK_ROLE_DOCUMENTS]));
		goto out;
	}
	ak_snap_hash_text(buf, len, 0, hash);
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
	return write_view_file(o, pol, staging, AK_DOC_TIMESTAMP, ts_keys(o),
	    ts_count(o), ns, o->ts_valid, 0, body, strlen(body));
}

/*
 * What the snapshot's entry hashes: the whole file, or in a partial
 * publish the signed bytes (so signatures added later leave it good).
 */
static int
signed_len(const struct pub_opts *o, const char *buf, size_t len,
    enum ak_doc_kind kind, size_t *slp)
{
	struct ak_doc *d;

	*slp = len;
	if (!o->partial)
		return 0;
	if (ak_doc_parse(buf, len, kind, &d) != 0)
		return -1;
	*slp = d->signed_len;
	ak_doc_free(d);
	return 0;
}

/* The snapshot's body: every published document of the source. */
static int
snapshot_body(const struct pub_opts *o, const struct pub_item *items,
    size_t n, struct ak_buf *b)
{
	char line[160], hash[AK_SNAP_HASH_TEXT], *buf;
	struct ak_doc hdr;
	size_t i, len, hl, sl;
	int pass;

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
			if (ak_doc_parse_header(buf, len, k, &hdr, &hl) != 0 ||
			    signed_len(o, buf, len, k, &sl) != 0) {
				free(buf);
				return -1;
			}
			ak_snap_hash_text(buf, sl, o->partial, hash);
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
	if (write_view_file(o, pol, staging, AK_DOC_SNAPSHOT, o->keys,
	    o->nkeys, pol->namespace, o->snap_valid, 1, (const char *)b.p,
	    b.len) != 0)
		goto out;
	/* Partial: stamped once --add-signature has completed it. */
	if (o->partial)
		printf("no timestamp written (--partial): once "
		    "--add-signature completes the tree, it or "
		    "'authkeys-publish --timestamp' stamps it\n");
	else if (stamp(o, pol, staging) != 0)
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

int
pub_make_dirs(const char *out)
{
	char p[4096];

	snprintf(p, sizeof(p), "%s/v1", out);
	if (mkdir(out, 0755) != 0 && errno != EEXIST)
		return -1;
	if (mkdir(p, 0755) != 0 && errno != EEXIST)
		return -1;
	snprintf(p, sizeof(p), "%s/v1/accounts", out);
	if (mkdir(p, 0755) != 0 && errno != EEXIST)
		return -1;
	return 0;
}
