/*
 * The processes of a login session, for authkeys-sweep: a whole /proc scan
 * (no cap), the audit session id pam_loginuid gives a login (which its
 * user cannot change, and which every process of the login keeps wherever
 * it goes: setsid, double fork, nohup, a tmux server), the login's
 * systemd-logind scope, and signals that reach the process meant and no
 * other (a pidfd, the start time checked again).
 */
#ifndef AK_PROC_H
#define AK_PROC_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#define AK_NO_SESSION	UINT32_MAX	/* /proc/PID/sessionid when unset */

struct ak_proc {
	pid_t pid;
	pid_t ppid;
	unsigned long long start;	/* clock ticks after boot */
	uint32_t sessionid;		/* AK_NO_SESSION if unset or unread */
	int zombie;
};

struct ak_proctab {
	struct ak_proc *p;	/* sorted by pid */
	size_t n, cap;
	size_t vanished;	/* listed, gone before it could be read */
};

/*
 * Reads every process in /proc (with its session id if sessions is set).
 * Returns 0 (clear t with ak_proctab_free) or AK_ERR_IO / AK_ERR_ALLOC.
 */
int ak_proc_scan(struct ak_proctab *t, int sessions);
void ak_proctab_free(struct ak_proctab *t);

/* The entry of pid in t, or NULL. */
const struct ak_proc *ak_proc_find(const struct ak_proctab *t, pid_t pid);

/*
 * Parses the text of /proc/PID/stat into p (pid, ppid, start, zombie).
 * Returns 0 or AK_ERR_FORMAT.
 */
int ak_proc_parse_stat(const char *buf, struct ak_proc *p);

/*
 * Reads one process (its session id too if sessions is set). Returns 0 or
 * AK_ERR_NOT_FOUND (gone, or not readable).
 */
int ak_proc_read(pid_t pid, int sessions, struct ak_proc *p);

/* pid's audit session id, or AK_NO_SESSION. */
uint32_t ak_proc_sessionid(pid_t pid);

/*
 * From the text of /proc/PID/cgroup, the path of a systemd-logind session
 * scope ("/user.slice/user-1000.slice/session-4.scope") into out, with the
 * hierarchy's mount point in *mountp ("/sys/fs/cgroup" or its "systemd"
 * v1 subdirectory). Returns 0, or AK_ERR_NOT_FOUND if it is in none.
 */
int ak_proc_parse_scope(const char *buf, char *out, size_t outlen,
    const char **mountp);

/*
 * The pids listed in the cgroup of pid's login scope (none if it has
 * none), appended to *pidsp (*np of them, realloc'd). Returns 0 or
 * AK_ERR_ALLOC.
 */
int ak_proc_scope_pids(pid_t pid, pid_t **pidsp, size_t *np);

/*
 * Sends sig to pid only if it is still the process that started at start
 * (a pidfd, so a reused pid is never signalled). Returns 0, or -1 if it is
 * gone or another process.
 */
int ak_proc_signal(pid_t pid, unsigned long long start, int sig);

#endif
