/* Session records for authkeys-sweep (see ak_session.h). */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ak_cgroup.h"
#include "ak_err.h"
#include "ak_file.h"
#include "ak_key.h"
#include "ak_log.h"
#include "ak_proc.h"
#include "ak_session.h"
#include "ak_valid.h"

#define RECORD_MAX	2048
#define MAGIC		"authkeys-session 2\n"

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
ak_session_name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > AK_SESSION_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
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

static int put(char *, size_t *, const char *, ...)
    __attribute__((format(printf, 3, 4)));

/* Appends a formatted line to buf (size RECORD_MAX) at *off. */
static int
put(char *buf, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *off, RECORD_MAX - *off, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= RECORD_MAX - *off)
		return AK_ERR_TOO_LARGE;
	*off += (size_t)n;
	return 0;
}

int
ak_session_record(const char *dir, struct ak_session *s)
{
	char buf[RECORD_MAX];
	size_t i, off = 0;
	int r;

	if (s->pid < 2 || s->nfprs == 0 || s->nfprs > AK_SESSION_MAX_KEYS ||
	    s->uid == AK_SESSION_UID_UNKNOWN ||
	    (s->account[0] != '\0' && !ak_session_name_ok(s->account)) ||
	    (s->scope[0] != '\0' && !ak_cgroup_dir_ok(s->scope)))
		return AK_ERR_FORMAT;
	snprintf(s->file, sizeof(s->file), "%ld-%llu", (long)s->pid,
	    s->start);
	if ((r = put(buf, &off, MAGIC "pid %ld\nstart %llu\nuid %lu\n"
	    "presid %lu\n", (long)s->pid, s->start, (unsigned long)s->uid,
	    (unsigned long)s->presid)) != 0)
		return r;
	if (s->account[0] != '\0' &&
	    (r = put(buf, &off, "account %s\n", s->account)) != 0)
		return r;
	/* Audit session ids start at 1: 0 is an unset field, not an id. */
	if (s->sid != AK_NO_SESSION && s->sid != 0 &&
	    (r = put(buf, &off, "sid %lu\n", (unsigned long)s->sid)) != 0)
		return r;
	if (s->scope[0] != '\0' &&
	    (r = put(buf, &off, "scope %s\n", s->scope)) != 0)
		return r;
	if (s->closed != 0 &&
	    (r = put(buf, &off, "closed %lld\n", (long long)s->closed)) != 0)
		return r;
	if (s->rhost[0] != '\0' && rhost_ok(s->rhost) &&
	    (r = put(buf, &off, "rhost %s\n", s->rhost)) != 0)
		return r;
	for (i = 0; i < s->nfprs; i++) {
		if (!ak_fpr_valid(s->fprs[i]) || (s->cas[i][0] != '\0' &&
		    !ak_fpr_valid(s->cas[i])))
			return AK_ERR_FORMAT;
		if ((r = put(buf, &off, "key %s%s%s\n", s->fprs[i],
		    s->cas[i][0] != '\0' ? " ca " : "", s->cas[i])) != 0)
			return r;
	}
	/* Gone with a reboot anyway (/run): no fsync. */
	return ak_file_write_atomic_flags(dir, s->file, buf, off, 0600, 0, 0);
}

void
ak_session_remove(const char *dir, const struct ak_session *s)
{
	char path[PATH_MAX];

	if (s->file[0] == '\0')
		return;
	if (snprintf(path, sizeof(path), "%s/%s", dir, s->file) <
	    (int)sizeof(path))
		(void)unlink(path);
	/* Version 1 kept where a session came from beside its record. */
	if (snprintf(path, sizeof(path), "%s/%s.info", dir, s->file) <
	    (int)sizeof(path))
		(void)unlink(path);
}

static int
take_ull(const char *p, unsigned long long max, unsigned long long *v)
{
	char *ep;

	if (*p < '0' || *p > '9')
		return -1;
	errno = 0;
	*v = strtoull(p, &ep, 10);
	if (errno != 0 || *ep != '\0' || *v > max)
		return -1;
	return 0;
}

/* Version 1: "PID START ACCOUNT FPR..." on one line. */
static int
parse_v1(char *p, struct ak_session *s)
{
	char *tok, *save = NULL;
	unsigned long long v;

	if ((tok = strtok_r(p, " ", &save)) == NULL ||
	    take_ull(tok, INT_MAX, &v) != 0 || v < 2)
		return AK_ERR_FORMAT;
	s->pid = (pid_t)v;
	if ((tok = strtok_r(NULL, " ", &save)) == NULL ||
	    take_ull(tok, ULLONG_MAX, &s->start) != 0)
		return AK_ERR_FORMAT;
	if ((tok = strtok_r(NULL, " ", &save)) == NULL ||
	    !ak_account_valid(tok))
		return AK_ERR_FORMAT;
	memcpy(s->account, tok, strlen(tok) + 1);
	while ((tok = strtok_r(NULL, " ", &save)) != NULL) {
		if (s->nfprs >= AK_SESSION_MAX_KEYS || !ak_fpr_valid(tok))
			return AK_ERR_FORMAT;
		memcpy(s->fprs[s->nfprs++], tok, AK_FPR_LEN + 1);
	}
	s->uid = AK_SESSION_UID_UNKNOWN;
	s->v1 = 1;
	return s->nfprs > 0 ? 0 : AK_ERR_FORMAT;
}

static int
parse_key(char *v, struct ak_session *s)
{
	char *ca;

	if (s->nfprs >= AK_SESSION_MAX_KEYS)
		return AK_ERR_FORMAT;
	if ((ca = strchr(v, ' ')) != NULL) {
		*ca = '\0';
		ca++;
		if (strncmp(ca, "ca ", 3) != 0 || !ak_fpr_valid(ca + 3))
			return AK_ERR_FORMAT;
		memcpy(s->cas[s->nfprs], ca + 3, AK_FPR_LEN + 1);
	}
	if (!ak_fpr_valid(v))
		return AK_ERR_FORMAT;
	memcpy(s->fprs[s->nfprs++], v, AK_FPR_LEN + 1);
	return 0;
}

/* The fields of version 2, in the order the writer puts them. */
enum field { F_PID, F_START, F_UID, F_PRESID, F_ACCOUNT, F_SID, F_SCOPE,
	F_CLOSED, F_RHOST, F_KEY, F_MAX };

static const char *field_names[F_MAX] = { "pid", "start", "uid", "presid",
	"account", "sid", "scope", "closed", "rhost", "key" };

/* A text field: checked by ok, fitting in dst. */
static int
take_text(char *dst, size_t len, const char *val, int ok)
{
	if (!ok || strlen(val) >= len)
		return AK_ERR_FORMAT;
	memcpy(dst, val, strlen(val) + 1);
	return 0;
}

/* One "name value" line of version 2; each name but key at most once. */
static int
parse_line(char *line, struct ak_session *s, unsigned int *seen)
{
	unsigned long long v;
	enum field f;
	char *val;

	if ((val = strchr(line, ' ')) == NULL)
		return AK_ERR_FORMAT;
	*val++ = '\0';
	for (f = 0; f < F_MAX && strcmp(line, field_names[f]) != 0; f++)
		;
	if (f == F_MAX || (f != F_KEY && (*seen & (1U << f)) != 0))
		return AK_ERR_FORMAT;
	*seen |= 1U << f;
	switch (f) {
	case F_PID:
		if (take_ull(val, INT_MAX, &v) != 0 || v < 2)
			return AK_ERR_FORMAT;
		s->pid = (pid_t)v;
		return 0;
	case F_START:
		return take_ull(val, ULLONG_MAX, &s->start) == 0 ? 0 :
		    AK_ERR_FORMAT;
	case F_UID:
	case F_PRESID:
	case F_SID:
		if (take_ull(val, UINT32_MAX, &v) != 0 ||
		    (f == F_UID && v == AK_SESSION_UID_UNKNOWN) ||
		    (f == F_SID && (v == 0 || v == AK_NO_SESSION)))
			return AK_ERR_FORMAT;
		*(f == F_UID ? &s->uid : f == F_PRESID ? &s->presid :
		    &s->sid) = (uint32_t)v;
		return 0;
	case F_CLOSED:
		if (take_ull(val, (unsigned long long)LLONG_MAX, &v) != 0 ||
		    v == 0)
			return AK_ERR_FORMAT;
		s->closed = (time_t)v;
		return 0;
	case F_ACCOUNT:
		return take_text(s->account, sizeof(s->account), val,
		    ak_session_name_ok(val));
	case F_SCOPE:
		return take_text(s->scope, sizeof(s->scope), val,
		    ak_cgroup_dir_ok(val));
	case F_RHOST:
		return take_text(s->rhost, sizeof(s->rhost), val,
		    rhost_ok(val));
	default:
		return parse_key(val, s);
	}
}

int
ak_session_parse(const char *text, size_t len, struct ak_session *s)
{
	char buf[RECORD_MAX], *p, *nl;
	unsigned int seen = 0;
	int r;

	memset(s, 0, sizeof(*s));
	s->sid = AK_NO_SESSION;
	s->presid = AK_NO_SESSION;
	if (len == 0 || len >= sizeof(buf) || text[len - 1] != '\n' ||
	    memchr(text, '\0', len) != NULL)
		return AK_ERR_FORMAT;
	memcpy(buf, text, len);
	buf[len] = '\0';
	if (strncmp(buf, MAGIC, strlen(MAGIC)) != 0) {
		buf[len - 1] = '\0';
		if (strchr(buf, '\n') != NULL)
			return AK_ERR_FORMAT;
		return parse_v1(buf, s);
	}
	for (p = buf + strlen(MAGIC); *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		*nl = '\0';
		if ((r = parse_line(p, s, &seen)) != 0)
			return r;
	}
	/* pid, start, uid and presid, and a key: what every record has. */
	if ((seen & 0xfU) != 0xfU || s->nfprs == 0)
		return AK_ERR_FORMAT;
	return 0;
}

int
ak_session_read(const char *dir, const char *name, struct ak_session *s)
{
	char path[PATH_MAX], info[PATH_MAX + 8], *buf = NULL;
	struct stat st;
	size_t len;
	int r;

	if (strlen(name) >= sizeof(s->file) ||
	    snprintf(path, sizeof(path), "%s/%s", dir, name) >=
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
	/* The name says whose record it is: a copy under another is not. */
	if (s->v1)
		snprintf(s->file, sizeof(s->file), "%ld", (long)s->pid);
	else
		snprintf(s->file, sizeof(s->file), "%ld-%llu", (long)s->pid,
		    s->start);
	if (strcmp(s->file, name) != 0)
		return AK_ERR_FORMAT;
	if (stat(path, &st) == 0)
		s->since = st.st_mtime;
	/* Version 1 kept where a session came from in PID.info. */
	if (s->v1 &&
	    snprintf(info, sizeof(info), "%s.info", path) <
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
ak_session_running(const struct ak_session *s, const struct ak_proctab *t,
    int *connected)
{
	size_t i;

	*connected = ak_session_alive(s);
	if (*connected)
		return 1;
	if (s->sid == AK_NO_SESSION)
		return 0;
	for (i = 0; i < t->n; i++)
		if (t->p[i].sessionid == s->sid && !t->p[i].zombie)
			return 1;
	return 0;
}

uint32_t
ak_session_own_sid(const struct ak_session *s, pid_t pid)
{
	struct ak_proc p;

	/* Version 1 has no presid: sshd's own id cannot be told apart. */
	if (s->v1 || s->uid == AK_SESSION_UID_UNKNOWN ||
	    ak_proc_read(pid, AK_PROC_SESSION | AK_PROC_LOGINUID, &p) != 0)
		return AK_NO_SESSION;
	if (p.loginuid != s->uid || p.sessionid == AK_NO_SESSION ||
	    p.sessionid == s->presid)
		return AK_NO_SESSION;
	return p.sessionid;
}

int
ak_session_dir_open(struct ak_session_dir *sd, const char *dir)
{
	sd->dir = dir;
	if ((sd->d = opendir(dir)) != NULL || errno == ENOENT)
		return 0;
	return errno == EACCES || errno == EPERM ? AK_ERR_PERM : AK_ERR_IO;
}

/* "PID-START" (this version) or "PID" (version 1). */
static int
record_name(const char *n)
{
	size_t a = strspn(n, "0123456789");

	if (n[0] < '1' || n[0] > '9')
		return 0;
	if (n[a] == '\0')
		return 1;
	return n[a] == '-' && n[a + 1] != '\0' &&
	    strspn(n + a + 1, "0123456789") == strlen(n + a + 1);
}

int
ak_session_dir_next(struct ak_session_dir *sd, struct ak_session *s)
{
	struct dirent *de;
	int r;

	while (sd->d != NULL && (de = readdir(sd->d)) != NULL) {
		/* PID.info, temporary files: not records. */
		if (!record_name(de->d_name))
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
