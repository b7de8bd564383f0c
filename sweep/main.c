/*
 * authkeys-sweep [-e] [-f CONFIG]: ends live SSH sessions whose key is now
 * revoked (any account) or no longer listed (managed accounts). Root; run by
 * authkeys-sweep.path whenever the cache changes, or by hand.
 *
 * It acts only on verified data: documents and the revocation list from the
 * module's own cache and the refresher's, signatures checked again, never
 * the network; an unsigned 404 never ends a session, and a document or list
 * that cannot be read or verified ends nothing. A session is the sshd
 * process recorded by pam_authkeys with its start time, so a PID reused by
 * another process is never signalled, and every process of its login
 * (its audit session, its process tree, its logind scope) ends with it.
 * It also keeps sshd's KRL (revoked_keys_file): root's, from the list it
 * verified, made as soon as it is configured.
 */
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "ak_config.h"
#include "ak_log.h"
#include "sweep.h"

static void
usage(void)
{
	fprintf(stderr, "usage: authkeys-sweep [-e] [-f config] "
	    "[--list [--json]]\n");
}

int
main(int argc, char **argv)
{
	const char *config = AK_CONFIG_DEFAULT;
	struct ak_config *cfg = NULL;
	int i, to_stderr = 0, list = 0, json = 0, status;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-f") == 0 && i + 1 < argc)
			config = argv[++i];
		else if (strcmp(argv[i], "-e") == 0)
			to_stderr = 1;
		else if (strcmp(argv[i], "--list") == 0)
			list = 1;
		else if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else {
			usage();
			return 2;
		}
	}
	if (json && !list) {
		usage();
		return 2;
	}
	openlog("authkeys-sweep", LOG_PID | (to_stderr ? LOG_PERROR : 0),
	    LOG_AUTHPRIV);
	if (geteuid() != 0) {
		ak_log(LOG_ERR, "must run as root (it ends other users' "
		    "sessions)");
		return 1;
	}
	if (ak_config_load(config, &cfg) != 0)
		return 1;
	status = list ? sweep_list(cfg, json) : sweep_run(cfg);
	ak_config_free(cfg);
	return status;
}
