/*
 * --add-signature: the two-person rule on two machines. One person
 * publishes with --partial (documents and snapshot signed by fewer keys
 * than the documents role's threshold, the snapshot naming each document
 * by its signed bytes, no timestamp); another adds their signature here,
 * after reading what they vouch for. A signature signs the signed bytes
 * only, so the snapshot's entries and the earlier signatures stay good.
 *
 * Only what is short of the threshold is touched: a complete document may
 * already be on hosts, and other bytes under its serial would be
 * equivocation there. Nothing in the tree changes unless every document
 * could be signed and each new signature verifies as hosts will check it.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ak_doc.h"
#include "ak_err.h"
#include "ak_file.h"
#include "ak_signers.h"
#include "ak_snap.h"
#include "ak_valid.h"
#include "publish.h"

#define COSIGN_MAX	100001	/* accounts, the list and the snapshot */

struct cdoc {
	char rel[300];		/* "v1/accounts/NAME", "v1/revoked", ... */
	char *final;
	char *staged;
	enum ak_doc_kind kind;
	char *buf;		/* the whole file, then with what is added */
	size_t len;
	struct ak_doc *doc;
	size_t have;		/* verified keys of the documents role */
	int need[PUB_KEYS_MAX];	/* key i signs it */
	size_t adds;
};

struct cosign {
	const struct pub_opts *o;
	const struct ak_signers *role;
	unsigned int k;
	struct cdoc *d;
	size_t n;
	char staging[4200];
};

static char *
join(const char *a, const char *b)
{
	char *p;

	return asprintf(&p, "%s/%s", a, b) == -1 ? NULL : p;
}

static void
cosign_free(struct cosign *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (c->d[i].staged != NULL) {
			unlink(c->d[i].staged);
			pub_remove_sigs(c->d[i].staged);
		}
		free(c->d[i].final);
		free(c->d[i].staged);
		free(c->d[i].buf);
		ak_doc_free(c->d[i].doc);
	}
	free(c->d);
	if (c->staging[0] != '\0')
		rmdir(c->staging);
}

/* Reads and parses one file of the tree, and counts its signers. */
static int
add_doc(struct cosign *c, const char *rel, enum ak_doc_kind kind,
    const char *account)
{
	struct cdoc *d, *tmp;
	unsigned char keys[AK_DOC_SIGS_MAX][32];
	size_t i, j;
	int r;

	if (c->n >= COSIGN_MAX || (tmp = reallocarray(c->d, c->n + 1,
	    sizeof(*tmp))) == NULL)
		return -1;
	c->d = tmp;
	d = &c->d[c->n++];
	memset(d, 0, sizeof(*d));
	snprintf(d->rel, sizeof(d->rel), "%s", rel);
	d->kind = kind;
	if ((d->final = join(c->o->out, rel)) == NULL)
		return -1;
	if (ak_file_read(d->final, AK_DOC_MAX, 0, 0, &d->buf, &d->len) != 0 ||
	    ak_doc_parse(d->buf, d->len, kind, &d->doc) != 0) {
		fprintf(stderr, "%s: not a readable signed document\n",
		    d->final);
		return -1;
	}
	if ((r = ak_doc_check(d->doc, account, c->o->now, 0)) != 0) {
		fprintf(stderr, "%s: %s (expired or another account's): "
		    "publish again\n", d->final, ak_err(r));
		return -1;
	}
	d->have = pub_doc_signers(c->o, d->doc, keys);
	if (d->have == 0) {
		fprintf(stderr, "%s: no valid signature by a key of the "
		    "documents role: --add-signature adds to what a colleague "
		    "signed (authkeys-publish --partial)\n", d->final);
		return -1;
	}
	if (d->have >= c->k)
		return 0;
	for (i = 0; i < c->o->nkeys; i++) {
		for (j = 0; j < d->have && memcmp(keys[j],
		    c->o->key_hash[i], 32) != 0; j++)
			;
		if (j == d->have) {
			d->need[i] = 1;
			d->adds++;
		}
	}
	if (d->doc->nsigs + d->adds > AK_DOC_SIGS_MAX) {
		fprintf(stderr, "%s: already %zu signatures; hosts read at "
		    "most %d\n", d->final, d->doc->nsigs, AK_DOC_SIGS_MAX);
		return -1;
	}
	return 0;
}

/* Every account document, the list if any, and the snapshot, in turn. */
static int
read_tree(struct cosign *c)
{
	char rel[300], *dir;
	struct dirent *de;
	struct stat st;
	DIR *dp;
	int r = 0;

	if ((dir = join(c->o->out, "v1/accounts")) == NULL)
		return -1;
	if ((dp = opendir(dir)) == NULL) {
		fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		free(dir);
		return -1;
	}
	while (r == 0 && (de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (!ak_account_valid(de->d_name)) {
			fprintf(stderr, "%s/%s: not an account name\n", dir,
			    de->d_name);
			r = -1;
			break;
		}
		snprintf(rel, sizeof(rel), "v1/accounts/%s", de->d_name);
		r = add_doc(c, rel, AK_DOC_ACCOUNT, de->d_name);
	}
	closedir(dp);
	free(dir);
	if (r != 0)
		return -1;
	if ((dir = join(c->o->out, "v1/revoked")) == NULL)
		return -1;
	if (stat(dir, &st) == 0)
		r = add_doc(c, "v1/revoked", AK_DOC_REVOCATIONS, NULL);
	free(dir);
	if (r != 0)
		return -1;
	return add_doc(c, "v1/snapshot", AK_DOC_SNAPSHOT, NULL);
}

/*
 * The snapshot must name exactly the tree's documents, and by their signed
 * bytes wherever a signature is to be added; else what is signed here is
 * not one publish's output, or adding would break the snapshot.
 */
static int
check_snapshot(struct cosign *c)
{
	const struct cdoc *snapd = &c->d[c->n - 1];
	const struct ak_snap_entry *e;
	struct ak_snap *s = NULL;
	size_t i, named = 0;
	int r = -1;

	if (ak_snap_parse(snapd->doc, &s, NULL) != 0) {
		fprintf(stderr, "%s: not a snapshot\n", snapd->final);
		return -1;
	}
	for (i = 0; i + 1 < c->n; i++) {
		const struct cdoc *d = &c->d[i];

		e = ak_snap_find(s, d->kind == AK_DOC_ACCOUNT ?
		    d->doc->account : NULL);
		if (e == NULL || !ak_snap_matches(e, d->doc->serial, d->buf,
		    d->len, d->doc->signed_len)) {
			fprintf(stderr, "%s: %s: the snapshot and the tree are "
			    "not one publish's output\n", d->final, e == NULL ?
			    "not named by the snapshot" : "the snapshot names "
			    "another document");
			goto out;
		}
		if (d->adds > 0 && !e->signed_only) {
			fprintf(stderr, "%s: the snapshot names the whole "
			    "file, so a signature added would break it: "
			    "publish with --partial\n", d->final);
			goto out;
		}
		named++;
	}
	if (named != s->n) {
		fprintf(stderr, "%s: names %zu document(s), the tree has %zu\n",
		    snapd->final, s->n, named);
		goto out;
	}
	r = 0;
 out:
	ak_snap_free(s);
	return r;
}

/* What the signer vouches for, before anything is signed. */
static void
review(const struct cosign *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		const struct cdoc *d = &c->d[i];

		if (d->adds == 0)
			continue;
		printf("%s serial %llu: signed by %zu of the %u keys needed, "
		    "adding %zu\n", d->rel, d->doc->serial, d->have, c->k,
		    d->adds);
		if (d->kind == AK_DOC_SNAPSHOT)
			printf("    names %zu document(s)\n", c->n - 1);
		else
			pub_print_keys(d->doc);
	}
}

/* Appends path.sig.0 (one key's signature of path) to d->buf. */
static int
take_sig(struct cdoc *d)
{
	char *sigpath, *sig = NULL, *nb;
	size_t siglen;
	int r = -1;

	if (asprintf(&sigpath, "%s.sig.0", d->staged) == -1)
		return -1;
	if (ak_file_read(sigpath, 65536, 0, 0, &sig, &siglen) == 0 &&
	    (nb = realloc(d->buf, d->len + siglen + 1)) != NULL) {
		d->buf = nb;
		memcpy(d->buf + d->len, sig, siglen);
		d->len += siglen;
		d->buf[d->len] = '\0';
		r = 0;
	}
	free(sig);
	free(sigpath);
	pub_remove_sigs(d->staged);
	return r;
}

/* Key i signs the signed bytes of every document that needs it. */
static int
sign_with(struct cosign *c, size_t i)
{
	char **files;
	size_t j, nf = 0;
	int r = -1;

	if ((files = calloc(c->n + 1, sizeof(*files))) == NULL)
		return -1;
	for (j = 0; j < c->n; j++) {
		struct cdoc *d = &c->d[j];

		if (!d->need[i])
			continue;
		if (ak_file_write_atomic_flags(c->staging, strrchr(d->staged,
		    '/') + 1, d->buf, d->doc->signed_len, 0600, 0, 0) != 0)
			goto out;
		files[nf++] = d->staged;
	}
	if (pub_sign_all(&c->o->keys[i], 1, c->o->ns, files, nf) != 0)
		goto out;
	for (j = 0; j < c->n; j++)
		if (c->d[j].need[i] && take_sig(&c->d[j]) != 0)
			goto out;
	r = 0;
 out:
	free(files);
	return r;
}

/* The new bytes, checked as hosts check them, into staging. */
static int
stage_new(struct cosign *c, struct cdoc *d)
{
	unsigned char keys[AK_DOC_SIGS_MAX][32];
	struct ak_doc *nd = NULL;
	size_t have;

	if (ak_doc_parse(d->buf, d->len, d->kind, &nd) != 0 ||
	    nd->signed_len != d->doc->signed_len ||
	    memcmp(nd->buf, d->doc->buf, nd->signed_len) != 0 ||
	    (have = pub_doc_signers(c->o, nd, keys)) != d->have + d->adds) {
		fprintf(stderr, "%s: a signature added does not verify as "
		    "hosts check it\n", d->final);
		ak_doc_free(nd);
		return -1;
	}
	ak_doc_free(nd);
	d->have = have;
	return ak_file_write_atomic_flags(c->staging, strrchr(d->staged,
	    '/') + 1, d->buf, d->len, 0644, 1, 0) == 0 ? 0 : -1;
}

/* Every -k key must count: a key of the documents role. */
static int
check_keys(const struct cosign *c)
{
	unsigned char *blob;
	size_t len, i;
	int why;

	if (!c->o->keys_hashed) {
		fprintf(stderr, "a -k key has no readable public half "
		    "(KEY.pub)\n");
		return -1;
	}
	for (i = 0; i < c->o->nkeys; i++) {
		if (pub_read_pub(c->o->keys[i], &blob, &len) != 0)
			return -1;
		if (ak_signers_find(c->role, blob, len, NULL, c->o->now,
		    &why) == NULL) {
			fprintf(stderr, "%s is not a key of the documents role "
			    "of root %llu: its signature would count for "
			    "nothing\n", c->o->keys[i], c->o->root->serial);
			free(blob);
			return -1;
		}
		free(blob);
	}
	return 0;
}

static int
sign_and_install(struct cosign *c)
{
	size_t i;
	int fd;

	snprintf(c->staging, sizeof(c->staging), "%s/.staging-cosign.XXXXXX",
	    c->o->out);
	if (mkdtemp(c->staging) == NULL) {
		c->staging[0] = '\0';
		fprintf(stderr, "%s: %s\n", c->o->out, strerror(errno));
		return -1;
	}
	for (i = 0; i < c->n; i++) {
		char name[32];

		snprintf(name, sizeof(name), "%zu", i);
		if (c->d[i].adds > 0 &&
		    (c->d[i].staged = join(c->staging, name)) == NULL)
			return -1;
	}
	for (i = 0; i < c->o->nkeys; i++) {
		if (sign_with(c, i) != 0) {
			fprintf(stderr, "signing with %s failed\n",
			    c->o->keys[i]);
			return -1;
		}
	}
	for (i = 0; i < c->n; i++)
		if (c->d[i].adds > 0 && stage_new(c, &c->d[i]) != 0)
			return -1;
	if ((fd = open(c->staging, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1 || syncfs(fd) != 0) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	close(fd);
	/* Documents, then the snapshot last (read_tree's order). */
	for (i = 0; i < c->n; i++) {
		if (c->d[i].adds == 0)
			continue;
		if (ak_file_replace_newer(c->d[i].staged, c->d[i].final) != 0) {
			fprintf(stderr, "%s: %s\n", c->d[i].final,
			    strerror(errno));
			return -1;
		}
		printf("%s serial %llu: signed by %zu of %u\n", c->d[i].final,
		    c->d[i].doc->serial, c->d[i].have, c->k);
	}
	return 0;
}

int
pub_add_signature(const struct pub_opts *o, const struct ak_config *pol)
{
	struct cosign c;
	size_t i, adds = 0, short_ = 0;
	int r = -1;

	memset(&c, 0, sizeof(c));
	c.o = o;
	c.role = o->root->role[AK_ROLE_DOCUMENTS];
	c.k = ak_signers_threshold(c.role);
	if (check_keys(&c) != 0 || read_tree(&c) != 0 ||
	    check_snapshot(&c) != 0) {
		fprintf(stderr, "nothing signed\n");
		goto out;
	}
	for (i = 0; i < c.n; i++)
		adds += c.d[i].adds;
	review(&c);
	if (o->dry_run) {
		printf("dry run: nothing signed\n");
		r = 0;
		goto out;
	}
	if (adds > 0 && sign_and_install(&c) != 0) {
		fprintf(stderr, "nothing signed\n");
		goto out;
	}
	for (i = 0; i < c.n; i++)
		short_ += c.d[i].have < c.k;
	if (short_ > 0) {
		printf("still short: %zu of %zu document(s) need more "
		    "signatures of the documents role (%u); another "
		    "--add-signature completes them\n", short_, c.n, c.k);
		r = 0;
		goto out;
	}
	printf("complete: every document and the snapshot carry %u "
	    "signatures of the documents role\n", c.k);
	if (o->nts_keys == 0) {
		printf("stamp it before serving it: authkeys-publish "
		    "--timestamp -k TIMESTAMP_KEY -o %s (or the cron job)\n",
		    o->out);
		r = 0;
		goto out;
	}
	r = pub_check_roles(o, pol) == 0 && pub_write_timestamp(o, pol) ==
	    0 ? 0 : -1;
 out:
	cosign_free(&c);
	return r;
}
