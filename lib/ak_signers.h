/* ssh-keygen's allowed_signers file (ssh-keygen(1) "ALLOWED SIGNERS"). */
#ifndef AK_SIGNERS_H
#define AK_SIGNERS_H

#include <stddef.h>
#include <time.h>

#include "ak_doc.h"
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
	unsigned int threshold;	/* distinct signers a document needs; 0: 1 */
};

/* How many distinct keys of sp must sign a document (at least 1). */
unsigned int ak_signers_threshold(const struct ak_signers *sp);

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

/*
 * What a verified signature was checked against (the file's digest and
 * the namespace), as recorded in the cache entry of whoever verified it:
 * equal marks say the same signers judged. Writes 32 bytes into mark.
 */
void ak_signers_mark(const unsigned char digest[32], const char *ns,
    unsigned char mark[32]);

/*
 * The SHA-256 of path's bytes, with ak_signers_load's checks but no
 * parsing: the cache-hit path's question "did trusted_signers change since
 * this entry was verified?". Returns 0 or AK_ERR_*.
 */
int ak_signers_file_digest(const char *path, unsigned char digest[32]);

/*
 * The SHA-256 of the public key blob inside an SSHSIG blob (who signed;
 * its base64 is the key's SHA256 fingerprint), without verifying anything.
 * Returns 0 or AK_ERR_FORMAT.
 */
int ak_signers_sig_key(const unsigned char *sig, size_t siglen,
    unsigned char keyhash[32]);

/*
 * The fingerprints of the keys whose signatures doc carries, each once,
 * in order (nothing verified: who signed, for --status and reports).
 * Returns how many (at most AK_DOC_SIGS_MAX).
 */
size_t ak_doc_signers(const struct ak_doc *doc, char fprs[][AK_FPR_LEN + 1]);

/*
 * Returns 1 if sp has a signer whose key blob hashes to keyhash and who may
 * sign in ns at now, else 0.
 */
int ak_signers_holds(const struct ak_signers *sp,
    const unsigned char keyhash[32], const char *ns, time_t now);

#endif
