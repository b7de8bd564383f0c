/*
 * Files others might shape: bounded reads that neither follow links nor
 * block, ownership checks, atomic replacement, private directories.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ak_err.h"
#include "ak_file.h"

int
ak_file_trusted(const struct stat *st, uid_t other)
{
	if (st->st_uid != 0 && st->st_uid != other)
		return 0;
	return (st->st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

int
ak_file_check_owner(const char *path, uid_t other, int is_dir)
{
	struct stat st;

	if (stat(path, &st) == -1)
		return errno == ENOENT ? AK_ERR_NOT_FOUND : AK_ERR_IO;
	if (is_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))
		return AK_ERR_PERM;
	return ak_file_trusted(&st, other) ? 0 : AK_ERR_PERM;
}

int
ak_file_open_regular(const char *path, int check, uid_t other,
    struct stat *st)
{
	int fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)) ==
	    -1)
		return errno == ENOENT ? AK_ERR_NOT_FOUND :
		    errno == ELOOP ? AK_ERR_PERM : AK_ERR_IO;
	if (fstat(fd, st) == -1) {
		close(fd);
		return AK_ERR_IO;
	}
	if (!S_ISREG(st->st_mode) || (check && !ak_file_trusted(st, other))) {
		close(fd);
		return AK_ERR_PERM;
	}
	return fd;
}

int
ak_file_read(const char *path, size_t max, int check, uid_t other,
    char **bufp, size_t *lenp)
{
	return ak_file_read_mtime(path, max, check, other, bufp, lenp, NULL);
}

int
ak_file_read_mtime(const char *path, size_t max, int check, uid_t other,
    char **bufp, size_t *lenp, time_t *mtimep)
{
	struct stat st;
	char *buf = NULL;
	size_t off = 0;
	ssize_t n;
	int fd, r = AK_ERR_IO;

	*bufp = NULL;
	*lenp = 0;
	if ((fd = ak_file_open_regular(path, check, other, &st)) < 0)
		return fd;
	if ((size_t)st.st_size > max) {
		r = AK_ERR_TOO_LARGE;
		goto out;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		r = AK_ERR_ALLOC;
		goto out;
	}
	/* Read what fstat promised, and notice if the file grew meanwhile. */
	for (;;) {
		n = read(fd, buf + off, (size_t)st.st_size + 1 - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto out;
		if (n == 0)
			break;
		off += (size_t)n;
		if (off > (size_t)st.st_size) {
			r = AK_ERR_TOO_LARGE;
			goto out;
		}
	}
	buf[off] = '\0';
	*bufp = buf;
	*lenp = off;
	if (mtimep != NULL)
		*mtimep = st.st_mtime;
	buf = NULL;
	r = 0;
 out:
	free(buf);
	close(fd);
	return r;
}

static int
write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
ak_file_write_atomic(const char *dir, const char *name, const void *data,
    size_t len, mode_t mode)
{
	return ak_file_write_atomic_flags(dir, name, data, len, mode, 1, 0);
}

int
ak_file_write_atomic_flags(const char *dir, const char *name,
    const void *data, size_t len, mode_t mode, int durable, time_t mtime)
{
	struct timespec ts[2];
	char tmp[PATH_MAX], dst[PATH_MAX];
	int fd = -1, dfd = -1, r = AK_ERR_IO, err;

	if (snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, name) >=
	    (int)sizeof(tmp) ||
	    snprintf(dst, sizeof(dst), "%s/%s", dir, name) >= (int)sizeof(dst))
		return AK_ERR_TOO_LARGE;
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1)
		return errno == ENOSPC ? AK_ERR_NOSPACE : AK_ERR_IO;
	ts[0].tv_sec = ts[1].tv_sec = mtime;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	if (write_all(fd, data, len) == -1 || fchmod(fd, mode) == -1 ||
	    (mtime != 0 && futimens(fd, ts) == -1) ||
	    (durable && fsync(fd) == -1))
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, dst) == -1)
		goto fail;
	/* Make the rename itself durable. */
	if (durable && (dfd = open(dir, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) != -1) {
		(void)fsync(dfd);
		close(dfd);
	}
	return 0;
 fail:
	err = errno;
	if (fd != -1)
		close(fd);
	unlink(tmp);
	if (err == ENOSPC || err == EDQUOT)
		r = AK_ERR_NOSPACE;
	return r;
}

/*
 * sshd's rule for what it trusts (OpenSSH's safe_path): real (a resolved,
 * absolute path) and every directory above it up to "/" owned by root and
 * writable by no one else. Checked as directories from start (0: real is
 * itself a directory). Returns 0, or AK_ERR_PERM with why naming the
 * first that is not, AK_ERR_NOT_FOUND or AK_ERR_IO.
 */
static int
walk_up(char *real, int file, char *why, size_t whylen)
{
	struct stat st;
	char *slash;

	for (;;) {
		if (stat(real, &st) != 0) {
			snprintf(why, whylen, "%s: %s", real, strerror(errno));
			return errno == ENOENT ? AK_ERR_NOT_FOUND : AK_ERR_IO;
		}
		if (file ? !S_ISREG(st.st_mode) : !S_ISDIR(st.st_mode)) {
			snprintf(why, whylen, "%s: not a %s", real, file ?
			    "regular file" : "directory");
			return AK_ERR_PERM;
		}
		if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
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
ak_file_safe_path(const char *path, int file, char *why, size_t whylen)
{
	char real[PATH_MAX];

	if (realpath(path, real) == NULL) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return errno == ENOENT ? AK_ERR_NOT_FOUND : AK_ERR_PERM;
	}
	return walk_up(real, file, why, whylen);
}

/* The directory part of path, and every one above it, root's alone. */
static int
check_parent(const char *path)
{
	char copy[PATH_MAX], why[PATH_MAX + 64];

	if (snprintf(copy, sizeof(copy), "%s", path) >= (int)sizeof(copy))
		return AK_ERR_TOO_LARGE;
	return ak_file_safe_path(dirname(copy), 0, why, sizeof(why));
}

int
ak_file_private_dir(const char *path)
{
	struct stat st;
	int r;

	if ((r = check_parent(path)) != 0)
		return r == AK_ERR_NOT_FOUND ? AK_ERR_IO : r;
	if (mkdir(path, 0700) == -1 && errno != EEXIST)
		return AK_ERR_IO;
	if (lstat(path, &st) == -1)
		return AK_ERR_IO;
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077) != 0)
		return AK_ERR_PERM;
	return 0;
}

int
ak_file_check_root_path(const char *path)
{
	struct stat st, now;
	char real[PATH_MAX], why[PATH_MAX + 64];
	int fd, r;

	/* The file as opened (no link followed), then the path to it. */
	if ((fd = ak_file_open_regular(path, 1, 0, &st)) < 0)
		return fd;
	close(fd);
	if (realpath(path, real) == NULL)
		return errno == ENOENT ? AK_ERR_NOT_FOUND : AK_ERR_IO;
	/* Still the file opened, now that every directory is root's. */
	if ((r = walk_up(real, 1, why, sizeof(why))) != 0)
		return r;
	if (stat(path, &now) != 0 || now.st_dev != st.st_dev ||
	    now.st_ino != st.st_ino)
		return AK_ERR_PERM;
	return 0;
}

int
ak_file_read_root(const char *path, size_t max, char **bufp, size_t *lenp)
{
	int r;

	*bufp = NULL;
	if ((r = ak_file_check_root_path(path)) != 0)
		return r;
	return ak_file_read(path, max, 1, 0, bufp, lenp);
}

long
ak_file_read_proc(const char *path, char *buf, size_t size)
{
	size_t off = 0;
	ssize_t n;
	int fd;

	if (size == 0 || (fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1)
		return -1;
	while (off < size - 1) {
		n = read(fd, buf + off, size - 1 - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	close(fd);
	buf[off] = '\0';
	return (long)off;
}

int
ak_file_read_proc_all(const char *path, size_t max, char **bufp,
    size_t *lenp)
{
	char *buf = NULL, *tmp;
	size_t cap = 0, off = 0;
	ssize_t n;
	int fd, r = 0;

	*bufp = NULL;
	*lenp = 0;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1)
		return errno == ENOENT || errno == ESRCH ? AK_ERR_NOT_FOUND :
		    AK_ERR_IO;
	for (;;) {
		if (off + 1 >= cap) {
			if (cap >= max + 1) {
				r = AK_ERR_TOO_LARGE;
				break;
			}
			cap = cap == 0 ? 4096 : cap * 2;
			if (cap > max + 1)
				cap = max + 1;
			if ((tmp = realloc(buf, cap)) == NULL) {
				r = AK_ERR_ALLOC;
				break;
			}
			buf = tmp;
		}
		n = read(fd, buf + off, cap - 1 - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			r = errno == ESRCH || errno == ENODEV ?
			    AK_ERR_NOT_FOUND : AK_ERR_IO;
			break;
		}
		if (n == 0)
			break;
		off += (size_t)n;
	}
	close(fd);
	if (r != 0) {
		free(buf);
		return r;
	}
	if (buf == NULL && (buf = malloc(1)) == NULL)
		return AK_ERR_ALLOC;
	buf[off] = '\0';
	*bufp = buf;
	*lenp = off;
	return 0;
}

int
ak_file_replace_newer(const char *from, const char *to)
{
	struct stat st, nst;
	struct timespec ts[2];

	/* Compare with the new file's own mtime: it may predate "now". */
	if (stat(to, &st) == 0 && stat(from, &nst) == 0 &&
	    nst.st_mtime <= st.st_mtime) {
		ts[0].tv_sec = ts[1].tv_sec = st.st_mtime + 1;
		ts[0].tv_nsec = ts[1].tv_nsec = 0;
		if (utimensat(AT_FDCWD, from, ts, 0) != 0)
			return AK_ERR_IO;
	}
	return rename(from, to) == 0 ? 0 : errno == ENOSPC ? AK_ERR_NOSPACE :
	    AK_ERR_IO;
}
