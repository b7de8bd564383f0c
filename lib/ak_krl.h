/*
 * The verified revocation list as an OpenSSH KRL (PROTOCOL.krl), for sshd's
 * global RevokedKeys, so sshd itself refuses a centrally revoked key for
 * every account. Written natively (no ssh-keygen at login time): a section
 * of explicit keys for entries given as key lines, and a SHA256 fingerprint
 * section for every entry. krl_version is the list's #serial, which is how
 * a list that is older than the file is kept from shrinking it.
 */
#ifndef AK_KRL_H
#define AK_KRL_H

#include <stddef.h>
#include <time.h>

#include "ak_policy.h"

#define AK_KRL_MAX	(8 * 1024 * 1024)

/*
 * Builds the KRL of rl (NULL: an empty KRL of version 0) generated at now.
 * Returns 0 and a new buffer in *outp (caller frees), or AK_ERR_*.
 */
int ak_krl_build(const struct ak_revlist *rl, time_t now,
    unsigned char **outp, size_t *lenp);

/*
 * Reads the krl_version of the KRL in buf. Returns 0, or AK_ERR_FORMAT if
 * it is not a KRL header.
 */
int ak_krl_version(const unsigned char *buf, size_t len,
    unsigned long long *versionp);

/*
 * Makes path hold the KRL of rl, atomically, unless it already holds a KRL
 * of a higher version (an older list never lifts a revocation). With rl
 * NULL, only creates an empty KRL where there is no file yet. Returns 0
 * (written or already current), or AK_ERR_*.
 */
int ak_krl_update(const char *path, const struct ak_revlist *rl, time_t now);

#endif
