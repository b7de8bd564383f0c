/*
 * The command's shared part: arguments, the config, and printing what the
 * keyset admits (ak_keyset_emit) with the decision's log line.
 */
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "ak_buf.h"
#include "ak_cache.h"
#include "ak_chain.h"
#include "ak_config.h"
#include "ak_err.h"
#include "ak_key.h"
#include "ak_log.h"
#include "ak_time.h"
#include "ak_keyset.h"
#include "ak_valid.h"
#include "cmd.h"

static void
usage(void)
{
	fprintf(stderr, "usage: authkeys-command [-e] [-f config] account "
	    "[fingerprint]\n"
	    "       authkeys-command [-f config] --check "
	    "[--sshd-config file] [--pam-service file]\n"
	    "       authkeys-command [-f config] --status[=prometheus]\n"
	    "       authkeys-command [-f config] --reset-view\n");
}

int
cmd_parse_args(int argc, char **argv, struct cmd_args *a)
{
	int i;

	memset(a, 0, sizeof(*a));
	a->config = AK_CONFIG_DEFAULT;
	a->pam_service = AK_PAM_SERVICE_DEFAULT;
	a->sshd_config = AK_SSHD_CONFIG_DEFAULT;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-f") == 0 && i + 1 < argc)
			a->config = argv[++i];
		else if (strcmp(argv[i], "--pam-service") == 0 &&
		    i + 1 < argc)
			a->pam_service = argv[++i];
		else if (strcmp(argv[i], "--sshd-config") == 0 &&
		    i + 1 < argc)
			a->sshd_config = argv[++i];
		else if (strcmp(argv[i], "-e") == 0)
			a->to_stderr = 1;
		else if (strcmp(argv[i], "--check") == 0)
			a->check = 1;
		else if (strcmp(argv[i], "--status") == 0)
			a->status = 1;
		else if (strcmp(argv[i], "--status=prometheus") == 0)
			a->status = 2;
		else if (strcmp(argv[i], "--reset-view") == 0)
			a->reset_view = 1;
		else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0')
			goto bad;
		else
			break;
	}
	if (i < argc)
		a->account = argv[i++];
	if (i < argc)
		a->fpr = argv[i++];
	if (i < argc || a->check + (a->status != 0) + a->reset_view > 1 ||
	    ((a->check || a->status || a->reset_view) && a->account != NULL) ||
	    (!a->check && !a->status && !a->reset_view && a->account == NULL))
		goto bad;
	openlog("authkeys-command", LOG_PID | (a->to_stderr || a->check ||
	    a->status || a->reset_view ? LOG_PERROR : 0), LOG_AUTHPRIV);
	return 0;
 bad:
	usage();
	return 2;
}

int
cmd_paths(struct cmd_paths *p)
{
	char dir[PATH_MAX];
	ssize_t n;

	memset(p, 0, sizeof(*p));
	if ((n = readlink("/proc/self/exe", p->self, sizeof(p->self) - 1)) <=
	    0)
		return -1;
	p->self[n] = '\0';
	snprintf(dir, sizeof(dir), "%s", p->self);
	if (snprintf(p->helper, sizeof(p->helper), "%s/%s", dirname(dir),
	    AK_HELPER_REL) >= (int)sizeof(p->helper))
		return -1;
	snprintf(dir, sizeof(dir), "%s", p->self);
	if (snprintf(p->command, sizeof(p->command), "%s/%s", dirname(dir),
	    AK_COMMAND_REL) >= (int)sizeof(p->command))
		return -1;
	return 0;
}

int
cmd_chain(const struct ak_config *cfg, const struct cmd_args *a,
    const struct ak_revset *rs, const char *source)
{
	char why[512], name[80], fprs[4 * (AK_FPR_LEN + 1) + 1];
	struct cmd_paths p;
	const char *ours[3];
	unsigned char want[AK_HASH_LEN];
	struct ak_keyset *ks = NULL;
	struct ak_buf out;
	size_t printed = 0, asked = 0, i, nours = 0;
	long long t0 = ak_now_ms();
	int r;

	(void)ak_safe_text(a->account, name, sizeof(name));
	if (cfg->revocation_url != NULL && rs == NULL) {
		ak_log(LOG_ERR, "account %s: not managed; chain_command not "
		    "run: no verified revocation list to hold its keys to; no "
		    "keys", name);
		return 0;
	}
	if (a->fpr != NULL && ak_fpr_hash(a->fpr, want) != 0)
		return 0;	/* cmd_prepare refused it already */
	/* Never ourselves: this binary, its helper or its command. */
	if (cmd_paths(&p) == 0) {
		ours[0] = p.self;
		ours[1] = p.helper;
		ours[2] = p.command;
		nours = 3;
	}
	r = ak_chain_run(cfg->chain_command, a->account, a->fpr,
	    cfg->timeout * 1000, ours, nours, &out, why, sizeof(why));
	if (r != 0) {
		ak_log(LOG_ERR, "account %s: not managed; chain_command %s: "
		    "%s; no keys", name, cfg->chain_command, why);
		ak_buf_free(&out);
		return 0;
	}
	/* Its lines are held to the store's list and policy, as ours are. */
	if (ak_keyset_from_text(cfg, name, (const char *)out.p, out.len, rs,
	    &ks) != 0 || ak_keyset_emit(ks, a->fpr != NULL ? want : NULL,
	    stdout, &printed, fprs, sizeof(fprs)) != 0 ||
	    fflush(stdout) != 0) {
		ak_log(LOG_ERR, "account %s: not managed; chain_command: "
		    "cannot print its lines", name);
		ak_keyset_free(ks);
		ak_buf_free(&out);
		return 1;
	}
	for (i = 0; i < ks->n; i++)
		asked += a->fpr == NULL || (ks->ents[i].kl != NULL &&
		    memcmp(ks->ents[i].hash, want, AK_HASH_LEN) == 0);
	ak_log(LOG_INFO, "account %s: not managed; chain_command "
	    "printed=%zu dropped=%zu (not key lines, or refused) keys=%s "
	    "list=%s in %lld ms", name, printed, asked - printed,
	    fprs[0] ? fprs : "-", rs != NULL ? source : "none",
	    ak_now_ms() - t0);
	ak_keyset_free(ks);
	ak_buf_free(&out);
	return 0;
}

int
cmd_prepare(struct cmd_args *a, struct ak_config **cfgp, int *done)
{
	int r, m;

	*done = 1;
	if ((r = ak_config_load(a->config, cfgp)) != 0) {
		ak_log(LOG_ERR, "configuration unusable (%s); no keys printed",
		    ak_err(r));
		return 1;
	}
	if (a->check || a->status || a->reset_view) {
		*done = 0;
		return 0;
	}
	/* Nothing from sshd reaches a path, URL or log line unchecked. */
	if (!ak_account_valid(a->account) && (*cfgp)->chain_command != NULL &&
	    ak_chain_name_ok(a->account) && (a->fpr == NULL ||
	    ak_fpr_valid(a->fpr))) {
		/* Not a name we could manage: the chained tool's (SSSD's). */
		a->chain = 1;
		*done = 0;
		return 0;
	}
	if (!ak_account_valid(a->account)) {
		ak_log(LOG_ERR, "refused invalid account name (%zu bytes)",
		    strlen(a->account));
		return 0;
	}
	if (a->fpr != NULL && !ak_fpr_valid(a->fpr)) {
		ak_log(LOG_ERR, "account %s: refused invalid fingerprint "
		    "argument", a->account);
		return 0;
	}
	if ((m = ak_config_manages(*cfgp, a->account)) < 0) {
		/* Not knowing is no answer: neither the store's nor chained. */
		ak_log(LOG_ERR, "account %s: cannot tell whether it is managed "
		    "(a group of accounts could not be read through NSS); no "
		    "keys", a->account);
		return 0;
	}
	if (m == 0) {
		if ((*cfgp)->chain_command != NULL) {
			a->chain = 1;
			*done = 0;
		} else
			ak_log(LOG_INFO, "account %s: not managed by authkeys",
			    a->account);
		return 0;
	}
	*done = 0;
	return 0;
}

int
cmd_emit(const struct cmd_args *a, const struct ak_keyset *ks,
    const char *source)
{
	unsigned char want[AK_HASH_LEN];
	char fprs[4 * (AK_FPR_LEN + 1) + 1];
	size_t n = 0;
	int r = 0;

	fprs[0] = '\0';
	if (a->fpr != NULL && ak_fpr_hash(a->fpr, want) != 0)
		r = AK_ERR_BAD_FPR;	/* cmd_prepare refused it already */
	else
		r = ak_keyset_emit(ks, a->fpr != NULL ? want : NULL, stdout,
		    &n, fprs, sizeof(fprs));
	if (r == 0 && fflush(stdout) != 0)
		r = AK_ERR_IO;
	ak_log(LOG_INFO, "account %s: filter=%s source=%s serial=%llu "
	    "printed=%zu keys=%s outcome=%s", a->account,
	    a->fpr != NULL ? a->fpr : "-", source, ks->serial, n,
	    fprs[0] ? fprs : "-", r != 0 ? ak_err(r) : n > 0 ? "keys" :
	    ks->all != AK_ADMIT ? ak_verdict_str(ks->all) : "no keys");
	return r != 0 ? 1 : 0;
}

int
cmd_reset_view(const struct ak_config *cfg)
{
	const char *dirs[2];
	size_t i;
	int r, status = 0;

	if (geteuid() != 0) {
		ak_log(LOG_ERR, "--reset-view: only root may forget the view");
		return 1;
	}
	dirs[0] = cfg->cache_dir;
	dirs[1] = cfg->module_cache_dir;
	for (i = 0; i < 2; i++) {
		if ((r = ak_cache_forget(dirs[i])) < 0) {
			ak_log(LOG_ERR, "--reset-view: %s: %s", dirs[i],
			    ak_err(r));
			status = 1;
			continue;
		}
		ak_log(LOG_WARNING, "--reset-view: %s: %d file(s) removed, "
		    "every rollback floor with them", dirs[i], r);
	}
	if (status == 0)
		ak_log(LOG_WARNING, "--reset-view: the next refresher round or "
		    "login takes the store's current view as a new host does "
		    "(freeze_after and every signature still apply)");
	return status;
}
