/*
 * --check, sshd's side: what sshd will actually do for each managed account,
 * read from its effective configuration (sshd -T -C user=...), not guessed.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ak_config.h"
#include "ak_valid.h"
#include "check_sshd.h"
#include "cmd.h"
#include "report.h"

#define SSHD_T_MAX	(256 * 1024)
#define SSHD_T_MS	10000
#define UNMANAGED_MAX	200	/* sshd -T runs, about 45 ms each */

/*
 * Runs sshd -T for account (NULL: no -C) and returns its output in a new
 * buffer, or NULL (the reason in why).
 */
static char *
sshd_t(const char *config, const char *account, char *why, size_t whylen)
{
	char spec[128], *argv[8], *buf;
	int status;

	snprintf(spec, sizeof(spec), "user=%s,host=localhost,addr=127.0.0.1",
	    account != NULL ? account : "root");
	argv[0] = (char *)AK_SSHD_PATH;
	argv[1] = (char *)"-T";
	argv[2] = (char *)"-f";
	argv[3] = (char *)config;
	argv[4] = (char *)"-C";
	argv[5] = spec;
	argv[6] = NULL;
	if ((buf = check_capture(argv, SSHD_T_MAX, SSHD_T_MS, &status, why,
	    whylen)) == NULL)
		return NULL;
	if (status != 0 || buf[0] == '\0') {
		snprintf(why, whylen, "sshd -T -f %s failed (run --check as "
		    "root; is the configuration valid? sshd -t)", config);
		free(buf);
		return NULL;
	}
	return buf;
}

/* The value of keyword in sshd -T output (lower case keys), or NULL. */
static const char *
value(const char *out, const char *key, char *val, size_t vlen)
{
	const char *p = out, *nl;
	size_t k = strlen(key), n;

	for (; *p != '\0'; p = *nl ? nl + 1 : nl) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		if ((size_t)(nl - p) > k && strncmp(p, key, k) == 0 &&
		    p[k] == ' ') {
			n = (size_t)(nl - p) - k - 1;
			if (n >= vlen)
				n = vlen - 1;
			memcpy(val, p + k + 1, n);
			val[n] = '\0';
			return val;
		}
	}
	return NULL;
}

static void
one_account(const struct ak_config *cfg, const char *config,
    const char *account, uid_t cache_uid)
{
	char why[256], cmd[1024], user[256], akf[1024], path[1024];
	struct passwd *pw;
	char *out;

	if ((out = sshd_t(config, account, why, sizeof(why))) == NULL) {
		check_report(CHECK_WARN, "sshd for %s: %s", account, why);
		return;
	}
	if (value(out, "authorizedkeyscommand", cmd, sizeof(cmd)) == NULL ||
	    strcmp(cmd, "none") == 0 || strstr(cmd, "authkeys-command") ==
	    NULL) {
		check_report(CHECK_WARN,
		    "sshd for %s: does not run authkeys-command "
		    "(AuthorizedKeysCommand %s); install the drop-in "
		    "(conf/sshd_config.d/authkeys.conf) and reload sshd",
		    account, value(out, "authorizedkeyscommand", cmd,
		    sizeof(cmd)) != NULL ? cmd : "none");
		free(out);
		return;
	}
	snprintf(path, sizeof(path), "%.*s", (int)strcspn(cmd, " "), cmd);
	check_path("sshd's AuthorizedKeysCommand", path);
	if (value(out, "authorizedkeysfile", akf, sizeof(akf)) != NULL &&
	    strcmp(akf, "none") != 0)
		check_report(CHECK_FAIL,
		    "sshd for %s: AuthorizedKeysFile %s: a key "
		    "there bypasses the store and its revocations; set "
		    "AuthorizedKeysFile none in its Match block", account, akf);
	else
		check_report(CHECK_OK, "sshd for %s: runs %s, no local "
		    "AuthorizedKeysFile", account, path);
	if (value(out, "authorizedkeyscommanduser", user, sizeof(user)) ==
	    NULL || (pw = getpwnam(user)) == NULL)
		check_report(CHECK_FAIL,
		    "sshd for %s: AuthorizedKeysCommandUser %s is "
		    "not a user", account, value(out,
		    "authorizedkeyscommanduser", user, sizeof(user)) ? user :
		    "(unset)");
	else if (pw->pw_uid != cache_uid)
		check_report(CHECK_FAIL,
		    "sshd for %s: AuthorizedKeysCommandUser %s "
		    "(uid %u) does not own cache_dir %s (uid %u): the command "
		    "could not keep its cache", account, user,
		    (unsigned)pw->pw_uid, cfg->cache_dir, (unsigned)cache_uid);
	else
		check_report(CHECK_OK,
		    "sshd for %s: AuthorizedKeysCommandUser %s "
		    "owns cache_dir", account, user);
	free(out);
}

/*
 * NSS users accounts does not manage that sshd still hands to
 * authkeys-command with AuthorizedKeysFile none (sshd's Match wider than
 * accounts, a forgotten !negation): their keys come from chain_command
 * alone, or they have none. Asks sshd -T for each, at most UNMANAGED_MAX.
 */
static void
unmanaged(const struct ak_config *cfg, const char *config)
{
	char why[256], cmd[1024], akf[1024], list[1024], **names = NULL, **tmp;
	struct passwd *pw;
	size_t n = 0, i, asked = 0, found = 0, len = 0;
	char *out;

	setpwent();
	while ((pw = getpwent()) != NULL) {
		if (ak_config_manages(cfg, pw->pw_name) != 0 ||
		    !ak_account_valid(pw->pw_name))
			continue;
		if ((tmp = reallocarray(names, n + 1, sizeof(*names))) ==
		    NULL)
			break;
		names = tmp;
		if ((names[n] = strdup(pw->pw_name)) == NULL)
			break;
		n++;
	}
	endpwent();
	list[0] = '\0';
	for (i = 0; i < n && asked < UNMANAGED_MAX; i++, asked++) {
		if ((out = sshd_t(config, names[i], why, sizeof(why))) == NULL)
			break;
		if (value(out, "authorizedkeyscommand", cmd, sizeof(cmd)) !=
		    NULL && strstr(cmd, "authkeys-command") != NULL &&
		    value(out, "authorizedkeysfile", akf, sizeof(akf)) !=
		    NULL && strcmp(akf, "none") == 0) {
			if (len < sizeof(list) - 40)
				len += (size_t)snprintf(list + len,
				    sizeof(list) - len, "%s%s", found > 0 ?
				    ", " : "", names[i]);
			found++;
		}
		free(out);
	}
	if (found > 0)
		check_report(CHECK_WARN, "sshd hands %zu account(s) that "
		    "accounts does not manage to authkeys-command with "
		    "AuthorizedKeysFile none: %s. %s; is sshd's Match wider "
		    "than accounts (a forgotten !negation)?", found, list,
		    cfg->chain_command != NULL ? "Their keys come from "
		    "chain_command alone, not the store" : "They get no key "
		    "at all");
	else if (asked > 0)
		check_report(CHECK_OK, "sshd: none of the %zu unmanaged "
		    "account(s) asked is handed to authkeys-command with "
		    "AuthorizedKeysFile none", asked);
	if (asked < n)
		check_report(CHECK_WARN, "sshd: %zu unmanaged account(s) not "
		    "asked (at most %d are)", n - asked, UNMANAGED_MAX);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

void
check_sshd(const struct ak_config *cfg, const char *config, char *const *accts,
    size_t nacc)
{
	char why[256], v[1024];
	struct stat st;
	char *out;
	uid_t cache_uid = stat(cfg->cache_dir, &st) == 0 ? st.st_uid :
	    (uid_t)-1;
	size_t i;

	if ((out = sshd_t(config, NULL, why, sizeof(why))) == NULL) {
		check_report(CHECK_WARN, "sshd configuration: %s", why);
		return;
	}
	if (value(out, "usepam", v, sizeof(v)) != NULL &&
	    strcasecmp(v, "yes") != 0)
		check_report(CHECK_FAIL,
		    "sshd: UsePAM %s: pam_authkeys never runs (no "
		    "re-check of the key used, no session records)", v);
	if (value(out, "revokedkeys", v, sizeof(v)) != NULL &&
	    strcmp(v, "none") != 0) {
		if (stat(v, &st) == -1)
			check_report(CHECK_FAIL,
			    "sshd: RevokedKeys %s is missing: sshd "
			    "refuses every public key while it is", v);
		else
			check_report(CHECK_OK,
			    "sshd: RevokedKeys %s present", v);
		if (cfg->revoked_keys_file != NULL &&
		    strcmp(cfg->revoked_keys_file, v) != 0)
			check_report(CHECK_WARN, "sshd: RevokedKeys %s is not "
			    "revoked_keys_file %s", v, cfg->revoked_keys_file);
	} else if (cfg->revoked_keys_file != NULL)
		check_report(CHECK_WARN,
		    "sshd: no RevokedKeys: the KRL %s is not "
		    "used (the drop-in sets it)", cfg->revoked_keys_file);
	free(out);
	for (i = 0; i < nacc; i++)
		one_account(cfg, config, accts[i], cache_uid);
	unmanaged(cfg, config);
}
