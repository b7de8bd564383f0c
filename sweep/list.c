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

#include "ak_buf.h"
#include "ak_err.h"
#include "ak_keyset.h"
#include "ak_log.h"
#include "ak_proc.h"
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
emit(int json, const struct ak_session *s, int connected, const char *fpr,
    const char *comment, const char *admitted, const char *why)
{
	char since[21], safe[256], line[LINE_MAX_LEN], sid[16], who[80];
	struct ak_buf b;
	size_t i;

	ak_time_format(s->since, since);
	snprintf(sid, sizeof(sid), "%lu", (unsigned long)s->sid);
	snprintf(who, sizeof(who), "%s", s->account[0] ? s->account : "-");
	for (i = 0; i < s->nfprs && strcmp(s->fprs[i], fpr) != 0; i++)
		;
	ak_buf_init(&b, 4096);
	/* Shown, not interpreted: controls and bidi as '?'. */
	(void)ak_safe_text(comment, safe, sizeof(safe));
	if (json) {
		ak_buf_put(&b, "{\"account\":", 11);
		json_str(&b, who);
		snprintf(line, sizeof(line), ",\"uid\":%lu,\"fingerprint\":",
		    (unsigned long)s->uid);
		ak_buf_put(&b, line, strlen(line));
		json_str(&b, fpr);
		ak_buf_put(&b, ",\"ca\":", 6);
		json_str(&b, i < s->nfprs ? s->cas[i] : "");
		ak_buf_put(&b, ",\"comment\":", 11);
		json_str(&b, safe);
		ak_buf_put(&b, ",\"since\":", 9);
		json_str(&b, since);
		snprintf(line, sizeof(line), ",\"sshd_pid\":%ld,\"connected\":"
		    "%s,\"audit_session\":%s,\"from\":", (long)s->pid,
		    connected ? "true" : "false", s->sid == AK_NO_SESSION ?
		    "null" : sid);
		ak_buf_put(&b, line, strlen(line));
		json_str(&b, s->rhost);
		ak_buf_put(&b, ",\"admitted\":", 12);
		ak_buf_put(&b, admitted, strlen(admitted));
		ak_buf_put(&b, ",\"why\":", 7);
		json_str(&b, why);
		ak_buf_put(&b, "}\n", 2);
	} else {
		snprintf(line, sizeof(line), "%-16s %s %-20s %s %7ld %-10s "
		    "%-15s %s%s%s\n", who, fpr, safe[0] ? safe : "-", since,
		    (long)s->pid, connected ? "connected" : "logged-out",
		    s->rhost[0] ? s->rhost : "-",
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
	struct sweep sw;
	struct ak_proctab t;
	struct acct_view *v;
	struct ak_session s;
	struct ak_session_dir sd = { NULL, NULL };
	const char *why, *fpr, *admitted;
	size_t shown = 0;
	int r, status = 0, connected, managed, m;

	if (sweep_open(&sw, cfg, 0, &status) != 0) {
		sweep_close(&sw);
		return 1;
	}
	status = 0;
	if (ak_proc_scan(&t, AK_PROC_SESSION) != 0) {
		ak_log(LOG_ERR, "cannot read /proc");
		sweep_close(&sw);
		return 1;
	}
	if (!json)
		printf("%-16s %-50s %-20s %-20s %7s %-10s %-15s %s\n",
		    "ACCOUNT", "FINGERPRINT", "COMMENT", "SINCE", "SSHD",
		    "STATE", "FROM", "ADMITTED");
	if ((r = ak_session_dir_open(&sd, cfg->session_dir)) != 0) {
		ak_log(LOG_ERR, "%s: %s", cfg->session_dir, ak_err(r));
		status = 1;
		goto out;
	}
	while (ak_session_dir_next(&sd, &s)) {
		if (!ak_session_running(&s, &t, &connected))
			continue;
		fpr = s.fprs[0];
		why = sweep_verdict(&sw, &s, &fpr);
		m = s.account[0] != '\0' ? ak_config_manages(cfg,
		    s.account) : 0;
		managed = m == 1;
		v = managed ? sweep_view_of(&sw, s.account) : NULL;
		if (why != NULL)
			admitted = "false";
		else if (m < 0) {
			admitted = "false";
			why = "cannot tell whether it is managed (NSS) (logins "
			    "refused; sessions left alone)";
		}
		else if (!managed && !sw.have_list) {
			/* sshd's KRL decides for it; we cannot tell here. */
			admitted = "null";
			why = "not managed; no verified list to judge by";
		} else if (!sw.have_list || (managed && (v == NULL ||
		    v->ks == NULL))) {
			/* What a login would get: refused (sessions stay). */
			admitted = "false";
			why = !sw.have_list ? "no verified revocation list "
			    "(logins refused; sessions left alone)" :
			    "no verified document (logins refused; sessions "
			    "left alone)";
		} else {
			admitted = "true";
			why = managed ? "" : "not managed; not revoked";
		}
		emit(json, &s, connected, fpr, comment_of(v, fpr), admitted,
		    why);
		shown++;
	}
 out:
	ak_session_dir_close(&sd);
	ak_proctab_free(&t);
	if (!json)
		fprintf(stderr, "%zu session(s) running\n", shown);
	sweep_close(&sw);
	return status;
}
