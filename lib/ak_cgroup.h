/*
 * A login's cgroup (its systemd-logind session scope), for authkeys-sweep:
 * found from /proc/PID/cgroup, its members read to the end of
 * cgroup.procs, and on the unified hierarchy frozen (cgroup.freeze: no
 * member runs, so none can fork) and killed whole (cgroup.kill) by the
 * kernel instead of one signal at a time.
 */
#ifndef AK_CGROUP_H
#define AK_CGROUP_H

#include <sys/types.h>

#include <limits.h>
#include <stddef.h>

#define AK_CGROUP_ROOT	"/sys/fs/cgroup"

struct ak_cgroup {
	char dir[PATH_MAX];	/* "/sys/fs/cgroup/.../session-4.scope" */
	int v2;			/* unified: cgroup.freeze (and cgroup.kill) */
};

/*
 * From the text of /proc/PID/cgroup, the path of a systemd-logind session
 * scope ("/user.slice/user-1000.slice/session-4.scope") into out, and in
 * *v2 whether it is on the unified hierarchy (else systemd's v1 one).
 * Returns 0, or AK_ERR_NOT_FOUND if it is in none.
 */
int ak_cgroup_parse(const char *buf, char *out, size_t outlen, int *v2);

/*
 * pid's login scope, where it is mounted on this host. Returns 0, or
 * AK_ERR_NOT_FOUND (none, or pid gone).
 */
int ak_cgroup_of(pid_t pid, struct ak_cgroup *cg);

/*
 * Whether dir can be a scope directory as a record names it: under
 * AK_CGROUP_ROOT, no "..", a session scope. No file is looked at.
 */
int ak_cgroup_dir_ok(const char *dir);

/*
 * A scope directory as a record names it: under AK_CGROUP_ROOT, no "..",
 * a session scope. Fills cg (v2 if cgroup.freeze is there). Returns 0 or
 * AK_ERR_FORMAT; AK_ERR_NOT_FOUND if the directory is gone.
 */
int ak_cgroup_at(const char *dir, struct ak_cgroup *cg);

/*
 * The pids in cg's cgroup.procs, appended to *pidsp (*np of them,
 * realloc'd). Returns 0, AK_ERR_NOT_FOUND (the cgroup is gone),
 * AK_ERR_ALLOC, AK_ERR_TOO_LARGE or AK_ERR_IO.
 */
int ak_cgroup_pids(const struct ak_cgroup *cg, pid_t **pidsp, size_t *np);

/* Freezes (on) or thaws cg (v2 only). Returns 0 or AK_ERR_IO. */
int ak_cgroup_freeze(const struct ak_cgroup *cg, int on);

/*
 * Whether the key ("frozen", "populated") of cg's cgroup.events is 1.
 * Returns 1, 0, or a negative AK_ERR_* if it cannot be read.
 */
int ak_cgroup_event(const struct ak_cgroup *cg, const char *key);

/*
 * SIGKILL to every process in cg at once (cgroup.kill, Linux 5.14).
 * Returns 0, AK_ERR_NOT_FOUND (no cgroup.kill) or AK_ERR_IO.
 */
int ak_cgroup_kill(const struct ak_cgroup *cg);

#endif
