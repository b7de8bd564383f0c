/* The one growable byte buffer (see ak_buf.h). */
#include <stdlib.h>
#include <string.h>

#include "ak_buf.h"
#include "ak_err.h"

void
ak_buf_init(struct ak_buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

int
ak_buf_reserve(struct ak_buf *b, size_t n)
{
	unsigned char *np;
	size_t cap;

	if (b->err != 0)
		return b->err;
	if (n > b->max || b->len > b->max - n)
		return b->err = AK_ERR_TOO_LARGE;
	if (b->len + n <= b->cap)
		return 0;
	cap = b->cap != 0 ? b->cap : 256;
	if (cap > b->max)
		cap = b->max;
	while (cap < b->len + n)
		cap = cap > b->max / 2 ? b->max : cap * 2;
	if ((np = realloc(b->p, cap)) == NULL)
		return b->err = AK_ERR_ALLOC;
	b->p = np;
	b->cap = cap;
	return 0;
}

int
ak_buf_put(struct ak_buf *b, const void *data, size_t len)
{
	/* Nothing to add: no memcpy from a NULL that never grew. */
	if (b->err != 0 || len == 0)
		return b->err;
	if (ak_buf_reserve(b, len) != 0)
		return b->err;
	memcpy(b->p + b->len, data, len);
	b->len += len;
	return 0;
}

int
ak_buf_put_u8(struct ak_buf *b, uint8_t v)
{
	return ak_buf_put(b, &v, 1);
}

int
ak_buf_put_u32(struct ak_buf *b, uint32_t v)
{
	unsigned char x[4];

	x[0] = (unsigned char)(v >> 24);
	x[1] = (unsigned char)(v >> 16);
	x[2] = (unsigned char)(v >> 8);
	x[3] = (unsigned char)v;
	return ak_buf_put(b, x, sizeof(x));
}

int
ak_buf_put_u64(struct ak_buf *b, uint64_t v)
{
	ak_buf_put_u32(b, (uint32_t)(v >> 32));
	return ak_buf_put_u32(b, (uint32_t)v);
}

int
ak_buf_put_string(struct ak_buf *b, const void *s, size_t len)
{
	if (len > UINT32_MAX) {
		if (b->err == 0)
			b->err = AK_ERR_TOO_LARGE;
		return b->err;
	}
	ak_buf_put_u32(b, (uint32_t)len);
	return ak_buf_put(b, s, len);
}

int
ak_buf_take(struct ak_buf *b, unsigned char **pp, size_t *lenp)
{
	int r = b->err;

	*pp = NULL;
	*lenp = 0;
	if (r == 0) {
		*pp = b->p;
		*lenp = b->len;
		b->p = NULL;
	}
	ak_buf_free(b);
	return r;
}

void
ak_buf_free(struct ak_buf *b)
{
	size_t max = b->max;

	if (b->p != NULL) {
		explicit_bzero(b->p, b->cap);
		free(b->p);
	}
	memset(b, 0, sizeof(*b));
	b->max = max;
}
