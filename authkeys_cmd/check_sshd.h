/* --check, sshd's side: its effective configuration for every account. */
#ifndef AK_CHECK_SSHD_H
#define AK_CHECK_SSHD_H

#include "ak_config.h"

/*
 * Reads sshd's effective configuration (sshd -T -C user=ACCOUNT -f
 * sshd_config) for every managed account and reports what would bypass or
 * break the store.
 */
void check_sshd(const struct ak_config *cfg, const char *sshd_config,
    char *const *accts, size_t nacc);

/*
 * The -o options sshd's systemd unit passes (ExecStart=, SSHD_OPTS from
 * Environment= or EnvironmentFile=), which sshd -T does not see: one that
 * decides whose keys sshd takes is a failure (a second
 * AuthorizedKeysCommand, one not naming cmd, is named as such).
 */
void check_sshd_unit(const char *cmd);

#endif
