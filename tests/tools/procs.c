/*
 * procs N: N processes that do nothing (a busy host's unrelated
 * processes, for the sweep's tests). Prints "ready" once all exist; they
 * die with it (SIGTERM or SIGKILL to procs ends them all).
 */
#include <sys/prctl.h>
#include <sys/types.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	long i, n;
	pid_t pid;

	if (argc != 2 || (n = strtol(argv[1], NULL, 10)) < 1 || n > 100000) {
		fprintf(stderr, "usage: procs N\n");
		return 2;
	}
	for (i = 0; i < n; i++) {
		if ((pid = fork()) == -1) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() == 1)
				_exit(0);
			for (;;)
				pause();
		}
	}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
