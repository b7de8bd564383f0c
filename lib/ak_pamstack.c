/* A reader of PAM service files (pam_handlers.c's rules), for --check. */
#include <sys/stat.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ak_err.h"
#include "ak_file.h"
#include "ak_pamstack.h"

#define SERVICE_MAX	(256 * 1024)
#define MAX_TOKENS	64

struct scan {
	const char *type;
	const char *confdir;	/* where relative includes are, or NULL */
	struct ak_pamstack *ps;
	int depth;
};

static int scan_file(struct scan *sc, const char *path);

static const char *
base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s != NULL ? s + 1 : p;
}

/*
 * Splits line into tokens at blanks; a "[...]" control is one token even
 * with blanks inside. Returns the number of tokens.
 */
static size_t
tokenize(char *line, char **tok, size_t max)
{
	size_t n = 0;
	char *p = line;

	while (*p != '\0' && n < max) {
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (*p == '\0')
			break;
		tok[n++] = p;
		if (*p == '[') {
			while (*p != '\0' && *p != ']')
				p++;
			if (*p == ']')
				p++;
		} else {
			while (*p != '\0' && *p != ' ' && *p != '\t' &&
			    *p != '\r')
				p++;
		}
		if (*p != '\0')
			*p++ = '\0';
	}
	return n;
}

static int
include(struct scan *sc, const char *name)
{
	const char *dirs[2];
	char path[PATH_MAX];
	struct stat st;
	size_t i, ndirs;
	int r;

	if (sc->depth >= AK_PAMSTACK_DEPTH)
		return AK_ERR_FORMAT;
	/* libpam's lookup: an absolute name as is, else its directories. */
	dirs[0] = sc->confdir != NULL ? sc->confdir : AK_PAM_CONFDIR;
	dirs[1] = AK_PAM_VENDORDIR;
	ndirs = name[0] == '/' || sc->confdir != NULL ? 1 : 2;
	for (i = 0; i < ndirs; i++) {
		if (snprintf(path, sizeof(path), "%s%s%s", name[0] == '/' ?
		    "" : dirs[i], name[0] == '/' ? "" : "/", name) >=
		    (int)sizeof(path))
			return AK_ERR_TOO_LARGE;
		if (stat(path, &st) == 0)
			break;
	}
	if (i == ndirs) {
		if (sc->ps->missing[0] == '\0')
			snprintf(sc->ps->missing, sizeof(sc->ps->missing),
			    "%s", name);
		return AK_ERR_NOT_FOUND;
	}
	sc->depth++;
	r = scan_file(sc, path);
	sc->depth--;
	return r;
}

static void
where(char *out, size_t len, const char *path, unsigned long lineno)
{
	snprintf(out, len, "%s:%lu", path, lineno);
}

static int
scan_line(struct scan *sc, const char *path, unsigned long lineno, char *line)
{
	char *tok[MAX_TOKENS], *type;
	size_t n, i;

	if ((n = tokenize(line, tok, MAX_TOKENS)) == 0)
		return 0;
	if (strcmp(tok[0], "@include") == 0)
		return n >= 2 ? include(sc, tok[1]) : 0;
	if (n < 3)
		return 0;	/* libpam skips it too (with a log line) */
	type = tok[0][0] == '-' ? tok[0] + 1 : tok[0];
	if (strcasecmp(type, sc->type) != 0)
		return 0;
	if (strcmp(tok[1], "include") == 0 || strcmp(tok[1], "substack") == 0)
		return include(sc, tok[2]);
	/* What gives a login an audit session or a scope to end it by. */
	if (strcmp(base_name(tok[2]), "pam_loginuid.so") == 0)
		sc->ps->loginuid = 1;
	if (strcmp(base_name(tok[2]), "pam_systemd.so") == 0)
		sc->ps->logind = 1;
	if (strcmp(base_name(tok[2]), "pam_authkeys.so") == 0) {
		if (!sc->ps->module_found) {
			sc->ps->module_found = 1;
			where(sc->ps->module_at, sizeof(sc->ps->module_at),
			    path, lineno);
		}
		return 0;
	}
	if (strcmp(base_name(tok[2]), "pam_env.so") == 0 &&
	    !sc->ps->module_found && !sc->ps->env_before) {
		for (i = 3; i < n; i++) {
			if (strcmp(tok[i], "user_readenv=1") == 0) {
				sc->ps->env_before = 1;
				where(sc->ps->env_at, sizeof(sc->ps->env_at),
				    path, lineno);
			}
		}
	}
	return 0;
}

static int
scan_file(struct scan *sc, const char *path)
{
	char *buf = NULL, *p, *line, *w;
	unsigned long lineno = 0, first;
	size_t len;
	int r;

	if ((r = ak_file_read(path, SERVICE_MAX, 0, 0, &buf, &len)) != 0)
		return r;
	for (p = buf; *p != '\0'; ) {
		/* One logical line: backslash-newline continues it. */
		line = w = p;
		first = ++lineno;
		while (*p != '\0' && *p != '\n') {
			if (*p == '\\' && p[1] == '\n') {
				p += 2;
				lineno++;
				*w++ = ' ';
				continue;
			}
			*w++ = *p++;
		}
		if (*p == '\n')
			p++;
		*w = '\0';
		if ((w = strchr(line, '#')) != NULL)
			*w = '\0';
		if ((r = scan_line(sc, path, first, line)) != 0)
			break;
	}
	free(buf);
	return r;
}

int
ak_pamstack_scan(const char *path, const char *type, const char *confdir,
    struct ak_pamstack *ps)
{
	struct scan sc;
	int r;

	memset(ps, 0, sizeof(*ps));
	sc.type = type;
	sc.confdir = confdir;
	sc.ps = ps;
	sc.depth = 0;
	r = scan_file(&sc, path);
	if (r == AK_ERR_NOT_FOUND && ps->missing[0] == '\0')
		snprintf(ps->missing, sizeof(ps->missing), "%s", path);
	return r;
}
