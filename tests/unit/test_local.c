/*
 * ak_local: the command's answer from the cache alone, through the %f
 * index or the whole documents, by the one cache decision, and the same
 * answer as the resolver (the helper) on the same cache.
 */
#include "testutil.h"
#include "storeutil.h"

#include <time.h>
#include <unistd.h>

#include "ak_cache.h"
#include "ak_config.h"
#include "ak_err.h"
#include "ak_fresh.h"
#include "ak_index.h"
#include "ak_keyset.h"
#include "ak_local.h"
#include "ak_resolve.h"

static char k1fpr[64], k2fpr[64];

static void
fpr_of(const char *pub, char *out, size_t len)
{
	char cmd[800], *p;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "ssh-keygen -lf %s | cut -d' ' -f2", pub);
	assert_non_null(f = popen(cmd, "r"));
	assert_non_null(fgets(out, (int)len, f));
	pclose(f);
	if ((p = strchr(out, '\n')) != NULL)
		*p = '\0';
}

static int
setup(void **state)
{
	if (store_setup(state) != 0)
		return -1;
	fpr_of(k1, k1fpr, sizeof(k1fpr));
	fpr_of(k2, k2fpr, sizeof(k2fpr));
	return 0;
}

/* Fills the cache as the helper or refresher would (the cache owner). */
static void
fill(const struct ak_config *cfg)
{
	struct ak_resolver rv;
	struct ak_result res;

	assert_int_equal(ak_resolver_init(&rv, cfg, AK_ASK_FORCE), 0);
	assert_int_equal(ak_resolve(&rv, "deploy", &res), 0);
	ak_result_clear(&res);
	ak_resolver_clear(&rv);
}

/* Whether the local answer admits the key of fpr; *outcome what it was. */
static int
admits(const struct ak_config *cfg, const char *want, const char *fpr,
    enum ak_local_outcome *outcome, int *via_index)
{
	unsigned char h[AK_HASH_LEN];
	struct ak_local lo;
	int r = 0;

	assert_int_equal(ak_fpr_hash(fpr, h), 0);
	*outcome = ak_local_answer(cfg, "deploy", want, time(NULL), &lo);
	if (*outcome == AK_LOCAL_ANSWER)
		r = ak_keyset_admit(lo.ks, h) == AK_ADMIT;
	*via_index = lo.via_index;
	ak_local_clear(&lo);
	return r;
}

/*
 * deploy lists k1 and k2; the list is what list_cmd prints (in the store's
 * directory). The cache is filled as the cache owner fills it. Returns
 * the config (caller frees).
 */
static struct ak_config *
listed_case(const char *list_cmd)
{
	struct ak_config *cfg;
	char extra[800];

	fresh_start();
	snprintf(extra, sizeof(extra), "revocation_url = file://%s/revoked\n",
	    store);
	cfg = config(extra);
	publish("deploy", "deploy", 3, "2099-01-01T00:00:00Z",
	    "cat k1.pub k2.pub");
	publish("revoked", "-", 1, "2099-01-01T00:00:00Z", list_cmd);
	fill(cfg);
	return cfg;
}

static void
test_warm_index_and_full_agree(void **state)
{
	struct ak_config *cfg;
	enum ak_local_outcome o;
	int idx;

	(void)state;
	/* The revoked fingerprint with blanks around it (issue 16). */
	cfg = listed_case("printf ' \\t%s \\t\\n' "
	    "$(ssh-keygen -lf k2.pub | cut -d' ' -f2)");
	assert_true(admits(cfg, k1fpr, k1fpr, &o, &idx));
	assert_int_equal(o, AK_LOCAL_ANSWER);
	assert_true(idx);
	assert_false(admits(cfg, k2fpr, k2fpr, &o, &idx));
	assert_int_equal(o, AK_LOCAL_ANSWER);
	assert_true(idx);
	/* The whole documents: the same answers. */
	assert_true(admits(cfg, NULL, k1fpr, &o, &idx));
	assert_false(idx);
	assert_false(admits(cfg, NULL, k2fpr, &o, &idx));
	/* No index: the whole path, the same answer. */
	ak_index_remove(cache, "revoked");
	assert_false(admits(cfg, k2fpr, k2fpr, &o, &idx));
	assert_int_equal(o, AK_LOCAL_ANSWER);
	assert_false(idx);
	ak_config_free(cfg);
}

static void
test_stale_outage_and_404(void **state)
{
	struct ak_config *cfg;
	enum ak_local_outcome o;
	int idx;

	(void)state;
	fresh_start();
	cfg = config("refresh_after = 0\nretry_after = 30\n");
	publish("deploy", "deploy", 3, "2099-01-01T00:00:00Z", "cat k1.pub");
	fill(cfg);
	/* Stale, no outage: the helper must ask the store. */
	(void)admits(cfg, k1fpr, k1fpr, &o, &idx);
	assert_int_equal(o, AK_LOCAL_ASK);
	/* Stale, store found down moments ago: the signed copy, no wait. */
	assert_int_equal(ak_outage_record(cache, time(NULL), "test"), 0);
	assert_true(admits(cfg, k1fpr, k1fpr, &o, &idx));
	assert_int_equal(o, AK_LOCAL_ANSWER);
	assert_true(admits(cfg, NULL, k1fpr, &o, &idx));
	/* A cached 404 is no stale answer: nothing, as the resolver says. */
	ak_outage_clear(cache);
	run_ok("rm -f %s/deploy", store);
	fill(cfg);
	assert_int_equal(ak_outage_record(cache, time(NULL), "test"), 0);
	(void)admits(cfg, NULL, k1fpr, &o, &idx);
	assert_int_equal(o, AK_LOCAL_NOTHING);
	ak_config_free(cfg);
}

/* A list no reader can read: every key refused, by both paths. */
static void
test_unreadable_list(void **state)
{
	struct ak_config *cfg;
	enum ak_local_outcome o;
	int idx;

	(void)state;
	cfg = listed_case("ssh-keygen -lf k2.pub | cut -d' ' -f2 | "
	    "cut -c1-49");
	assert_false(ak_index_present(cache, "revoked"));
	assert_false(admits(cfg, k1fpr, k1fpr, &o, &idx));
	assert_int_equal(o, AK_LOCAL_ANSWER);
	assert_false(admits(cfg, NULL, k1fpr, &o, &idx));
	ak_config_free(cfg);
}

/* A forged index pointing at another key's line: the whole path decides. */
static void
test_forged_index(void **state)
{
	struct ak_config *cfg;
	enum ak_local_outcome o;
	char path[700];
	int idx;

	(void)state;
	fresh_start();
	cfg = config("");
	publish("deploy", "deploy", 3, "2099-01-01T00:00:00Z",
	    "cat k1.pub; echo 'ssh-ed25519 AAAA bad'");
	fill(cfg);
	snprintf(path, sizeof(path), "%s/idx.acct.deploy", cache);
	/* The one record's place made the second line's. */
	run_ok("python3 -c \"import sys; p='%s'; b=bytearray(open(p,'rb')"
	    ".read()); b[64+32:64+36]=(len(open('%s/acct.deploy','rb').read()"
	    ".split(b'#min-serial')[0])).to_bytes(4,'big'); "
	    "open(p,'wb').write(b)\"", path, cache);
	assert_true(admits(cfg, k1fpr, k1fpr, &o, &idx));
	assert_int_equal(o, AK_LOCAL_ANSWER);
	assert_false(idx);
	ak_config_free(cfg);
}

/* The list alone, for chained lines: the same decision as for accounts. */
static void
test_list_alone(void **state)
{
	struct ak_config *cfg;
	struct ak_local lo;
	struct ak_revset *rs = NULL;
	unsigned char h[AK_HASH_LEN];
	struct ak_resolver rv;
	enum ak_source src;

	(void)state;
	/* No revocation_url: nothing to hold chained lines to. */
	fresh_start();
	cfg = config("");
	assert_int_equal(ak_local_list(cfg, time(NULL), &lo), AK_LOCAL_ANSWER);
	assert_null(lo.rs);
	ak_local_clear(&lo);
	ak_config_free(cfg);
	/* The verified cached list, as the resolver has it. */
	cfg = listed_case("ssh-keygen -lf k2.pub | cut -d' ' -f2");
	assert_int_equal(ak_fpr_hash(k2fpr, h), 0);
	assert_int_equal(ak_local_list(cfg, time(NULL), &lo), AK_LOCAL_ANSWER);
	assert_non_null(lo.rs);
	assert_true(ak_revset_has(lo.rs, h));
	assert_string_equal(lo.source, "cache");
	ak_local_clear(&lo);
	assert_int_equal(ak_resolver_init(&rv, cfg, AK_ASK_IF_STALE), 0);
	assert_int_equal(ak_resolve_list(&rv, &rs, &src), 0);
	assert_true(ak_revset_has(rs, h));
	ak_revset_free(rs);
	ak_resolver_clear(&rv);
	/* Gone from the cache: the helper must decide. */
	run_ok("rm -f %s/revoked", cache);
	assert_int_equal(ak_local_list(cfg, time(NULL), &lo), AK_LOCAL_ASK);
	ak_local_clear(&lo);
	/* The store has none: no list, and nothing is admitted by it. */
	run_ok("rm -f %s/revoked", store);
	assert_int_equal(ak_resolver_init(&rv, cfg, AK_ASK_IF_STALE), 0);
	assert_int_equal(ak_resolve_list(&rv, &rs, &src), 0);
	assert_null(rs);
	ak_resolver_clear(&rv);
	assert_int_equal(ak_local_list(cfg, time(NULL), &lo), AK_LOCAL_ANSWER);
	assert_null(lo.rs);
	ak_local_clear(&lo);
	ak_config_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_warm_index_and_full_agree),
		cmocka_unit_test(test_stale_outage_and_404),
		cmocka_unit_test(test_unreadable_list),
		cmocka_unit_test(test_forged_index),
		cmocka_unit_test(test_list_alone),
	};

	return cmocka_run_group_tests(tests, setup, store_teardown);
}
