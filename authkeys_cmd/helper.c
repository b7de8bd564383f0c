/*
 * authkeys-fetch: the part of authkeys-command that needs the network and
 * signature crypto. Run by authkeys-command (exec, same arguments) when the
 * cache cannot answer on its own; never by sshd directly.
 */
#include <stdio.h>
#include <unistd.h>

#include "ak_config.h"
#include "ak_err.h"
#include "ak_fetch.h"
#include "ak_log.h"
#include "ak_resolve.h"
#include "check.h"
#include "cmd.h"

int
main(int argc, char **argv)
{
	struct cmd_args a;
	struct ak_config *cfg = NULL;
	struct ak_resolver rv;
	struct ak_result res;
	int status, done, r;

	if ((status = cmd_parse_args(argc, argv, &a)) != 0)
		return status;
	status = cmd_prepare(&a, &cfg, &done);
	if (done) {
		if (a.check)
			printf("FAIL config %s\n", a.config);
		ak_config_free(cfg);
		return a.check ? 1 : status;
	}
	if (ak_fetch_global_init() != 0) {
		ak_log(LOG_ERR, "libcurl initialisation failed");
		ak_config_free(cfg);
		return 1;
	}
	if (a.check) {
		status = check_run(cfg, &a);
		ak_config_free(cfg);
		return status;
	}
	if ((r = ak_resolver_init(&rv, cfg, AK_ASK_IF_STALE)) != 0) {
		ak_log(LOG_ERR, "account %s: %s; no keys printed", a.account,
		    ak_err(r));
		ak_config_free(cfg);
		return 1;
	}
	if (a.chain) {
		struct ak_revset *rs = NULL;
		enum ak_source src;

		if (ak_resolve_list(&rv, &rs, &src) != 0)
			status = cmd_chain(cfg, &a, NULL, NULL);
		else
			status = cmd_chain(cfg, &a, rs, ak_source_str(src));
		ak_revset_free(rs);
	} else if ((r = ak_resolve(&rv, a.account, &res)) != 0) {
		ak_log(LOG_ERR, "account %s: filter=%s source=none printed=0 "
		    "outcome=%s", a.account, a.fpr != NULL ? a.fpr : "-",
		    ak_err(r));
		status = 0;
	} else {
		status = cmd_emit(&a, res.ks, ak_source_str(res.source));
		ak_result_clear(&res);
	}
	ak_resolver_clear(&rv);
	ak_config_free(cfg);
	return status;
}
