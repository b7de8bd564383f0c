/* authkeys-sweep: ending live sessions of keys that are no longer allowed. */
#ifndef AK_SWEEP_H
#define AK_SWEEP_H

#include <sys/types.h>

#include "ak_cgroup.h"
#include "ak_config.h"
#include "ak_doc.h"
#include "ak_keyset.h"
#include "ak_resolve.h"
#include "ak_session.h"

/* The verified view of one managed account, looked up once per sweep. */
struct acct_view {
	const char *account;
	int looked;
	struct ak_doc *doc;	/* NULL: no signed document to act on */
	struct ak_keyset *ks;
	const char *absent;	/* why a verified answer is "no keys" */
};

/* What a sweep and --list judge by, set up once (sweep_open). */
struct sweep {
	const struct ak_config *cfg;
	struct ak_resolver rv;
	int have_rv;
	struct ak_revset *rs;	/* the verified list, or NULL */
	int have_list;		/* no revocation_url, or rs verified */
	int frozen_deny;	/* a frozen view under on_freeze = deny */
	char **accts;		/* the managed accounts NSS knows */
	size_t nacc;
	struct acct_view *views;	/* one per accts entry */
};

/*
 * Sets up sw for cfg: root's verification, the list (and, if write_krl,
 * sshd's KRL from it), the view's freeze state, the accounts. Returns 0,
 * or 1 (logged) with sw still safe to close; *status is set to 1 for a
 * list that could not be had.
 */
int sweep_open(struct sweep *sw, const struct ak_config *cfg, int write_krl,
    int *status);
void sweep_close(struct sweep *sw);

/* One sweep over the session records. Returns the exit status. */
int sweep_run(const struct ak_config *cfg);

/*
 * --list [--json]: the recorded sessions still running (connected, or
 * logged out with processes left), whether each key is still admitted.
 * Returns the exit status.
 */
int sweep_list(const struct ak_config *cfg, int json);

/* The view of account (looked up on first use), or NULL if unmanaged. */
struct acct_view *sweep_view_of(struct sweep *sw, const char *account);

/*
 * Why session s must end, or NULL (then *fprp untouched): only on what
 * root verified itself.
 */
const char *sweep_verdict(struct sweep *sw, const struct ak_session *s,
    const char **fprp);

/* A group of processes to end: one session, or an account's leftovers. */
struct target {
	struct ak_session s;	/* the session (account: uid only) */
	int account_wide;	/* end_account_processes: loginuid == uid */
	int connected;		/* its monitor runs: its tree counts */
	const char *why;
	size_t fpr;		/* which of s.fprs */
	struct ak_cgroup cg;	/* its scope, if any (cg.dir "") */
	int frozen;		/* cg frozen by us */
	pid_t *cgpids;		/* the scope's members this pass */
	size_t ncgpids;
	uint32_t *keep;		/* account_wide: audit sessions that stay */
	size_t nkeep;
	pid_t *keep_tree;	/* account_wide: monitors whose trees stay */
	unsigned long long *keep_start;
	size_t nkeep_tree;
	size_t killed;		/* processes sent SIGKILL */
	size_t left;		/* still there at the end */
};

/*
 * Ends every process of the targets (not their sshd monitors): stops them
 * all first (their cgroup frozen, else SIGSTOP each pass until a scan finds
 * none running, so a fork loop cannot outrun it), then SIGKILL, then counts
 * what is still there. Then SIGTERM to connected monitors. Returns how
 * many processes survived (each target's left says whose); *passes gets
 * the scans it took to find nothing running. The accounts it stops whole
 * are noted in dir meanwhile (sweep_recover).
 */
size_t sweep_end(const char *dir, struct target *ts, size_t n,
    size_t *passes);

/*
 * What a sweep that died between stopping accounts and continuing them
 * left (its note in dir, the session directory): every stopped process of
 * those accounts is continued, and the note goes.
 */
void sweep_recover(const char *dir);

#endif
