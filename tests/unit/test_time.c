/* ak_time: RFC 3339 UTC stamps of documents and the monotonic clock. */
#include "testutil.h"

#include <time.h>

#include "ak_err.h"
#include "ak_time.h"

static void
test_parse_and_format(void **state)
{
	time_t t;
	char out[21];

	(void)state;
	assert_int_equal(ak_time_parse("1970-01-01T00:00:00Z", 20, &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(ak_time_parse("2024-02-29T23:59:59Z", 20, &t), 0);
	ak_time_format(t, out);
	assert_string_equal(out, "2024-02-29T23:59:59Z");
	assert_int_equal(ak_time_parse("2023-02-29T00:00:00Z", 20, &t),
	    AK_ERR_FORMAT);
	assert_int_equal(ak_time_parse("2023-01-01T24:00:00Z", 20, &t),
	    AK_ERR_FORMAT);
	assert_int_equal(ak_time_parse("2023-01-01t00:00:00Z", 20, &t),
	    AK_ERR_FORMAT);
}

static void
test_parse_refuses_near_misses(void **state)
{
	const char *bad[] = {
		"2026-11-25T10:00:00", "2026-11-25T10:00:00+00:00",
		"2026-11-25 10:00:00Z", "2026-13-01T00:00:00Z",
		"2026-00-10T00:00:00Z", "2026-04-31T00:00:00Z",
		"2026-11-25T10:60:00Z", "2026-11-25T10:00:61Z",
		"2026-11-25T1:00:00ZZ", "+026-11-25T10:00:00Z",
		"2026-11-25T10:00:0 Z", "2026-11-2\x00T10:00:00Z",
	};
	size_t i;
	time_t t = 7;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (ak_time_parse(bad[i], 20, &t) != AK_ERR_FORMAT)
			fail_msg("accepted \"%s\"", bad[i]);
	}
	assert_int_equal(t, 7);	/* untouched on failure */
	assert_int_equal(ak_time_parse("2026-11-25T10:00:00Z", 19, &t),
	    AK_ERR_FORMAT);
	assert_int_equal(ak_time_parse("2026-11-25T10:00:00Z", 20, &t), 0);
	assert_int_equal(t, 1795600800);
}

static void
test_format_round_trip(void **state)
{
	char out[21];
	time_t t, back;

	(void)state;
	for (t = 0; t < 4000000000LL; t += 123456789) {
		ak_time_format(t, out);
		assert_int_equal(strlen(out), 20);
		assert_int_equal(ak_time_parse(out, 20, &back), 0);
		assert_int_equal(back, t);
	}
}

static void
test_now_ms_is_monotonic(void **state)
{
	long long a, b;
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	(void)state;
	a = ak_now_ms();
	nanosleep(&ts, NULL);
	b = ak_now_ms();
	assert_true(b - a >= 20);
	assert_true(b - a < 5000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_and_format),
		cmocka_unit_test(test_parse_refuses_near_misses),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_now_ms_is_monotonic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
