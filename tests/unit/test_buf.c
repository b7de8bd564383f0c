/* ak_buf: the one growable buffer, bounded, with a sticky error. */
#include "testutil.h"

#include "ak_buf.h"
#include "ak_err.h"

static void
test_puts_and_take(void **state)
{
	struct ak_buf b;
	unsigned char *p;
	size_t len;

	(void)state;
	ak_buf_init(&b, 64);
	assert_int_equal(ak_buf_put(&b, NULL, 0), 0);	/* nothing: fine */
	assert_null(b.p);
	ak_buf_put_u8(&b, 0xab);
	ak_buf_put_u32(&b, 0x01020304);
	ak_buf_put_u64(&b, 0x05060708090a0b0cULL);
	ak_buf_put_string(&b, "xy", 2);
	assert_int_equal(b.err, 0);
	assert_int_equal(ak_buf_take(&b, &p, &len), 0);
	assert_int_equal(len, 1 + 4 + 8 + 4 + 2);
	assert_memory_equal(p, "\xab\x01\x02\x03\x04\x05\x06\x07\x08\x09"
	    "\x0a\x0b\x0c\x00\x00\x00\x02xy", len);
	free(p);
	assert_null(b.p);
	assert_int_equal(b.len, 0);
}

static void
test_bound_and_sticky_error(void **state)
{
	struct ak_buf b;
	unsigned char big[100], *p;
	size_t len;

	(void)state;
	memset(big, 'a', sizeof(big));
	ak_buf_init(&b, 10);
	assert_int_equal(ak_buf_put(&b, big, 10), 0);
	assert_int_equal(ak_buf_put(&b, big, 1), AK_ERR_TOO_LARGE);
	/* Once failed, every append fails and nothing is handed over. */
	assert_int_equal(ak_buf_put_u8(&b, 1), AK_ERR_TOO_LARGE);
	assert_int_equal(b.len, 10);
	assert_int_equal(ak_buf_take(&b, &p, &len), AK_ERR_TOO_LARGE);
	assert_null(p);
	assert_int_equal(len, 0);
	ak_buf_init(&b, 1000);
	assert_int_equal(ak_buf_reserve(&b, 2000), AK_ERR_TOO_LARGE);
	ak_buf_free(&b);
	/* Growth past the first chunk keeps what was there. */
	ak_buf_init(&b, 100000);
	for (len = 0; len < 1000; len++)
		ak_buf_put(&b, big, 50);
	assert_int_equal(b.err, 0);
	assert_int_equal(b.len, 50000);
	assert_true(b.cap <= 100000);
	assert_int_equal(b.p[49999], 'a');
	ak_buf_free(&b);
	assert_null(b.p);
	assert_int_equal(b.max, 100000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_puts_and_take),
		cmocka_unit_test(test_bound_and_sticky_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
