/*
 * sshd's question answered from the cache alone, as the cache's owner: the
 * command's path that links neither libcurl nor libcrypto (SPEC facts).
 * The one cache decision (ak_cache_decide) for the account's entry and the
 * list's, then the one model (ak_keyset), read through the %f index when
 * one key is asked and the index holds it. The cache is trusted by its
 * ownership, as sshd trusts authorized_keys by StrictModes; nothing here
 * verifies a signature. What the cache cannot answer alone is the fetch
 * helper's (AK_LOCAL_ASK), which decides again with the store.
 */
#ifndef AK_LOCAL_H
#define AK_LOCAL_H

#include <sys/types.h>

#include <time.h>

#include "ak_config.h"
#include "ak_keyset.h"

enum ak_local_outcome {
	AK_LOCAL_ANSWER,	/* lo->ks says what may be printed */
	AK_LOCAL_NOTHING,	/* store unavailable, nothing usable: no keys */
	AK_LOCAL_ASK,		/* the helper must decide */
};

struct ak_local {
	struct ak_keyset *ks;	/* ANSWER */
	struct ak_revset *rs;	/* what ks borrows */
	const char *source;	/* "cache", "stale cache (store unavailable)" */
	int via_index;		/* answered through the %f index */
	time_t outage;		/* the store last found unavailable, or 0 */
	/* An expired root answered (on_freeze = stale): its serial, or 0. */
	unsigned long long root_expired;
};

/*
 * Answers for account (and only the key of fpr, if not NULL) at now.
 * Clear lo with ak_local_clear whatever the outcome.
 */
enum ak_local_outcome ak_local_answer(const struct ak_config *cfg,
    const char *account, const char *fpr, time_t now, struct ak_local *lo);

/*
 * The same, for a reader that is not the cache's owner (root's --status):
 * entries of owner (and root) count.
 */
enum ak_local_outcome ak_local_answer_as(const struct ak_config *cfg,
    uid_t owner, const char *account, const char *fpr, time_t now,
    struct ak_local *lo);

/*
 * The verified revocation list alone, for lines a chained command printed
 * (lo->rs; NULL if revocation_url is unset, or none is usable: then
 * nothing is admitted). Same outcomes; lo->ks stays NULL.
 */
enum ak_local_outcome ak_local_list(const struct ak_config *cfg, time_t now,
    struct ak_local *lo);
void ak_local_clear(struct ak_local *lo);

#endif
