/*
 * Reading a PAM service file the way libpam does, for --check: where in a
 * stack pam_authkeys runs, and whether a pam_env that loads the user's own
 * environment file (user_readenv=1) runs before it.
 */
#ifndef AK_PAMSTACK_H
#define AK_PAMSTACK_H

#include <stddef.h>

#define AK_PAMSTACK_DEPTH	8

struct ak_pamstack {
	int module_found;	/* pam_authkeys.so is in the stack */
	char module_at[512];	/* "file:line" of its first entry */
	int env_before;		/* a user_readenv pam_env runs before it */
	char env_at[512];	/* "file:line" of that pam_env */
	char missing[512];	/* the file that was not found, if so */
	int loginuid;		/* pam_loginuid.so is in the stack */
	int logind;		/* pam_systemd.so is in the stack */
};

/* Where libpam looks for a service or an included name, in this order. */
#define AK_PAM_CONFDIR		"/etc/pam.d"
#define AK_PAM_VENDORDIR	"/usr/lib/pam.d"

/*
 * Scans the stack of type ("auth", "account", "session") in the service
 * file path, following @include, include and substack as libpam does: a
 * relative name is looked up in confdir (NULL: AK_PAM_CONFDIR, then
 * AK_PAM_VENDORDIR), not next to path. Returns 0 and fills ps, or
 * AK_ERR_NOT_FOUND (ps->missing names the file), AK_ERR_IO,
 * AK_ERR_TOO_LARGE, AK_ERR_FORMAT (includes nested deeper than
 * AK_PAMSTACK_DEPTH).
 */
int ak_pamstack_scan(const char *path, const char *type, const char *confdir,
    struct ak_pamstack *ps);

#endif
