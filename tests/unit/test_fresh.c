/* ak_fresh: the one freshness/outage rule and the outage memory. */
#include "testutil.h"

#include <sys/stat.h>

#include <time.h>
#include <unistd.h>

#include "ak_config.h"
#include "ak_err.h"
#include "ak_fresh.h"

static char dir[] = "/tmp/ak-test-fresh.XXXXXX";
static struct ak_config *cfg;

static int
setup(void **state)
{
	const char *conf = "url = https://k/%u\ntrusted_signers = /s\n"
	    "accounts = deploy\nrefresh_after = 60\nretry_after = 30\n";

	(void)state;
	test_log_init();
	if (mkdtemp(dir) == NULL)
		return -1;
	return ak_config_parse(conf, strlen(conf), "t", &cfg);
}

static int
teardown(void **state)
{
	(void)state;
	ak_config_free(cfg);
	run_ok("rm -rf %s", dir);
	return 0;
}

/* The one cache decision for an entry in a given state. */
static enum ak_cache_use
decide(int fresh, int answer, int signed_doc, time_t outage, time_t now,
    enum ak_ask ask, int failed)
{
	struct ak_cached_state st;

	st.fresh = fresh;
	st.has_answer = answer;
	st.has_signed = signed_doc;
	return ak_cache_decide(cfg, &st, outage, now, ask, failed);
}

static void
test_decide_table(void **state)
{
	time_t now = 1800000000;

	(void)state;
	/* Fresh with an answer: used, whatever the outage, when logins ask. */
	assert_int_equal(decide(1, 1, 1, 0, now, AK_ASK_IF_STALE, 0),
	    AK_CACHE_USE);
	assert_int_equal(decide(1, 1, 0, now - 1, now, AK_ASK_IF_STALE, 0),
	    AK_CACHE_USE);
	assert_int_equal(decide(1, 1, 1, 0, now, AK_ASK_ALWAYS, 0),
	    AK_CACHE_ASK);
	assert_int_equal(decide(1, 1, 1, 0, now, AK_ASK_FORCE, 0),
	    AK_CACHE_ASK);
	/* Fresh but nothing usable (expired, bad): ask. */
	assert_int_equal(decide(1, 0, 0, 0, now, AK_ASK_IF_STALE, 0),
	    AK_CACHE_ASK);
	/* Stale: ask, unless the store was found down < retry_after ago. */
	assert_int_equal(decide(0, 1, 1, 0, now, AK_ASK_IF_STALE, 0),
	    AK_CACHE_ASK);
	assert_int_equal(decide(0, 1, 1, now - 29, now, AK_ASK_IF_STALE, 0),
	    AK_CACHE_STALE);
	assert_int_equal(decide(0, 1, 1, now - 30, now, AK_ASK_IF_STALE, 0),
	    AK_CACHE_ASK);
	assert_int_equal(decide(0, 1, 1, now - 5, now, AK_ASK_ALWAYS, 0),
	    AK_CACHE_STALE);
	/* A cached 404 (or unsigned body) is never used stale. */
	assert_int_equal(decide(0, 1, 0, now - 5, now, AK_ASK_IF_STALE, 0),
	    AK_CACHE_NONE);
	/* The refresher asks, outage or not. */
	assert_int_equal(decide(0, 1, 1, now - 5, now, AK_ASK_FORCE, 0),
	    AK_CACHE_ASK);
	/* Asking failed: the signed document until #expires, or nothing. */
	assert_int_equal(decide(0, 1, 1, 0, now, AK_ASK_IF_STALE, 1),
	    AK_CACHE_STALE);
	assert_int_equal(decide(0, 0, 0, 0, now, AK_ASK_FORCE, 1),
	    AK_CACHE_NONE);
	/* No entry at all. */
	assert_int_equal(decide(0, 0, 0, 0, now, AK_ASK_IF_STALE, 0),
	    AK_CACHE_ASK);
	assert_int_equal(decide(0, 0, 0, now, now, AK_ASK_IF_STALE, 0),
	    AK_CACHE_NONE);
	/* The sweep: what verified, any age, never the store. */
	assert_int_equal(decide(0, 1, 1, 0, now, AK_ASK_NEVER, 0),
	    AK_CACHE_USE);
	assert_int_equal(decide(1, 1, 0, 0, now, AK_ASK_NEVER, 0),
	    AK_CACHE_NONE);
	/* A clock that went back: stale, and the outage is over. */
	assert_false(ak_fresh_is_fresh(cfg, now + 10, now));
	assert_false(ak_fresh_in_outage(cfg, now + 10, now));
	assert_false(ak_fresh_is_fresh(cfg, 0, now));
	assert_true(ak_fresh_is_fresh(cfg, now - 59, now));
	assert_false(ak_fresh_is_fresh(cfg, now - 60, now));
}

static void
test_zero_windows(void **state)
{
	const char *conf = "url = https://k/%u\ntrusted_signers = /s\n"
	    "accounts = deploy\nrefresh_after = 0\nretry_after = 0\n";
	struct ak_config *c0;
	time_t now = 1800000000;

	(void)state;
	assert_int_equal(ak_config_parse(conf, strlen(conf), "t", &c0), 0);
	assert_false(ak_fresh_is_fresh(c0, now, now));
	assert_false(ak_fresh_in_outage(c0, now, now));
	ak_config_free(c0);
}

static void
test_outage_memory(void **state)
{
	char why[64], path[600];
	time_t now = time(NULL);

	(void)state;
	assert_int_equal(ak_outage_read(dir, geteuid(), why, sizeof(why)), 0);
	assert_int_equal(ak_outage_record(dir, now, "deploy: timed out"), 0);
	assert_int_equal(ak_outage_read(dir, geteuid(), why, sizeof(why)), now);
	assert_string_equal(why, "deploy: timed out");
	/* A short buffer gets a truncated reason, never an overflow. */
	assert_int_equal(ak_outage_read(dir, geteuid(), why, 7), now);
	assert_string_equal(why, "deploy");
	snprintf(path, sizeof(path), "%s/outage", dir);
	{
		struct stat st;

		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
	}
	ak_outage_clear(dir);
	assert_int_equal(ak_outage_read(dir, geteuid(), NULL, 0), 0);
	ak_outage_clear(dir);	/* twice is fine */
}

static void
test_outage_garbage_and_trust(void **state)
{
	char why[64], path[600];

	(void)state;
	snprintf(path, sizeof(path), "%s/outage", dir);
	run_ok("printf 'soon\\n' > %s", path);
	assert_int_equal(ak_outage_read(dir, geteuid(), why, sizeof(why)), 0);
	run_ok("printf '99999999999999999999999 x\\n' > %s", path);
	assert_int_equal(ak_outage_read(dir, geteuid(), why, sizeof(why)), 0);
	run_ok("printf '123 a\\001b\\n' > %s", path);
	assert_int_equal(ak_outage_read(dir, geteuid(), why, sizeof(why)), 123);
	assert_string_equal(why, "");	/* control characters: no reason */
	/* Writable by others: not believed. */
	run_ok("printf '123 x\\n' > %s && chmod 666 %s", path, path);
	assert_int_equal(ak_outage_read(dir, geteuid(), why, sizeof(why)), 0);
	/* A FIFO: not read, no hang. */
	unlink(path);
	run_ok("mkfifo %s", path);
	assert_int_equal(ak_outage_read(dir, geteuid(), why, sizeof(why)), 0);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decide_table),
		cmocka_unit_test(test_zero_windows),
		cmocka_unit_test(test_outage_memory),
		cmocka_unit_test(test_outage_garbage_and_trust),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
