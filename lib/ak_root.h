/*
 * The signed root of trust (SPEC "Root of trust", as TUF's root.json):
 * which keys may sign what (roles), how many of them must (thresholds),
 * and how one root hands over to the next.
 */
#ifndef AK_ROOT_H
#define AK_ROOT_H

#include <sys/types.h>

#include <stddef.h>
#include <time.h>

#include "ak_doc.h"
#include "ak_signers.h"

enum ak_role {
	AK_ROLE_ROOT,		/* signs the next root */
	AK_ROLE_DOCUMENTS,	/* account documents, the list, the snapshot */
	AK_ROLE_TIMESTAMP,	/* the timestamp */
	AK_ROLE_MAX
};

#define AK_ROOT_NS		"authkeys-root"	/* a root's SSHSIG namespace */
#define AK_ROOT_KEYS_MAX	32	/* keys in one role */
/* A role's k: the old root's k and the new one's fit in one document. */
#define AK_ROOT_K_MAX		(AK_DOC_SIGS_MAX / 2)
#define AK_ROOT_CHAIN_MAX	32	/* newer roots taken in one round */

struct ak_root {
	unsigned long long serial;	/* 1, 2, ...: v1/root.N in the store */
	time_t expires;
	struct ak_signers *role[AK_ROLE_MAX];	/* each with its threshold */
	unsigned char digest[32];	/* SHA-256 of the signed document */
	unsigned char boot[32];	/* digest of the bootstrap it descends from */
	char *buf;		/* the document's bytes */
	size_t len;
};

/* "root", "documents", "timestamp". */
const char *ak_role_name(enum ak_role role);

/*
 * Reads the body of a parsed AK_DOC_ROOT document (signatures are not
 * checked here): "threshold ROLE K" once per role and "ROLE TYPE BASE64
 * [COMMENT]" for each key, blank lines and # comments. Every role needs
 * 1..AK_ROOT_KEYS_MAX keys and 1 <= K <= its number of keys (and
 * AK_ROOT_K_MAX): a root that could never be met is refused when read,
 * not when a rotation is due. A key may hold several roles, never one
 * role twice. Returns 0 and *rootp (free with ak_root_free), or
 * AK_ERR_FORMAT (with a log line naming the line), AK_ERR_KEY_TYPE,
 * AK_ERR_KEY_INVALID, AK_ERR_ALLOC.
 */
int ak_root_parse(const struct ak_doc *doc, const char *name,
    struct ak_root **rootp);
void ak_root_free(struct ak_root *root);

/*
 * A root that vouches for itself, signed by k of its own root keys: what
 * a host's bootstrap root (trusted_root) must be. Returns 0 and *rootp, or
 * ak_root_parse's codes, AK_ERR_THRESHOLD, AK_ERR_UNTRUSTED,
 * AK_ERR_SIGNATURE. Expiry is the caller's to judge.
 */
int ak_root_verify_self(const struct ak_doc *doc, const char *name,
    time_t now, struct ak_root **rootp);

/*
 * Verifies doc as the root after cur (TUF's rule): serial cur's + 1, and
 * signed by k of cur's root keys and by k of its own. Roots a host passes
 * on the way may have expired; the newest one's expiry is the caller's
 * policy. Returns 0 and *nextp, or AK_ERR_ROLLBACK (not the next serial),
 * ak_root_verify_self's codes.
 */
int ak_root_verify_next(const struct ak_root *cur, const struct ak_doc *doc,
    const char *name, time_t now, struct ak_root **nextp);

/*
 * Reads path (root's: owned by root, it and its directories writable by no
 * one else, as trusted_signers) as a root that vouches for itself
 * (ak_root_verify_self). Its expiry is the caller's to judge. Returns 0
 * and *rootp, or AK_ERR_* (logged, naming path).
 */
int ak_root_load(const char *path, time_t now, struct ak_root **rootp);

/*
 * As ak_root_load, with verify 0 the signatures are not checked (a reader
 * that has verified these bytes before, see ak_root_walk's check_from).
 */
int ak_root_read(const char *path, int verify, time_t now,
    struct ak_root **rootp);

/* Checks root's own signatures (ak_root_verify_self): 0 or its codes. */
int ak_root_check_self(const struct ak_root *root, const char *name,
    time_t now);

/* Records root in dir as the newest taken from its bootstrap on. */
int ak_root_record(const char *dir, const struct ak_root *root);

/* Returns 1 if the running user owns dir (only its owner records in it). */
int ak_root_owns(const char *dir);

/* Returns 1 if a and b hold the same keys and threshold for role. */
int ak_root_role_same(const struct ak_root *a, const struct ak_root *b,
    enum ak_role role);

/*
 * The root in force, from the root "from" (a bootstrap, as ak_root_read
 * gives it): the newest root recorded in own_dir since that bootstrap (our
 * own file, written after it was verified), then each root.N+1 found in
 * own_dir or else peer_dir (files of peer_uid: signed bytes, each
 * verified by ak_root_verify_next), at most AK_ROOT_CHAIN_MAX. With
 * check_from, from's own signatures are checked unless own_dir holds our
 * record for it (so a login need not load the signature code for them).
 * A root checked or taken is recorded in own_dir if we own it. A root.N+1
 * that does not verify is logged and the walk stops there. Its expiry is
 * the caller's to judge. Returns 0 and *rootp, or AK_ERR_ALLOC, or
 * ak_root_check_self's codes.
 */
int ak_root_walk(const struct ak_root *from, int check_from,
    const char *own_dir, const char *peer_dir, uid_t peer_uid, time_t now,
    struct ak_root **rootp);

/* As ak_root_verify_next; *nextp descends from cur's bootstrap. */
int ak_root_take_next(const struct ak_root *cur, const struct ak_doc *doc,
    const char *name, time_t now, struct ak_root **nextp);

/*
 * Takes buf (the store's root.N, named name in logs) as the root after
 * cur: verified, kept in dir as root.N for readers that walk the chain,
 * and recorded as the newest. Returns 0 and *nextp, or the codes of
 * ak_doc_parse and ak_root_verify_next, or a write error.
 */
int ak_root_advance(const struct ak_root *cur, const char *dir,
    const char *buf, size_t len, const char *name, time_t now,
    struct ak_root **nextp);

#endif
