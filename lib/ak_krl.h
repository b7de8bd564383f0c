/*
 * The verified revocation list as an OpenSSH KRL (PROTOCOL.krl), for sshd's
 * global RevokedKeys, so sshd itself refuses a centrally revoked key for
 * every account. Written natively (no ssh-keygen at login time) and only by
 * root (the PAM module and authkeys-sweep, from lists they verified), into
 * a directory only root can write: a section of explicit keys for entries
 * given as key lines, and a SHA256 fingerprint section for every entry.
 * krl_version is the list's #serial.
 */
#ifndef AK_KRL_H
#define AK_KRL_H

#include <stddef.h>
#include <time.h>

#include "ak_keyset.h"

#define AK_KRL_MAX	(8 * 1024 * 1024)

/*
 * Builds the KRL of rs (NULL: an empty KRL of version 0) generated at now.
 * Returns 0 and a new buffer in *outp (caller frees), or AK_ERR_*.
 */
int ak_krl_build(const struct ak_revset *rs, time_t now,
    unsigned char **outp, size_t *lenp);

/*
 * Reads the krl_version of the KRL in buf. Returns 0, or AK_ERR_FORMAT if
 * it is not a KRL header.
 */
int ak_krl_version(const unsigned char *buf, size_t len,
    unsigned long long *versionp);

/* What is at the KRL's path, as root judges it. */
enum ak_krl_state {
	AK_KRL_OURS,		/* a KRL root wrote: root's regular file */
	AK_KRL_MISSING,		/* nothing there: sshd refuses every key */
	AK_KRL_FOREIGN,		/* anything else: replaced, never believed */
	AK_KRL_BAD_DIR,		/* its directory is not root's alone */
};

/*
 * Looks at path without following a link or blocking: AK_KRL_OURS (a
 * regular file of root with one link, writable by no one else, in a
 * directory of root writable by no one else, holding a KRL header; its
 * version in *versionp), or what else it is, with a reason in why
 * (whylen bytes).
 */
enum ak_krl_state ak_krl_inspect(const char *path,
    unsigned long long *versionp, char *why, size_t whylen);

/*
 * Root's writer: makes path hold the KRL of the verified list rs, unless
 * root already wrote one of a higher or the same version (an older list
 * never lifts a revocation). With rs NULL, only makes sure a KRL exists:
 * an empty one where there is none or where the file is not root's own.
 * Anything root did not write is replaced; a directory others can write is
 * refused (AK_ERR_PERM). Logs what it did. Returns 0 (written or current)
 * or AK_ERR_*.
 */
int ak_krl_update(const char *path, const struct ak_revset *rs, time_t now);

#endif
