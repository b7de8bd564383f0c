/* ak_err and ak_log: every code has its own words; the sink is the front end's. */
#include "testutil.h"

#include "ak_err.h"
#include "ak_log.h"

static void
test_every_code_has_its_own_words(void **state)
{
	const char *seen[64];
	int r, i;

	(void)state;
	assert_string_equal(ak_err(0), "success");
	/* Codes run from -1 without gaps to the last, AK_ERR_NAMESPACE. */
	for (r = -1; r >= AK_ERR_NAMESPACE; r--) {
		const char *s = ak_err(r);

		if (strcmp(s, "unknown error") == 0)
			fail_msg("code %d has no words", r);
		for (i = -1; i > r; i--) {
			if (strcmp(seen[-i], s) == 0)
				fail_msg("codes %d and %d read the same", i, r);
		}
		seen[-r] = s;
	}
	assert_string_equal(ak_err(AK_ERR_NAMESPACE - 1), "unknown error");
	assert_string_equal(ak_err(1), "unknown error");
}

static int got_prio;
static void *got_ctx;

static void
sink(void *ctx, int prio, const char *fmt, va_list ap)
{
	got_ctx = ctx;
	got_prio = prio;
	vsnprintf(last_log, sizeof(last_log), fmt, ap);
}

static void
test_log_goes_to_the_sink_set(void **state)
{
	int marker;

	(void)state;
	ak_log_set(sink, &marker);
	ak_log(LOG_NOTICE, "login %s from %d", "deploy", 42);
	assert_ptr_equal(got_ctx, &marker);
	assert_int_equal(got_prio, LOG_NOTICE);
	assert_string_equal(last_log, "login deploy from 42");
	/* Back to syslog(3): our sink hears nothing more. */
	ak_log_set(NULL, NULL);
	got_prio = -1;
	ak_log(LOG_DEBUG, "to syslog");
	assert_int_equal(got_prio, -1);
	test_log_init();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_code_has_its_own_words),
		cmocka_unit_test(test_log_goes_to_the_sink_set),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
