/* --check's report lines and shared tools (see report.h). */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ak_time.h"
#include "report.h"

static int failures;

void
check_report(enum check_verdict v, const char *fmt, ...)
{
	va_list ap;

	printf("%s ", v == CHECK_OK ? "ok  " : v == CHECK_FAIL ? "FAIL" :
	    "warn");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (v == CHECK_FAIL)
		failures++;
}

int
check_failures(void)
{
	return failures;
}

void
check_reset(void)
{
	failures = 0;
}

void
check_path(const char *what, const char *path)
{
	char buf[PATH_MAX], *p;
	struct stat st;

	if (realpath(path, buf) == NULL) {
		check_report(CHECK_FAIL, "%s %s: not found", what, path);
		return;
	}
	for (p = buf + strlen(buf); p > buf; ) {
		if (stat(buf, &st) == -1 || st.st_uid != 0 ||
		    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
			check_report(CHECK_FAIL,
			    "%s: %s must be owned by root and not "
			    "group/world writable (sshd refuses it)", what,
			    buf);
			return;
		}
		if ((p = strrchr(buf, '/')) == NULL)
			break;
		*p = '\0';
	}
	check_report(CHECK_OK,
	    "%s %s: ownership and modes as sshd requires", what,
	    path);
}

char *
check_capture(char *const argv[], size_t max, int ms, int *statusp, char *why,
    size_t whylen)
{
	struct pollfd pfd;
	char *buf = NULL;
	size_t len = 0;
	long long end;
	ssize_t n;
	pid_t pid;
	int p[2], status, devnull;

	*statusp = -1;
	if (pipe2(p, O_CLOEXEC) == -1) {
		snprintf(why, whylen, "pipe: %s", strerror(errno));
		return NULL;
	}
	if ((pid = fork()) == -1) {
		close(p[0]);
		close(p[1]);
		snprintf(why, whylen, "fork: %s", strerror(errno));
		return NULL;
	}
	if (pid == 0) {
		/* Nothing of the caller's environment (LD_PRELOAD...). */
		static char *envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
		    "LANG=C", NULL };

		devnull = open("/dev/null", O_RDWR);
		if (dup2(p[1], 1) == -1 || (devnull != -1 &&
		    (dup2(devnull, 0) == -1 || dup2(devnull, 2) == -1)))
			_exit(127);
		execve(argv[0], argv, envp);
		_exit(127);
	}
	close(p[1]);
	if ((buf = malloc(max + 1)) == NULL)
		goto fail;
	end = ak_now_ms() + ms;
	pfd.fd = p[0];
	pfd.events = POLLIN;
	for (;;) {
		long long left = end - ak_now_ms();

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0) {
			snprintf(why, whylen, "%s did not answer in %d ms",
			    argv[0], ms);
			kill(pid, SIGKILL);
			goto fail;
		}
		n = read(p[0], buf + len, max - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == max)
			break;
	}
	buf[len] = '\0';
	close(p[0]);
	if (waitpid(pid, &status, 0) != pid) {
		snprintf(why, whylen, "%s: lost", argv[0]);
		free(buf);
		return NULL;
	}
	*statusp = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	return buf;
 fail:
	close(p[0]);
	waitpid(pid, &status, 0);
	free(buf);
	return NULL;
}
