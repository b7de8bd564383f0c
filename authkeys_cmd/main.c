/*
 * authkeys-command: sshd's AuthorizedKeysCommand. This binary links neither
 * libcurl nor libcrypto, so the cache-hit path (twice per login) costs about
 * what cat(1) does: arguments, then one core call (ak_local_answer) that
 * answers from the cache or says the fetch helper must, which is exec'd
 * with the same arguments.
 */
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "ak_config.h"
#include "ak_local.h"
#include "ak_log.h"
#include "cmd.h"
#include "status.h"

/* Returns the exit status, or -1 if the helper must decide. */
static int
cache_hit(const struct ak_config *cfg, const struct cmd_args *a)
{
	struct ak_local lo;
	time_t now = time(NULL);
	int status = -1;

	switch (ak_local_answer(cfg, a->account, a->fpr, now, &lo)) {
	case AK_LOCAL_ANSWER:
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

static void
exec_helper(char **argv)
{
	char self[PATH_MAX], helper[PATH_MAX];
	ssize_t n;

	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) <= 0) {
		ak_log(LOG_ERR, "cannot find own path; no keys printed");
		return;
	}
	self[n] = '\0';
	if (snprintf(helper, sizeof(helper), "%s/%s", dirname(self),
	    AK_HELPER_REL) >= (int)sizeof(helper))
		return;
	argv[0] = helper;
	execv(helper, argv);
	ak_log(LOG_ERR, "cannot run %s; no keys printed", helper);
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
		else if (!done)
			status = cache_hit(cfg, &a);
		ak_config_free(cfg);
		if (done || a.status || status >= 0)
			return status;
	}
	exec_helper(argv);
	return 1;
}
