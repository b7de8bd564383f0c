/*
 * ak_resolve's decisions, through file:// stores (no server needed): the
 * freshness rule, stale-if-unavailable, expiry, rollback, the list failing
 * closed, outage memory, the sweep's no-network mode, the module's trust
 * split, and what a fetch leaves behind (index, KRL).
 */
#include "testutil.h"
#include "storeutil.h"
#include "httputil.h"

#include <sys/stat.h>

#include <time.h>
#include <unistd.h>

#include "ak_cache.h"
#include "ak_config.h"
#include "ak_err.h"
#include "ak_fetch.h"
#include "ak_fresh.h"
#include "ak_index.h"
#include "ak_resolve.h"
#include "ak_time.h"

/* One resolve of deploy; returns its code, the serial and the source. */
static int
resolve(const struct ak_config *cfg, enum ak_ask ask,
    unsigned long long *serial, char *source, size_t srclen)
{
	struct ak_resolver rv;
	struct ak_result res;
	int r;

	*serial = 0;
	source[0] = '\0';
	assert_int_equal(ak_resolver_init(&rv, cfg, ask), 0);
	if ((r = ak_resolve(&rv, "deploy", &res)) == 0) {
		*serial = res.doc != NULL ? res.doc->serial : 0;
		snprintf(source, srclen, "%s", ak_source_str(res.source));
		ak_result_clear(&res);
	}
	ak_resolver_clear(&rv);
	return r;
}

/* What the keyset of deploy says of every key: AK_ADMIT, or why not. */
static enum ak_verdict
admitted(const struct ak_config *cfg)
{
	struct ak_resolver rv;
	struct ak_result res;
	enum ak_verdict v;

	assert_int_equal(ak_resolver_init(&rv, cfg, AK_ASK_IF_STALE), 0);
	assert_int_equal(ak_resolve(&rv, "deploy", &res), 0);
	v = res.ks->all;
	ak_result_clear(&res);
	ak_resolver_clear(&rv);
	return v;
}

static void
test_store_then_cache(void **state)
{
	struct ak_config *cfg = config("refresh_after = 60\n");
	unsigned long long s;
	char src[64];

	(void)state;
	fresh_start();
	publish("deploy", "deploy", 3, "2099-01-01T00:00:00Z", "cat k1.pub");
	assert_int_equal(resolve(cfg, AK_ASK_IF_STALE, &s, src, sizeof(src)),
	    0);
	assert_string_equal(src, "store");
	assert_int_equal(s, 3);
	publish("deploy", "deploy", 4, "2099-01-01T00:00:00Z", "cat k2.pub");
	assert_int_equal(resolve(cfg, AK_ASK_IF_STALE, &s, src, sizeof(src)),
	    0);
	assert_string_equal(src, "cache");	/* fresh: no store */
	assert_int_equal(s, 3);
	assert_int_equal(resolve(cfg, AK_ASK_ALWAYS, &s, src, sizeof(src)),
	    0);
	assert_string_equal(src, "store");	/* revalidate=always */
	assert_int_equal(s, 4);
	ak_config_free(cfg);
}

static void
test_404_means_no_keys(void **state)
{
	struct ak_config *cfg = config("refresh_after = 0\n");
	unsigned long long s;
	char src[64];

	(void)state;
	fresh_start();
	assert_int_equal(resolve(cfg, AK_ASK_IF_STALE, &s, src, sizeof(src)),
	    0);
	assert_string_equal(src, "store");
	assert_int_equal(s, 0);
	ak_config_free(cfg);
}

static void
test_stale_if_unavailable_until_expiry(void **state)
{
	struct ak_config *cfg = config("refresh_after = 0\nretry_after = 0\n");
	unsigned long long s;
	char src[64], path[700];

	(void)state;
	fresh_start();
	publish("deploy", "deploy", 5, "2099-01-01T00:00:00Z", "cat k1.pub");
	assert_int_equal(resolve(cfg, AK_ASK_IF_STALE, &s, src, sizeof(src)),
	    0);
	/* The store serves garbage: unavailable; the cache until #expires. */
	snprintf(path, sizeof(path), "%s/deploy", store);
	run_ok("echo garbage > %s", path);
	assert_int_equal(resolve(cfg, AK_ASK_IF_STALE, &s, src, sizeof(src)),
	    0);
	assert_string_equal(src, "stale cache");
	assert_int_equal(s, 5);
	/* A rolled-back document is refused the same way. */
	publish("deploy", "deploy", 2, "2099-01-01T00:00:00Z", "cat k2.pub");
	assert_int_equal(resolve(cfg, AK_ASK_IF_STALE, &s, src, sizeof(src)),
	    0);
	assert_string_equal(src, "stale cache");
	assert_int_equal(s, 5);
	assert_non_null(strstr(last_log, "serial 5"));
	ak_config_free(cfg);
}

static void
test_expired_cache_never_used(void **state)
{
	struct ak_config *cfg = config("refresh_after = 0\nretry_after = 0\n");
	unsigned long long s;
	char src[64], exp[32], path[700];
	time_t soon = time(NULL) + 2;

	(void)state;
	fresh_start();
	ak_time_format(soon, exp);
	publish("deploy", "deploy", 5, exp, "cat k1.pub");
	assert_int_equal(resolve(cfg, AK_ASK_IF_STALE, &s, src, sizeof(src)),
	    0);
	sleep(3);
	snprintf(path, sizeof(path), "%s/deploy", store);
	run_ok("echo garbage > %s", path);
	assert_int_equal(resolve(cfg, AK_ASK_IF_STALE, &s, src, sizeof(src)),
	    AK_ERR_UNAVAILABLE);
	ak_config_free(cfg);
}

static void
test_list_404_fails_closed(void **state)
{
	char extra[800];
	struct ak_config *cfg;
	unsigned long long s;
	char src[64];

	(void)state;
	fresh_start();
	snprintf(extra, sizeof(extra), "refresh_after = 0\n"
	    "revocation_url = file://%s/revoked\n", store);
	cfg = config(extra);
	publish("deploy", "deploy", 5, "2099-01-01T00:00:00Z", "cat k1.pub");
	/* Resolved, but the keyset admits nothing: no list, no key. */
	assert_int_equal(admitted(cfg), AK_DENY_NO_LIST);
	assert_non_null(strstr(last_log, "no key is admitted"));
	publish("revoked", "-", 1, "2099-01-01T00:00:00Z", "true");
	assert_int_equal(admitted(cfg), AK_ADMIT);
	assert_int_equal(resolve(cfg, AK_ASK_IF_STALE, &s, src, sizeof(src)),
	    0);
	ak_config_free(cfg);
}

static void
test_outage_memory(void **state)
{
	struct ak_config *cfg = config("refresh_after = 0\nretry_after = 30\n");
	struct ak_resolver rv;
	struct ak_doc *doc = NULL;
	enum ak_source source;
	unsigned long long s;
	char src[64], path[700];

	(void)state;
	fresh_start();
	publish("deploy", "deploy", 5, "2099-01-01T00:00:00Z", "cat k1.pub");
	assert_int_equal(resolve(cfg, AK_ASK_IF_STALE, &s, src, sizeof(src)),
	    0);
	snprintf(path, sizeof(path), "%s/deploy", store);
	run_ok("echo garbage > %s", path);
	assert_int_equal(resolve(cfg, AK_ASK_IF_STALE, &s, src, sizeof(src)),
	    0);
	assert_true(ak_outage_read(cache, geteuid(), NULL, 0) > 0);
	/* Within retry_after: not asked (a good store is not even seen). */
	publish("deploy", "deploy", 6, "2099-01-01T00:00:00Z", "cat k2.pub");
	assert_int_equal(ak_resolver_init(&rv, cfg, AK_ASK_IF_STALE), 0);
	assert_int_equal(ak_resolve_doc(&rv, "deploy", &doc, &source), 0);
	assert_int_equal(source, AK_SOURCE_STALE);
	assert_string_equal(rv.last_error, "store unavailable (outage "
	    "recorded)");
	ak_doc_free(doc);
	ak_resolver_clear(&rv);
	/* The refresher asks anyway, and its success clears the record. */
	assert_int_equal(resolve(cfg, AK_ASK_FORCE, &s, src, sizeof(src)), 0);
	assert_string_equal(src, "store");
	assert_int_equal(s, 6);
	assert_int_equal(ak_outage_read(cache, geteuid(), NULL, 0), 0);
	ak_config_free(cfg);
}

static void
test_never_mode_uses_no_network(void **state)
{
	struct ak_config *cfg = config("refresh_after = 0\n");
	unsigned long long s;
	char src[64];

	(void)state;
	fresh_start();
	assert_int_equal(resolve(cfg, AK_ASK_NEVER, &s, src, sizeof(src)),
	    AK_ERR_UNAVAILABLE);	/* nothing cached: nothing */
	publish("deploy", "deploy", 5, "2099-01-01T00:00:00Z", "cat k1.pub");
	assert_int_equal(resolve(cfg, AK_ASK_NEVER, &s, src, sizeof(src)),
	    AK_ERR_UNAVAILABLE);	/* the store is never asked */
	assert_int_equal(resolve(cfg, AK_ASK_IF_STALE, &s, src, sizeof(src)),
	    0);
	assert_int_equal(resolve(cfg, AK_ASK_NEVER, &s, src, sizeof(src)), 0);
	assert_string_equal(src, "cache");	/* any age, verified */
	ak_config_free(cfg);
}

static void
test_module_trust_split(void **state)
{
	struct ak_config *cfg = config("refresh_after = 60\n");
	struct ak_resolver rv;
	struct ak_doc *doc = NULL;
	enum ak_source source;
	unsigned long long s;
	char src[64], path[700];
	struct stat st;

	(void)state;
	fresh_start();
	publish("deploy", "deploy", 7, "2099-01-01T00:00:00Z", "cat k1.pub");
	/* The command (cache owner) fetches; the module then reads it. */
	assert_int_equal(resolve(cfg, AK_ASK_IF_STALE, &s, src, sizeof(src)),
	    0);
	assert_int_equal(ak_resolver_init(&rv, cfg, AK_ASK_IF_STALE), 0);
	assert_int_equal(ak_resolver_private(&rv, own), 0);
	assert_int_equal(stat(own, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(ak_resolve_doc(&rv, "deploy", &doc, &source), 0);
	assert_int_equal(source, AK_SOURCE_CACHE);
	assert_int_equal(doc->serial, 7);
	ak_doc_free(doc);
	/* Taking it raised the module's own floor (its own entry). */
	snprintf(path, sizeof(path), "%s/acct.deploy", own);
	assert_int_equal(stat(path, &st), 0);
	ak_resolver_clear(&rv);
	/* A tampered shared entry is not used by the module. */
	snprintf(path, sizeof(path), "%s/acct.deploy", cache);
	run_ok("sed -i 's/^#serial 7/#serial 8/' %s", path);
	snprintf(path, sizeof(path), "%s/acct.deploy", own);
	unlink(path);
	assert_int_equal(ak_resolver_init(&rv, cfg, AK_ASK_IF_STALE), 0);
	assert_int_equal(ak_resolver_private(&rv, own), 0);
	assert_int_equal(ak_resolve_doc(&rv, "deploy", &doc, &source), 0);
	assert_int_equal(source, AK_SOURCE_STORE);	/* not the forged entry */
	assert_int_equal(doc->serial, 7);
	ak_doc_free(doc);
	ak_resolver_clear(&rv);
	ak_config_free(cfg);
}

/*
 * The cache owner's resolver writes the %f indexes; sshd's KRL is root's
 * to write (the module, the sweep), never the resolver's.
 */
/* The module's view of deploy: its document's serial, 0 if none. */
static unsigned long long
module_serial(const struct ak_config *cfg, enum ak_source *sourcep)
{
	struct ak_resolver rv;
	struct ak_doc *doc = NULL;
	unsigned long long s;

	assert_int_equal(ak_resolver_init(&rv, cfg, AK_ASK_IF_STALE), 0);
	assert_int_equal(ak_resolver_private(&rv, own), 0);
	assert_int_equal(ak_resolve_doc(&rv, "deploy", &doc, sourcep), 0);
	s = doc != NULL ? doc->serial : 0;
	ak_doc_free(doc);
	ak_resolver_clear(&rv);
	return s;
}

/*
 * Root believes no confirmation time it did not see itself: a document
 * taken from the refresher's cache is not "confirmed now" in the module's
 * own entry, so when the refresher then finds the account gone (404) the
 * module follows, instead of serving its copy as fresh.
 */
static void
test_module_adopts_without_freshness(void **state)
{
	struct ak_config *cfg = config("refresh_after = 60\n");
	enum ak_source source;
	unsigned long long s;
	char src[64];

	(void)state;
	fresh_start();
	publish("deploy", "deploy", 7, "2099-01-01T00:00:00Z", "cat k1.pub");
	assert_int_equal(resolve(cfg, AK_ASK_FORCE, &s, src, sizeof(src)), 0);
	assert_int_equal(module_serial(cfg, &source), 7);
	assert_int_equal(source, AK_SOURCE_CACHE);
	run_ok("rm -f %s/deploy", store);
	assert_int_equal(resolve(cfg, AK_ASK_FORCE, &s, src, sizeof(src)), 0);
	assert_int_equal(s, 0);
	assert_int_equal(module_serial(cfg, &source), 0);
	ak_config_free(cfg);
}

/*
 * A 404 the cache owner recorded is only its word: the module asks the
 * store itself rather than take it (it used to deny on it).
 */
static void
test_module_ignores_peer_404(void **state)
{
	struct ak_config *cfg = config("refresh_after = 3600\n");
	enum ak_source source;
	char path[700];

	(void)state;
	fresh_start();
	publish("deploy", "deploy", 7, "2099-01-01T00:00:00Z", "cat k1.pub");
	snprintf(path, sizeof(path), "%s/acct.deploy", cache);
	run_ok("printf '#authkeys-cache v1\\n#checked %lld\\n#status 404\\n"
	    "#etag -\\n#min-serial 0\\n' > %s", (long long)time(NULL), path);
	assert_int_equal(module_serial(cfg, &source), 7);
	assert_int_equal(source, AK_SOURCE_STORE);
	ak_config_free(cfg);
}

/* revalidate=always believes only its own outage record (issue 16). */
static void
test_module_own_outage_only(void **state)
{
	struct ak_config *cfg = config("refresh_after = 3600\n"
	    "retry_after = 300\n");
	struct ak_resolver rv;
	struct ak_doc *doc = NULL;
	enum ak_source source;
	unsigned long long s;
	char src[64];

	(void)state;
	fresh_start();
	publish("deploy", "deploy", 7, "2099-01-01T00:00:00Z", "cat k1.pub");
	assert_int_equal(resolve(cfg, AK_ASK_FORCE, &s, src, sizeof(src)), 0);
	publish("deploy", "deploy", 8, "2099-01-01T00:00:00Z", "cat k2.pub");
	/* The cache owner says the store is down. */
	assert_int_equal(ak_outage_record(cache, time(NULL), "forged"), 0);
	assert_int_equal(ak_resolver_init(&rv, cfg, AK_ASK_ALWAYS), 0);
	assert_int_equal(ak_resolver_private(&rv, own), 0);
	assert_int_equal(rv.outage, 0);
	assert_int_equal(ak_resolve_doc(&rv, "deploy", &doc, &source), 0);
	assert_int_equal(source, AK_SOURCE_STORE);
	assert_int_equal(doc->serial, 8);
	ak_doc_free(doc);
	ak_resolver_clear(&rv);
	ak_config_free(cfg);
}

static void
test_fetch_writes_index_not_krl(void **state)
{
	char extra[1600], path[700];
	struct ak_config *cfg;
	unsigned long long s;
	char src[64];

	(void)state;
	fresh_start();
	snprintf(extra, sizeof(extra), "refresh_after = 0\n"
	    "revocation_url = file://%s/revoked\n"
	    "revoked_keys_file = %s/krl\n", store, test_dir);
	cfg = config(extra);
	publish("deploy", "deploy", 5, "2099-01-01T00:00:00Z",
	    "cat k1.pub k2.pub");
	publish("revoked", "-", 9, "2099-01-01T00:00:00Z", "cat k2.pub");
	assert_int_equal(resolve(cfg, AK_ASK_IF_STALE, &s, src, sizeof(src)),
	    0);
	assert_true(ak_index_present(cache, "acct.deploy"));
	assert_true(ak_index_present(cache, "revoked"));
	snprintf(path, sizeof(path), "%s/krl", test_dir);
	run_ok("test ! -e %s", path);
	ak_config_free(cfg);
}

/* Per test: the HTTP server over store/, stopped even if the test fails. */
static int
http_setup(void **state)
{
	(void)state;
	return http_start(store);
}

static int
http_teardown(void **state)
{
	(void)state;
	http_stop();
	return 0;
}

/* A config whose store is the HTTP server of httputil.h over store/. */
static struct ak_config *
config_http(const char *extra)
{
	char url[128], all[1024];

	snprintf(url, sizeof(url), "%s/%%u", http_base);
	snprintf(all, sizeof(all), "retry_after = 0\n%s", extra);
	return config_url(url, all);
}

static void
test_304_confirms_without_rewrite(void **state)
{
	struct ak_config *cfg;
	struct stat st1, st2;
	unsigned long long s;
	char src[64], path[700];
	int gets;

	(void)state;
	fresh_start();
	cfg = config_http("");
	publish("deploy", "deploy", 5, "2099-01-01T00:00:00Z", "cat k1.pub");
	assert_int_equal(resolve(cfg, AK_ASK_ALWAYS, &s, src, sizeof(src)),
	    0);
	assert_string_equal(src, "store");
	snprintf(path, sizeof(path), "%s/acct.deploy", cache);
	run_ok("touch -d '-30 seconds' %s", path);
	assert_int_equal(stat(path, &st1), 0);
	gets = http_count('g');
	/* Unchanged in the store: a 304, the entry touched, not rewritten. */
	assert_int_equal(resolve(cfg, AK_ASK_ALWAYS, &s, src, sizeof(src)),
	    0);
	assert_string_equal(src, "store (not modified)");
	assert_int_equal(s, 5);
	assert_int_equal(http_count('g'), gets + 1);
	assert_int_equal(stat(path, &st2), 0);
	assert_int_equal(st1.st_ino, st2.st_ino);
	assert_true(st2.st_mtime > st1.st_mtime);
	/* An entry from before indexes gets its index on a 304. */
	run_ok("rm %s/idx.acct.deploy", cache);
	assert_int_equal(resolve(cfg, AK_ASK_ALWAYS, &s, src, sizeof(src)),
	    0);
	assert_string_equal(src, "store (not modified)");
	assert_true(ak_index_present(cache, "acct.deploy"));
	/* Changed in the store: the new one, whole. */
	publish("deploy", "deploy", 6, "2099-01-01T00:00:00Z",
	    "cat k1.pub k2.pub");
	assert_int_equal(resolve(cfg, AK_ASK_ALWAYS, &s, src, sizeof(src)),
	    0);
	assert_string_equal(src, "store");
	assert_int_equal(s, 6);
	ak_config_free(cfg);
}

static void
test_damaged_entry_gets_a_full_get(void **state)
{
	struct ak_config *cfg;
	unsigned long long s;
	char src[64];

	(void)state;
	fresh_start();
	cfg = config_http("");
	publish("deploy", "deploy", 5, "2099-01-01T00:00:00Z", "cat k1.pub");
	assert_int_equal(resolve(cfg, AK_ASK_ALWAYS, &s, src, sizeof(src)),
	    0);
	/*
	 * The cached bytes no longer verify (k2's key put over k1's). Its
	 * ETag would still match, so it must not be sent: a 304 would
	 * confirm bytes nobody signed. A full GET brings the real document.
	 */
	run_ok("cd %s && k1=$(cut -d' ' -f2 k1.pub) && "
	    "k2=$(cut -d' ' -f2 k2.pub) && sed -i \"s|$k1|$k2|\" "
	    "%s/acct.deploy", test_dir, cache);
	assert_int_equal(resolve(cfg, AK_ASK_ALWAYS, &s, src, sizeof(src)),
	    0);
	assert_non_null(strstr(last_log, "signature does not verify"));
	assert_string_equal(src, "store");
	assert_int_equal(s, 5);
	run_ok("cd %s && ! grep -q \"$(cut -d' ' -f2 k2.pub)\" %s/acct.deploy",
	    test_dir, cache);
	ak_config_free(cfg);
}

static void
test_probe(void **state)
{
	struct ak_config *cfg;
	struct ak_resolver rv;
	struct ak_doc *doc = NULL;
	char url[700];

	(void)state;
	fresh_start();
	cfg = config("");
	publish("deploy", "deploy", 7, "2099-01-01T00:00:00Z", "cat k1.pub");
	assert_int_equal(ak_resolver_init(&rv, cfg, AK_ASK_FORCE), 0);
	snprintf(url, sizeof(url), "file://%s/deploy", store);
	assert_int_equal(ak_resolve_probe(&rv, "deploy", url, &doc), 0);
	assert_non_null(doc);
	assert_int_equal(doc->serial, 7);
	ak_doc_free(doc);
	doc = NULL;
	snprintf(url, sizeof(url), "file://%s/nobody", store);
	assert_int_equal(ak_resolve_probe(&rv, "nobody", url, &doc), 0);
	assert_null(doc);
	/* A byte changed in the store: the probe says so. */
	run_ok("sed -i 's/^#serial 7$/#serial 8/' %s/deploy", store);
	snprintf(url, sizeof(url), "file://%s/deploy", store);
	assert_int_equal(ak_resolve_probe(&rv, "deploy", url, &doc),
	    AK_ERR_SIGNATURE);
	assert_null(doc);
	ak_resolver_clear(&rv);
	ak_config_free(cfg);
}

/*
 * A trusted_signers that cannot be used: init fails holding nothing (no
 * clear needed; the leak valgrind-check and sanitize-check caught, one per
 * login inside sshd), and a clear after it is still harmless.
 */
static void
test_init_failure_holds_nothing(void **state)
{
	struct ak_config *cfg;
	struct ak_resolver rv;

	(void)state;
	fresh_start();
	run_ok("chmod 666 %s/allowed", test_dir);
	cfg = config("timestamp_url = file:///x/v1/timestamp\n"
	    "timestamp_url = file:///y/v1/timestamp\n");
	assert_int_equal(ak_resolver_init(&rv, cfg, AK_ASK_IF_STALE),
	    AK_ERR_PERM);
	assert_null(rv.signers);
	assert_null(rv.snapshot_urls[0]);
	assert_null(rv.snapshot_urls[1]);
	ak_resolver_clear(&rv);
	run_ok("chmod 644 %s/allowed", test_dir);
	assert_int_equal(ak_resolver_init(&rv, cfg, AK_ASK_IF_STALE), 0);
	assert_string_equal(rv.snapshot_urls[1], "file:///y/v1/snapshot");
	ak_resolver_clear(&rv);
	ak_config_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_then_cache),
		cmocka_unit_test(test_init_failure_holds_nothing),
		cmocka_unit_test(test_404_means_no_keys),
		cmocka_unit_test(test_stale_if_unavailable_until_expiry),
		cmocka_unit_test(test_expired_cache_never_used),
		cmocka_unit_test(test_list_404_fails_closed),
		cmocka_unit_test(test_outage_memory),
		cmocka_unit_test(test_never_mode_uses_no_network),
		cmocka_unit_test(test_module_trust_split),
		cmocka_unit_test(test_fetch_writes_index_not_krl),
		cmocka_unit_test(test_module_adopts_without_freshness),
		cmocka_unit_test(test_module_own_outage_only),
		cmocka_unit_test(test_module_ignores_peer_404),
		cmocka_unit_test_setup_teardown(test_304_confirms_without_rewrite,
		    http_setup, http_teardown),
		cmocka_unit_test_setup_teardown(
		    test_damaged_entry_gets_a_full_get, http_setup,
		    http_teardown),
		cmocka_unit_test(test_probe),
	};

	return cmocka_run_group_tests(tests, store_setup,
	    store_teardown);
}
