/* HTTP(S)/file fetches with libcurl: bounded in size and time, no proxies. */
#ifndef AK_FETCH_H
#define AK_FETCH_H

#include <stddef.h>

#include "ak_cache.h"
#include "ak_config.h"

struct ak_fetch_result {
	long status;		/* 200, 304 or 404 */
	char *body;		/* NUL-terminated, caller frees */
	size_t len;
	char etag[AK_ETAG_MAX + 1];
};

/*
 * GETs url within timeout_ms, at most max bytes, with If-None-Match: etag
 * when etag is not empty. Returns 0 with res->status 200, 304 or 404 (file://
 * that does not exist counts as 404), or AK_ERR_UNAVAILABLE (with a logged
 * reason), AK_ERR_TIMEOUT, AK_ERR_TOO_LARGE.
 */
int ak_fetch(const struct ak_config *cfg, const char *url, const char *etag,
    long timeout_ms, size_t max, struct ak_fetch_result *res);
void ak_fetch_result_clear(struct ak_fetch_result *res);

#endif
