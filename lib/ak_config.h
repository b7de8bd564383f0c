/* The configuration, /etc/authkeys/authkeys.conf (SPEC "Configuration"). */
#ifndef AK_CONFIG_H
#define AK_CONFIG_H

#include <stddef.h>

#define AK_CONFIG_DEFAULT	"/etc/authkeys/authkeys.conf"
#define AK_CONFIG_MAX		65536
#define AK_MAX_URLS		8
#define AK_MODULE_CACHE_DIR_DEFAULT	"/var/cache/pam_authkeys"
#define AK_SESSION_DIR_DEFAULT	"/run/authkeys"
#define AK_MAX_CLOCK_SKEW_DEFAULT	300

struct ak_config {
	char *path;
	char *urls[AK_MAX_URLS];
	size_t nurls;
	char *revocation_url;
	char *timestamp_urls[AK_MAX_URLS];	/* snapshot/timestamp store */
	size_t ntimestamp_urls;
	long freeze_after;	/* a view this old counts as frozen */
	int freeze_deny;	/* on_freeze = deny */
	long max_clock_skew;	/* a serial further ahead is refused */
	int end_account_processes;	/* the sweep ends a revoked login's
					 * account-wide leftovers (at, cron) */
	char *trusted_signers;
	char *trusted_root;	/* a signed root of trust (roles, k of n) */
	int require_signature;
	char *namespace;
	char *ca_file;
	char *cache_dir;
	char *module_cache_dir;	/* the PAM module's own, root only */
	long refresh_after;
	long retry_after;	/* no asking for this long after an outage */
	char *revoked_keys_file;	/* OpenSSH KRL of the list, or NULL */
	char *session_dir;	/* the module's session records, root only */
	long timeout;
	char **accounts;
	size_t naccounts;
	char *chain_command;	/* for accounts not managed, or NULL */
	char *forced_options;
	char **allowed_options;
	size_t nallowed_options;
	unsigned int allowed_types;	/* bit (1 << enum ak_key_type) */
	unsigned int min_rsa_bits;
};

/*
 * Parses len bytes of configuration text; name is used in messages. Returns 0
 * and a new config in *cfgp (free with ak_config_free), or AK_ERR_CONFIG after
 * logging "name:line: reason".
 */
int ak_config_parse(const char *buf, size_t len, const char *name,
    struct ak_config **cfgp);

/* A config holding only the defaults (policy for authkeys-publish). */
int ak_config_defaults(struct ak_config **cfgp);

/*
 * Reads and parses path after checking that the file and its directory are
 * owned by root and writable by no one else. Returns 0, AK_ERR_PERM,
 * AK_ERR_IO, AK_ERR_TOO_LARGE or AK_ERR_CONFIG (all logged).
 */
int ak_config_load(const char *path, struct ak_config **cfgp);
void ak_config_free(struct ak_config *cfg);

/*
 * The file whose bytes decide who may sign (trusted_root, else
 * trusted_signers: an implicit 1-of-n root), or NULL if there is none.
 */
const char *ak_config_trust_file(const struct ak_config *cfg);

/*
 * Returns 1 if account is managed (accounts: names, patterns, %groups;
 * see ak_accounts.h), 0 if not, or AK_ERR_NSS (negative) when a group it
 * turns on cannot be read: callers deny, never take it as unmanaged.
 */
int ak_config_manages(const struct ak_config *cfg, const char *account);
/*
 * The managed accounts this host knows (the names, and the NSS users the
 * patterns and groups admit): for the refresher, --status, --check and the
 * sweep. Free with ak_accounts_free. Returns 0 or AK_ERR_*.
 */
int ak_config_accounts(const struct ak_config *cfg, char ***namesp,
    size_t *np);
/* Returns 1 if the option name (lower case) is in allowed_options. */
int ak_config_option_allowed(const struct ak_config *cfg, const char *name);

#endif
