/* Bounded reader for SSH wire encoding (RFC 4251 uint32 and string). */
#ifndef AK_WIRE_H
#define AK_WIRE_H

#include <stddef.h>
#include <stdint.h>

struct ak_wire {
	const unsigned char *p;
	size_t len;
};

/* Each returns 0, or AK_ERR_FORMAT when the input is too short. */
int ak_wire_u8(struct ak_wire *w, uint8_t *v);
int ak_wire_u32(struct ak_wire *w, uint32_t *v);
/* Points *s at the string inside the buffer (not copied, not terminated). */
int ak_wire_string(struct ak_wire *w, const unsigned char **s, size_t *len);
/* Reads a string and checks it equals the C string want. */
int ak_wire_expect(struct ak_wire *w, const char *want);
/* Reads an mpint that must be positive; strips the leading zero byte. */
int ak_wire_mpint(struct ak_wire *w, const unsigned char **s, size_t *len);

#endif
