/*
 * forkloop: forks and exits in a loop, so no process of it lives longer
 * than one fork (the escape a sweep that counts signals, not survivors,
 * cannot end). Bounded: it stops by itself after SECONDS (default 120), so
 * a failed test leaves nothing running for long.
 */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	time_t end = time(NULL) + (argc > 1 ? strtol(argv[1], NULL, 10) : 120);
	pid_t pid;

	while (time(NULL) < end) {
		if ((pid = fork()) == -1) {
			usleep(1000);
			continue;
		}
		if (pid > 0)
			_exit(0);
	}
	return 0;
}
