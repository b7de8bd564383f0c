/*
 * A small HTTP/1.1 file server for unit tests, on 127.0.0.1: GET /PATH
 * serves http_root/PATH with an ETag of mtime and size (as nginx), answers
 * 304 to a matching If-None-Match and 404 to a missing file, keeps
 * connections alive, and counts requests and connections in
 * http_root/../http.log ("c" per connection, "g" per GET). A test may set
 * http_hook to answer some paths itself. Include after testutil.h.
 */
#ifndef AK_HTTPUTIL_H
#define AK_HTTPUTIL_H

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

static pid_t http_pid;
static char http_base[64];
static char http_root[700];
static char http_log[720];

/* Answers path itself (returning 1) or leaves it to the file server (0). */
static int (*http_hook)(int c, const char *path, const char *req);

static void
http_note(const char *what)
{
	int fd;

	if ((fd = open(http_log, O_WRONLY | O_APPEND | O_CREAT, 0600)) == -1)
		return;
	if (write(fd, what, 2) != 2)
		_exit(1);
	close(fd);
}

static void
http_answer(int c, const char *req)
{
	char path[512], file[1300], etag[64], head[512];
	const char *sp, *inm;
	struct stat st;
	char *body = NULL;
	size_t len = 0;
	int n;

	if (strncmp(req, "GET /", 5) != 0 || (sp = strchr(req + 4, ' ')) ==
	    NULL || (size_t)(sp - req - 4) >= sizeof(path) ||
	    memmem(req, (size_t)(sp - req), "..", 2) != NULL)
		_exit(0);
	memcpy(path, req + 4, (size_t)(sp - req - 4));
	path[sp - req - 4] = '\0';
	http_note("g\n");
	if (http_hook != NULL && http_hook(c, path, req))
		return;
	snprintf(file, sizeof(file), "%s%s", http_root, path);
	if (stat(file, &st) != 0 || (body = slurp(file, &len)) == NULL) {
		n = snprintf(head, sizeof(head), "HTTP/1.1 404 Not Found\r\n"
		    "Content-Length: 0\r\n\r\n");
	} else {
		snprintf(etag, sizeof(etag), "\"%llx-%llx\"",
		    (unsigned long long)st.st_mtime,
		    (unsigned long long)st.st_size);
		inm = strcasestr(req, "If-None-Match: ");
		if (inm != NULL && strncmp(inm + 15, etag, strlen(etag)) == 0) {
			n = snprintf(head, sizeof(head), "HTTP/1.1 304 Not "
			    "Modified\r\nETag: %s\r\n\r\n", etag);
			len = 0;
		} else
			n = snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\n"
			    "ETag: %s\r\nContent-Length: %zu\r\n\r\n", etag,
			    len);
	}
	if (write(c, head, (size_t)n) != n ||
	    (len > 0 && write(c, body, len) != (ssize_t)len))
		_exit(0);
	free(body);
}

static void
http_serve(int c)
{
	char req[8192], *end;
	size_t n = 0;
	ssize_t k;

	req[0] = '\0';
	for (;;) {
		while ((end = strstr(req, "\r\n\r\n")) == NULL) {
			if (n >= sizeof(req) - 1 ||
			    (k = read(c, req + n, sizeof(req) - 1 - n)) <= 0)
				_exit(0);
			n += (size_t)k;
			req[n] = '\0';
		}
		http_answer(c, req);
		n = (size_t)((req + n) - (end + 4));
		memmove(req, end + 4, n + 1);
	}
}

/* Starts serving root; returns 0, with the base URL in http_base. */
static int
http_start(const char *root)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int s, c;

	snprintf(http_root, sizeof(http_root), "%s", root);
	snprintf(http_log, sizeof(http_log), "%s/../http.log", root);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(s, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(s, 16) != 0 ||
	    getsockname(s, (struct sockaddr *)&sa, &sl) != 0)
		return -1;
	snprintf(http_base, sizeof(http_base), "http://127.0.0.1:%d",
	    ntohs(sa.sin_port));
	if ((http_pid = fork()) == 0) {
		setpgid(0, 0);
		signal(SIGCHLD, SIG_IGN);
		for (;;) {
			if ((c = accept(s, NULL, NULL)) == -1)
				continue;
			http_note("c\n");
			if (fork() == 0) {
				close(s);
				http_serve(c);
			}
			close(c);
		}
	}
	close(s);
	return http_pid > 0 ? 0 : -1;
}

static void
http_stop(void)
{
	if (http_pid > 0) {
		kill(-http_pid, SIGKILL);
		kill(http_pid, SIGKILL);
		waitpid(http_pid, NULL, 0);
		http_pid = 0;
	}
}

/* GETs ("g") or connections ("c") logged so far. */
static int
http_count(char what)
{
	size_t n = 0, i;
	char *s = slurp(http_log, &n);
	int k = 0;

	for (i = 0; s != NULL && i < n; i += 2)
		k += s[i] == what;
	free(s);
	return k;
}

#endif
