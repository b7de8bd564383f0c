/*
 * authkeys-sweep's work: the records, the verified view (ak_keyset, root's
 * own verification), sshd's KRL, and which sessions end (sweep_end ends
 * them). A record stands from login until no process carries its login's
 * audit session any more, so what a revoked key left running after logout
 * ends too.
 */
#include <sys/file.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "ak_accounts.h"
#include "ak_cgroup.h"
#include "ak_config.h"
#include "ak_err.h"
#include "ak_file.h"
#include "ak_keyset.h"
#include "ak_krl.h"
#include "ak_log.h"
#include "ak_proc.h"
#include "ak_resolve.h"
#include "ak_session.h"
#include "ak_time.h"
#include "sweep.h"

/* Why no document means "no keys" from this source, or NULL if it does not. */
static const char *
absent_why(enum ak_source source)
{
	switch (source) {
	case AK_SOURCE_SNAPSHOT:
		return "account not in the verified snapshot";
	case AK_SOURCE_UNTRUSTED:
		return "no longer signed by enough trusted keys";
	default:
		return NULL;
	}
}

struct acct_view *
sweep_view_of(struct sweep *sw, const char *account)
{
	enum ak_source source;
	size_t i;

	for (i = 0; i < sw->nacc; i++) {
		struct acct_view *v = &sw->views[i];

		if (strcmp(v->account, account) != 0)
			continue;
		if (!v->looked) {
			v->looked = 1;
			/*
			 * No document is an answer too when it is signed or
			 * root's own (a verified snapshot without the account,
			 * documents of a signer root removed): no keys, as at
			 * login. A failure to read or verify, or an unsigned
			 * 404, leaves sessions alone.
			 */
			if (ak_resolve_doc(&sw->rv, account, &v->doc,
			    &source) != 0 || (v->doc == NULL &&
			    (v->absent = absent_why(source)) == NULL) ||
			    ak_keyset_from_doc(sw->cfg, account, v->doc,
			    sw->rs, &v->ks) != 0)
				ak_log(LOG_WARNING, "account %s: no verified "
				    "document; its sessions are left alone",
				    account);
		}
		return v;
	}
	return NULL;
}

/* Whether key i of s (or the CA that signed it) is on the list. */
static int
revoked(const struct sweep *sw, const struct ak_session *s, size_t i)
{
	unsigned char hash[AK_HASH_LEN];

	return (ak_fpr_hash(s->fprs[i], hash) == 0 &&
	    ak_revset_has(sw->rs, hash)) || (s->cas[i][0] != '\0' &&
	    ak_fpr_hash(s->cas[i], hash) == 0 && ak_revset_has(sw->rs, hash));
}

const char *
sweep_verdict(struct sweep *sw, const struct ak_session *s,
    const char **fprp)
{
	unsigned char hash[AK_HASH_LEN];
	struct acct_view *v;
	size_t i;

	for (i = 0; i < s->nfprs; i++) {
		if (revoked(sw, s, i)) {
			*fprp = s->fprs[i];
			return s->cas[i][0] != '\0' ? "key or its CA revoked" :
			    "key revoked";
		}
	}
	/*
	 * Unmanaged, or NSS cannot say now: left alone (a directory that is
	 * briefly unreadable ends no session; logins are refused meanwhile).
	 */
	if (s->account[0] == '\0' || ak_config_manages(sw->cfg, s->account) !=
	    1)
		return NULL;
	if (sw->frozen_deny) {
		*fprp = s->fprs[0];
		return "view frozen (on_freeze = deny)";
	}
	if ((v = sweep_view_of(sw, s->account)) == NULL || v->ks == NULL)
		return NULL;
	/* A verified "no keys" ends it whatever the list says. */
	if (v->absent != NULL) {
		*fprp = s->fprs[0];
		return v->absent;
	}
	for (i = 0; i < s->nfprs; i++) {
		if (ak_fpr_hash(s->fprs[i], hash) != 0)
			continue;
		switch (ak_keyset_admit(v->ks, hash)) {
		case AK_ADMIT:
		case AK_DENY_NO_LIST:
			continue;	/* admitted, or nothing to go on */
		case AK_DENY_BAD_DOC:
			/* Signed and verified, and logins refuse it. */
			*fprp = s->fprs[i];
			return "the account's signed document cannot be read";
		case AK_DENY_REVOKED:
			*fprp = s->fprs[i];
			return "key revoked";
		case AK_DENY_UNLISTED:
			*fprp = s->fprs[i];
			return "key no longer listed";
		default:
			*fprp = s->fprs[i];
			return "key no longer admitted by the policy";
		}
	}
	return NULL;
}

/* The revocation list root verified, and sshd's KRL made to follow it. */
static void
verified_list(struct sweep *sw, int write_krl, int *status)
{
	const struct ak_config *cfg = sw->cfg;
	struct ak_doc *rdoc = NULL;
	enum ak_source source;

	sw->have_list = cfg->revocation_url == NULL ||
	    (ak_resolve_doc(&sw->rv, NULL, &rdoc, &source) == 0 &&
	    rdoc != NULL && ak_revset_from_doc(rdoc, &sw->rs, NULL) == 0);
	if (!sw->have_list) {
		ak_log(LOG_WARNING, "no verified revocation list; no session "
		    "ended for revocation");
		*status = 1;
	}
	ak_doc_free(rdoc);
	/* Always there once configured: sshd refuses every key without. */
	if (write_krl && cfg->revoked_keys_file != NULL &&
	    ak_krl_update(cfg->revoked_keys_file, sw->rs, time(NULL)) != 0)
		*status = 1;
}

int
sweep_open(struct sweep *sw, const struct ak_config *cfg, int write_krl,
    int *status)
{
	size_t i;
	int r;

	memset(sw, 0, sizeof(*sw));
	sw->cfg = cfg;
	if ((r = ak_file_private_dir(cfg->module_cache_dir)) != 0) {
		ak_log(LOG_ERR, "module_cache_dir %s: %s%s",
		    cfg->module_cache_dir, ak_err(r), write_krl ?
		    "; nothing ended" : "");
		return 1;
	}
	if ((r = ak_resolver_init_private(&sw->rv, cfg, AK_ASK_NEVER,
	    cfg->module_cache_dir)) != 0) {
		ak_log(LOG_ERR, "cannot set up verification: %s%s", ak_err(r),
		    write_krl ? "; nothing ended" : "");
		return 1;
	}
	sw->have_rv = 1;
	/*
	 * A verified view whose timestamp is too old, with on_freeze = deny:
	 * logins are refused, so what they opened ends too (strict locking).
	 */
	if (cfg->ntimestamp_urls > 0 && cfg->freeze_deny &&
	    ak_resolve_view(&sw->rv) == 0 && sw->rv.view.frozen)
		sw->frozen_deny = 1;
	verified_list(sw, write_krl, status);
	/* Patterns and %groups: the accounts NSS knows that they admit. */
	if (ak_config_accounts(cfg, &sw->accts, &sw->nacc) != 0 ||
	    (sw->views = calloc(sw->nacc + 1, sizeof(*sw->views))) == NULL) {
		ak_log(LOG_ERR, "cannot list the managed accounts%s",
		    write_krl ? "; nothing ended" : "");
		*status = 1;
		return 1;
	}
	for (i = 0; i < sw->nacc; i++)
		sw->views[i].account = sw->accts[i];
	return 0;
}

void
sweep_close(struct sweep *sw)
{
	size_t i;

	for (i = 0; sw->views != NULL && i < sw->nacc; i++) {
		ak_keyset_free(sw->views[i].ks);
		ak_doc_free(sw->views[i].doc);
	}
	free(sw->views);
	ak_accounts_free(sw->accts, sw->nacc);
	ak_revset_free(sw->rs);
	if (sw->have_rv)
		ak_resolver_clear(&sw->rv);
	memset(sw, 0, sizeof(*sw));
}

/*
 * What only a running monitor shows: the login's own audit session (once
 * pam_loginuid ran for it) and its logind scope, kept in the record (root
 * writes it) so that both still count after logout.
 */
static void
learn(const struct ak_config *cfg, struct ak_session *s)
{
	struct ak_cgroup cg;
	int changed = 0;

	/* A version 1 record stays as it is: its tree while connected. */
	if (s->v1)
		return;
	if (s->sid == AK_NO_SESSION &&
	    (s->sid = ak_session_own_sid(s, s->pid)) != AK_NO_SESSION)
		changed = 1;
	if (s->scope[0] == '\0' && ak_cgroup_of(s->pid, &cg) == 0 &&
	    strlen(cg.dir) < sizeof(s->scope)) {
		memcpy(s->scope, cg.dir, strlen(cg.dir) + 1);
		changed = 1;
	}
	if (changed && ak_session_record(cfg->session_dir, s) != 0)
		ak_log(LOG_WARNING, "%s/%s: could not note the login's audit "
		    "session", cfg->session_dir, s->file);
}

/* A version 1 record names the account only: its uid, from NSS now. */
static void
uid_of_v1(struct ak_session *s)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (s->v1 && getpwnam_r(s->account, &pw, buf, sizeof(buf), &res) == 0 &&
	    res != NULL)
		s->uid = (uint32_t)pw.pw_uid;
}

static struct target *
add_target(struct target **ts, size_t *n)
{
	struct target *tmp;

	if ((tmp = reallocarray(*ts, *n + 1, sizeof(**ts))) == NULL)
		return NULL;
	*ts = tmp;
	memset(&tmp[*n], 0, sizeof(tmp[*n]));
	return &tmp[(*n)++];
}

static int
add_u32(uint32_t **a, size_t *n, uint32_t v)
{
	uint32_t *tmp;

	if ((tmp = reallocarray(*a, *n + 1, sizeof(*tmp))) == NULL)
		return -1;
	*a = tmp;
	tmp[(*n)++] = v;
	return 0;
}

/*
 * end_account_processes: for each account a session ends for, every
 * process its login uid marks (at and cron jobs, a lingering user manager)
 * but those of its sessions that stay (kept, keep_n of them). Never for
 * uid 0: root's loginuid marks every administrator's work.
 */
static int
add_account_targets(struct target **ts, size_t *n, size_t nsess,
    const struct ak_session *kept, size_t keep_n)
{
	size_t i, k, j;
	struct target *g;

	for (i = 0; i < nsess; i++) {
		uint32_t uid = (*ts)[i].s.uid;

		if (uid == 0 || uid == AK_SESSION_UID_UNKNOWN)
			continue;
		for (j = nsess; j < *n && (*ts)[j].s.uid != uid; j++)
			;
		if (j < *n)
			continue;	/* that account has one already */
		if ((g = add_target(ts, n)) == NULL)
			return -1;
		g->account_wide = 1;
		g->s.uid = uid;
		g->s.sid = AK_NO_SESSION;
		g->why = "end_account_processes";
		snprintf(g->s.account, sizeof(g->s.account), "%s",
		    (*ts)[i].s.account);
		for (k = 0; k < keep_n; k++) {
			if (kept[k].uid != uid)
				continue;
			if (kept[k].sid != AK_NO_SESSION &&
			    add_u32(&g->keep, &g->nkeep, kept[k].sid) != 0)
				return -1;
			if (kept[k].closed == 0) {
				pid_t *tp;
				unsigned long long *sp;

				if ((tp = reallocarray(g->keep_tree,
				    g->nkeep_tree + 1, sizeof(*tp))) == NULL)
					return -1;
				g->keep_tree = tp;
				if ((sp = reallocarray(g->keep_start,
				    g->nkeep_tree + 1, sizeof(*sp))) == NULL)
					return -1;
				g->keep_start = sp;
				tp[g->nkeep_tree] = kept[k].pid;
				sp[g->nkeep_tree++] = kept[k].start;
			}
		}
	}
	return 0;
}

static void
report(const struct ak_config *cfg, const struct target *g, int *status)
{
	char sid[16];

	snprintf(sid, sizeof(sid), "%lu", (unsigned long)g->s.sid);
	if (g->account_wide)
		ak_log(g->left ? LOG_ERR : LOG_NOTICE, "ended account "
		    "processes: uid=%lu account=%s processes=%zu left=%zu "
		    "reason=%s", (unsigned long)g->s.uid, g->s.account[0] ?
		    g->s.account : "-", g->killed, g->left, g->why);
	else
		ak_log(g->left ? LOG_ERR : LOG_NOTICE, "%s session: account=%s "
		    "fingerprint=%s sshd_pid=%ld audit_session=%s uid=%lu "
		    "state=%s stopped_by=%s processes=%zu left=%zu reason=%s",
		    g->left ? "could not end" : "ended", g->s.account[0] ?
		    g->s.account : "-", g->s.fprs[g->fpr], (long)g->s.pid,
		    g->s.sid == AK_NO_SESSION ? "none" : sid,
		    (unsigned long)g->s.uid, g->connected ? "connected" :
		    "logged-out", g->frozen ? "cgroup.freeze" : "SIGSTOP",
		    g->killed, g->left, g->why);
	if (g->left > 0)
		*status = 1;
	else if (!g->account_wide)
		ak_session_remove(cfg->session_dir, &g->s);
}

/* Reads the records: which end, which stay; drops those that are over. */
static int
judge(struct sweep *sw, struct ak_proctab *t, struct target **ts,
    size_t *n, struct ak_session **kept, size_t *nkept)
{
	const struct ak_config *cfg = sw->cfg;
	struct ak_session_dir sd = { NULL, NULL };
	struct ak_session s, *tmp;
	struct target *g;
	const char *why, *fpr;
	int r, connected;

	if ((r = ak_session_dir_open(&sd, cfg->session_dir)) != 0) {
		ak_log(LOG_ERR, "%s: %s", cfg->session_dir, ak_err(r));
		return -1;
	}
	while (ak_session_dir_next(&sd, &s)) {
		uid_of_v1(&s);
		/* /proc is read once, and only for a logged-out session. */
		if (t->p == NULL && !ak_session_alive(&s) &&
		    s.sid != AK_NO_SESSION &&
		    ak_proc_scan(t, AK_PROC_SESSION) != 0) {
			ak_log(LOG_ERR, "cannot read /proc");
			goto fail;
		}
		if (!ak_session_running(&s, t, &connected)) {
			ak_session_remove(cfg->session_dir, &s);
			continue;
		}
		if (connected)
			learn(cfg, &s);
		fpr = NULL;
		if ((why = sweep_verdict(sw, &s, &fpr)) == NULL) {
			if ((tmp = reallocarray(*kept, *nkept + 1,
			    sizeof(**kept))) == NULL)
				goto fail;
			*kept = tmp;
			tmp[(*nkept)++] = s;
			continue;
		}
		if ((g = add_target(ts, n)) == NULL)
			goto fail;
		g->s = s;
		g->why = why;
		g->connected = connected;
		g->fpr = (size_t)(fpr - s.fprs[0]) / sizeof(s.fprs[0]);
		if (s.scope[0] != '\0')
			(void)ak_cgroup_at(s.scope, &g->cg);
	}
	ak_session_dir_close(&sd);
	return 0;
 fail:
	ak_session_dir_close(&sd);
	return -1;
}

int
sweep_run(const struct ak_config *cfg)
{
	struct sweep sw;
	struct ak_proctab t;
	struct target *ts = NULL;
	struct ak_session *kept = NULL;
	size_t i, n = 0, nsess, nkept = 0, left, passes = 0;
	long long t0;
	int status = 0, lk;

	/*
	 * One sweep at a time (the path unit, the timer, an admin): another
	 * would take this one's stopped accounts for a dead sweep's. Then
	 * whatever a sweep that died left stopped goes on.
	 */
	if ((lk = open(cfg->session_dir, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) != -1)
		while (flock(lk, LOCK_EX) == -1 && errno == EINTR)
			;
	sweep_recover(cfg->session_dir);
	if (sweep_open(&sw, cfg, 1, &status) != 0) {
		sweep_close(&sw);
		if (lk != -1)
			close(lk);
		return 1;
	}
	memset(&t, 0, sizeof(t));
	if (judge(&sw, &t, &ts, &n, &kept, &nkept) != 0)
		status = 1;
	ak_proctab_free(&t);
	nsess = n;
	if (cfg->end_account_processes && nsess > 0 &&
	    add_account_targets(&ts, &n, nsess, kept, nkept) != 0)
		status = 1;
	t0 = ak_now_ms();
	if (n > 0) {
		left = sweep_end(cfg->session_dir, ts, n, &passes);
		for (i = 0; i < n; i++)
			report(cfg, &ts[i], &status);
		ak_log(left ? LOG_ERR : LOG_INFO, "%zu session(s) ended in "
		    "%lld ms (%zu scan(s) to stop them); %zu process(es) "
		    "could not be ended", nsess, ak_now_ms() - t0, passes,
		    left);
	}
	for (i = 0; i < n; i++) {
		free(ts[i].cgpids);
		free(ts[i].keep);
		free(ts[i].keep_tree);
		free(ts[i].keep_start);
	}
	free(ts);
	free(kept);
	sweep_close(&sw);
	if (lk != -1)
		close(lk);
	return status;
}
