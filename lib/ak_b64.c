/*
 * Base64 (RFC 4648) with no dependencies, so the libc-only cache-hit
 * binary can decode key blobs and fingerprints; strict (no white space).
 */
#include <stddef.h>

#include "ak_b64.h"

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int
b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

long
ak_b64_decode(const char *src, size_t len, unsigned char *dst, size_t dstlen)
{
	size_t i, o = 0, npad = 0;
	unsigned long acc = 0;
	int bits = 0, v;

	/* Strip up to two '=' of padding; then the length must be sane. */
	while (len > 0 && src[len - 1] == '=' && npad < 2) {
		len--;
		npad++;
	}
	if (npad > 0 && (len + npad) % 4 != 0)
		return -1;
	if (len % 4 == 1)
		return -1;
	for (i = 0; i < len; i++) {
		if ((v = b64val((unsigned char)src[i])) < 0)
			return -1;
		acc = (acc << 6) | (unsigned long)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= dstlen)
				return -1;
			dst[o++] = (unsigned char)((acc >> bits) & 0xff);
		}
	}
	/* Leftover bits must be zero (canonical encoding). */
	if ((acc & ((1UL << bits) - 1)) != 0)
		return -1;
	return (long)o;
}

long
ak_b64_encode(const unsigned char *src, size_t len, char *dst, size_t dstlen,
    int pad)
{
	size_t i, o = 0, need;
	unsigned long v;

	need = pad ? (len + 2) / 3 * 4 : len / 3 * 4 + (len % 3 ? len % 3 + 1 :
	    0);
	if (need + 1 > dstlen)
		return -1;
	for (i = 0; i < len; i += 3) {
		size_t n = len - i < 3 ? len - i : 3;

		v = (unsigned long)src[i] << 16;
		if (n > 1)
			v |= (unsigned long)src[i + 1] << 8;
		if (n > 2)
			v |= src[i + 2];
		dst[o++] = b64chars[(v >> 18) & 63];
		dst[o++] = b64chars[(v >> 12) & 63];
		if (n > 1)
			dst[o++] = b64chars[(v >> 6) & 63];
		else if (pad)
			dst[o++] = '=';
		if (n > 2)
			dst[o++] = b64chars[v & 63];
		else if (pad)
			dst[o++] = '=';
	}
	dst[o] = '\0';
	return (long)o;
}
