/* A login's cgroup, for the sweep (see ak_cgroup.h). */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ak_cgroup.h"
#include "ak_err.h"
#include "ak_file.h"

#define CGROUP_MAX	4096
#define PROCS_MAX	(4 * 1024 * 1024)

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

static int
path_ok(const char *path, size_t len)
{
	return len > 0 && path[0] == '/' && memmem(path, len, "/..", 3) ==
	    NULL && memmem(path, len, "//", 2) == NULL &&
	    memchr(path, '\n', len) == NULL && is_session_scope(path, len);
}

int
ak_cgroup_parse(const char *buf, char *out, size_t outlen, int *v2)
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
			if (len >= outlen || !path_ok(path, len))
				continue;
			memcpy(out, path, len);
			out[len] = '\0';
			*v2 = pass == 0;
			return 0;
		}
	}
	return AK_ERR_NOT_FOUND;
}

static int
is_dir(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int
ak_cgroup_of(pid_t pid, struct ak_cgroup *cg)
{
	char path[64], buf[CGROUP_MAX], scope[PATH_MAX], dir[PATH_MAX];
	int v2, n;

	memset(cg, 0, sizeof(*cg));
	snprintf(path, sizeof(path), "/proc/%ld/cgroup", (long)pid);
	if (ak_file_read_proc(path, buf, sizeof(buf)) <= 0 ||
	    ak_cgroup_parse(buf, scope, sizeof(scope), &v2) != 0)
		return AK_ERR_NOT_FOUND;
	/*
	 * The unified hierarchy is the root itself (cgroup v2 only) or, on a
	 * hybrid host, its "unified" directory; v1's is "systemd".
	 */
	if (v2) {
		n = snprintf(dir, sizeof(dir), "%s%s", AK_CGROUP_ROOT, scope);
		if (n > 0 && (size_t)n < sizeof(dir) && is_dir(dir))
			return ak_cgroup_at(dir, cg);
		n = snprintf(dir, sizeof(dir), "%s/unified%s", AK_CGROUP_ROOT,
		    scope);
	} else
		n = snprintf(dir, sizeof(dir), "%s/systemd%s", AK_CGROUP_ROOT,
		    scope);
	if (n < 0 || (size_t)n >= sizeof(dir))
		return AK_ERR_NOT_FOUND;
	return ak_cgroup_at(dir, cg);
}

int
ak_cgroup_dir_ok(const char *dir)
{
	size_t len = strlen(dir), rl = strlen(AK_CGROUP_ROOT);

	return len < PATH_MAX && len > rl &&
	    strncmp(dir, AK_CGROUP_ROOT, rl) == 0 && path_ok(dir + rl,
	    len - rl);
}

int
ak_cgroup_at(const char *dir, struct ak_cgroup *cg)
{
	size_t len = strlen(dir);
	char path[PATH_MAX + 32];

	memset(cg, 0, sizeof(*cg));
	if (!ak_cgroup_dir_ok(dir))
		return AK_ERR_FORMAT;
	if (!is_dir(dir))
		return AK_ERR_NOT_FOUND;
	memcpy(cg->dir, dir, len + 1);
	snprintf(path, sizeof(path), "%s/cgroup.freeze", dir);
	cg->v2 = access(path, W_OK) == 0;
	return 0;
}

int
ak_cgroup_pids(const struct ak_cgroup *cg, pid_t **pidsp, size_t *np)
{
	char path[PATH_MAX + 32], *list = NULL, *p, *ep;
	size_t len;
	pid_t *tmp;
	long v;
	int r;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg->dir);
	if ((r = ak_file_read_proc_all(path, PROCS_MAX, &list, &len)) != 0)
		return r;
	for (p = list; *p != '\0'; p = ep) {
		errno = 0;
		v = strtol(p, &ep, 10);
		if (errno != 0 || ep == p || v < 1 || v > INT_MAX ||
		    (*ep != '\n' && *ep != '\0')) {
			r = AK_ERR_FORMAT;
			break;
		}
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

static int
write_one(const struct ak_cgroup *cg, const char *file, const char *val)
{
	char path[PATH_MAX + 32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", cg->dir, file);
	if ((fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return errno == ENOENT ? AK_ERR_NOT_FOUND : AK_ERR_IO;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : AK_ERR_IO;
}

int
ak_cgroup_freeze(const struct ak_cgroup *cg, int on)
{
	if (!cg->v2)
		return AK_ERR_IO;
	return write_one(cg, "cgroup.freeze", on ? "1" : "0") == 0 ? 0 :
	    AK_ERR_IO;
}

int
ak_cgroup_event(const struct ak_cgroup *cg, const char *key)
{
	char path[PATH_MAX + 32], buf[512], *p;
	size_t kl = strlen(key);

	snprintf(path, sizeof(path), "%s/cgroup.events", cg->dir);
	if (ak_file_read_proc(path, buf, sizeof(buf)) <= 0)
		return AK_ERR_NOT_FOUND;
	for (p = buf; p != NULL && *p != '\0'; p = strchr(p, '\n'),
	    p = p != NULL ? p + 1 : NULL) {
		if (strncmp(p, key, kl) == 0 && p[kl] == ' ')
			return p[kl + 1] == '1';
	}
	return AK_ERR_FORMAT;
}

int
ak_cgroup_kill(const struct ak_cgroup *cg)
{
	if (!cg->v2)
		return AK_ERR_NOT_FOUND;
	return write_one(cg, "cgroup.kill", "1");
}
