/*
 * A file:// store for unit tests of the resolver: keys, a signer, signed
 * documents written by the one header writer, and a config pointing at it.
 * Include after testutil.h.
 */
#ifndef AK_STOREUTIL_H
#define AK_STOREUTIL_H

#include <sys/stat.h>

#include <time.h>

#include "ak_config.h"
#include "ak_doc.h"
#include "ak_fetch.h"
#include "ak_time.h"

static char store[600], cache[600], own[600];
static char k1[700], k2[700];

/*
 * Group setup: test_dir (0755) with a signer, keys k1 and k2, an
 * allowed_signers file, an empty store/ and a cache/ (0700).
 */
static int
store_setup(void **state)
{
	if (test_dir_setup(state) != 0 || ak_fetch_global_init() != 0)
		return -1;
	chmod(test_dir, 0755);
	snprintf(store, sizeof(store), "%s/store", test_dir);
	snprintf(cache, sizeof(cache), "%s/cache", test_dir);
	snprintf(own, sizeof(own), "%s/own", test_dir);
	run_ok("mkdir -p %s %s && chmod 700 %s && cd %s && "
	    "ssh-keygen -q -t ed25519 -N '' -f signer && "
	    "ssh-keygen -q -t ed25519 -N '' -C k1 -f k1 && "
	    "ssh-keygen -q -t ed25519 -N '' -C k2 -f k2 && "
	    "echo \"s $(cut -d' ' -f1,2 signer.pub)\" > allowed && "
	    "chmod 644 allowed", store, cache, cache, test_dir);
	snprintf(k1, sizeof(k1), "%s/k1.pub", test_dir);
	snprintf(k2, sizeof(k2), "%s/k2.pub", test_dir);
	return 0;
}

static int
store_teardown(void **state)
{
	return test_dir_teardown(state);
}

/*
 * A signed document at store/NAME ("-" account: the list) from key files;
 * its header written by the one writer of the format.
 */
static void
publish(const char *name, const char *account, unsigned long long serial,
    const char *expires, const char *keys)
{
	char hdr[AK_DOC_HEADER_MAX], path[4096];
	time_t exp;
	FILE *f;
	int n;

	assert_int_equal(ak_time_parse(expires, strlen(expires), &exp), 0);
	n = ak_doc_format_header(strcmp(account, "-") == 0 ?
	    AK_DOC_REVOCATIONS : AK_DOC_ACCOUNT, account, serial, exp, hdr,
	    sizeof(hdr));
	assert_true(n > 0);
	snprintf(path, sizeof(path), "%s/doc", test_dir);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fwrite(hdr, 1, (size_t)n, f), (size_t)n);
	assert_int_equal(fclose(f), 0);
	run_ok("cd %s && { %s; } >> doc && rm -f doc.sig && "
	    "ssh-keygen -q -Y sign -n authkeys -f signer doc && "
	    "cat doc.sig >> doc && mv doc store/%s", test_dir, keys, name);
}

/* A config for account deploy on the store at url_tmpl, plus extra lines. */
static struct ak_config *
config_url(const char *url_tmpl, const char *extra)
{
	struct ak_config *cfg = NULL;
	char conf[4096];

	snprintf(conf, sizeof(conf), "url = %s\n"
	    "trusted_signers = %s/allowed\ncache_dir = %s\n"
	    "module_cache_dir = %s\naccounts = deploy\n%s", url_tmpl,
	    test_dir, cache, own, extra);
	assert_int_equal(ak_config_parse(conf, strlen(conf), "t", &cfg), 0);
	return cfg;
}

/* The same on the file:// store. */
static struct ak_config *
config(const char *extra)
{
	char url[700];

	snprintf(url, sizeof(url), "file://%s/%%u", store);
	return config_url(url, extra);
}

/* Empties the store and both caches. */
static void
fresh_start(void)
{
	run_ok("rm -rf %s/* %s/* %s", store, cache, own);
}

#endif
