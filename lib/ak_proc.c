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
#include "ak_proc.h"

#define STAT_MAX	1024

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
	p->state = s[2];
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
ak_proc_parse_id(const char *buf)
{
	unsigned long v;
	char *ep;

	if (buf[0] < '0' || buf[0] > '9')
		return UINT32_MAX;
	errno = 0;
	v = strtoul(buf, &ep, 10);
	if (errno != 0 || (*ep != '\0' && *ep != '\n') || v > UINT32_MAX)
		return UINT32_MAX;
	return (uint32_t)v;
}

static uint32_t
read_id(pid_t pid, const char *what)
{
	char path[64], buf[32];

	snprintf(path, sizeof(path), "/proc/%ld/%s", (long)pid, what);
	if (ak_file_read_proc(path, buf, sizeof(buf)) <= 0)
		return UINT32_MAX;
	return ak_proc_parse_id(buf);
}

uint32_t
ak_proc_sessionid(pid_t pid)
{
	return read_id(pid, "sessionid");
}

uint32_t
ak_proc_loginuid(pid_t pid)
{
	return read_id(pid, "loginuid");
}

int
ak_proc_parse_uids(const char *status, uint32_t *ruid, uint32_t *suid)
{
	unsigned long v[4];
	const char *s;
	char *ep;
	int i;

	if (strncmp(status, "Uid:", 4) == 0)
		s = status;
	else if ((s = strstr(status, "\nUid:")) != NULL)
		s++;
	else
		return AK_ERR_FORMAT;
	for (s += 4, i = 0; i < 4; i++, s = ep) {
		while (*s == '\t' || *s == ' ')
			s++;
		if (*s < '0' || *s > '9')
			return AK_ERR_FORMAT;
		errno = 0;
		v[i] = strtoul(s, &ep, 10);
		if (errno != 0 || v[i] > UINT32_MAX)
			return AK_ERR_FORMAT;
	}
	if (*ep != '\n' && *ep != '\0')
		return AK_ERR_FORMAT;
	*ruid = (uint32_t)v[0];
	*suid = (uint32_t)v[2];
	return 0;
}

int
ak_proc_uids(pid_t pid, uint32_t *ruid, uint32_t *suid)
{
	char path[64], buf[4096];

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	if (ak_file_read_proc(path, buf, sizeof(buf)) <= 0 ||
	    ak_proc_parse_uids(buf, ruid, suid) != 0)
		return AK_ERR_NOT_FOUND;
	return 0;
}

int
ak_proc_read(pid_t pid, int what, struct ak_proc *p)
{
	char path[64], buf[STAT_MAX];

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if (ak_file_read_proc(path, buf, sizeof(buf)) <= 0 ||
	    ak_proc_parse_stat(buf, p) != 0 || p->pid != pid)
		return AK_ERR_NOT_FOUND;
	p->sessionid = (what & AK_PROC_SESSION) ? ak_proc_sessionid(pid) :
	    AK_NO_SESSION;
	p->loginuid = (what & AK_PROC_LOGINUID) ? ak_proc_loginuid(pid) :
	    AK_NO_LOGINUID;
	return 0;
}

int
ak_proc_halted(const struct ak_proc *p)
{
	/* T: stopped; t: stopped by its tracer; Z, X: dead. */
	return p->state == 'T' || p->state == 't' || p->zombie;
}

static int
proc_cmp(const void *a, const void *b)
{
	pid_t x = ((const struct ak_proc *)a)->pid;
	pid_t y = ((const struct ak_proc *)b)->pid;

	return x < y ? -1 : x > y;
}

int
ak_proc_scan(struct ak_proctab *t, int what)
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
		if (ak_proc_read((pid_t)pid, what, &t->p[t->n]) == 0)
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
