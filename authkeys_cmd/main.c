/*
 * authkeys-command: sshd's AuthorizedKeysCommand. This binary links neither
 * libcurl nor libcrypto, so the cache-hit path (twice per login) costs about
 * what cat(1) does; anything else is handed to the fetch helper by exec.
 */
#include <sys/types.h>

#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ak_cache.h"
#include "ak_config.h"
#include "ak_doc.h"
#include "ak_err.h"
#include "ak_log.h"
#include "ak_policy.h"
#include "cmd.h"

/* The cached document for name if fresh and valid; 1 if usable. */
static int
fresh_doc(const struct ak_config *cfg, const char *account, int kind,
    time_t now, struct ak_doc **docp)
{
	struct ak_cache_entry *e = NULL;
	char name[64];
	int ok = 0;

	*docp = NULL;
	if (ak_cache_name(account, name, sizeof(name)) != 0)
		return 0;
	if (ak_cache_read(cfg->cache_dir, name, geteuid(), &e) != 0)
		return 0;	/* the helper looks again and logs */
	if (ak_cache_fresh(cfg, e, now) &&
	    ak_cache_doc(e, kind, account, now, docp) == 0)
		ok = 1;
	ak_cache_entry_free(e);
	return ok;
}

static int
cache_hit(const struct ak_config *cfg, const struct cmd_args *a)
{
	struct ak_doc *doc = NULL, *rdoc = NULL;
	struct ak_revlist *rl = NULL;
	time_t now = time(NULL);
	int status = -1;

	if (!fresh_doc(cfg, a->account, cfg->require_signature ?
	    AK_DOC_ACCOUNT : AK_DOC_PLAIN, now, &doc))
		goto out;
	if (cfg->revocation_url != NULL) {
		if (!fresh_doc(cfg, NULL, AK_DOC_REVOCATIONS, now, &rdoc) ||
		    rdoc == NULL || ak_revlist_from_doc(rdoc, &rl) != 0)
			goto out;
	}
	status = cmd_emit(cfg, a, doc, rl, "cache");
 out:
	ak_revlist_free(rl);
	ak_doc_free(rdoc);
	ak_doc_free(doc);
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
		if (done) {
			ak_config_free(cfg);
			return status;
		}
		if ((status = cache_hit(cfg, &a)) >= 0) {
			ak_config_free(cfg);
			return status;
		}
		ak_config_free(cfg);
	}
	exec_helper(argv);
	return 1;
}
