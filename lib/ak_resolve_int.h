/*
 * Inside the resolver (ak_resolve.h), shared by its parts: ak_resolve.c
 * (set-up, and per target: gather what is held, then choose), and
 * ak_resolve_verify.c (verification, its memo, the floors),
 * ak_resolve_store.c (the store and the outage record), ak_resolve_view.c
 * (timestamp and snapshot) and ak_resolve_probe.c (--check's probes). Not
 * for any other file.
 */
#ifndef AK_RESOLVE_INT_H
#define AK_RESOLVE_INT_H

#include <sys/types.h>

#include "ak_cache.h"
#include "ak_doc.h"
#include "ak_resolve.h"
#include "ak_sha256.h"
#include "ak_snap.h"

#define URL_MAX	2048

/* One document to resolve: what it is, where it lives, what it must be. */
struct target {
	const char *what;	/* account name or "revocation list" */
	const char *account;	/* NULL for the list */
	const char *name;	/* cache name, if not the account's */
	enum ak_doc_kind kind;
	const char *const *urls;
	size_t nurls;
	int groups_left;	/* fetch groups still to come, this one too */
	/* Under a view: the snapshot's entry the document must match. */
	const struct ak_snap_entry *want;
	int probe;		/* --check: it reports a frozen view itself */
};

/*
 * What a new document is held to: never below serial, and at serial only
 * the very bytes verified there before (hash), else equivocation.
 */
struct floor {
	unsigned long long serial;
	int has_hash;
	unsigned char hash[AK_SHA256_LEN];
};

/* No floor: anything verified counts (probes, our own entry first). */
extern const struct floor akr_no_floor;

/* One cache entry and, if it holds a usable document, that document. */
struct cached {
	struct ak_cache_entry *e;
	struct ak_doc *doc;	/* NULL: none, or a cached 404 */
	int untrusted;		/* signed by a key root no longer trusts */
};

/* ak_resolve.c */
/* Documents that must exist: a 404 for them is a broken store. */
int akr_required(const struct target *t);
/*
 * The target's document by the one decision (cache, lock, store, floors,
 * stale-if-unavailable). Returns 0 with *docp (NULL: none) and *sourcep,
 * or AK_ERR_UNAVAILABLE (rv->last_error says why).
 */
int akr_resolve_target(struct ak_resolver *rv, const struct target *t,
    struct ak_doc **docp, enum ak_source *sourcep);

/* ak_resolve_verify.c */
void akr_mark_of(const struct ak_resolver *rv, enum ak_doc_kind kind,
    unsigned char mark[AK_SHA256_LEN]);
int akr_validate(struct ak_resolver *rv, const struct target *t,
    const char *body, size_t len, const struct floor *fl, int fetched,
    const struct ak_cache_entry *memo, struct ak_doc **docp);
void akr_floor_signer(const struct ak_doc *doc, struct ak_cache_entry *e);
void akr_cached_clear(struct cached *c);
void akr_read_cached(struct ak_resolver *rv, const struct target *t,
    const char *dir, const char *name, uid_t also_trust, int plain_ok,
    const struct floor *fl, const struct ak_cache_entry *own,
    struct cached *c);
void akr_remark(struct ak_resolver *rv, const struct target *t,
    const char *name, const struct cached *own);
void akr_adopt_peer(struct ak_resolver *rv, const char *name,
    const struct cached *peer);
void akr_floor_of(struct ak_resolver *rv, const struct target *t,
    const struct ak_cache_entry *e, struct floor *fl);

/* ak_resolve_store.c */
void akr_store_entry(struct ak_resolver *rv, const char *name, int status,
    const char *etag, unsigned long long min_serial, const char *body,
    size_t len, const struct ak_doc *doc);
int akr_ask_store(struct ak_resolver *rv, const struct target *t,
    const char *name, const struct cached *own, const struct floor *fl,
    struct ak_doc **docp, enum ak_source *sourcep);

/* ak_resolve_view.c */
/* The snapshot URL beside each timestamp_url. Returns 0 or AK_ERR_ALLOC. */
int akr_view_urls(struct ak_resolver *rv);
void akr_view_clear(struct ak_view *v);

#endif
