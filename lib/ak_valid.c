/*
 * Validators of untrusted text shared by every parser: account names,
 * fingerprint strings, control characters.
 */
#include <stddef.h>
#include <string.h>

#include "ak_b64.h"
#include "ak_limits.h"
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

/* The length of the UTF-8 sequence at s (n bytes left) and its code point. */
static size_t
utf8_next(const unsigned char *s, size_t n, unsigned long *cp)
{
	size_t len, i;
	unsigned long c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
	} else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates, beyond Unicode. */
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return len;
}

static int
unsafe_cp(unsigned long c)
{
	return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) ||
	    c == 0x61c || c == 0x200e || c == 0x200f ||
	    (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
	    c == 0x2028 || c == 0x2029;
}

size_t
ak_safe_text(const char *s, char *out, size_t outlen)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), o = 0, len, replaced = 0;
	unsigned long cp;

	if (outlen == 0)
		return 0;
	while (n > 0) {
		if ((len = utf8_next(p, n, &cp)) == 0 || unsafe_cp(cp)) {
			if (o + 1 >= outlen)
				break;
			out[o++] = '?';
			replaced++;
			len = len == 0 ? 1 : len;
		} else {
			if (o + len >= outlen)
				break;
			memcpy(out + o, p, len);
			o += len;
		}
		p += len;
		n -= len;
	}
	out[o] = '\0';
	return replaced;
}
