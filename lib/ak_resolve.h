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
struct ak_view {
	int held;		/* 1 once resolved */
	unsigned long long ts_serial;	/* the timestamp's (its signing time) */
	time_t ts_expires;
	struct ak_snap *snap;	/* the snapshot's entries */
	const char *source;	/* where the timestamp came from */
	int frozen;		/* see ak_snap_frozen */
};

struct ak_resolver {
	const struct ak_config *cfg;
	const struct ak_signers *signers;	/* NULL if unsigned */
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
	const char *source;	/* "cache", "store", "stale cache", ... */
	const char *rl_source;	/* NULL: no revocation_url */
};

/*
 * Sets up rv for cfg as the cache owner (dir = cache_dir, no peer): loads
 * trusted_signers, reads the outage memory, starts the time budget
 * (timeout; a lock is waited for at most a tenth of it, so a held lock never
 * costs the fetch its turn).
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
 * With timestamp_url: (re)resolves rv->view, the timestamp (by the
 * freshness rule, like any document) and the snapshot it names (from the
 * cache if it is that one, else the store). Returns 0, or
 * AK_ERR_UNAVAILABLE (rv->last_error says why; rv->view is then empty).
 * ak_resolve_doc calls it once per resolver if no view is held; the
 * refresher calls it each round.
 */
int ak_resolve_view(struct ak_resolver *rv);

/*
 * One document: the account's (account not NULL) or the revocation list
 * (NULL). With timestamp_url, only the one the view's snapshot names (none
 * if it names none: *docp NULL); a frozen view with on_freeze = deny gives
 * AK_ERR_UNAVAILABLE. Returns 0 with *docp (NULL: 404, no keys / no list)
 * and *sourcep, or AK_ERR_UNAVAILABLE (rv->last_error says why).
 */
int ak_resolve_doc(struct ak_resolver *rv, const char *account,
    struct ak_doc **docp, const char **sourcep);

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
