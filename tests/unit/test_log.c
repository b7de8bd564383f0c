/* ak_log: the core's one sink, the front end's choice. */
#include "testutil.h"

#include "ak_log.h"

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
		cmocka_unit_test(test_log_goes_to_the_sink_set),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
