/*
 * Getting a verified document for an account (or the revocation list):
 * the freshness rule (ak_fresh), cache, lock, store mirrors in order,
 * verification, cache update, outage memory and the stale-if-unavailable
 * rule. Used by the fetch helper, the PAM module and the refresher.
 */
#ifndef AK_RESOLVE_H
#define AK_RESOLVE_H

#include <sys/types.h>

#include <time.h>

#include "ak_config.h"
#include "ak_doc.h"
#include "ak_fetch.h"
#include "ak_fresh.h"
#include "ak_keyset.h"
#include "ak_root.h"
#include "ak_signers.h"
#include "ak_snap.h"

/*
 * Who trusts what. "dir" holds this process's own entries, locks and
 * outage memory: read, written, and trusted for everything (ETag, rollback
 * floor, confirmation time, unsigned bodies). The PAM module and the sweep
 * (root) keep their own private dir and may also read "peer_dir" (the
 * cache the unprivileged command and refresher write) for its signed
 * documents only (SPEC "Privilege rule"): each counts after its signature
 * is verified again, never below root's own rollback floor, never for a
 * conditional GET; the peer's confirmation times, outage record, ETags,
 * index and unsigned bodies are never read. In the default mode
 * (AK_ASK_IF_STALE) such a document vouches for itself by its signature
 * and #expires (keeping it fresh is the refresher's job): root does not ask
 * the store while one verifies.
 */
/*
 * The store's view with timestamp_url (SPEC "Snapshot and timestamp"): the
 * verified timestamp and the snapshot it names. Every document taken while
 * a view is held must be the one its snapshot names.
 */
/* Where a resolved document, or its absence, came from. */
enum ak_source {
	AK_SOURCE_NONE = 0,	/* not resolved; or no revocation_url */
	AK_SOURCE_CACHE,	/* our cache, fresh (or the view's) */
	AK_SOURCE_STALE,	/* cached, the store unavailable */
	AK_SOURCE_STORE,	/* fetched now */
	AK_SOURCE_NOT_MODIFIED,	/* the store said 304: the cached bytes */
	AK_SOURCE_SNAPSHOT,	/* the verified snapshot names none: no keys */
	AK_SOURCE_UNTRUSTED,	/* signed only by a key no longer trusted */
};

/* "cache", "stale cache", "store", ... for logs ("-" for NONE). */
const char *ak_source_str(enum ak_source s);

struct ak_view {
	int held;		/* 1 once resolved */
	unsigned long long ts_serial;	/* the timestamp's (its signing time) */
	time_t ts_expires;
	struct ak_snap *snap;	/* the snapshot's entries */
	enum ak_source source;	/* where the timestamp came from */
	int frozen;		/* see ak_snap_frozen */
};

struct ak_resolver {
	const struct ak_config *cfg;
	/* Who may sign documents (list, snapshot) and timestamps, with k. */
	const struct ak_signers *signers;	/* NULL if unsigned */
	const struct ak_signers *ts_signers;	/* NULL if unsigned */
	struct ak_root *boot;	/* trusted_root's, or NULL (trusted_signers) */
	struct ak_root *root;	/* the root in force: boot or a newer one */
	unsigned char trust_digest[32];	/* the trust file's, as loaded */
	const char *dir;	/* own entries and locks */
	const char *peer_dir;	/* NULL, or entries written by peer_uid */
	uid_t peer_uid;
	enum ak_ask ask;
	struct ak_fetcher *fetcher;	/* made at the first fetch, kept */
	time_t outage;		/* store last found unavailable (dir's), or 0 */
	char last_error[128];	/* why the last target was not from the store */
	long long deadline_ms;	/* ak_now_ms() based */
	long long lock_ms;	/* longest wait for a lock */
	time_t now;
	struct ak_view view;
	char ts_namespace[80];	/* the timestamp's: NAMESPACE-timestamp */
	char *snapshot_urls[AK_MAX_URLS];	/* beside each timestamp_url */
};

struct ak_result {
	struct ak_doc *doc;	/* NULL: the account has no keys */
	struct ak_revset *rs;	/* NULL: no revocation_url, or unreadable */
	struct ak_keyset *ks;	/* what is admitted: always set */
	enum ak_source source;
	enum ak_source rl_source;	/* AK_SOURCE_NONE: no revocation_url */
};

/*
 * Sets up rv for cfg as the cache owner (dir = cache_dir, no peer): loads
 * trusted_signers, reads the outage memory, starts the time budget
 * (timeout; a lock is waited for at most a tenth of it, so a held lock never
 * costs the fetch its turn). On failure nothing is held: there is nothing
 * to clear (ak_resolver_clear is still harmless).
 */
int ak_resolver_init(struct ak_resolver *rv, const struct ak_config *cfg,
    enum ak_ask ask);

/*
 * Makes rv use dir (created 0700 if missing; it must be the running user's,
 * closed to others, in a root-owned parent) as its own, and cfg->cache_dir,
 * as written by its owner, as the peer (its signed documents only). For
 * the root PAM module and the sweep.
 */
int ak_resolver_private(struct ak_resolver *rv, const char *dir);

/*
 * ak_resolver_init then ak_resolver_private in one (the PAM module, the
 * sweep): the root of trust is taken once, from root's own record and the
 * peer's signed roots. Returns 0, or ak_resolver_init's codes, or
 * ak_file_private_dir's (nothing held).
 */
int ak_resolver_init_private(struct ak_resolver *rv,
    const struct ak_config *cfg, enum ak_ask ask, const char *dir);

/* A new time budget and clock reading (the refresher, per document). */
void ak_resolver_restart(struct ak_resolver *rv);
void ak_resolver_clear(struct ak_resolver *rv);

/*
 * Resolves the account document and, if configured, the revocation list,
 * and builds the keyset of what they admit (a list the store has none of,
 * or that cannot be read, admits nothing). Returns 0 and fills res (clear
 * with ak_result_clear), or AK_ERR_UNAVAILABLE when a document or the list
 * cannot be had at all (caller prints nothing).
 */
int ak_resolve(struct ak_resolver *rv, const char *account,
    struct ak_result *res);
void ak_result_clear(struct ak_result *res);

/*
 * The revocation list alone (for a chained command's lines): *rsp NULL if
 * revocation_url is unset, or the store has none or it cannot be read
 * (nothing is admitted then). Returns 0 with *sourcep, or
 * AK_ERR_UNAVAILABLE.
 */
int ak_resolve_list(struct ak_resolver *rv, struct ak_revset **rsp,
    enum ak_source *sourcep);

/*
 * With timestamp_url: (re)resolves rv->view, the timestamp (by the
 * freshness rule, like any document) and the snapshot it names (from the
 * cache if it is that one, else the store). Returns 0, or
 * AK_ERR_UNAVAILABLE (rv->last_error says why; rv->view is then empty).
 * ak_resolve_doc calls it once per resolver if no view is held; the
 * refresher calls it each round.
 */
int ak_resolve_view(struct ak_resolver *rv);

/*
 * With trusted_root: takes the store's newer roots, root.N+1 ... (at most
 * AK_ROOT_CHAIN_MAX), from beside each timestamp_url (else beside the
 * revocation_url; the first mirror that answers decides), each verified
 * against the one before; each is kept in rv's dir for the other readers
 * and the newest recorded, and rv's signers follow it. Returns 0 (a 404
 * says there is none newer), or AK_ERR_* (logged; the root in force
 * stays).
 */
int ak_resolve_root_update(struct ak_resolver *rv);

/*
 * One document: the account's (account not NULL) or the revocation list
 * (NULL). With timestamp_url, only the one the view's snapshot names (none
 * if it names none: *docp NULL); a frozen view with on_freeze = deny gives
 * AK_ERR_UNAVAILABLE. Returns 0 with *docp (NULL: 404, no keys / no list)
 * and *sourcep, or AK_ERR_UNAVAILABLE (rv->last_error says why).
 */
int ak_resolve_doc(struct ak_resolver *rv, const char *account,
    struct ak_doc **docp, enum ak_source *sourcep);

/*
 * Fetches url (no cache, no conditional GET) and verifies it as the account's
 * document (account NULL: the revocation list). For --check. Returns 0 and
 * *docp (NULL on 404), or AK_ERR_*.
 */
int ak_resolve_probe(struct ak_resolver *rv, const char *account,
    const char *url, struct ak_doc **docp);

/*
 * For --check: fetches timestamp_url number i and the snapshot beside it
 * (no cache) and verifies both, namespaces, expiry and the snapshot's
 * SHA-256 included. Returns 0 with *tsp and *snp (free with ak_doc_free),
 * or AK_ERR_* with why (whylen bytes) naming the file.
 */
int ak_resolve_probe_view(struct ak_resolver *rv, size_t i,
    struct ak_doc **tsp, struct ak_doc **snp, char *why, size_t whylen);

#endif
