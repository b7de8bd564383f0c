/* authorized_keys lines: parsing, key blob checks and SHA256 fingerprints. */
#ifndef AK_KEY_H
#define AK_KEY_H

#include <stddef.h>

#include "ak_limits.h"
#include "ak_sha256.h"

#define AK_LINE_MAX	16384	/* longest authorized_keys line taken */
#define AK_MAX_OPTIONS	32

enum ak_key_type {
	AK_KT_UNKNOWN = 0,
	AK_KT_ED25519,
	AK_KT_ECDSA_P256,
	AK_KT_ECDSA_P384,
	AK_KT_ECDSA_P521,
	AK_KT_SK_ED25519,
	AK_KT_SK_ECDSA_P256,
	AK_KT_RSA,
	AK_KT_MAX
};

struct ak_key_opt {
	char name[32];		/* lower case */
	int has_value;
};

struct ak_key_line {
	char *options;		/* options text as written, or NULL */
	struct ak_key_opt opts[AK_MAX_OPTIONS];
	size_t nopts;
	enum ak_key_type type;
	const char *type_name;	/* static */
	char *b64;		/* key blob, base64 as written */
	char *comment;		/* or NULL */
	unsigned char *blob;
	size_t bloblen;
	unsigned int bits;	/* RSA modulus size; nominal for others */
	char fpr[AK_FPR_LEN + 1];
};

/*
 * Parses one authorized_keys line (no newline) of len bytes. Returns 0 and a
 * new line in *klp (caller frees with ak_key_line_free), or AK_ERR_FORMAT,
 * AK_ERR_CONTROL_CHAR, AK_ERR_KEY_TYPE, AK_ERR_KEY_INVALID, AK_ERR_TOO_LARGE.
 */
int ak_key_line_parse(const char *s, size_t len, struct ak_key_line **klp);
void ak_key_line_free(struct ak_key_line *kl);

/* Parses a bare "type base64" key (as in allowed_signers); same codes. */
int ak_key_parse_pub(const char *type, const char *b64, size_t b64len,
    unsigned char **blobp, size_t *lenp, enum ak_key_type *typep);

/*
 * Parses an OpenSSH certificate ("TYPE-cert-v01@openssh.com" and its
 * base64) as sshd reports one it accepted: the certified key as a plain
 * key blob (*blobp, caller frees; its fingerprint is the key's) and type,
 * and the SHA256 fingerprint of the CA key that signed it into ca_fpr
 * (AK_FPR_LEN + 1 bytes). Returns 0, AK_ERR_KEY_TYPE, AK_ERR_KEY_INVALID
 * or AK_ERR_ALLOC.
 */
int ak_key_parse_cert(const char *type, const char *b64, size_t b64len,
    unsigned char **blobp, size_t *lenp, enum ak_key_type *typep,
    char *ca_fpr);

/* Returns 0 if s is a well-formed options field, else AK_ERR_FORMAT. */
int ak_key_options_check(const char *s);

/*
 * The value of option name (lower case) of kl, read as sshd reads the
 * field (quotes, '\"' escapes; a name inside a quoted value is not an
 * option): writes it, unescaped and truncated to outlen, into out ("" for
 * a flag) and returns 1; returns 0 if kl has no such option.
 */
int ak_key_option_value(const struct ak_key_line *kl, const char *name,
    char *out, size_t outlen);

/* Returns the key type for an SSH key type name, or AK_KT_UNKNOWN. */
enum ak_key_type ak_key_type_from_name(const char *name, size_t len);
/* Returns the SSH name of a key type ("ssh-ed25519", ...). */
const char *ak_key_type_name(enum ak_key_type t);

/* Writes "SHA256:..." for blob into out (AK_FPR_LEN + 1 bytes). */
void ak_key_fingerprint(const unsigned char *blob, size_t len, char *out);

/* The same for a key whose blob hashes to h (a signature's signer). */
void ak_key_fingerprint_of_hash(const unsigned char h[AK_SHA256_LEN],
    char *out);

#endif
