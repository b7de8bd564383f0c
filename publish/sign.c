/*
 * Signing for authkeys-publish: ssh-keygen -Y sign (key files, or the .pub
 * of keys held in ssh-agent) on staged files, in batches, every key over
 * the same bytes, and the one way the signatures are appended to FILE.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ak_doc.h"
#include "ak_file.h"
#include "ak_key.h"
#include "ak_sha256.h"
#include "ak_signers.h"
#include "ak_sshsig.h"
#include "publish.h"

#define SIGN_BATCH	1000	/* files per ssh-keygen run */
#define SIGN_PARALLEL	2
#define SIG_MAX		65536

pid_t
pub_sign_start(const char *key, const char *namespace, char **files, size_t n)
{
	char **argv;
	size_t i;
	pid_t pid;

	if ((argv = calloc(n + 9, sizeof(*argv))) == NULL)
		return -1;
	argv[0] = "ssh-keygen";
	argv[1] = "-q";
	argv[2] = "-Y";
	argv[3] = "sign";
	argv[4] = "-n";
	argv[5] = (char *)namespace;
	argv[6] = "-f";
	argv[7] = (char *)key;
	for (i = 0; i < n; i++)
		argv[8 + i] = files[i];
	if ((pid = fork()) == 0) {
		execvp("ssh-keygen", argv);
		perror("ssh-keygen");
		_exit(127);
	}
	free(argv);
	return pid;
}

/* One key over nf files, SIGN_PARALLEL runs of SIGN_BATCH at a time. */
static int
sign_one_key(const char *key, const char *namespace, char **files, size_t nf)
{
	pid_t running[SIGN_PARALLEL];
	size_t off, nrun = 0, k;
	int status, bad = 0;

	for (off = 0; off < nf || nrun > 0; ) {
		if (off < nf && nrun < SIGN_PARALLEL) {
			k = nf - off < SIGN_BATCH ? nf - off : SIGN_BATCH;
			if ((running[nrun] = pub_sign_start(key, namespace,
			    files + off, k)) == -1) {
				bad = 1;
				break;
			}
			nrun++;
			off += k;
			continue;
		}
		if (waitpid(running[0], &status, 0) != running[0] ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			bad = 1;
		memmove(running, running + 1, --nrun * sizeof(*running));
	}
	while (nrun > 0)
		waitpid(running[--nrun], &status, 0);
	return bad ? -1 : 0;
}

/* path.sig (or path.sig.i for i >= 0) into out. */
static int
sig_path(const char *path, long i, char *out, size_t outlen)
{
	int n = i < 0 ? snprintf(out, outlen, "%s.sig", path) :
	    snprintf(out, outlen, "%s.sig.%ld", path, i);

	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

int
pub_sign_all(const char *const *keys, size_t nkeys, const char *namespace,
    char **files, size_t nf)
{
	char from[4200], to[4200];
	size_t i, k;

	for (k = 0; k < nkeys; k++) {
		if (sign_one_key(keys[k], namespace, files, nf) != 0)
			return -1;
		for (i = 0; i < nf; i++) {
			if (sig_path(files[i], -1, from, sizeof(from)) != 0 ||
			    sig_path(files[i], (long)k, to, sizeof(to)) != 0 ||
			    rename(from, to) != 0)
				return -1;
		}
	}
	return 0;
}

void
pub_remove_sigs(const char *path)
{
	char sig[4200];
	long i;

	for (i = -1; i < PUB_KEYS_MAX; i++) {
		if (sig_path(path, i, sig, sizeof(sig)) == 0)
			unlink(sig);
	}
}

int
pub_append_sigs(const char *path, size_t nkeys, int durable)
{
	char sigpath[4200], *sig;
	size_t siglen, k;
	FILE *f;
	int r = -1;

	if ((f = fopen(path, "a")) == NULL)
		goto out;
	for (k = 0; k < nkeys; k++) {
		sig = NULL;
		if (sig_path(path, (long)k, sigpath, sizeof(sigpath)) != 0 ||
		    ak_file_read(sigpath, SIG_MAX, 0, 0, &sig, &siglen) != 0)
			break;
		if (fwrite(sig, 1, siglen, f) != siglen) {
			free(sig);
			break;
		}
		free(sig);
	}
	if (k == nkeys && fflush(f) == 0 &&
	    (!durable || fsync(fileno(f)) == 0))
		r = 0;
	/* Closed whatever happened above; a failed close fails it too. */
	if (fclose(f) != 0)
		r = -1;
 out:
	pub_remove_sigs(path);
	return r;
}

int
pub_sign_file(const char *const *keys, size_t nkeys, const char *namespace,
    const char *path)
{
	char *files[1];

	files[0] = (char *)path;
	if (pub_sign_all(keys, nkeys, namespace, files, 1) != 0) {
		pub_remove_sigs(path);
		return -1;
	}
	return pub_append_sigs(path, nkeys, 1);
}

/* The public half of a key file: KEY itself if it ends in .pub. */
int
pub_read_pub(const char *key, unsigned char **blobp, size_t *lenp)
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

void
pub_hash_keys(struct pub_opts *o)
{
	unsigned char *blob;
	size_t i, len;

	o->keys_hashed = 0;
	for (i = 0; i < o->nkeys; i++) {
		if (pub_read_pub(o->keys[i], &blob, &len) != 0)
			return;
		ak_sha256(blob, len, o->key_hash[i]);
		free(blob);
	}
	o->keys_hashed = 1;
}

int
pub_signed_by(const struct pub_opts *o, const struct ak_doc *d)
{
	unsigned char h[32];
	size_t i, j;

	if (!o->keys_hashed || d->nsigs != o->nkeys)
		return 0;
	for (i = 0; i < d->nsigs; i++) {
		if (ak_signers_sig_key(d->sigs[i].blob, d->sigs[i].len, h) != 0)
			return 0;
		for (j = 0; j < o->nkeys &&
		    memcmp(o->key_hash[j], h, 32) != 0; j++)
			;
		if (j == o->nkeys)
			return 0;
	}
	return 1;
}

size_t
pub_doc_signers(const struct pub_opts *o, const struct ak_doc *d,
    unsigned char keys[][32])
{
	size_t n = 0;

	if (o->root == NULL || ak_sshsig_signed_by(d, o->ns,
	    o->root->role[AK_ROLE_DOCUMENTS], o->now, keys, &n) != 0)
		return 0;
	return n;
}

int
pub_keep_signatures(const struct pub_opts *o, const struct ak_doc *d)
{
	unsigned char keys[AK_DOC_SIGS_MAX][32];

	if (pub_signed_by(o, d))
		return 1;
	/* A partial publish keeps what already reaches the threshold. */
	return o->partial && o->root != NULL && pub_doc_signers(o, d, keys) >=
	    ak_signers_threshold(o->root->role[AK_ROLE_DOCUMENTS]);
}
