/*
 * A store that hangs: listens on 127.0.0.1:PORT and never accepts, so the
 * kernel completes TCP handshakes and nothing ever answers. For timeout
 * tests. Exits after SECONDS (default 600) so it can never outlive a run.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct sockaddr_in sin;
	int fd, one = 1;
	long port, secs = 600;

	if (argc < 2 || (port = strtol(argv[1], NULL, 10)) <= 0 ||
	    port > 65535) {
		fprintf(stderr, "usage: blackhole port [seconds]\n");
		return 2;
	}
	if (argc > 2)
		secs = strtol(argv[2], NULL, 10);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(fd, 128) == -1) {
		perror("blackhole");
		return 1;
	}
	sleep((unsigned int)secs);
	return 0;
}
