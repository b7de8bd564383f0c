/*
 * The command's shared part: arguments, the config, and printing what the
 * keyset admits (ak_keyset_emit) with the decision's log line.
 */
#include <stdio.h>
#include <string.h>
#include <syslog.h>

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
	    "       authkeys-command [-f config] --status[=prometheus]\n");
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
	if (i < argc || (a->check && a->status) ||
	    ((a->check || a->status) && a->account != NULL) ||
	    (!a->check && !a->status && a->account == NULL))
		goto bad;
	openlog("authkeys-command", LOG_PID | (a->to_stderr || a->check ||
	    a->status ? LOG_PERROR : 0), LOG_AUTHPRIV);
	return 0;
 bad:
	usage();
	return 2;
}

/*
 * An account this host does not manage, with chain_command set: the other
 * tool's answer, within our timeout, valid key lines only.
 */
static void
chain(const struct ak_config *cfg, const struct cmd_args *a)
{
	char why[512], name[80];
	size_t printed, dropped;
	long long t0 = ak_now_ms();
	int r;

	(void)ak_safe_text(a->account, name, sizeof(name));
	r = ak_chain_run(cfg->chain_command, a->account, a->fpr,
	    cfg->timeout * 1000, stdout, &printed, &dropped, why, sizeof(why));
	if (r != 0)
		ak_log(LOG_ERR, "account %s: not managed; chain_command %s: "
		    "%s; no keys", name, cfg->chain_command, why);
	else
		ak_log(LOG_INFO, "account %s: not managed; chain_command "
		    "printed=%zu dropped=%zu (not key lines) in %lld ms", name,
		    printed, dropped, ak_now_ms() - t0);
}

int
cmd_prepare(const struct cmd_args *a, struct ak_config **cfgp, int *done)
{
	int r;

	*done = 1;
	if ((r = ak_config_load(a->config, cfgp)) != 0) {
		ak_log(LOG_ERR, "configuration unusable (%s); no keys printed",
		    ak_err(r));
		return 1;
	}
	if (a->check || a->status) {
		*done = 0;
		return 0;
	}
	/* Nothing from sshd reaches a path, URL or log line unchecked. */
	if (!ak_account_valid(a->account) && (*cfgp)->chain_command != NULL &&
	    ak_chain_name_ok(a->account) && (a->fpr == NULL ||
	    ak_fpr_valid(a->fpr))) {
		/* Not a name we could manage: the chained tool's (SSSD's). */
		chain(*cfgp, a);
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
	if (!ak_config_manages(*cfgp, a->account)) {
		if ((*cfgp)->chain_command != NULL)
			chain(*cfgp, a);
		else
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
