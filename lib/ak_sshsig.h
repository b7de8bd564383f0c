/* SSHSIG verification (OpenSSH PROTOCOL.sshsig) with OpenSSL's libcrypto. */
#ifndef AK_SSHSIG_H
#define AK_SSHSIG_H

#include <stddef.h>
#include <time.h>

#include "ak_doc.h"
#include "ak_key.h"
#include "ak_signers.h"

/*
 * Verifies the SSHSIG blob sig over msg in namespace ns by one of signers.
 * Returns 0, or AK_ERR_FORMAT (bad blob), AK_ERR_NAMESPACE, AK_ERR_UNTRUSTED,
 * AK_ERR_SIGNATURE.
 */
int ak_sshsig_verify(const unsigned char *sig, size_t siglen,
    const void *msg, size_t msglen, const char *ns,
    const struct ak_signers *signers, time_t now);

/*
 * Checks every signature of doc over its signed bytes in namespace ns
 * against signers and writes the SHA-256 of each distinct key whose
 * signature verifies into keys (room for AK_DOC_SIGS_MAX), their number
 * into *np: a key that signed twice counts once. Returns 0 if one or more
 * verified, else the first signature's error (a document without any:
 * AK_ERR_SIGNATURE).
 */
int ak_sshsig_signed_by(const struct ak_doc *doc, const char *ns,
    const struct ak_signers *signers, time_t now,
    unsigned char keys[][32], size_t *np);

/*
 * Verifies a parsed signed document: signatures from at least
 * ak_signers_threshold(signers) distinct keys of signers. Returns 0,
 * AK_ERR_THRESHOLD (some verified, too few), or ak_sshsig_signed_by's
 * error.
 */
int ak_sshsig_verify_doc(const struct ak_doc *doc, const char *ns,
    const struct ak_signers *signers, time_t now);

/*
 * Checks what the libc-only key parser cannot: that an ECDSA key's point
 * lies on its curve with both coordinates wider than half the order (as
 * OpenSSH's sshkey_ec_validate_public). t and blob as ak_key_line_parse
 * gave them. Returns 0, AK_ERR_KEY_INVALID or AK_ERR_ALLOC. Used by
 * publish, where keys enter the store.
 */
int ak_sshsig_key_check(enum ak_key_type t, const unsigned char *blob,
    size_t len);

#endif
