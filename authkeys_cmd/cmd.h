/* Shared by authkeys-command (cache-hit path) and its fetch helper. */
#ifndef AK_CMD_H
#define AK_CMD_H

#include <limits.h>

#include "ak_config.h"
#include "ak_keyset.h"

#define AK_HELPER_REL	"../libexec/authkeys/authkeys-fetch"
#define AK_COMMAND_REL	"../../sbin/authkeys-command"	/* from the helper */
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
	int reset_view;		/* --reset-view */
	int chain;		/* not managed: chain_command answers */
	int to_stderr;
};

/* This binary, and where the helper and the command are installed beside it. */
struct cmd_paths {
	char self[PATH_MAX];
	char helper[PATH_MAX];	/* as seen from the command */
	char command[PATH_MAX];	/* as seen from the helper */
};

/* Fills p from /proc/self/exe. Returns 0 or -1. */
int cmd_paths(struct cmd_paths *p);

/*
 * Parses the command line; returns 0, or 2 after printing usage. Opens the
 * log (syslog LOG_AUTHPRIV, and stderr with -e) as "authkeys-command".
 */
int cmd_parse_args(int argc, char **argv, struct cmd_args *a);

/*
 * Loads the config and checks the arguments. Returns 0 to go on, or the exit
 * status to end with (1 on config errors, 0 for refused input or an
 * unmanaged account: nothing to print). An account chain_command answers
 * for goes on with a->chain set.
 */
int cmd_prepare(struct cmd_args *a, struct ak_config **cfgp, int *done);

/*
 * chain_command for an account this host does not manage: its lines, held
 * to rs (the verified revocation list; NULL with revocation_url set: no
 * keys, and it is not run), the key policy and forced_options, as the
 * store's are. Logs the decision; returns the exit status.
 */
int cmd_chain(const struct ak_config *cfg, const struct cmd_args *a,
    const struct ak_revset *rs, const char *source);

/*
 * --reset-view (root only): forgets the cache and the module's cache with
 * their floors (ak_cache_forget), for recovery after serials from the
 * future were taken. Returns the exit status.
 */
int cmd_reset_view(const struct ak_config *cfg);

/*
 * Prints the lines ks admits (those of a->fpr only, if given) and logs the
 * decision; returns the exit status.
 */
int cmd_emit(const struct cmd_args *a, const struct ak_keyset *ks,
    const char *source);

#endif
