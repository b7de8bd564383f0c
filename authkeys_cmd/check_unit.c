/*
 * --check, what "sshd -T" does not show: -o options that sshd's systemd
 * unit passes (ExecStart=, or SSHD_OPTS from Environment= or the
 * EnvironmentFile= Debian's unit reads, /etc/default/ssh). They override
 * sshd_config, Match blocks included, so another package can set a second
 * AuthorizedKeysCommand there, or a local AuthorizedKeysFile, unseen.
 */
#include <ctype.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ak_file.h"
#include "check_sshd.h"
#include "report.h"

#define UNIT_MAX	65536

static const char *const unit_dirs[] = { "/etc/systemd/system",
    "/run/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system" };
#define NDIRS	(sizeof(unit_dirs) / sizeof(unit_dirs[0]))

/* Options that decide whose keys sshd takes: overriding them is a failure. */
static const char *const key_options[] = { "authorizedkeyscommand",
    "authorizedkeyscommanduser", "authorizedkeysfile", "revokedkeys",
    "usepam", "pubkeyauthentication", "authorizedprincipalscommand",
    "authorizedprincipalsfile", "trustedusercakeys" };

static int
is_key_option(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(key_options) / sizeof(key_options[0]); i++)
		if (strlen(key_options[i]) == len &&
		    strncasecmp(key_options[i], name, len) == 0)
			return 1;
	return 0;
}

/* Reports each -o option in text (a command line or SSHD_OPTS's value). */
static void
options_in(const char *text, const char *where, const char *cmd, int *seen)
{
	char buf[4096], *p, *tok, *save = NULL, *opt;
	size_t n;

	snprintf(buf, sizeof(buf), "%s", text);
	for (p = buf; *p != '\0'; p++)
		if (*p == '"' || *p == '\'')
			*p = ' ';
	for (tok = strtok_r(buf, " \t", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t", &save)) {
		if (strcmp(tok, "-f") == 0 && (opt = strtok_r(NULL, " \t",
		    &save)) != NULL) {
			check_report(CHECK_WARN, "sshd's unit (%s) runs sshd "
			    "with -f %s: --check reads /etc/ssh/sshd_config "
			    "unless given --sshd-config", where, opt);
			continue;
		}
		if (strncmp(tok, "-o", 2) != 0)
			continue;
		if ((opt = tok[2] != '\0' ? tok + 2 : strtok_r(NULL, " \t",
		    &save)) == NULL)
			break;
		n = strcspn(opt, "= ");
		(*seen)++;
		if (n > 0 && is_key_option(opt, n))
			check_report(CHECK_FAIL, "sshd's unit (%s) %s -o %s: "
			    "it overrides sshd_config, Match blocks included, "
			    "and sshd -T does not show it", where, n == 21 &&
			    strncasecmp(opt, "authorizedkeyscommand", n) == 0 &&
			    strstr(opt, cmd) == NULL ? "sets a second "
			    "AuthorizedKeysCommand with" : "passes", opt);
		else
			check_report(CHECK_WARN, "sshd's unit (%s) passes -o "
			    "%s (overrides sshd_config)", where, opt);
	}
}

/* SSHD_OPTS=... in an environment file or an Environment= value. */
static void
sshd_opts_in(const char *text, const char *where, const char *cmd,
    int *seen)
{
	const char *p = text;

	while ((p = strstr(p, "SSHD_OPTS=")) != NULL) {
		char val[4096];
		size_t n;

		p += 10;
		if (*p == '"' || *p == '\'') {
			char q = *p++;

			n = strcspn(p, q == '"' ? "\"\n" : "'\n");
		} else
			n = strcspn(p, "\n");
		if (n >= sizeof(val))
			n = sizeof(val) - 1;
		memcpy(val, p, n);
		val[n] = '\0';
		options_in(val, where, cmd, seen);
		p += n;
	}
}

/*
 * One unit file or drop-in: its ExecStart=, Environment=, EnvironmentFile=.
 * Returns 1 if it was there to read.
 */
static int
unit_file(const char *path, const char *cmd, int *seen, int *found)
{
	char *buf = NULL, *line, *save = NULL, where[600], *env = NULL;
	unsigned long lineno = 0;
	size_t len, envlen;

	if (ak_file_read(path, UNIT_MAX, 0, 0, &buf, &len) != 0)
		return 0;
	(*found)++;
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		while (isspace((unsigned char)*line))
			line++;
		snprintf(where, sizeof(where), "%s:%lu", path, lineno);
		if (strncmp(line, "ExecStart=", 10) == 0 &&
		    strstr(line, "sshd") != NULL)
			options_in(line + 10, where, cmd, seen);
		else if (strncmp(line, "Environment=", 12) == 0)
			sshd_opts_in(line + 12, where, cmd, seen);
		else if (strncmp(line, "EnvironmentFile=", 16) == 0) {
			const char *f = line + 16 + (line[16] == '-');

			if (ak_file_read(f, UNIT_MAX, 0, 0, &env, &envlen) ==
			    0) {
				snprintf(where, sizeof(where), "%s, read by "
				    "%s:%lu", f, path, lineno);
				sshd_opts_in(env, where, cmd, seen);
				free(env);
				env = NULL;
			}
		}
	}
	free(buf);
	return 1;
}

void
check_sshd_unit(const char *cmd)
{
	static const char *const names[] = { "ssh.service", "sshd.service" };
	char path[512];
	glob_t g;
	size_t i, d, k;
	int seen = 0, found = 0;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		/* The unit itself: the first directory that has it. */
		for (d = 0; d < NDIRS; d++) {
			snprintf(path, sizeof(path), "%s/%s", unit_dirs[d],
			    names[i]);
			if (unit_file(path, cmd, &seen, &found))
				break;
		}
		for (d = 0; d < NDIRS; d++) {
			snprintf(path, sizeof(path), "%s/%s.d/*.conf",
			    unit_dirs[d], names[i]);
			if (glob(path, 0, NULL, &g) != 0)
				continue;
			for (k = 0; k < g.gl_pathc; k++)
				unit_file(g.gl_pathv[k], cmd, &seen, &found);
			globfree(&g);
		}
	}
	if (found > 0 && seen == 0)
		check_report(CHECK_OK, "sshd's systemd unit passes no -o "
		    "options (%d file(s) read)", found);
}
