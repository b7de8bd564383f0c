/*
 * Which accounts this host manages (SPEC "accounts"): names, sshd-style
 * patterns ("deploy-*", "!deploy-old") and groups ("%deployers",
 * membership through NSS, as sshd's Match Group sees it).
 */
#ifndef AK_ACCOUNTS_H
#define AK_ACCOUNTS_H

#include <stddef.h>

struct ak_config;

/*
 * Checks one item of the accounts list. Returns 0 if it is a valid name,
 * pattern ('*', '?', a leading '!') or group ("%NAME", "!%NAME"), else
 * AK_ERR_BAD_NAME.
 */
int ak_accounts_item_valid(const char *item);

/* Returns 1 if some item is a pattern or a group (not a plain name). */
int ak_accounts_dynamic(char *const *items, size_t n);

/*
 * Returns 1 if account (a valid account name) is managed: some item
 * matches it and no negated item does, as sshd's "Match User a,b,!c".
 * A group item asks NSS (getgrnam_r, its buffer grown on ERANGE, and
 * getgrouplist), as sshd's Match Group does. Returns AK_ERR_NSS when the
 * answer turns on a group or user NSS cannot read (an error, not "no such
 * group"): not managed and not unmanaged.
 */
int ak_accounts_match(char *const *items, size_t n, const char *account);

/*
 * The managed accounts this host knows: the plain names, and every NSS
 * user (getpwent, and the members of each %group) that a pattern or group
 * admits; one NSS cannot decide for is left out. Sorted, each once.
 * Returns 0 and *namesp (free with ak_accounts_free), or AK_ERR_ALLOC,
 * AK_ERR_TOO_LARGE.
 */
#define AK_ACCOUNTS_MAX	100000
int ak_accounts_expand(char *const *items, size_t n, char ***namesp,
    size_t *np);
void ak_accounts_free(char **names, size_t n);

/*
 * Whether NSS can read every group the list names. Returns 0, or
 * AK_ERR_NSS with *badp the first item that cannot be read (its members'
 * logins are refused, neither the store's keys nor chained ones).
 */
int ak_accounts_groups_readable(char *const *items, size_t n,
    const char **badp);

/*
 * Every account name this host knows that any item could concern: the
 * plain names, every NSS user, the members of each group. Sorted, each
 * once. Same returns as ak_accounts_expand.
 */
int ak_accounts_candidates(char *const *items, size_t n, char ***namesp,
    size_t *np);

/* For --check: how many of names item (its '!' aside) matches. */
size_t ak_accounts_item_count(const char *item, char *const *names,
    size_t nnames);

#endif
