/*
 * The command's no-network answer (see ak_local.h): the cache decision per
 * document, the keyset, and the %f shortcut through the index.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ak_cache.h"
#include "ak_config.h"
#include "ak_doc.h"
#include "ak_err.h"
#include "ak_fresh.h"
#include "ak_index.h"
#include "ak_keyset.h"
#include "ak_local.h"
#include "ak_snap.h"

#define SOURCE_FRESH	"cache"
#define SOURCE_STALE	"stale cache (store unavailable)"

/* Whose entries count, and the signers they must have been verified under. */
struct local_ctx {
	struct ak_marks m;
	uid_t owner;
};

/*
 * The cached view (timestamp_url): the timestamp, fresh by our own
 * confirmation (or, in an outage, stale but signed), and the snapshot it
 * names. Documents are then current if they are the ones it names.
 */
struct local_view {
	enum ak_cache_use use;	/* USE or STALE; else no view */
	struct ak_snap *snap;
};

/*
 * Sets v->use to what the view allows (AK_CACHE_ASK: the helper decides,
 * as it does for a frozen view, whose logging is its own).
 */
static void
local_view_read(const struct ak_config *cfg, const struct local_ctx *x,
    time_t now, time_t outage, struct local_view *v)
{
	struct ak_snap_cached cv;
	struct ak_cached_state st;

	memset(v, 0, sizeof(*v));
	v->use = AK_CACHE_ASK;
	ak_snap_cached_read(cfg->cache_dir, x->owner, now, cfg->max_clock_skew,
	    &x->m, &cv);
	if (cv.problem != NULL || ak_snap_frozen(cfg, cv.ts_serial, now))
		goto out;
	memset(&st, 0, sizeof(st));
	st.fresh = ak_fresh_is_fresh(cfg, cv.checked, now);
	st.has_answer = st.has_signed = 1;
	if (ak_cache_decide(cfg, &st, outage, now, AK_ASK_IF_STALE, 0) ==
	    AK_CACHE_ASK)
		goto out;
	v->snap = cv.snap;
	cv.snap = NULL;
	v->use = st.fresh ? AK_CACHE_USE : AK_CACHE_STALE;
 out:
	ak_snap_cached_clear(&cv);
}

/* One document as the cache holds it, and what the rule says of it. */
struct local_doc {
	struct ak_cache_entry *e;
	struct ak_doc *doc;	/* NULL: none, or a cached 404 */
	enum ak_cache_use use;
};

static void
local_doc_clear(struct local_doc *ld)
{
	ak_doc_free(ld->doc);
	ak_cache_entry_free(ld->e);
	memset(ld, 0, sizeof(*ld));
}

/* Reads one entry whole and decides on it. */
static void
decide_doc(const struct ak_config *cfg, const struct local_ctx *x,
    const struct local_view *v, const char *account, enum ak_doc_kind kind,
    time_t now, time_t outage, struct local_doc *ld)
{
	const struct ak_snap_entry *want;
	struct ak_cached_state st;
	char name[64];

	memset(ld, 0, sizeof(*ld));
	memset(&st, 0, sizeof(st));
	if (v != NULL) {
		/* Not in the snapshot: no keys (no list). */
		if ((want = ak_snap_find(v->snap, account)) == NULL) {
			ld->use = v->use;
			return;
		}
		ld->use = AK_CACHE_ASK;
		if (ak_cache_name(account, name, sizeof(name)) != 0 ||
		    ak_cache_read(cfg->cache_dir, name, x->owner, &ld->e) !=
		    0) {
			ld->e = NULL;
			return;
		}
		if (ld->e->status == 200 && ak_marks_ok(&x->m, ld->e, kind) &&
		    ak_cache_doc(ld->e, kind, account, now,
		    cfg->max_clock_skew, &ld->doc) == 0 &&
		    ak_snap_cached_matches(want, ld->e, ld->doc))
			ld->use = v->use;
		return;
	}
	/* A missing or odd entry: the helper looks again and logs. */
	if (ak_cache_name(account, name, sizeof(name)) == 0 &&
	    ak_cache_read(cfg->cache_dir, name, x->owner, &ld->e) != 0)
		ld->e = NULL;
	/* Verified under other signers: the helper verifies again. */
	if (ld->e != NULL && !ak_marks_ok(&x->m, ld->e, kind)) {
		ld->use = AK_CACHE_ASK;
		return;
	}
	if (ld->e != NULL) {
		if (ld->e->status == 200 && ak_cache_doc(ld->e, kind, account,
		    now, cfg->max_clock_skew, &ld->doc) != 0)
			ld->doc = NULL;
		st.fresh = ak_fresh_is_fresh(cfg, ld->e->checked, now);
		st.has_answer = ld->e->status == 404 || ld->doc != NULL;
		st.has_signed = ld->doc != NULL && kind != AK_DOC_PLAIN;
	}
	ld->use = ak_cache_decide(cfg, &st, outage, now, AK_ASK_IF_STALE, 0);
}

/* The head of one signed entry and the rule's word on it, for %f. */
struct head {
	struct ak_cache_entry *e;
	struct ak_doc hdr;
	struct ak_index_bind bind;
	int fd;
};

static void
head_clear(struct head *h)
{
	ak_cache_entry_free(h->e);
	if (h->fd != -1)
		close(h->fd);
	h->e = NULL;
	h->fd = -1;
}

/*
 * Reads the head of the entry and the end of its document: usable (fresh,
 * or stale in an outage), header checked, bound for the index. Returns 0
 * (*stale set if stale), or -1 if the whole path must decide.
 */
static int
read_head(const struct ak_config *cfg, const struct local_ctx *x,
    const struct local_view *v, const char *account, enum ak_doc_kind kind,
    time_t now, time_t outage, struct head *h, int *stale)
{
	struct ak_cached_state st;
	char name[64], *tail = NULL;
	size_t doclen, hlen, t;
	int r = -1;

	h->e = NULL;
	h->fd = -1;
	if (ak_cache_name(account, name, sizeof(name)) != 0 ||
	    ak_cache_read_head(cfg->cache_dir, name, x->owner, &h->e, &doclen,
	    &h->fd) != 0 || h->e->status != 200 ||
	    !ak_marks_ok(&x->m, h->e, kind) ||
	    ak_doc_parse_header(h->e->body, h->e->bodylen, kind, &h->hdr,
	    &hlen) != 0 || ak_doc_check(&h->hdr, account, now, 0) != 0 ||
	    ak_doc_ahead(&h->hdr, now, cfg->max_clock_skew) != 0)
		return -1;
	if (v != NULL) {
		if (!ak_snap_cached_matches(ak_snap_find(v->snap, account),
		    h->e, &h->hdr))
			return -1;
		*stale |= v->use == AK_CACHE_STALE;
		goto bind;
	}
	memset(&st, 0, sizeof(st));
	st.fresh = ak_fresh_is_fresh(cfg, h->e->checked, now);
	st.has_answer = st.has_signed = 1;
	switch (ak_cache_decide(cfg, &st, outage, now, AK_ASK_IF_STALE, 0)) {
	case AK_CACHE_USE:
		break;
	case AK_CACHE_STALE:
		*stale = 1;
		break;
	default:
		return -1;
	}
 bind:
	t = ak_index_tail_len(doclen);
	if ((tail = malloc(t + 1)) != NULL &&
	    ak_cache_pread(h->fd, h->e, doclen - t, t, tail) == 0) {
		ak_index_bind(h->hdr.serial, doclen, tail, t, &h->bind);
		r = 0;
	}
	free(tail);
	return r;
}

/*
 * sshd's %f on a usable cache without reading every line: the entries'
 * heads, one index lookup per document, the key's lines read into a
 * keyset. Costs the same for 2 keys or 20,000. Returns 0 (lo filled) or
 * -1 if the whole path must decide (no index, a mismatch, anything odd).
 */
static int
via_index(const struct ak_config *cfg, const struct local_ctx *x,
    const struct local_view *v, const char *account, const char *fpr,
    time_t now, struct ak_local *lo)
{
	unsigned char hash[AK_HASH_LEN];
	size_t off[AK_INDEX_MAX_DUP], len[AK_INDEX_MAX_DUP], n, i;
	struct head acct, list;
	struct ak_keyset *ks = NULL;
	struct ak_revset *rs = NULL;
	char name[64], *line = NULL;
	int stale = 0, revoked = 0, r = -1;

	acct.e = list.e = NULL;
	acct.fd = list.fd = -1;
	if (!cfg->require_signature || ak_fpr_hash(fpr, hash) != 0 ||
	    ak_cache_name(account, name, sizeof(name)) != 0)
		return -1;
	if (read_head(cfg, x, v, account, AK_DOC_ACCOUNT, now, lo->outage,
	    &acct, &stale) != 0)
		goto out;
	if (cfg->revocation_url != NULL) {
		if (read_head(cfg, x, v, NULL, AK_DOC_REVOCATIONS, now,
		    lo->outage, &list, &stale) != 0 ||
		    ak_index_revoked(cfg->cache_dir, "revoked", x->owner,
		    &list.bind, hash, &revoked) != 0 ||
		    ak_revset_one(list.hdr.serial, hash, revoked, &rs) != 0)
			goto out;
	}
	if (ak_index_lines(cfg->cache_dir, name, x->owner, &acct.bind, hash,
	    off, len, AK_INDEX_MAX_DUP, &n) != 0 ||
	    ak_keyset_new(cfg, account, rs, &ks) != 0)
		goto out;
	ks->serial = acct.hdr.serial;
	for (i = 0; i < n; i++) {
		/* Each line is read again; it must be the key asked for. */
		free(line);
		if ((line = malloc(len[i] + 1)) == NULL ||
		    ak_cache_pread(acct.fd, acct.e, off[i], len[i],
		    line) != 0 ||
		    ak_keyset_add(ks, line, len[i], off[i], 0) != 0 ||
		    ks->all == AK_DENY_BAD_DOC || ks->n != i + 1 ||
		    ks->ents[i].kl == NULL ||
		    memcmp(ks->ents[i].hash, hash, AK_HASH_LEN) != 0)
			goto out;
	}
	lo->ks = ks;
	lo->rs = rs;
	ks = NULL;
	rs = NULL;
	lo->source = stale ? SOURCE_STALE : SOURCE_FRESH;
	lo->via_index = 1;
	r = 0;
 out:
	free(line);
	ak_keyset_free(ks);
	ak_revset_free(rs);
	head_clear(&acct);
	head_clear(&list);
	return r;
}

/*
 * What every local answer starts from: whose entries count, the signers
 * they must be marked with, the outage record, and the view (timestamp_url:
 * *vp is view, else NULL). Returns 0, or -1 if the helper must decide
 * (trusted_signers unreadable, no usable view: it says why).
 */
static int
local_begin(const struct ak_config *cfg, uid_t owner, time_t now,
    struct ak_local *lo, struct local_ctx *x, struct local_view *view,
    struct local_view **vp)
{
	*vp = NULL;
	x->owner = owner;
	if (ak_marks_load(cfg, owner, &x->m) != 0)
		return -1;
	lo->root_expired = x->m.root_expired;
	lo->outage = ak_outage_read(cfg->cache_dir, owner, NULL, 0);
	if (cfg->ntimestamp_urls > 0) {
		local_view_read(cfg, x, now, lo->outage, view);
		if (view->use == AK_CACHE_ASK)
			return -1;
		*vp = view;
	}
	return 0;
}

enum ak_local_outcome
ak_local_answer(const struct ak_config *cfg, const char *account,
    const char *fpr, time_t now, struct ak_local *lo)
{
	return ak_local_answer_as(cfg, geteuid(), account, fpr, now, lo);
}

enum ak_local_outcome
ak_local_answer_as(const struct ak_config *cfg, uid_t owner,
    const char *account, const char *fpr, time_t now, struct ak_local *lo)
{
	struct local_doc ad, ld;
	struct local_view view, *v;
	struct local_ctx ctx, *x = &ctx;
	enum ak_local_outcome o;

	memset(lo, 0, sizeof(*lo));
	memset(&ld, 0, sizeof(ld));
	if (local_begin(cfg, owner, now, lo, x, &view, &v) != 0)
		return AK_LOCAL_ASK;
	if (fpr != NULL && via_index(cfg, x, v, account, fpr, now, lo) == 0) {
		if (v != NULL)
			ak_snap_free(v->snap);
		return AK_LOCAL_ANSWER;
	}
	decide_doc(cfg, x, v, account, cfg->require_signature ?
	    AK_DOC_ACCOUNT : AK_DOC_PLAIN, now, lo->outage, &ad);
	if (ad.use != AK_CACHE_ASK && cfg->revocation_url != NULL)
		decide_doc(cfg, x, v, NULL, AK_DOC_REVOCATIONS, now,
		    lo->outage, &ld);
	else
		ld.use = AK_CACHE_USE;
	if (ad.use == AK_CACHE_ASK || ld.use == AK_CACHE_ASK)
		o = AK_LOCAL_ASK;
	else if (ad.use == AK_CACHE_NONE || ld.use == AK_CACHE_NONE)
		o = AK_LOCAL_NOTHING;
	else {
		/* A list none has, or that cannot be read, admits nothing. */
		if (ld.doc != NULL)
			(void)ak_revset_from_doc(ld.doc, &lo->rs, NULL);
		o = ak_keyset_from_doc(cfg, account, ad.doc, lo->rs,
		    &lo->ks) == 0 ? AK_LOCAL_ANSWER : AK_LOCAL_ASK;
		lo->source = ad.use == AK_CACHE_STALE ||
		    ld.use == AK_CACHE_STALE ? SOURCE_STALE : SOURCE_FRESH;
	}
	local_doc_clear(&ad);
	local_doc_clear(&ld);
	if (v != NULL)
		ak_snap_free(v->snap);
	return o;
}

enum ak_local_outcome
ak_local_list(const struct ak_config *cfg, time_t now, struct ak_local *lo)
{
	struct local_doc ld;
	struct local_view view, *v;
	struct local_ctx ctx;
	enum ak_local_outcome o;

	memset(lo, 0, sizeof(*lo));
	lo->source = SOURCE_FRESH;
	if (cfg->revocation_url == NULL)
		return AK_LOCAL_ANSWER;
	if (local_begin(cfg, geteuid(), now, lo, &ctx, &view, &v) != 0)
		return AK_LOCAL_ASK;
	decide_doc(cfg, &ctx, v, NULL, AK_DOC_REVOCATIONS, now, lo->outage,
	    &ld);
	if (ld.use == AK_CACHE_ASK)
		o = AK_LOCAL_ASK;
	else if (ld.use == AK_CACHE_NONE)
		o = AK_LOCAL_NOTHING;
	else {
		/* None, or unreadable: lo->rs stays NULL, nothing admitted. */
		if (ld.doc != NULL)
			(void)ak_revset_from_doc(ld.doc, &lo->rs, NULL);
		lo->source = ld.use == AK_CACHE_STALE ? SOURCE_STALE :
		    SOURCE_FRESH;
		o = AK_LOCAL_ANSWER;
	}
	local_doc_clear(&ld);
	if (v != NULL)
		ak_snap_free(v->snap);
	return o;
}

void
ak_local_clear(struct ak_local *lo)
{
	ak_keyset_free(lo->ks);
	ak_revset_free(lo->rs);
	memset(lo, 0, sizeof(*lo));
}
