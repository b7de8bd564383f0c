/*
 * What may be printed: revocation lists (by fingerprint or by key), the
 * allowed key types, RSA size and options (SPEC "Policy").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ak_config.h"
#include "ak_doc.h"
#include "ak_err.h"
#include "ak_key.h"
#include "ak_log.h"
#include "ak_policy.h"
#include "ak_valid.h"

static int
fpr_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

int
ak_revlist_from_doc(const struct ak_doc *doc, struct ak_revlist **rlp)
{
	struct ak_revlist *rl = NULL;
	struct ak_key_line *kl = NULL;
	size_t i;
	int r = AK_ERR_ALLOC;

	*rlp = NULL;
	if (doc->kind != AK_DOC_REVOCATIONS)
		return AK_ERR_INTERNAL;
	if ((rl = calloc(1, sizeof(*rl))) == NULL)
		goto out;
	rl->serial = doc->serial;
	if (doc->nlines > 0 && ((rl->fprs = calloc(doc->nlines,
	    sizeof(*rl->fprs))) == NULL || (rl->keys = calloc(doc->nlines,
	    sizeof(*rl->keys))) == NULL))
		goto out;
	for (i = 0; i < doc->nlines; i++) {
		const struct ak_doc_line *l = &doc->lines[i];
		const char *s = l->s;
		size_t len = l->len;

		while (len > 0 && (*s == ' ' || *s == '\t')) {
			s++;
			len--;
		}
		while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		if (len == AK_FPR_LEN && strncmp(s, "SHA256:", 7) == 0) {
			memcpy(rl->fprs[rl->n], s, AK_FPR_LEN);
			rl->fprs[rl->n][AK_FPR_LEN] = '\0';
			if (!ak_fpr_valid(rl->fprs[rl->n])) {
				r = AK_ERR_FORMAT;
				goto bad;
			}
		} else {
			if ((r = ak_key_line_parse(s, len, &kl)) != 0)
				goto bad;
			memcpy(rl->fprs[rl->n], kl->fpr, AK_FPR_LEN + 1);
			/* Kept whole for the KRL's explicit-key section. */
			rl->keys[rl->nkeys].blob = kl->blob;
			rl->keys[rl->nkeys].len = kl->bloblen;
			rl->nkeys++;
			kl->blob = NULL;
			ak_key_line_free(kl);
			kl = NULL;
		}
		rl->n++;
	}
	if (rl->n > 1)
		qsort(rl->fprs, rl->n, sizeof(*rl->fprs), fpr_cmp);
	*rlp = rl;
	rl = NULL;
	r = 0;
	goto out;
 bad:
	ak_log(LOG_ERR, "revocation list line %lu: %s; list refused",
	    doc->lines[i].lineno, ak_err(r));
	r = AK_ERR_FORMAT;
 out:
	ak_key_line_free(kl);
	ak_revlist_free(rl);
	return r;
}

void
ak_revlist_free(struct ak_revlist *rl)
{
	size_t i;

	if (rl == NULL)
		return;
	for (i = 0; i < rl->nkeys; i++)
		free(rl->keys[i].blob);
	free(rl->keys);
	free(rl->fprs);
	free(rl);
}

int
ak_revlist_contains(const struct ak_revlist *rl, const char *fpr)
{
	if (rl == NULL || rl->n == 0)
		return 0;
	return bsearch(fpr, rl->fprs, rl->n, sizeof(*rl->fprs),
	    fpr_cmp) != NULL;
}

int
ak_policy_check(const struct ak_config *cfg, const struct ak_revlist *rl,
    const struct ak_key_line *kl)
{
	size_t i;

	if ((cfg->allowed_types & (1U << kl->type)) == 0)
		return AK_ERR_KEY_TYPE;
	if (kl->type == AK_KT_RSA && kl->bits < cfg->min_rsa_bits)
		return AK_ERR_POLICY;
	for (i = 0; i < kl->nopts; i++) {
		if (!ak_config_option_allowed(cfg, kl->opts[i].name))
			return AK_ERR_OPTION;
	}
	if (ak_revlist_contains(rl, kl->fpr))
		return AK_ERR_REVOKED;
	return 0;
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

int
ak_policy_emit(const struct ak_config *cfg, const struct ak_doc *doc,
    const struct ak_revlist *rl, const char *account, const char *want_fpr,
    FILE *out, size_t *nprinted, char *fprs, size_t fprs_len)
{
	struct ak_key_line *kl;
	char where[32];
	size_t i;
	int r;

	*nprinted = 0;
	if (fprs != NULL && fprs_len > 0)
		fprs[0] = '\0';
	for (i = 0; i < doc->nlines; i++) {
		const struct ak_doc_line *l = &doc->lines[i];

		if ((r = ak_key_line_parse(l->s, l->len, &kl)) != 0) {
			ak_log(LOG_WARNING, "account %s: document line %lu "
			    "dropped: %s", account, l->lineno, ak_err(r));
			continue;
		}
		if (want_fpr != NULL && strcmp(kl->fpr, want_fpr) != 0) {
			ak_key_line_free(kl);
			continue;
		}
		if ((r = ak_policy_check(cfg, rl, kl)) != 0) {
			/* Line 0: found through the index, number unknown. */
			where[0] = '\0';
			if (l->lineno > 0)
				snprintf(where, sizeof(where), " (line %lu)",
				    l->lineno);
			ak_log(r == AK_ERR_REVOKED ? LOG_NOTICE : LOG_WARNING,
			    "account %s: key %s%s dropped: %s", account,
			    kl->fpr, where, ak_err(r));
			ak_key_line_free(kl);
			continue;
		}
		r = print_line(out, cfg, kl);
		append_fpr(fprs, fprs_len, kl->fpr);
		ak_key_line_free(kl);
		if (r != 0)
			return r;
		(*nprinted)++;
	}
	return 0;
}

int
ak_policy_allows(const struct ak_config *cfg, const struct ak_doc *doc,
    const struct ak_revlist *rl, const char *fpr)
{
	struct ak_key_line *kl;
	size_t i;
	int ok = 0;

	for (i = 0; i < doc->nlines && !ok; i++) {
		if (ak_key_line_parse(doc->lines[i].s, doc->lines[i].len,
		    &kl) != 0)
			continue;
		ok = strcmp(kl->fpr, fpr) == 0 &&
		    ak_policy_check(cfg, rl, kl) == 0;
		ak_key_line_free(kl);
	}
	return ok;
}
