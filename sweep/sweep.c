/* authkeys-sweep's work: records, verified data, ending sessions. */
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "ak_cache.h"
#include "ak_config.h"
#include "ak_err.h"
#include "ak_file.h"
#include "ak_log.h"
#include "ak_policy.h"
#include "ak_resolve.h"
#include "ak_session.h"
#include "ak_time.h"
#include "sweep.h"

#define MAX_TREE	4096

/* The verified view of one managed account, looked up once per sweep. */
struct acct_view {
	const char *account;
	int ok;			/* a signed document was had */
	struct ak_doc *doc;
};

/* Every process below pid (its session's shell and commands). */
static size_t
descendants(pid_t root, pid_t *out, size_t max)
{
	DIR *d;
	struct dirent *de;
	pid_t pids[MAX_TREE], ppids[MAX_TREE];
	size_t n = 0, nout = 0, i, j;

	if ((d = opendir("/proc")) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL && n < MAX_TREE) {
		char path[64], buf[1024], *p;
		long pid, ppid;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		pid = strtol(de->d_name, NULL, 10);
		snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
		if (ak_file_read_proc(path, buf, sizeof(buf)) <= 0)
			continue;
		/* After "pid (comm) S ": the parent's pid. */
		if ((p = strrchr(buf, ')')) != NULL && p[1] == ' ' &&
		    p[2] != '\0' && p[3] == ' ') {
			ppid = strtol(p + 4, NULL, 10);
			pids[n] = (pid_t)pid;
			ppids[n++] = (pid_t)ppid;
		}
	}
	closedir(d);
	/* Breadth first from root. */
	for (j = 0; j <= nout && nout < max; j++) {
		pid_t parent = j == 0 ? root : out[j - 1];

		for (i = 0; i < n && nout < max; i++)
			if (ppids[i] == parent && pids[i] != root)
				out[nout++] = pids[i];
	}
	return nout;
}

/*
 * Signals one session to end: its processes SIGKILL, sshd's monitor (which
 * then cleans up: PAM close, utmp) SIGTERM. Returns 0, or -1 if it is gone
 * or no longer the process recorded.
 */
static int
signal_session(const struct ak_session *s)
{
	pid_t kids[MAX_TREE];
	size_t n, i;

	if (!ak_session_alive(s))
		return -1;
	n = descendants(s->pid, kids, MAX_TREE);
	for (i = 0; i < n; i++)
		(void)kill(kids[i], SIGKILL);
	if (kill(s->pid, SIGTERM) == -1 && errno != ESRCH)
		return -1;
	return 0;
}

/*
 * Waits, for all the sessions signalled at once, up to a second for sshd's
 * monitors to go; SIGKILL those still there.
 */
static size_t
reap_sessions(const struct ak_session *ss, size_t n)
{
	size_t i, left, killed = 0;
	int tries;

	for (tries = 0; tries < 50; tries++) {
		for (i = left = 0; i < n; i++)
			left += ak_session_alive(&ss[i]) ? 1 : 0;
		if (left == 0)
			return 0;
		usleep(20000);
	}
	for (i = 0; i < n; i++) {
		if (ak_session_alive(&ss[i])) {
			(void)kill(ss[i].pid, SIGKILL);
			killed++;
		}
	}
	return killed;
}

static struct acct_view *
view_of(struct ak_resolver *rv, struct acct_view *views, size_t nviews,
    const char *account)
{
	const char *source;
	size_t i;

	for (i = 0; i < nviews; i++) {
		if (strcmp(views[i].account, account) != 0)
			continue;
		if (views[i].ok < 0) {
			views[i].ok = ak_resolve_doc(rv, account,
			    &views[i].doc, &source) == 0 &&
			    views[i].doc != NULL;
			if (!views[i].ok)
				ak_log(LOG_WARNING, "account %s: no verified "
				    "document; its sessions are left alone",
				    account);
		}
		return &views[i];
	}
	return NULL;
}

/* Why s must end, or NULL. */
static const char *
verdict(const struct ak_config *cfg, struct ak_resolver *rv,
    const struct ak_revlist *rl, struct acct_view *views, size_t nviews,
    const struct ak_session *s, const char **fprp)
{
	struct acct_view *v;
	size_t i;

	for (i = 0; i < s->nfprs; i++) {
		if (rl != NULL && ak_revlist_contains(rl, s->fprs[i])) {
			*fprp = s->fprs[i];
			return "key revoked";
		}
	}
	if ((v = view_of(rv, views, nviews, s->account)) == NULL || !v->ok)
		return NULL;
	for (i = 0; i < s->nfprs; i++) {
		if (!ak_policy_allows(cfg, v->doc, rl, s->fprs[i])) {
			*fprp = s->fprs[i];
			return "key no longer listed";
		}
	}
	return NULL;
}

int
sweep_run(const struct ak_config *cfg)
{
	struct ak_resolver rv;
	struct ak_revlist *rl = NULL;
	struct ak_doc *rdoc = NULL;
	struct acct_view *views = NULL;
	struct ak_session s, *ending = NULL, *tmp;
	struct dirent *de;
	const char *source, *why, *fpr;
	DIR *d = NULL;
	size_t i, ended = 0, killed;
	long long t0;
	int r, status = 0;

	if ((r = ak_resolver_init(&rv, cfg, AK_ASK_NEVER)) != 0 ||
	    (r = ak_resolver_private(&rv, cfg->module_cache_dir)) != 0) {
		ak_log(LOG_ERR, "cannot set up verification: %s; nothing "
		    "ended", ak_err(r));
		if (r == 0)
			ak_resolver_clear(&rv);
		return 1;
	}
	if (cfg->revocation_url != NULL) {
		if (ak_resolve_doc(&rv, NULL, &rdoc, &source) != 0 ||
		    rdoc == NULL || ak_revlist_from_doc(rdoc, &rl) != 0) {
			ak_log(LOG_WARNING, "no verified revocation list; no "
			    "session ended for revocation");
			status = 1;
		}
	}
	if ((views = calloc(cfg->naccounts, sizeof(*views))) == NULL) {
		status = 1;
		goto out;
	}
	for (i = 0; i < cfg->naccounts; i++) {
		views[i].account = cfg->accounts[i];
		views[i].ok = -1;	/* not looked up yet */
	}
	if ((d = opendir(cfg->session_dir)) == NULL) {
		if (errno != ENOENT) {
			ak_log(LOG_ERR, "%s: %s", cfg->session_dir,
			    strerror(errno));
			status = 1;
		}
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9' ||
		    strspn(de->d_name, "0123456789") != strlen(de->d_name))
			continue;
		if ((r = ak_session_read(cfg->session_dir, de->d_name,
		    &s)) != 0) {
			ak_log(LOG_WARNING, "%s/%s: not a session record we "
			    "wrote (%s); ignored", cfg->session_dir,
			    de->d_name, ak_err(r));
			continue;
		}
		if (!ak_session_alive(&s)) {
			ak_session_remove(cfg->session_dir, s.pid);
			continue;
		}
		fpr = NULL;
		if ((why = verdict(cfg, &rv, rl, views, cfg->naccounts, &s,
		    &fpr)) == NULL)
			continue;
		/* Signal now, wait for all of them together below. */
		if (signal_session(&s) != 0 || (tmp = reallocarray(ending,
		    ended + 1, sizeof(*ending))) == NULL)
			continue;
		ending = tmp;
		ending[ended++] = s;
		ak_log(LOG_NOTICE, "ended session: account=%s fingerprint=%s "
		    "sshd_pid=%ld reason=%s", s.account, fpr, (long)s.pid, why);
	}
	t0 = ak_now_ms();
	killed = reap_sessions(ending, ended);
	for (i = 0; i < ended; i++)
		ak_session_remove(cfg->session_dir, ending[i].pid);
	if (ended > 0)
		ak_log(LOG_INFO, "%zu session(s) ended in %lld ms (%zu sshd "
		    "monitor(s) needed SIGKILL)", ended, ak_now_ms() - t0,
		    killed);
 out:
	if (d != NULL)
		closedir(d);
	for (i = 0; views != NULL && i < cfg->naccounts; i++)
		ak_doc_free(views[i].doc);
	free(views);
	free(ending);
	ak_revlist_free(rl);
	ak_doc_free(rdoc);
	ak_resolver_clear(&rv);
	return status;
}
