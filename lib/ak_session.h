/*
 * Session records: the PAM module writes one per SSH session it admits
 * (account, key fingerprints, the sshd process that owns the session and
 * that process's start time, so a reused PID is never taken for it), in a
 * root-only runtime directory; authkeys-sweep reads them to end sessions
 * whose key is no longer valid.
 */
#ifndef AK_SESSION_H
#define AK_SESSION_H

#include <sys/types.h>

#include <dirent.h>
#include <stddef.h>
#include <time.h>

#include "ak_key.h"

#define AK_SESSION_MAX_KEYS	8

struct ak_session {
	pid_t pid;		/* sshd's [priv] process for the connection */
	unsigned long long start;	/* its start time, clock ticks */
	char account[33];
	char fprs[AK_SESSION_MAX_KEYS][AK_FPR_LEN + 1];
	size_t nfprs;
	char rhost[65];		/* where from ("" if not known) */
	time_t since;		/* when recorded (the record's mtime) */
};

/* Reads pid's start time from /proc/PID/stat. Returns 0 or AK_ERR_NOT_FOUND. */
int ak_session_proc_start(pid_t pid, unsigned long long *startp);

/*
 * Writes dir/PID for s (dir: ak_file_private_dir first), and beside it
 * dir/PID.info with s->rhost (a name older sweeps skip). Returns 0 or
 * AK_ERR_*.
 */
int ak_session_record(const char *dir, const struct ak_session *s);

/* Removes the record of pid, if any. */
void ak_session_remove(const char *dir, pid_t pid);

/*
 * Parses a record's text. Returns 0, or AK_ERR_FORMAT (a record we did not
 * write is never acted on).
 */
int ak_session_parse(const char *buf, size_t len, struct ak_session *s);

/*
 * Reads dir/name (root's, regular, not writable by others), and its .info
 * if there (rhost; since is the record's mtime). Returns 0,
 * AK_ERR_NOT_FOUND, AK_ERR_PERM, AK_ERR_FORMAT.
 */
int ak_session_read(const char *dir, const char *name, struct ak_session *s);

/* Returns 1 if the process recorded in s still runs (not as a zombie). */
int ak_session_alive(const struct ak_session *s);

/*
 * The records in a session directory, one by one (sweep, --list,
 * --status): only names that are PIDs are read; a file so named that is
 * not a record we wrote is logged and passed over. A missing directory
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
