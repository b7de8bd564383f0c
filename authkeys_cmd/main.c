/*
 * authkeys-command: sshd's AuthorizedKeysCommand. This binary links neither
 * libcurl nor libcrypto, so the cache-hit path (twice per login) costs about
 * what cat(1) does: arguments, then one core call (ak_local_answer) that
 * answers from the cache or says the fetch helper must, which is exec'd
 * with the same arguments.
 */
#include <limits.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "ak_config.h"
#include "ak_file.h"
#include "ak_local.h"
#include "ak_log.h"
#include "cmd.h"
#include "status.h"

/* Every answer an expired root gave says so, as the resolver's do. */
static void
say_root_expired(const struct ak_config *cfg, const struct ak_local *lo)
{
	if (lo->root_expired != 0)
		ak_log(LOG_ERR, "ROOT EXPIRED: root %llu (trusted_root %s) "
		    "expired; on_freeze = stale: still used, renew it now",
		    lo->root_expired, cfg->trusted_root);
}

/* Returns the exit status, or -1 if the helper must decide. */
static int
cache_hit(const struct ak_config *cfg, const struct cmd_args *a)
{
	struct ak_local lo;
	time_t now = time(NULL);
	int status = -1;

	switch (ak_local_answer(cfg, a->account, a->fpr, now, &lo)) {
	case AK_LOCAL_ANSWER:
		say_root_expired(cfg, &lo);
		status = cmd_emit(a, lo.ks, lo.source);
		break;
	case AK_LOCAL_NOTHING:
		ak_log(LOG_ERR, "account %s: filter=%s source=none printed=0 "
		    "outcome=store unavailable %llds ago (retry_after %lds), "
		    "no usable cached document", a->account,
		    a->fpr != NULL ? a->fpr : "-",
		    (long long)(now - lo.outage), cfg->retry_after);
		status = 0;
		break;
	case AK_LOCAL_ASK:
		break;
	}
	ak_local_clear(&lo);
	return status;
}

/* A chained account: the list from the cache, or -1 (the helper's). */
static int
chain_hit(const struct ak_config *cfg, const struct cmd_args *a)
{
	struct ak_local lo;
	int status = -1;

	switch (ak_local_list(cfg, time(NULL), &lo)) {
	case AK_LOCAL_ANSWER:
		say_root_expired(cfg, &lo);
		status = cmd_chain(cfg, a, lo.rs, lo.source);
		break;
	case AK_LOCAL_NOTHING:
		status = cmd_chain(cfg, a, NULL, NULL);
		break;
	case AK_LOCAL_ASK:
		break;
	}
	ak_local_clear(&lo);
	return status;
}

static void
exec_helper(char **argv)
{
	struct cmd_paths p;
	char why[PATH_MAX + 64];

	if (cmd_paths(&p) != 0) {
		ak_log(LOG_ERR, "cannot find own path; no keys printed");
		return;
	}
	/* Held to sshd's rule for what it runs, as net.so is before dlopen. */
	if (ak_file_safe_path(p.helper, 1, why, sizeof(why)) != 0) {
		ak_log(LOG_ERR, "fetch helper %s; no keys printed", why);
		return;
	}
	argv[0] = p.helper;
	execv(p.helper, argv);
	ak_log(LOG_ERR, "cannot run %s; no keys printed", p.helper);
}

int
main(int argc, char **argv)
{
	struct cmd_args a;
	struct ak_config *cfg = NULL;
	int status, done;

	if ((status = cmd_parse_args(argc, argv, &a)) != 0)
		return status;
	if (!a.check) {
		status = cmd_prepare(&a, &cfg, &done);
		if (!done && a.status)
			status = status_run(cfg, a.status == 2);
		else if (!done && a.reset_view)
			status = cmd_reset_view(cfg);
		else if (!done && a.chain)
			status = chain_hit(cfg, &a);
		else if (!done)
			status = cache_hit(cfg, &a);
		ak_config_free(cfg);
		if (done || a.status || a.reset_view || status >= 0)
			return status;
	}
	exec_helper(argv);
	return 1;
}
