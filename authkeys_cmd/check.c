/* authkeys-command --check: the self-test an admin runs after install. */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ak_config.h"
#include "ak_doc.h"
#include "ak_err.h"
#include "ak_file.h"
#include "ak_pamstack.h"
#include "ak_resolve.h"
#include "ak_url.h"
#include "check.h"
#include "cmd.h"

static int failures;

void
check_report(enum check_verdict v, const char *fmt, ...)
{
	va_list ap;

	printf("%s ", v == CHECK_OK ? "ok  " : v == CHECK_FAIL ? "FAIL" :
	    "warn");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (v == CHECK_FAIL)
		failures++;
}

/* sshd's rule for AuthorizedKeysCommand: every component root-owned. */
void
check_path(const char *what, const char *path)
{
	char buf[PATH_MAX], *p;
	struct stat st;

	if (realpath(path, buf) == NULL) {
		check_report(CHECK_FAIL, "%s %s: not found", what, path);
		return;
	}
	for (p = buf + strlen(buf); p > buf; ) {
		if (stat(buf, &st) == -1 || st.st_uid != 0 ||
		    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
			check_report(CHECK_FAIL,
			    "%s: %s must be owned by root and not "
			    "group/world writable (sshd refuses it)", what,
			    buf);
			return;
		}
		if ((p = strrchr(buf, '/')) == NULL)
			break;
		*p = '\0';
	}
	check_report(CHECK_OK,
	    "%s %s: ownership and modes as sshd requires", what,
	    path);
}

/*
 * The cache must be the AuthorizedKeysCommandUser's. Run as that user,
 * --check tests it directly; run as root, the sshd part of the report
 * compares it with the user sshd is configured to run the command as.
 */
static void
check_cache(const struct ak_config *cfg)
{
	struct stat st;
	int r;

	/*
	 * The same rule the cache applies when it reads. Run as root, the
	 * owner is judged below, against sshd's command user.
	 */
	if (stat(cfg->cache_dir, &st) == -1)
		r = errno == ENOENT ? AK_ERR_NOT_FOUND : AK_ERR_IO;
	else if (!S_ISDIR(st.st_mode) || !ak_file_trusted(&st,
	    geteuid() == 0 ? st.st_uid : geteuid()))
		r = AK_ERR_PERM;
	else
		r = 0;
	if (r != 0) {
		check_report(CHECK_FAIL, "cache_dir %s: %s", cfg->cache_dir,
		    r == AK_ERR_NOT_FOUND ? "missing" : r == AK_ERR_PERM ?
		    "not a directory of root or this user, or group/world "
		    "writable; entries would be ignored" : ak_err(r));
		return;
	}
	if (geteuid() != 0 && (st.st_uid != geteuid() ||
	    access(cfg->cache_dir, W_OK) != 0)) {
		check_report(CHECK_FAIL,
		    "cache_dir %s: not owned and writable by this "
		    "user (uid %u)", cfg->cache_dir, (unsigned)geteuid());
		return;
	}
	check_report(CHECK_OK, "cache_dir %s: owner uid %u, mode %03o",
	    cfg->cache_dir, (unsigned)st.st_uid,
	    (unsigned)(st.st_mode & 0777));
	if ((st.st_mode & 077) != 0)
		check_report(CHECK_WARN,
		    "cache_dir %s: mode %03o; 0700 keeps other "
		    "users from even looking", cfg->cache_dir,
		    (unsigned)(st.st_mode & 0777));
}

/*
 * The module must read SSH_AUTH_INFO_0 before any pam_env that loads the
 * user's ~/.pam_environment (Debian's sshd stack has one in session), or the
 * user's file could choose the key it checks. The module also refuses such
 * a file at login; this names the stack to fix.
 */
static void
check_pam(const char *service)
{
	static const char *types[] = { "auth", "account", "session" };
	struct ak_pamstack ps;
	size_t i;
	int r, in_session = 0;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if ((r = ak_pamstack_scan(service, types[i], &ps)) != 0) {
			check_report(CHECK_FAIL, "PAM service %s: %s", service,
			    ak_err(r));
			return;
		}
		if (!ps.module_found)
			continue;
		if (i == 2)
			in_session = 1;
		if (ps.env_before)
			check_report(CHECK_FAIL, "PAM %s stack: pam_env with "
			    "user_readenv=1 (%s) runs before pam_authkeys "
			    "(%s): a user's ~/.pam_environment could rewrite "
			    "SSH_AUTH_INFO_0; "
			    "put pam_authkeys first", types[i], ps.env_at,
			    ps.module_at);
		else
			check_report(CHECK_OK,
			    "PAM %s stack: pam_authkeys (%s) runs "
			    "before any user_readenv pam_env", types[i],
			    ps.module_at);
	}
	if (!in_session)
		check_report(CHECK_FAIL,
		    "PAM service %s: pam_authkeys.so is not in the "
		    "session stack: keys removed or revoked centrally are not "
		    "re-checked and sessions not recorded (see "
		    "pam_authkeys(8))", service);
}

static void
check_url(struct ak_resolver *rv, const char *account, const char *url)
{
	struct ak_doc *doc = NULL;
	char expanded[2048];
	int r;

	if ((r = ak_url_expand(url, account, expanded, sizeof(expanded))) ==
	    0)
		r = ak_resolve_probe(rv, account, expanded, &doc);
	if (r != 0)
		check_report(CHECK_FAIL, "%s: %s", expanded, ak_err(r));
	else if (doc == NULL)
		check_report(account == NULL ? CHECK_FAIL : CHECK_OK,
		    "%s: 404 (%s)", expanded,
		    account == NULL ? "no revocation list" : "no keys");
	else
		check_report(CHECK_OK, "%s: verified, serial %llu, %zu line(s)",
		    expanded, doc->serial, doc->nlines);
	ak_doc_free(doc);
}

int
check_run(const struct ak_config *cfg, const struct cmd_args *a)
{
	const char *config_path = a->config;
	struct ak_resolver rv;
	char self[PATH_MAX], helper[PATH_MAX];
	ssize_t n;
	size_t i;
	int r;

	failures = 0;
	check_report(CHECK_OK,
	    "config %s: parsed, owned by root, not writable by "
	    "others", config_path);
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) > 0) {
		self[n] = '\0';
		check_path("helper", self);
		snprintf(helper, sizeof(helper),
		    "%s/../../sbin/authkeys-command", dirname(self));
		check_path("command", helper);
	}
	check_cache(cfg);
	check_pam(a->pam_service);
	check_sshd(cfg, a->sshd_config);
	if ((r = ak_resolver_init(&rv, cfg, AK_ASK_FORCE)) != 0) {
		check_report(CHECK_FAIL,
		    "trusted_signers %s: %s", cfg->trusted_signers,
		    ak_err(r));
	} else {
		if (rv.signers != NULL)
			check_report(CHECK_OK, "trusted_signers %s: loaded",
			    cfg->trusted_signers);
		for (i = 0; i < cfg->nurls; i++)
			check_url(&rv, cfg->accounts[0], cfg->urls[i]);
		if (cfg->revocation_url != NULL)
			check_url(&rv, NULL, cfg->revocation_url);
		ak_resolver_clear(&rv);
	}
	printf("%s\n", failures == 0 ? "all checks passed" :
	    "some checks FAILED");
	return failures == 0 ? 0 : 1;
}
