/*
 * Session records: the PAM module writes one per SSH session it admits
 * (the account by uid, the keys, and for a certificate its CA, the sshd
 * process that owns the session and that process's start time, so a
 * reused PID is never taken for it, and the audit session sshd itself ran
 * in), in a root-only runtime directory. At logout the record stays as a
 * tombstone naming the login's audit session, and goes only when no
 * process carries that id any more: authkeys-sweep ends what a revoked
 * key left running after its connection closed too.
 */
#ifndef AK_SESSION_H
#define AK_SESSION_H

#include <sys/types.h>

#include <dirent.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ak_key.h"

#define AK_SESSION_MAX_KEYS	8
#define AK_SESSION_NAME_MAX	64	/* the account's name as shown */
#define AK_SESSION_UID_UNKNOWN	UINT32_MAX	/* a record of version 1 */

struct ak_session {
	char file[32];		/* the record's name: "PID-START" */
	pid_t pid;		/* sshd's [priv] process for the connection */
	unsigned long long start;	/* its start time, clock ticks */
	uint32_t uid;		/* the account */
	char account[AK_SESSION_NAME_MAX + 1];	/* its name at login */
	char fprs[AK_SESSION_MAX_KEYS][AK_FPR_LEN + 1];
	char cas[AK_SESSION_MAX_KEYS][AK_FPR_LEN + 1];	/* a cert's CA, "" */
	size_t nfprs;
	uint32_t presid;	/* sshd's own audit session at login */
	uint32_t sid;		/* the login's once known, else AK_NO_SESSION */
	char scope[256];	/* its logind scope's cgroup directory, "" */
	time_t closed;		/* when the connection ended; 0 while open */
	char rhost[65];		/* where from ("" if not known) */
	time_t since;		/* when recorded (the record's mtime) */
	int v1;			/* read from a version 1 record */
};

/* Reads pid's start time from /proc/PID/stat. Returns 0 or AK_ERR_NOT_FOUND. */
int ak_session_proc_start(pid_t pid, unsigned long long *startp);

/*
 * Whether name can stand in a record as an account's name (printable
 * ASCII, no blank, 1 to AK_SESSION_NAME_MAX bytes): any NSS name that
 * sshd accepts, "DEPLOY" and "user@example.com" among them.
 */
int ak_session_name_ok(const char *name);

/*
 * Writes (or replaces) the record of s in dir (ak_file_private_dir
 * first), atomically, and sets s->file. Returns 0 or AK_ERR_*.
 */
int ak_session_record(const char *dir, struct ak_session *s);

/* Removes the record of s, if any. */
void ak_session_remove(const char *dir, const struct ak_session *s);

/*
 * Parses a record's text (this version's, or version 1's one line).
 * Returns 0, or AK_ERR_FORMAT (a record we did not write is never acted
 * on).
 */
int ak_session_parse(const char *buf, size_t len, struct ak_session *s);

/*
 * Reads dir/name (root's, regular, not writable by others). Returns 0,
 * AK_ERR_NOT_FOUND, AK_ERR_PERM, AK_ERR_FORMAT.
 */
int ak_session_read(const char *dir, const char *name, struct ak_session *s);

/* Returns 1 if the process recorded in s still runs (not as a zombie). */
int ak_session_alive(const struct ak_session *s);

/*
 * Whether s still stands for running processes: its sshd monitor
 * (*connected set), or after logout a process of its audit session in t
 * (a scan with AK_PROC_SESSION). A record for which this is 0 is over.
 */
struct ak_proctab;
int ak_session_running(const struct ak_session *s, const struct ak_proctab *t,
    int *connected);

/*
 * The login's own audit session as pid shows it now: its sessionid if
 * pam_loginuid ran for this login (its loginuid is the account's uid and
 * the id is not the one sshd had before, s->presid), else AK_NO_SESSION,
 * so an id sshd inherited (an admin's shell) never counts.
 */
uint32_t ak_session_own_sid(const struct ak_session *s, pid_t pid);

/*
 * The records in a session directory, one by one (sweep, --list,
 * --status): only names that are records are read; a file so named that
 * is not a record we wrote is logged and passed over. A missing directory
 * holds no records.
 */
struct ak_session_dir {
	const char *dir;
	DIR *d;
};

/* Returns 0, or AK_ERR_PERM / AK_ERR_IO (logged by the caller). */
int ak_session_dir_open(struct ak_session_dir *sd, const char *dir);

/* Fills s with the next record: returns 1, or 0 at the end. */
int ak_session_dir_next(struct ak_session_dir *sd, struct ak_session *s);

void ak_session_dir_close(struct ak_session_dir *sd);

#endif
