/* The one freshness/outage rule, and the outage memory in the cache dir. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ak_err.h"
#include "ak_file.h"
#include "ak_fresh.h"
#include "ak_key.h"
#include "ak_valid.h"

#define OUTAGE_MAX	512

int
ak_fresh_is_fresh(const struct ak_config *cfg, time_t checked, time_t now)
{
	return checked > 0 && checked <= now &&
	    now - checked < cfg->refresh_after;
}

int
ak_fresh_in_outage(const struct ak_config *cfg, time_t outage, time_t now)
{
	return outage > 0 && outage <= now && now - outage < cfg->retry_after;
}

enum ak_cache_use
ak_cache_decide(const struct ak_config *cfg, const struct ak_cached_state *c,
    time_t outage, time_t now, enum ak_ask ask, int store_failed)
{
	/* The sweep: whatever verified, whatever its age, never the store. */
	if (ask == AK_ASK_NEVER)
		return c->has_signed ? AK_CACHE_USE : AK_CACHE_NONE;
	if (!store_failed) {
		if (ask == AK_ASK_IF_STALE && c->fresh && c->has_answer)
			return AK_CACHE_USE;
		/* Found down moments ago: no login waits for it again. */
		if (ask == AK_ASK_FORCE ||
		    !ak_fresh_in_outage(cfg, outage, now))
			return AK_CACHE_ASK;
	}
	/* Stale if unavailable, until the signed #expires; a 404 is not. */
	return c->has_signed ? AK_CACHE_STALE : AK_CACHE_NONE;
}

time_t
ak_outage_read(const char *dir, uid_t also_trust, char *why, size_t whylen)
{
	return ak_note_read(dir, AK_OUTAGE_NAME, also_trust, why, whylen);
}

int
ak_outage_record(const char *dir, time_t now, const char *why)
{
	return ak_note_record(dir, AK_OUTAGE_NAME, now, why);
}

void
ak_outage_clear(const char *dir)
{
	ak_note_clear(dir, AK_OUTAGE_NAME);
}

time_t
ak_note_read(const char *dir, const char *name, uid_t also_trust, char *why,
    size_t whylen)
{
	char path[PATH_MAX], *buf = NULL, *ep;
	unsigned long long t;
	size_t len;
	time_t r = 0;

	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path))
		return 0;
	if (ak_file_read(path, OUTAGE_MAX, 1, also_trust, &buf, &len) != 0)
		return 0;
	if (buf[0] < '0' || buf[0] > '9')
		goto out;
	errno = 0;
	t = strtoull(buf, &ep, 10);
	if (errno != 0 || (*ep != ' ' && *ep != '\n') || t > (unsigned long
	    long)LLONG_MAX)
		goto out;
	r = (time_t)t;
	if (why != NULL && whylen > 0 && *ep == ' ') {
		size_t n = strcspn(ep + 1, "\n");

		if (n >= whylen)
			n = whylen - 1;
		memcpy(why, ep + 1, n);
		why[n] = '\0';
		if (ak_has_ctrl(why, n))
			why[0] = '\0';
	}
 out:
	free(buf);
	return r;
}

int
ak_note_record(const char *dir, const char *name, time_t now, const char *why)
{
	char buf[OUTAGE_MAX];
	int n;

	n = snprintf(buf, sizeof(buf), "%lld %.400s\n", (long long)now, why);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return AK_ERR_TOO_LARGE;
	/* A hint, not a record to keep: losing it in a crash costs a fetch. */
	return ak_file_write_atomic_flags(dir, name, buf, (size_t)n, 0600, 0,
	    0);
}

void
ak_note_clear(const char *dir, const char *name)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) <
	    (int)sizeof(path))
		(void)unlink(path);
}
