/* Shared by authkeys-command (cache-hit path) and its fetch helper. */
#ifndef AK_CMD_H
#define AK_CMD_H

#include "ak_config.h"
#include "ak_keyset.h"

#define AK_HELPER_REL	"../libexec/authkeys/authkeys-fetch"
#define AK_PAM_SERVICE_DEFAULT	"/etc/pam.d/sshd"
#define AK_SSHD_CONFIG_DEFAULT	"/etc/ssh/sshd_config"
#define AK_SSHD_PATH		"/usr/sbin/sshd"

struct cmd_args {
	const char *config;
	const char *account;
	const char *fpr;
	const char *pam_service;	/* --check: the PAM service file */
	const char *sshd_config;	/* --check: sshd's main config */
	int check;
	int status;		/* --status: 1 human, 2 prometheus */
	int to_stderr;
};

/*
 * Parses the command line; returns 0, or 2 after printing usage. Opens the
 * log (syslog LOG_AUTHPRIV, and stderr with -e) as "authkeys-command".
 */
int cmd_parse_args(int argc, char **argv, struct cmd_args *a);

/*
 * Loads the config and checks the arguments. Returns 0 to go on, or the exit
 * status to end with (1 on config errors, 0 for refused input or an
 * unmanaged account: nothing to print).
 */
int cmd_prepare(const struct cmd_args *a, struct ak_config **cfgp, int *done);

/*
 * Prints the lines ks admits (those of a->fpr only, if given) and logs the
 * decision; returns the exit status.
 */
int cmd_emit(const struct cmd_args *a, const struct ak_keyset *ks,
    const char *source);

#endif
