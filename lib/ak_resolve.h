/*
 * Getting a verified document for an account (or the revocation list):
 * cache, lock, store mirrors in order, verification, cache update, and the
 * stale-if-unavailable rule. Used by the fetch helper and the PAM module.
 */
#ifndef AK_RESOLVE_H
#define AK_RESOLVE_H

#include <sys/types.h>

#include <time.h>

#include "ak_config.h"
#include "ak_doc.h"
#include "ak_policy.h"
#include "ak_signers.h"

struct ak_resolver {
	const struct ak_config *cfg;
	const struct ak_signers *signers;	/* NULL if unsigned */
	uid_t also_trust;	/* see ak_cache_read */
	int revalidate;		/* ask the store even if the cache is fresh */
	long long deadline_ms;	/* ak_now_ms() based */
	time_t now;
};

struct ak_result {
	struct ak_doc *doc;	/* NULL: the account has no keys */
	struct ak_revlist *rl;	/* NULL: no revocation_url */
	const char *source;	/* "cache", "store", "stale cache", ... */
	const char *rl_source;
};

/* Sets up rv for cfg: loads trusted_signers, starts the time budget. */
int ak_resolver_init(struct ak_resolver *rv, const struct ak_config *cfg,
    uid_t also_trust, int revalidate);
void ak_resolver_clear(struct ak_resolver *rv);

/*
 * Resolves the account document and, if configured, the revocation list.
 * Returns 0 and fills res (clear with ak_result_clear), or AK_ERR_UNAVAILABLE
 * when no valid document or list can be had (caller prints nothing).
 */
int ak_resolve(struct ak_resolver *rv, const char *account,
    struct ak_result *res);
void ak_result_clear(struct ak_result *res);

/*
 * Fetches url (no cache, no conditional GET) and verifies it as the account's
 * document (account NULL: the revocation list). For --check. Returns 0 and
 * *docp (NULL on 404), or AK_ERR_*.
 */
int ak_resolve_probe(struct ak_resolver *rv, const char *account,
    const char *url, struct ak_doc **docp);

#endif
