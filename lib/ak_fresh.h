/*
 * The freshness rule (SPEC "Design rule"), in one place for the command's
 * cache-hit path, the fetch helper, the PAM module and the refresher: when
 * a login may use the cache, when it may ask the store, and the outage
 * memory that keeps a down store from costing every login its timeout.
 */
#ifndef AK_FRESH_H
#define AK_FRESH_H

#include <sys/types.h>

#include <time.h>

#include "ak_config.h"

#define AK_OUTAGE_NAME	"outage"

enum ak_ask {
	AK_ASK_IF_STALE,	/* logins: the cache while fresh, else ask */
	AK_ASK_ALWAYS,		/* revalidate=always: ask, unless in outage */
	AK_ASK_FORCE,		/* the refresher: ask, outage or not */
	AK_ASK_NEVER,		/* the sweep: verified cache only, any age */
};

/* What the cache may answer with: the one cache decision. */
enum ak_cache_use {
	AK_CACHE_USE,		/* what is cached (a document or a 404) */
	AK_CACHE_ASK,		/* ask the store */
	AK_CACHE_STALE,		/* store unavailable: the signed document */
	AK_CACHE_NONE,		/* store unavailable, nothing usable: no keys */
};

/*
 * What the cache holds for one document, as the caller may know it: root
 * counts only its own confirmation time, the cache owner its own.
 */
struct ak_cached_state {
	int fresh;		/* confirmed within refresh_after */
	int has_answer;		/* a 404, or a document passing its checks */
	int has_signed;		/* a signed one that does (until #expires) */
};

/*
 * The cache half of resolving (SPEC "Design rule"), for the command's
 * libc-only path, the resolver (helper, module, refresher), the sweep and
 * --status alike: fresh, ask, outage, 404, stale-if-unavailable. outage
 * is when the store was last found unavailable (0: never), store_failed
 * that asking it just failed. A clock that went backwards makes an entry
 * stale and an outage over, never eternal.
 */
enum ak_cache_use ak_cache_decide(const struct ak_config *cfg,
    const struct ak_cached_state *c, time_t outage, time_t now,
    enum ak_ask ask, int store_failed);

/* Returns 1 if outage is less than retry_after before now. */
int ak_fresh_in_outage(const struct ak_config *cfg, time_t outage,
    time_t now);

/* Returns 1 if checked is within refresh_after of now. */
int ak_fresh_is_fresh(const struct ak_config *cfg, time_t checked,
    time_t now);

/*
 * Notes: small "TIME reason" files in a cache dir, hints whose loss in a
 * crash costs at most a fetch (written without fsync). "outage" says the
 * store was found unavailable; "error.NAME" why a document was not had.
 *
 * ak_note_read reads dir/name (a file of also_trust or root, not writable
 * by others) and returns its time, or 0; copies the reason into why
 * (whylen bytes, may be NULL).
 */
time_t ak_note_read(const char *dir, const char *name, uid_t also_trust,
    char *why, size_t whylen);
/* Writes dir/name. Returns 0 or AK_ERR_*. */
int ak_note_record(const char *dir, const char *name, time_t now,
    const char *why);
/* Removes dir/name if there. */
void ak_note_clear(const char *dir, const char *name);

/* The outage note: when the store was found unavailable, or 0. */
time_t ak_outage_read(const char *dir, uid_t also_trust, char *why,
    size_t whylen);
int ak_outage_record(const char *dir, time_t now, const char *why);
void ak_outage_clear(const char *dir);

#endif
