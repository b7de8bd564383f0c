/*
 * The one orchestrator front ends call: the freshness rule, cache and lock,
 * mirrors within the time budget, verification, rollback floors, outage
 * memory, stale-if-unavailable, and the index and KRL written on the way.
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
#include "ak_fetch.h"
#include "ak_file.h"
#include "ak_index.h"
#include "ak_log.h"
#include "ak_keyset.h"
#include "ak_resolve.h"
#include "ak_sha256.h"
#include "ak_sshsig.h"
#include "ak_time.h"
#include "ak_url.h"

#define URL_MAX	2048

struct target {
	const char *what;	/* account name or "revocation list" */
	const char *account;	/* NULL for the list */
	const char *name;	/* cache name, if not the account's */
	enum ak_doc_kind kind;
	const char *const *urls;
	size_t nurls;
	int groups_left;	/* fetch groups still to come, this one too */
	/* Under a view: the snapshot's entry the document must match. */
	const struct ak_snap_entry *want;
};

/* Documents that must exist: a 404 for them is a broken store. */
static int
required(const struct target *t)
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

int
ak_resolver_init(struct ak_resolver *rv, const struct ak_config *cfg,
    enum ak_ask ask)
{
	int r;

	memset(rv, 0, sizeof(*rv));
	rv->cfg = cfg;
	rv->dir = cfg->cache_dir;
	rv->ask = ask;
	rv->lock_ms = cfg->timeout * 100;
	ak_resolver_restart(rv);
	(void)snprintf(rv->ts_namespace, sizeof(rv->ts_namespace),
	    "%s-timestamp", cfg->namespace);
	for (r = 0; r < (int)cfg->ntimestamp_urls; r++) {
		const char *u = cfg->timestamp_urls[r];
		size_t dir = (size_t)(strrchr(u, '/') - u) + 1;

		if ((rv->snapshot_urls[r] = malloc(dir + 9)) == NULL)
			return AK_ERR_ALLOC;
		memcpy(rv->snapshot_urls[r], u, dir);
		memcpy(rv->snapshot_urls[r] + dir, "snapshot", 9);
	}
	if (cfg->trusted_signers != NULL) {
		struct ak_signers *s;

		if ((r = ak_signers_load(cfg->trusted_signers, &s)) != 0)
			return r;
		rv->signers = s;
	}
	return 0;
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
	struct stat st;
	int r;

	if ((r = ak_file_private_dir(dir)) != 0)
		return r;
	rv->dir = dir;
	rv->peer_dir = rv->cfg->cache_dir;
	/* A peer dir that is gone or odd is simply not read (logged there). */
	rv->peer_uid = stat(rv->peer_dir, &st) == 0 ? st.st_uid : 0;
	read_outage(rv);
	return 0;
}

static void
view_clear(struct ak_view *v)
{
	ak_snap_free(v->snap);
	memset(v, 0, sizeof(*v));
}

void
ak_resolver_clear(struct ak_resolver *rv)
{
	size_t i;

	view_clear(&rv->view);
	for (i = 0; i < AK_MAX_URLS; i++) {
		free(rv->snapshot_urls[i]);
		rv->snapshot_urls[i] = NULL;
	}
	ak_signers_free((struct ak_signers *)rv->signers);
	rv->signers = NULL;
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

static const char *
ns_of(const struct ak_resolver *rv, enum ak_doc_kind kind)
{
	return kind == AK_DOC_TIMESTAMP ? rv->ts_namespace :
	    rv->cfg->namespace;
}

/*
 * What a verified signature was checked against: the trusted_signers
 * file's bytes and the namespace. Recorded in the entry its verifier
 * writes; the same bytes under the same mark need no second check.
 */
static void
mark_of(const struct ak_resolver *rv, enum ak_doc_kind kind,
    unsigned char mark[AK_SHA256_LEN])
{
	struct ak_sha256 c;
	const char *ns = ns_of(rv, kind);

	ak_sha256_init(&c);
	if (rv->signers != NULL)
		ak_sha256_update(&c, rv->signers->digest,
		    sizeof(rv->signers->digest));
	ak_sha256_update(&c, ns, strlen(ns) + 1);
	ak_sha256_final(&c, mark);
}

/*
 * Did this process (root: the module, the sweep; or the cache owner)
 * already verify exactly these bytes under these signers? memo is an
 * entry it wrote itself, never the peer's. Signers with validity windows
 * are checked every time (the answer depends on when).
 */
static int
memo_covers(const struct ak_resolver *rv, enum ak_doc_kind kind,
    const struct ak_cache_entry *memo, const char *body, size_t len)
{
	unsigned char h[AK_SHA256_LEN], mark[AK_SHA256_LEN];

	if (memo == NULL || !memo->has_verified || !memo->has_sha256 ||
	    rv->signers == NULL || rv->signers->windows)
		return 0;
	mark_of(rv, kind, mark);
	if (memcmp(mark, memo->verified, sizeof(mark)) != 0)
		return 0;
	ak_sha256(body, len, h);
	return memcmp(h, memo->sha256, sizeof(h)) == 0;
}

/*
 * Parses and fully verifies a body as the target's kind of document.
 * fetched: it comes from the store now (a timestamp's #expires counts only
 * then: once verified, its age is the frozen rule's to judge). memo: an
 * entry of our own that may say these bytes were verified already.
 */
static int
validate(struct ak_resolver *rv, const struct target *t, const char *body,
    size_t len, unsigned long long min_serial, int fetched,
    const struct ak_cache_entry *memo, struct ak_doc **docp)
{
	struct ak_doc *doc = NULL;
	int r;

	*docp = NULL;
	if ((r = ak_doc_parse(body, len, t->kind, &doc)) != 0)
		return r;
	if (t->kind != AK_DOC_PLAIN && !memo_covers(rv, t->kind, memo, body,
	    len) && (r = ak_sshsig_verify_doc(doc, ns_of(rv, t->kind),
	    rv->signers, rv->now)) != 0)
		goto out;
	if ((r = ak_doc_check(doc, t->account, t->kind == AK_DOC_TIMESTAMP &&
	    !fetched ? 0 : rv->now, min_serial)) != 0)
		goto out;
	if (t->want != NULL && !ak_snap_matches(t->want, doc->serial, body,
	    len)) {
		r = AK_ERR_SNAPSHOT;
		goto out;
	}
	*docp = doc;
	doc = NULL;
 out:
	ak_doc_free(doc);
	return r;
}

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

static void
store_entry(struct ak_resolver *rv, const char *name, int status,
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
		mark_of(rv, doc->kind, e.verified);
		e.has_verified = 1;
	}
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
    struct ak_doc **docp, const char **sourcep)
{
	struct ak_fetch_result fr;
	char url[URL_MAX];
	unsigned long long min_serial = ce != NULL ? ce->min_serial : 0;
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
		if (fr.status == 404 && required(t)) {
			ak_log(LOG_ERR, "%s: %s: not found (404), but %s "
			    "names it", url, t->what, t->want != NULL ?
			    "the snapshot" : "timestamp_url");
			snprintf(rv->last_error, sizeof(rv->last_error),
			    "%s: not found at the store (404)", t->what);
			continue;
		}
		if (fr.status == 404) {
			store_entry(rv, name, 404, NULL, min_serial, NULL, 0,
			    NULL);
			*docp = NULL;
			*sourcep = "store";
			return 0;
		}
		if (fr.status == 304) {
			if (cdoc == NULL) {
				ak_log(LOG_ERR, "%s: 304 without a cached "
				    "document", url);
				continue;
			}
			/* Same bytes as cached: re-verified, now fresh. */
			if ((r = validate(rv, t, ce->body, ce->bodylen,
			    min_serial, 1, ce, docp)) != 0) {
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
			*sourcep = "store (not modified)";
			return 0;
		}
		r = validate(rv, t, fr.body, fr.len, min_serial, 1, NULL, docp);
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
		store_entry(rv, name, 200, fr.etag, min_serial, fr.body,
		    fr.len, *docp);
		ak_fetch_result_clear(&fr);
		*sourcep = "store";
		return 0;
	}
	return AK_ERR_UNAVAILABLE;
}

/* One cache entry and, if it holds a usable document, that document. */
struct cached {
	struct ak_cache_entry *e;
	struct ak_doc *doc;	/* NULL: none, or a cached 404 */
};

static void
cached_clear(struct cached *c)
{
	ak_doc_free(c->doc);
	ak_cache_entry_free(c->e);
	memset(c, 0, sizeof(*c));
}

/*
 * Reads dir/name (files of also_trust or root) and verifies what it holds
 * again, signature included, not below floor. Unsigned bodies count only
 * with plain_ok. If nothing is usable, c->doc is NULL and c->e (if any)
 * keeps only its rollback floor (status 0): an expired or superseded
 * document still says how low a serial may never go again.
 */
static void
read_cached(struct ak_resolver *rv, const struct target *t, const char *dir,
    const char *name, uid_t also_trust, int plain_ok,
    unsigned long long floor, const struct ak_cache_entry *own,
    struct cached *c)
{
	int r;

	memset(c, 0, sizeof(*c));
	r = ak_cache_read(dir, name, also_trust, &c->e);
	if (r != 0 && r != AK_ERR_NOT_FOUND)
		ak_log(LOG_WARNING, "cache %s/%s ignored: %s", dir, name,
		    ak_err(r));
	if (c->e == NULL)
		return;
	if (t->kind == AK_DOC_PLAIN && !plain_ok) {
		cached_clear(c);
		return;
	}
	/* Our own entry is its own memo; the peer's, only by our entry. */
	if (c->e->status == 200 && (r = validate(rv, t, c->e->body,
	    c->e->bodylen, floor, 0, dir == rv->dir ? c->e : own,
	    &c->doc)) != 0) {
		/* The snapshot moved on: routine, the store has the new one. */
		ak_log(r == AK_ERR_SNAPSHOT ? LOG_INFO : LOG_WARNING,
		    "cache %s/%s not used: %s", dir, name, ak_err(r));
		c->e->status = 0;
	}
	/* Under a view, only the document it names answers; no 404. */
	if (c->doc == NULL && required(t))
		c->e->status = 0;
}

/*
 * Our own entry verified just now by its signature, not by its mark (an
 * older version wrote it, or trusted_signers changed): the mark is written
 * in, the rest of the entry as it was (its confirmation time included), so
 * the next reader need not verify the same bytes again.
 */
static void
remark(struct ak_resolver *rv, const struct target *t, const char *name,
    const struct cached *own)
{
	struct ak_cache_entry e;
	int r;

	if (own->doc == NULL || own->doc->kind == AK_DOC_PLAIN ||
	    rv->signers == NULL || rv->signers->windows ||
	    memo_covers(rv, t->kind, own->e, own->e->body, own->e->bodylen))
		return;
	e = *own->e;
	mark_of(rv, t->kind, e.verified);
	e.has_verified = 1;
	if ((r = ak_cache_write(rv->dir, name, &e)) != 0)
		ak_log(LOG_WARNING, "cache %s/%s not written: %s", rv->dir,
		    name, ak_err(r));
}

/*
 * The module took a newer signed document from the peer's cache: it becomes
 * the module's own entry, so its rollback floor rises and a cache owner can
 * never bring back anything older. No ETag (we did not fetch it) and no
 * confirmation time (the peer's is not ours to believe).
 */
static void
adopt_peer(struct ak_resolver *rv, const char *name, const struct cached *peer)
{
	struct ak_cache_entry e;
	int r;

	memset(&e, 0, sizeof(e));
	/* Long ago (not 0: the file's mtime would say "now", i.e. fresh). */
	e.checked = 1;
	e.status = 200;
	mark_of(rv, peer->doc->kind, e.verified);
	e.has_verified = 1;
	e.min_serial = peer->doc->serial;
	e.body = peer->e->body;
	e.bodylen = peer->e->bodylen;
	if ((r = ak_cache_write(rv->dir, name, &e)) != 0)
		ak_log(LOG_WARNING, "cache %s/%s not written: %s", rv->dir,
		    name, ak_err(r));
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
		adopt_peer(rv, name, peer);
	*docp = c->doc;
	c->doc = NULL;
}

/* Asks the store; records the outcome in our own outage memory. */
static int
ask_store(struct ak_resolver *rv, const struct target *t, const char *name,
    const struct cached *own, struct ak_doc **docp, const char **sourcep)
{
	char errname[80];
	int r;

	/* Only an entry this process wrote may vouch for an ETag. */
	r = from_store(rv, t, name, own->e, own->doc, docp, sourcep);
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

static int
resolve_target(struct ak_resolver *rv, const struct target *t,
    struct ak_doc **docp, const char **sourcep)
{
	struct cached own, peer, *fresh_own, *fresh_peer, *best;
	struct ak_cached_state st;
	enum ak_cache_use use;
	unsigned long long floor;
	char name[64];
	long long lock_end;
	int r, lockfd, asked = 0;
	/*
	 * Under a view the snapshot says what is current: the document it
	 * names, once verified, needs no asking (the refresher and
	 * revalidate=always ask the timestamp instead).
	 */
	enum ak_ask ask = t->want != NULL && rv->ask != AK_ASK_NEVER ?
	    AK_ASK_IF_STALE : rv->ask;

	*docp = NULL;
	*sourcep = NULL;
	memset(&peer, 0, sizeof(peer));
	if (t->name != NULL)
		snprintf(name, sizeof(name), "%s", t->name);
	else if ((r = ak_cache_name(t->account, name, sizeof(name))) != 0)
		return r;
	/*
	 * One fetch for many invocations: the lock, then look again. The
	 * lock only saves fetches, so it is waited for briefly and the fetch
	 * keeps the rest of the budget.
	 */
	lock_end = ak_now_ms() + rv->lock_ms;
	lockfd = ak_cache_lock(rv->dir, name, lock_end < rv->deadline_ms ?
	    lock_end : rv->deadline_ms);
	if (lockfd < 0)
		ak_log(LOG_WARNING, "%s: no cache lock (%s); going on without",
		    t->what, ak_err(lockfd));
	read_cached(rv, t, rv->dir, name, geteuid(), 1, 0, NULL, &own);
	floor = own.e != NULL ? own.e->min_serial : 0;
	remark(rv, t, name, &own);
	if (rv->peer_dir != NULL)
		read_cached(rv, t, rv->peer_dir, name, rv->peer_uid, 0, floor,
		    own.e, &peer);
	/* We saw the store drop it: only a newer document brings it back. */
	if (own.e != NULL && own.e->status == 404 && peer.doc != NULL &&
	    peer.doc->serial <= floor)
		cached_clear(&peer);
	/*
	 * What may answer without the store: our own entry while our own
	 * confirmation is fresh; in the default mode, a signed document the
	 * refresher keeps in the peer's cache (SPEC "Privilege rule": its
	 * signature vouches; its confirmation time, and a 404 it recorded,
	 * are only its word).
	 */
	fresh_own = own.e != NULL && (own.e->status == 404 ||
	    own.doc != NULL) && (t->want != NULL ||
	    ak_fresh_is_fresh(rv->cfg, own.e->checked, rv->now)) ? &own : NULL;
	fresh_peer = ask == AK_ASK_IF_STALE && peer.doc != NULL ?
	    &peer : NULL;
	memset(&st, 0, sizeof(st));
	st.fresh = st.has_answer = fresh_own != NULL || fresh_peer != NULL;
	st.has_signed = (own.doc != NULL && own.doc->kind != AK_DOC_PLAIN) ||
	    peer.doc != NULL;
	use = ak_cache_decide(rv->cfg, &st, rv->outage, rv->now, ask, 0);
	if (use == AK_CACHE_ASK) {
		asked = 1;
		r = ask_store(rv, t, name, &own, docp, sourcep);
		if (r != AK_ERR_UNAVAILABLE)
			goto out;
		use = ak_cache_decide(rv->cfg, &st, rv->outage, rv->now,
		    ask, 1);
	}
	/* The stale candidates: signed documents only, the newest. */
	best = newer(own.doc != NULL && own.doc->kind != AK_DOC_PLAIN ?
	    &own : NULL, &peer);
	r = 0;
	switch (use) {
	case AK_CACHE_USE:
		if (ask != AK_ASK_NEVER)
			best = newer(fresh_own, fresh_peer);
		/*
		 * An entry of an older version has no SHA-256 in its header:
		 * written again once, the cache-hit path can then hold it to
		 * the snapshot itself instead of asking for this every time.
		 */
		if (best == &own && t->want != NULL && !own.e->has_sha256 &&
		    rv->peer_dir == NULL)
			store_entry(rv, name, 200, own.e->etag,
			    own.e->min_serial, own.e->body, own.e->bodylen,
			    own.doc);
		take(rv, name, best, &peer, floor, docp);
		*sourcep = "cache";
		break;
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
		take(rv, name, best, &peer, floor, docp);
		*sourcep = "stale cache";
		break;
	default:
		if (ask == AK_ASK_NEVER)
			snprintf(rv->last_error, sizeof(rv->last_error),
			    "no verified cached document");
		else {
			if (!asked)
				snprintf(rv->last_error,
				    sizeof(rv->last_error),
				    "store unavailable (outage recorded)");
			ak_log(LOG_ERR, "%s: store unavailable and no usable "
			    "cache", t->what);
		}
		r = AK_ERR_UNAVAILABLE;
		break;
	}
 out:
	cached_clear(&own);
	cached_clear(&peer);
	ak_cache_unlock(lockfd);
	return r;
}

int
ak_resolve_view(struct ak_resolver *rv)
{
	const struct ak_config *cfg = rv->cfg;
	struct ak_doc *ts = NULL, *sn = NULL;
	struct ak_snap *tss = NULL;
	struct target t;
	const char *src = NULL, *snsrc = NULL;
	unsigned long lineno;
	int r;

	view_clear(&rv->view);
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
	if ((r = resolve_target(rv, &t, &ts, &src)) != 0)
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
	if ((r = resolve_target(rv, &t, &sn, &snsrc)) != 0)
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
	view_clear(&rv->view);
	ak_snap_free(tss);
	ak_doc_free(ts);
	ak_doc_free(sn);
	return AK_ERR_UNAVAILABLE;
}

int
ak_resolve_doc(struct ak_resolver *rv, const char *account,
    struct ak_doc **docp, const char **sourcep)
{
	const struct ak_config *cfg = rv->cfg;
	const char *rl_urls[1];
	struct target t;

	memset(&t, 0, sizeof(t));
	if (cfg->ntimestamp_urls > 0) {
		*docp = NULL;
		*sourcep = NULL;
		if (!rv->view.held && ak_resolve_view(rv) != 0)
			return AK_ERR_UNAVAILABLE;
		if (rv->view.frozen && cfg->freeze_deny) {
			snprintf(rv->last_error, sizeof(rv->last_error), "%s",
			    ak_err(AK_ERR_FROZEN));
			return AK_ERR_UNAVAILABLE;
		}
		if ((t.want = ak_snap_find(rv->view.snap, account)) == NULL) {
			/* Not in the snapshot: no keys, no list. */
			*sourcep = "snapshot";
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
	return resolve_target(rv, &t, docp, sourcep);
}

int
ak_resolve(struct ak_resolver *rv, const char *account, struct ak_result *res)
{
	struct ak_doc *rdoc = NULL;
	int r;

	memset(res, 0, sizeof(*res));
	if ((r = ak_resolve_doc(rv, account, &res->doc, &res->source)) != 0)
		goto fail;
	if (rv->cfg->revocation_url != NULL) {
		if ((r = ak_resolve_doc(rv, NULL, &rdoc, &res->rl_source)) !=
		    0)
			goto fail;
		/* None at the store, or unreadable: every key is refused. */
		if (rdoc == NULL)
			ak_log(LOG_ERR, "revocation list: store has none "
			    "(404); no key is admitted");
		else
			(void)ak_revset_from_doc(rdoc, &res->rs, NULL);
		ak_doc_free(rdoc);
	}
	if ((r = ak_keyset_from_doc(rv->cfg, account, res->doc, res->rs,
	    &res->ks)) != 0)
		goto fail;
	return 0;
 fail:
	ak_result_clear(res);
	return AK_ERR_UNAVAILABLE;
}

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
	r = validate(rv, &t, fr.body, fr.len, 0, 1, NULL, docp);
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
	r = fr.status == 404 ? AK_ERR_NOT_FOUND : validate(rv, t, fr.body,
	    fr.len, 0, 1, NULL, docp);
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
