/* Detects a ~/.pam_environment that could rewrite SSH_AUTH_INFO_0. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ak_err.h"
#include "ak_userenv.h"

#define NEEDLE	"SSH_AUTH_INFO"

int
ak_userenv_names_authinfo(const char *buf, size_t len)
{
	char *joined;
	size_t i, n = 0;
	int found;

	/* Joined as pam_env joins continued lines; NUL bytes kept as '?'. */
	if ((joined = malloc(len + 1)) == NULL)
		return 1;	/* cannot tell: say it does */
	for (i = 0; i < len; i++) {
		if (buf[i] == '\\' && i + 1 < len && buf[i + 1] == '\n') {
			i++;
			continue;
		}
		joined[n++] = buf[i] == '\0' ? '?' : buf[i];
	}
	joined[n] = '\0';
	found = strstr(joined, NEEDLE) != NULL;
	free(joined);
	return found;
}

int
ak_userenv_check(const char *home, const char **whyp)
{
	struct stat st;
	char *buf = NULL;
	size_t off = 0;
	ssize_t n = 0;
	int dfd = -1, fd = -1, r = AK_ERR_PERM;

	*whyp = NULL;
	if ((dfd = open(home, O_RDONLY | O_DIRECTORY | O_NONBLOCK |
	    O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return 0;	/* no home: pam_env reads nothing */
		*whyp = "home directory cannot be checked for "
		    AK_USERENV_FILE;
		return AK_ERR_PERM;
	}
	fd = openat(dfd, AK_USERENV_FILE, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd == -1) {
		if (errno == ENOENT) {
			r = 0;
			goto out;
		}
		*whyp = errno == ELOOP ? "~/" AK_USERENV_FILE " is a symbolic "
		    "link (cannot be checked)" : "~/" AK_USERENV_FILE
		    " cannot be read to be checked";
		goto out;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		*whyp = "~/" AK_USERENV_FILE " is not a regular file";
		goto out;
	}
	if (st.st_size > AK_USERENV_MAX) {
		*whyp = "~/" AK_USERENV_FILE " is too large to be checked";
		goto out;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		r = AK_ERR_ALLOC;
		*whyp = "out of memory";
		goto out;
	}
	while (off <= (size_t)st.st_size) {
		n = read(fd, buf + off, (size_t)st.st_size + 1 - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	if (n == -1 || off > (size_t)st.st_size) {
		*whyp = "~/" AK_USERENV_FILE " changed or failed while being "
		    "checked";
		goto out;
	}
	if (ak_userenv_names_authinfo(buf, off)) {
		*whyp = "~/" AK_USERENV_FILE " sets SSH_AUTH_INFO (a user's "
		    "environment file must not choose the key checked)";
		r = AK_ERR_POLICY;
		goto out;
	}
	r = 0;
 out:
	free(buf);
	if (fd != -1)
		close(fd);
	close(dfd);
	return r;
}
