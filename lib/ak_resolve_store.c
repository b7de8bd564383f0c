/*
 * The resolver and the store (ak_resolve_int.h): mirrors in turn within
 * the time budget, conditional GETs, versioned URLs under a view, what is
 * fetched written to the cache with its %f index, and the outage record.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ak_cache.h"
#include "ak_doc.h"
#include "ak_err.h"
#include "ak_fetch.h"
#include "ak_index.h"
#include "ak_keyset.h"
#include "ak_log.h"
#include "ak_resolve_int.h"
#include "ak_time.h"
#include "ak_url.h"

/*
 * The keyset (or revset) of doc written as its %f index, or the index
 * removed when there is no document or it cannot be read: the hit path
 * then reads the document and comes to the same answer.
 */
static void
write_index(struct ak_resolver *rv, const char *name, const struct ak_doc *doc)
{
	struct ak_keyset *ks = NULL;
	struct ak_revset *rs = NULL;
	int r = 0;

	if (doc != NULL && (doc->kind == AK_DOC_SNAPSHOT ||
	    doc->kind == AK_DOC_TIMESTAMP))
		return;
	if (doc == NULL)
		ak_index_remove(rv->dir, name);
	else if (doc->kind == AK_DOC_REVOCATIONS) {
		if (ak_revset_from_doc(doc, &rs, NULL) != 0)
			ak_index_remove(rv->dir, name);
		else
			r = ak_index_write_revset(rv->dir, name, doc, rs);
	} else if ((r = ak_keyset_from_doc(rv->cfg, doc->account, doc, NULL,
	    &ks)) == 0)
		r = ak_index_write_keys(rv->dir, name, doc, ks);
	if (r != 0) {
		ak_log(LOG_WARNING, "index %s/idx.%s not written: %s", rv->dir,
		    name, ak_err(r));
		ak_index_remove(rv->dir, name);
	}
	ak_keyset_free(ks);
	ak_revset_free(rs);
}

void
akr_store_entry(struct ak_resolver *rv, const char *name, int status,
    const char *etag, unsigned long long min_serial, const char *body,
    size_t len, const struct ak_doc *doc)
{
	struct ak_cache_entry e;
	int r;

	/*
	 * The %f index of the cache owner's entries (the hit path's), first:
	 * a reader that sees it before the entry finds them unbound.
	 */
	if (rv->peer_dir == NULL)
		write_index(rv, name, doc);

	memset(&e, 0, sizeof(e));
	e.checked = rv->now;
	e.status = status;
	e.min_serial = min_serial;
	/* Verified on the way here (validate): say under what. */
	if (doc != NULL && doc->kind != AK_DOC_PLAIN) {
		akr_mark_of(rv, doc->kind, e.verified);
		e.has_verified = 1;
	}
	akr_floor_signer(doc, &e);
	if (etag != NULL)
		snprintf(e.etag, sizeof(e.etag), "%s", etag);
	e.body = (char *)body;
	e.bodylen = len;
	if ((r = ak_cache_write(rv->dir, name, &e)) != 0)
		ak_log(LOG_WARNING, "cache %s/%s not written: %s",
		    rv->dir, name, ak_err(r));
}

/*
 * Under a view, a document's URL names its version ("?v=SERIAL-HASH"): a
 * CDN then caches each version apart, so documents can be cached for long
 * while a new snapshot is never answered with an old copy. Static servers
 * and object stores ignore the query. Not for file:// (no query there).
 */
static int
versioned(const struct target *t, char *url, size_t len)
{
	size_t n = strlen(url);
	int k;

	if (t->want == NULL || strncmp(url, "file:", 5) == 0)
		return 0;
	k = snprintf(url + n, len - n, "%cv=%llu-%02x%02x%02x%02x",
	    strchr(url, '?') != NULL ? '&' : '?', t->want->serial,
	    t->want->hash[0], t->want->hash[1], t->want->hash[2],
	    t->want->hash[3]);
	return k < 0 || (size_t)k >= len - n ? AK_ERR_TOO_LARGE : 0;
}

/*
 * Asks the mirrors in turn, each with a fair share of what is left of this
 * group's budget. Returns 0 with *docp (NULL on 404) and *sourcep, or
 * AK_ERR_UNAVAILABLE.
 */
static int
from_store(struct ak_resolver *rv, const struct target *t, const char *name,
    const struct ak_cache_entry *ce, const struct ak_doc *cdoc,
    const struct floor *fl, struct ak_doc **docp, enum ak_source *sourcep)
{
	struct ak_fetch_result fr;
	char url[URL_MAX];
	unsigned long long min_serial = fl->serial;
	long long group_end, left;
	size_t i;
	int r;

	left = rv->deadline_ms - ak_now_ms();
	group_end = ak_now_ms() + left / t->groups_left;
	for (i = 0; i < t->nurls; i++) {
		long share = (long)((group_end - ak_now_ms()) /
		    (long long)(t->nurls - i));

		if ((r = ak_url_expand(t->urls[i], t->account, url,
		    sizeof(url))) != 0 || (r = versioned(t, url,
		    sizeof(url))) != 0)
			return r;
		if (rv->fetcher == NULL && (r = ak_fetcher_new(&rv->fetcher)) !=
		    0)
			return r;
		r = ak_fetch(rv->fetcher, rv->cfg->ca_file, url, cdoc != NULL ?
		    ce->etag : NULL, share, AK_DOC_MAX, &fr);
		if (r != 0) {
			/* Logged by ak_fetch in detail. */
			snprintf(rv->last_error, sizeof(rv->last_error),
			    "%s: %s", t->what, ak_err(r));
			continue;
		}
		if (fr.status == 404 && akr_required(t)) {
			ak_log(LOG_ERR, "%s: %s: not found (404), but %s "
			    "names it", url, t->what, t->want != NULL ?
			    "the snapshot" : "timestamp_url");
			snprintf(rv->last_error, sizeof(rv->last_error),
			    "%s: not found at the store (404)", t->what);
			continue;
		}
		if (fr.status == 404) {
			akr_store_entry(rv, name, 404, NULL, min_serial, NULL,
			    0, NULL);
			*docp = NULL;
			*sourcep = AK_SOURCE_STORE;
			return 0;
		}
		if (fr.status == 304) {
			if (cdoc == NULL) {
				ak_log(LOG_ERR, "%s: 304 without a cached "
				    "document", url);
				continue;
			}
			/* Same bytes as cached: re-verified, now fresh. */
			if ((r = akr_validate(rv, t, ce->body, ce->bodylen,
			    fl, 1, ce, docp)) != 0) {
				ak_log(LOG_ERR, "%s: cached document: %s", url,
				    ak_err(r));
				continue;
			}
			/* An entry without a current index gets one now. */
			if (rv->peer_dir == NULL) {
				struct ak_index_bind b;

				ak_index_bind_doc(*docp, &b);
				if (!ak_index_current(rv->dir, name, geteuid(),
				    &b))
					write_index(rv, name, *docp);
			}
			/* Confirmed: the file's mtime says so, no rewrite. */
			if ((r = ak_cache_touch(rv->dir, name)) != 0)
				ak_log(LOG_WARNING, "cache %s/%s: confirmation "
				    "not recorded: %s", rv->dir, name,
				    ak_err(r));
			*sourcep = AK_SOURCE_NOT_MODIFIED;
			return 0;
		}
		r = akr_validate(rv, t, fr.body, fr.len, fl, 1, NULL, docp);
		if (r != 0) {
			ak_log(LOG_ERR, "%s: %s refused: %s", url, t->what,
			    ak_err(r));
			snprintf(rv->last_error, sizeof(rv->last_error),
			    "%s refused: %s", t->what, ak_err(r));
			ak_fetch_result_clear(&fr);
			continue;
		}
		if ((*docp)->serial > min_serial)
			min_serial = (*docp)->serial;
		akr_store_entry(rv, name, 200, fr.etag, min_serial, fr.body,
		    fr.len, *docp);
		ak_fetch_result_clear(&fr);
		*sourcep = AK_SOURCE_STORE;
		return 0;
	}
	return AK_ERR_UNAVAILABLE;
}

/* Asks the store; records the outcome in our own outage memory. */
int
akr_ask_store(struct ak_resolver *rv, const struct target *t, const char *name,
    const struct cached *own, const struct floor *fl, struct ak_doc **docp,
    enum ak_source *sourcep)
{
	char errname[80];
	int r;

	/* Only an entry this process wrote may vouch for an ETag. */
	r = from_store(rv, t, name, own->e, own->doc, fl, docp, sourcep);
	if (snprintf(errname, sizeof(errname), "error.%s", name) >=
	    (int)sizeof(errname))
		errname[0] = '\0';
	if (r == AK_ERR_UNAVAILABLE) {
		rv->outage = rv->now;
		(void)ak_outage_record(rv->dir, rv->now, rv->last_error);
		if (errname[0] != '\0')
			(void)ak_note_record(rv->dir, errname, rv->now,
			    rv->last_error);
	} else if (r == 0) {
		if (rv->outage != 0)
			ak_outage_clear(rv->dir);
		rv->outage = 0;
		if (errname[0] != '\0')
			ak_note_clear(rv->dir, errname);
	}
	return r;
}
