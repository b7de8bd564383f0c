/* ak_sha256: the libc-only SHA-256 against NIST vectors. */
#include "testutil.h"

#include <openssl/sha.h>

#include "ak_err.h"
#include "ak_sha256.h"

static void
test_fips_vectors(void **state)
{
	static const unsigned char abc[32] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41,
		0x40, 0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3,
		0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00,
		0x15, 0xad
	};
	unsigned char d[32];
	char hex[AK_SHA256_HEX];

	(void)state;
	ak_sha256("abc", 3, d);
	assert_memory_equal(d, abc, 32);
	ak_sha256_hex(d, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
}

/* Against OpenSSL for every length around the block boundaries. */
static void
test_against_openssl(void **state)
{
	unsigned char buf[300], d1[32], d2[32];
	struct ak_sha256 c;
	size_t len, i;

	(void)state;
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 131 + 7);
	for (len = 0; len <= sizeof(buf); len++) {
		ak_sha256(buf, len, d1);
		SHA256(buf, len, d2);
		assert_memory_equal(d1, d2, 32);
		/* Fed in odd pieces. */
		ak_sha256_init(&c);
		for (i = 0; i < len; i += 13)
			ak_sha256_update(&c, buf + i, len - i < 13 ? len - i : 13);
		ak_sha256_final(&c, d1);
		assert_memory_equal(d1, d2, 32);
	}
}

static void
test_unhex(void **state)
{
	unsigned char h[AK_SHA256_LEN], back[AK_SHA256_LEN];
	char hex[AK_SHA256_HEX], bad[AK_SHA256_HEX];
	size_t i;

	(void)state;
	ak_sha256("abc", 3, h);
	ak_sha256_hex(h, hex);
	assert_int_equal(ak_sha256_unhex(hex, strlen(hex), back), 0);
	assert_memory_equal(h, back, sizeof(h));
	assert_int_equal(ak_sha256_unhex(hex, strlen(hex) - 1, back),
	    AK_ERR_FORMAT);
	/* Only 0-9a-f: not upper case, not the ASCII between '9' and 'a'. */
	for (i = 0; i < 6; i++) {
		memcpy(bad, hex, sizeof(bad));
		bad[10] = ":;<=>?"[i];
		assert_int_equal(ak_sha256_unhex(bad, strlen(bad), back),
		    AK_ERR_FORMAT);
	}
	memcpy(bad, hex, sizeof(bad));
	bad[0] = 'A';
	assert_int_equal(ak_sha256_unhex(bad, strlen(bad), back),
	    AK_ERR_FORMAT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fips_vectors),
		cmocka_unit_test(test_against_openssl),
		cmocka_unit_test(test_unhex),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
