/* ak_url: the %u template of store URLs. */
#include "testutil.h"

#include "ak_err.h"
#include "ak_url.h"

static void
test_url_expand(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(ak_url_expand("https://k/v1/%u?a=%%20", "de.ploy",
	    out, sizeof(out)), 0);
	assert_string_equal(out, "https://k/v1/de.ploy?a=%20");
	assert_int_equal(ak_url_expand("https://k/%u", "a b", out,
	    sizeof(out)), 0);
	assert_string_equal(out, "https://k/a%20b");
	assert_int_equal(ak_url_expand("https://k/%u", "abcdef", out, 12),
	    AK_ERR_TOO_LARGE);
}

static void
test_url_template_errors(void **state)
{
	char out[64];

	(void)state;
	/* Only %u and %% exist; anything else is a config error. */
	assert_int_equal(ak_url_expand("https://k/%s", "deploy", out,
	    sizeof(out)), AK_ERR_CONFIG);
	assert_int_equal(ak_url_expand("https://k/%", "deploy", out,
	    sizeof(out)), AK_ERR_CONFIG);
	/* The list's URL has no account to put in. */
	assert_int_equal(ak_url_expand("https://k/%u", NULL, out,
	    sizeof(out)), AK_ERR_CONFIG);
	assert_int_equal(ak_url_expand("https://k/list", NULL, out,
	    sizeof(out)), 0);
	assert_string_equal(out, "https://k/list");
	/* Exactly full: the terminator must fit too. */
	assert_int_equal(ak_url_expand("abc", NULL, out, 4), 0);
	assert_int_equal(ak_url_expand("abcd", NULL, out, 4),
	    AK_ERR_TOO_LARGE);
}

static void
test_url_encodes_everything_odd(void **state)
{
	char out[128];

	(void)state;
	/* Whatever NSS calls an account, it cannot leave its path segment. */
	assert_int_equal(ak_url_expand("https://k/%u", "../a/b?c#d", out,
	    sizeof(out)), 0);
	assert_string_equal(out, "https://k/..%2Fa%2Fb%3Fc%23d");
	assert_int_equal(ak_url_expand("https://k/%u", "d\xc3\xa9 %", out,
	    sizeof(out)), 0);
	assert_string_equal(out, "https://k/d%C3%A9%20%25");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_expand),
		cmocka_unit_test(test_url_template_errors),
		cmocka_unit_test(test_url_encodes_everything_odd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
