/* authkeys-command --check: configuration, store, sshd and PAM set-up. */
#ifndef AK_CHECK_H
#define AK_CHECK_H

#include "ak_config.h"
#include "cmd.h"

/* Runs the --check self-test and prints its report; returns exit status. */
int check_run(const struct ak_config *cfg, const struct cmd_args *a);

/* What one line of the report says; a FAIL makes --check exit non-zero. */
enum check_verdict {
	CHECK_WARN = -1,
	CHECK_FAIL = 0,
	CHECK_OK = 1,
};

void check_report(enum check_verdict v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* sshd's ownership rule for the AuthorizedKeysCommand path and parents. */
void check_path(const char *what, const char *path);

/*
 * Reads sshd's effective configuration (sshd -T -C user=ACCOUNT -f
 * sshd_config) for every managed account and reports what would bypass or
 * break the store.
 */
void check_sshd(const struct ak_config *cfg, const char *sshd_config);

#endif
