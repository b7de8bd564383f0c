/* Revocation lists and the key/option policy applied to every printed line. */
#ifndef AK_POLICY_H
#define AK_POLICY_H

#include <stddef.h>
#include <stdio.h>

#include "ak_config.h"
#include "ak_doc.h"
#include "ak_key.h"

struct ak_revkey {
	unsigned char *blob;	/* a whole public key the list named */
	size_t len;
};

struct ak_revlist {
	char (*fprs)[AK_FPR_LEN + 1];	/* every entry's, sorted */
	size_t n;
	struct ak_revkey *keys;	/* entries given as key lines */
	size_t nkeys;
	unsigned long long serial;
};

/*
 * Builds a revocation list from a parsed AK_DOC_REVOCATIONS document. Any
 * line that is neither a fingerprint nor a key line fails the whole list
 * (AK_ERR_FORMAT): a list we cannot read must not half-apply.
 */
int ak_revlist_from_doc(const struct ak_doc *doc, struct ak_revlist **rlp);
void ak_revlist_free(struct ak_revlist *rl);
/* Returns 1 if fpr is on rl (rl may be NULL), else 0. */
int ak_revlist_contains(const struct ak_revlist *rl, const char *fpr);

/*
 * Checks one parsed line against key types, RSA size, allowed options and
 * revocations. Returns 0 or AK_ERR_KEY_TYPE, AK_ERR_POLICY, AK_ERR_OPTION,
 * AK_ERR_REVOKED.
 */
int ak_policy_check(const struct ak_config *cfg, const struct ak_revlist *rl,
    const struct ak_key_line *kl);

/*
 * Prints to out every line of doc that passes the policy (and, if want_fpr is
 * not NULL, has that fingerprint), forced_options first. Dropped lines are
 * logged. *nprinted counts the lines; fprs (if not NULL, fprs_len bytes)
 * receives their fingerprints, comma separated. Returns 0 or AK_ERR_IO.
 */
int ak_policy_emit(const struct ak_config *cfg, const struct ak_doc *doc,
    const struct ak_revlist *rl, const char *account, const char *want_fpr,
    FILE *out, size_t *nprinted, char *fprs, size_t fprs_len);

/*
 * Returns 1 if doc has a line whose key has fingerprint fpr and passes the
 * policy (type, size, options, not revoked on rl), else 0. Logs nothing.
 */
int ak_policy_allows(const struct ak_config *cfg, const struct ak_doc *doc,
    const struct ak_revlist *rl, const char *fpr);

#endif
