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

#include "ak_accounts.h"
#include "ak_cache.h"
#include "ak_config.h"
#include "ak_doc.h"
#include "ak_err.h"
#include "ak_fresh.h"
#include "ak_key.h"
#include "ak_keyset.h"
#include "ak_local.h"
#include "ak_proc.h"
#include "ak_session.h"
#include "ak_signers.h"
#include "ak_snap.h"
#include "ak_time.h"
#include "ak_valid.h"
#include "status.h"

#define REVOCATIONS_LABEL	"@revocations"

/* What a login would find a document in (state_str says it in words). */
enum doc_state {
	DS_MISSING,		/* no cached entry */
	DS_FRESH,
	DS_STALE,		/* the next login asks the store */
	DS_STALE_IN_USE,	/* stale, used while the store is unavailable */
	DS_UNUSABLE,		/* nothing usable while the store is down */
	DS_EXPIRED,
	DS_NO_VIEW,		/* timestamp_url: no verified view */
	DS_NOT_IN_SNAPSHOT,	/* the view names no such document: no keys */
	DS_NOT_SNAPSHOTS,	/* not the one the snapshot names */
	DS_FROZEN,		/* the view is frozen */
};

static const char *
state_str(const struct ak_config *cfg, enum doc_state st)
{
	switch (st) {
	case DS_MISSING:
		return "missing";
	case DS_FRESH:
		return "fresh";
	case DS_STALE:
		return "stale";
	case DS_STALE_IN_USE:
		return "stale, in use while the store is unavailable";
	case DS_UNUSABLE:
		return "unusable while the store is unavailable";
	case DS_EXPIRED:
		return "expired";
	case DS_NO_VIEW:
		return "no verified view";
	case DS_NOT_IN_SNAPSHOT:
		return "not in the snapshot (no keys)";
	case DS_NOT_SNAPSHOTS:
		return "not the snapshot's (waiting for the store)";
	case DS_FROZEN:
		return cfg->freeze_deny ? "frozen (on_freeze = deny: no key "
		    "admitted)" : "frozen (in use until it expires)";
	}
	return "unknown";
}

struct doc_status {
	const char *what;	/* account name, or NULL for the list */
	int have;		/* a readable entry */
	int status;		/* 200 or 404 */
	unsigned long long serial;
	time_t checked;
	time_t expires;
	enum doc_state state;
	int readable;		/* the keyset (or revset) could be read */
	size_t keys;		/* keys admitted, or entries of the list */
	struct ak_fault fault;	/* where it could not be read */
	char error[512];	/* recorded for this document, or "" */
	size_t nsigners;	/* keys whose signatures it carries */
	char signers[AK_DOC_SIGS_MAX][AK_FPR_LEN + 1];
};

/* The cached view (timestamp_url): what logins take documents against. */
struct view_status {
	int have;		/* timestamp and the snapshot it names */
	unsigned long long ts_serial, snap_serial;
	time_t checked;		/* the timestamp last confirmed */
	time_t snap_expires;
	int frozen;
	struct ak_snap *snap;
	const char *problem;	/* why there is no view, or NULL */
	char error[512];	/* the last attempt's, or "" */
};

static void
look_view(const struct ak_config *cfg, uid_t owner, time_t now,
    struct view_status *vs)
{
	struct ak_snap_cached cv;
	struct ak_marks m;
	int mr;

	memset(vs, 0, sizeof(*vs));
	mr = ak_marks_load(cfg, owner, &m);
	(void)ak_note_read(cfg->cache_dir, "error.timestamp", owner,
	    vs->error, sizeof(vs->error));
	if (vs->error[0] == '\0')
		(void)ak_note_read(cfg->cache_dir, "error.snapshot", owner,
		    vs->error, sizeof(vs->error));
	ak_snap_cached_read(cfg->cache_dir, owner, now, cfg->max_clock_skew,
	    &m, &cv);
	if (mr != 0 && cv.problem == NULL)
		cv.problem = cfg->trusted_root != NULL ? "trusted_root cannot "
		    "be read" : "trusted_signers cannot be read";
	vs->ts_serial = cv.ts_serial;
	vs->checked = cv.checked;
	vs->frozen = cv.ts_serial != 0 && ak_snap_frozen(cfg, cv.ts_serial,
	    now);
	vs->snap_serial = cv.snap_serial;
	vs->snap_expires = cv.snap_expires;
	vs->snap = cv.snap;
	vs->problem = cv.problem;
	vs->have = vs->problem == NULL;
}

/* Under a view: the snapshot, not the age, says if a document is current. */
static enum doc_state
state_in_view(const struct view_status *vs, const char *account,
    const struct ak_cache_entry *e, const struct ak_doc *doc)
{
	const struct ak_snap_entry *se;

	if (!vs->have)
		return DS_NO_VIEW;
	if ((se = ak_snap_find(vs->snap, account)) == NULL)
		return DS_NOT_IN_SNAPSHOT;
	if (!ak_snap_cached_matches(se, e, doc))
		return DS_NOT_SNAPSHOTS;
	return vs->frozen ? DS_FROZEN : DS_FRESH;
}

static void
human_view(const struct ak_config *cfg, const struct view_status *vs,
    time_t now)
{
	char exp[21];

	if (vs->ts_serial == 0) {
		printf("view: %s, last error %s\n", vs->problem,
		    vs->error[0] ? vs->error : "-");
		return;
	}
	printf("view: timestamp serial %llu, signed %llds ago, confirmed "
	    "%llds ago, %s (freeze_after %lds, on_freeze %s)", vs->ts_serial,
	    (long long)now - (long long)vs->ts_serial,
	    (long long)(now - vs->checked), vs->frozen ? "frozen" :
	    ak_fresh_is_fresh(cfg, vs->checked, now) ? "fresh" : "stale",
	    cfg->freeze_after, cfg->freeze_deny ? "deny" : "stale");
	if (vs->have) {
		ak_time_format(vs->snap_expires, exp);
		printf(", snapshot serial %llu, expires %s", vs->snap_serial,
		    exp);
	} else
		printf(", %s", vs->problem);
	printf(", last error %s\n", vs->error[0] ? vs->error : "-");
}

static void
prom_view(const struct view_status *vs, time_t now)
{
	printf("# HELP authkeys_view_frozen 1 if no timestamp newer than "
	    "freeze_after has verified (or none at all).\n"
	    "# TYPE authkeys_view_frozen gauge\n"
	    "authkeys_view_frozen %d\n", vs->ts_serial == 0 || vs->frozen);
	printf("# HELP authkeys_view_present 1 if a timestamp and the "
	    "snapshot it names are cached.\n"
	    "# TYPE authkeys_view_present gauge\n"
	    "authkeys_view_present %d\n", vs->have);
	if (vs->ts_serial == 0)
		return;
	printf("# HELP authkeys_view_timestamp_age_seconds Seconds since the "
	    "cached timestamp was signed.\n"
	    "# TYPE authkeys_view_timestamp_age_seconds gauge\n"
	    "authkeys_view_timestamp_age_seconds %lld\n",
	    (long long)now - (long long)vs->ts_serial);
	printf("# HELP authkeys_view_confirmed_age_seconds Seconds since the "
	    "store last confirmed the timestamp.\n"
	    "# TYPE authkeys_view_confirmed_age_seconds gauge\n"
	    "authkeys_view_confirmed_age_seconds %lld\n",
	    (long long)(now - vs->checked));
	printf("# HELP authkeys_view_snapshot_serial #serial of the snapshot "
	    "in use.\n# TYPE authkeys_view_snapshot_serial gauge\n"
	    "authkeys_view_snapshot_serial %llu\n", vs->snap_serial);
}

/* The state a login would find the document in. */
static enum doc_state
state_of(const struct ak_config *cfg, const struct ak_cache_entry *e,
    const struct ak_doc *doc, int expired, time_t outage, time_t now)
{
	struct ak_cached_state st;

	if (expired)
		return DS_EXPIRED;
	memset(&st, 0, sizeof(st));
	st.fresh = ak_fresh_is_fresh(cfg, e->checked, now);
	st.has_answer = e->status == 404 || doc != NULL;
	st.has_signed = doc != NULL && doc->kind != AK_DOC_PLAIN;
	switch (ak_cache_decide(cfg, &st, outage, now, AK_ASK_IF_STALE, 0)) {
	case AK_CACHE_USE:
		return DS_FRESH;
	case AK_CACHE_ASK:
		return DS_STALE;
	case AK_CACHE_STALE:
		return DS_STALE_IN_USE;
	default:
		return DS_UNUSABLE;
	}
}

/*
 * Reads one document's entry; for an account, rs is the list's revset
 * (NULL: none readable). *rsp, if not NULL, gets the list's revset.
 */
static void
look(const struct ak_config *cfg, const struct view_status *vs, uid_t owner,
    const char *account, time_t now, time_t outage,
    const struct ak_revset *rs, struct doc_status *ds,
    struct ak_revset **rsp)
{
	struct ak_cache_entry *e = NULL;
	struct ak_doc *doc = NULL;
	struct ak_keyset *ks = NULL;
	char name[64], errname[80];
	int expired = 0;

	memset(ds, 0, sizeof(*ds));
	ds->what = account;
	ds->state = DS_MISSING;
	if (ak_cache_name(account, name, sizeof(name)) != 0)
		return;
	snprintf(errname, sizeof(errname), "error.%s", name);
	(void)ak_note_read(cfg->cache_dir, errname, owner, ds->error,
	    sizeof(ds->error));
	if (ak_cache_read(cfg->cache_dir, name, owner, &e) != 0) {
		if (vs != NULL)
			ds->state = state_in_view(vs, account, NULL, NULL);
		return;
	}
	ds->have = 1;
	ds->status = e->status;
	ds->checked = e->checked;
	if (e->status == 200 && ak_doc_parse(e->body, e->bodylen, account ==
	    NULL ? AK_DOC_REVOCATIONS : cfg->require_signature ?
	    AK_DOC_ACCOUNT : AK_DOC_PLAIN, &doc) == 0) {
		ds->serial = doc->serial;
		ds->expires = doc->expires;
		ds->nsigners = ak_doc_signers(doc, ds->signers);
		expired = doc->expires != 0 && doc->expires <= now;
	}
	ds->state = vs != NULL && !expired ? state_in_view(vs, account, e,
	    doc) :
	    state_of(cfg, e, expired ? NULL : doc, expired, outage, now);
	if (account == NULL && doc != NULL && rsp != NULL) {
		if (ak_revset_from_doc(doc, rsp, &ds->fault) == 0) {
			ds->readable = 1;
			ds->keys = (*rsp)->n;
		}
	} else if (account != NULL && ak_keyset_from_doc(cfg, account,
	    e->status == 200 ? doc : NULL, rs, &ks) == 0) {
		struct ak_local lo;

		ds->readable = ks->all != AK_DENY_BAD_DOC;
		ds->fault = ks->fault;
		/*
		 * What a login takes from the cache now (expiry, the view,
		 * the freeze rule, the signers, the list): the command's own
		 * decision, not a count of lines that parse.
		 */
		if (ak_local_answer_as(cfg, owner, account, NULL, now, &lo) ==
		    AK_LOCAL_ANSWER)
			ds->keys = ak_keyset_admitted(lo.ks);
		ak_local_clear(&lo);
	}
	ak_keyset_free(ks);
	ak_doc_free(doc);
	ak_cache_entry_free(e);
}

static void
human(const struct ak_config *cfg, const struct doc_status *ds, time_t now)
{
	char exp[21];
	size_t i;

	if (ds->what != NULL)
		printf("account %s: ", ds->what);
	else
		printf("revocation list: ");
	if (!ds->have) {
		printf("no cached document%s%s%s, last error %s\n",
		    ds->state != DS_MISSING ? " (" : "",
		    ds->state != DS_MISSING ? state_str(cfg, ds->state) : "",
		    ds->state != DS_MISSING ? ")" : "",
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
		for (i = 0; i < ds->nsigners; i++)
			printf("%s%s", i == 0 ? "signed by " : " ",
			    ds->signers[i]);
		if (ds->nsigners > 0)
			printf(", ");
	}
	printf("confirmed %llds ago, %s (refresh_after %lds), last error %s\n",
	    (long long)(now - ds->checked), state_str(cfg, ds->state),
	    cfg->refresh_after,
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
		    ds[i].state == DS_FRESH);
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

/*
 * Live recorded sessions per account (authkeys-sweep --list has the
 * detail). The records are root's: without root, said so and skipped.
 */
static void
prom_sessions(const struct ak_config *cfg)
{
	struct ak_session s;
	struct ak_session_dir sd;
	struct ak_proctab t;
	char **acct = NULL, **tmp, uidname[32];
	const char *name;
	size_t *cnt = NULL, *ctmp, n = 0, i;
	int connected;

	printf("# HELP authkeys_sessions Live SSH sessions recorded by "
	    "pam_authkeys, per account.\n# TYPE authkeys_sessions gauge\n");
	if (ak_session_dir_open(&sd, cfg->session_dir) != 0) {
		printf("# authkeys_sessions: %s not readable (root only)\n",
		    cfg->session_dir);
		return;
	}
	if (ak_proc_scan(&t, AK_PROC_SESSION) != 0) {
		ak_session_dir_close(&sd);
		printf("# authkeys_sessions: /proc not readable\n");
		return;
	}
	/* As the sweep counts them: logged out with processes left too. */
	while (ak_session_dir_next(&sd, &s)) {
		if (!ak_session_running(&s, &t, &connected))
			continue;
		snprintf(uidname, sizeof(uidname), "uid:%lu",
		    (unsigned long)s.uid);
		name = ak_account_valid(s.account) ? s.account : uidname;
		for (i = 0; i < n && strcmp(acct[i], name) != 0; i++)
			;
		if (i == n) {
			if ((tmp = reallocarray(acct, n + 1, sizeof(*tmp))) ==
			    NULL)
				break;
			acct = tmp;
			if ((ctmp = reallocarray(cnt, n + 1, sizeof(*ctmp))) ==
			    NULL)
				break;
			cnt = ctmp;
			if ((acct[n] = strdup(name)) == NULL)
				break;
			cnt[n++] = 0;
		}
		cnt[i]++;
	}
	ak_session_dir_close(&sd);
	ak_proctab_free(&t);
	for (i = 0; i < n; i++) {
		printf("authkeys_sessions{account=\"%s\"} %zu\n", acct[i],
		    cnt[i]);
		free(acct[i]);
	}
	free(acct);
	free(cnt);
}

/*
 * The root of trust in use (trusted_root): the cache owner's record of the
 * newest root taken from the store, else the bootstrap. An expired root is
 * said loudly: only on_freeze = stale still admits anything under it.
 * Returns 1 if it is expired or unreadable.
 */
static int
root_status(const struct ak_config *cfg, uid_t owner, time_t now, int prom)
{
	struct ak_root_state rs;
	char exp[21];
	int r = ak_root_state_read(cfg, owner, &rs);
	int expired = r == 0 && rs.expires <= now;

	if (prom) {
		printf("# HELP authkeys_root_serial #serial of the root of "
		    "trust in use (0: trusted_root unreadable).\n"
		    "# TYPE authkeys_root_serial gauge\n"
		    "authkeys_root_serial %llu\n", rs.serial);
		printf("# HELP authkeys_root_expires_timestamp_seconds "
		    "#expires of the root in use.\n"
		    "# TYPE authkeys_root_expires_timestamp_seconds gauge\n"
		    "authkeys_root_expires_timestamp_seconds %lld\n",
		    (long long)rs.expires);
		printf("# HELP authkeys_root_expired 1 if the root in use has "
		    "expired (renew it: on_freeze = deny admits nothing).\n"
		    "# TYPE authkeys_root_expired gauge\n"
		    "authkeys_root_expired %d\n", expired || r != 0);
		return expired || r != 0;
	}
	if (r != 0) {
		printf("root: trusted_root %s: %s\n", cfg->trusted_root,
		    ak_err(r));
		return 1;
	}
	ak_time_format(rs.expires, exp);
	printf("root: serial %llu", rs.serial);
	if (rs.serial != rs.boot_serial)
		printf(" (bootstrap %llu, rotated through the store)",
		    rs.boot_serial);
	printf(", expires %s%s\n", exp, !expired ? "" : cfg->freeze_deny ?
	    " ROOT EXPIRED: nothing is admitted (on_freeze = deny)" :
	    " ROOT EXPIRED: still used (on_freeze = stale); renew it now");
	return expired;
}

int
status_run(const struct ak_config *cfg, int prom)
{
	struct doc_status *ds;
	struct view_status vs;
	struct ak_revset *rs = NULL;
	struct stat st;
	char why[512];
	time_t now = time(NULL), outage;
	uid_t owner = stat(cfg->cache_dir, &st) == 0 ? st.st_uid : geteuid();
	char **accts = NULL;
	size_t i, n, nacc = 0;
	int in_outage, bad = 0;

	if (ak_config_accounts(cfg, &accts, &nacc) != 0)
		return 1;
	n = nacc + (cfg->revocation_url != NULL);
	if ((ds = calloc(n + 1, sizeof(*ds))) == NULL) {
		ak_accounts_free(accts, nacc);
		return 1;
	}
	outage = ak_outage_read(cfg->cache_dir, owner, why, sizeof(why));
	in_outage = ak_fresh_in_outage(cfg, outage, now);
	if (cfg->ntimestamp_urls > 0)
		look_view(cfg, owner, now, &vs);
	if (cfg->revocation_url != NULL)
		look(cfg, cfg->ntimestamp_urls > 0 ? &vs : NULL, owner, NULL,
		    now, outage, NULL, &ds[n - 1], &rs);
	for (i = 0; i < nacc; i++)
		look(cfg, cfg->ntimestamp_urls > 0 ? &vs : NULL, owner,
		    accts[i], now, outage, rs, &ds[i], NULL);
	ak_revset_free(rs);
	for (i = 0; i < n; i++)
		bad |= (ds[i].state != DS_FRESH &&
		    ds[i].state != DS_NOT_IN_SNAPSHOT) ||
		    ds[i].error[0] != '\0' ||
		    (ds[i].status == 200 && !ds[i].readable);
	if (cfg->ntimestamp_urls > 0)
		bad |= !vs.have || vs.frozen || vs.error[0] != '\0' ||
		    !ak_fresh_is_fresh(cfg, vs.checked, now);
	if (cfg->trusted_root != NULL)
		bad |= root_status(cfg, owner, now, prom);
	if (prom) {
		prometheus(ds, n, now, outage, in_outage);
		if (cfg->ntimestamp_urls > 0)
			prom_view(&vs, now);
		prom_sessions(cfg);
	} else {
		if (outage == 0)
			printf("store: no outage recorded\n");
		else
			printf("store: unavailable %llds ago%s: %s\n",
			    (long long)(now - outage), in_outage ?
			    " (logins do not ask it until retry_after passes)" :
			    "", why[0] ? why : "-");
		if (cfg->ntimestamp_urls > 0)
			human_view(cfg, &vs, now);
		for (i = 0; i < n; i++)
			human(cfg, &ds[i], now);
	}
	if (cfg->ntimestamp_urls > 0)
		ak_snap_free(vs.snap);
	free(ds);
	ak_accounts_free(accts, nacc);
	return bad ? 1 : 0;
}
