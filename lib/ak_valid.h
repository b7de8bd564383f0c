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

#endif
