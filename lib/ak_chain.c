/*
 * Running a chained AuthorizedKeysCommand (see ak_chain.h): no shell, the
 * path checked as sshd checks its own, bounded in time and output, and
 * only key lines that parse passed on, all or nothing.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ak_buf.h"
#include "ak_chain.h"
#include "ak_err.h"
#include "ak_key.h"
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
	char real[PATH_MAX], *slash;
	struct stat st;
	int file = 1;

	if (realpath(path, real) == NULL) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return AK_ERR_PERM;
	}
	for (;;) {
		if (stat(real, &st) != 0) {
			snprintf(why, whylen, "%s: %s", real, strerror(errno));
			return AK_ERR_PERM;
		}
		if (file && !S_ISREG(st.st_mode)) {
			snprintf(why, whylen, "%s: not a regular file", real);
			return AK_ERR_PERM;
		}
		if (st.st_uid != 0 || (st.st_mode & 022) != 0) {
			snprintf(why, whylen, "%s: %s", real, st.st_uid != 0 ?
			    "not owned by root" : "writable by group or "
			    "others");
			return AK_ERR_PERM;
		}
		file = 0;
		if (strcmp(real, "/") == 0)
			return 0;
		if ((slash = strrchr(real, '/')) == real)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
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
	    NULL };
	int devnull;

	(void)setpgid(0, 0);
	if ((devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1 ||
	    dup2(devnull, 0) == -1 || dup2(outfd, 1) == -1 ||
	    dup2(devnull, 2) == -1)
		_exit(127);
	execve(argv[0], argv, envp);
	_exit(127);
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

/* The valid key lines of the output, all written or none. */
static int
pass_lines(const struct ak_buf *b, FILE *out, size_t *printedp,
    size_t *droppedp)
{
	struct ak_buf keep;
	const char *p = (const char *)b->p, *end = p + b->len, *nl;
	struct ak_key_line *kl;
	size_t len, ws;
	int r = 0;

	ak_buf_init(&keep, AK_CHAIN_OUT_MAX);
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		len = (size_t)(nl - p);
		if (len > 0 && p[len - 1] == '\r')
			len--;
		for (ws = 0; ws < len && (p[ws] == ' ' || p[ws] == '\t'); ws++)
			;
		if (ws == len || p[ws] == '#')
			continue;
		if (ak_key_line_parse(p, len, &kl) != 0) {
			(*droppedp)++;
			continue;
		}
		ak_key_line_free(kl);
		ak_buf_put(&keep, p, len);
		ak_buf_put(&keep, "\n", 1);
		(*printedp)++;
	}
	if (keep.err != 0)
		r = keep.err;
	else if (keep.len > 0 && (fwrite(keep.p, 1, keep.len, out) !=
	    keep.len || fflush(out) != 0))
		r = AK_ERR_IO;
	if (r != 0)
		*printedp = 0;
	ak_buf_free(&keep);
	return r;
}

int
ak_chain_run(const char *cmd, const char *account, const char *fpr,
    long timeout_ms, FILE *out, size_t *printedp, size_t *droppedp,
    char *why, size_t whylen)
{
	char buf[4096], *argv[AK_CHAIN_MAX_ARGS + 1];
	long long deadline = ak_now_ms() + timeout_ms;
	struct ak_buf b;
	size_t argc;
	int fds[2], status = 0, r;
	pid_t pid;

	*printedp = *droppedp = 0;
	why[0] = '\0';
	if (split(cmd, account, fpr, buf, sizeof(buf), argv, &argc) != 0) {
		snprintf(why, whylen, "cannot expand the command");
		return AK_ERR_CONFIG;
	}
	if ((r = ak_chain_path_safe(argv[0], why, whylen)) != 0)
		return r;
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
	ak_buf_init(&b, AK_CHAIN_OUT_MAX);
	r = collect(fds[0], deadline, &b);
	close(fds[0]);
	if (reap(pid, r == 0 ? deadline : 0, &status) != 0 && r == 0)
		r = AK_ERR_TIMEOUT;
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
	} else if ((r = pass_lines(&b, out, printedp, droppedp)) != 0)
		snprintf(why, whylen, "writing its lines failed");
	ak_buf_free(&b);
	return r;
}
