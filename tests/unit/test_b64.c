/* ak_b64: strict base64 of key blobs and fingerprints. */
#include "testutil.h"

#include "ak_b64.h"

static void
test_roundtrip(void **state)
{
	unsigned char in[64], out[64];
	char enc[128];
	size_t len;
	long n;

	(void)state;
	for (len = 0; len < sizeof(in); len++) {
		in[len] = (unsigned char)(len * 37 + 11);
		assert_true(ak_b64_encode(in, len, enc, sizeof(enc), 1) >= 0);
		n = ak_b64_decode(enc, strlen(enc), out, sizeof(out));
		assert_int_equal(n, (long)len);
		assert_memory_equal(in, out, len);
		assert_true(ak_b64_encode(in, len, enc, sizeof(enc), 0) >= 0);
		assert_null(strchr(enc, '='));
		n = ak_b64_decode(enc, strlen(enc), out, sizeof(out));
		assert_int_equal(n, (long)len);
	}
}

static void
test_vectors(void **state)
{
	char enc[32];
	unsigned char out[16];

	(void)state;
	assert_int_equal(ak_b64_encode((const unsigned char *)"foobar", 6, enc,
	    sizeof(enc), 1), 8);
	assert_string_equal(enc, "Zm9vYmFy");
	assert_int_equal(ak_b64_encode((const unsigned char *)"fo", 2, enc,
	    sizeof(enc), 1), 4);
	assert_string_equal(enc, "Zm8=");
	assert_int_equal(ak_b64_decode("Zm8=", 4, out, sizeof(out)), 2);
	assert_memory_equal(out, "fo", 2);
}

static void
test_rejects(void **state)
{
	unsigned char out[16];
	char enc[8];

	(void)state;
	assert_int_equal(ak_b64_decode("Zm9v!mFy", 8, out, sizeof(out)), -1);
	assert_int_equal(ak_b64_decode("Z", 1, out, sizeof(out)), -1);
	assert_int_equal(ak_b64_decode("Zm9=", 4, out, sizeof(out)), -1);
	assert_int_equal(ak_b64_decode("Zm9vYmFy", 8, out, 3), -1);
	assert_int_equal(ak_b64_decode("Zm 9", 4, out, sizeof(out)), -1);
	/* Exact fit and one short for the output buffer. */
	assert_int_equal(ak_b64_encode((const unsigned char *)"foobar", 6, enc,
	    sizeof(enc), 0), -1);
	assert_int_equal(ak_b64_encode((const unsigned char *)"fooba", 5, enc,
	    sizeof(enc), 0), 7);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
