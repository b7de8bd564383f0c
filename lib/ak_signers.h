/* ssh-keygen's allowed_signers file (ssh-keygen(1) "ALLOWED SIGNERS"). */
#ifndef AK_SIGNERS_H
#define AK_SIGNERS_H

#include <stddef.h>
#include <time.h>

#include "ak_key.h"

#define AK_SIGNERS_MAX	(256 * 1024)

struct ak_signer {
	enum ak_key_type type;
	unsigned char *blob;
	size_t bloblen;
	char *namespaces;	/* pattern list, or NULL for any */
	time_t valid_after;	/* 0 if unset */
	time_t valid_before;	/* 0 if unset */
};

struct ak_signers {
	struct ak_signer *s;
	size_t n;
	unsigned char digest[32];	/* SHA-256 of the file's bytes */
	int windows;		/* some signer has valid-after/-before */
};

/*
 * Parses an allowed_signers text (name for messages). Lines with
 * cert-authority or unsupported key types are skipped with a log line; a
 * malformed line fails the whole file. Returns 0 and *sp, or AK_ERR_*.
 */
int ak_signers_parse(const char *buf, size_t len, const char *name,
    struct ak_signers **sp);
/* Reads and parses path (root-owned, not group/world writable). */
int ak_signers_load(const char *path, struct ak_signers **sp);
void ak_signers_free(struct ak_signers *sp);

/*
 * Finds the signer whose key blob equals blob and who may sign in namespace
 * at now. Returns it, or NULL (with *whyp set to AK_ERR_UNTRUSTED or
 * AK_ERR_NAMESPACE).
 */
const struct ak_signer *ak_signers_find(const struct ak_signers *sp,
    const unsigned char *blob, size_t len, const char *ns, time_t now,
    int *whyp);

#endif
