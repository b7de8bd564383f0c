/* ak_krl: our KRLs as OpenSSH reads them (ssh-keygen -Q is the judge). */
#include "testutil.h"

#include <sys/stat.h>

#include <time.h>
#include <unistd.h>

#include "ak_doc.h"
#include "ak_err.h"
#include "ak_file.h"
#include "ak_krl.h"
#include "ak_keyset.h"

static char dir[] = "/run/ak-test-krl.XXXXXX";
static char krl[600];

static const char *types[] = { "ed25519", "ecdsa -b 256", "ecdsa -b 384",
	"ecdsa -b 521", "rsa -b 3072" };
#define NTYPES	(sizeof(types) / sizeof(types[0]))

static int
setup(void **state)
{
	size_t i;

	(void)state;
	test_log_init();
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(krl, sizeof(krl), "%s/revoked_keys", dir);
	run_ok("ssh-keygen -q -t ed25519 -N '' -f %s/signer", dir);
	for (i = 0; i < NTYPES; i++) {
		/* by key line (b) and by fingerprint (f); o is never revoked */
		run_ok("ssh-keygen -q -t %s -N '' -f %s/b%zu", types[i], dir, i);
		run_ok("ssh-keygen -q -t %s -N '' -f %s/f%zu", types[i], dir, i);
		run_ok("ssh-keygen -q -t %s -N '' -f %s/o%zu", types[i], dir, i);
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	run_ok("rm -rf %s", dir);
	return 0;
}

/* A signed list of the given serial with the b* keys and f* fingerprints. */
static struct ak_revset *
make_list(unsigned long long serial, int with_entries)
{
	struct ak_doc *doc = NULL;
	struct ak_revset *rl = NULL;
	char *buf, path[700];
	size_t len, i;

	run_ok("printf '#authkeys-document v1\\n#revocations\\n#serial %llu\\n"
	    "#expires 2099-01-01T00:00:00Z\\n' > %s/list", serial, dir);
	for (i = 0; with_entries && i < NTYPES; i++) {
		run_ok("cat %s/b%zu.pub >> %s/list", dir, i, dir);
		run_ok("ssh-keygen -lf %s/f%zu.pub | cut -d' ' -f2 >> %s/list",
		    dir, i, dir);
	}
	run_ok("rm -f %s/list.sig && ssh-keygen -q -Y sign -n authkeys -f "
	    "%s/signer %s/list && cat %s/list.sig >> %s/list", dir, dir, dir,
	    dir, dir);
	snprintf(path, sizeof(path), "%s/list", dir);
	assert_int_equal(ak_file_read(path, 1 << 20, 0, 0, &buf, &len), 0);
	assert_int_equal(ak_doc_parse(buf, len, AK_DOC_REVOCATIONS, &doc), 0);
	assert_int_equal(ak_revset_from_doc(doc, &rl, NULL), 0);
	ak_doc_free(doc);
	free(buf);
	return rl;
}

/* 1 if ssh-keygen -Q says the key is revoked by the KRL. */
static int
revoked(const char *key)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "ssh-keygen -Q -f %s %s/%s.pub 2>/dev/null"
	    " | grep -q ': REVOKED$'", krl, dir, key);
	return system(cmd) == 0;
}

static void
test_every_type_by_key_and_fingerprint(void **state)
{
	struct ak_revset *rl = make_list(7, 1);
	char name[16];
	size_t i;

	(void)state;
	unlink(krl);
	assert_int_equal(ak_krl_update(krl, rl, time(NULL)), 0);
	for (i = 0; i < NTYPES; i++) {
		snprintf(name, sizeof(name), "b%zu", i);
		assert_true(revoked(name));
		snprintf(name, sizeof(name), "f%zu", i);
		assert_true(revoked(name));
		snprintf(name, sizeof(name), "o%zu", i);
		assert_false(revoked(name));
	}
	run_ok("ssh-keygen -Q -l -f %s | grep -q '^# KRL version 7$'", krl);
	ak_revset_free(rl);
}

static void
test_empty_and_create_only(void **state)
{
	struct stat st;
	unsigned char *buf;
	unsigned long long v;
	size_t len;

	(void)state;
	unlink(krl);
	/* No list yet: an empty KRL, so sshd can read RevokedKeys. */
	assert_int_equal(ak_krl_update(krl, NULL, time(NULL)), 0);
	assert_int_equal(stat(krl, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_false(revoked("o0"));
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(ak_krl_build(NULL, 1, &buf, &len), 0);
	assert_int_equal(ak_krl_version(buf, len, &v), 0);
	assert_int_equal(v, 0);
	free(buf);
}

static void
test_older_never_shrinks_newer_lifts(void **state)
{
	struct ak_revset *full = make_list(10, 1);
	struct ak_revset *older_empty = make_list(9, 0);
	struct ak_revset *newer_empty = make_list(11, 0);

	(void)state;
	unlink(krl);
	assert_int_equal(ak_krl_update(krl, full, time(NULL)), 0);
	assert_true(revoked("b0"));
	assert_int_equal(ak_krl_update(krl, older_empty, time(NULL)), 0);
	assert_true(revoked("b0"));	/* an older list lifts nothing */
	assert_int_equal(ak_krl_update(krl, newer_empty, time(NULL)), 0);
	assert_false(revoked("b0"));	/* a newer one does */
	ak_revset_free(full);
	ak_revset_free(older_empty);
	ak_revset_free(newer_empty);
}

static void
test_garbage_file_and_header(void **state)
{
	struct ak_revset *rl = make_list(3, 1);
	unsigned long long v;

	(void)state;
	run_ok("echo garbage > %s", krl);
	assert_int_equal(ak_krl_update(krl, rl, time(NULL)), 0);
	assert_true(revoked("f1"));
	assert_int_equal(ak_krl_version((const unsigned char *)"SSHKRL\n", 7,
	    &v), AK_ERR_FORMAT);
	assert_int_equal(ak_krl_version((const unsigned char *)
	    "SSHKRL\n\0\0\0\0\2", 12, &v), AK_ERR_FORMAT);
	/* A FIFO in its place: replaced, not read (no hang). */
	unlink(krl);
	run_ok("mkfifo %s", krl);
	assert_int_equal(ak_krl_update(krl, rl, time(NULL)), 0);
	assert_true(revoked("f1"));
	ak_revset_free(rl);
}

/*
 * Root believes only a KRL it wrote: another owner's, a second link, a
 * mode others can write, something that is no KRL, whatever its version,
 * is replaced; a directory others can write is refused, file untouched.
 */
static void
test_only_roots_own_krl_counts(void **state)
{
	struct ak_revset *rl = make_list(3, 1);
	unsigned long long v;
	struct stat st1, st2;
	char why[128];

	(void)state;
	unlink(krl);
	assert_int_equal(ak_krl_inspect(krl, &v, why, sizeof(why)),
	    AK_KRL_MISSING);
	/* Version 2^64-1, but not root's: replaced by the verified list. */
	run_ok("ssh-keygen -q -k -z 18446744073709551615 -f %s && "
	    "chown nobody %s", krl, krl);
	assert_int_equal(ak_krl_inspect(krl, &v, why, sizeof(why)),
	    AK_KRL_FOREIGN);
	assert_int_equal(ak_krl_update(krl, rl, time(NULL)), 0);
	assert_int_equal(ak_krl_inspect(krl, &v, why, sizeof(why)),
	    AK_KRL_OURS);
	assert_int_equal(v, 3);
	assert_true(revoked("f1"));
	/* Root's own of the same version: left as it is (no rewrite). */
	assert_int_equal(stat(krl, &st1), 0);
	assert_int_equal(ak_krl_update(krl, rl, time(NULL)), 0);
	assert_int_equal(stat(krl, &st2), 0);
	assert_int_equal(st1.st_ino, st2.st_ino);
	/* Root's own, but writable by others, or linked twice. */
	run_ok("chmod 666 %s", krl);
	assert_int_equal(ak_krl_inspect(krl, &v, why, sizeof(why)),
	    AK_KRL_FOREIGN);
	run_ok("chmod 644 %s && ln %s %s.2", krl, krl, krl);
	assert_int_equal(ak_krl_inspect(krl, &v, why, sizeof(why)),
	    AK_KRL_FOREIGN);
	run_ok("rm -f %s.2 && echo garbage > %s", krl, krl);
	assert_int_equal(ak_krl_inspect(krl, &v, why, sizeof(why)),
	    AK_KRL_FOREIGN);
	assert_int_equal(ak_krl_update(krl, NULL, time(NULL)), 0);
	assert_int_equal(ak_krl_inspect(krl, &v, why, sizeof(why)),
	    AK_KRL_OURS);
	assert_int_equal(v, 0);
	/* A directory others can write: not written, file untouched. */
	run_ok("chmod 777 %s", dir);
	assert_int_equal(ak_krl_inspect(krl, &v, why, sizeof(why)),
	    AK_KRL_BAD_DIR);
	assert_int_equal(ak_krl_update(krl, rl, time(NULL)), AK_ERR_PERM);
	run_ok("chmod 700 %s", dir);
	assert_false(revoked("f1"));
	ak_revset_free(rl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_type_by_key_and_fingerprint),
		cmocka_unit_test(test_empty_and_create_only),
		cmocka_unit_test(test_older_never_shrinks_newer_lifts),
		cmocka_unit_test(test_garbage_file_and_header),
		cmocka_unit_test(test_only_roots_own_krl_counts),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
