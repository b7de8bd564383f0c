/*
 * authkeys-command --status: what a fleet needs to see which hosts lag.
 * Each document's state is the one cache decision's word on it, and what
 * it admits is the keyset's, as a login would see them.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ak_cache.h"
#include "ak_config.h"
#include "ak_doc.h"
#include "ak_err.h"
#include "ak_fresh.h"
#include "ak_keyset.h"
#include "ak_time.h"
#include "status.h"

#define REVOCATIONS_LABEL	"@revocations"

struct doc_status {
	const char *what;	/* account name, or NULL for the list */
	int have;		/* a readable entry */
	int status;		/* 200 or 404 */
	unsigned long long serial;
	time_t checked;
	time_t expires;
	const char *state;	/* fresh, stale, expired, missing, ... */
	int readable;		/* the keyset (or revset) could be read */
	size_t keys;		/* keys admitted, or entries of the list */
	struct ak_fault fault;	/* where it could not be read */
	char error[512];	/* recorded for this document, or "" */
};

/* The state a login would find the document in. */
static const char *
state_of(const struct ak_config *cfg, const struct ak_cache_entry *e,
    const struct ak_doc *doc, int expired, time_t outage, time_t now)
{
	struct ak_cached_state st;

	if (expired)
		return "expired";
	memset(&st, 0, sizeof(st));
	st.fresh = ak_fresh_is_fresh(cfg, e->checked, now);
	st.has_answer = e->status == 404 || doc != NULL;
	st.has_signed = doc != NULL && doc->kind != AK_DOC_PLAIN;
	switch (ak_cache_decide(cfg, &st, outage, now, AK_ASK_IF_STALE, 0)) {
	case AK_CACHE_USE:
		return "fresh";
	case AK_CACHE_ASK:
		return "stale";
	case AK_CACHE_STALE:
		return "stale, in use while the store is unavailable";
	default:
		return "unusable while the store is unavailable";
	}
}

/*
 * Reads one document's entry; for an account, rs is the list's revset
 * (NULL: none readable). *rsp, if not NULL, gets the list's revset.
 */
static void
look(const struct ak_config *cfg, uid_t owner, const char *account,
    time_t now, time_t outage, const struct ak_revset *rs,
    struct doc_status *ds, struct ak_revset **rsp)
{
	struct ak_cache_entry *e = NULL;
	struct ak_doc *doc = NULL;
	struct ak_keyset *ks = NULL;
	char name[64], errname[80];
	int expired = 0;

	memset(ds, 0, sizeof(*ds));
	ds->what = account;
	ds->state = "missing";
	if (ak_cache_name(account, name, sizeof(name)) != 0)
		return;
	snprintf(errname, sizeof(errname), "error.%s", name);
	(void)ak_note_read(cfg->cache_dir, errname, owner, ds->error,
	    sizeof(ds->error));
	if (ak_cache_read(cfg->cache_dir, name, owner, &e) != 0)
		return;
	ds->have = 1;
	ds->status = e->status;
	ds->checked = e->checked;
	if (e->status == 200 && ak_doc_parse(e->body, e->bodylen, account ==
	    NULL ? AK_DOC_REVOCATIONS : cfg->require_signature ?
	    AK_DOC_ACCOUNT : AK_DOC_PLAIN, &doc) == 0) {
		ds->serial = doc->serial;
		ds->expires = doc->expires;
		expired = doc->expires != 0 && doc->expires <= now;
	}
	ds->state = state_of(cfg, e, expired ? NULL : doc, expired, outage,
	    now);
	if (account == NULL && doc != NULL && rsp != NULL) {
		if (ak_revset_from_doc(doc, rsp, &ds->fault) == 0) {
			ds->readable = 1;
			ds->keys = (*rsp)->n;
		}
	} else if (account != NULL && ak_keyset_from_doc(cfg, account,
	    e->status == 200 ? doc : NULL, rs, &ks) == 0) {
		ds->readable = ks->all != AK_DENY_BAD_DOC;
		ds->fault = ks->fault;
		ds->keys = ak_keyset_admitted(ks);
	}
	ak_keyset_free(ks);
	ak_doc_free(doc);
	ak_cache_entry_free(e);
}

static void
human(const struct ak_config *cfg, const struct doc_status *ds, time_t now)
{
	char exp[21];

	if (ds->what != NULL)
		printf("account %s: ", ds->what);
	else
		printf("revocation list: ");
	if (!ds->have) {
		printf("no cached document, last error %s\n",
		    ds->error[0] ? ds->error : "-");
		return;
	}
	if (ds->status == 404)
		printf("none at the store (404), ");
	else {
		if (ds->expires != 0)
			ak_time_format(ds->expires, exp);
		printf("serial %llu, expires %s, ", ds->serial,
		    ds->expires != 0 ? exp : "never (unsigned)");
		if (!ds->readable && ds->fault.err != 0)
			printf("unreadable (line %lu: %s): no key admitted, ",
			    ds->fault.lineno, ak_err(ds->fault.err));
		else if (ds->what == NULL)
			printf("%zu entr%s, ", ds->keys, ds->keys == 1 ? "y" :
			    "ies");
		else
			printf("%zu key line(s) admitted, ", ds->keys);
	}
	printf("confirmed %llds ago, %s (refresh_after %lds), last error %s\n",
	    (long long)(now - ds->checked), ds->state, cfg->refresh_after,
	    ds->error[0] ? ds->error : "-");
}

static void
prom_value(const char *metric, const struct doc_status *ds, long long v)
{
	printf("%s{document=\"%s\"} %lld\n", metric, ds->what != NULL ?
	    ds->what : REVOCATIONS_LABEL, v);
}

static void
prom_help(const char *metric, const char *help)
{
	printf("# HELP %s %s\n# TYPE %s gauge\n", metric, help, metric);
}

static void
prometheus(const struct doc_status *ds, size_t n, time_t now, time_t outage,
    int in_outage)
{
	size_t i;

	prom_help("authkeys_document_present", "1 if a verified document (or "
	    "a 404) is cached.");
	for (i = 0; i < n; i++)
		prom_value("authkeys_document_present", &ds[i], ds[i].have);
	prom_help("authkeys_document_serial", "#serial of the cached "
	    "document.");
	for (i = 0; i < n; i++)
		if (ds[i].have)
			prom_value("authkeys_document_serial", &ds[i],
			    (long long)ds[i].serial);
	prom_help("authkeys_document_confirmed_age_seconds", "Seconds since "
	    "the store last confirmed the cached document.");
	for (i = 0; i < n; i++)
		if (ds[i].have)
			prom_value("authkeys_document_confirmed_age_seconds",
			    &ds[i], (long long)(now - ds[i].checked));
	prom_help("authkeys_document_expires_timestamp_seconds", "#expires "
	    "of the cached document (0: unsigned or 404).");
	for (i = 0; i < n; i++)
		if (ds[i].have)
			prom_value(
			    "authkeys_document_expires_timestamp_seconds",
			    &ds[i], (long long)ds[i].expires);
	prom_help("authkeys_document_keys", "Key lines admitted (an account) "
	    "or entries (the revocation list).");
	for (i = 0; i < n; i++)
		if (ds[i].have)
			prom_value("authkeys_document_keys", &ds[i],
			    (long long)ds[i].keys);
	prom_help("authkeys_document_readable", "0 if a line of the cached "
	    "document cannot be read (no key of it is admitted).");
	for (i = 0; i < n; i++)
		if (ds[i].have && ds[i].status == 200)
			prom_value("authkeys_document_readable", &ds[i],
			    ds[i].readable);
	prom_help("authkeys_document_fresh", "1 if younger than "
	    "refresh_after.");
	for (i = 0; i < n; i++)
		prom_value("authkeys_document_fresh", &ds[i],
		    strcmp(ds[i].state, "fresh") == 0);
	prom_help("authkeys_document_error", "1 if the last attempt for this "
	    "document failed (see authkeys-command --status).");
	for (i = 0; i < n; i++)
		prom_value("authkeys_document_error", &ds[i],
		    ds[i].error[0] != '\0');
	prom_help("authkeys_store_unavailable", "1 while an outage recorded "
	    "less than retry_after ago keeps logins from asking the store.");
	printf("authkeys_store_unavailable %d\n", in_outage);
	prom_help("authkeys_store_outage_timestamp_seconds", "When the store "
	    "was last found unavailable (0: not recorded).");
	printf("authkeys_store_outage_timestamp_seconds %lld\n",
	    (long long)outage);
}

int
status_run(const struct ak_config *cfg, int prom)
{
	struct doc_status *ds;
	struct ak_revset *rs = NULL;
	struct stat st;
	char why[512];
	time_t now = time(NULL), outage;
	uid_t owner = stat(cfg->cache_dir, &st) == 0 ? st.st_uid : geteuid();
	size_t i, n = cfg->naccounts + (cfg->revocation_url != NULL);
	int in_outage, bad = 0;

	if ((ds = calloc(n, sizeof(*ds))) == NULL)
		return 1;
	outage = ak_outage_read(cfg->cache_dir, owner, why, sizeof(why));
	in_outage = ak_fresh_in_outage(cfg, outage, now);
	if (cfg->revocation_url != NULL)
		look(cfg, owner, NULL, now, outage, NULL, &ds[n - 1], &rs);
	for (i = 0; i < cfg->naccounts; i++)
		look(cfg, owner, cfg->accounts[i], now, outage, rs, &ds[i],
		    NULL);
	ak_revset_free(rs);
	for (i = 0; i < n; i++)
		bad |= strcmp(ds[i].state, "fresh") != 0 ||
		    ds[i].error[0] != '\0' ||
		    (ds[i].status == 200 && !ds[i].readable);
	if (prom)
		prometheus(ds, n, now, outage, in_outage);
	else {
		if (outage == 0)
			printf("store: no outage recorded\n");
		else
			printf("store: unavailable %llds ago%s: %s\n",
			    (long long)(now - outage), in_outage ?
			    " (logins do not ask it until retry_after passes)" :
			    "", why[0] ? why : "-");
		for (i = 0; i < n; i++)
			human(cfg, &ds[i], now);
	}
	free(ds);
	return bad ? 1 : 0;
}
