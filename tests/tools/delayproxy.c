/*
 * delayproxy LISTEN_PORT UPSTREAM_PORT DELAY_MS SECONDS: a TCP proxy on
 * 127.0.0.1 that holds every chunk DELAY_MS before passing it on, in each
 * direction (so a round trip costs 2 x DELAY_MS), for the benchmark's "store
 * 50 ms away". Exits after SECONDS. Loopback only; bench tool.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAXPAIRS	64
#define MAXCHUNKS	256
#define CHUNK		16384

struct chunk {
	long long due;
	size_t len;		/* 0: end of stream */
	char data[CHUNK];
};

struct dir {
	int from, to;
	struct chunk *q[MAXCHUNKS];
	size_t head, n;
	int eof_read, done;
};

struct pair {
	int used;
	struct dir d[2];
};

static struct pair pairs[MAXPAIRS];

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
listen_on(int port)
{
	struct sockaddr_in sa;
	int fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(fd, 64) == -1)
		return -1;
	return fd;
}

static int
connect_to(int port)
{
	struct sockaddr_in sa;
	int fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
close_pair(struct pair *p)
{
	int i;

	for (i = 0; i < 2; i++)
		while (p->d[i].n > 0) {
			free(p->d[i].q[p->d[i].head]);
			p->d[i].head = (p->d[i].head + 1) % MAXCHUNKS;
			p->d[i].n--;
		}
	close(p->d[0].from);
	close(p->d[1].from);
	memset(p, 0, sizeof(*p));
}

/* Delivers what is due; returns -1 if the pair is finished or broken. */
static int
deliver(struct dir *d, long long now)
{
	struct chunk *c;
	size_t off;
	ssize_t w;

	while (d->n > 0 && (c = d->q[d->head])->due <= now) {
		if (c->len == 0)
			shutdown(d->to, SHUT_WR), d->done = 1;
		for (off = 0; off < c->len; off += (size_t)w)
			if ((w = write(d->to, c->data + off, c->len - off)) <=
			    0)
				return -1;
		free(c);
		d->head = (d->head + 1) % MAXCHUNKS;
		d->n--;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct pollfd pfd[1 + 2 * MAXPAIRS];
	struct pair *map[1 + 2 * MAXPAIRS];
	int mapdir[1 + 2 * MAXPAIRS];
	long long end, delay, now, next;
	int lfd, up, i, n;

	if (argc != 5)
		return 2;
	up = atoi(argv[2]);
	delay = atoll(argv[3]);
	end = now_ms() + atoll(argv[4]) * 1000;
	signal(SIGPIPE, SIG_IGN);
	if ((lfd = listen_on(atoi(argv[1]))) == -1)
		return 1;
	while ((now = now_ms()) < end) {
		next = end;
		n = 0;
		pfd[n].fd = lfd;
		pfd[n].events = POLLIN;
		map[n++] = NULL;
		for (i = 0; i < MAXPAIRS; i++) {
			struct pair *p = &pairs[i];
			int k;

			if (!p->used)
				continue;
			for (k = 0; k < 2; k++) {
				struct dir *d = &p->d[k];

				if (d->n > 0 && d->q[d->head]->due < next)
					next = d->q[d->head]->due;
				if (d->eof_read || d->n >= MAXCHUNKS - 1)
					continue;
				pfd[n].fd = d->from;
				pfd[n].events = POLLIN;
				mapdir[n] = k;
				map[n++] = p;
			}
		}
		if (poll(pfd, (nfds_t)n, (int)(next - now > 0 ? next - now :
		    0)) == -1 && errno != EINTR)
			return 1;
		now = now_ms();
		if (pfd[0].revents & POLLIN) {
			int cfd = accept(lfd, NULL, NULL), ufd;

			for (i = 0; cfd != -1 && i < MAXPAIRS &&
			    pairs[i].used; i++)
				;
			if (cfd != -1 && (i == MAXPAIRS ||
			    (ufd = connect_to(up)) == -1))
				close(cfd);
			else if (cfd != -1) {
				pairs[i].used = 1;
				pairs[i].d[0].from = cfd;
				pairs[i].d[0].to = ufd;
				pairs[i].d[1].from = ufd;
				pairs[i].d[1].to = cfd;
			}
		}
		for (i = 1; i < n; i++) {
			struct dir *d;
			struct chunk *c;
			ssize_t r;

			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)) ||
			    !map[i]->used)
				continue;
			d = &map[i]->d[mapdir[i]];
			if ((c = malloc(sizeof(*c))) == NULL)
				return 1;
			r = read(d->from, c->data, CHUNK);
			c->len = r > 0 ? (size_t)r : 0;
			c->due = now + delay;
			if (r <= 0)
				d->eof_read = 1;
			d->q[(d->head + d->n) % MAXCHUNKS] = c;
			d->n++;
		}
		for (i = 0; i < MAXPAIRS; i++) {
			struct pair *p = &pairs[i];

			if (!p->used)
				continue;
			if (deliver(&p->d[0], now) == -1 ||
			    deliver(&p->d[1], now) == -1 ||
			    (p->d[0].done && p->d[1].done))
				close_pair(p);
		}
	}
	return 0;
}
