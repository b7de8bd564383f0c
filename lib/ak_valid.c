/*
 * Validators of untrusted text shared by every parser: account names,
 * fingerprint strings, control characters.
 */
#include <stddef.h>
#include <string.h>

#include "ak_b64.h"
#include "ak_key.h"
#include "ak_valid.h"

int
ak_has_ctrl(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return 1;
	}
	return 0;
}

int
ak_account_valid(const char *s)
{
	size_t i;

	if (s == NULL || !((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
		return 0;
	for (i = 1; s[i] != '\0'; i++) {
		char c = s[i];

		if (i >= 32)
			return 0;
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '_' || c == '.' || c == '-'))
			return 0;
	}
	return 1;
}

int
ak_fpr_valid(const char *s)
{
	unsigned char tmp[33];
	size_t i;

	if (s == NULL || strncmp(s, "SHA256:", 7) != 0 ||
	    strlen(s) != AK_FPR_LEN)
		return 0;
	for (i = 7; i < AK_FPR_LEN; i++) {
		if (s[i] == '=')
			return 0;
	}
	return ak_b64_decode(s + 7, 43, tmp, sizeof(tmp)) == 32;
}

int
ak_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
	}
	return 1;
}
