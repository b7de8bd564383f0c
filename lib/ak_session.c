/* Session records for authkeys-sweep (see ak_session.h). */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ak_err.h"
#include "ak_file.h"
#include "ak_key.h"
#include "ak_log.h"
#include "ak_proc.h"
#include "ak_session.h"
#include "ak_valid.h"

#define RECORD_MAX	1024

int
ak_session_proc_start(pid_t pid, unsigned long long *startp)
{
	struct ak_proc p;

	*startp = 0;
	if (ak_proc_read(pid, 0, &p) != 0)
		return AK_ERR_NOT_FOUND;
	*startp = p.start;
	return 0;
}

/* An address or host name as PAM_RHOST gives it: nothing else. */
static int
rhost_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '.' || s[i] == ':' || s[i] == '-' || s[i] == '%' ||
		    s[i] == '_'))
			return 0;
	return 1;
}

int
ak_session_record(const char *dir, const struct ak_session *s)
{
	char buf[RECORD_MAX], name[32];
	size_t i, off;
	int n;

	if (!ak_account_valid(s->account) || s->nfprs > AK_SESSION_MAX_KEYS)
		return AK_ERR_FORMAT;
	n = snprintf(buf, sizeof(buf), "%ld %llu %s", (long)s->pid, s->start,
	    s->account);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return AK_ERR_TOO_LARGE;
	off = (size_t)n;
	for (i = 0; i < s->nfprs; i++) {
		if (!ak_fpr_valid(s->fprs[i]))
			return AK_ERR_FORMAT;
		n = snprintf(buf + off, sizeof(buf) - off, " %s", s->fprs[i]);
		if (n < 0 || (size_t)n >= sizeof(buf) - off)
			return AK_ERR_TOO_LARGE;
		off += (size_t)n;
	}
	if (off + 1 >= sizeof(buf))
		return AK_ERR_TOO_LARGE;
	buf[off++] = '\n';
	/* Where from, for --list: beside the record, first. */
	if (s->rhost[0] != '\0' && rhost_ok(s->rhost)) {
		char info[96];

		snprintf(name, sizeof(name), "%ld.info", (long)s->pid);
		n = snprintf(info, sizeof(info), "rhost %s\n", s->rhost);
		(void)ak_file_write_atomic_flags(dir, name, info, (size_t)n,
		    0600, 0, 0);
	}
	snprintf(name, sizeof(name), "%ld", (long)s->pid);
	/* Gone with a reboot anyway (/run): no fsync. */
	return ak_file_write_atomic_flags(dir, name, buf, off, 0600, 0, 0);
}

void
ak_session_remove(const char *dir, pid_t pid)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%ld", dir, (long)pid) <
	    (int)sizeof(path))
		(void)unlink(path);
	if (snprintf(path, sizeof(path), "%s/%ld.info", dir, (long)pid) <
	    (int)sizeof(path))
		(void)unlink(path);
}

static int
take_ull(char **p, unsigned long long *v)
{
	char *ep;

	if (**p < '0' || **p > '9')
		return -1;
	errno = 0;
	*v = strtoull(*p, &ep, 10);
	if (errno != 0 || (*ep != ' ' && *ep != '\n'))
		return -1;
	*p = ep;
	return 0;
}

int
ak_session_parse(const char *text, size_t len, struct ak_session *s)
{
	char buf[RECORD_MAX], *p, *tok, *save = NULL;
	unsigned long long pid;

	memset(s, 0, sizeof(*s));
	if (len == 0 || len >= sizeof(buf) || text[len - 1] != '\n' ||
	    memchr(text, '\0', len) != NULL)
		return AK_ERR_FORMAT;
	memcpy(buf, text, len);
	buf[len] = '\0';
	p = buf;
	if (take_ull(&p, &pid) != 0 || pid < 2 || pid > INT_MAX ||
	    *p++ != ' ' || take_ull(&p, &s->start) != 0 || *p++ != ' ')
		return AK_ERR_FORMAT;
	s->pid = (pid_t)pid;
	p[strlen(p) - 1] = '\0';	/* the newline */
	if ((tok = strtok_r(p, " ", &save)) == NULL ||
	    !ak_account_valid(tok))
		return AK_ERR_FORMAT;
	memcpy(s->account, tok, strlen(tok) + 1);
	while ((tok = strtok_r(NULL, " ", &save)) != NULL) {
		if (s->nfprs >= AK_SESSION_MAX_KEYS || !ak_fpr_valid(tok))
			return AK_ERR_FORMAT;
		memcpy(s->fprs[s->nfprs++], tok, AK_FPR_LEN + 1);
	}
	return s->nfprs > 0 ? 0 : AK_ERR_FORMAT;
}

int
ak_session_read(const char *dir, const char *name, struct ak_session *s)
{
	char path[PATH_MAX], info[PATH_MAX + 8], *buf = NULL;
	struct stat st;
	size_t len;
	int r;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path))
		return AK_ERR_TOO_LARGE;
	/* Root's only: a record anyone else could write is never acted on. */
	if ((r = ak_file_read(path, RECORD_MAX, 1, 0, &buf, &len)) != 0)
		return r;
	r = ak_session_parse(buf, len, s);
	free(buf);
	buf = NULL;
	if (r != 0)
		return r;
	if (stat(path, &st) == 0)
		s->since = st.st_mtime;
	if (snprintf(info, sizeof(info), "%s.info", path) <
	    (int)sizeof(info) && ak_file_read(info, 128, 1, 0, &buf,
	    &len) == 0) {
		if (len > 6 && memcmp(buf, "rhost ", 6) == 0 &&
		    buf[len - 1] == '\n' && len - 7 < sizeof(s->rhost)) {
			memcpy(s->rhost, buf + 6, len - 7);
			s->rhost[len - 7] = '\0';
			if (!rhost_ok(s->rhost))
				s->rhost[0] = '\0';
		}
		free(buf);
	}
	return 0;
}

int
ak_session_alive(const struct ak_session *s)
{
	struct ak_proc p;

	/* A zombie is over: only its parent has yet to notice. */
	return ak_proc_read(s->pid, 0, &p) == 0 && !p.zombie &&
	    p.start == s->start;
}

int
ak_session_dir_open(struct ak_session_dir *sd, const char *dir)
{
	sd->dir = dir;
	if ((sd->d = opendir(dir)) != NULL || errno == ENOENT)
		return 0;
	return errno == EACCES || errno == EPERM ? AK_ERR_PERM : AK_ERR_IO;
}

int
ak_session_dir_next(struct ak_session_dir *sd, struct ak_session *s)
{
	struct dirent *de;
	int r;

	while (sd->d != NULL && (de = readdir(sd->d)) != NULL) {
		/* PID.info and anything else beside the records: not read. */
		if (de->d_name[0] < '1' || de->d_name[0] > '9' ||
		    strspn(de->d_name, "0123456789") != strlen(de->d_name))
			continue;
		if ((r = ak_session_read(sd->dir, de->d_name, s)) == 0)
			return 1;
		/* Gone since readdir: the session ended meanwhile. */
		if (r != AK_ERR_NOT_FOUND)
			ak_log(LOG_WARNING, "%s/%s: not a session record we "
			    "wrote (%s); ignored", sd->dir, de->d_name,
			    ak_err(r));
	}
	return 0;
}

void
ak_session_dir_close(struct ak_session_dir *sd)
{
	if (sd->d != NULL)
		closedir(sd->d);
	sd->d = NULL;
}
