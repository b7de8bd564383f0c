/*
 * The store's view (SPEC "Snapshot and timestamp", ak_resolve_int.h): the
 * verified timestamp, the snapshot it names, and the freeze rule.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ak_config.h"
#include "ak_doc.h"
#include "ak_fetch.h"
#include "ak_err.h"
#include "ak_log.h"
#include "ak_resolve_int.h"
#include "ak_root.h"
#include "ak_snap.h"
#include "ak_time.h"

/*
 * The URL of name in the directory of url (a timestamp_url or the
 * revocation_url: the config checked they have a path) into out.
 */
static int
beside(const char *url, const char *name, char *out, size_t len)
{
	int dir = (int)(strrchr(url, '/') - url) + 1;
	int k = snprintf(out, len, "%.*s%s", dir, url, name);

	return k < 0 || (size_t)k >= len ? AK_ERR_TOO_LARGE : 0;
}

/* v1/snapshot beside each v1/timestamp. */
int
akr_view_urls(struct ak_resolver *rv)
{
	const struct ak_config *cfg = rv->cfg;
	char url[URL_MAX];
	size_t i;
	int r;

	for (i = 0; i < cfg->ntimestamp_urls; i++) {
		if ((r = beside(cfg->timestamp_urls[i], "snapshot", url,
		    sizeof(url))) != 0)
			return r;
		if ((rv->snapshot_urls[i] = strdup(url)) == NULL)
			return AK_ERR_ALLOC;
	}
	return 0;
}

void
akr_view_clear(struct ak_view *v)
{
	ak_snap_free(v->snap);
	memset(v, 0, sizeof(*v));
}

int
ak_resolve_view(struct ak_resolver *rv)
{
	const struct ak_config *cfg = rv->cfg;
	struct ak_doc *ts = NULL, *sn = NULL;
	struct ak_snap *tss = NULL;
	struct target t;
	enum ak_source src = AK_SOURCE_NONE, snsrc = AK_SOURCE_NONE;
	unsigned long lineno;
	int r;

	akr_view_clear(&rv->view);
	rv->last_error[0] = '\0';
	if (cfg->ntimestamp_urls == 0)
		return AK_ERR_CONFIG;
	memset(&t, 0, sizeof(t));
	t.what = "timestamp";
	t.name = "timestamp";
	t.kind = AK_DOC_TIMESTAMP;
	t.urls = (const char *const *)cfg->timestamp_urls;
	t.nurls = cfg->ntimestamp_urls;
	t.groups_left = 1;
	if ((r = akr_resolve_target(rv, &t, &ts, &src)) != 0)
		goto fail;
	if ((r = ak_snap_parse(ts, &tss, &lineno)) != 0) {
		snprintf(rv->last_error, sizeof(rv->last_error), "timestamp "
		    "serial %llu line %lu: %s", ts->serial, lineno, ak_err(r));
		goto fail;
	}
	t.what = "snapshot";
	t.name = "snapshot";
	t.kind = AK_DOC_SNAPSHOT;
	t.urls = (const char *const *)rv->snapshot_urls;
	t.want = ak_snap_find(tss, NULL);
	if ((r = akr_resolve_target(rv, &t, &sn, &snsrc)) != 0)
		goto fail;
	if ((r = ak_snap_parse(sn, &rv->view.snap, &lineno)) != 0) {
		snprintf(rv->last_error, sizeof(rv->last_error), "snapshot "
		    "serial %llu line %lu: %s", sn->serial, lineno, ak_err(r));
		goto fail;
	}
	rv->view.held = 1;
	rv->view.ts_serial = ts->serial;
	rv->view.ts_expires = ts->expires;
	rv->view.source = src;
	rv->view.frozen = ak_snap_frozen(cfg, ts->serial, rv->now);
	if (rv->view.frozen)
		ak_log(LOG_WARNING, "view frozen: the newest verified "
		    "timestamp (serial %llu) is %llds old, freeze_after %lds; "
		    "%s", ts->serial,
		    (long long)rv->now - (long long)ts->serial,
		    cfg->freeze_after, cfg->freeze_deny ? "on_freeze = deny: "
		    "no key is admitted" : "going on from the cache");
	ak_snap_free(tss);
	ak_doc_free(ts);
	ak_doc_free(sn);
	return 0;
 fail:
	if (rv->last_error[0] == '\0')
		snprintf(rv->last_error, sizeof(rv->last_error), "%s: %s",
		    t.what, ak_err(r));
	ak_log(LOG_ERR, "no verified view of the store: %s", rv->last_error);
	akr_view_clear(&rv->view);
	ak_snap_free(tss);
	ak_doc_free(ts);
	ak_doc_free(sn);
	return AK_ERR_UNAVAILABLE;
}

/* URL of root.N beside base (a timestamp_url or the revocation_url). */
static int
root_url(const char *base, unsigned long long n, char *out, size_t len)
{
	char name[32];

	snprintf(name, sizeof(name), "root.%llu", n);
	return beside(base, name, out, len);
}

/* Says which roles a rotation changed, and what follows from it. */
static void
log_rotation(const struct ak_root *old, const struct ak_root *cur,
    const char *url)
{
	int ts = !ak_root_role_same(old, cur, AK_ROLE_TIMESTAMP);
	int docs = !ak_root_role_same(old, cur, AK_ROLE_DOCUMENTS);
	int root = !ak_root_role_same(old, cur, AK_ROLE_ROOT);

	ak_log(LOG_NOTICE, "root %llu taken from %s (was %llu): %s%s%s%s",
	    cur->serial, url, old->serial, ts ? "timestamp keys changed "
	    "(a timestamp floor set by a key that left is forgotten); " : "",
	    docs ? "documents keys changed (documents below the new "
	    "threshold admit nothing until re-signed); " : "", root ?
	    "root keys changed; " : "", !ts && !docs && !root ? "same keys, "
	    "new expiry" : "in force for every reader now");
}

int
ak_resolve_root_update(struct ak_resolver *rv)
{
	const struct ak_config *cfg = rv->cfg;
	const char *const *bases = (const char *const *)cfg->timestamp_urls;
	struct ak_root *cur = rv->root, *next;
	struct ak_fetch_result fr;
	char url[URL_MAX] = "", taken[URL_MAX] = "";
	size_t i, nb = cfg->ntimestamp_urls, step;
	long long left;
	int r = 0, found;

	if (rv->boot == NULL)
		return 0;
	if (nb == 0 && cfg->revocation_url != NULL) {
		bases = (const char *const *)&cfg->revocation_url;
		nb = 1;
	}
	for (step = 0, found = 1; step < AK_ROOT_CHAIN_MAX && found; step++) {
		found = 0;
		for (i = 0; i < nb; i++) {
			if ((left = rv->deadline_ms - ak_now_ms()) <= 0) {
				r = AK_ERR_TIMEOUT;
				break;
			}
			if ((r = root_url(bases[i], cur->serial + 1, url,
			    sizeof(url))) != 0)
				break;
			if (rv->fetcher == NULL &&
			    (r = ak_fetcher_new(&rv->fetcher)) != 0)
				break;
			/* A mirror that cannot answer: the next one. */
			if ((r = ak_fetch(rv->fetcher, cfg->ca_file, url, NULL,
			    (long)left, AK_DOC_MAX, &fr)) != 0)
				continue;
			/* The first answer counts: 404 is "no newer root". */
			if (fr.status == 200 && (r = ak_root_advance(cur,
			    rv->dir, fr.body, fr.len, url, rv->now,
			    &next)) == 0) {
				if (cur != rv->root)
					ak_root_free(cur);
				cur = next;
				found = 1;
				memcpy(taken, url, sizeof(taken));
			}
			ak_fetch_result_clear(&fr);
			break;
		}
		if (r != 0)
			break;
	}
	if (cur != rv->root) {
		log_rotation(rv->root, cur, taken);
		ak_root_free(rv->root);
		rv->root = cur;
		rv->signers = cur->role[AK_ROLE_DOCUMENTS];
		rv->ts_signers = cur->role[AK_ROLE_TIMESTAMP];
		if (cur->expires <= rv->now)
			ak_log(LOG_ERR, "ROOT EXPIRED: root %llu from the "
			    "store has expired already; %s", cur->serial,
			    cfg->freeze_deny ? "on_freeze = deny: nothing is "
			    "admitted until a newer one is published" :
			    "on_freeze = stale: still used, publish a newer "
			    "one now");
	}
	if (r != 0)
		ak_log(LOG_ERR, "root: no newer root taken (%s); root %llu "
		    "stays in force", ak_err(r), rv->root->serial);
	return r;
}
