/* Processes of a login session, for the sweep (see ak_proc.h). */
#include <sys/pidfd.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ak_err.h"
#include "ak_file.h"
#include "ak_log.h"
#include "ak_proc.h"

#define STAT_MAX	1024
#define CGROUP_MAX	4096
#define SCOPE_PIDS_MAX	(1024 * 1024)

int
ak_proc_parse_stat(const char *buf, struct ak_proc *p)
{
	const char *s;
	char *ep;
	long v;
	int field;

	errno = 0;
	v = strtol(buf, &ep, 10);
	if (errno != 0 || ep == buf || v < 1 || v > INT_MAX)
		return AK_ERR_FORMAT;
	p->pid = (pid_t)v;
	/* comm may hold spaces and ')': the fields start after the last. */
	if ((s = strrchr(buf, ')')) == NULL || s[1] != ' ' || s[2] == '\0' ||
	    s[3] != ' ')
		return AK_ERR_FORMAT;
	p->zombie = s[2] == 'Z' || s[2] == 'X';
	errno = 0;
	v = strtol(s + 4, &ep, 10);
	if (errno != 0 || ep == s + 4 || v < 0 || v > INT_MAX)
		return AK_ERR_FORMAT;
	p->ppid = (pid_t)v;
	/* ep is at the blank before field 5; field 22 is the start time. */
	for (field = 5, s = ep; field < 22 && s != NULL; field++)
		s = strchr(s + 1, ' ');
	if (s == NULL)
		return AK_ERR_FORMAT;
	errno = 0;
	p->start = strtoull(s + 1, &ep, 10);
	if (errno != 0 || ep == s + 1)
		return AK_ERR_FORMAT;
	return 0;
}

uint32_t
ak_proc_sessionid(pid_t pid)
{
	char path[64], buf[32], *ep;
	unsigned long v;

	snprintf(path, sizeof(path), "/proc/%ld/sessionid", (long)pid);
	if (ak_file_read_proc(path, buf, sizeof(buf)) <= 0)
		return AK_NO_SESSION;
	errno = 0;
	v = strtoul(buf, &ep, 10);
	if (errno != 0 || ep == buf || v > UINT32_MAX)
		return AK_NO_SESSION;
	return (uint32_t)v;
}

int
ak_proc_read(pid_t pid, int sessions, struct ak_proc *p)
{
	char path[64], buf[STAT_MAX];

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if (ak_file_read_proc(path, buf, sizeof(buf)) <= 0 ||
	    ak_proc_parse_stat(buf, p) != 0 || p->pid != pid)
		return AK_ERR_NOT_FOUND;
	p->sessionid = sessions ? ak_proc_sessionid(pid) : AK_NO_SESSION;
	return 0;
}

static int
proc_cmp(const void *a, const void *b)
{
	pid_t x = ((const struct ak_proc *)a)->pid;
	pid_t y = ((const struct ak_proc *)b)->pid;

	return x < y ? -1 : x > y;
}

int
ak_proc_scan(struct ak_proctab *t, int sessions)
{
	struct ak_proc *tmp;
	struct dirent *de;
	char *ep;
	long pid;
	DIR *d;

	memset(t, 0, sizeof(*t));
	if ((d = opendir("/proc")) == NULL)
		return AK_ERR_IO;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		errno = 0;
		pid = strtol(de->d_name, &ep, 10);
		if (errno != 0 || *ep != '\0' || pid > INT_MAX)
			continue;
		if (t->n == t->cap) {
			if ((tmp = reallocarray(t->p, t->cap + 1024,
			    sizeof(*tmp))) == NULL) {
				closedir(d);
				ak_proctab_free(t);
				return AK_ERR_ALLOC;
			}
			t->p = tmp;
			t->cap += 1024;
		}
		if (ak_proc_read((pid_t)pid, sessions, &t->p[t->n]) == 0)
			t->n++;
		else
			t->vanished++;
	}
	closedir(d);
	if (t->n > 1)
		qsort(t->p, t->n, sizeof(*t->p), proc_cmp);
	return 0;
}

void
ak_proctab_free(struct ak_proctab *t)
{
	free(t->p);
	memset(t, 0, sizeof(*t));
}

const struct ak_proc *
ak_proc_find(const struct ak_proctab *t, pid_t pid)
{
	struct ak_proc key;

	memset(&key, 0, sizeof(key));
	key.pid = pid;
	return t->n == 0 ? NULL : bsearch(&key, t->p, t->n, sizeof(*t->p),
	    proc_cmp);
}

/* Whether the last component of path is "session-ID.scope". */
static int
is_session_scope(const char *path, size_t len)
{
	const char *base = path, *p;

	for (p = path; p < path + len; p++)
		if (*p == '/')
			base = p + 1;
	return (size_t)(path + len - base) > 14 &&
	    strncmp(base, "session-", 8) == 0 &&
	    strncmp(path + len - 6, ".scope", 6) == 0;
}

int
ak_proc_parse_scope(const char *buf, char *out, size_t outlen,
    const char **mountp)
{
	const char *line, *nl, *path;
	size_t len;
	int pass;

	/* The unified hierarchy (0::) first, else systemd's v1 one. */
	for (pass = 0; pass < 2; pass++) {
		const char *want = pass == 0 ? "0::" : ":name=systemd:";

		for (line = buf; *line != '\0'; line = *nl ? nl + 1 : nl) {
			if ((nl = strchr(line, '\n')) == NULL)
				nl = line + strlen(line);
			if ((path = strstr(line, want)) == NULL || path >= nl ||
			    (pass == 0 && path != line))
				continue;
			path += strlen(want);
			len = (size_t)(nl - path);
			if (len == 0 || path[0] != '/' || len >= outlen ||
			    memmem(path, len, "/..", 3) != NULL ||
			    !is_session_scope(path, len))
				continue;
			memcpy(out, path, len);
			out[len] = '\0';
			*mountp = pass == 0 ? "/sys/fs/cgroup" :
			    "/sys/fs/cgroup/systemd";
			return 0;
		}
	}
	return AK_ERR_NOT_FOUND;
}

int
ak_proc_scope_pids(pid_t pid, pid_t **pidsp, size_t *np)
{
	char path[PATH_MAX + 64], scope[PATH_MAX], buf[CGROUP_MAX];
	char *list = NULL, *p, *ep;
	const char *mount;
	size_t len;
	pid_t *tmp;
	long v;
	int r = 0;

	snprintf(path, sizeof(path), "/proc/%ld/cgroup", (long)pid);
	if (ak_file_read_proc(path, buf, sizeof(buf)) <= 0 ||
	    ak_proc_parse_scope(buf, scope, sizeof(scope), &mount) != 0)
		return 0;
	snprintf(path, sizeof(path), "%s%s/cgroup.procs", mount, scope);
	r = ak_file_read(path, SCOPE_PIDS_MAX, 0, 0, &list, &len);
	if (r != 0) {
		/* No silent bound: the audit session and tree still count. */
		if (r != AK_ERR_NOT_FOUND)
			ak_log(LOG_WARNING, "%s: %s; that scope's processes "
			    "are found by their audit session and tree only",
			    path, ak_err(r));
		return 0;
	}
	for (p = list; *p != '\0'; p = ep) {
		errno = 0;
		v = strtol(p, &ep, 10);
		if (errno != 0 || ep == p || v < 2 || v > INT_MAX)
			break;
		if ((tmp = reallocarray(*pidsp, *np + 1, sizeof(*tmp))) ==
		    NULL) {
			r = AK_ERR_ALLOC;
			break;
		}
		*pidsp = tmp;
		tmp[(*np)++] = (pid_t)v;
		while (*ep == '\n')
			ep++;
	}
	free(list);
	return r;
}

int
ak_proc_signal(pid_t pid, unsigned long long start, int sig)
{
	struct ak_proc p;
	int fd, r = -1;

	if (pid < 2 || pid == getpid())
		return -1;
	/* Pin the process first, then make sure it is the one meant. */
	if ((fd = pidfd_open(pid, 0)) == -1) {
		if (errno != ENOSYS)
			return -1;
		/* Kernels before 5.3: the check and kill as close as can be. */
		if (ak_proc_read(pid, 0, &p) != 0 || p.start != start)
			return -1;
		return kill(pid, sig) == 0 ? 0 : -1;
	}
	if (ak_proc_read(pid, 0, &p) == 0 && p.start == start &&
	    pidfd_send_signal(fd, sig, NULL, 0) == 0)
		r = 0;
	close(fd);
	return r;
}
