/* ak_index: the %f index, bound to its document, never trusted blindly. */
#include "testutil.h"

#include <sys/stat.h>

#include <unistd.h>

#include "ak_doc.h"
#include "ak_err.h"
#include "ak_index.h"
#include "ak_key.h"

static const char *K1 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHcK+qHEM/Wkf0"
    "eo4MFBaqQ5/tT48Vk7hcZWSOsaxH0v k1";
static const char *K2 = "restrict ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqn"
    "kVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl k2";

static struct ak_doc *
plain(const char *text)
{
	struct ak_doc *d = NULL;

	assert_int_equal(ak_doc_parse(text, strlen(text), AK_DOC_PLAIN, &d),
	    0);
	d->serial = 42;
	return d;
}

static void
fpr_hash(const char *line, unsigned char h[AK_HASH_LEN])
{
	struct ak_key_line *kl;

	assert_int_equal(ak_key_line_parse(line, strlen(line), &kl), 0);
	assert_int_equal(ak_index_hash_of(kl->fpr, h), 0);
	ak_key_line_free(kl);
}

static void
test_write_lookup_and_binding(void **state)
{
	char text[512];
	unsigned char h1[AK_HASH_LEN], h2[AK_HASH_LEN], hx[AK_HASH_LEN];
	struct ak_doc *d;
	size_t off, len;

	(void)state;
	snprintf(text, sizeof(text), "%s\n# c\n%s\n", K1, K2);
	d = plain(text);
	assert_int_equal(ak_index_write(test_dir, "acct.x", d), 0);
	assert_true(ak_index_present(test_dir, "acct.x"));
	fpr_hash(K1, h1);
	fpr_hash(K2, h2);
	assert_int_equal(ak_index_lookup(test_dir, "acct.x", geteuid(), 42, d->len,
	    h2, &off, &len), 0);
	assert_int_equal(len, strlen(K2));
	assert_memory_equal(text + off, K2, len);
	assert_int_equal(ak_index_lookup(test_dir, "acct.x", geteuid(), 42, d->len,
	    h1, &off, &len), 0);
	assert_int_equal(off, 0);
	memset(hx, 7, sizeof(hx));
	assert_int_equal(ak_index_lookup(test_dir, "acct.x", geteuid(), 42, d->len,
	    hx, &off, &len), AK_ERR_NOT_FOUND);
	/* Another serial or length: not this document's index. */
	assert_int_equal(ak_index_lookup(test_dir, "acct.x", geteuid(), 43, d->len,
	    h1, &off, &len), AK_ERR_FORMAT);
	assert_int_equal(ak_index_lookup(test_dir, "acct.x", geteuid(), 42,
	    d->len + 1, h1, &off, &len), AK_ERR_FORMAT);
	ak_doc_free(d);
	ak_index_remove(test_dir, "acct.x");
	assert_false(ak_index_present(test_dir, "acct.x"));
	assert_int_not_equal(ak_index_lookup(test_dir, "acct.x", geteuid(), 42, 1,
	    h1, &off, &len), 0);
}

static void
test_duplicates_mean_no_index(void **state)
{
	char text[512];
	struct ak_doc *d;

	(void)state;
	snprintf(text, sizeof(text), "%s\nfrom=\"10.0.0.1\" %s\n", K1, K1);
	d = plain(text);
	assert_int_equal(ak_index_write(test_dir, "acct.dup", d), 0);
	assert_false(ak_index_present(test_dir, "acct.dup"));
	ak_doc_free(d);
}

static void
test_untrusted_or_garbage_index(void **state)
{
	unsigned char h[AK_HASH_LEN];
	char path[600];
	size_t off, len;
	struct ak_doc *d = plain("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHcK+qH"
	    "EM/Wkf0eo4MFBaqQ5/tT48Vk7hcZWSOsaxH0v k1\n");

	(void)state;
	fpr_hash(K1, h);
	assert_int_equal(ak_index_write(test_dir, "acct.g", d), 0);
	snprintf(path, sizeof(path), "%s/idx.acct.g", test_dir);
	run_ok("chmod 666 %s", path);
	assert_int_equal(ak_index_lookup(test_dir, "acct.g", geteuid(), 42, d->len,
	    h, &off, &len), AK_ERR_PERM);
	run_ok("chmod 600 %s && truncate -s 39 %s", path, path);
	assert_int_equal(ak_index_lookup(test_dir, "acct.g", geteuid(), 42, d->len,
	    h, &off, &len), AK_ERR_FORMAT);
	run_ok("rm -f %s && mkfifo %s", path, path);
	assert_int_not_equal(ak_index_lookup(test_dir, "acct.g", geteuid(), 42,
	    d->len, h, &off, &len), 0);
	unlink(path);
	assert_int_equal(ak_index_hash_of("SHA256:short", h), AK_ERR_BAD_FPR);
	ak_doc_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_lookup_and_binding),
		cmocka_unit_test(test_duplicates_mean_no_index),
		cmocka_unit_test(test_untrusted_or_garbage_index),
	};

	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
