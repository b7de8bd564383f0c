/*
 * chain_command (SPEC): for accounts this host does not manage, another
 * AuthorizedKeysCommand runs in authkeys' place, within timeout, as the
 * command user, and its key lines go through the same keyset decision as
 * the store's (revocation list, key policy, forced_options). So authkeys
 * can hold sshd's one AuthorizedKeysCommand slot without taking it from
 * SSSD, OS Login or EC2 Instance Connect. libc only.
 */
#ifndef AK_CHAIN_H
#define AK_CHAIN_H

#include <stddef.h>

#include "ak_buf.h"

#define AK_CHAIN_MAX_ARGS	16
#define AK_CHAIN_OUT_MAX	(1024 * 1024)	/* more: nothing printed */
#define AK_CHAIN_KILL_MS	1000	/* to end what it left behind */
/* Set in the chained command's environment; no chain runs inside it. */
#define AK_CHAIN_ENV		"AUTHKEYS_CHAINED"

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

/* Returns 1 if this process runs inside a chained command. */
int ak_chain_nested(void);

/*
 * Returns 1 if path is authkeys itself: named authkeys-command or
 * authkeys-fetch, or the same file as one of ours (n paths, e.g. our own
 * binary and its companion).
 */
int ak_chain_is_ours(const char *path, const char *const *ours, size_t n);

/*
 * Runs cmd for account (fpr NULL: %f is empty) with /dev/null as input, a
 * minimal environment marked with AK_CHAIN_ENV and in its own process
 * group, for at most timeout_ms, then ends every process it left (this
 * process becomes a child subreaper and reaps all its children: call it
 * from a process with no children of its own). Refused inside a chained
 * command, and for one of ours (see ak_chain_is_ours). On success (exit 0)
 * out holds its output (up to AK_CHAIN_OUT_MAX; free with ak_buf_free
 * whatever the result), for the keyset to decide on. Returns 0, or
 * AK_ERR_CONFIG (refused), AK_ERR_PERM (unsafe path), AK_ERR_TIMEOUT
 * (killed), AK_ERR_TOO_LARGE, AK_ERR_FORMAT (non-zero exit or a signal),
 * AK_ERR_IO, with why (whylen bytes) for the log; out is empty then.
 */
int ak_chain_run(const char *cmd, const char *account, const char *fpr,
    long timeout_ms, const char *const *ours, size_t nours,
    struct ak_buf *out, char *why, size_t whylen);

#endif
