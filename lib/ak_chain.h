/*
 * chain_command (SPEC): for accounts this host does not manage, another
 * AuthorizedKeysCommand runs in authkeys' place, within timeout, as the
 * command user, and its valid key lines are passed through. So authkeys
 * can hold sshd's one AuthorizedKeysCommand slot without taking it from
 * SSSD, OS Login or EC2 Instance Connect. libc only.
 */
#ifndef AK_CHAIN_H
#define AK_CHAIN_H

#include <stddef.h>
#include <stdio.h>

#define AK_CHAIN_MAX_ARGS	16
#define AK_CHAIN_OUT_MAX	(1024 * 1024)	/* more: nothing printed */

/*
 * Checks a chain_command value: an absolute path, then arguments separated
 * by spaces, where only %u (account), %f (fingerprint) and %% expand.
 * Returns 0 or AK_ERR_CONFIG.
 */
int ak_chain_syntax(const char *cmd);

/*
 * sshd's rule for an AuthorizedKeysCommand: a regular file, and it and
 * every directory above it owned by root and not writable by group or
 * others. Returns 0, or AK_ERR_PERM with why.
 */
int ak_chain_path_safe(const char *path, char *why, size_t whylen);

/* Returns 1 if name may be handed to a chained command as its %u. */
int ak_chain_name_ok(const char *name);

/*
 * Runs cmd for account (fpr NULL: %f is empty) with /dev/null as input, a
 * minimal environment and in its own process group, for at most
 * timeout_ms; then, only if it exited 0, writes to out the lines of its
 * output that are valid authorized_keys lines. *printedp and *droppedp
 * count them. Returns 0, or AK_ERR_PERM (unsafe path), AK_ERR_TIMEOUT
 * (killed), AK_ERR_TOO_LARGE, AK_ERR_FORMAT (non-zero exit or a signal),
 * AK_ERR_IO, with why (whylen bytes) for the log. Nothing is written on
 * any error.
 */
int ak_chain_run(const char *cmd, const char *account, const char *fpr,
    long timeout_ms, FILE *out, size_t *printedp, size_t *droppedp,
    char *why, size_t whylen);

#endif
