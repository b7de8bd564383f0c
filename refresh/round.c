/* One refresh round: every document through ak_resolve_doc. */
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "ak_accounts.h"
#include "ak_cache.h"
#include "ak_doc.h"
#include "ak_err.h"
#include "ak_fresh.h"
#include "ak_keyset.h"
#include "ak_log.h"
#include "ak_time.h"
#include "refresh.h"

long long
refresh_interval_ms(const struct ak_config *cfg)
{
	long long ms = cfg->refresh_after * 1000LL / 2;

	/* Never busy: at least a second between rounds. */
	return ms < 1000 ? 1000 : ms;
}

/* Refreshes one document; returns 0 if the store confirmed or replaced it. */
static int
refresh_one(struct ak_resolver *rv, const char *account, int *store_silent)
{
	struct ak_doc *doc = NULL;
	struct ak_revset *rs = NULL;
	struct ak_fault fault;
	const char *what = account != NULL ? account : "revocation list";
	enum ak_source source = AK_SOURCE_NONE;
	long long t0 = ak_now_ms();
	int r;

	ak_resolver_restart(rv);
	r = ak_resolve_doc(rv, account, &doc, &source);
	/* A list no reader can read refuses every key: not "refreshed". */
	if (r == 0 && account == NULL && doc != NULL &&
	    ak_revset_from_doc(doc, &rs, &fault) != 0) {
		snprintf(rv->last_error, sizeof(rv->last_error), "serial %llu "
		    "line %lu: %s; no key of any account is admitted until a "
		    "readable list is published", doc->serial, fault.lineno,
		    ak_err(fault.err));
		ak_log(LOG_ERR, "revocation list: %s", rv->last_error);
		(void)ak_note_record(rv->dir, "error.revoked", rv->now,
		    rv->last_error);
		ak_doc_free(doc);
		return -1;
	}
	ak_revset_free(rs);
	/* Under a view, the document its snapshot names is current. */
	if (r == 0 && ((rv->cfg->ntimestamp_urls > 0 &&
	    source != AK_SOURCE_STALE) || source == AK_SOURCE_STORE ||
	    source == AK_SOURCE_NOT_MODIFIED)) {
		/* A new document is news; a 304 is routine. */
		ak_log(source == AK_SOURCE_STORE ? LOG_INFO : LOG_DEBUG,
		    "%s: serial %llu from %s", what,
		    doc != NULL ? doc->serial : 0ULL, ak_source_str(source));
		ak_doc_free(doc);
		return 0;
	}
	ak_log(LOG_ERR, "%s: not refreshed (%s)%s", what,
	    rv->last_error[0] ? rv->last_error : ak_err(r),
	    r == 0 ? "; the cached document stays in use" : "");
	ak_doc_free(doc);
	/* It used up the budget: the store is not answering this round. */
	if (ak_now_ms() - t0 >= rv->cfg->timeout * 450)
		*store_silent = 1;
	return -1;
}

int
refresh_round(struct ak_resolver *rv, volatile sig_atomic_t *stop)
{
	const struct ak_config *cfg = rv->cfg;
	char **accts = NULL;
	size_t i, nacc = 0;
	int failed = 0, silent = 0;

	/*
	 * A snapshot store: one conditional GET of the timestamp; only when
	 * it names a new snapshot, that, and the documents it changed.
	 */
	/* A newer root first: it decides who may sign what follows. */
	ak_resolver_restart(rv);
	if (ak_resolve_root_update(rv) != 0)
		failed = 1;
	if (cfg->ntimestamp_urls > 0) {
		ak_resolver_restart(rv);
		if (ak_resolve_view(rv) != 0)
			return -1;	/* logged; the cached view stays */
		if (rv->view.source == AK_SOURCE_STALE || rv->view.frozen)
			failed = 1;
		else
			ak_log(rv->view.source == AK_SOURCE_STORE ?
			    LOG_INFO : LOG_DEBUG, "timestamp: serial %llu "
			    "from %s", rv->view.ts_serial,
			    ak_source_str(rv->view.source));
	}
	if (cfg->revocation_url != NULL &&
	    refresh_one(rv, NULL, &silent) != 0)
		failed = 1;
	/* Each round: a pattern or %group admits whom NSS says today. */
	if (ak_config_accounts(cfg, &accts, &nacc) != 0) {
		ak_log(LOG_ERR, "cannot list the managed accounts");
		return -1;
	}
	for (i = 0; i < nacc && !*stop && !silent; i++) {
		if (refresh_one(rv, accts[i], &silent) != 0)
			failed = 1;
	}
	if (silent && i < nacc) {
		ak_log(LOG_ERR, "store not answering: %zu document(s) left for "
		    "the next round", nacc - i);
		failed = 1;
	}
	ak_accounts_free(accts, nacc);
	return failed ? -1 : 0;
}
