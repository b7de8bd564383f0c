/* sshd's SSH_AUTH_INFO_0: the "publickey TYPE BASE64" lines of a login. */
#ifndef AK_AUTHINFO_H
#define AK_AUTHINFO_H

#include <stddef.h>

#include "ak_key.h"
#include "ak_limits.h"

#define AK_AUTHINFO_MAX		65536
#define AK_AUTHINFO_MAX_KEYS	8

struct ak_authinfo_key {
	enum ak_key_type type;
	unsigned char *blob;
	size_t bloblen;
	char fpr[AK_FPR_LEN + 1];
	unsigned char hash[AK_HASH_LEN];	/* what ak_keyset is asked */
	char ca_fpr[AK_FPR_LEN + 1];	/* a certificate's CA; "" for a key */
};

struct ak_authinfo {
	struct ak_authinfo_key keys[AK_AUTHINFO_MAX_KEYS];
	size_t nkeys;
	size_t ncerts;		/* how many of keys came as certificates */
};

/*
 * Parses SSH_AUTH_INFO_0 (may be NULL). A certificate gives its certified
 * key (fingerprint and hash are the key's) and its CA's fingerprint.
 * Returns 0 with at least one key, AK_ERR_NOT_FOUND if no publickey line,
 * AK_ERR_KEY_TYPE for an unknown key type, AK_ERR_FORMAT /
 * AK_ERR_TOO_LARGE otherwise. Clear ai with ak_authinfo_clear in every
 * case.
 */
int ak_authinfo_parse(const char *info, struct ak_authinfo *ai);
void ak_authinfo_clear(struct ak_authinfo *ai);

/* Writes the keys' fingerprints, comma separated, into out. */
void ak_authinfo_fprs(const struct ak_authinfo *ai, char *out, size_t len);

#endif
