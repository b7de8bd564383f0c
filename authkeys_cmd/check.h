/* authkeys-command --check: configuration, store, KRL, sshd and PAM. */
#ifndef AK_CHECK_H
#define AK_CHECK_H

#include "ak_config.h"
#include "cmd.h"

/* Runs the --check self-test and prints its report; returns exit status. */
int check_run(const struct ak_config *cfg, const struct cmd_args *a);

#endif
