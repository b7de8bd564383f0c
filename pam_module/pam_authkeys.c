/*
 * pam_authkeys: re-checks, before the session starts, that every key sshd
 * accepted (SSH_AUTH_INFO_0) is admitted for the account by its current
 * document and the revocation list ("current" by the design rule: the
 * verified cache the refresher keeps, or the store with revalidate=always),
 * keeps sshd's KRL, records sessions for the sweep, and logs every
 * decision. One login is gather (who, which keys), decide (ak_keyset),
 * report (log, environment, session record) around one context.
 *
 * Runs inside sshd: never exits, never openlog()s, never
 * curl_global_cleanup()s.
 */
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define PAM_SM_AUTH
#define PAM_SM_ACCOUNT
#define PAM_SM_SESSION
#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "ak_authinfo.h"
#include "ak_cgroup.h"
#include "ak_config.h"
#include "ak_err.h"
#include "ak_file.h"
#include "ak_key.h"
#include "ak_keyset.h"
#include "ak_krl.h"
#include "ak_log.h"
#include "ak_proc.h"
#include "ak_resolve.h"
#include "ak_session.h"
#include "ak_userenv.h"
#include "ak_valid.h"

struct args {
	const char *config;
	int debug;
	int revalidate_always;
};

/* How a login ends; what the log line says comes with it. */
enum outcome {
	OUT_ALLOW,
	OUT_IGNORE,		/* not ours to decide: PAM_IGNORE */
	OUT_DENY,
};

/* Why a login is denied before any key is weighed. */
enum reason {
	WHY_NONE,
	WHY_NO_USER,
	WHY_CONFIG,
	WHY_NO_ACCOUNT,
	WHY_NSS,		/* managed or not: NSS cannot say */
	WHY_USERENV,		/* ak_userenv_check's words */
	WHY_NO_PUBLICKEY,
	WHY_CERT,
	WHY_KEY_TYPE,
	WHY_BAD_INFO,
	WHY_SIGNERS,
	WHY_MODULE_DIR,
	WHY_UNAVAILABLE,
	WHY_KEY,		/* the keyset's verdict on a key */
};

/* One login, from gathering to the report. */
struct ctx {
	pam_handle_t *pamh;
	struct args a;
	int session;		/* open_session: record what is admitted */
	int deny;		/* the PAM code of a denial here */
	struct ak_config *cfg;
	const char *user;	/* canonical once looked up */
	const char *shown;	/* user as logged: checked, or a placeholder */
	const char *rhost;
	char canon[256];
	char home[4096];
	uid_t uid;
	struct ak_authinfo ai;
	int info_r;		/* what reading SSH_AUTH_INFO_0 returned */
	int config_r;
	struct ak_resolver rv;
	int have_rv;
	struct ak_result res;
	int have_res;
	enum outcome out;
	enum reason why;
	const char *userenv_why;
	enum ak_verdict verdict;	/* WHY_KEY */
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

static void
pam_log(void *arg, int prio, const char *fmt, va_list ap)
{
	struct ctx *c = arg;

	/* Detail only with debug; failures always. */
	if (prio > LOG_NOTICE && !c->a.debug)
		return;
	pam_vsyslog(c->pamh, prio, fmt, ap);
}

static const char *
reason_str(const struct ctx *c)
{
	switch (c->why) {
	case WHY_NONE:
		return NULL;
	case WHY_NO_USER:
		return "no user";
	case WHY_CONFIG:
		return "configuration unusable";
	case WHY_NO_ACCOUNT:
		return "not found in the user database";
	case WHY_NSS:
		return "cannot tell whether it is managed (a group of "
		    "accounts cannot be read through NSS)";
	case WHY_USERENV:
		return c->userenv_why;
	case WHY_NO_PUBLICKEY:
		return "no publickey method in SSH_AUTH_INFO_0 (password "
		    "login, or not sshd)";
	case WHY_CERT:
		return "certificate login (the store lists keys, not CAs)";
	case WHY_KEY_TYPE:
		return "unsupported key type in SSH_AUTH_INFO_0";
	case WHY_BAD_INFO:
		return "malformed SSH_AUTH_INFO_0";
	case WHY_SIGNERS:
		return "trusted_signers or trusted_root unusable";
	case WHY_MODULE_DIR:
		return "module_cache_dir unusable";
	case WHY_UNAVAILABLE:
		return "store unavailable and no usable cached document";
	case WHY_KEY:
		return ak_verdict_str(c->verdict);
	}
	return "denied";
}

static void
deny(struct ctx *c, enum reason why)
{
	c->out = OUT_DENY;
	c->why = why;
}

/*
 * The account as NSS names it: with a case-insensitive source (sssd) PAM_USER
 * may be "DEPLOY" for the account "deploy". Returns 0, or -1 if there is no
 * such account (or its names do not fit).
 */
static int
canonical_user(struct ctx *c, const char *user)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (getpwnam_r(user, &pw, buf, sizeof(buf), &res) != 0 || res == NULL ||
	    strlen(pw.pw_name) >= sizeof(c->canon) ||
	    strlen(pw.pw_dir) >= sizeof(c->home))
		return -1;
	memcpy(c->canon, pw.pw_name, strlen(pw.pw_name) + 1);
	c->uid = pw.pw_uid;
	memcpy(c->home, pw.pw_dir, strlen(pw.pw_dir) + 1);
	return 0;
}

/*
 * Who logs in and with which keys. Sets c->out for a login that is not
 * ours (OUT_IGNORE) or denied before any key is weighed; leaves OUT_ALLOW
 * for decide.
 */
static void
gather(struct ctx *c)
{
	const char *user = NULL, *rhost = NULL;

	c->shown = "(invalid name)";
	c->rhost = "-";
	if (pam_get_item(c->pamh, PAM_USER, (const void **)&user) !=
	    PAM_SUCCESS || user == NULL) {
		deny(c, WHY_NO_USER);
		return;
	}
	(void)pam_get_item(c->pamh, PAM_RHOST, (const void **)&rhost);
	/* Nothing unchecked reaches a log line. */
	if (rhost != NULL && strlen(rhost) <= 255 &&
	    !ak_has_ctrl(rhost, strlen(rhost)) && strchr(rhost, ' ') == NULL)
		c->rhost = rhost;
	if (ak_account_valid(user))
		c->shown = user;
	if ((c->config_r = ak_config_load(c->a.config, &c->cfg)) != 0) {
		deny(c, WHY_CONFIG);
		return;
	}
	if (canonical_user(c, user) != 0) {
		/* Managed, or NSS cannot say: denied either way. */
		if (ak_config_manages(c->cfg, user) != 0)
			deny(c, WHY_NO_ACCOUNT);
		else
			c->out = OUT_IGNORE;
		return;
	}
	c->user = c->canon;
	c->shown = ak_account_valid(c->user) ? c->user : "(invalid name)";
	c->info_r = ak_authinfo_parse(pam_getenv(c->pamh, "SSH_AUTH_INFO_0"),
	    &c->ai);
	switch (ak_config_manages(c->cfg, c->user)) {
	case 1:
		break;
	case 0:
		c->out = OUT_IGNORE;
		return;
	default:
		/* Not knowing is a denial, never "not managed". */
		deny(c, WHY_NSS);
		return;
	}
	/* The key to check must be sshd's, not the user's own file's. */
	if (ak_userenv_check(c->home, &c->userenv_why) != 0) {
		deny(c, WHY_USERENV);
		return;
	}
	if (c->info_r != 0)
		deny(c, c->info_r == AK_ERR_NOT_FOUND ? WHY_NO_PUBLICKEY :
		    c->info_r == AK_ERR_KEY_TYPE ? WHY_KEY_TYPE : WHY_BAD_INFO);
	else if (c->ai.ncerts > 0)
		deny(c, WHY_CERT);
}

/*
 * Whether every key is admitted, by the one model. By default the design
 * rule (the verified cache the refresher keeps, no network at login);
 * revalidate=always asks the store at every login, document and list on
 * one connection, believing only the module's own outage memory.
 */
static void
decide(struct ctx *c)
{
	size_t i;
	enum ak_verdict v;

	if (ak_file_private_dir(c->cfg->module_cache_dir) != 0) {
		pam_syslog(c->pamh, LOG_ERR, "module_cache_dir %s unusable "
		    "(must be root's, mode 0700, in a root-owned directory)",
		    c->cfg->module_cache_dir);
		deny(c, WHY_MODULE_DIR);
		return;
	}
	if (ak_resolver_init_private(&c->rv, c->cfg, c->a.revalidate_always ?
	    AK_ASK_ALWAYS : AK_ASK_IF_STALE, c->cfg->module_cache_dir) != 0) {
		deny(c, WHY_SIGNERS);
		return;
	}
	c->have_rv = 1;
	if (ak_resolve(&c->rv, c->user, &c->res) != 0) {
		deny(c, WHY_UNAVAILABLE);
		return;
	}
	c->have_res = 1;
	/* sshd's KRL follows every list root verifies (root writes it). */
	if (c->cfg->revoked_keys_file != NULL && geteuid() == 0)
		(void)ak_krl_update(c->cfg->revoked_keys_file, c->res.rs,
		    time(NULL));
	for (i = 0; i < c->ai.nkeys; i++) {
		if ((v = ak_keyset_admit(c->res.ks, c->ai.keys[i].hash)) !=
		    AK_ADMIT) {
			c->verdict = v;
			deny(c, WHY_KEY);
			return;
		}
	}
}

/*
 * Records the session sshd is opening (this process is its [priv] monitor,
 * which lives as long as the connection) for authkeys-sweep: the account
 * by uid, each key (and a certificate's CA), and the audit session sshd
 * ran in before this login, so that only an id pam_loginuid gave this
 * login is ever taken for it. Every record that cannot be written is
 * logged: a session the sweep cannot see is one it cannot end.
 */
static void
record_session(struct ctx *c)
{
	struct ak_session s;
	size_t i;
	int r;

	memset(&s, 0, sizeof(s));
	s.pid = getpid();
	s.uid = (uint32_t)c->uid;
	s.sid = AK_NO_SESSION;
	if (ak_session_name_ok(c->user))
		memcpy(s.account, c->user, strlen(c->user) + 1);
	if (strcmp(c->rhost, "-") != 0 && strlen(c->rhost) < sizeof(s.rhost))
		memcpy(s.rhost, c->rhost, strlen(c->rhost) + 1);
	for (i = 0; i < c->ai.nkeys && i < AK_SESSION_MAX_KEYS; i++) {
		memcpy(s.fprs[s.nfprs], c->ai.keys[i].fpr, AK_FPR_LEN + 1);
		memcpy(s.cas[s.nfprs++], c->ai.keys[i].ca_fpr, AK_FPR_LEN + 1);
	}
	if ((r = ak_session_proc_start(s.pid, &s.start)) == 0) {
		s.presid = ak_proc_sessionid(getppid());
		/* Where pam_loginuid ran before us, the id is known now. */
		s.sid = ak_session_own_sid(&s, s.pid);
		if ((r = ak_file_private_dir(c->cfg->session_dir)) == 0)
			r = ak_session_record(c->cfg->session_dir, &s);
	}
	if (r != 0)
		pam_syslog(c->pamh, LOG_ERR, "uid %lu (%s): session not "
		    "recorded in %s (%s): authkeys-sweep cannot end it",
		    (unsigned long)c->uid, c->shown, c->cfg->session_dir,
		    ak_err(r));
}

/* The log line, the session's environment and record; the PAM code. */
static int
report(struct ctx *c)
{
	char fprs[AK_AUTHINFO_MAX_KEYS * (AK_FPR_LEN + 1) + 32];
	char env[sizeof(fprs) + 32];
	const char *why = reason_str(c);

	switch (c->out) {
	case OUT_IGNORE:
		if (c->a.debug && c->user != NULL)
			pam_syslog(c->pamh, LOG_DEBUG, "account %s: not "
			    "managed", c->shown);
		/* Still recorded if a key opened it: revocation is global. */
		if (c->session && c->info_r == 0 && c->user != NULL)
			record_session(c);
		return PAM_IGNORE;
	case OUT_DENY:
		if (c->why == WHY_NO_USER || c->why == WHY_CONFIG ||
		    c->why == WHY_NO_ACCOUNT || c->why == WHY_NSS) {
			pam_syslog(c->pamh, LOG_ERR, "account %s: %s%s%s%s; "
			    "denied", c->shown, why, c->config_r != 0 ? " (" :
			    "", c->config_r != 0 ? ak_err(c->config_r) : "",
			    c->config_r != 0 ? ")" : "");
			return c->deny;
		}
		break;
	case OUT_ALLOW:
		break;
	}
	ak_authinfo_fprs(&c->ai, fprs, sizeof(fprs));
	if (c->out == OUT_ALLOW) {
		snprintf(env, sizeof(env), "AUTHKEYS_FINGERPRINT=%s", fprs);
		(void)pam_putenv(c->pamh, env);
		if (c->session)
			record_session(c);
	}
	pam_syslog(c->pamh, c->out == OUT_ALLOW ? LOG_INFO : LOG_NOTICE,
	    "account=%s rhost=%s fingerprint=%s serial=%llu source=%s "
	    "revocations=%s decision=%s%s%s", c->shown, c->rhost,
	    fprs[0] ? fprs : "-", c->have_res ? c->res.ks->serial : 0ULL,
	    c->have_res ? ak_source_str(c->res.source) : "-",
	    c->have_res ? ak_source_str(c->res.rl_source) : "-",
	    c->out == OUT_ALLOW ? "allow" : "deny",
	    c->out == OUT_ALLOW ? "" : " reason=",
	    c->out == OUT_ALLOW ? "" : why);
	return c->out == OUT_ALLOW ? PAM_SUCCESS : c->deny;
}

static int
check(pam_handle_t *pamh, int argc, const char **argv, int deny_code,
    int session)
{
	struct ctx c;
	int ret;

	memset(&c, 0, sizeof(c));
	c.pamh = pamh;
	c.deny = deny_code;
	c.session = session;
	c.out = OUT_ALLOW;
	parse_args(pamh, argc, argv, &c.a);
	ak_log_set(pam_log, &c);
	gather(&c);
	if (c.out == OUT_ALLOW)
		decide(&c);
	ret = report(&c);
	if (c.have_res)
		ak_result_clear(&c.res);
	if (c.have_rv)
		ak_resolver_clear(&c.rv);
	ak_config_free(c.cfg);
	ak_authinfo_clear(&c.ai);
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

/*
 * The connection is over (sshd's monitor calls this). What the login
 * started may live on (nohup, setsid, a tmux server): where pam_loginuid
 * gave it an audit session of its own, the record stays as a tombstone
 * naming it, for the sweep to end those processes if the key is revoked
 * and to drop once none is left. Without one, nothing can find them: the
 * record goes.
 */
static void
close_record(struct ctx *c)
{
	struct ak_session s;
	struct ak_cgroup cg;
	unsigned long long start;
	char name[32];
	uint32_t sid;

	if (ak_session_proc_start(getpid(), &start) != 0)
		return;
	snprintf(name, sizeof(name), "%ld-%llu", (long)getpid(), start);
	if (ak_session_read(c->cfg->session_dir, name, &s) != 0) {
		/* A record of version 1 has only the PID for a name. */
		snprintf(s.file, sizeof(s.file), "%ld", (long)getpid());
		ak_session_remove(c->cfg->session_dir, &s);
		return;
	}
	if ((sid = ak_session_own_sid(&s, getpid())) == AK_NO_SESSION) {
		ak_session_remove(c->cfg->session_dir, &s);
		return;
	}
	s.sid = sid;
	s.closed = time(NULL);
	if (s.scope[0] == '\0' && ak_cgroup_of(getpid(), &cg) == 0 &&
	    strlen(cg.dir) < sizeof(s.scope))
		memcpy(s.scope, cg.dir, strlen(cg.dir) + 1);
	if (ak_session_record(c->cfg->session_dir, &s) != 0) {
		pam_syslog(c->pamh, LOG_ERR, "%s/%s: logout not recorded; "
		    "what this login left running is not tracked",
		    c->cfg->session_dir, s.file);
		ak_session_remove(c->cfg->session_dir, &s);
	}
}

PAM_EXTERN int
pam_sm_close_session(pam_handle_t *pamh, int flags, int argc,
    const char **argv)
{
	struct ctx c;

	(void)flags;
	memset(&c, 0, sizeof(c));
	c.pamh = pamh;
	parse_args(pamh, argc, argv, &c.a);
	ak_log_set(pam_log, &c);
	if (ak_config_load(c.a.config, &c.cfg) == 0)
		close_record(&c);
	ak_config_free(c.cfg);
	ak_log_set(NULL, NULL);
	return PAM_SUCCESS;
}
