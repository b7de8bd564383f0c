/*
 * ak_fetch against a small HTTP/1.1 server of the test's own on 127.0.0.1:
 * statuses, ETags and If-None-Match, bounds, time-outs, redirects, the
 * environment ignored, connection reuse, file:// and the CA bundle check.
 * HTTPS itself is exercised against nginx by the integration suite.
 */
#include "testutil.h"
#include "httputil.h"

#include <sys/stat.h>

#include <time.h>
#include <unistd.h>

#include "ak_err.h"
#include "ak_fetch.h"
#include "ak_time.h"

/* Answers the test's own paths; "/doc" has the fixed ETag "v1". */
static int
answer(int c, const char *path, const char *req)
{
	char resp[8192], big[5000];
	const char *end = strstr(req, "\r\n\r\n"), *inm;

	inm = strcasestr(req, "If-None-Match: \"v1\"");
	if (strcmp(path, "/doc") == 0 && inm != NULL && inm < end)
		snprintf(resp, sizeof(resp), "HTTP/1.1 304 Not Modified"
		    "\r\nETag: \"v1\"\r\n\r\n");
	else if (strcmp(path, "/doc") == 0)
		snprintf(resp, sizeof(resp), "HTTP/1.1 200 OK\r\n"
		    "ETag: \"v1\"\r\nContent-Length: 6\r\n\r\nhello\n");
	else if (strcmp(path, "/oddetag") == 0)
		snprintf(resp, sizeof(resp), "HTTP/1.1 200 OK\r\n"
		    "ETag: \"a b\"\r\nContent-Length: 2\r\n\r\nok");
	else if (strcmp(path, "/error") == 0)
		snprintf(resp, sizeof(resp), "HTTP/1.1 503 Busy\r\n"
		    "Content-Length: 0\r\n\r\n");
	else if (strcmp(path, "/big") == 0)
		snprintf(resp, sizeof(resp), "HTTP/1.1 200 OK\r\n"
		    "Content-Length: 5000\r\n\r\n");
	else if (strcmp(path, "/bigchunked") == 0)
		snprintf(resp, sizeof(resp), "HTTP/1.1 200 OK\r\n"
		    "Transfer-Encoding: chunked\r\n\r\n1388\r\n");
	else if (strcmp(path, "/redirect") == 0)
		snprintf(resp, sizeof(resp), "HTTP/1.1 302 Found\r\n"
		    "Location: /doc\r\nETag: \"r\"\r\n"
		    "Content-Length: 0\r\n\r\n");
	else if (strcmp(path, "/tofile") == 0)
		snprintf(resp, sizeof(resp), "HTTP/1.1 302 Found\r\n"
		    "Location: file:///etc/passwd\r\n"
		    "Content-Length: 0\r\n\r\n");
	else if (strcmp(path, "/loop") == 0)
		snprintf(resp, sizeof(resp), "HTTP/1.1 302 Found\r\n"
		    "Location: /loop\r\nContent-Length: 0\r\n\r\n");
	else if (strcmp(path, "/hang") == 0) {
		sleep(30);
		_exit(0);
	} else if (strcmp(path, "/nothing-here-400") == 0)
		snprintf(resp, sizeof(resp), "HTTP/1.1 400 Bad\r\n"
		    "Content-Length: 0\r\n\r\n");
	else
		return 0;	/* files: /missing is a 404 */
	if (write(c, resp, strlen(resp)) < 0)
		_exit(0);
	if (strncmp(path, "/big", 4) == 0) {
		memset(big, 'x', sizeof(big));
		if (write(c, big, sizeof(big)) < 0)
			_exit(0);
		_exit(0);
	}
	return 1;
}

static int
server_setup(void **state)
{
	char www[128];

	if (test_dir_setup(state) != 0 || ak_fetch_global_init() != 0)
		return -1;
	snprintf(www, sizeof(www), "%s/www", test_dir);
	if (mkdir(www, 0755) != 0)
		return -1;
	http_hook = answer;
	return http_start(www);
}

static int
server_teardown(void **state)
{
	http_stop();
	return test_dir_teardown(state);
}

static int
fetch(const char *path, const char *etag, long timeout_ms, size_t max,
    struct ak_fetch_result *res)
{
	char url[256];

	snprintf(url, sizeof(url), "%s%s", http_base, path);
	return ak_fetch(NULL, NULL, url, etag, timeout_ms, max, res);
}

static int
connections(void)
{
	return http_count('c');
}

static void
test_200_body_and_etag(void **state)
{
	struct ak_fetch_result res;

	(void)state;
	assert_int_equal(fetch("/doc", NULL, 2000, 1000, &res), 0);
	assert_int_equal(res.status, 200);
	assert_int_equal(res.len, 6);
	assert_string_equal(res.body, "hello\n");
	assert_string_equal(res.etag, "\"v1\"");
	ak_fetch_result_clear(&res);
	assert_null(res.body);
}

static void
test_304_with_if_none_match(void **state)
{
	struct ak_fetch_result res;

	(void)state;
	assert_int_equal(fetch("/doc", "\"v1\"", 2000, 1000, &res), 0);
	assert_int_equal(res.status, 304);
	assert_null(res.body);
	/* Another ETag: the full document. */
	assert_int_equal(fetch("/doc", "\"v0\"", 2000, 1000, &res), 0);
	assert_int_equal(res.status, 200);
	ak_fetch_result_clear(&res);
}

static void
test_404_and_other_statuses(void **state)
{
	struct ak_fetch_result res;

	(void)state;
	assert_int_equal(fetch("/missing", NULL, 2000, 1000, &res), 0);
	assert_int_equal(res.status, 404);
	assert_null(res.body);
	assert_int_equal(fetch("/error", NULL, 2000, 1000, &res),
	    AK_ERR_UNAVAILABLE);
	assert_non_null(strstr(last_log, "HTTP status 503"));
	assert_int_equal(fetch("/nothing-here-400", NULL, 2000, 1000, &res),
	    AK_ERR_UNAVAILABLE);
}

static void
test_odd_etag_is_not_kept(void **state)
{
	struct ak_fetch_result res;

	(void)state;
	assert_int_equal(fetch("/oddetag", NULL, 2000, 1000, &res), 0);
	assert_int_equal(res.status, 200);
	assert_string_equal(res.etag, "");
	ak_fetch_result_clear(&res);
}

static void
test_size_bound(void **state)
{
	struct ak_fetch_result res;

	(void)state;
	assert_int_equal(fetch("/big", NULL, 2000, 1000, &res),
	    AK_ERR_TOO_LARGE);
	assert_null(res.body);
	/* Without a Content-Length, refused while it streams in. */
	assert_int_equal(fetch("/bigchunked", NULL, 2000, 1000, &res),
	    AK_ERR_TOO_LARGE);
	assert_int_equal(fetch("/doc", NULL, 2000, 6, &res), 0);
	ak_fetch_result_clear(&res);
	assert_int_equal(fetch("/doc", NULL, 2000, 5, &res),
	    AK_ERR_TOO_LARGE);
}

static void
test_timeout_is_kept(void **state)
{
	struct ak_fetch_result res;
	long long t0 = ak_now_ms();

	(void)state;
	assert_int_equal(fetch("/hang", NULL, 300, 1000, &res),
	    AK_ERR_TIMEOUT);
	assert_true(ak_now_ms() - t0 < 2000);
	assert_int_equal(fetch("/doc", NULL, 0, 1000, &res), AK_ERR_TIMEOUT);
}

static void
test_redirects(void **state)
{
	struct ak_fetch_result res;

	(void)state;
	/* Same scheme: followed, and the ETag is the final response's. */
	assert_int_equal(fetch("/redirect", NULL, 2000, 1000, &res), 0);
	assert_int_equal(res.status, 200);
	assert_string_equal(res.etag, "\"v1\"");
	ak_fetch_result_clear(&res);
	/* To another scheme, or round and round: refused. */
	assert_int_equal(fetch("/tofile", NULL, 2000, 1000, &res),
	    AK_ERR_UNAVAILABLE);
	assert_null(res.body);
	assert_int_equal(fetch("/loop", NULL, 2000, 1000, &res),
	    AK_ERR_UNAVAILABLE);
}

static void
test_unreachable_and_bad_urls(void **state)
{
	struct ak_fetch_result res;
	char url[64];

	(void)state;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/doc", 1);
	assert_int_equal(ak_fetch(NULL, NULL, url, NULL, 2000, 1000, &res),
	    AK_ERR_UNAVAILABLE);
	assert_int_equal(ak_fetch(NULL, NULL, "ftp://127.0.0.1/doc", NULL,
	    2000, 1000, &res), AK_ERR_CONFIG);
	assert_int_equal(ak_fetch(NULL, NULL, "/etc/passwd", NULL, 2000,
	    1000, &res), AK_ERR_CONFIG);
}

static void
test_environment_ignored(void **state)
{
	struct ak_fetch_result res;

	(void)state;
	/* A proxy set in the host process's environment is not used. */
	setenv("http_proxy", "http://127.0.0.1:1", 1);
	setenv("ALL_PROXY", "http://127.0.0.1:1", 1);
	assert_int_equal(fetch("/doc", NULL, 2000, 1000, &res), 0);
	assert_int_equal(res.status, 200);
	ak_fetch_result_clear(&res);
	unsetenv("http_proxy");
	unsetenv("ALL_PROXY");
}

static void
test_fetcher_reuses_connection(void **state)
{
	struct ak_fetcher *f = NULL;
	struct ak_fetch_result res;
	char url[256];
	int before, i;

	(void)state;
	assert_int_equal(ak_fetcher_new(&f), 0);
	snprintf(url, sizeof(url), "%s/doc", http_base);
	before = connections();
	for (i = 0; i < 3; i++) {
		assert_int_equal(ak_fetch(f, NULL, url, i == 2 ? "\"v1\"" :
		    NULL, 2000, 1000, &res), 0);
		assert_int_equal(res.status, i == 2 ? 304 : 200);
		ak_fetch_result_clear(&res);
	}
	assert_int_equal(connections() - before, 1);
	ak_fetcher_free(f);
	ak_fetcher_free(NULL);
}

static void
test_file_urls(void **state)
{
	struct ak_fetch_result res;
	char url[256];

	(void)state;
	test_file("doc", "from a file\n");
	snprintf(url, sizeof(url), "file://%s/doc", test_dir);
	assert_int_equal(ak_fetch(NULL, NULL, url, NULL, 2000, 1000, &res),
	    0);
	assert_int_equal(res.status, 200);
	assert_string_equal(res.body, "from a file\n");
	ak_fetch_result_clear(&res);
	snprintf(url, sizeof(url), "file://%s/none", test_dir);
	assert_int_equal(ak_fetch(NULL, NULL, url, NULL, 2000, 1000, &res),
	    0);
	assert_int_equal(res.status, 404);
}

static void
test_ca_file_must_be_roots(void **state)
{
	struct ak_fetch_result res;
	char url[256], ca[256];

	(void)state;
	snprintf(url, sizeof(url), "%s/doc", http_base);
	snprintf(ca, sizeof(ca), "%s/ca/ca.pem", test_dir);
	run_ok("mkdir -p %s/ca && chmod 755 %s %s/ca && "
	    "cp /etc/ssl/certs/ca-certificates.crt %s", test_dir, test_dir,
	    test_dir, ca);
	if (geteuid() != 0)
		skip();
	/* Root's and not writable by others: used (here: plain HTTP). */
	assert_int_equal(ak_fetch(NULL, ca, url, NULL, 2000, 1000, &res), 0);
	ak_fetch_result_clear(&res);
	/* Anyone could swap it: the store is not asked at all. */
	run_ok("chmod 777 %s/ca", test_dir);
	assert_int_equal(ak_fetch(NULL, ca, url, NULL, 2000, 1000, &res),
	    AK_ERR_PERM);
	assert_non_null(strstr(last_log, "store not asked"));
	run_ok("chmod 755 %s/ca && chown nobody %s", test_dir, ca);
	assert_int_equal(ak_fetch(NULL, ca, url, NULL, 2000, 1000, &res),
	    AK_ERR_PERM);
	run_ok("rm %s", ca);
	assert_int_equal(ak_fetch(NULL, ca, url, NULL, 2000, 1000, &res),
	    AK_ERR_UNAVAILABLE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_200_body_and_etag),
		cmocka_unit_test(test_304_with_if_none_match),
		cmocka_unit_test(test_404_and_other_statuses),
		cmocka_unit_test(test_odd_etag_is_not_kept),
		cmocka_unit_test(test_size_bound),
		cmocka_unit_test(test_timeout_is_kept),
		cmocka_unit_test(test_redirects),
		cmocka_unit_test(test_unreachable_and_bad_urls),
		cmocka_unit_test(test_environment_ignored),
		cmocka_unit_test(test_fetcher_reuses_connection),
		cmocka_unit_test(test_file_urls),
		cmocka_unit_test(test_ca_file_must_be_roots),
	};

	return cmocka_run_group_tests(tests, server_setup, server_teardown);
}
