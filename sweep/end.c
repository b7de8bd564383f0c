/*
 * Ending processes for authkeys-sweep: freeze, then kill, then count.
 *
 * A process that forks and exits in a loop is never the same process
 * twice: killing what one scan saw leaves the child it forked meanwhile.
 * So nothing is killed until nothing runs. With a unified cgroup (a logind
 * scope) the kernel freezes the whole group at once; otherwise every
 * member gets SIGSTOP, its children at once after it, and /proc is scanned
 * again until a scan finds every member stopped (a stopped process cannot
 * fork: a signal that arrives during fork() cancels it). Then SIGKILL to
 * all, and success is what a last scan no longer finds, not signals sent.
 *
 * A scan alone cannot promise "none running": /proc lists a loop's
 * process, it exits before its stat is read, and its child was born after
 * the listing, so a scan can see nothing of a loop that runs on. So first
 * every process of the targets' accounts is stopped at once (kill(-1) from
 * a child running as the account: the kernel signals them all under the
 * lock fork() takes to add a process). What the targets do not own is
 * continued afterwards, except what was stopped before the sweep came.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "ak_cgroup.h"
#include "ak_err.h"
#include "ak_file.h"
#include "ak_log.h"
#include "ak_proc.h"
#include "ak_time.h"
#include "sweep.h"

#define STOP_MS		5000	/* stopping passes, at most */
#define VERIFY_MS	2000	/* waiting for the killed to go */
#define CHASE_MAX	4096	/* children stopped right after a parent */
#define ACCOUNTS_MAX	64	/* accounts stopped whole at once */
#define DEPTH_MAX	64	/* ancestors counted for the thaw order */
#define FROZEN_NOTE	".sweep-stopped"	/* in session_dir, root's */

struct freeze {
	uint32_t uid[ACCOUNTS_MAX];	/* accounts stopped whole */
	size_t n;
	struct ak_proctab before;	/* stopped before: stays stopped */
};

/* What a scan reads: login uids only when an account's processes end. */
static int
scan_what(const struct target *ts, size_t n)
{
	size_t j;

	for (j = 0; j < n; j++)
		if (ts[j].account_wide)
			return AK_PROC_SESSION | AK_PROC_LOGINUID;
	return AK_PROC_SESSION;
}

static int
in_pids(const pid_t *pids, size_t n, pid_t pid)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (pids[i] == pid)
			return 1;
	return 0;
}

/* Whether p descends from the process root (which started at start). */
static int
descends(const struct ak_proctab *t, const struct ak_proc *p, pid_t root,
    unsigned long long start)
{
	const struct ak_proc *r;
	size_t depth;

	/* A monitor that is gone, or a PID reused since: no tree at all. */
	if ((r = ak_proc_find(t, root)) == NULL || r->start != start ||
	    r->zombie)
		return 0;
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
kept(const struct ak_proctab *t, const struct target *g,
    const struct ak_proc *p)
{
	size_t i;

	for (i = 0; i < g->nkeep; i++)
		if (p->sessionid == g->keep[i])
			return 1;
	for (i = 0; i < g->nkeep_tree; i++)
		if (p->pid == g->keep_tree[i] || descends(t, p,
		    g->keep_tree[i], g->keep_start[i]))
			return 1;
	return 0;
}

/* The target p belongs to, or n. Never a monitor: it gets SIGTERM. */
static size_t
target_of(const struct ak_proctab *t, const struct ak_proc *p,
    const struct target *ts, size_t n)
{
	size_t j;

	if (p->pid <= 1 || p->pid == getpid())
		return n;
	for (j = 0; j < n; j++)
		if (ts[j].connected && p->pid == ts[j].s.pid)
			return n;
	for (j = 0; j < n; j++) {
		const struct target *g = &ts[j];

		if (g->account_wide) {
			if (p->loginuid == g->s.uid && !kept(t, g, p))
				return j;
			continue;
		}
		if ((g->s.sid != AK_NO_SESSION && p->sessionid == g->s.sid) ||
		    (g->connected && descends(t, p, g->s.pid, g->s.start)) ||
		    in_pids(g->cgpids, g->ncgpids, p->pid))
			return j;
	}
	return n;
}

/* Each target's scope members, read again (a cgroup may be gone). */
static void
read_scopes(struct target *ts, size_t n)
{
	size_t j;
	int r;

	for (j = 0; j < n; j++) {
		ts[j].ncgpids = 0;
		if (ts[j].cg.dir[0] == '\0')
			continue;
		if ((r = ak_cgroup_pids(&ts[j].cg, &ts[j].cgpids,
		    &ts[j].ncgpids)) != 0 && r != AK_ERR_NOT_FOUND)
			ak_log(LOG_WARNING, "%s: %s; its members are found by "
			    "audit session and tree only", ts[j].cg.dir,
			    ak_err(r));
	}
}

/*
 * SIGSTOP to pid, then to its children at once (read from the kernel's
 * list), before they too can fork: the chase of a fork loop takes
 * microseconds, not a whole scan.
 */
static void
stop_chase(pid_t pid, unsigned long long start, size_t *budget)
{
	char path[80], buf[4096], *p, *ep;
	struct ak_proc c;
	long v;

	if (ak_proc_signal(pid, start, SIGSTOP) != 0 || *budget == 0)
		return;
	snprintf(path, sizeof(path), "/proc/%ld/task/%ld/children",
	    (long)pid, (long)pid);
	if (ak_file_read_proc(path, buf, sizeof(buf)) <= 0)
		return;
	for (p = buf; *p != '\0' && *budget > 0; p = ep) {
		v = strtol(p, &ep, 10);
		if (ep == p || v < 2)
			break;
		while (*ep == ' ')
			ep++;
		(*budget)--;
		if (ak_proc_read((pid_t)v, 0, &c) == 0 && !ak_proc_halted(&c))
			stop_chase(c.pid, c.start, budget);
	}
}

static int
frozen_member(const struct target *ts, size_t n, pid_t pid)
{
	size_t j;

	for (j = 0; j < n; j++)
		if (ts[j].frozen && ak_cgroup_event(&ts[j].cg, "frozen") == 1 &&
		    in_pids(ts[j].cgpids, ts[j].ncgpids, pid))
			return 1;
	return 0;
}

/*
 * Stops every member; returns 0 once a whole scan found none running, with
 * that scan in *t (every member in it: none can fork any more), else -1.
 */
static int
stop_all(struct target *ts, size_t n, struct ak_proctab *t, size_t *passes)
{
	long long until = ak_now_ms() + STOP_MS;
	size_t i, j, running, budget = CHASE_MAX;

	memset(t, 0, sizeof(*t));
	*passes = 0;
	for (j = 0; j < n; j++)
		if (ts[j].cg.v2 && ak_cgroup_freeze(&ts[j].cg, 1) == 0)
			ts[j].frozen = 1;
	do {
		if (ak_proc_scan(t, scan_what(ts, n)) != 0)
			return -1;
		(*passes)++;
		read_scopes(ts, n);
		running = 0;
		for (i = 0; i < t->n; i++) {
			const struct ak_proc *p = &t->p[i];

			if (ak_proc_halted(p) ||
			    (j = target_of(t, p, ts, n)) == n ||
			    frozen_member(ts, n, p->pid))
				continue;
			running++;
			stop_chase(p->pid, p->start, &budget);
		}
		if (running == 0)
			return 0;
		ak_proctab_free(t);
		usleep(1000);
	} while (ak_now_ms() < until);
	return -1;
}

/* SIGKILL to every member in t; returns how many were there. */
static size_t
kill_in(const struct ak_proctab *t, struct target *ts, size_t n, int count)
{
	size_t i, j, seen = 0;

	for (j = 0; j < n; j++)
		ts[j].left = 0;
	for (i = 0; i < t->n; i++) {
		const struct ak_proc *p = &t->p[i];

		if (p->zombie || (j = target_of(t, p, ts, n)) == n)
			continue;
		seen++;
		ts[j].left++;
		if (ak_proc_signal(p->pid, p->start, SIGKILL) == 0 && count)
			ts[j].killed++;
	}
	return seen;
}

/* SIGKILL to every member a new scan finds; returns how many were there. */
static size_t
kill_all(struct target *ts, size_t n, int count)
{
	struct ak_proctab t;
	size_t seen;

	if (ak_proc_scan(&t, scan_what(ts, n)) != 0)
		return 1;
	read_scopes(ts, n);
	seen = kill_in(&t, ts, n, count);
	ak_proctab_free(&t);
	return seen;
}

/*
 * SIGSTOP to every process of uid at once, from a child running as uid:
 * kill(-1) signals all it may under the lock that fork() takes to add a
 * process, and a fork in flight in a signalled process is undone, so no
 * process of the account runs code afterwards. Returns 0 if it stopped
 * any, -1 if none (or it could not).
 */
static int
stop_account(uint32_t uid)
{
	pid_t pid;
	int st;

	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		if (setgroups(0, NULL) != 0 || setresuid((uid_t)uid,
		    (uid_t)uid, (uid_t)uid) != 0)
			_exit(2);
		_exit(kill(-1, SIGSTOP) == 0 ? 0 : 1);
	}
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* SIGCONT to every stopped process of uid (ruid or suid); how many. */
static size_t
continue_account(uint32_t uid)
{
	struct ak_proctab t;
	uint32_t ruid, suid;
	size_t i, n = 0;

	if (ak_proc_scan(&t, 0) != 0)
		return 0;
	for (i = 0; i < t.n; i++)
		if (t.p[i].state == 'T' && ak_proc_uids(t.p[i].pid, &ruid,
		    &suid) == 0 && (ruid == uid || suid == uid) &&
		    ak_proc_signal(t.p[i].pid, t.p[i].start, SIGCONT) == 0)
			n++;
	ak_proctab_free(&t);
	return n;
}

void
sweep_recover(const char *dir)
{
	char path[4096], *buf = NULL, *line, *ep;
	unsigned long v;
	size_t len, k = 0;
	int r;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, FROZEN_NOTE) >=
	    sizeof(path))
		return;
	if ((r = ak_file_read(path, 4096, 1, 0, &buf, &len)) != 0) {
		if (r != AK_ERR_NOT_FOUND)
			ak_log(LOG_ERR, "%s: %s", path, ak_err(r));
		return;
	}
	/* "uid N" lines, as stop_accounts wrote them. */
	for (line = buf; *line != '\0' && k < ACCOUNTS_MAX; line = ep, k++) {
		if (strncmp(line, "uid ", 4) != 0 || line[4] < '1' ||
		    line[4] > '9')
			break;
		errno = 0;
		v = strtoul(line + 4, &ep, 10);
		if (errno != 0 || v > UINT32_MAX - 1 || *ep != '\n')
			break;
		ep++;
		ak_log(LOG_WARNING, "a sweep stopped the processes of uid %lu "
		    "and did not finish: %zu continued (a job the account "
		    "had stopped itself among them)", v,
		    continue_account((uint32_t)v));
	}
	if (*line != '\0')
		ak_log(LOG_ERR, "%s: not a note this sweep wrote; stopped "
		    "processes of the accounts before it are left stopped",
		    path);
	free(buf);
	if (unlink(path) != 0 && errno != ENOENT)
		ak_log(LOG_ERR, "%s: cannot remove: %s", path,
		    strerror(errno));
}

/*
 * Stops the targets' accounts whole (never root's: uid 0 is every
 * daemon's), after a scan of what was stopped already (job control: stays
 * stopped). The accounts are noted in dir first: a sweep that dies before
 * it continues them is undone by the next (sweep_recover).
 */
static void
freeze_accounts(const char *dir, const struct target *ts, size_t n,
    struct freeze *fz)
{
	uint32_t want[ACCOUNTS_MAX];
	char buf[ACCOUNTS_MAX * 16];
	size_t i, j, nw = 0, off = 0;
	int r;

	fz->n = 0;
	memset(&fz->before, 0, sizeof(fz->before));
	for (i = 0; i < n; i++) {
		if (ts[i].s.uid == 0 || ts[i].s.uid == AK_SESSION_UID_UNKNOWN)
			continue;
		for (j = 0; j < nw && want[j] != ts[i].s.uid; j++)
			;
		if (j == nw && nw < ACCOUNTS_MAX) {
			want[nw++] = ts[i].s.uid;
			off += (size_t)snprintf(buf + off, sizeof(buf) - off,
			    "uid %lu\n", (unsigned long)ts[i].s.uid);
		}
	}
	if (nw == 0)
		return;
	if ((r = ak_file_write_atomic_flags(dir, FROZEN_NOTE, buf, off, 0600,
	    0, 0)) != 0) {
		ak_log(LOG_WARNING, "%s/%s: %s; stopping processes one by one",
		    dir, FROZEN_NOTE, ak_err(r));
		return;
	}
	if (ak_proc_scan(&fz->before, 0) != 0) {
		memset(&fz->before, 0, sizeof(fz->before));
		ak_log(LOG_WARNING, "cannot read /proc; stopping processes "
		    "one by one");
		return;
	}
	for (i = 0; i < nw; i++) {
		if (stop_account(want[i]) == 0)
			fz->uid[fz->n++] = want[i];
		else
			ak_log(LOG_WARNING, "could not stop the processes of "
			    "uid %lu at once; stopping them one by one",
			    (unsigned long)want[i]);
	}
}

/* Whether the freeze stopped p: one of its accounts, stopped since. */
static int
frozen_by_us(const struct freeze *fz, const struct ak_proc *p)
{
	const struct ak_proc *b;
	uint32_t ruid, suid;
	size_t j;

	if (p->state != 'T')
		return 0;
	if ((b = ak_proc_find(&fz->before, p->pid)) != NULL &&
	    b->start == p->start && b->state == 'T')
		return 0;
	if (ak_proc_uids(p->pid, &ruid, &suid) != 0)
		return 0;
	for (j = 0; j < fz->n; j++)
		if (fz->uid[j] == ruid || fz->uid[j] == suid)
			return 1;
	return 0;
}

struct thaw {
	pid_t pid;
	unsigned long long start;
	size_t depth;
};

static int
deeper_first(const void *a, const void *b)
{
	size_t x = ((const struct thaw *)a)->depth;
	size_t y = ((const struct thaw *)b)->depth;

	return x < y ? 1 : x > y ? -1 : 0;
}

/*
 * SIGCONT to what the freeze stopped and the targets do not own (other
 * sessions of the account), children before parents: a shell continued
 * first would see its foreground job stopped and take the terminal back.
 */
static void
thaw_accounts(const char *dir, const struct target *ts, size_t n,
    struct freeze *fz)
{
	char path[4096];

	struct ak_proctab t;
	struct thaw *c = NULL;
	const struct ak_proc *a;
	size_t i, k, nc = 0;

	if (fz->n > 0 && ak_proc_scan(&t, scan_what(ts, n)) == 0) {
		if (t.n > 0 && (c = calloc(t.n, sizeof(*c))) == NULL)
			ak_log(LOG_WARNING, "out of memory: continuing the "
			    "stopped in any order");
		for (i = 0; i < t.n; i++) {
			const struct ak_proc *p = &t.p[i];

			if (p->zombie || target_of(&t, p, ts, n) != n ||
			    !frozen_by_us(fz, p))
				continue;
			if (c == NULL) {
				(void)ak_proc_signal(p->pid, p->start, SIGCONT);
				continue;
			}
			c[nc].pid = p->pid;
			c[nc].start = p->start;
			for (k = 0, a = p; a != NULL && a->ppid > 1 &&
			    k < DEPTH_MAX; k++)
				a = ak_proc_find(&t, a->ppid);
			c[nc++].depth = k;
		}
		if (nc > 1)
			qsort(c, nc, sizeof(*c), deeper_first);
		for (i = 0; i < nc; i++)
			(void)ak_proc_signal(c[i].pid, c[i].start, SIGCONT);
		free(c);
		ak_proctab_free(&t);
	} else if (fz->n > 0) {
		/* Cannot tell ours from the rest: every stopped one goes on. */
		for (i = 0; i < fz->n; i++)
			(void)continue_account(fz->uid[i]);
	}
	ak_proctab_free(&fz->before);
	snprintf(path, sizeof(path), "%s/%s", dir, FROZEN_NOTE);
	if (unlink(path) != 0 && errno != ENOENT)
		ak_log(LOG_ERR, "%s: cannot remove: %s", path,
		    strerror(errno));
}

/*
 * Up to a second for sshd's monitors to go after SIGTERM (they clean up:
 * PAM, utmp); SIGKILL those still there.
 */
static void
reap_monitors(const struct target *ts, size_t n)
{
	size_t i, left;
	int tries;

	for (i = 0; i < n; i++)
		if (ts[i].connected)
			(void)ak_proc_signal(ts[i].s.pid, ts[i].s.start,
			    SIGTERM);
	for (tries = 0; tries < 50; tries++) {
		for (i = left = 0; i < n; i++)
			left += ts[i].connected && ak_session_alive(&ts[i].s);
		if (left == 0)
			return;
		usleep(20000);
	}
	for (i = 0; i < n; i++)
		if (ts[i].connected && ak_proc_signal(ts[i].s.pid,
		    ts[i].s.start, SIGKILL) == 0)
			ak_log(LOG_WARNING, "sshd monitor %ld needed SIGKILL",
			    (long)ts[i].s.pid);
}

size_t
sweep_end(const char *dir, struct target *ts, size_t n, size_t *passes)
{
	struct ak_proctab t;
	struct freeze fz;
	sigset_t hold, old;
	long long until;
	size_t j, left;

	/*
	 * Told to stop (systemd's timeout, ^C) while accounts are stopped,
	 * the sweep first continues them: those signals wait for the thaw.
	 * SIGKILL cannot: the note is for that.
	 */
	sigemptyset(&hold);
	sigaddset(&hold, SIGTERM);
	sigaddset(&hold, SIGINT);
	sigaddset(&hold, SIGHUP);
	sigaddset(&hold, SIGQUIT);
	(void)sigprocmask(SIG_BLOCK, &hold, &old);
	freeze_accounts(dir, ts, n, &fz);
	/* A scope whose monitor is gone: the kernel kills it whole. */
	if (stop_all(ts, n, &t, passes) == 0) {
		for (j = 0; j < n; j++)
			if (ts[j].frozen && !ts[j].connected)
				(void)ak_cgroup_kill(&ts[j].cg);
		(void)kill_in(&t, ts, n, 1);
	} else {
		ak_log(LOG_WARNING, "processes of ended sessions still ran "
		    "after %d ms of stopping; killing them anyway", STOP_MS);
		(void)kill_all(ts, n, 1);
	}
	ak_proctab_free(&t);
	/* Other sessions of the accounts go on; the killed go. */
	thaw_accounts(dir, ts, n, &fz);
	(void)sigprocmask(SIG_SETMASK, &old, NULL);
	/* Thawed, the killed go and the monitors can take SIGTERM. */
	for (j = 0; j < n; j++)
		if (ts[j].frozen)
			(void)ak_cgroup_freeze(&ts[j].cg, 0);
	until = ak_now_ms() + VERIFY_MS;
	/* The killed need a moment to exit: one scan then, not two. */
	usleep(5000);
	while ((left = kill_all(ts, n, 0)) > 0 && ak_now_ms() < until)
		usleep(10000);
	reap_monitors(ts, n);
	return left;
}
