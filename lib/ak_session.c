/* Session records for authkeys-sweep (see ak_session.h). */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ak_err.h"
#include "ak_file.h"
#include "ak_key.h"
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
	char path[PATH_MAX], *buf = NULL;
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
	return r;
}

int
ak_session_alive(const struct ak_session *s)
{
	struct ak_proc p;

	/* A zombie is over: only its parent has yet to notice. */
	return ak_proc_read(s->pid, 0, &p) == 0 && !p.zombie &&
	    p.start == s->start;
}
