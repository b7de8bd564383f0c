/*
 * One model of a verified document (SPEC "One meaning per signed byte").
 * The only code that reads what a body line says (a key line, a
 * fingerprint, blanks, a comment) and the only answer to "is this key
 * admitted for this account, and if not, why". The command (full list and
 * %f, cold and warm through the index these sets are written as), the PAM
 * module, the sweep, the KRL writer, --status and authkeys-publish all ask
 * it; none reads a body line on its own.
 */
#ifndef AK_KEYSET_H
#define AK_KEYSET_H

#include <stddef.h>
#include <stdio.h>

#include "ak_config.h"
#include "ak_doc.h"
#include "ak_key.h"
#include "ak_limits.h"

/* What one body line is. */
enum ak_line_kind {
	AK_LINE_NONE,		/* blank, or a # comment */
	AK_LINE_KEY,		/* an authorized_keys line */
	AK_LINE_FPR,		/* "SHA256:..." (revocation lists only) */
};

struct ak_line {
	enum ak_line_kind kind;
	struct ak_key_line *kl;		/* AK_LINE_KEY */
	char fpr[AK_FPR_LEN + 1];	/* AK_LINE_KEY and AK_LINE_FPR */
	unsigned char hash[AK_HASH_LEN];
};

/*
 * Reads one body line of a document of kind (len bytes, without its
 * newline). Leading and trailing blanks (space, tab) and a trailing CR are
 * not part of a key or fingerprint. Returns 0 with *l filled (clear with
 * ak_line_clear), or why the line cannot be read: AK_ERR_CONTROL_CHAR or
 * AK_ERR_TOO_LARGE (the whole document is unusable then), AK_ERR_BAD_FPR,
 * or what ak_key_line_parse says.
 */
int ak_line_read(const char *s, size_t len, enum ak_doc_kind kind,
    struct ak_line *l);
void ak_line_clear(struct ak_line *l);

/* Returns 1 if err, from ak_line_read, makes the whole document unusable. */
int ak_line_fatal(int err);

/* Whether a key is admitted, or why not. */
enum ak_verdict {
	AK_ADMIT = 0,
	AK_DENY_UNLISTED,	/* no line of the account's document has it */
	AK_DENY_REVOKED,	/* on the verified revocation list */
	AK_DENY_KEY_TYPE,	/* not in allowed_key_types */
	AK_DENY_WEAK,		/* RSA below min_rsa_bits */
	AK_DENY_OPTION,		/* its line has an option not allowed */
	AK_DENY_NO_LIST,	/* revocation_url set, no readable list */
	AK_DENY_BAD_DOC,	/* the account's document cannot be read */
};

/* Returns a static phrase for v ("key is revoked", ...). */
const char *ak_verdict_str(enum ak_verdict v);

/* Where a document could not be read (line 0: not known). */
struct ak_fault {
	unsigned long lineno;
	int err;
};

/* A whole public key a revocation list names (the KRL lists it as such). */
struct ak_revkey {
	unsigned char *blob;
	size_t len;
};

/* A verified revocation list. */
struct ak_revset {
	unsigned long long serial;
	unsigned char (*hashes)[AK_HASH_LEN];	/* sorted, each once */
	size_t n;
	struct ak_revkey *keys;	/* the entries given as key lines */
	size_t nkeys;
};

/*
 * Reads every line of a revocation list. A line that cannot be read fails
 * the whole list (AK_ERR_FORMAT, logged with its line; *fault says which
 * if not NULL): a list we cannot read must not half-apply. Returns 0 and
 * *rsp (free with ak_revset_free).
 */
int ak_revset_from_doc(const struct ak_doc *doc, struct ak_revset **rsp,
    struct ak_fault *fault);

/*
 * The revocation list as far as one key goes, as its index answered (see
 * ak_index_revoked): it names hash if revoked. Asked about that key it
 * answers as the whole list does. Returns 0 or AK_ERR_ALLOC.
 */
int ak_revset_one(unsigned long long serial,
    const unsigned char hash[AK_HASH_LEN], int revoked,
    struct ak_revset **rsp);
void ak_revset_free(struct ak_revset *rs);

/* Returns 1 if rs names hash, else 0. */
int ak_revset_has(const struct ak_revset *rs,
    const unsigned char hash[AK_HASH_LEN]);

/* One line of an account's document. */
struct ak_keyent {
	struct ak_key_line *kl;		/* NULL: a line that is no key */
	int err;			/* then why (ak_line_read) */
	unsigned char hash[AK_HASH_LEN];
	enum ak_verdict verdict;	/* this line, policy and list */
	unsigned long lineno;		/* 0 if not known (index) */
	size_t off, len;		/* where it is in the document */
};

/* An account's keys under the policy and the revocation list. */
struct ak_keyset {
	const struct ak_config *cfg;
	char account[33];
	unsigned long long serial;	/* of the document; 0 if none */
	enum ak_verdict all;	/* AK_ADMIT, or why no key may be */
	struct ak_fault fault;	/* with AK_DENY_BAD_DOC */
	struct ak_keyent *ents;	/* in document order */
	size_t n, cap;
	const struct ak_revset *rs;	/* borrowed; NULL if none */
};

/*
 * An empty keyset for account under cfg and rs (NULL: no list, which
 * denies every key if cfg has a revocation_url). Returns 0 and *ksp (free
 * with ak_keyset_free), or AK_ERR_ALLOC.
 */
int ak_keyset_new(const struct ak_config *cfg, const char *account,
    const struct ak_revset *rs, struct ak_keyset **ksp);

/*
 * Adds one body line of the account's document, found at off (len bytes,
 * line number lineno, 0 if not known). Returns 0 or AK_ERR_ALLOC; a line
 * that is no key is kept as such, one that makes the document unusable
 * marks the whole set AK_DENY_BAD_DOC.
 */
int ak_keyset_add(struct ak_keyset *ks, const char *s, size_t len, size_t off,
    unsigned long lineno);

/*
 * The keyset of an account's verified document (NULL: the store has none,
 * no key is listed). Returns 0 and *ksp, or AK_ERR_ALLOC.
 */
int ak_keyset_from_doc(const struct ak_config *cfg, const char *account,
    const struct ak_doc *doc, const struct ak_revset *rs,
    struct ak_keyset **ksp);

/*
 * The keyset of lines another tool printed (chain_command): len bytes of
 * authorized_keys lines, decided as a document's lines are (revocation
 * list, policy, forced_options when printed); serial 0. Returns 0 and
 * *ksp, or AK_ERR_ALLOC.
 */
int ak_keyset_from_text(const struct ak_config *cfg, const char *account,
    const char *text, size_t len, const struct ak_revset *rs,
    struct ak_keyset **ksp);
void ak_keyset_free(struct ak_keyset *ks);

/* The policy alone for one line: type, RSA size, options. */
enum ak_verdict ak_keyset_policy(const struct ak_config *cfg,
    const struct ak_key_line *kl);

/*
 * Whether the key of hash is admitted: listed on a line that passes the
 * policy, not revoked, document and list readable. Returns AK_ADMIT or
 * why not (for a key listed on several lines, the first line's reason).
 */
enum ak_verdict ak_keyset_admit(const struct ak_keyset *ks,
    const unsigned char hash[AK_HASH_LEN]);

/*
 * Prints to out, in document order, every line whose key is admitted (only
 * those of want if not NULL), forced_options first, and logs each line
 * dropped (every one when printing all; those of want otherwise).
 * *nprinted counts the lines; fprs (fprs_len bytes, may be NULL) gets the
 * first few fingerprints, comma separated. Returns 0 or AK_ERR_IO.
 */
int ak_keyset_emit(const struct ak_keyset *ks,
    const unsigned char *want, FILE *out, size_t *nprinted, char *fprs,
    size_t fprs_len);

/* Counts the lines whose key is admitted. */
size_t ak_keyset_admitted(const struct ak_keyset *ks);

/* Decodes "SHA256:..." into its 32 bytes. Returns 0 or AK_ERR_BAD_FPR. */
int ak_fpr_hash(const char *fpr, unsigned char hash[AK_HASH_LEN]);

#endif
