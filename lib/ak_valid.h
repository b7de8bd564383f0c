/* Validators of untrusted text: account names, fingerprints, controls. */
#ifndef AK_VALID_H
#define AK_VALID_H

#include <stddef.h>

/* Returns 1 if s is "SHA256:" followed by 43 base64 characters, else 0. */
int ak_fpr_valid(const char *s);
/* Returns 1 if s is an account name [a-z_][a-z0-9_.-]{0,31}, else 0. */
int ak_account_valid(const char *s);
/* Returns 1 if len bytes of s hold a control character (tab allowed). */
int ak_has_ctrl(const char *s, size_t len);
/* Returns 1 if the n bytes of s are all ASCII digits (1 for n == 0). */
int ak_digits(const char *s, size_t n);

/*
 * Copies s into out (outlen bytes, always terminated) for a terminal or a
 * report: printable ASCII and well-formed UTF-8 as they are; a control
 * character (C0, DEL, C1 as a byte or as UTF-8), a bidirectional or
 * line-separating mark (U+061C, U+200E/F, U+202A-E, U+2066-9, U+2028/9),
 * or a byte that is not UTF-8 becomes '?', so text from a key file can
 * neither move the cursor nor reorder what a reviewer reads. Returns how
 * many were replaced.
 */
size_t ak_safe_text(const char *s, char *out, size_t outlen);

#endif
