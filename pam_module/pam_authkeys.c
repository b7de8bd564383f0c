/*
 * pam_authkeys: re-checks, before the session starts, that every key sshd
 * accepted (SSH_AUTH_INFO_0) is listed in the account's current document and
 * not revoked ("current" by the design rule: the verified cache the
 * refresher keeps fresh, or the store with revalidate=always). Logs every
 * decision.
 *
 * Runs inside sshd: never exits, never openlog()s, never
 * curl_global_cleanup()s.
 */
#include <sys/stat.h>

#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#define PAM_SM_AUTH
#define PAM_SM_ACCOUNT
#define PAM_SM_SESSION
#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "ak_config.h"
#include "ak_err.h"
#include "ak_key.h"
#include "ak_log.h"
#include "ak_authinfo.h"
#include "ak_file.h"
#include "ak_resolve.h"
#include "ak_session.h"
#include "ak_userenv.h"
#include "ak_valid.h"

struct args {
	const char *config;
	int debug;
	int revalidate_always;
};

static void
parse_args(pam_handle_t *pamh, int argc, const char **argv, struct args *a)
{
	int i;

	a->config = AK_CONFIG_DEFAULT;
	a->debug = 0;
	a->revalidate_always = 0;
	for (i = 0; i < argc; i++) {
		if (strncmp(argv[i], "config=", 7) == 0 && argv[i][7] == '/')
			a->config = argv[i] + 7;
		else if (strcmp(argv[i], "debug") == 0)
			a->debug = 1;
		else if (strcmp(argv[i], "revalidate=always") == 0)
			a->revalidate_always = 1;
		else
			pam_syslog(pamh, LOG_ERR, "unknown argument: %s",
			    argv[i]);
	}
}

struct log_ctx {
	pam_handle_t *pamh;
	int debug;
};

static void
pam_log(void *ctx, int prio, const char *fmt, va_list ap)
{
	struct log_ctx *lc = ctx;

	/* Detail only with debug; failures always. */
	if (prio > LOG_NOTICE && !lc->debug)
		return;
	pam_vsyslog(lc->pamh, prio, fmt, ap);
}

/*
 * The account as NSS names it: with a case-insensitive source (sssd) PAM_USER
 * may be "DEPLOY" for the account "deploy". Copies the canonical name and
 * home into the buffers; returns 0, or -1 if there is no such account.
 */
static int
canonical_user(const char *user, char *name, size_t namelen, char *home,
    size_t homelen)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (getpwnam_r(user, &pw, buf, sizeof(buf), &res) != 0 || res == NULL)
		return -1;
	if (strlen(pw.pw_name) >= namelen || strlen(pw.pw_dir) >= homelen)
		return -1;
	memcpy(name, pw.pw_name, strlen(pw.pw_name) + 1);
	memcpy(home, pw.pw_dir, strlen(pw.pw_dir) + 1);
	return 0;
}

/*
 * Records the session sshd is opening (this process is its [priv] monitor,
 * which lives as long as the connection) for authkeys-sweep.
 */
static void
record_session(pam_handle_t *pamh, const struct ak_config *cfg,
    const char *user, const struct ak_authinfo *ai)
{
	struct ak_session s;
	size_t i;
	int r;

	memset(&s, 0, sizeof(s));
	s.pid = getpid();
	if (ai->nkeys == 0 || ak_session_proc_start(s.pid, &s.start) != 0)
		return;
	memcpy(s.account, user, strlen(user) + 1);
	for (i = 0; i < ai->nkeys && i < AK_SESSION_MAX_KEYS; i++)
		memcpy(s.fprs[s.nfprs++], ai->keys[i].fpr, AK_FPR_LEN + 1);
	if ((r = ak_file_private_dir(cfg->session_dir)) != 0 ||
	    (r = ak_session_record(cfg->session_dir, &s)) != 0)
		pam_syslog(pamh, LOG_ERR, "account %s: session not recorded in "
		    "%s (%s): authkeys-sweep cannot end it", user,
		    cfg->session_dir, ak_err(r));
}

static int
check(pam_handle_t *pamh, int argc, const char **argv, int deny,
    int session)
{
	struct args a;
	struct log_ctx lc;
	struct ak_config *cfg = NULL;
	struct ak_resolver rv;
	struct ak_result res;
	struct ak_authinfo ai;
	const char *user = NULL, *rhost = NULL, *info, *shown;
	char fprs[AK_AUTHINFO_MAX_KEYS * (AK_FPR_LEN + 1) + 32];
	char canon[256], home[4096];
	const char *why = NULL;
	int r, ret = deny, have_rv = 0, have_res = 0;

	parse_args(pamh, argc, argv, &a);
	lc.pamh = pamh;
	lc.debug = a.debug;
	ak_log_set(pam_log, &lc);
	memset(&ai, 0, sizeof(ai));
	if (pam_get_item(pamh, PAM_USER, (const void **)&user) !=
	    PAM_SUCCESS || user == NULL) {
		pam_syslog(pamh, LOG_ERR, "no user; denied");
		goto out;
	}
	(void)pam_get_item(pamh, PAM_RHOST, (const void **)&rhost);
	/* Nothing unchecked reaches a log line. */
	if (rhost == NULL || strlen(rhost) > 255 ||
	    ak_has_ctrl(rhost, strlen(rhost)) || strchr(rhost, ' ') != NULL)
		rhost = "-";
	shown = ak_account_valid(user) ? user : "(invalid name)";
	if ((r = ak_config_load(a.config, &cfg)) != 0) {
		pam_syslog(pamh, LOG_ERR, "account %s: configuration unusable "
		    "(%s); denied", shown, ak_err(r));
		goto out;
	}
	if (canonical_user(user, canon, sizeof(canon), home,
	    sizeof(home)) != 0) {
		if (ak_config_manages(cfg, user)) {
			pam_syslog(pamh, LOG_ERR, "account %s: not found in "
			    "the user database; denied", shown);
			goto out;
		}
		ret = PAM_IGNORE;
		goto out;
	}
	user = canon;
	shown = ak_account_valid(user) ? user : "(invalid name)";
	if (!ak_config_manages(cfg, user)) {
		if (a.debug)
			pam_syslog(pamh, LOG_DEBUG, "account %s: not managed",
			    shown);
		/* Still recorded if a key opened it: revocation is global. */
		if (session && ak_account_valid(user) &&
		    ak_authinfo_parse(pam_getenv(pamh, "SSH_AUTH_INFO_0"),
		    &ai) == 0)
			record_session(pamh, cfg, user, &ai);
		ret = PAM_IGNORE;
		goto out;
	}
	/* The key to check must be sshd's, not the user's own file's. */
	if (ak_userenv_check(home, &why) != 0)
		goto decide;
	info = pam_getenv(pamh, "SSH_AUTH_INFO_0");
	if ((r = ak_authinfo_parse(info, &ai)) != 0) {
		why = r == AK_ERR_NOT_FOUND ? "no publickey method in "
		    "SSH_AUTH_INFO_0 (password login, or not sshd)" :
		    r == AK_ERR_KEY_TYPE ? "certificate or unsupported key "
		    "type in SSH_AUTH_INFO_0 (not supported)" :
		    "malformed SSH_AUTH_INFO_0";
		goto decide;
	}
	/*
	 * By default the design rule: the verified cache (the refresher
	 * keeps it fresh), no network at login. revalidate=always asks the
	 * store at every login, on one connection for document and list.
	 */
	if ((r = ak_resolver_init(&rv, cfg, a.revalidate_always ?
	    AK_ASK_ALWAYS : AK_ASK_IF_STALE)) != 0) {
		why = "trusted_signers unusable";
		goto decide;
	}
	have_rv = 1;
	if ((r = ak_resolver_private(&rv, cfg->module_cache_dir)) != 0) {
		pam_syslog(pamh, LOG_ERR, "module_cache_dir %s: %s (must be "
		    "root's, mode 0700, in a root-owned directory)",
		    cfg->module_cache_dir, ak_err(r));
		why = "module_cache_dir unusable";
		goto decide;
	}
	if ((r = ak_resolve(&rv, user, &res)) != 0) {
		why = "store unavailable and no usable cached document";
		goto decide;
	}
	have_res = 1;
	why = ak_authinfo_check(cfg, &ai, res.doc, res.rl);
 decide:
	ak_authinfo_fprs(&ai, fprs, sizeof(fprs));
	if (why == NULL) {
		char env[sizeof(fprs) + 32];

		snprintf(env, sizeof(env), "AUTHKEYS_FINGERPRINT=%s", fprs);
		(void)pam_putenv(pamh, env);
		ret = PAM_SUCCESS;
		if (session)
			record_session(pamh, cfg, user, &ai);
	}
	pam_syslog(pamh, why == NULL ? LOG_INFO : LOG_NOTICE,
	    "account=%s rhost=%s fingerprint=%s serial=%llu source=%s "
	    "revocations=%s decision=%s%s%s", user, rhost,
	    fprs[0] ? fprs : "-",
	    have_res && res.doc != NULL ? res.doc->serial : 0ULL,
	    have_res ? res.source : "-",
	    have_res && res.rl_source != NULL ? res.rl_source : "-",
	    why == NULL ? "allow" : "deny",
	    why == NULL ? "" : " reason=", why == NULL ? "" : why);
 out:
	if (have_res)
		ak_result_clear(&res);
	if (have_rv)
		ak_resolver_clear(&rv);
	ak_config_free(cfg);
	ak_authinfo_clear(&ai);
	ak_log_set(NULL, NULL);
	return ret;
}

PAM_EXTERN int
pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)flags;
	return check(pamh, argc, argv, PAM_AUTH_ERR, 0);
}

PAM_EXTERN int
pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_SUCCESS;
}

PAM_EXTERN int
pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)flags;
	return check(pamh, argc, argv, PAM_PERM_DENIED, 0);
}

PAM_EXTERN int
pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)flags;
	return check(pamh, argc, argv, PAM_PERM_DENIED, 1);
}

/* The session is over: its record goes (sshd's monitor calls this). */
PAM_EXTERN int
pam_sm_close_session(pam_handle_t *pamh, int flags, int argc,
    const char **argv)
{
	struct args a;
	struct ak_config *cfg = NULL;
	struct log_ctx lc;

	(void)flags;
	parse_args(pamh, argc, argv, &a);
	lc.pamh = pamh;
	lc.debug = a.debug;
	ak_log_set(pam_log, &lc);
	if (ak_config_load(a.config, &cfg) == 0)
		ak_session_remove(cfg->session_dir, getpid());
	ak_config_free(cfg);
	ak_log_set(NULL, NULL);
	return PAM_SUCCESS;
}
