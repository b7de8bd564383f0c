/*
 * authkeys-refresh [-e] [-f CONFIG] [--once]: keeps every managed account's
 * document and the revocation list younger than refresh_after, so that no
 * login waits for the store. Runs in the foreground as the cache owner
 * (authkeys-refresh.service, User=_authkeys); systemd does the rest.
 *
 * Each round asks the store for every document (conditional GETs over one
 * kept-alive connection, through ak_resolve like the command), then sleeps
 * until the next, refresh_after / 2 after this one started. SIGHUP re-reads
 * the config, SIGTERM/SIGINT end the loop; both only set flags. A change to
 * trusted_signers (looked at every second) re-reads it too: a signer root
 * removes stops counting here at once, not at the next SIGHUP.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "ak_cache.h"
#include "ak_config.h"
#include "ak_err.h"
#include "ak_fetch.h"
#include "ak_log.h"
#include "ak_resolve.h"
#include "ak_signers.h"
#include "ak_time.h"
#include "refresh.h"

static volatile sig_atomic_t stop_flag, reload_flag;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_flag = 1;
	else
		stop_flag = 1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: authkeys-refresh [-e] [-f config] [--once]\n");
}

static int
setup_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a signal cuts the sleep short. */
	if (sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1 ||
	    sigaction(SIGHUP, &sa, NULL) == -1)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/*
 * trusted_signers (or trusted_root) as last looked at (all zero:
 * unreadable), so that a bad file is reported once, and its repair is seen
 * like any change. watched is the file of the config last loaded or, after
 * a reload that failed on it, of that config: comparing the running
 * config's file with the bad one's digest made a reload, a failure and a
 * store round every second until the file was repaired.
 */
static unsigned char seen_signers[32];
static char watched[4096];

static void
watch(const struct ak_config *cfg)
{
	const char *f = ak_config_trust_file(cfg);

	snprintf(watched, sizeof(watched), "%s", f != NULL ? f : "");
}

static void
look_at_signers(const struct ak_config *cfg, unsigned char d[32])
{
	memset(d, 0, 32);
	if (ak_config_trust_file(cfg) != NULL &&
	    ak_signers_file_digest(ak_config_trust_file(cfg), d) != 0)
		memset(d, 0, 32);
}

static int
signers_changed(void)
{
	unsigned char d[32];

	if (watched[0] == '\0')
		return 0;
	memset(d, 0, sizeof(d));
	if (ak_signers_file_digest(watched, d) != 0)
		memset(d, 0, sizeof(d));
	return memcmp(d, seen_signers, sizeof(d)) != 0;
}

/*
 * Sleeps until deadline_ms (ak_now_ms), at most 1 s at a time, or a signal,
 * or a change of trusted_signers or trusted_root (rv NULL: none to watch).
 */
static void
sleep_until(long long deadline_ms, const struct ak_resolver *rv)
{
	struct timespec ts;
	long long left;

	while (!stop_flag && !reload_flag &&
	    (left = deadline_ms - ak_now_ms()) > 0) {
		if (rv != NULL && signers_changed()) {
			ak_log(LOG_NOTICE, "%s %s changed: reloading",
			    rv->root != NULL ? "trusted_root" :
			    "trusted_signers", watched);
			reload_flag = 1;
			break;
		}
		if (left > 1000)
			left = 1000;
		ts.tv_sec = (time_t)(left / 1000);
		ts.tv_nsec = (long)(left % 1000) * 1000000L;
		(void)nanosleep(&ts, NULL);
	}
}

int
main(int argc, char **argv)
{
	struct refresh_opts o;
	struct ak_config *cfg = NULL;
	struct ak_resolver rv, nrv;
	int i, r, have_rv = 0, status = 1;

	memset(&o, 0, sizeof(o));
	o.config = AK_CONFIG_DEFAULT;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-f") == 0 && i + 1 < argc)
			o.config = argv[++i];
		else if (strcmp(argv[i], "-e") == 0)
			o.to_stderr = 1;
		else if (strcmp(argv[i], "--once") == 0)
			o.once = 1;
		else {
			usage();
			return 2;
		}
	}
	openlog("authkeys-refresh", LOG_PID | (o.to_stderr ? LOG_PERROR : 0),
	    LOG_AUTHPRIV);
	if (setup_signals() == -1 || ak_fetch_global_init() != 0) {
		ak_log(LOG_ERR, "cannot start: signals or libcurl");
		return 1;
	}
	reload_flag = 1;
	while (!stop_flag) {
		long long round_start;

		if (reload_flag) {
			struct ak_config *ncfg = NULL;

			reload_flag = 0;
			/*
			 * A bad new config or trusted_signers keeps the old
			 * ones running (the readers hold entries to the file
			 * as it is, so nothing it no longer vouches for is
			 * admitted meanwhile).
			 */
			if ((r = ak_config_load(o.config, &ncfg)) != 0 ||
			    (r = ak_resolver_init(&nrv, ncfg,
			    AK_ASK_FORCE)) != 0) {
				if (ncfg != NULL)
					ak_resolver_clear(&nrv);
				ak_log(LOG_ERR, "%s: %s; %s", ncfg == NULL ?
				    o.config : "trusted_signers", ak_err(r),
				    cfg != NULL ? "keeping the previous "
				    "configuration" : "cannot start");
				/* Said once, not every second. */
				if (ncfg != NULL) {
					look_at_signers(ncfg, seen_signers);
					watch(ncfg);
				}
				ak_config_free(ncfg);
				if (cfg == NULL)
					goto out;
			} else {
				if (have_rv)
					ak_resolver_clear(&rv);
				ak_config_free(cfg);
				cfg = ncfg;
				rv = nrv;
				/* The resolver points at its config. */
				rv.cfg = cfg;
				have_rv = 1;
				memset(seen_signers, 0, sizeof(seen_signers));
				if (rv.signers != NULL)
					memcpy(seen_signers, rv.trust_digest,
					    sizeof(seen_signers));
				watch(cfg);
				ak_log(LOG_INFO, "configuration %s loaded: %zu "
				    "account item(s), refresh_after %lds",
				    o.config, cfg->naccounts,
				    cfg->refresh_after);
			}
		}
		round_start = ak_now_ms();
		r = refresh_round(&rv, &stop_flag);
		if (o.once) {
			status = r == 0 ? 0 : 1;
			goto out;
		}
		sleep_until(round_start + refresh_interval_ms(cfg), &rv);
	}
	ak_log(LOG_INFO, "stopping");
	status = 0;
 out:
	if (have_rv)
		ak_resolver_clear(&rv);
	ak_config_free(cfg);
	return status;
}
