/* authkeys-command --check: the self-test an admin runs after install. */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ak_accounts.h"
#include "ak_config.h"
#include "ak_doc.h"
#include "ak_err.h"
#include "ak_file.h"
#include "ak_key.h"
#include "ak_keyset.h"
#include "ak_krl.h"
#include "ak_pamstack.h"
#include "ak_resolve.h"
#include "ak_snap.h"
#include "ak_time.h"
#include "ak_url.h"
#include "check.h"
#include "check_sshd.h"
#include "cmd.h"
#include "report.h"

#define SSH_KEYGEN	"/usr/bin/ssh-keygen"

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
		if ((r = ak_pamstack_scan(service, types[i], NULL,
		    &ps)) != 0) {
			if (r == AK_ERR_NOT_FOUND)
				check_report(CHECK_FAIL, "PAM service %s: %s "
				    "not found (an include is looked up in "
				    AK_PAM_CONFDIR " and " AK_PAM_VENDORDIR
				    ", as libpam does; it fails the whole "
				    "stack without it)", service, ps.missing);
			else
				check_report(CHECK_FAIL, "PAM service %s: %s",
				    service, ak_err(r));
			return;
		}
		if (i == 2 && !ps.loginuid && !ps.logind)
			check_report(CHECK_FAIL, "PAM service %s: neither "
			    "pam_loginuid nor pam_systemd in the session "
			    "stack: a login gets no audit session or scope "
			    "of its own, so authkeys-sweep can end only its "
			    "process tree while connected (nohup, setsid and "
			    "what is left after logout survive a revocation)",
			    service);
		else if (i == 2 && !ps.loginuid &&
		    access("/run/systemd/system", F_OK) != 0)
			check_report(CHECK_FAIL, "PAM service %s: only "
			    "pam_systemd gives a login something to end it by, "
			    "and systemd is not running here (no "
			    "/run/systemd/system): add pam_loginuid", service);
		else if (i == 2)
			check_report(CHECK_OK, "PAM service %s: %s gives each "
			    "login what authkeys-sweep ends it by", service,
			    ps.loginuid ? "pam_loginuid" : "pam_systemd");
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

/*
 * Probes one store URL and verifies what it serves. For the list, *serialp
 * gets its serial (0: none verified).
 */
static void
check_url(const struct ak_config *cfg, struct ak_resolver *rv,
    const char *account, const char *url, unsigned long long *serialp)
{
	struct ak_doc *doc = NULL;
	struct ak_revset *rs = NULL;
	struct ak_keyset *ks = NULL;
	struct ak_fault fault;
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
	else if (account == NULL) {
		if (ak_revset_from_doc(doc, &rs, &fault) != 0)
			check_report(CHECK_FAIL, "%s: serial %llu, line %lu: "
			    "%s: the list is refused whole, no key of any "
			    "account is admitted", expanded, doc->serial,
			    fault.lineno, ak_err(fault.err));
		else {
			check_report(CHECK_OK, "%s: verified, serial %llu, "
			    "%zu entr%s", expanded, doc->serial, rs->n,
			    rs->n == 1 ? "y" : "ies");
			*serialp = doc->serial;
		}
	} else if (ak_keyset_from_doc(cfg, account, doc, NULL, &ks) == 0) {
		if (ks->all == AK_DENY_BAD_DOC)
			check_report(CHECK_FAIL, "%s: serial %llu, line %lu: "
			    "%s: no key of it is admitted", expanded,
			    doc->serial, ks->fault.lineno,
			    ak_err(ks->fault.err));
		else
			check_report(CHECK_OK, "%s: verified, serial %llu, "
			    "%zu key line(s)", expanded, doc->serial, ks->n);
	}
	ak_keyset_free(ks);
	ak_revset_free(rs);
	ak_doc_free(doc);
}

/*
 * Which accounts the accounts line manages on this host (NSS users the
 * patterns and groups admit), and each item that admits nobody here.
 */
static void
check_accounts(const struct ak_config *cfg, char *const *accts, size_t nacc)
{
	char **all = NULL, list[1024];
	const char *bad;
	size_t nall = 0, i, c, len = 0;

	list[0] = '\0';
	for (i = 0; i < nacc && len < sizeof(list) - 40; i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
		    i > 0 ? ", " : "", accts[i]);
	if (i < nacc)
		snprintf(list + len, sizeof(list) - len, ", and %zu more",
		    nacc - i);
	if (nacc == 0)
		check_report(CHECK_WARN, "accounts: no account on this host "
		    "is managed (no user matches the list)");
	else
		check_report(CHECK_OK, "accounts: %zu managed on this host: %s",
		    nacc, list);
	if (ak_accounts_groups_readable(cfg->accounts, cfg->naccounts,
	    &bad) != 0)
		check_report(CHECK_FAIL, "accounts: %s cannot be read through "
		    "NSS: logins of its members, and of any account whose "
		    "answer turns on it, are refused (the store's keys and "
		    "chain_command's alike)", bad);
	if (!ak_accounts_dynamic(cfg->accounts, cfg->naccounts) ||
	    ak_accounts_candidates(cfg->accounts, cfg->naccounts, &all,
	    &nall) != 0)
		return;
	for (i = 0; i < cfg->naccounts; i++) {
		const char *it = cfg->accounts[i];

		if (strpbrk(it, "*?%!") == NULL)
			continue;
		if ((c = ak_accounts_item_count(it, all, nall)) == 0)
			check_report(CHECK_WARN, "accounts: %s matches no "
			    "account on this host%s", it, it[it[0] == '!'] ==
			    '%' ? " (no such group, or no members)" : "");
	}
	ak_accounts_free(all, nall);
}

/* Whether file (an allow or deny list, one name a line) names name. */
static int
lists(const char *file, const char *name, int *exists)
{
	char *buf = NULL, *line, *save = NULL;
	size_t len;
	int found = 0;

	*exists = 0;
	if (ak_file_read(file, 1024 * 1024, 0, 0, &buf, &len) != 0)
		return 0;
	*exists = 1;
	for (line = strtok_r(buf, "\n", &save); line != NULL && !found;
	    line = strtok_r(NULL, "\n", &save))
		found = strcmp(line, name) == 0;
	free(buf);
	return found;
}

/*
 * Whether name may use a job scheduler: its allow file names it, or there
 * is none and its deny file does not (with neither, bare_ok says).
 */
static int
may_schedule(const char *allow, const char *deny, const char *name,
    int bare_ok)
{
	int exists, listed;

	listed = lists(allow, name, &exists);
	if (exists)
		return listed;
	listed = lists(deny, name, &exists);
	return exists ? !listed : bare_ok;
}

/*
 * Doors out of a session: a cron or at job, or a lingering user manager,
 * runs outside any SSH session, so a revoked key's work goes on there
 * unless end_account_processes is set (docs/onboarding.md).
 */
static void
check_doors(const struct ak_config *cfg, char *const *accts, size_t nacc)
{
	char path[PATH_MAX];
	const char *how = cfg->end_account_processes ? "ended with the "
	    "account's other processes (end_account_processes = yes)" :
	    "not ended by a revocation (end_account_processes = no)";
	size_t i;

	for (i = 0; i < nacc; i++) {
		if (access("/usr/bin/crontab", X_OK) == 0 && may_schedule(
		    "/etc/cron.allow", "/etc/cron.deny", accts[i], 1))
			check_report(CHECK_WARN, "account %s may use cron "
			    "(add it to /etc/cron.deny): its jobs are %s",
			    accts[i], how);
		if (access("/usr/bin/at", X_OK) == 0 && may_schedule(
		    "/etc/at.allow", "/etc/at.deny", accts[i], 0))
			check_report(CHECK_WARN, "account %s may use at (add "
			    "it to /etc/at.deny): its jobs are %s", accts[i],
			    how);
		snprintf(path, sizeof(path), "/var/lib/systemd/linger/%s",
		    accts[i]);
		if (access(path, F_OK) == 0)
			check_report(CHECK_WARN, "account %s has linger on "
			    "(loginctl disable-linger %s): its user manager "
			    "and services are %s", accts[i], accts[i], how);
	}
}

/* Each timestamp_url: the timestamp and its snapshot, as a host takes them. */
static void
check_view(const struct ak_config *cfg, struct ak_resolver *rv,
    char *const *accts, size_t nacc)
{
	struct ak_doc *ts, *sn;
	struct ak_snap *snap = NULL;
	char why[512];
	time_t now = time(NULL);
	size_t i, j, missing;

	for (i = 0; i < cfg->ntimestamp_urls; i++) {
		if (ak_resolve_probe_view(rv, i, &ts, &sn, why,
		    sizeof(why)) != 0) {
			check_report(CHECK_FAIL, "timestamp_url %s", why);
			continue;
		}
		if (ak_snap_frozen(cfg, ts->serial, now))
			check_report(CHECK_FAIL, "%s: serial %llu, signed "
			    "%llds ago: older than freeze_after (%lds): hosts "
			    "count this view as frozen (is the timestamp cron "
			    "job running? does a CDN keep it too long?)",
			    cfg->timestamp_urls[i], ts->serial,
			    (long long)now - (long long)ts->serial,
			    cfg->freeze_after);
		else
			check_report(CHECK_OK, "%s: verified, serial %llu, "
			    "signed %llds ago; snapshot %llu verified against "
			    "it", cfg->timestamp_urls[i], ts->serial,
			    (long long)now - (long long)ts->serial,
			    sn->serial);
		if (ak_snap_parse(sn, &snap, NULL) == 0) {
			for (j = missing = 0; j < nacc; j++)
				missing += ak_snap_find(snap, accts[j]) ==
				    NULL;
			if (missing > 0)
				check_report(CHECK_WARN, "snapshot %llu names "
				    "%zu of the %zu managed account(s): the "
				    "others have no keys", sn->serial,
				    nacc - missing, nacc);
			if (cfg->revocation_url != NULL &&
			    ak_snap_find(snap, NULL) == NULL)
				check_report(CHECK_FAIL, "snapshot %llu names "
				    "no revocation list, but revocation_url "
				    "is set: no key is admitted", sn->serial);
			ak_snap_free(snap);
			snap = NULL;
		}
		ak_doc_free(ts);
		ak_doc_free(sn);
	}
}

/*
 * The root of trust this host holds: its serial and expiry, and for each
 * role its threshold and keys (what an operator compares with the
 * team's list of signers).
 */
static void
check_root(const struct ak_config *cfg, const struct ak_root *boot,
    const struct ak_root *root, time_t now)
{
	char exp[21], fpr[AK_FPR_LEN + 1], from[64] = "";
	const struct ak_signers *s;
	size_t i;
	int role;

	if (root->serial != boot->serial)
		(void)snprintf(from, sizeof(from), " (bootstrap serial %llu, "
		    "rotated through the store)", boot->serial);
	ak_time_format(root->expires, exp);
	check_report(root->expires > now ? CHECK_OK : CHECK_FAIL,
	    "trusted_root %s: root serial %llu%s, expires %s%s",
	    cfg->trusted_root, root->serial, from, exp, root->expires > now ?
	    "" : " (EXPIRED: renew it; only on_freeze = stale still uses it)");
	for (role = 0; role < AK_ROLE_MAX; role++) {
		s = root->role[role];
		check_report(CHECK_OK, "  role %s: %u of %zu key(s) must sign",
		    ak_role_name((enum ak_role)role), s->threshold, s->n);
		for (i = 0; i < s->n; i++) {
			ak_key_fingerprint(s->s[i].blob, s->s[i].bloblen, fpr);
			check_report(CHECK_OK, "    %s", fpr);
		}
	}
}

/*
 * sshd refuses every public key while its RevokedKeys file is missing or
 * unreadable, and obeys whatever is there: it must be a KRL root wrote,
 * that OpenSSH reads, of the list in force (list_serial, 0 if unknown).
 */
static void
check_krl(const struct ak_config *cfg, unsigned long long list_serial)
{
	const char *path = cfg->revoked_keys_file;
	unsigned long long version;
	char why[256], *argv[6], *out;
	int status;

	if (path == NULL)
		return;
	switch (ak_krl_inspect(path, &version, why, sizeof(why))) {
	case AK_KRL_OURS:
		break;
	case AK_KRL_MISSING:
		check_report(CHECK_FAIL, "revoked_keys_file %s: missing: sshd "
		    "refuses every public key while it is (authkeys-sweep "
		    "makes it: systemctl start authkeys-sweep)", path);
		return;
	default:
		check_report(CHECK_FAIL, "revoked_keys_file %s: %s: root "
		    "replaces it at the next sweep; sshd obeys it until then",
		    path, why);
		return;
	}
	argv[0] = (char *)SSH_KEYGEN;
	argv[1] = (char *)"-Q";
	argv[2] = (char *)"-l";
	argv[3] = (char *)"-f";
	argv[4] = (char *)path;
	argv[5] = NULL;
	if ((out = check_capture(argv, 64 * 1024, 10000, &status, why,
	    sizeof(why))) == NULL || status != 0) {
		check_report(CHECK_FAIL, "revoked_keys_file %s: ssh-keygen -Q "
		    "cannot read it (%s): sshd refuses every public key",
		    path, out == NULL ? why : "exit status not 0");
		free(out);
		return;
	}
	free(out);
	if (list_serial != 0 && version != list_serial)
		check_report(CHECK_FAIL, "revoked_keys_file %s: KRL version "
		    "%llu, the store's list is serial %llu (authkeys-sweep "
		    "writes it when a new list is verified)", path, version,
		    list_serial);
	else
		check_report(CHECK_OK, "revoked_keys_file %s: root's KRL, "
		    "version %llu, read by ssh-keygen -Q", path, version);
}

int
check_run(const struct ak_config *cfg, const struct cmd_args *a)
{
	const char *config_path = a->config;
	struct ak_resolver rv;
	unsigned long long list_serial = 0;
	struct cmd_paths p;
	char **accts = NULL;
	size_t i, nacc = 0;
	int r;

	check_reset();
	check_report(CHECK_OK,
	    "config %s: parsed, owned by root, not writable by "
	    "others", config_path);
	if (cmd_paths(&p) == 0) {
		check_path("helper", p.self);
		check_path("command", p.command);
	}
	check_cache(cfg);
	check_pam(a->pam_service);
	if (ak_config_accounts(cfg, &accts, &nacc) != 0)
		check_report(CHECK_FAIL, "accounts: cannot list them");
	check_accounts(cfg, accts, nacc);
	check_doors(cfg, accts, nacc);
	check_sshd(cfg, a->sshd_config, accts, nacc);
	check_sshd_unit("authkeys-command");
	if ((r = ak_resolver_init(&rv, cfg, AK_ASK_FORCE)) != 0) {
		check_report(CHECK_FAIL, "%s %s: %s", cfg->trusted_root !=
		    NULL ? "trusted_root" : "trusted_signers",
		    ak_config_trust_file(cfg), ak_err(r));
	} else {
		if (rv.root != NULL)
			check_root(cfg, rv.boot, rv.root, rv.now);
		else if (rv.signers != NULL)
			check_report(CHECK_OK, "trusted_signers %s: loaded",
			    cfg->trusted_signers);
		for (i = 0; i < cfg->nurls && nacc > 0; i++)
			check_url(cfg, &rv, accts[0], cfg->urls[i],
			    &list_serial);
		if (cfg->revocation_url != NULL)
			check_url(cfg, &rv, NULL, cfg->revocation_url,
			    &list_serial);
		check_view(cfg, &rv, accts, nacc);
		ak_resolver_clear(&rv);
	}
	ak_accounts_free(accts, nacc);
	check_krl(cfg, list_serial);
	printf("%s\n", check_failures() == 0 ? "all checks passed" :
	    "some checks FAILED");
	return check_failures() == 0 ? 0 : 1;
}
