/*
 * What reviewers read: --dry-run (the fingerprints a publish would add and
 * remove) and --report (one self-contained HTML page for access reviews).
 * Lines are read by ak_keyset, as hosts read them, and what hosts would
 * admit is its verdict; text from key files is made safe to show first.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ak_config.h"
#include "ak_doc.h"
#include "ak_err.h"
#include "ak_file.h"
#include "ak_key.h"
#include "ak_keyset.h"
#include "ak_root.h"
#include "ak_signers.h"
#include "ak_sshsig.h"
#include "ak_time.h"
#include "ak_valid.h"
#include "publish.h"

#define MAX_ENTRIES	100000

/* One key (or bare fingerprint) of a document. */
struct entry {
	char fpr[AK_FPR_LEN + 1];
	char desc[160];		/* "ssh-ed25519, comment" */
	struct ak_key_line *kl;	/* NULL for a bare fingerprint */
};

struct entries {
	struct entry *e;
	size_t n;
};

static void
entries_free(struct entries *es)
{
	size_t i;

	for (i = 0; i < es->n; i++)
		ak_key_line_free(es->e[i].kl);
	free(es->e);
	memset(es, 0, sizeof(*es));
}

/* A key's comment as it may be shown: no control or bidi characters. */
static void
describe(const struct ak_key_line *kl, char *out, size_t len)
{
	char comment[128];

	ak_safe_text(kl->comment != NULL ? kl->comment : "", comment,
	    sizeof(comment));
	if (kl->type == AK_KT_RSA)
		snprintf(out, len, "%s %u%s%s", kl->type_name, kl->bits,
		    kl->comment ? ", " : "", comment);
	else
		snprintf(out, len, "%s%s%s", kl->type_name,
		    kl->comment ? ", " : "", comment);
}

/* Adds the body line s of n bytes, read as a document of kind reads it. */
static void
add_entry(struct entries *es, const char *s, size_t n, enum ak_doc_kind kind)
{
	struct entry *tmp, *e;
	struct ak_line l;

	if (es->n >= MAX_ENTRIES || ak_line_read(s, n, kind, &l) != 0)
		return;
	if (l.kind == AK_LINE_NONE || (tmp = reallocarray(es->e, es->n + 1,
	    sizeof(*tmp))) == NULL) {
		ak_line_clear(&l);
		return;
	}
	es->e = tmp;
	e = &tmp[es->n++];
	memset(e, 0, sizeof(*e));
	memcpy(e->fpr, l.fpr, AK_FPR_LEN + 1);
	if (l.kind == AK_LINE_FPR)
		snprintf(e->desc, sizeof(e->desc), "fingerprint only");
	else {
		describe(l.kl, e->desc, sizeof(e->desc));
		e->kl = l.kl;
	}
}

static void
from_text(struct entries *es, const char *body, size_t len,
    enum ak_doc_kind kind)
{
	const char *p = body, *end = body + len, *nl;

	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		add_entry(es, p, (size_t)(nl - p), kind);
	}
}

/* The published document at path (not verified: it is our own output). */
static struct ak_doc *
published(const char *path, enum ak_doc_kind kind)
{
	struct ak_doc *doc = NULL;
	char *buf;
	size_t len;

	if (ak_file_read(path, AK_DOC_MAX, 0, 0, &buf, &len) != 0)
		return NULL;
	if (ak_doc_parse(buf, len, kind, &doc) != 0)
		doc = NULL;
	free(buf);
	return doc;
}

static void
from_doc(struct entries *es, const struct ak_doc *doc)
{
	size_t i;

	for (i = 0; doc != NULL && i < doc->nlines; i++)
		add_entry(es, doc->lines[i].s, doc->lines[i].len, doc->kind);
}

static int
has(const struct entries *es, const char *fpr)
{
	size_t i;

	for (i = 0; i < es->n; i++)
		if (strcmp(es->e[i].fpr, fpr) == 0)
			return 1;
	return 0;
}

void
pub_dry_run(const struct pub_opts *o, const struct pub_item *items, size_t n)
{
	struct entries old, neu;
	struct ak_doc *doc;
	size_t i, j, add, del;

	(void)o;
	for (i = 0; i < n; i++) {
		const struct pub_item *it = &items[i];

		memset(&old, 0, sizeof(old));
		memset(&neu, 0, sizeof(neu));
		doc = published(it->final, it->name[0] ? AK_DOC_ACCOUNT :
		    AK_DOC_REVOCATIONS);
		from_doc(&old, doc);
		ak_doc_free(doc);
		if (it->body != NULL)
			from_text(&neu, it->body, it->bodylen, it->name[0] ?
			    AK_DOC_ACCOUNT : AK_DOC_REVOCATIONS);
		for (j = add = 0; j < neu.n; j++)
			add += !has(&old, neu.e[j].fpr);
		for (j = del = 0; j < old.n; j++)
			del += !has(&neu, old.e[j].fpr);
		if (it->name[0])
			printf("account %s: %zu to add, %zu to remove, %zu "
			    "unchanged%s\n", it->name, add, del,
			    neu.n - add, it->body == NULL && old.n > 0 ?
			    " (gone from the source: every key removed)" : "");
		else
			printf("revocation list: %zu to add, %zu to remove, "
			    "%zu unchanged\n", add, del, neu.n - add);
		for (j = 0; j < neu.n; j++)
			if (!has(&old, neu.e[j].fpr))
				printf("+ %s %s\n", neu.e[j].fpr,
				    neu.e[j].desc);
		for (j = 0; j < old.n; j++)
			if (!has(&neu, old.e[j].fpr))
				printf("- %s %s\n", old.e[j].fpr,
				    old.e[j].desc);
		entries_free(&old);
		entries_free(&neu);
	}
	printf("dry run: nothing written\n");
}

/* HTML text: everything from the key repository is escaped. */
static void
esc(FILE *f, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
	}
}

struct acct {
	char name[64];
	struct ak_doc *doc;
	struct entries es;
	struct ak_keyset *ks;	/* what hosts would admit */
	unsigned int need;	/* the root in force's documents k, or 0 */
	size_t counted;		/* distinct keys of that role that signed */
};

static int
acct_cmp(const void *a, const void *b)
{
	return strcmp(((const struct acct *)a)->name,
	    ((const struct acct *)b)->name);
}

/* How many accounts list fpr. */
static size_t
accounts_with(const struct acct *ac, size_t nac, const char *fpr)
{
	size_t i, c = 0;

	for (i = 0; i < nac; i++)
		c += has(&ac[i].es, fpr) ? 1 : 0;
	return c;
}

/* As sshd reads the options field (ak_key_option_value), not strstr. */
static const char *
option_value(const struct ak_key_line *kl, const char *name, char *out,
    size_t len)
{
	return ak_key_option_value(kl, name, out, len) ? out : NULL;
}

static void
warn(FILE *f, size_t *nw, const char *acct, const char *fpr, const char *what)
{
	fputs("<li>", f);
	if (acct != NULL) {
		fputs("<b>", f);
		esc(f, acct);
		fputs("</b>: ", f);
	}
	if (fpr != NULL) {
		fputs("<code>", f);
		esc(f, fpr);
		fputs("</code> ", f);
	}
	esc(f, what);
	fputs("</li>\n", f);
	(*nw)++;
}

/* What hosts decide for a listed key, if it is not admitted. */
static void
host_verdict(FILE *f, size_t *nw, const struct acct *a, const struct entry *e)
{
	unsigned char hash[AK_HASH_LEN];
	const char *what = NULL;

	if (ak_fpr_hash(e->fpr, hash) != 0)
		return;
	switch (ak_keyset_admit(a->ks, hash)) {
	case AK_DENY_REVOKED:
		what = "revoked, still listed (hosts refuse it)";
		break;
	case AK_DENY_WEAK:
		what = "weak: RSA below min_rsa_bits, hosts drop it";
		break;
	case AK_DENY_KEY_TYPE:
		what = "key type not in allowed_key_types, hosts drop it";
		break;
	case AK_DENY_OPTION:
		what = "an option not in allowed_options, hosts drop it";
		break;
	default:
		break;
	}
	if (what != NULL)
		warn(f, nw, a->name, e->fpr, what);
}

/* esc() of text from a key file made safe to show (ak_safe_text). */
static void
esc_safe(FILE *f, const char *s)
{
	char safe[1024];

	if (s == NULL)
		return;
	ak_safe_text(s, safe, sizeof(safe));
	esc(f, safe);
}

/*
 * What hosts make of whole documents, from the keyset and revset they
 * build (the same code as logins): a document or list they cannot read, a
 * list that is missing.
 */
static void
host_doc_verdicts(FILE *f, size_t *nw, const struct ak_config *pol,
    time_t now, const struct acct *ac, size_t nac, const struct ak_doc *rdoc,
    const struct ak_fault *rfault, int rs_ok)
{
	char what[256];
	size_t i;

	if (rdoc == NULL)
		warn(f, nw, NULL, NULL, "no revocation list published: hosts "
		    "with revocation_url refuse every key of every account");
	else if (!rs_ok) {
		snprintf(what, sizeof(what), "hosts cannot read the revocation "
		    "list (line %lu: %s): they refuse every key of every "
		    "account", rfault->lineno, ak_err(rfault->err));
		warn(f, nw, NULL, NULL, what);
	}
	for (i = 0; i < nac; i++) {
		if (ac[i].doc == NULL) {
			warn(f, nw, ac[i].name, NULL, "not a valid signed "
			    "document: hosts refuse it");
			continue;
		}
		if (ac[i].ks != NULL && ac[i].ks->all == AK_DENY_BAD_DOC) {
			snprintf(what, sizeof(what), "hosts cannot read this "
			    "document (line %lu: %s): they admit none of its "
			    "keys", ac[i].ks->fault.lineno,
			    ak_err(ac[i].ks->fault.err));
			warn(f, nw, ac[i].name, NULL, what);
		}
		if (ac[i].need > 0 && ac[i].counted < ac[i].need) {
			snprintf(what, sizeof(what), "signed by %zu of the %u "
			    "documents keys the root in force needs: hosts "
			    "refuse it", ac[i].counted, ac[i].need);
			warn(f, nw, ac[i].name, NULL, what);
		}
		if (ak_serial_ahead(ac[i].doc->serial, now,
		    pol->max_clock_skew))
			warn(f, nw, ac[i].name, NULL, "serial ahead of this "
			    "clock by more than max_clock_skew: hosts refuse "
			    "it");
	}
}

/* ", signed by FPR FPR" (who signed: counted or not, see Warnings). */
static void
signed_by(FILE *f, const struct ak_doc *doc)
{
	char fprs[AK_DOC_SIGS_MAX][AK_FPR_LEN + 1];
	size_t i, n = ak_doc_signers(doc, fprs);

	for (i = 0; i < n; i++) {
		fputs(i == 0 ? ", signed by <code class=\"signer\">" :
		    " <code class=\"signer\">", f);
		esc(f, fprs[i]);
		fputs("</code>", f);
	}
}

/*
 * With a trusted_root config: how many keys of the documents role of the
 * root hosts will hold signed each document (verified, as hosts count).
 */
static void
count_signers(const struct pub_opts *o, const struct ak_config *pol,
    struct acct *ac, size_t nac)
{
	unsigned char keys[AK_DOC_SIGS_MAX][32];
	struct ak_root *root;
	size_t i;

	if (pol->trusted_root == NULL || pub_root_in_force(o, pol, &root) != 0)
		return;
	for (i = 0; i < nac; i++) {
		ac[i].need = root->role[AK_ROLE_DOCUMENTS]->threshold;
		if (ac[i].doc == NULL || ak_sshsig_signed_by(ac[i].doc,
		    pol->namespace, root->role[AK_ROLE_DOCUMENTS], o->now, keys,
		    &ac[i].counted) != 0)
			ac[i].counted = 0;
	}
	ak_root_free(root);
}

static void
write_report(FILE *f, const struct pub_opts *o, const struct ak_config *pol,
    struct acct *ac, size_t nac, const struct ak_doc *rdoc,
    const struct entries *rev, const struct ak_fault *rfault, int rs_ok)
{
	char exp[21], now[21], val[256];
	size_t i, j, nw = 0;

	ak_time_format(o->now, now);
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\">"
	    "<title>authkeys access review</title>\n<style>\n"
	    "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}\n"
	    "h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em}\n"
	    "table{border-collapse:collapse;width:100%}\n"
	    "th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;"
	    "vertical-align:top}\nth{background:#f0f0f0}\n"
	    "code{font:12px ui-monospace,monospace}\n"
	    ".warn{background:#fff4d6;border:1px solid #e0b040;"
	    "padding:.5em 1em .5em 2em}\n"
	    ".meta{color:#555}\n</style></head><body>\n", f);
	fprintf(f, "<h1>authkeys access review</h1>\n<p class=\"meta\">Store "
	    "<code>");
	esc(f, o->out);
	fprintf(f, "</code>, generated %s, %zu account(s), min_rsa_bits %u."
	    "</p>\n", now, nac, pol->min_rsa_bits);
	fputs("<h2>Warnings</h2>\n<ul class=\"warn\" id=\"warnings\">\n", f);
	host_doc_verdicts(f, &nw, pol, o->now, ac, nac, rdoc, rfault, rs_ok);
	for (i = 0; i < nac; i++) {
		for (j = 0; j < ac[i].es.n; j++) {
			const struct entry *e = &ac[i].es.e[j];

			if (accounts_with(ac, nac, e->fpr) > 1)
				warn(f, &nw, ac[i].name, e->fpr, "key listed "
				    "for several accounts");
			if (e->kl != NULL && option_value(e->kl,
			    "expiry-time", val, sizeof(val)) == NULL)
				warn(f, &nw, ac[i].name, e->fpr, "key without "
				    "expiry-time");
			if (e->kl != NULL && e->kl->type == AK_KT_RSA &&
			    e->kl->bits < 4096)
				warn(f, &nw, ac[i].name, e->fpr, "RSA key "
				    "under 4096 bits: an old key type, prefer "
				    "ed25519");
			if (e->kl != NULL)
				host_verdict(f, &nw, &ac[i], e);
		}
		if (ac[i].doc != NULL && ac[i].doc->expires < o->now +
		    86400)
			warn(f, &nw, ac[i].name, NULL, "document expires "
			    "within a day: publish again");
	}
	if (nw == 0)
		fputs("<li>none</li>\n", f);
	fputs("</ul>\n", f);
	for (i = 0; i < nac; i++) {
		fputs("<h2 class=\"account\">Account <code>", f);
		esc(f, ac[i].name);
		fputs("</code></h2>\n<p class=\"meta\">", f);
		if (ac[i].doc != NULL) {
			ak_time_format(ac[i].doc->expires, exp);
			fprintf(f, "serial %llu, expires %s, %zu key(s)",
			    ac[i].doc->serial, exp, ac[i].es.n);
			signed_by(f, ac[i].doc);
		} else
			fputs("no valid document", f);
		fputs("</p>\n<table><tr><th>Fingerprint</th><th>Type</th>"
		    "<th>Comment</th><th>from=</th><th>expiry-time=</th>"
		    "<th>Other options</th></tr>\n", f);
		for (j = 0; j < ac[i].es.n; j++) {
			const struct ak_key_line *kl = ac[i].es.e[j].kl;
			char t[64];

			fputs("<tr><td><code>", f);
			esc(f, ac[i].es.e[j].fpr);
			fputs("</code></td><td>", f);
			if (kl != NULL) {
				snprintf(t, sizeof(t), "%s %u", kl->type_name,
				    kl->bits);
				esc(f, t);
			}
			fputs("</td><td>", f);
			esc_safe(f, kl != NULL ? kl->comment : NULL);
			fputs("</td><td>", f);
			esc_safe(f, option_value(kl, "from", val,
			    sizeof(val)));
			fputs("</td><td>", f);
			esc_safe(f, option_value(kl, "expiry-time", val,
			    sizeof(val)));
			fputs("</td><td><code>", f);
			esc_safe(f, kl != NULL ? kl->options : NULL);
			fputs("</code></td></tr>\n", f);
		}
		fputs("</table>\n", f);
	}
	fputs("<h2>Revoked</h2>\n<p class=\"meta\">", f);
	if (rdoc != NULL) {
		ak_time_format(rdoc->expires, exp);
		fprintf(f, "serial %llu, expires %s, %zu entr%s", rdoc->serial,
		    exp, rev->n, rev->n == 1 ? "y" : "ies");
	} else
		fputs("no revocation list published", f);
	fputs("</p>\n<table id=\"revoked\"><tr><th>Fingerprint</th>"
	    "<th>Given as</th></tr>\n", f);
	for (j = 0; j < rev->n; j++) {
		fputs("<tr><td><code>", f);
		esc(f, rev->e[j].fpr);
		fputs("</code></td><td>", f);
		esc(f, rev->e[j].desc);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n</body></html>\n", f);
}

int
pub_report(const struct pub_opts *o, const struct ak_config *pol)
{
	struct acct *ac = NULL, *tmp;
	struct ak_revset *rs = NULL;
	struct ak_fault rfault;
	struct entries rev;
	struct ak_doc *rdoc;
	struct dirent *de;
	char path[4200];
	size_t nac = 0, i;
	DIR *d;
	FILE *f;
	int r = -1;

	memset(&rev, 0, sizeof(rev));
	memset(&rfault, 0, sizeof(rfault));
	snprintf(path, sizeof(path), "%s/v1/accounts", o->out);
	if ((d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (!ak_account_valid(de->d_name) ||
			    (tmp = reallocarray(ac, nac + 1, sizeof(*ac))) ==
			    NULL)
				continue;
			ac = tmp;
			memset(&ac[nac], 0, sizeof(*ac));
			snprintf(ac[nac].name, sizeof(ac[nac].name), "%.32s",
			    de->d_name);
			snprintf(path, sizeof(path), "%s/v1/accounts/%s",
			    o->out, de->d_name);
			ac[nac].doc = published(path, AK_DOC_ACCOUNT);
			from_doc(&ac[nac].es, ac[nac].doc);
			nac++;
		}
		closedir(d);
	}
	if (nac > 1)
		qsort(ac, nac, sizeof(*ac), acct_cmp);
	snprintf(path, sizeof(path), "%s/v1/revoked", o->out);
	rdoc = published(path, AK_DOC_REVOCATIONS);
	from_doc(&rev, rdoc);
	if (rdoc != NULL)
		(void)ak_revset_from_doc(rdoc, &rs, &rfault);
	for (i = 0; i < nac; i++)
		(void)ak_keyset_from_doc(pol, ac[i].name, ac[i].doc, rs,
		    &ac[i].ks);
	count_signers(o, pol, ac, nac);
	if ((f = fopen(o->report, "w")) == NULL) {
		perror(o->report);
		goto out;
	}
	write_report(f, o, pol, ac, nac, rdoc, &rev, &rfault, rs != NULL);
	if (fclose(f) != 0) {
		perror(o->report);
		goto out;
	}
	printf("report: %s (%zu account(s))\n", o->report, nac);
	r = 0;
 out:
	for (i = 0; i < nac; i++) {
		ak_keyset_free(ac[i].ks);
		ak_doc_free(ac[i].doc);
		entries_free(&ac[i].es);
	}
	ak_revset_free(rs);
	free(ac);
	entries_free(&rev);
	ak_doc_free(rdoc);
	return r;
}

void
pub_print_keys(const struct ak_doc *doc)
{
	struct entries es;
	size_t i;

	memset(&es, 0, sizeof(es));
	from_doc(&es, doc);
	for (i = 0; i < es.n; i++)
		printf("    %s %s\n", es.e[i].fpr, es.e[i].desc);
	entries_free(&es);
}
