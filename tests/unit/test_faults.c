/*
 * Allocation, I/O and transfer failures injected at every point of a run
 * (link-time --wrap, as pam-u2f does): the Nth call of malloc, calloc,
 * realloc, reallocarray, strdup, strndup, read, pread, write, rename, fsync,
 * curl_easy_init, curl_slist_append or curl_easy_perform fails, for every N
 * until a run completes without reaching N. Each run must end in a clean
 * error or the right answer, never grant a revoked key, leave nothing a
 * later reader takes for data, and leak nothing (valgrind-check and
 * sanitize-check run this binary too). Calls made inside libc, libcurl and
 * OpenSSL themselves are not ours to wrap.
 */
#include "testutil.h"
#include "storeutil.h"

#include <sys/stat.h>

#include <curl/curl.h>
#include <errno.h>
#include <time.h>
#include <unistd.h>

#include "ak_authinfo.h"
#include "ak_cache.h"
#include "ak_err.h"
#include "ak_krl.h"
#include "ak_keyset.h"
#include "ak_resolve.h"
#include "ak_signers.h"
#include "ak_sshsig.h"

/* --- the wrappers ------------------------------------------------------ */

static long fault_at = -1;	/* the call that fails; -1: none */
static long calls;		/* wrapped calls since faults_arm */

static void
faults_arm(long n)
{
	calls = 0;
	fault_at = n;
}

/* Returns 1 if the run got as far as the armed call (so it was failed). */
static int
faults_disarm(void)
{
	int hit = fault_at >= 0 && calls > fault_at;

	fault_at = -1;
	return hit;
}

static int
fail_now(void)
{
	return fault_at >= 0 && calls++ == fault_at;
}

void *__real_malloc(size_t);
void *__real_calloc(size_t, size_t);
void *__real_realloc(void *, size_t);
void *__real_reallocarray(void *, size_t, size_t);
char *__real_strdup(const char *);
char *__real_strndup(const char *, size_t);
ssize_t __real_read(int, void *, size_t);
ssize_t __real_pread(int, void *, size_t, off_t);
ssize_t __real_write(int, const void *, size_t);
int __real_rename(const char *, const char *);
int __real_fsync(int);
CURL *__real_curl_easy_init(void);
struct curl_slist *__real_curl_slist_append(struct curl_slist *,
    const char *);
CURLcode __real_curl_easy_perform(CURL *);

void *__wrap_malloc(size_t);
void *__wrap_calloc(size_t, size_t);
void *__wrap_realloc(void *, size_t);
void *__wrap_reallocarray(void *, size_t, size_t);
char *__wrap_strdup(const char *);
char *__wrap_strndup(const char *, size_t);
ssize_t __wrap_read(int, void *, size_t);
ssize_t __wrap_pread(int, void *, size_t, off_t);
ssize_t __wrap_write(int, const void *, size_t);
int __wrap_rename(const char *, const char *);
int __wrap_fsync(int);
CURL *__wrap_curl_easy_init(void);
struct curl_slist *__wrap_curl_slist_append(struct curl_slist *,
    const char *);
CURLcode __wrap_curl_easy_perform(CURL *);

void *
__wrap_malloc(size_t n)
{
	return fail_now() ? NULL : __real_malloc(n);
}

void *
__wrap_calloc(size_t n, size_t m)
{
	return fail_now() ? NULL : __real_calloc(n, m);
}

void *
__wrap_realloc(void *p, size_t n)
{
	return fail_now() ? NULL : __real_realloc(p, n);
}

void *
__wrap_reallocarray(void *p, size_t n, size_t m)
{
	return fail_now() ? NULL : __real_reallocarray(p, n, m);
}

char *
__wrap_strdup(const char *s)
{
	return fail_now() ? NULL : __real_strdup(s);
}

char *
__wrap_strndup(const char *s, size_t n)
{
	return fail_now() ? NULL : __real_strndup(s, n);
}

ssize_t
__wrap_read(int fd, void *buf, size_t n)
{
	if (fail_now()) {
		errno = EIO;
		return -1;
	}
	return __real_read(fd, buf, n);
}

ssize_t
__wrap_pread(int fd, void *buf, size_t n, off_t off)
{
	if (fail_now()) {
		errno = EIO;
		return -1;
	}
	return __real_pread(fd, buf, n, off);
}

/* A failed write is a short one first, then ENOSPC: both happen. */
ssize_t
__wrap_write(int fd, const void *buf, size_t n)
{
	if (fail_now()) {
		if (n > 1)
			return __real_write(fd, buf, n / 2);
		errno = ENOSPC;
		return -1;
	}
	return __real_write(fd, buf, n);
}

int
__wrap_rename(const char *a, const char *b)
{
	if (fail_now()) {
		errno = EIO;
		return -1;
	}
	return __real_rename(a, b);
}

int
__wrap_fsync(int fd)
{
	if (fail_now()) {
		errno = EIO;
		return -1;
	}
	return __real_fsync(fd);
}

CURL *
__wrap_curl_easy_init(void)
{
	return fail_now() ? NULL : __real_curl_easy_init();
}

struct curl_slist *
__wrap_curl_slist_append(struct curl_slist *l, const char *s)
{
	return fail_now() ? NULL : __real_curl_slist_append(l, s);
}

CURLcode
__wrap_curl_easy_perform(CURL *c)
{
	return fail_now() ? CURLE_COULDNT_CONNECT :
	    __real_curl_easy_perform(c);
}

/* --- what a login decides ---------------------------------------------- */

/* "publickey TYPE BASE64" of a .pub file, for SSH_AUTH_INFO_0. */
static void
auth_info(const char *pub, char *out, size_t len)
{
	char *text = slurp(pub, NULL), *sp;

	assert_non_null(text);
	assert_non_null(sp = strchr(text, ' '));
	assert_non_null(sp = strchr(sp + 1, ' '));
	*sp = '\0';
	snprintf(out, len, "publickey %s", text);
	free(text);
}

/*
 * Resolves deploy as the module does (faults armed at n unless n < 0):
 * the KRL follows the list, and for each of k1 and k2, whether it would
 * be let in. Returns the resolve's code.
 */
static int
decide(const struct ak_config *cfg, enum ak_ask ask, long n, int *k1_in,
    int *k2_in, int *hit)
{
	struct ak_resolver rv;
	struct ak_result res;
	struct ak_authinfo a1, a2;
	char i1[1024], i2[1024];
	int r, p1, p2;

	auth_info(k1, i1, sizeof(i1));
	auth_info(k2, i2, sizeof(i2));
	*k1_in = *k2_in = 0;
	memset(&res, 0, sizeof(res));
	if (n >= 0)
		faults_arm(n);
	if ((r = ak_resolver_init(&rv, cfg, ask)) == 0) {
		if ((r = ak_resolve(&rv, "deploy", &res)) == 0) {
			(void)ak_krl_update(cfg->revoked_keys_file, res.rs,
			    time(NULL));
			p1 = ak_authinfo_parse(i1, &a1);
			p2 = ak_authinfo_parse(i2, &a2);
			*k1_in = p1 == 0 && ak_keyset_admit(res.ks,
			    a1.keys[0].hash) == AK_ADMIT;
			*k2_in = p2 == 0 && ak_keyset_admit(res.ks,
			    a2.keys[0].hash) == AK_ADMIT;
			ak_authinfo_clear(&a1);
			ak_authinfo_clear(&a2);
			ak_result_clear(&res);
		}
		ak_resolver_clear(&rv);
	}
	*hit = n >= 0 ? faults_disarm() : 0;
	return r;
}

/* The KRL at path holds version want (or a later one). */
static void
krl_at_least(const char *path, unsigned long long want)
{
	unsigned long long v = 0;
	size_t len;
	char *buf = slurp(path, &len);

	assert_non_null(buf);
	assert_int_equal(ak_krl_version((unsigned char *)buf, len, &v), 0);
	free(buf);
	if (v < want)
		fail_msg("KRL version %llu, want %llu", v, want);
}

/*
 * Runs decide with a fault at every N in turn. Each faulted run: an error,
 * or k2 refused (it is revoked in every list here); then a clean run must
 * read back what the faulted one left and decide right. Returns the number
 * of faulted runs.
 */
static long
every_fault(const struct ak_config *cfg, enum ak_ask ask,
    void (*reset)(void), int want_k1)
{
	char krl[600];
	long n;
	int k1_in, k2_in, hit, r;

	snprintf(krl, sizeof(krl), "%s/krl", test_dir);
	for (n = 0;; n++) {
		reset();
		r = decide(cfg, ask, n, &k1_in, &k2_in, &hit);
		if (k2_in)
			fail_msg("fault at call %ld: revoked k2 let in (r=%d)",
			    n, r);
		if (!hit) {
			/* The run never reached call n: it is complete. */
			assert_int_equal(r, 0);
			assert_int_equal(k1_in, want_k1);
			return n;
		}
		r = decide(cfg, AK_ASK_ALWAYS, -1, &k1_in, &k2_in, &hit);
		if (r != 0 || k2_in || k1_in != want_k1)
			fail_msg("after a fault at call %ld, a clean run: r=%d "
			    "k1=%d k2=%d", n, r, k1_in, k2_in);
		krl_at_least(krl, 2);
	}
}

static void
nothing(void)
{
}

/* Cold: nothing cached yet. */
static void
cold(void)
{
	run_ok("rm -rf %s/* %s/* %s/krl", cache, own, test_dir);
}

static void
test_faults_cold_login(void **state)
{
	struct ak_config *cfg;
	char extra[1024];
	long runs;

	(void)state;
	fresh_start();
	publish("deploy", "deploy", 2, "2099-01-01T00:00:00Z",
	    "cat k1.pub k2.pub");
	publish("revoked", "-", 2, "2099-01-01T00:00:00Z", "cat k2.pub");
	snprintf(extra, sizeof(extra), "revocation_url = file://%s/revoked\n"
	    "revoked_keys_file = %s/krl\nretry_after = 0\n", store, test_dir);
	cfg = config(extra);
	runs = every_fault(cfg, AK_ASK_IF_STALE, cold, 1);
	print_message("# cold login: %ld faulted runs\n", runs);
	assert_true(runs > 50);
	ak_config_free(cfg);
}

/*
 * Warm: the cache holds list 1 (k2 revoked), the store list 2 (k1 and k2
 * revoked). A failed refresh may leave list 1 in force, never less.
 */
static void
warm(void)
{
	struct ak_config *cfg;
	char extra[1024];
	int k1_in, k2_in, hit;

	cold();
	publish("revoked", "-", 1, "2099-01-01T00:00:00Z", "cat k2.pub");
	snprintf(extra, sizeof(extra), "revocation_url = file://%s/revoked\n"
	    "revoked_keys_file = %s/krl\nretry_after = 0\n", store, test_dir);
	cfg = config(extra);
	assert_int_equal(decide(cfg, AK_ASK_ALWAYS, -1, &k1_in, &k2_in,
	    &hit), 0);
	assert_true(k1_in && !k2_in);
	ak_config_free(cfg);
	publish("revoked", "-", 2, "2099-01-01T00:00:00Z",
	    "cat k1.pub k2.pub");
}

static void
test_faults_refresh_never_lifts(void **state)
{
	struct ak_config *cfg;
	char extra[1024];
	long runs;

	(void)state;
	fresh_start();
	publish("deploy", "deploy", 2, "2099-01-01T00:00:00Z",
	    "cat k1.pub k2.pub");
	snprintf(extra, sizeof(extra), "revocation_url = file://%s/revoked\n"
	    "revoked_keys_file = %s/krl\nretry_after = 0\n", store, test_dir);
	cfg = config(extra);
	runs = every_fault(cfg, AK_ASK_ALWAYS, warm, 0);
	print_message("# warm refresh: %ld faulted runs\n", runs);
	assert_true(runs > 50);
	ak_config_free(cfg);
	(void)nothing;
}

/* --- parsers and the cache on their own --------------------------------- */

static void
test_faults_config_parse(void **state)
{
	static const char text[] = "url = https://a/%u\nurl = https://b/%u\n"
	    "revocation_url = https://a/revoked\naccounts = deploy, octo\n"
	    "trusted_signers = /etc/authkeys/allowed_signers\n"
	    "allowed_key_types = ssh-ed25519, ssh-rsa\n"
	    "allowed_options = from, restrict\ntimeout = 4\n";
	struct ak_config *cfg = NULL;
	long n;
	int r, hit;

	(void)state;
	for (n = 0;; n++) {
		faults_arm(n);
		r = ak_config_parse(text, sizeof(text) - 1, "t", &cfg);
		hit = faults_disarm();
		if (!hit) {
			assert_int_equal(r, 0);
			assert_int_equal(cfg->nurls, 2);
			ak_config_free(cfg);
			break;
		}
		if (r == 0)
			fail_msg("fault at call %ld: config parsed", n);
		assert_null(cfg);
	}
	print_message("# config: %ld faulted runs\n", n);
}

static void
test_faults_forged_document_never_verifies(void **state)
{
	struct ak_signers *sg = NULL;
	struct ak_doc *doc = NULL;
	char path[1024], *good, *bad, *allowed, *p;
	size_t glen, alen;
	long n;
	int r, hit, i;

	(void)state;
	fresh_start();
	publish("deploy", "deploy", 3, "2099-01-01T00:00:00Z", "cat k1.pub");
	snprintf(path, sizeof(path), "%s/deploy", store);
	assert_non_null(good = slurp(path, &glen));
	snprintf(path, sizeof(path), "%s/allowed", test_dir);
	assert_non_null(allowed = slurp(path, &alen));
	/* The same document with one key byte changed. */
	assert_non_null(bad = strdup(good));
	assert_non_null(p = strstr(bad, "AAAAC3"));
	p[20] = p[20] == 'A' ? 'B' : 'A';
	for (i = 0; i < 2; i++) {
		for (n = 0;; n++) {
			faults_arm(n);
			r = ak_signers_parse(allowed, alen, "allowed", &sg);
			if (r == 0)
				r = ak_doc_parse(i ? bad : good, glen,
				    AK_DOC_ACCOUNT, &doc);
			if (r == 0)
				r = ak_sshsig_verify_doc(doc, "authkeys", sg,
				    time(NULL));
			hit = faults_disarm();
			ak_doc_free(doc);
			ak_signers_free(sg);
			doc = NULL;
			sg = NULL;
			if (i == 1 && r == 0)
				fail_msg("fault at call %ld: forged document "
				    "verified", n);
			if (!hit)
				break;
		}
		assert_int_equal(r, i ? AK_ERR_SIGNATURE : 0);
		print_message("# %s document: %ld faulted runs\n",
		    i ? "forged" : "good", n);
	}
	free(good);
	free(bad);
	free(allowed);
}

static void
test_faults_cache_write_keeps_old_or_new(void **state)
{
	struct ak_cache_entry e, old, *got = NULL;
	char body1[] = "first document\n", body2[] = "second, longer document\n";
	long n;
	int r, hit;

	(void)state;
	cold();
	memset(&e, 0, sizeof(e));
	e.checked = 1700000000;
	e.status = 200;
	snprintf(e.etag, sizeof(e.etag), "\"1\"");
	e.body = body1;
	e.bodylen = strlen(body1);
	assert_int_equal(ak_cache_write(cache, "acct.deploy", &e), 0);
	old = e;
	e.body = body2;
	e.bodylen = strlen(body2);
	snprintf(e.etag, sizeof(e.etag), "\"2\"");
	for (n = 0;; n++) {
		faults_arm(n);
		r = ak_cache_write(cache, "acct.deploy", &e);
		hit = faults_disarm();
		assert_int_equal(ak_cache_read(cache, "acct.deploy", geteuid(),
		    &got), 0);
		if (r == 0) {
			assert_string_equal(got->body, body2);
		} else {
			/* Failed: the old entry, whole. */
			assert_string_equal(got->body, body1);
			assert_string_equal(got->etag, "\"1\"");
		}
		ak_cache_entry_free(got);
		/* Either way, no temporary left beside it. */
		run_ok("test $(ls -A %s | grep -v '^acct.deploy$' | wc -l) = 0",
		    cache);
		if (!hit)
			break;
		if (r == 0)
			assert_int_equal(ak_cache_write(cache, "acct.deploy",
			    &old), 0);
	}
	print_message("# cache write: %ld faulted runs\n", n);
	assert_true(n >= 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_faults_config_parse),
		cmocka_unit_test(test_faults_forged_document_never_verifies),
		cmocka_unit_test(test_faults_cache_write_keeps_old_or_new),
		cmocka_unit_test(test_faults_cold_login),
		cmocka_unit_test(test_faults_refresh_never_lifts),
	};

	return cmocka_run_group_tests(tests, store_setup, store_teardown);
}
