/*
 * authkeys-sweep --list [--json]: who is in, with which key, since when,
 * from where, and whether that key is still admitted. Incident response
 * starts with "who is logged in with the leaked key". Read only: it ends
 * nothing and writes nothing (not even the KRL).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "ak_accounts.h"
#include "ak_buf.h"
#include "ak_err.h"
#include "ak_keyset.h"
#include "ak_log.h"
#include "ak_time.h"
#include "ak_valid.h"
#include "sweep.h"

#define LINE_MAX_LEN	2048

/* The comment of the key with fingerprint fpr in v's document, or "". */
static const char *
comment_of(const struct acct_view *v, const char *fpr)
{
	unsigned char hash[AK_HASH_LEN];
	size_t i;

	if (v == NULL || v->ks == NULL || ak_fpr_hash(fpr, hash) != 0)
		return "";
	for (i = 0; i < v->ks->n; i++) {
		const struct ak_keyent *e = &v->ks->ents[i];

		if (e->kl != NULL && memcmp(e->hash, hash, AK_HASH_LEN) == 0)
			return e->kl->comment != NULL ? e->kl->comment : "";
	}
	return "";
}

/* Appends s as a JSON string: quotes, backslashes, controls escaped. */
static void
json_str(struct ak_buf *b, const char *s)
{
	char esc[8];

	ak_buf_put(b, "\"", 1);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			ak_buf_put(b, esc, 2);
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			ak_buf_put(b, esc, 6);
		} else
			ak_buf_put(b, s, 1);
	}
	ak_buf_put(b, "\"", 1);
}

/* One session: a whole line, written at once (no consumer sees half). */
static void
emit(int json, const struct ak_session *s, const char *fpr,
    const char *comment, const char *admitted, const char *why)
{
	char since[21], safe[256], line[LINE_MAX_LEN];
	struct ak_buf b;

	ak_time_format(s->since, since);
	ak_buf_init(&b, 4096);
	if (json) {
		ak_buf_put(&b, "{\"account\":", 11);
		json_str(&b, s->account);
		ak_buf_put(&b, ",\"fingerprint\":", 15);
		json_str(&b, fpr);
		ak_buf_put(&b, ",\"comment\":", 11);
		/* Valid UTF-8 for any consumer; bidi tricks as '?'. */
		(void)ak_safe_text(comment, safe, sizeof(safe));
		json_str(&b, safe);
		ak_buf_put(&b, ",\"since\":", 9);
		json_str(&b, since);
		snprintf(line, sizeof(line), ",\"sshd_pid\":%ld,\"from\":",
		    (long)s->pid);
		ak_buf_put(&b, line, strlen(line));
		json_str(&b, s->rhost);
		ak_buf_put(&b, ",\"admitted\":", 12);
		ak_buf_put(&b, admitted, strlen(admitted));
		ak_buf_put(&b, ",\"why\":", 7);
		json_str(&b, why);
		ak_buf_put(&b, "}\n", 2);
	} else {
		/* Shown, not interpreted: controls and bidi as '?'. */
		(void)ak_safe_text(comment, safe, sizeof(safe));
		snprintf(line, sizeof(line), "%-16s %s %-20s %s %7ld %-15s "
		    "%s%s%s\n", s->account, fpr, safe[0] ? safe : "-", since,
		    (long)s->pid, s->rhost[0] ? s->rhost : "-",
		    strcmp(admitted, "true") == 0 ? "yes" :
		    strcmp(admitted, "false") == 0 ? "NO" : "unknown",
		    why[0] ? ": " : "", why);
		ak_buf_put(&b, line, strlen(line));
	}
	if (b.err == 0) {
		(void)fwrite(b.p, 1, b.len, stdout);
		(void)fflush(stdout);
	}
	ak_buf_free(&b);
}

int
sweep_list(const struct ak_config *cfg, int json)
{
	struct ak_resolver rv;
	struct ak_revset *rs = NULL;
	struct ak_doc *rdoc = NULL;
	struct acct_view *views = NULL, *v;
	struct ak_session s;
	struct ak_session_dir sd = { NULL, NULL };
	const char *source, *why, *fpr, *admitted;
	char **accts = NULL;
	size_t i, nacc = 0, shown = 0;
	int r, status = 0, have_list;

	if ((r = ak_resolver_init(&rv, cfg, AK_ASK_NEVER)) != 0 ||
	    (r = ak_resolver_private(&rv, cfg->module_cache_dir)) != 0) {
		ak_log(LOG_ERR, "cannot set up verification: %s", ak_err(r));
		ak_resolver_clear(&rv);
		return 1;
	}
	have_list = cfg->revocation_url == NULL ||
	    (ak_resolve_doc(&rv, NULL, &rdoc, &source) == 0 && rdoc != NULL &&
	    ak_revset_from_doc(rdoc, &rs, NULL) == 0);
	ak_doc_free(rdoc);
	if (ak_config_accounts(cfg, &accts, &nacc) != 0 ||
	    (views = calloc(nacc + 1, sizeof(*views))) == NULL) {
		status = 1;
		goto out;
	}
	for (i = 0; i < nacc; i++)
		views[i].account = accts[i];
	if (!json)
		printf("%-16s %-50s %-20s %-20s %7s %-15s %s\n", "ACCOUNT",
		    "FINGERPRINT", "COMMENT", "SINCE", "SSHD", "FROM",
		    "ADMITTED");
	if ((r = ak_session_dir_open(&sd, cfg->session_dir)) != 0) {
		ak_log(LOG_ERR, "%s: %s", cfg->session_dir, ak_err(r));
		status = 1;
		goto out;
	}
	while (ak_session_dir_next(&sd, &s)) {
		if (!ak_session_alive(&s))
			continue;
		fpr = s.fprs[0];
		why = sweep_verdict(&rv, rs, views, nacc, &s, &fpr);
		v = ak_config_manages(cfg, s.account) ? sweep_view_of(&rv, rs,
		    views, nacc, s.account) : NULL;
		if (why != NULL)
			admitted = "false";
		else if (!have_list || (ak_config_manages(cfg, s.account) &&
		    (v == NULL || v->ks == NULL))) {
			admitted = "null";
			why = "no verified document or list to judge by";
		} else {
			admitted = "true";
			why = ak_config_manages(cfg, s.account) ? "" :
			    "not managed; not revoked";
		}
		emit(json, &s, fpr, comment_of(v, fpr), admitted, why);
		shown++;
	}
 out:
	ak_session_dir_close(&sd);
	if (!json)
		fprintf(stderr, "%zu live session(s)\n", shown);
	for (i = 0; views != NULL && i < nacc; i++) {
		ak_keyset_free(views[i].ks);
		ak_doc_free(views[i].doc);
	}
	free(views);
	ak_accounts_free(accts, nacc);
	ak_revset_free(rs);
	ak_resolver_clear(&rv);
	return status;
}
