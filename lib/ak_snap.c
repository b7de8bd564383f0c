/*
 * Snapshot and timestamp bodies (see ak_snap.h). One entry per line,
 * fields separated by one space, as authkeys-publish writes them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ak_cache.h"
#include "ak_err.h"
#include "ak_sha256.h"
#include "ak_snap.h"
#include "ak_valid.h"

#define SERIAL_MAX_DIGITS	20

/* Next space-separated field of [*p, end): sets *f, *flen. */
static int
field(const char **p, const char *end, const char **f, size_t *flen)
{
	const char *s = *p, *sp;

	if (s >= end)
		return -1;
	if ((sp = memchr(s, ' ', (size_t)(end - s))) == NULL)
		sp = end;
	if (sp == s)
		return -1;
	*f = s;
	*flen = (size_t)(sp - s);
	*p = sp < end ? sp + 1 : end;
	return 0;
}

static int
parse_serial(const char *s, size_t n, unsigned long long *v)
{
	char buf[SERIAL_MAX_DIGITS + 1], *ep;

	if (n == 0 || n > SERIAL_MAX_DIGITS || !ak_digits(s, n))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	*v = strtoull(buf, &ep, 10);
	return errno != 0 || *ep != '\0' ? -1 : 0;
}

static int
parse_hash(const char *s, size_t n, struct ak_snap_entry *e)
{
	if (n == 14 + 2 * AK_SHA256_LEN &&
	    memcmp(s, "signed-sha256:", 14) == 0) {
		e->signed_only = 1;
		s += 7;
		n -= 7;
	}
	if (n != 7 + 2 * AK_SHA256_LEN || memcmp(s, "sha256:", 7) != 0)
		return -1;
	return ak_sha256_unhex(s + 7, n - 7, e->hash) == 0 ? 0 : -1;
}

static int
parse_entry(const char *s, size_t len, enum ak_doc_kind kind,
    struct ak_snap_entry *e)
{
	const char *p = s, *end = s + len, *f;
	size_t n;

	memset(e, 0, sizeof(*e));
	if (field(&p, end, &f, &n) != 0)
		return -1;
	if (kind == AK_DOC_TIMESTAMP) {
		if (n != 8 || memcmp(f, "snapshot", 8) != 0)
			return -1;
		e->what = AK_SNAP_SNAPSHOT;
	} else if (n == 11 && memcmp(f, "revocations", 11) == 0) {
		e->what = AK_SNAP_REVOCATIONS;
	} else if (n == 7 && memcmp(f, "account", 7) == 0) {
		e->what = AK_SNAP_ACCOUNT;
		if (field(&p, end, &f, &n) != 0 ||
		    n >= sizeof(e->account))
			return -1;
		memcpy(e->account, f, n);
		if (!ak_account_valid(e->account))
			return -1;
	} else {
		return -1;
	}
	if (field(&p, end, &f, &n) != 0 || parse_serial(f, n, &e->serial) != 0)
		return -1;
	if (field(&p, end, &f, &n) != 0 || parse_hash(f, n, e) != 0)
		return -1;
	return p == end ? 0 : -1;
}

static int
entry_cmp(const void *a, const void *b)
{
	const struct ak_snap_entry *x = a, *y = b;

	if (x->what != y->what)
		return x->what < y->what ? -1 : 1;
	return strcmp(x->account, y->account);
}

int
ak_snap_parse(const struct ak_doc *doc, struct ak_snap **sp,
    unsigned long *linenop)
{
	struct ak_snap *s = NULL;
	size_t i;
	int r = AK_ERR_FORMAT;

	*sp = NULL;
	if (linenop != NULL)
		*linenop = 0;
	if (doc->kind != AK_DOC_SNAPSHOT && doc->kind != AK_DOC_TIMESTAMP)
		return AK_ERR_FORMAT;
	if (doc->nlines > AK_SNAP_MAX_ENTRIES)
		return AK_ERR_TOO_LARGE;
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->e = calloc(doc->nlines + 1, sizeof(*s->e))) == NULL) {
		r = AK_ERR_ALLOC;
		goto out;
	}
	s->serial = doc->serial;
	s->expires = doc->expires;
	for (i = 0; i < doc->nlines; i++) {
		const struct ak_doc_line *l = &doc->lines[i];

		if (l->len == 0)
			continue;
		if (parse_entry(l->s, l->len, doc->kind, &s->e[s->n]) != 0) {
			if (linenop != NULL)
				*linenop = l->lineno;
			goto out;
		}
		s->n++;
	}
	/* A timestamp names one snapshot; a snapshot each name once. */
	if (doc->kind == AK_DOC_TIMESTAMP && s->n != 1)
		goto out;
	qsort(s->e, s->n, sizeof(*s->e), entry_cmp);
	for (i = 1; i < s->n; i++) {
		if (entry_cmp(&s->e[i - 1], &s->e[i]) == 0)
			goto out;
	}
	*sp = s;
	s = NULL;
	r = 0;
 out:
	ak_snap_free(s);
	return r;
}

void
ak_snap_free(struct ak_snap *s)
{
	if (s == NULL)
		return;
	free(s->e);
	free(s);
}

const struct ak_snap_entry *
ak_snap_find(const struct ak_snap *s, const char *account)
{
	struct ak_snap_entry key;

	if (s == NULL)
		return NULL;
	if (s->n == 1 && s->e[0].what == AK_SNAP_SNAPSHOT)
		return &s->e[0];
	memset(&key, 0, sizeof(key));
	if (account == NULL)
		key.what = AK_SNAP_REVOCATIONS;
	else {
		key.what = AK_SNAP_ACCOUNT;
		if (strlen(account) >= sizeof(key.account))
			return NULL;
		strncpy(key.account, account, sizeof(key.account) - 1);
	}
	return bsearch(&key, s->e, s->n, sizeof(*s->e), entry_cmp);
}

int
ak_snap_matches(const struct ak_snap_entry *e, unsigned long long serial,
    const void *bytes, size_t len, size_t signed_len)
{
	unsigned char h[AK_SHA256_LEN];

	if (e == NULL || e->serial != serial || signed_len > len)
		return 0;
	ak_sha256(bytes, e->signed_only ? signed_len : len, h);
	return memcmp(h, e->hash, sizeof(h)) == 0;
}

int
ak_snap_frozen(const struct ak_config *cfg, unsigned long long ts_serial,
    time_t now)
{
	/* A timestamp from the future proves no freshness at all. */
	if (now < 0 || ak_serial_ahead(ts_serial, now, cfg->max_clock_skew))
		return 1;
	return (unsigned long long)now > ts_serial &&
	    (unsigned long long)now - ts_serial >
	    (unsigned long long)cfg->freeze_after;
}

void
ak_snap_hash_text(const void *bytes, size_t len, int signed_only, char *out)
{
	unsigned char h[AK_SHA256_LEN];
	size_t n = signed_only ? 14 : 7;

	ak_sha256(bytes, len, h);
	memcpy(out, signed_only ? "signed-sha256:" : "sha256:", n);
	ak_sha256_hex(h, out + n);
}

/* A cached entry's document of kind; NULL if none or not that kind. */
static struct ak_doc *
entry_doc(const struct ak_cache_entry *e, enum ak_doc_kind kind)
{
	struct ak_doc *doc = NULL;

	if (e == NULL || e->status != 200 || ak_doc_parse(e->body,
	    e->bodylen, kind, &doc) != 0)
		return NULL;
	return doc;
}

void
ak_snap_cached_read(const char *dir, uid_t owner, time_t now, long skew,
    const struct ak_marks *marks, struct ak_snap_cached *cv)
{
	struct ak_cache_entry *te = NULL, *se = NULL;
	struct ak_doc *ts = NULL, *sn = NULL;
	struct ak_snap *tss = NULL;

	memset(cv, 0, sizeof(*cv));
	cv->problem = "no cached timestamp";
	if (ak_cache_read(dir, "timestamp", owner, &te) != 0 ||
	    (ts = entry_doc(te, AK_DOC_TIMESTAMP)) == NULL ||
	    ak_snap_parse(ts, &tss, NULL) != 0)
		goto out;
	cv->ts_serial = ts->serial;
	cv->checked = te->checked;
	cv->problem = "no cached snapshot named by the timestamp";
	if (ak_cache_read(dir, "snapshot", owner, &se) != 0 ||
	    (sn = entry_doc(se, AK_DOC_SNAPSHOT)) == NULL ||
	    !ak_snap_cached_matches(ak_snap_find(tss, NULL), se, sn) ||
	    ak_snap_parse(sn, &cv->snap, NULL) != 0)
		goto out;
	cv->snap_serial = sn->serial;
	cv->snap_expires = sn->expires;
	cv->problem = !ak_marks_ok(marks, te, AK_DOC_TIMESTAMP) ||
	    !ak_marks_ok(marks, se, AK_DOC_SNAPSHOT) ? "trusted_signers "
	    "changed since the cached view was verified" :
	    sn->expires <= now ? "the snapshot has expired" :
	    ak_serial_ahead(ts->serial, now, skew) ||
	    ak_serial_ahead(sn->serial, now, skew) ? "the cached view is "
	    "ahead of this host's clock (max_clock_skew)" : NULL;
 out:
	ak_snap_free(tss);
	ak_doc_free(ts);
	ak_doc_free(sn);
	ak_cache_entry_free(te);
	ak_cache_entry_free(se);
}

int
ak_snap_cached_matches(const struct ak_snap_entry *want,
    const struct ak_cache_entry *e, const struct ak_doc *doc)
{
	if (want == NULL || e == NULL || doc == NULL || e->status != 200 ||
	    !e->has_sha256 || want->serial != doc->serial)
		return 0;
	if (!want->signed_only)
		return memcmp(want->hash, e->sha256, sizeof(e->sha256)) == 0;
	if (e->has_signed_sha256)
		return memcmp(want->hash, e->signed_sha256,
		    sizeof(e->signed_sha256)) == 0;
	/* An entry written before signed-sha256: its bytes, if read. */
	return doc->buf != NULL && ak_snap_matches(want, doc->serial,
	    doc->buf, doc->len, doc->signed_len);
}

void
ak_snap_cached_clear(struct ak_snap_cached *cv)
{
	ak_snap_free(cv->snap);
	memset(cv, 0, sizeof(*cv));
}
