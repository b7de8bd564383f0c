/*
 * The one model of a verified document (see ak_keyset.h): body lines read
 * once, the revocation list, the policy, and admission with its reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ak_b64.h"
#include "ak_config.h"
#include "ak_doc.h"
#include "ak_err.h"
#include "ak_key.h"
#include "ak_keyset.h"
#include "ak_log.h"
#include "ak_sha256.h"
#include "ak_valid.h"

#define FPR_PREFIX	"SHA256:"

int
ak_fpr_hash(const char *fpr, unsigned char hash[AK_HASH_LEN])
{
	if (!ak_fpr_valid(fpr) || ak_b64_decode(fpr + 7, AK_FPR_LEN - 7, hash,
	    AK_HASH_LEN) != AK_HASH_LEN)
		return AK_ERR_BAD_FPR;
	return 0;
}

int
ak_line_fatal(int err)
{
	return err == AK_ERR_CONTROL_CHAR || err == AK_ERR_TOO_LARGE;
}

int
ak_line_read(const char *s, size_t len, enum ak_doc_kind kind,
    struct ak_line *l)
{
	int r;

	memset(l, 0, sizeof(*l));
	/* The line's end, then the blanks around what it says. */
	if (len > 0 && s[len - 1] == '\r')
		len--;
	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	/* A control character anywhere, comments included, is refused. */
	if (len > AK_LINE_MAX)
		return AK_ERR_TOO_LARGE;
	if (ak_has_ctrl(s, len) || memchr(s, '\0', len) != NULL)
		return AK_ERR_CONTROL_CHAR;
	if (len == 0 || *s == '#') {
		l->kind = AK_LINE_NONE;
		return 0;
	}
	if (kind == AK_DOC_REVOCATIONS && len >= strlen(FPR_PREFIX) &&
	    memcmp(s, FPR_PREFIX, strlen(FPR_PREFIX)) == 0) {
		if (len != AK_FPR_LEN)
			return AK_ERR_BAD_FPR;
		memcpy(l->fpr, s, AK_FPR_LEN);
		l->fpr[AK_FPR_LEN] = '\0';
		if ((r = ak_fpr_hash(l->fpr, l->hash)) != 0)
			return r;
		l->kind = AK_LINE_FPR;
		return 0;
	}
	if ((r = ak_key_line_parse(s, len, &l->kl)) != 0)
		return r;
	l->kind = AK_LINE_KEY;
	memcpy(l->fpr, l->kl->fpr, AK_FPR_LEN + 1);
	ak_sha256(l->kl->blob, l->kl->bloblen, l->hash);
	return 0;
}

void
ak_line_clear(struct ak_line *l)
{
	ak_key_line_free(l->kl);
	memset(l, 0, sizeof(*l));
}

const char *
ak_verdict_str(enum ak_verdict v)
{
	switch (v) {
	case AK_ADMIT:
		return "admitted";
	case AK_DENY_UNLISTED:
		return "key not listed in the account's current document";
	case AK_DENY_REVOKED:
		return "key is revoked";
	case AK_DENY_KEY_TYPE:
		return "key type not allowed";
	case AK_DENY_WEAK:
		return "key too weak (min_rsa_bits)";
	case AK_DENY_OPTION:
		return "listed line carries an option not allowed";
	case AK_DENY_NO_LIST:
		return "no readable revocation list";
	case AK_DENY_BAD_DOC:
		return "the account's document cannot be read";
	}
	return "denied";
}

/* --- revocation lists ------------------------------------------------ */

static int
hash_cmp(const void *a, const void *b)
{
	return memcmp(a, b, AK_HASH_LEN);
}

/* Sorts the hashes and keeps each once. */
static void
revset_sort(struct ak_revset *rs)
{
	size_t i, n = 0;

	if (rs->n > 1)
		qsort(rs->hashes, rs->n, AK_HASH_LEN, hash_cmp);
	for (i = 0; i < rs->n; i++) {
		if (n > 0 && hash_cmp(rs->hashes[n - 1], rs->hashes[i]) == 0)
			continue;
		if (n != i)
			memcpy(rs->hashes[n], rs->hashes[i], AK_HASH_LEN);
		n++;
	}
	rs->n = n;
}

int
ak_revset_from_doc(const struct ak_doc *doc, struct ak_revset **rsp,
    struct ak_fault *fault)
{
	struct ak_revset *rs = NULL;
	struct ak_line l;
	size_t i;
	int r = AK_ERR_ALLOC;

	*rsp = NULL;
	if (fault != NULL)
		memset(fault, 0, sizeof(*fault));
	if (doc->kind != AK_DOC_REVOCATIONS)
		return AK_ERR_INTERNAL;
	if ((rs = calloc(1, sizeof(*rs))) == NULL)
		goto out;
	rs->serial = doc->serial;
	if (doc->nlines > 0 && ((rs->hashes = calloc(doc->nlines,
	    AK_HASH_LEN)) == NULL || (rs->keys = calloc(doc->nlines,
	    sizeof(*rs->keys))) == NULL))
		goto out;
	for (i = 0; i < doc->nlines; i++) {
		if ((r = ak_line_read(doc->lines[i].s, doc->lines[i].len,
		    AK_DOC_REVOCATIONS, &l)) != 0) {
			ak_log(LOG_ERR, "revocation list serial %llu line %lu: "
			    "%s; the list is refused whole", doc->serial,
			    doc->lines[i].lineno, ak_err(r));
			if (fault != NULL) {
				fault->lineno = doc->lines[i].lineno;
				fault->err = r;
			}
			r = AK_ERR_FORMAT;
			goto out;
		}
		if (l.kind == AK_LINE_NONE)
			continue;
		memcpy(rs->hashes[rs->n++], l.hash, AK_HASH_LEN);
		if (l.kind == AK_LINE_KEY) {
			/* Kept whole for the KRL's explicit-key section. */
			rs->keys[rs->nkeys].blob = l.kl->blob;
			rs->keys[rs->nkeys].len = l.kl->bloblen;
			rs->nkeys++;
			l.kl->blob = NULL;
		}
		ak_line_clear(&l);
	}
	revset_sort(rs);
	*rsp = rs;
	rs = NULL;
	r = 0;
 out:
	ak_revset_free(rs);
	return r;
}

int
ak_revset_one(unsigned long long serial, const unsigned char hash[AK_HASH_LEN],
    int revoked, struct ak_revset **rsp)
{
	struct ak_revset *rs;

	*rsp = NULL;
	if ((rs = calloc(1, sizeof(*rs))) == NULL)
		return AK_ERR_ALLOC;
	rs->serial = serial;
	if (revoked) {
		if ((rs->hashes = calloc(1, AK_HASH_LEN)) == NULL) {
			free(rs);
			return AK_ERR_ALLOC;
		}
		memcpy(rs->hashes[0], hash, AK_HASH_LEN);
		rs->n = 1;
	}
	*rsp = rs;
	return 0;
}

void
ak_revset_free(struct ak_revset *rs)
{
	size_t i;

	if (rs == NULL)
		return;
	for (i = 0; i < rs->nkeys; i++)
		free(rs->keys[i].blob);
	free(rs->keys);
	free(rs->hashes);
	free(rs);
}

int
ak_revset_has(const struct ak_revset *rs, const unsigned char hash[AK_HASH_LEN])
{
	if (rs == NULL || rs->n == 0)
		return 0;
	return bsearch(hash, rs->hashes, rs->n, AK_HASH_LEN, hash_cmp) !=
	    NULL;
}

/* --- account keysets ------------------------------------------------- */

enum ak_verdict
ak_keyset_policy(const struct ak_config *cfg, const struct ak_key_line *kl)
{
	size_t i;

	if ((cfg->allowed_types & (1U << kl->type)) == 0)
		return AK_DENY_KEY_TYPE;
	if (kl->type == AK_KT_RSA && kl->bits < cfg->min_rsa_bits)
		return AK_DENY_WEAK;
	for (i = 0; i < kl->nopts; i++) {
		if (!ak_config_option_allowed(cfg, kl->opts[i].name))
			return AK_DENY_OPTION;
	}
	return AK_ADMIT;
}

int
ak_keyset_new(const struct ak_config *cfg, const char *account,
    const struct ak_revset *rs, struct ak_keyset **ksp)
{
	struct ak_keyset *ks;

	*ksp = NULL;
	if ((ks = calloc(1, sizeof(*ks))) == NULL)
		return AK_ERR_ALLOC;
	ks->cfg = cfg;
	ks->rs = rs;
	snprintf(ks->account, sizeof(ks->account), "%s",
	    account != NULL ? account : "");
	/* With a list configured, no readable list means no key at all. */
	ks->all = cfg->revocation_url != NULL && rs == NULL ?
	    AK_DENY_NO_LIST : AK_ADMIT;
	*ksp = ks;
	return 0;
}

int
ak_keyset_add(struct ak_keyset *ks, const char *s, size_t len, size_t off,
    unsigned long lineno)
{
	struct ak_keyent *e, *tmp;
	struct ak_line l;
	int r;

	r = ak_line_read(s, len, AK_DOC_ACCOUNT, &l);
	if (r == 0 && l.kind == AK_LINE_NONE)
		return 0;
	if (r != 0 && ak_line_fatal(r)) {
		if (ks->all != AK_DENY_BAD_DOC) {
			ks->all = AK_DENY_BAD_DOC;
			ks->fault.lineno = lineno;
			ks->fault.err = r;
		}
		return 0;
	}
	if (ks->n == ks->cap) {
		if ((tmp = reallocarray(ks->ents, ks->cap + 16,
		    sizeof(*tmp))) == NULL) {
			ak_line_clear(&l);
			return AK_ERR_ALLOC;
		}
		ks->ents = tmp;
		ks->cap += 16;
	}
	e = &ks->ents[ks->n++];
	memset(e, 0, sizeof(*e));
	e->lineno = lineno;
	e->off = off;
	e->len = len;
	if (r != 0) {
		e->err = r;	/* no key line: dropped, said when printing */
		e->verdict = AK_DENY_UNLISTED;
		return 0;
	}
	e->kl = l.kl;
	memcpy(e->hash, l.hash, AK_HASH_LEN);
	if ((e->verdict = ak_keyset_policy(ks->cfg, e->kl)) == AK_ADMIT &&
	    ak_revset_has(ks->rs, e->hash))
		e->verdict = AK_DENY_REVOKED;
	return 0;
}

int
ak_keyset_from_doc(const struct ak_config *cfg, const char *account,
    const struct ak_doc *doc, const struct ak_revset *rs,
    struct ak_keyset **ksp)
{
	struct ak_keyset *ks = NULL;
	size_t i;
	int r;

	*ksp = NULL;
	if ((r = ak_keyset_new(cfg, account, rs, &ks)) != 0)
		return r;
	if (doc != NULL) {
		ks->serial = doc->serial;
		for (i = 0; i < doc->nlines; i++) {
			if ((r = ak_keyset_add(ks, doc->lines[i].s,
			    doc->lines[i].len, (size_t)(doc->lines[i].s -
			    doc->buf), doc->lines[i].lineno)) != 0) {
				ak_keyset_free(ks);
				return r;
			}
		}
	}
	*ksp = ks;
	return 0;
}

int
ak_keyset_from_text(const struct ak_config *cfg, const char *account,
    const char *text, size_t len, const struct ak_revset *rs,
    struct ak_keyset **ksp)
{
	struct ak_keyset *ks = NULL;
	const char *p = text, *end = text + len, *nl;
	unsigned long lineno = 0;
	int r;

	*ksp = NULL;
	if ((r = ak_keyset_new(cfg, account, rs, &ks)) != 0)
		return r;
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if ((r = ak_keyset_add(ks, p, (size_t)(nl - p),
		    (size_t)(p - text), ++lineno)) != 0) {
			ak_keyset_free(ks);
			return r;
		}
	}
	*ksp = ks;
	return 0;
}

void
ak_keyset_free(struct ak_keyset *ks)
{
	size_t i;

	if (ks == NULL)
		return;
	for (i = 0; i < ks->n; i++)
		ak_key_line_free(ks->ents[i].kl);
	free(ks->ents);
	free(ks);
}

enum ak_verdict
ak_keyset_admit(const struct ak_keyset *ks,
    const unsigned char hash[AK_HASH_LEN])
{
	enum ak_verdict first = AK_DENY_UNLISTED;
	size_t i;

	if (ks == NULL)
		return AK_DENY_UNLISTED;
	if (ks->all != AK_ADMIT)
		return ks->all;
	/* Revoked is revoked, whatever the document says. */
	if (ak_revset_has(ks->rs, hash))
		return AK_DENY_REVOKED;
	for (i = 0; i < ks->n; i++) {
		const struct ak_keyent *e = &ks->ents[i];

		if (e->kl == NULL || memcmp(e->hash, hash, AK_HASH_LEN) != 0)
			continue;
		if (e->verdict == AK_ADMIT)
			return AK_ADMIT;
		if (first == AK_DENY_UNLISTED)
			first = e->verdict;
	}
	return first;
}

size_t
ak_keyset_admitted(const struct ak_keyset *ks)
{
	size_t i, n = 0;

	if (ks == NULL || ks->all != AK_ADMIT)
		return 0;
	for (i = 0; i < ks->n; i++)
		n += ks->ents[i].kl != NULL && ks->ents[i].verdict == AK_ADMIT;
	return n;
}

static void
append_fpr(char *fprs, size_t fprs_len, const char *fpr)
{
	size_t used;

	if (fprs == NULL)
		return;
	used = strlen(fprs);
	if (used + AK_FPR_LEN + 2 > fprs_len)
		return;		/* the log line names the first few only */
	if (used > 0)
		fprs[used++] = ',';
	memcpy(fprs + used, fpr, AK_FPR_LEN + 1);
}

static int
print_line(FILE *out, const struct ak_config *cfg,
    const struct ak_key_line *kl)
{
	const char *forced = cfg->forced_options;
	int has_forced = forced != NULL && *forced != '\0';

	if (has_forced)
		fputs(forced, out);
	if (kl->options != NULL) {
		if (has_forced)
			fputc(',', out);
		fputs(kl->options, out);
	}
	if (has_forced || kl->options != NULL)
		fputc(' ', out);
	fputs(kl->type_name, out);
	fputc(' ', out);
	fputs(kl->b64, out);
	if (kl->comment != NULL) {
		fputc(' ', out);
		fputs(kl->comment, out);
	}
	return fputc('\n', out) == EOF ? AK_ERR_IO : 0;
}

/* Logs why line e is not printed. */
static void
log_dropped(const struct ak_keyset *ks, const struct ak_keyent *e)
{
	char where[32];

	/* Line 0: found through the index, its number is not known. */
	where[0] = '\0';
	if (e->lineno > 0)
		snprintf(where, sizeof(where), " (line %lu)", e->lineno);
	if (e->kl == NULL)
		ak_log(LOG_WARNING, "account %s: document line%s dropped: %s",
		    ks->account, where, ak_err(e->err));
	else
		ak_log(e->verdict == AK_DENY_REVOKED ? LOG_NOTICE : LOG_WARNING,
		    "account %s: key %s%s dropped: %s", ks->account,
		    e->kl->fpr, where, ak_verdict_str(e->verdict));
}

int
ak_keyset_emit(const struct ak_keyset *ks, const unsigned char *want,
    FILE *out, size_t *nprinted, char *fprs, size_t fprs_len)
{
	size_t i;
	int r;

	*nprinted = 0;
	if (fprs != NULL && fprs_len > 0)
		fprs[0] = '\0';
	if (ks == NULL)
		return 0;
	if (ks->all == AK_DENY_BAD_DOC)
		ak_log(LOG_ERR, "account %s: document serial %llu line %lu: "
		    "%s; no key of it is printed", ks->account, ks->serial,
		    ks->fault.lineno, ak_err(ks->fault.err));
	else if (ks->all != AK_ADMIT)
		ak_log(LOG_ERR, "account %s: %s; no key is printed",
		    ks->account, ak_verdict_str(ks->all));
	if (ks->all != AK_ADMIT)
		return 0;
	for (i = 0; i < ks->n; i++) {
		const struct ak_keyent *e = &ks->ents[i];

		if (want != NULL && (e->kl == NULL ||
		    memcmp(e->hash, want, AK_HASH_LEN) != 0))
			continue;
		if (e->kl == NULL || e->verdict != AK_ADMIT) {
			log_dropped(ks, e);
			continue;
		}
		if ((r = print_line(out, ks->cfg, e->kl)) != 0)
			return r;
		append_fpr(fprs, fprs_len, e->kl->fpr);
		(*nprinted)++;
	}
	return 0;
}
