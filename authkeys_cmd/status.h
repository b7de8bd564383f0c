/* authkeys-command --status: per-document freshness, text or Prometheus. */
#ifndef AK_STATUS_H
#define AK_STATUS_H

#include "ak_config.h"

/*
 * authkeys-command --status[=prometheus]: per managed account and for the
 * revocation list, what the cache holds (serial, last confirmation by the
 * store, #expires, state) and the recorded store outage. Prints to stdout;
 * returns the exit status (0, or 1 if any document is missing, expired or
 * stale).
 */
int status_run(const struct ak_config *cfg, int prometheus);

#endif
