/*
 * The resolver's verification (ak_resolve_int.h): a body parsed and its
 * signature checked, or vouched for by our own memo of the same bytes
 * under the same signers; cached entries read and verified again; the
 * rollback floors and whose they are.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ak_b64.h"
#include "ak_cache.h"
#include "ak_doc.h"
#include "ak_err.h"
#include "ak_key.h"
#include "ak_log.h"
#include "ak_resolve_int.h"
#include "ak_sha256.h"
#include "ak_signers.h"
#include "ak_snap.h"
#include "ak_sshsig.h"
#include "ak_time.h"

static const char *
ns_of(const struct ak_resolver *rv, enum ak_doc_kind kind)
{
	return kind == AK_DOC_TIMESTAMP ? rv->ts_namespace :
	    rv->cfg->namespace;
}

/* The keys (and k) that sign this kind: the timestamp's role, or documents. */
static const struct ak_signers *
signers_of(const struct ak_resolver *rv, enum ak_doc_kind kind)
{
	return kind == AK_DOC_TIMESTAMP ? rv->ts_signers : rv->signers;
}

/*
 * What a verified signature was checked against: the trusted_signers
 * file's bytes and the namespace. Recorded in the entry its verifier
 * writes; the same bytes under the same mark need no second check.
 */
void
akr_mark_of(const struct ak_resolver *rv, enum ak_doc_kind kind,
    unsigned char mark[AK_SHA256_LEN])
{
	const struct ak_signers *s = signers_of(rv, kind);

	ak_signers_mark(s != NULL ? s->digest : NULL, ns_of(rv, kind), mark);
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
	    signers_of(rv, kind) == NULL || signers_of(rv, kind)->windows)
		return 0;
	akr_mark_of(rv, kind, mark);
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
int
akr_validate(struct ak_resolver *rv, const struct target *t, const char *body,
    size_t len, const struct floor *fl, int fetched,
    const struct ak_cache_entry *memo, struct ak_doc **docp)
{
	unsigned char h[AK_SHA256_LEN];
	struct ak_doc *doc = NULL;
	int r;

	*docp = NULL;
	if ((r = ak_doc_parse(body, len, t->kind, &doc)) != 0)
		return r;
	if (t->kind != AK_DOC_PLAIN && !memo_covers(rv, t->kind, memo, body,
	    len) && (r = ak_sshsig_verify_doc(doc, ns_of(rv, t->kind),
	    signers_of(rv, t->kind), rv->now)) != 0)
		goto out;
	if ((r = ak_doc_check(doc, t->account, t->kind == AK_DOC_TIMESTAMP &&
	    !fetched ? 0 : rv->now, fl->serial)) != 0 ||
	    (r = ak_doc_ahead(doc, rv->now, rv->cfg->max_clock_skew)) != 0)
		goto out;
	/*
	 * A timestamp the store gives now that is already older than
	 * freeze_after is as good as expired: on_freeze = stale keeps a view
	 * this host already holds, it never makes a first contact with (or a
	 * move to) a view that is frozen on arrival.
	 */
	if (t->kind == AK_DOC_TIMESTAMP && fetched && !t->probe &&
	    ak_snap_frozen(rv->cfg, doc->serial, rv->now)) {
		r = AK_ERR_FROZEN;
		goto out;
	}
	/* One serial, one document: anything else is a split view. */
	if (fl->has_hash && doc->kind != AK_DOC_PLAIN &&
	    doc->serial == fl->serial) {
		ak_sha256(body, len, h);
		if (memcmp(h, fl->hash, sizeof(h)) != 0) {
			ak_log(LOG_ERR, "EQUIVOCATION: %s serial %llu: the "
			    "store signed two different documents with the "
			    "same serial; the one verified first stays",
			    t->what != NULL ? t->what : "document",
			    doc->serial);
			r = AK_ERR_EQUIVOCATION;
			goto out;
		}
	}
	if (t->want != NULL && !ak_snap_matches(t->want, doc->serial, body,
	    len, doc->signed_len)) {
		r = AK_ERR_SNAPSHOT;
		goto out;
	}
	*docp = doc;
	doc = NULL;
 out:
	ak_doc_free(doc);
	return r;
}

/* A timestamp's floor remembers its signer (see floor_of). */
void
akr_floor_signer(const struct ak_doc *doc, struct ak_cache_entry *e)
{
	if (doc != NULL && doc->kind == AK_DOC_TIMESTAMP &&
	    doc->serial == e->min_serial && doc->nsigs > 0 &&
	    ak_signers_sig_key(doc->sigs[0].blob, doc->sigs[0].len,
	    e->floor_signer) == 0)
		e->has_floor_signer = 1;
}

void
akr_cached_clear(struct cached *c)
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
void
akr_read_cached(struct ak_resolver *rv, const struct target *t, const char *dir,
    const char *name, uid_t also_trust, int plain_ok,
    const struct floor *fl, const struct ak_cache_entry *own,
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
		akr_cached_clear(c);
		return;
	}
	/* Our own entry is its own memo; the peer's, only by our entry. */
	if (c->e->status == 200 && (r = akr_validate(rv, t, c->e->body,
	    c->e->bodylen, fl, 0, dir == rv->dir ? c->e : own,
	    &c->doc)) != 0) {
		/* The snapshot moved on: routine, the store has the new one. */
		ak_log(r == AK_ERR_SNAPSHOT ? LOG_INFO : LOG_WARNING,
		    "cache %s/%s not used: %s", dir, name, ak_err(r));
		c->e->status = 0;
		c->untrusted = r == AK_ERR_UNTRUSTED || r == AK_ERR_NAMESPACE ||
		    r == AK_ERR_THRESHOLD;
	}
	/* Under a view, only the document it names answers; no 404. */
	if (c->doc == NULL && akr_required(t))
		c->e->status = 0;
}

/*
 * Our own entry verified just now by its signature, not by its mark (an
 * older version wrote it, or trusted_signers changed): the mark is written
 * in, the rest of the entry as it was (its confirmation time included), so
 * the next reader need not verify the same bytes again.
 */
void
akr_remark(struct ak_resolver *rv, const struct target *t, const char *name,
    const struct cached *own)
{
	struct ak_cache_entry e;
	int r;

	if (own->doc == NULL || own->doc->kind == AK_DOC_PLAIN ||
	    signers_of(rv, t->kind) == NULL ||
	    signers_of(rv, t->kind)->windows ||
	    memo_covers(rv, t->kind, own->e, own->e->body, own->e->bodylen))
		return;
	e = *own->e;
	akr_mark_of(rv, t->kind, e.verified);
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
void
akr_adopt_peer(struct ak_resolver *rv, const char *name,
    const struct cached *peer)
{
	struct ak_cache_entry e;
	int r;

	memset(&e, 0, sizeof(e));
	/* Long ago (not 0: the file's mtime would say "now", i.e. fresh). */
	e.checked = 1;
	e.status = 200;
	akr_mark_of(rv, peer->doc->kind, e.verified);
	e.has_verified = 1;
	e.min_serial = peer->doc->serial;
	akr_floor_signer(peer->doc, &e);
	e.body = peer->e->body;
	e.bodylen = peer->e->bodylen;
	if ((r = ak_cache_write(rv->dir, name, &e)) != 0)
		ak_log(LOG_WARNING, "cache %s/%s not written: %s", rv->dir,
		    name, ak_err(r));
}

/*
 * The floor our own entry sets: its serial and, where its document is the
 * one verified at that serial, those bytes' hash. A timestamp's floor is
 * forgotten (TUF: on rotation of the timestamp key) when the key that
 * signed it may no longer sign timestamps, and when it lies further ahead
 * than max_clock_skew (believed by an older version, or the clock here was
 * set back): the snapshot's floor stays, so nothing older than what this
 * host has seen can come back, only the timestamp's freshness is asked
 * again.
 */
void
akr_floor_of(struct ak_resolver *rv, const struct target *t,
    const struct ak_cache_entry *e, struct floor *fl)
{
	struct ak_doc hdr;
	char fpr[AK_FPR_LEN + 1];
	size_t hl;

	memset(fl, 0, sizeof(*fl));
	if (e == NULL)
		return;
	fl->serial = e->min_serial;
	/* Marked unusable by read_cached (status 0), its bytes still count. */
	if (e->bodylen > 0 && e->has_sha256 && t->kind != AK_DOC_PLAIN &&
	    ak_doc_parse_header(e->body, e->bodylen, t->kind, &hdr, &hl) ==
	    0 && hdr.serial == e->min_serial) {
		memcpy(fl->hash, e->sha256, sizeof(fl->hash));
		fl->has_hash = 1;
	}
	if (t->kind != AK_DOC_TIMESTAMP || fl->serial == 0)
		return;
	if (e->has_floor_signer && rv->ts_signers != NULL &&
	    !ak_signers_holds(rv->ts_signers, e->floor_signer,
	    rv->ts_namespace, rv->now)) {
		ak_key_fingerprint_of_hash(e->floor_signer, fpr);
		ak_log(LOG_WARNING, "timestamp: the floor (serial %llu) was "
		    "set by %s, which %s no longer lets sign timestamps: "
		    "forgotten (the snapshot's floor stays)", fl->serial, fpr,
		    rv->root != NULL ? "trusted_root" : "trusted_signers");
		memset(fl, 0, sizeof(*fl));
	} else if (ak_serial_ahead(fl->serial, rv->now,
	    rv->cfg->max_clock_skew)) {
		ak_log(LOG_WARNING, "timestamp: the floor (serial %llu) is "
		    "%llds ahead of this host's clock (max_clock_skew %lds): "
		    "forgotten (the snapshot's floor stays)", fl->serial,
		    (long long)(fl->serial - (unsigned long long)rv->now),
		    rv->cfg->max_clock_skew);
		memset(fl, 0, sizeof(*fl));
	}
}
