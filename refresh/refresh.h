/* authkeys-refresh: one round over every document, and its schedule. */
#ifndef AK_REFRESH_H
#define AK_REFRESH_H

#include <signal.h>

#include "ak_config.h"
#include "ak_resolve.h"

struct refresh_opts {
	const char *config;
	int once;
	int to_stderr;
};

/*
 * Asks the store for every managed account's document and the revocation
 * list (rv asks even after an outage). Stops early when *stop is set, and
 * skips the rest of a round once the store has stopped answering within the
 * budget. Returns 0 if every document was confirmed or replaced by the
 * store, else -1 (each failure logged).
 */
int refresh_round(struct ak_resolver *rv, volatile sig_atomic_t *stop);

/* Milliseconds from one round's start to the next: refresh_after / 2. */
long long refresh_interval_ms(const struct ak_config *cfg);

#endif
