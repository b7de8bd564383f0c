/*
 * Running a chained AuthorizedKeysCommand (see ak_chain.h): no shell, the
 * path checked as sshd checks its own, never authkeys itself, bounded in
 * time and output, and its whole process subtree ended when it is done.
 * What its output says is the keyset's to decide (ak_keyset_from_text).
 */
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ak_buf.h"
#include "ak_chain.h"
#include "ak_err.h"
#include "ak_file.h"
#include "ak_proc.h"
#include "ak_time.h"
#include "ak_valid.h"

#define ARG_MAX_LEN	1024

/* Splits cmd into argv (strings owned by buf), expanding %u %f %%. */
static int
split(const char *cmd, const char *account, const char *fpr, char *buf,
    size_t buflen, char **argv, size_t *argcp)
{
	const char *p = cmd;
	size_t argc = 0, o = 0;

	while (*p != '\0') {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		if (argc >= AK_CHAIN_MAX_ARGS)
			return AK_ERR_CONFIG;
		argv[argc++] = buf + o;
		for (; *p != '\0' && *p != ' '; p++) {
			const char *add = NULL;
			char one[2] = { *p, '\0' };

			if (*p == '%') {
				p++;
				if (*p == 'u')
					add = account;
				else if (*p == 'f')
					add = fpr != NULL ? fpr : "";
				else if (*p == '%')
					add = "%";
				else
					return AK_ERR_CONFIG;
			} else
				add = one;
			if (o + strlen(add) + 1 >= buflen)
				return AK_ERR_CONFIG;
			memcpy(buf + o, add, strlen(add));
			o += strlen(add);
		}
		buf[o++] = '\0';
	}
	argv[argc] = NULL;
	*argcp = argc;
	return argc > 0 && argv[0][0] == '/' ? 0 : AK_ERR_CONFIG;
}

int
ak_chain_syntax(const char *cmd)
{
	char buf[4096], *argv[AK_CHAIN_MAX_ARGS + 1];
	size_t argc;

	if (ak_has_ctrl(cmd, strlen(cmd)) || strchr(cmd, '\t') != NULL)
		return AK_ERR_CONFIG;
	return split(cmd, "u", "f", buf, sizeof(buf), argv, &argc);
}

int
ak_chain_path_safe(const char *path, char *why, size_t whylen)
{
	return ak_file_safe_path(path, 1, why, whylen) != 0 ? AK_ERR_PERM : 0;
}

int
ak_chain_name_ok(const char *name)
{
	size_t n = strlen(name);

	/* No shell sees it; still, nothing a tool could take as an option. */
	return n > 0 && n <= 256 && name[0] != '-' && !ak_has_ctrl(name, n) &&
	    strpbrk(name, " /") == NULL;
}

static void
child(char **argv, int outfd)
{
	static char *envp[] = { "PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C",
	    AK_CHAIN_ENV "=1", NULL };
	int devnull;

	(void)setpgid(0, 0);
	if ((devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1 ||
	    dup2(devnull, 0) == -1 || dup2(outfd, 1) == -1 ||
	    dup2(devnull, 2) == -1)
		_exit(127);
	execve(argv[0], argv, envp);
	_exit(127);
}

int
ak_chain_nested(void)
{
	return getenv(AK_CHAIN_ENV) != NULL;
}

int
ak_chain_is_ours(const char *path, const char *const *ours, size_t n)
{
	struct stat st, o;
	const char *base;
	size_t i;

	if ((base = strrchr(path, '/')) != NULL)
		base++;
	else
		base = path;
	if (strcmp(base, "authkeys-command") == 0 ||
	    strcmp(base, "authkeys-fetch") == 0)
		return 1;
	if (stat(path, &st) != 0)
		return 0;
	for (i = 0; i < n; i++)
		if (ours[i] != NULL && stat(ours[i], &o) == 0 &&
		    o.st_dev == st.st_dev && o.st_ino == st.st_ino)
			return 1;
	return 0;
}

/*
 * Our children, as /proc says (the chained command's descendants are
 * reparented to us: we are their subreaper). Kills each (through a pidfd,
 * so a reused pid is never hit); returns how many.
 */
static size_t
kill_children(pid_t self)
{
	struct ak_proctab t;
	size_t i, n = 0;

	if (ak_proc_scan(&t, 0) != 0)
		return 0;
	for (i = 0; i < t.n; i++) {
		if (t.p[i].ppid != self)
			continue;
		(void)ak_proc_signal(t.p[i].pid, t.p[i].start, SIGKILL);
		n++;
	}
	ak_proctab_free(&t);
	return n;
}

/*
 * Ends every process the chained command left, however deep or however it
 * detached (setsid, double fork): as their subreaper we inherit each one
 * whose parent dies, so killing our children until none is left reaches
 * the whole subtree, a fork loop included (a killed process forks no
 * more). Bounded by AK_CHAIN_KILL_MS.
 */
static void
kill_subtree(pid_t pid)
{
	long long until = ak_now_ms() + AK_CHAIN_KILL_MS;
	pid_t self = getpid(), w;
	int status;

	(void)kill(-pid, SIGKILL);
	for (;;) {
		while ((w = waitpid(-1, &status, WNOHANG)) > 0)
			;
		if (w == -1 && errno == ECHILD)
			return;
		if (ak_now_ms() >= until)
			return;
		if (kill_children(self) == 0)
			usleep(1000);
	}
}

/* Reads the child's output until EOF or the deadline. */
static int
collect(int fd, long long deadline, struct ak_buf *b)
{
	unsigned char chunk[4096];
	struct pollfd pfd = { fd, POLLIN, 0 };
	ssize_t n;
	long long left;

	for (;;) {
		if ((left = deadline - ak_now_ms()) <= 0)
			return AK_ERR_TIMEOUT;
		if (poll(&pfd, 1, (int)(left > 1000 ? 1000 : left)) < 0) {
			if (errno == EINTR)
				continue;
			return AK_ERR_IO;
		}
		if (pfd.revents == 0)
			continue;
		if ((n = read(fd, chunk, sizeof(chunk))) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return AK_ERR_IO;
		}
		if (n == 0)
			return 0;
		if (ak_buf_put(b, chunk, (size_t)n) != 0)
			return AK_ERR_TOO_LARGE;
	}
}

/* Waits for pid until deadline; kills its group if it is still there. */
static int
reap(pid_t pid, long long deadline, int *statusp)
{
	pid_t w;

	while ((w = waitpid(pid, statusp, WNOHANG)) == 0 &&
	    ak_now_ms() < deadline)
		usleep(2000);
	if (w == pid)
		return 0;
	(void)kill(-pid, SIGKILL);
	(void)kill(pid, SIGKILL);
	(void)waitpid(pid, statusp, 0);
	return AK_ERR_TIMEOUT;
}

int
ak_chain_run(const char *cmd, const char *account, const char *fpr,
    long timeout_ms, const char *const *ours, size_t nours,
    struct ak_buf *out, char *why, size_t whylen)
{
	char buf[4096], *argv[AK_CHAIN_MAX_ARGS + 1];
	long long deadline = ak_now_ms() + timeout_ms;
	size_t argc;
	int fds[2], status = 0, r;
	pid_t pid;

	ak_buf_init(out, AK_CHAIN_OUT_MAX);
	why[0] = '\0';
	if (ak_chain_nested()) {
		snprintf(why, whylen, "refused inside a chained command (%s "
		    "set): a chain_command that runs authkeys-command again",
		    AK_CHAIN_ENV);
		return AK_ERR_CONFIG;
	}
	if (split(cmd, account, fpr, buf, sizeof(buf), argv, &argc) != 0) {
		snprintf(why, whylen, "cannot expand the command");
		return AK_ERR_CONFIG;
	}
	if (ak_chain_is_ours(argv[0], ours, nours)) {
		snprintf(why, whylen, "%s is authkeys itself: chaining to it "
		    "would run it again for every lookup", argv[0]);
		return AK_ERR_CONFIG;
	}
	if ((r = ak_chain_path_safe(argv[0], why, whylen)) != 0)
		return r;
	/* Whatever it leaves behind, however detached, comes back to us. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
		snprintf(why, whylen, "PR_SET_CHILD_SUBREAPER: %s",
		    strerror(errno));
		return AK_ERR_IO;
	}
	if (pipe2(fds, O_CLOEXEC) != 0) {
		snprintf(why, whylen, "pipe: %s", strerror(errno));
		return AK_ERR_IO;
	}
	if ((pid = fork()) == -1) {
		snprintf(why, whylen, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return AK_ERR_IO;
	}
	if (pid == 0)
		child(argv, fds[1]);
	(void)setpgid(pid, pid);
	close(fds[1]);
	r = collect(fds[0], deadline, out);
	close(fds[0]);
	if (reap(pid, r == 0 ? deadline : 0, &status) != 0 && r == 0)
		r = AK_ERR_TIMEOUT;
	kill_subtree(pid);
	if (r == AK_ERR_TIMEOUT)
		snprintf(why, whylen, "killed after %ld ms (timeout)",
		    timeout_ms);
	else if (r == AK_ERR_TOO_LARGE)
		snprintf(why, whylen, "more than %d bytes of output",
		    AK_CHAIN_OUT_MAX);
	else if (r != 0)
		snprintf(why, whylen, "reading its output failed");
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		r = AK_ERR_FORMAT;
		if (WIFEXITED(status))
			snprintf(why, whylen, "exit %d%s", WEXITSTATUS(status),
			    WEXITSTATUS(status) == 127 ? " (could not run)" :
			    "");
		else
			snprintf(why, whylen, "killed by signal %d",
			    WTERMSIG(status));
	}
	if (r != 0) {
		ak_buf_free(out);
		ak_buf_init(out, AK_CHAIN_OUT_MAX);
	}
	return r;
}
