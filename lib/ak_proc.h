/*
 * The processes of a login session, for authkeys-sweep: a whole /proc scan
 * (no cap), the audit session id and login uid pam_loginuid gives a login
 * (which its user cannot change, and which every process of the login
 * keeps wherever it goes: setsid, double fork, nohup, a tmux server), and
 * signals that reach the process meant and no other (a pidfd, the start
 * time checked again). The login's cgroup is ak_cgroup's.
 */
#ifndef AK_PROC_H
#define AK_PROC_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#define AK_NO_SESSION	UINT32_MAX	/* /proc/PID/sessionid when unset */
#define AK_NO_LOGINUID	UINT32_MAX	/* /proc/PID/loginuid when unset */

/* What ak_proc_scan and ak_proc_read read beyond /proc/PID/stat. */
#define AK_PROC_SESSION		0x1	/* sessionid */
#define AK_PROC_LOGINUID	0x2	/* loginuid */

struct ak_proc {
	pid_t pid;
	pid_t ppid;
	unsigned long long start;	/* clock ticks after boot */
	uint32_t sessionid;		/* AK_NO_SESSION if unset or unread */
	uint32_t loginuid;		/* AK_NO_LOGINUID if unset or unread */
	char state;			/* R, S, D, T, t, Z, X, ... */
	int zombie;
};

struct ak_proctab {
	struct ak_proc *p;	/* sorted by pid */
	size_t n, cap;
	size_t vanished;	/* listed, gone before it could be read */
};

/*
 * Reads every process in /proc, with what (AK_PROC_* bits). Returns 0
 * (clear t with ak_proctab_free) or AK_ERR_IO / AK_ERR_ALLOC.
 */
int ak_proc_scan(struct ak_proctab *t, int what);
void ak_proctab_free(struct ak_proctab *t);

/* The entry of pid in t, or NULL. */
const struct ak_proc *ak_proc_find(const struct ak_proctab *t, pid_t pid);

/*
 * Parses the text of /proc/PID/stat into p (pid, ppid, start, state,
 * zombie). Returns 0 or AK_ERR_FORMAT.
 */
int ak_proc_parse_stat(const char *buf, struct ak_proc *p);

/*
 * Parses /proc/PID/sessionid or loginuid text ("17", "4294967295").
 * Returns the value, or UINT32_MAX (unset, or not a number).
 */
uint32_t ak_proc_parse_id(const char *buf);

/*
 * Reads one process (with what, AK_PROC_* bits). Returns 0 or
 * AK_ERR_NOT_FOUND (gone, or not readable).
 */
int ak_proc_read(pid_t pid, int what, struct ak_proc *p);

/* pid's audit session id, or AK_NO_SESSION. */
uint32_t ak_proc_sessionid(pid_t pid);

/* pid's login uid, or AK_NO_LOGINUID. */
uint32_t ak_proc_loginuid(pid_t pid);

/*
 * Parses the "Uid:" line of /proc/PID/status text (real, effective, saved,
 * filesystem) into *ruid and *suid: the ids kill(2) compares a sender's
 * with. Returns 0 or AK_ERR_FORMAT.
 */
int ak_proc_parse_uids(const char *status, uint32_t *ruid, uint32_t *suid);

/* pid's real and saved uid. Returns 0 or AK_ERR_NOT_FOUND. */
int ak_proc_uids(pid_t pid, uint32_t *ruid, uint32_t *suid);

/* Whether p can run no more code of its own: stopped, traced or dead. */
int ak_proc_halted(const struct ak_proc *p);

/*
 * Sends sig to pid only if it is still the process that started at start
 * (a pidfd, so a reused pid is never signalled). Returns 0, or -1 if it is
 * gone or another process.
 */
int ak_proc_signal(pid_t pid, unsigned long long start, int sig);

#endif
