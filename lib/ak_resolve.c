/*
 * The one orchestrator front ends call: the freshness rule, cache and lock,
 * mirrors within the time budget, verification, rollback floors, outage
 * memory, stale-if-unavailable. This part: set-up, and for each target,
 * gather what is held, then choose (the other parts: ak_resolve_int.h).
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ak_cache.h"
#include "ak_config.h"
#include "ak_doc.h"
#include "ak_err.h"
#include "ak_file.h"
#include "ak_fresh.h"
#include "ak_keyset.h"
#include "ak_log.h"
#include "ak_resolve.h"
#include "ak_resolve_int.h"
#include "ak_time.h"

const struct floor akr_no_floor;

/* Documents that must exist: a 404 for them is a broken store. */
int
akr_required(const struct target *t)
{
	return t->want != NULL || t->kind == AK_DOC_SNAPSHOT ||
	    t->kind == AK_DOC_TIMESTAMP;
}

/* Only our own record counts: root never reads the peer's (SPEC). */
static void
read_outage(struct ak_resolver *rv)
{
	rv->outage = ak_outage_read(rv->dir, geteuid(), NULL, 0);
}

/*
 * Who may sign: trusted_root's roles and thresholds, or trusted_signers
 * (an implicit 1-of-n root: its keys sign documents and timestamps, as
 * each line's namespaces= allow). A root past its #expires is still used
 * with on_freeze = stale (no logins lost while the root is renewed), and
 * said loudly; with deny it decides nothing.
 */
/*
 * The root in force from the bootstrap on, for this resolver's own dir
 * and peer (root.N files the refresher took from the store). An expired
 * one is used only with on_freeze = stale.
 */
static int
use_root(struct ak_resolver *rv)
{
	const struct ak_config *cfg = rv->cfg;
	const char *own = rv->dir, *peer = rv->peer_dir;
	uid_t peer_uid = rv->peer_uid;
	struct ak_root *cur;
	struct stat st;
	int r;

	/* A cache this process does not own gives signed roots only. */
	if (peer == NULL && stat(own, &st) == 0 && st.st_uid != geteuid()) {
		peer = own;
		peer_uid = st.st_uid;
		own = NULL;
	}
	if ((r = ak_root_walk(rv->boot, 1, own, peer, peer_uid, rv->now,
	    &cur)) != 0)
		return r;
	ak_root_free(rv->root);
	rv->root = cur;
	rv->signers = cur->role[AK_ROLE_DOCUMENTS];
	rv->ts_signers = cur->role[AK_ROLE_TIMESTAMP];
	if (cur->expires <= rv->now) {
		ak_log(LOG_ERR, "ROOT EXPIRED: root %llu (trusted_root %s%s) "
		    "expired; %s", cur->serial, cfg->trusted_root,
		    cur->serial != rv->boot->serial ? " and the store's "
		    "rotations" : "", cfg->freeze_deny ? "on_freeze = deny: "
		    "nothing is admitted until it is renewed" : "on_freeze = "
		    "stale: still used, renew it now");
		if (cfg->freeze_deny)
			return AK_ERR_EXPIRED;
	}
	return 0;
}

static int
load_trust(struct ak_resolver *rv)
{
	const struct ak_config *cfg = rv->cfg;
	struct ak_signers *s;
	int r;

	if (cfg->trusted_root != NULL) {
		if ((r = ak_root_read(cfg->trusted_root, 0, rv->now,
		    &rv->boot)) != 0)
			return r;
		memcpy(rv->trust_digest, rv->boot->digest,
		    sizeof(rv->trust_digest));
		return use_root(rv);
	} else if (cfg->trusted_signers != NULL) {
		if ((r = ak_signers_load(cfg->trusted_signers, &s)) != 0)
			return r;
		rv->signers = rv->ts_signers = s;
		memcpy(rv->trust_digest, s->digest, sizeof(rv->trust_digest));
	}
	return 0;
}

/* dir (root's, private) as rv's own, the cache as the peer. */
static int
set_private(struct ak_resolver *rv, const char *dir)
{
	struct stat st;
	int r;

	if ((r = ak_file_private_dir(dir)) != 0)
		return r;
	rv->dir = dir;
	rv->peer_dir = rv->cfg->cache_dir;
	/* A peer dir that is gone or odd is simply not read (logged there). */
	rv->peer_uid = stat(rv->peer_dir, &st) == 0 ? st.st_uid : 0;
	return 0;
}

/* As ak_resolver_init; with dir, ak_resolver_private's dir and peer. */
static int
setup(struct ak_resolver *rv, const struct ak_config *cfg, enum ak_ask ask,
    const char *dir)
{
	int r;

	memset(rv, 0, sizeof(*rv));
	rv->cfg = cfg;
	rv->dir = cfg->cache_dir;
	if (dir != NULL && (r = set_private(rv, dir)) != 0)
		return r;
	rv->ask = ask;
	rv->lock_ms = cfg->timeout * 100;
	ak_resolver_restart(rv);
	(void)snprintf(rv->ts_namespace, sizeof(rv->ts_namespace),
	    "%s-timestamp", cfg->namespace);
	if ((r = akr_view_urls(rv)) != 0) {
		ak_resolver_clear(rv);
		return r;
	}
	/* Nothing held on failure: callers need not clear. */
	if ((r = load_trust(rv)) != 0) {
		ak_resolver_clear(rv);
		return r;
	}
	return 0;
}

int
ak_resolver_init(struct ak_resolver *rv, const struct ak_config *cfg,
    enum ak_ask ask)
{
	return setup(rv, cfg, ask, NULL);
}

int
ak_resolver_init_private(struct ak_resolver *rv, const struct ak_config *cfg,
    enum ak_ask ask, const char *dir)
{
	return setup(rv, cfg, ask, dir);
}

void
ak_resolver_restart(struct ak_resolver *rv)
{
	rv->now = time(NULL);
	rv->deadline_ms = ak_now_ms() + rv->cfg->timeout * 1000;
	read_outage(rv);
}

int
ak_resolver_private(struct ak_resolver *rv, const char *dir)
{
	int r;

	if ((r = set_private(rv, dir)) != 0)
		return r;
	read_outage(rv);
	/* Root's own record, and what the refresher took since. */
	if (rv->boot != NULL && (r = use_root(rv)) != 0)
		return r;
	return 0;
}

void
ak_resolver_clear(struct ak_resolver *rv)
{
	size_t i;

	akr_view_clear(&rv->view);
	for (i = 0; i < AK_MAX_URLS; i++) {
		free(rv->snapshot_urls[i]);
		rv->snapshot_urls[i] = NULL;
	}
	if (rv->boot != NULL) {
		ak_root_free(rv->root);
		ak_root_free(rv->boot);
	} else {
		ak_signers_free((struct ak_signers *)rv->signers);
	}
	rv->root = rv->boot = NULL;
	rv->signers = rv->ts_signers = NULL;
	ak_fetcher_free(rv->fetcher);
	rv->fetcher = NULL;
}

void
ak_result_clear(struct ak_result *res)
{
	ak_keyset_free(res->ks);
	ak_doc_free(res->doc);
	ak_revset_free(res->rs);
	memset(res, 0, sizeof(*res));
}

const char *
ak_source_str(enum ak_source s)
{
	switch (s) {
	case AK_SOURCE_NONE:
		return "-";
	case AK_SOURCE_CACHE:
		return "cache";
	case AK_SOURCE_STALE:
		return "stale cache";
	case AK_SOURCE_STORE:
		return "store";
	case AK_SOURCE_NOT_MODIFIED:
		return "store (not modified)";
	case AK_SOURCE_SNAPSHOT:
		return "snapshot";
	case AK_SOURCE_UNTRUSTED:
		return "untrusted signer";
	}
	return "-";
}

/* Of two cached documents (either may be NULL or hold none), the newer. */
static struct cached *
newer(struct cached *a, struct cached *b)
{
	if (a == NULL || a->doc == NULL)
		return b != NULL && b->doc != NULL ? b : NULL;
	if (b == NULL || b->doc == NULL)
		return a;
	return b->doc->serial > a->doc->serial ? b : a;
}

/* Takes what the decision chose: c's document (or none: a 404). */
static void
take(struct ak_resolver *rv, const char *name, struct cached *c,
    struct cached *peer, unsigned long long floor, struct ak_doc **docp)
{
	if (c == NULL)
		return;
	if (c == peer && c->doc->serial > floor)
		akr_adopt_peer(rv, name, peer);
	*docp = c->doc;
	c->doc = NULL;
}

/*
 * What this process holds for one target before any decision: its own
 * entry and (root) the peer's, each verified again, the floor its own
 * entry sets, the candidates that may answer without the store, and the
 * lock that makes one fetch serve many invocations.
 */
struct held {
	char name[64];
	int lockfd;
	struct cached own, peer;
	struct cached *fresh_own, *fresh_peer;
	struct floor fl;
	enum ak_ask ask;
};

static void
held_clear(struct held *h)
{
	akr_cached_clear(&h->own);
	akr_cached_clear(&h->peer);
	ak_cache_unlock(h->lockfd);
	h->lockfd = -1;
}

static int
gather(struct ak_resolver *rv, const struct target *t, struct held *h)
{
	long long lock_end;
	int r;

	memset(h, 0, sizeof(*h));
	h->lockfd = -1;
	/*
	 * Under a view the snapshot says what is current: the document it
	 * names, once verified, needs no asking (the refresher and
	 * revalidate=always ask the timestamp instead).
	 */
	h->ask = t->want != NULL && rv->ask != AK_ASK_NEVER ?
	    AK_ASK_IF_STALE : rv->ask;
	if (t->name != NULL)
		snprintf(h->name, sizeof(h->name), "%s", t->name);
	else if ((r = ak_cache_name(t->account, h->name, sizeof(h->name))) !=
	    0)
		return r;
	/*
	 * One fetch for many invocations: the lock, then look again. The
	 * lock only saves fetches, so it is waited for briefly and the fetch
	 * keeps the rest of the budget.
	 */
	lock_end = ak_now_ms() + rv->lock_ms;
	h->lockfd = ak_cache_lock(rv->dir, h->name, lock_end <
	    rv->deadline_ms ? lock_end : rv->deadline_ms);
	if (h->lockfd < 0)
		ak_log(LOG_WARNING, "%s: no cache lock (%s); going on without",
		    t->what, ak_err(h->lockfd));
	akr_read_cached(rv, t, rv->dir, h->name, geteuid(), 1, &akr_no_floor,
	    NULL, &h->own);
	akr_floor_of(rv, t, h->own.e, &h->fl);
	akr_remark(rv, t, h->name, &h->own);
	if (rv->peer_dir != NULL)
		akr_read_cached(rv, t, rv->peer_dir, h->name, rv->peer_uid, 0,
		    &h->fl, h->own.e, &h->peer);
	/* We saw the store drop it: only a newer document brings it back. */
	if (h->own.e != NULL && h->own.e->status == 404 &&
	    h->peer.doc != NULL && h->peer.doc->serial <= h->fl.serial)
		akr_cached_clear(&h->peer);
	/*
	 * What may answer without the store: our own entry while our own
	 * confirmation is fresh; in the default mode, a signed document the
	 * refresher keeps in the peer's cache (SPEC "Privilege rule": its
	 * signature vouches; its confirmation time, and a 404 it recorded,
	 * are only its word).
	 */
	h->fresh_own = h->own.e != NULL && (h->own.e->status == 404 ||
	    h->own.doc != NULL) && (t->want != NULL ||
	    ak_fresh_is_fresh(rv->cfg, h->own.e->checked, rv->now)) ?
	    &h->own : NULL;
	h->fresh_peer = h->ask == AK_ASK_IF_STALE && h->peer.doc != NULL ?
	    &h->peer : NULL;
	return 0;
}

/*
 * Nothing usable: a document signed only by a key root no longer trusts is
 * root's own word that it admits nothing (an account then has no keys,
 * the sweep ends its sessions); anything else is no answer at all.
 */
static int
none_usable(struct ak_resolver *rv, const struct target *t,
    const struct held *h, int asked, enum ak_source *sourcep)
{
	if ((h->own.untrusted || h->peer.untrusted) && !akr_required(t)) {
		ak_log(LOG_WARNING, "%s: the cached document is signed by a "
		    "key %s no longer names, or by fewer than its threshold: "
		    "it admits nothing", t->what, rv->root != NULL ?
		    "trusted_root" : "trusted_signers");
		*sourcep = AK_SOURCE_UNTRUSTED;
		return 0;
	}
	if (h->ask == AK_ASK_NEVER)
		snprintf(rv->last_error, sizeof(rv->last_error),
		    "no verified cached document");
	else {
		if (!asked)
			snprintf(rv->last_error, sizeof(rv->last_error),
			    "store unavailable (outage recorded)");
		ak_log(LOG_ERR, "%s: store unavailable and no usable cache",
		    t->what);
	}
	return AK_ERR_UNAVAILABLE;
}

/* The one cache decision on what was gathered; the store if it says so. */
static int
choose(struct ak_resolver *rv, const struct target *t, struct held *h,
    struct ak_doc **docp, enum ak_source *sourcep)
{
	struct ak_cached_state st;
	struct cached *best;
	enum ak_cache_use use;
	int r, asked = 0;

	memset(&st, 0, sizeof(st));
	st.fresh = st.has_answer = h->fresh_own != NULL ||
	    h->fresh_peer != NULL;
	st.has_signed = (h->own.doc != NULL &&
	    h->own.doc->kind != AK_DOC_PLAIN) || h->peer.doc != NULL;
	use = ak_cache_decide(rv->cfg, &st, rv->outage, rv->now, h->ask, 0);
	if (use == AK_CACHE_ASK) {
		asked = 1;
		r = akr_ask_store(rv, t, h->name, &h->own, &h->fl, docp,
		    sourcep);
		if (r != AK_ERR_UNAVAILABLE)
			return r;
		use = ak_cache_decide(rv->cfg, &st, rv->outage, rv->now,
		    h->ask, 1);
	}
	/* The stale candidates: signed documents only, the newest. */
	best = newer(h->own.doc != NULL && h->own.doc->kind != AK_DOC_PLAIN ?
	    &h->own : NULL, &h->peer);
	switch (use) {
	case AK_CACHE_USE:
		if (h->ask != AK_ASK_NEVER)
			best = newer(h->fresh_own, h->fresh_peer);
		/*
		 * An entry of an older version has no SHA-256 in its header:
		 * written again once, the cache-hit path can then hold it to
		 * the snapshot itself instead of asking for this every time.
		 */
		if (best == &h->own && t->want != NULL &&
		    !h->own.e->has_sha256 && rv->peer_dir == NULL)
			akr_store_entry(rv, h->name, 200, h->own.e->etag,
			    h->own.e->min_serial, h->own.e->body,
			    h->own.e->bodylen, h->own.doc);
		take(rv, h->name, best, &h->peer, h->fl.serial, docp);
		*sourcep = AK_SOURCE_CACHE;
		return 0;
	case AK_CACHE_STALE:
		if (!asked) {
			ak_log(LOG_INFO, "%s: store unavailable %llds ago "
			    "(retry_after %lds): not asked", t->what,
			    (long long)(rv->now - rv->outage),
			    rv->cfg->retry_after);
			snprintf(rv->last_error, sizeof(rv->last_error),
			    "store unavailable (outage recorded)");
		}
		ak_log(LOG_WARNING, "%s: store unavailable, using cached "
		    "document (serial %llu) until it expires", t->what,
		    best->doc->serial);
		take(rv, h->name, best, &h->peer, h->fl.serial, docp);
		*sourcep = AK_SOURCE_STALE;
		return 0;
	default:
		return none_usable(rv, t, h, asked, sourcep);
	}
}

int
akr_resolve_target(struct ak_resolver *rv, const struct target *t,
    struct ak_doc **docp, enum ak_source *sourcep)
{
	struct held h;
	int r;

	*docp = NULL;
	*sourcep = AK_SOURCE_NONE;
	if ((r = gather(rv, t, &h)) == 0)
		r = choose(rv, t, &h, docp, sourcep);
	held_clear(&h);
	return r;
}

int
ak_resolve_doc(struct ak_resolver *rv, const char *account,
    struct ak_doc **docp, enum ak_source *sourcep)
{
	const struct ak_config *cfg = rv->cfg;
	const char *rl_urls[1];
	struct target t;

	memset(&t, 0, sizeof(t));
	if (cfg->ntimestamp_urls > 0) {
		*docp = NULL;
		*sourcep = AK_SOURCE_NONE;
		if (!rv->view.held && ak_resolve_view(rv) != 0)
			return AK_ERR_UNAVAILABLE;
		if (rv->view.frozen && cfg->freeze_deny) {
			snprintf(rv->last_error, sizeof(rv->last_error), "%s",
			    ak_err(AK_ERR_FROZEN));
			return AK_ERR_UNAVAILABLE;
		}
		if ((t.want = ak_snap_find(rv->view.snap, account)) == NULL) {
			/* Not in the snapshot: no keys, no list. */
			*sourcep = AK_SOURCE_SNAPSHOT;
			return 0;
		}
	}
	rv->last_error[0] = '\0';
	if (account != NULL) {
		t.what = account;
		t.account = account;
		t.kind = cfg->require_signature ? AK_DOC_ACCOUNT : AK_DOC_PLAIN;
		t.urls = (const char *const *)cfg->urls;
		t.nurls = cfg->nurls;
		/* The list, if any, still gets its share of the budget. */
		t.groups_left = cfg->revocation_url != NULL ? 2 : 1;
	} else {
		if (cfg->revocation_url == NULL)
			return AK_ERR_CONFIG;
		rl_urls[0] = cfg->revocation_url;
		t.what = "revocation list";
		t.kind = AK_DOC_REVOCATIONS;
		t.urls = rl_urls;
		t.nurls = 1;
		t.groups_left = 1;
	}
	return akr_resolve_target(rv, &t, docp, sourcep);
}

int
ak_resolve_list(struct ak_resolver *rv, struct ak_revset **rsp,
    enum ak_source *sourcep)
{
	struct ak_doc *rdoc = NULL;

	*rsp = NULL;
	*sourcep = AK_SOURCE_NONE;
	if (rv->cfg->revocation_url == NULL)
		return 0;
	if (ak_resolve_doc(rv, NULL, &rdoc, sourcep) != 0)
		return AK_ERR_UNAVAILABLE;
	/* None at the store, or unreadable: every key is refused. */
	if (rdoc == NULL)
		ak_log(LOG_ERR, "revocation list: store has none (404); no key "
		    "is admitted");
	else
		(void)ak_revset_from_doc(rdoc, rsp, NULL);
	ak_doc_free(rdoc);
	return 0;
}

int
ak_resolve(struct ak_resolver *rv, const char *account, struct ak_result *res)
{
	int r;

	memset(res, 0, sizeof(*res));
	if ((r = ak_resolve_doc(rv, account, &res->doc, &res->source)) != 0 ||
	    (r = ak_resolve_list(rv, &res->rs, &res->rl_source)) != 0)
		goto fail;
	if ((r = ak_keyset_from_doc(rv->cfg, account, res->doc, res->rs,
	    &res->ks)) != 0)
		goto fail;
	return 0;
 fail:
	ak_result_clear(res);
	return AK_ERR_UNAVAILABLE;
}
