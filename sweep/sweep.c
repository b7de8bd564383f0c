/*
 * authkeys-sweep's work: the records, the verified view (ak_keyset, root's
 * own verification), sshd's KRL, and ending whole login sessions.
 */
#include <sys/types.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "ak_accounts.h"
#include "ak_config.h"
#include "ak_err.h"
#include "ak_keyset.h"
#include "ak_krl.h"
#include "ak_log.h"
#include "ak_proc.h"
#include "ak_resolve.h"
#include "ak_session.h"
#include "ak_time.h"
#include "sweep.h"

#define MAX_PASSES	50	/* scans while a session's processes remain */

/* A session being ended and what finds its processes. */
struct ending {
	struct ak_session s;
	size_t fpr;		/* which of s.fprs */
	const char *why;
	uint32_t sid;		/* its audit session, or AK_NO_SESSION */
	pid_t *scope;		/* its logind scope's processes */
	size_t nscope;
	size_t killed;		/* processes sent SIGKILL */
};

struct acct_view *
sweep_view_of(struct ak_resolver *rv, const struct ak_revset *rs,
    struct acct_view *views, size_t nviews, const char *account)
{
	const char *source;
	size_t i;

	for (i = 0; i < nviews; i++) {
		if (strcmp(views[i].account, account) != 0)
			continue;
		if (!views[i].looked) {
			views[i].looked = 1;
			if (ak_resolve_doc(rv, account, &views[i].doc,
			    &source) != 0 || views[i].doc == NULL ||
			    ak_keyset_from_doc(rv->cfg, account, views[i].doc,
			    rs, &views[i].ks) != 0)
				ak_log(LOG_WARNING, "account %s: no verified "
				    "document; its sessions are left alone",
				    account);
		}
		return &views[i];
	}
	return NULL;
}

/*
 * Why s must end, or NULL: only on what root verified itself. A document
 * or list that cannot be had or read ends nothing.
 */
const char *
sweep_verdict(struct ak_resolver *rv, const struct ak_revset *rs,
    struct acct_view *views, size_t nviews, const struct ak_session *s,
    const char **fprp)
{
	unsigned char hash[AK_HASH_LEN];
	struct acct_view *v;
	size_t i;

	for (i = 0; i < s->nfprs; i++) {
		if (ak_fpr_hash(s->fprs[i], hash) == 0 &&
		    ak_revset_has(rs, hash)) {
			*fprp = s->fprs[i];
			return "key revoked";
		}
	}
	if ((v = sweep_view_of(rv, rs, views, nviews, s->account)) == NULL ||
	    v->ks == NULL)
		return NULL;
	for (i = 0; i < s->nfprs; i++) {
		if (ak_fpr_hash(s->fprs[i], hash) != 0)
			continue;
		switch (ak_keyset_admit(v->ks, hash)) {
		case AK_ADMIT:
		case AK_DENY_NO_LIST:
		case AK_DENY_BAD_DOC:
			continue;	/* admitted, or nothing to go on */
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

/*
 * The audit session the login's sshd monitor belongs to, if pam_loginuid
 * gave it one of its own (not the one sshd itself runs in), else
 * AK_NO_SESSION: then only its process tree and scope are its processes.
 */
static uint32_t
own_session(const struct ak_proctab *t, pid_t monitor)
{
	const struct ak_proc *m, *parent;

	if ((m = ak_proc_find(t, monitor)) == NULL ||
	    m->sessionid == AK_NO_SESSION)
		return AK_NO_SESSION;
	if ((parent = ak_proc_find(t, m->ppid)) != NULL &&
	    parent->sessionid == m->sessionid)
		return AK_NO_SESSION;
	return m->sessionid;
}

/* Whether p descends from root (bounded walk up the table). */
static int
descends(const struct ak_proctab *t, const struct ak_proc *p, pid_t root)
{
	size_t depth;

	for (depth = 0; p != NULL && depth < t->n; depth++) {
		if (p->ppid == root)
			return 1;
		if (p->ppid <= 1)
			return 0;
		p = ak_proc_find(t, p->ppid);
	}
	return 0;
}

static int
in_list(const pid_t *pids, size_t n, pid_t pid)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (pids[i] == pid)
			return 1;
	return 0;
}

/* The first session p belongs to, or n if none. */
static size_t
session_of(const struct ak_proctab *t, const struct ak_proc *p,
    const struct ending *es, size_t n)
{
	size_t j;

	for (j = 0; j < n; j++) {
		if (p->pid == es[j].s.pid)
			return n;	/* the monitor: SIGTERM, later */
		if ((es[j].sid != AK_NO_SESSION && p->sessionid == es[j].sid) ||
		    descends(t, p, es[j].s.pid) ||
		    in_list(es[j].scope, es[j].nscope, p->pid))
			return j;
	}
	return n;
}

/*
 * Ends every process of the sessions but their sshd monitors: those of
 * their audit session, wherever they went; their process trees; their
 * logind scopes. Scans again until a scan finds none left (what forked
 * meanwhile is found by the next). Returns the processes still there.
 */
static size_t
kill_members(struct ending *es, size_t n)
{
	struct ak_proctab t;
	size_t i, j, left = 0;
	int pass;

	for (pass = 0; pass < MAX_PASSES; pass++) {
		if (ak_proc_scan(&t, 1) != 0) {
			ak_log(LOG_ERR, "cannot read /proc; sessions' "
			    "processes not ended");
			break;
		}
		for (j = 0; j < n; j++) {
			if (pass == 0)
				es[j].sid = own_session(&t, es[j].s.pid);
			es[j].nscope = 0;
			(void)ak_proc_scope_pids(es[j].s.pid, &es[j].scope,
			    &es[j].nscope);
		}
		left = 0;
		for (i = 0; i < t.n; i++) {
			const struct ak_proc *p = &t.p[i];

			if (p->zombie || p->pid <= 1 || p->pid == getpid() ||
			    (j = session_of(&t, p, es, n)) == n)
				continue;
			if (ak_proc_signal(p->pid, p->start, SIGKILL) == 0) {
				es[j].killed++;
				left++;
			}
		}
		ak_proctab_free(&t);
		if (left == 0)
			break;
		usleep(pass < 5 ? 2000 : 20000);
	}
	if (left > 0)
		ak_log(LOG_ERR, "%zu process(es) of ended sessions still ran "
		    "after %d scans", left, MAX_PASSES);
	return left;
}

/*
 * Waits, for all the sessions at once, up to a second for sshd's monitors
 * to go after SIGTERM (they clean up: PAM, utmp); SIGKILL those still
 * there. Returns how many needed it.
 */
static size_t
reap_monitors(const struct ending *es, size_t n)
{
	size_t i, left, killed = 0;
	int tries;

	for (i = 0; i < n; i++)
		(void)ak_proc_signal(es[i].s.pid, es[i].s.start, SIGTERM);
	for (tries = 0; tries < 50; tries++) {
		for (i = left = 0; i < n; i++)
			left += ak_session_alive(&es[i].s) ? 1 : 0;
		if (left == 0)
			return 0;
		usleep(20000);
	}
	for (i = 0; i < n; i++)
		if (ak_proc_signal(es[i].s.pid, es[i].s.start, SIGKILL) == 0)
			killed++;
	return killed;
}

/* The revocation list root verified, and sshd's KRL made to follow it. */
static struct ak_revset *
verified_list(const struct ak_config *cfg, struct ak_resolver *rv,
    int *status)
{
	struct ak_revset *rs = NULL;
	struct ak_doc *rdoc = NULL;
	const char *source;

	if (cfg->revocation_url != NULL && (ak_resolve_doc(rv, NULL, &rdoc,
	    &source) != 0 || rdoc == NULL ||
	    ak_revset_from_doc(rdoc, &rs, NULL) != 0)) {
		ak_log(LOG_WARNING, "no verified revocation list; no session "
		    "ended for revocation");
		*status = 1;
	}
	ak_doc_free(rdoc);
	/* Always there once configured: sshd refuses every key without. */
	if (cfg->revoked_keys_file != NULL &&
	    ak_krl_update(cfg->revoked_keys_file, rs, time(NULL)) != 0)
		*status = 1;
	return rs;
}

int
sweep_run(const struct ak_config *cfg)
{
	struct ak_resolver rv;
	struct ak_revset *rs = NULL;
	struct acct_view *views = NULL;
	struct ending *ending = NULL, *tmp;
	struct ak_session s;
	struct ak_session_dir sd = { NULL, NULL };
	const char *why, *fpr;
	size_t i, n = 0, killed, nacc = 0;
	char **accts = NULL;
	long long t0;
	int r, status = 0;

	if ((r = ak_resolver_init(&rv, cfg, AK_ASK_NEVER)) != 0) {
		ak_log(LOG_ERR, "cannot set up verification: %s; nothing "
		    "ended", ak_err(r));
		return 1;
	}
	if ((r = ak_resolver_private(&rv, cfg->module_cache_dir)) != 0) {
		ak_log(LOG_ERR, "module_cache_dir %s: %s; nothing ended",
		    cfg->module_cache_dir, ak_err(r));
		ak_resolver_clear(&rv);
		return 1;
	}
	rs = verified_list(cfg, &rv, &status);
	/* Patterns and %groups: the accounts NSS knows that they admit. */
	if (ak_config_accounts(cfg, &accts, &nacc) != 0 ||
	    (views = calloc(nacc + 1, sizeof(*views))) == NULL) {
		status = 1;
		goto out;
	}
	for (i = 0; i < nacc; i++)
		views[i].account = accts[i];
	if ((r = ak_session_dir_open(&sd, cfg->session_dir)) != 0) {
		ak_log(LOG_ERR, "%s: %s", cfg->session_dir, ak_err(r));
		status = 1;
		goto out;
	}
	while (ak_session_dir_next(&sd, &s)) {
		if (!ak_session_alive(&s)) {
			ak_session_remove(cfg->session_dir, s.pid);
			continue;
		}
		fpr = NULL;
		if ((why = sweep_verdict(&rv, rs, views, nacc, &s, &fpr)) ==
		    NULL)
			continue;
		if ((tmp = reallocarray(ending, n + 1, sizeof(*ending))) ==
		    NULL) {
			status = 1;
			break;
		}
		ending = tmp;
		memset(&ending[n], 0, sizeof(*ending));
		ending[n].s = s;
		ending[n].why = why;
		ending[n].fpr = (size_t)(fpr - s.fprs[0]) / sizeof(s.fprs[0]);
		n++;
	}
	t0 = ak_now_ms();
	if (n > 0) {
		(void)kill_members(ending, n);
		killed = reap_monitors(ending, n);
		for (i = 0; i < n; i++) {
			char sid[16];

			snprintf(sid, sizeof(sid), "%lu",
			    (unsigned long)ending[i].sid);
			ak_log(LOG_NOTICE, "ended session: account=%s "
			    "fingerprint=%s sshd_pid=%ld audit_session=%s "
			    "processes=%zu reason=%s", ending[i].s.account,
			    ending[i].s.fprs[ending[i].fpr],
			    (long)ending[i].s.pid, ending[i].sid ==
			    AK_NO_SESSION ? "none" : sid, ending[i].killed,
			    ending[i].why);
			ak_session_remove(cfg->session_dir, ending[i].s.pid);
		}
		ak_log(LOG_INFO, "%zu session(s) ended in %lld ms (%zu sshd "
		    "monitor(s) needed SIGKILL)", n, ak_now_ms() - t0, killed);
	}
 out:
	ak_session_dir_close(&sd);
	for (i = 0; views != NULL && i < nacc; i++) {
		ak_keyset_free(views[i].ks);
		ak_doc_free(views[i].doc);
	}
	free(views);
	ak_accounts_free(accts, nacc);
	for (i = 0; i < n; i++)
		free(ending[i].scope);
	free(ending);
	ak_revset_free(rs);
	ak_resolver_clear(&rv);
	return status;
}
