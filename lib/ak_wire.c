/* A bounded reader of SSH wire encoding (RFC 4251 uint32, string, mpint). */
#include <stdint.h>
#include <string.h>

#include "ak_err.h"
#include "ak_wire.h"

int
ak_wire_u8(struct ak_wire *w, uint8_t *v)
{
	if (w->len < 1)
		return AK_ERR_FORMAT;
	*v = w->p[0];
	w->p++;
	w->len--;
	return 0;
}

int
ak_wire_u32(struct ak_wire *w, uint32_t *v)
{
	if (w->len < 4)
		return AK_ERR_FORMAT;
	*v = (uint32_t)w->p[0] << 24 | (uint32_t)w->p[1] << 16 |
	    (uint32_t)w->p[2] << 8 | (uint32_t)w->p[3];
	w->p += 4;
	w->len -= 4;
	return 0;
}

int
ak_wire_string(struct ak_wire *w, const unsigned char **s, size_t *len)
{
	uint32_t n;
	int r;

	if ((r = ak_wire_u32(w, &n)) != 0)
		return r;
	if (n > w->len)
		return AK_ERR_FORMAT;
	*s = w->p;
	*len = n;
	w->p += n;
	w->len -= n;
	return 0;
}

int
ak_wire_expect(struct ak_wire *w, const char *want)
{
	const unsigned char *s;
	size_t len;
	int r;

	if ((r = ak_wire_string(w, &s, &len)) != 0)
		return r;
	if (len != strlen(want) || memcmp(s, want, len) != 0)
		return AK_ERR_FORMAT;
	return 0;
}

int
ak_wire_mpint(struct ak_wire *w, const unsigned char **s, size_t *len)
{
	int r;

	if ((r = ak_wire_string(w, s, len)) != 0)
		return r;
	if (*len == 0 || ((*s)[0] & 0x80) != 0)
		return AK_ERR_FORMAT;	/* zero or negative */
	if ((*s)[0] == 0) {
		/* A leading zero is only allowed before a high bit. */
		if (*len == 1 || ((*s)[1] & 0x80) == 0)
			return AK_ERR_FORMAT;
		(*s)++;
		(*len)--;
	}
	return 0;
}
