/*
 * Snapshot and timestamp (SPEC "Snapshot and timestamp"): what their
 * bodies say, whether a document is the one the snapshot vouches for, and
 * when a view is frozen. libc only: the command's cache-hit path uses it.
 */
#ifndef AK_SNAP_H
#define AK_SNAP_H

#include <sys/types.h>

#include <stddef.h>
#include <time.h>

#include "ak_cache.h"
#include "ak_config.h"
#include "ak_doc.h"
#include "ak_sha256.h"

#define AK_SNAP_MAX_ENTRIES	100000

enum ak_snap_what {
	AK_SNAP_ACCOUNT,	/* "account NAME SERIAL sha256:HEX" */
	AK_SNAP_REVOCATIONS,	/* "revocations SERIAL sha256:HEX" */
	AK_SNAP_SNAPSHOT,	/* a timestamp's "snapshot SERIAL sha256:HEX" */
};

/*
 * An entry's hash is of the whole file ("sha256:HEX") or of its signed
 * bytes, up to its first signature ("signed-sha256:HEX"): what a partial
 * publish names, so signatures added later (--add-signature) leave the
 * snapshot's own signatures good. Either way the signatures themselves
 * must still reach the threshold.
 */

struct ak_snap_entry {
	enum ak_snap_what what;
	char account[33];	/* "" unless AK_SNAP_ACCOUNT */
	unsigned long long serial;
	unsigned char hash[AK_SHA256_LEN];
	int signed_only;	/* hash of the signed bytes only */
};

struct ak_snap {
	unsigned long long serial;	/* the snapshot's or timestamp's */
	time_t expires;
	struct ak_snap_entry *e;	/* sorted: accounts by name */
	size_t n;
};

/*
 * Reads the body of a parsed snapshot (entries for accounts and the list,
 * each at most once) or timestamp (exactly one snapshot entry); blank
 * lines are allowed, anything else is AK_ERR_FORMAT (with *linenop set).
 * Returns 0 and *sp (free with ak_snap_free), or AK_ERR_*.
 */
int ak_snap_parse(const struct ak_doc *doc, struct ak_snap **sp,
    unsigned long *linenop);
void ak_snap_free(struct ak_snap *s);

/*
 * The entry for account (NULL: the revocation list; for a timestamp, its
 * snapshot entry), or NULL if the snapshot has none: that account has no
 * keys, the store no list.
 */
const struct ak_snap_entry *ak_snap_find(const struct ak_snap *s,
    const char *account);

/*
 * Returns 1 if the len bytes of a document with that serial, signed_len of
 * them signed, are the ones e vouches for (serial and SHA-256 of the bytes
 * or of the signed bytes, as e says), else 0.
 */
int ak_snap_matches(const struct ak_snap_entry *e, unsigned long long serial,
    const void *bytes, size_t len, size_t signed_len);

/*
 * Returns 1 if a view whose timestamp has serial ts_serial is frozen at
 * now: publish writes a timestamp's signing time (Unix seconds) as its
 * serial, and no newer one has verified for freeze_after seconds, or it
 * claims a time further ahead than max_clock_skew (which says nothing
 * about freshness, only that a clock or a key is wrong).
 */
int ak_snap_frozen(const struct ak_config *cfg, unsigned long long ts_serial,
    time_t now);

/*
 * Writes "sha256:" (signed_only: "signed-sha256:") and the lowercase hex
 * SHA-256 of len bytes into out.
 */
#define AK_SNAP_HASH_TEXT	(14 + 2 * AK_SHA256_LEN + 1)
void ak_snap_hash_text(const void *bytes, size_t len, int signed_only,
    char *out);

/*
 * The cached view in dir, as the command and --status see it (entries
 * written by owner or root, holding only bytes verified when written): the
 * timestamp, and the snapshot it names by serial and SHA-256. One reading
 * for both; the resolver verifies again before it trusts a view.
 */
struct ak_snap_cached {
	unsigned long long ts_serial;	/* 0: no timestamp cached */
	time_t checked;		/* the timestamp last confirmed */
	unsigned long long snap_serial;
	time_t snap_expires;
	struct ak_snap *snap;	/* the named snapshot's entries, or NULL */
	const char *problem;	/* NULL: a whole, current view */
};

void ak_snap_cached_read(const char *dir, uid_t owner, time_t now, long skew,
    const struct ak_marks *marks, struct ak_snap_cached *cv);

/*
 * Returns 1 if the cached entry e, parsed as doc (the header alone will
 * do), holds the document want names: its serial, and the SHA-256 its
 * writer recorded in the header, of the whole body or, for a signed-sha256
 * entry, of its signed bytes (not hashed again; for an entry written
 * before that record, doc's signed bytes if doc holds them).
 */
int ak_snap_cached_matches(const struct ak_snap_entry *want,
    const struct ak_cache_entry *e, const struct ak_doc *doc);
void ak_snap_cached_clear(struct ak_snap_cached *cv);

#endif
