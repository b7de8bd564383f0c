/*
 * A syslog sink for tests: receives datagrams on a UNIX socket (normally
 * /dev/log) and appends each as a line to a file, so tests can assert what
 * the command, the PAM module and sshd logged. Exits after SECONDS.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct sockaddr_un sun;
	char buf[8192];
	FILE *out;
	ssize_t n;
	time_t end;
	int fd;

	if (argc < 3) {
		fprintf(stderr, "usage: logsink socket file [seconds]\n");
		return 2;
	}
	end = time(NULL) + (argc > 3 ? atol(argv[3]) : 1800);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(argv[1]) >= sizeof(sun.sun_path))
		return 2;
	strncpy(sun.sun_path, argv[1], sizeof(sun.sun_path) - 1);
	unlink(argv[1]);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		perror("logsink");
		return 1;
	}
	chmod(argv[1], 0666);
	if ((out = fopen(argv[2], "a")) == NULL) {
		perror(argv[2]);
		return 1;
	}
	while (time(NULL) < end) {
		struct pollfd p = { fd, POLLIN, 0 };

		if (poll(&p, 1, 1000) <= 0)
			continue;
		if ((n = recv(fd, buf, sizeof(buf) - 1, 0)) <= 0)
			continue;
		buf[n] = '\0';
		while (n > 0 && buf[n - 1] == '\n')
			buf[--n] = '\0';
		fprintf(out, "%s\n", buf);
		fflush(out);
	}
	return 0;
}
