/* ak_wire: the bounded reader of SSH wire encoding. */
#include "testutil.h"

#include <stdint.h>

#include "ak_err.h"
#include "ak_wire.h"

static void
test_wire_bounds(void **state)
{
	const unsigned char buf[] = { 0, 0, 0, 3, 'a', 'b', 'c', 0, 0, 0, 9,
	    'x' };
	const unsigned char mp[] = { 0, 0, 0, 2, 0, 0x80, 0, 0, 0, 1, 0x80 };
	struct ak_wire w = { buf, sizeof(buf) };
	const unsigned char *s;
	size_t len;
	uint32_t v;

	(void)state;
	assert_int_equal(ak_wire_string(&w, &s, &len), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(s, "abc", 3);
	/* A length past the end is refused, not read. */
	assert_int_equal(ak_wire_string(&w, &s, &len), AK_ERR_FORMAT);
	w.p = buf;
	w.len = 3;
	assert_int_equal(ak_wire_u32(&w, &v), AK_ERR_FORMAT);
	w.p = buf;
	w.len = sizeof(buf);
	assert_int_equal(ak_wire_expect(&w, "abc"), 0);
	w.p = buf;
	w.len = sizeof(buf);
	assert_int_equal(ak_wire_expect(&w, "abd"), AK_ERR_FORMAT);
	w.p = mp;
	w.len = sizeof(mp);
	assert_int_equal(ak_wire_mpint(&w, &s, &len), 0);
	assert_int_equal(len, 1);	/* the leading zero stripped */
	assert_int_equal(s[0], 0x80);
	/* 0x80 without its zero byte would be negative: refused. */
	assert_int_equal(ak_wire_mpint(&w, &s, &len), AK_ERR_FORMAT);
}

static void
test_wire_lengths_that_overflow(void **state)
{
	/* 0xffffffff would wrap a careless "p + len" check. */
	const unsigned char huge[] = { 0xff, 0xff, 0xff, 0xff, 'a' };
	const unsigned char empty[] = { 0, 0, 0, 0 };
	const unsigned char zero_mp[] = { 0, 0, 0, 1, 0 };
	struct ak_wire w = { huge, sizeof(huge) };
	const unsigned char *s;
	size_t len;
	uint32_t v;

	(void)state;
	assert_int_equal(ak_wire_string(&w, &s, &len), AK_ERR_FORMAT);
	w.p = huge;
	w.len = sizeof(huge);
	assert_int_equal(ak_wire_u32(&w, &v), 0);
	assert_int_equal(v, 0xffffffffu);
	assert_int_equal(w.len, 1);
	w.p = empty;
	w.len = sizeof(empty);
	assert_int_equal(ak_wire_string(&w, &s, &len), 0);
	assert_int_equal(len, 0);
	assert_int_equal(w.len, 0);
	assert_int_equal(ak_wire_u32(&w, &v), AK_ERR_FORMAT);
	/* An empty or zero mpint is not a positive number. */
	w.p = empty;
	w.len = sizeof(empty);
	assert_int_equal(ak_wire_mpint(&w, &s, &len), AK_ERR_FORMAT);
	w.p = zero_mp;
	w.len = sizeof(zero_mp);
	assert_int_equal(ak_wire_mpint(&w, &s, &len), AK_ERR_FORMAT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wire_bounds),
		cmocka_unit_test(test_wire_lengths_that_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
