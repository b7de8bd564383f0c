/* HTTP(S)/file fetches with libcurl: bounded in size and time, no proxies. */
#ifndef AK_FETCH_H
#define AK_FETCH_H

#include <stddef.h>

#include "ak_limits.h"

struct ak_fetch_result {
	long status;		/* 200, 304 or 404 */
	char *body;		/* NUL-terminated, caller frees */
	size_t len;
	char etag[AK_ETAG_MAX + 1];
};

/*
 * A transfer handle kept across fetches, so that one process (the
 * refresher, or one login asking for a document and the revocation list)
 * reuses its connection and TLS session with each store host.
 */
struct ak_fetcher;

/* Initialises libcurl once per process (not in the PAM module's host). */
int ak_fetch_global_init(void);

/* Returns 0 and a new fetcher in *fp (ak_fetcher_free), or AK_ERR_ALLOC. */
int ak_fetcher_new(struct ak_fetcher **fp);
void ak_fetcher_free(struct ak_fetcher *f);

/*
 * GETs url within timeout_ms, at most max bytes, with If-None-Match: etag
 * when etag is not empty, on f's connection (f NULL: a handle of its own).
 * Returns 0 with res->status 200, 304 or 404 (file:// that does not exist
 * counts as 404), or AK_ERR_UNAVAILABLE (with a logged reason),
 * AK_ERR_TIMEOUT, AK_ERR_TOO_LARGE, AK_ERR_CONFIG (not https, http or
 * file), AK_ERR_PERM (ca_file, the CA bundle to trust or NULL for the
 * system's, not root's).
 */
int ak_fetch(struct ak_fetcher *f, const char *ca_file, const char *url,
    const char *etag, long timeout_ms, size_t max,
    struct ak_fetch_result *res);
void ak_fetch_result_clear(struct ak_fetch_result *res);

#endif
