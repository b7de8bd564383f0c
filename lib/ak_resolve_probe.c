/*
 * --check's probes (ak_resolve.h): a URL fetched without the cache and
 * verified as a login would, and each timestamp_url's view.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ak_doc.h"
#include "ak_err.h"
#include "ak_fetch.h"
#include "ak_resolve_int.h"
#include "ak_snap.h"
#include "ak_time.h"

int
ak_resolve_probe(struct ak_resolver *rv, const char *account, const char *url,
    struct ak_doc **docp)
{
	struct ak_fetch_result fr;
	struct target t;
	long long left = rv->deadline_ms - ak_now_ms();
	int r;

	*docp = NULL;
	memset(&t, 0, sizeof(t));
	t.account = account;
	t.kind = account == NULL ? AK_DOC_REVOCATIONS :
	    rv->cfg->require_signature ? AK_DOC_ACCOUNT : AK_DOC_PLAIN;
	if (rv->fetcher == NULL && (r = ak_fetcher_new(&rv->fetcher)) != 0)
		return r;
	if ((r = ak_fetch(rv->fetcher, rv->cfg->ca_file, url, NULL, (long)left,
	    AK_DOC_MAX, &fr)) != 0)
		return r;
	if (fr.status == 404)
		return 0;
	r = akr_validate(rv, &t, fr.body, fr.len, &akr_no_floor, 1, NULL, docp);
	ak_fetch_result_clear(&fr);
	return r;
}

/* Fetches and verifies one file of the view for ak_resolve_probe_view. */
static int
probe_one(struct ak_resolver *rv, const struct target *t, const char *url,
    struct ak_doc **docp)
{
	struct ak_fetch_result fr;
	long long left = rv->deadline_ms - ak_now_ms();
	int r;

	if (rv->fetcher == NULL && (r = ak_fetcher_new(&rv->fetcher)) != 0)
		return r;
	if ((r = ak_fetch(rv->fetcher, rv->cfg->ca_file, url, NULL,
	    (long)left, AK_DOC_MAX, &fr)) != 0)
		return r;
	r = fr.status == 404 ? AK_ERR_NOT_FOUND : akr_validate(rv, t, fr.body,
	    fr.len, &akr_no_floor, 1, NULL, docp);
	ak_fetch_result_clear(&fr);
	return r;
}

int
ak_resolve_probe_view(struct ak_resolver *rv, size_t i, struct ak_doc **tsp,
    struct ak_doc **snp, char *why, size_t whylen)
{
	struct ak_snap *tss = NULL;
	struct target t;
	int r;

	*tsp = *snp = NULL;
	memset(&t, 0, sizeof(t));
	if (i >= rv->cfg->ntimestamp_urls)
		return AK_ERR_CONFIG;
	t.kind = AK_DOC_TIMESTAMP;
	t.probe = 1;
	if ((r = probe_one(rv, &t, rv->cfg->timestamp_urls[i], tsp)) != 0 ||
	    (r = ak_snap_parse(*tsp, &tss, NULL)) != 0) {
		snprintf(why, whylen, "%s: %s", rv->cfg->timestamp_urls[i],
		    ak_err(r));
		goto fail;
	}
	t.kind = AK_DOC_SNAPSHOT;
	t.want = ak_snap_find(tss, NULL);
	if ((r = probe_one(rv, &t, rv->snapshot_urls[i], snp)) != 0) {
		snprintf(why, whylen, "%s: %s", rv->snapshot_urls[i],
		    ak_err(r));
		goto fail;
	}
	ak_snap_free(tss);
	return 0;
 fail:
	ak_snap_free(tss);
	ak_doc_free(*tsp);
	*tsp = NULL;
	return r;
}
