/*
 * The cache of verified documents: one file per account ("acct.NAME") and
 * one for the revocation list ("revoked"), each a small header followed by
 * the document exactly as the store served it.
 */
#ifndef AK_CACHE_H
#define AK_CACHE_H

#include <sys/types.h>

#include <stddef.h>
#include <time.h>

#include "ak_config.h"
#include "ak_doc.h"
#include "ak_limits.h"

struct ak_cache_entry {
	time_t checked;		/* last confirmed: header, or later mtime */
	int status;		/* 200: document; 404: no document */
	char etag[AK_ETAG_MAX + 1];	/* "" if none */
	unsigned long long min_serial;	/* highest serial ever accepted */
	int has_sha256;		/* the body's SHA-256 is in the header */
	unsigned char sha256[32];	/* (written with every 200 entry) */
	/* That of its signed bytes (a signed-sha256 snapshot entry). */
	int has_signed_sha256;
	unsigned char signed_sha256[32];
	int has_verified;	/* the writer verified the signature */
	unsigned char verified[32];	/* under these signers: ak_resolve */
	/*
	 * Who set min_serial (a timestamp's): the SHA-256 of the signing
	 * key's blob. The floor is dropped when that key leaves
	 * trusted_signers, so a stolen key's serial cannot outlive it.
	 */
	int has_floor_signer;
	unsigned char floor_signer[32];
	char *body;		/* the document (inside raw), NUL-terminated */
	size_t bodylen;
	char *raw;
};

/* Writes the cache file name for account (or the list if NULL) into out. */
int ak_cache_name(const char *account, char *out, size_t outlen);

/*
 * Reads dir/name without following links or blocking. The directory must be
 * owned by root, the running user or also_trust, the file (a regular file)
 * by root or also_trust, and neither writable by anyone else. Returns 0 and
 * *ep (free with ak_cache_entry_free), AK_ERR_NOT_FOUND, AK_ERR_PERM or
 * AK_ERR_FORMAT (garbage), AK_ERR_TOO_LARGE, AK_ERR_IO.
 */
int ak_cache_read(const char *dir, const char *name, uid_t also_trust,
    struct ak_cache_entry **ep);

/*
 * Parses len bytes of a cache file held in raw (NUL-terminated, modified in
 * place; e points into it). Returns 0 or AK_ERR_FORMAT.
 */
int ak_cache_parse(char *raw, size_t len, struct ak_cache_entry *e);

/*
 * Reads only the first AK_CACHE_HEAD bytes of dir/name (same checks as
 * ak_cache_read): the header, and in e->body the start of the document;
 * *doclenp is the document's whole length and *fdp stays open (close it)
 * for ak_cache_pread. Returns 0 or AK_ERR_*.
 */
#define AK_CACHE_HEAD	8192
int ak_cache_read_head(const char *dir, const char *name, uid_t also_trust,
    struct ak_cache_entry **ep, size_t *doclenp, int *fdp);

/*
 * Reads len bytes at offset off of the document held by the entry behind
 * fd (as ak_cache_read_head left it) into buf (len + 1 bytes, terminated).
 * Returns 0 or AK_ERR_IO.
 */
int ak_cache_pread(int fd, const struct ak_cache_entry *e, size_t off,
    size_t len, char *buf);

/* Atomically replaces dir/name with e, mode 0600. Returns 0 or AK_ERR_*. */
int ak_cache_write(const char *dir, const char *name,
    const struct ak_cache_entry *e);

void ak_cache_entry_free(struct ak_cache_entry *e);

/*
 * Forgets what dir holds (--reset-view, root's recovery): every entry, its
 * index and note, the outage record; with them every rollback floor, so the
 * next reader adopts the store's current view as a new host does. Lock
 * files stay (they may be held). Returns the number of files removed
 * (>= 0), or AK_ERR_*; a dir that does not exist holds nothing (0).
 */
int ak_cache_forget(const char *dir);

/*
 * The marks (ak_signers_mark) entries must carry to count on the cache-hit
 * path: of trusted_signers as it is now, so a signer root removes stops
 * counting at the next call, not at the next refresh or reload.
 */
struct ak_marks {
	int on;			/* signatures required: entries need one */
	unsigned char doc[32];	/* documents, the list, the snapshot */
	unsigned char ts[32];	/* the timestamp */
	/* The serial of the root in use if it expired (on_freeze = stale). */
	unsigned long long root_expired;
};

/*
 * The name of a cache's record of the newest root taken from the bootstrap
 * whose digest is boot ("root-" and 16 hex digits; ak_root_walk): another
 * bootstrap (root reset trust by hand) starts a new record.
 */
void ak_root_record_name(const unsigned char boot[32], char *out,
    size_t outlen);

/* The root in use by a cache's owner, from headers (ak_root_state_read). */
struct ak_root_state {
	unsigned long long boot_serial, serial;
	time_t boot_expires, expires;
	unsigned char digest[32];	/* of the root in use's bytes */
};

/*
 * With trusted_root: its header and that of the newest root owner (the
 * cache's) recorded since (signatures are the resolver's to check; entries
 * are marked with this digest). Returns 0, or AK_ERR_* if the bootstrap
 * cannot be read.
 */
int ak_root_state_read(const struct ak_config *cfg, uid_t owner,
    struct ak_root_state *rs);

/*
 * Fills m for cfg as trusted_signers is now, or trusted_root and the
 * newest root owner (the cache's) recorded since. Returns 0 or AK_ERR_*.
 */
int ak_marks_load(const struct ak_config *cfg, uid_t owner,
    struct ak_marks *m);

/*
 * Returns 1 if e (an entry of kind) was verified under m (m NULL or off:
 * nothing to hold it to; a cached 404 holds no signature), else 0.
 */
int ak_marks_ok(const struct ak_marks *m, const struct ak_cache_entry *e,
    enum ak_doc_kind kind);

/*
 * Records that the store confirmed dir/name now (a 304) by setting the
 * file's modification time, which ak_cache_read takes as "checked" when it
 * is later than the header's: no rewrite, no fsync. Returns 0 or AK_ERR_IO.
 */
int ak_cache_touch(const char *dir, const char *name);

/*
 * Takes an exclusive lock on dir/.lock.NAME, waiting until deadline
 * (CLOCK_MONOTONIC milliseconds). The lock file is a regular file of the
 * running user, mode 0600, so no other user can open or hold it; one that is
 * not (a FIFO, a link, someone else's, mode 0644 from an older version) is
 * replaced without blocking. Returns the lock descriptor (>= 0), or
 * AK_ERR_LOCKED on time out, AK_ERR_PERM / AK_ERR_IO if no safe lock file
 * can be had (callers go on without the lock: it only saves fetches).
 */
int ak_cache_lock(const char *dir, const char *name, long long deadline_ms);
void ak_cache_unlock(int fd);

/*
 * Parses the document held by e as kind and checks account, expiry and the
 * bound on the future (ak_doc_ahead, skew) (no
 * signature check: the cache is trusted by ownership). Sets *docp to NULL
 * for a cached 404. Returns 0 or the AK_ERR_* of the parse or check.
 */
int ak_cache_doc(const struct ak_cache_entry *e, enum ak_doc_kind kind,
    const char *account, time_t now, long skew, struct ak_doc **docp);

#endif
