/* ak_err: every code has its own words, and the codes have no gaps. */
#include "testutil.h"

#include "ak_err.h"

static void
test_every_code_has_its_own_words(void **state)
{
	const char *seen[64];
	int r, i;

	(void)state;
	assert_string_equal(ak_err(0), "success");
	/* Codes run from -1 without gaps to AK_ERR_LAST. */
	for (r = -1; r >= AK_ERR_LAST; r--) {
		const char *s = ak_err(r);

		if (strcmp(s, "unknown error") == 0)
			fail_msg("code %d has no words", r);
		for (i = -1; i > r; i--) {
			if (strcmp(seen[-i], s) == 0)
				fail_msg("codes %d and %d read the same", i, r);
		}
		seen[-r] = s;
	}
	assert_string_equal(ak_err(AK_ERR_LAST - 1), "unknown error");
	assert_string_equal(ak_err(1), "unknown error");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_code_has_its_own_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
