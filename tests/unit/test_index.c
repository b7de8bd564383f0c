/*
 * ak_index: the %f index is a keyset (or revset) on disk, bound to its one
 * document, never trusted blindly.
 */
#include "testutil.h"

#include <sys/stat.h>

#include <unistd.h>

#include "ak_config.h"
#include "ak_doc.h"
#include "ak_err.h"
#include "ak_index.h"
#include "ak_key.h"
#include "ak_keyset.h"

static const char *K1 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHcK+qHEM/Wkf0"
    "eo4MFBaqQ5/tT48Vk7hcZWSOsaxH0v k1";
static const char *K2 = "restrict ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqn"
    "kVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl k2";
#define CONF	"url = https://k/%u\naccounts = x\nrequire_signature = no\n"

static struct ak_config *cfg;

static int
setup(void **state)
{
	if (test_dir_setup(state) != 0)
		return -1;
	return ak_config_parse(CONF, strlen(CONF), "t", &cfg) == 0 ? 0 : -1;
}

static int
teardown(void **state)
{
	ak_config_free(cfg);
	return test_dir_teardown(state);
}

static struct ak_doc *
plain(const char *text)
{
	struct ak_doc *d = NULL;

	assert_int_equal(ak_doc_parse(text, strlen(text), AK_DOC_PLAIN, &d),
	    0);
	d->serial = 42;
	return d;
}

/* Writes d's keyset as dir/idx.NAME and returns its binding. */
static void
write_keys(const char *name, const struct ak_doc *d, struct ak_index_bind *b)
{
	struct ak_keyset *ks;

	assert_int_equal(ak_keyset_from_doc(cfg, "x", d, NULL, &ks), 0);
	assert_int_equal(ak_index_write_keys(test_dir, name, d, ks), 0);
	ak_keyset_free(ks);
	ak_index_bind_doc(d, b);
}

static void
test_write_lookup_and_binding(void **state)
{
	char text[512];
	unsigned char h1[AK_HASH_LEN], h2[AK_HASH_LEN], hx[AK_HASH_LEN];
	struct ak_index_bind b, other;
	struct ak_doc *d;
	size_t off[4], len[4], n;

	(void)state;
	snprintf(text, sizeof(text), "%s\n# c\n  %s \r\n", K1, K2);
	d = plain(text);
	write_keys("acct.x", d, &b);
	assert_true(ak_index_present(test_dir, "acct.x"));
	assert_true(ak_index_current(test_dir, "acct.x", geteuid(), &b));
	key_hash(K1, h1);
	key_hash(K2, h2);
	assert_int_equal(ak_index_lines(test_dir, "acct.x", geteuid(), &b, h2,
	    off, len, 4, &n), 0);
	assert_int_equal(n, 1);
	/* The line as the document holds it, blanks and all (no CR). */
	assert_int_equal(len[0], strlen(K2) + 3);
	assert_memory_equal(text + off[0] + 2, K2, strlen(K2));
	assert_int_equal(ak_index_lines(test_dir, "acct.x", geteuid(), &b, h1,
	    off, len, 4, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(off[0], 0);
	memset(hx, 7, sizeof(hx));
	assert_int_equal(ak_index_lines(test_dir, "acct.x", geteuid(), &b, hx,
	    off, len, 4, &n), 0);
	assert_int_equal(n, 0);
	/* Another serial, length or end: not this document's index. */
	other = b;
	other.serial = 43;
	assert_int_equal(ak_index_lines(test_dir, "acct.x", geteuid(), &other,
	    h1, off, len, 4, &n), AK_ERR_FORMAT);
	assert_false(ak_index_current(test_dir, "acct.x", geteuid(), &other));
	other = b;
	other.doclen++;
	assert_int_equal(ak_index_lines(test_dir, "acct.x", geteuid(), &other,
	    h1, off, len, 4, &n), AK_ERR_FORMAT);
	other = b;
	other.tail[0] ^= 1;
	assert_int_equal(ak_index_lines(test_dir, "acct.x", geteuid(), &other,
	    h1, off, len, 4, &n), AK_ERR_FORMAT);
	/* The list index is another kind. */
	assert_int_not_equal(ak_index_revoked(test_dir, "acct.x", geteuid(),
	    &b, h1, (int *)&n), 0);
	ak_doc_free(d);
	ak_index_remove(test_dir, "acct.x");
	assert_false(ak_index_present(test_dir, "acct.x"));
	assert_int_not_equal(ak_index_lines(test_dir, "acct.x", geteuid(), &b,
	    h1, off, len, 4, &n), 0);
}

/* A key on several lines: every line is found, up to the bound. */
static void
test_duplicates(void **state)
{
	char text[4096];
	unsigned char h1[AK_HASH_LEN];
	struct ak_index_bind b;
	struct ak_doc *d;
	size_t off[AK_INDEX_MAX_DUP], len[AK_INDEX_MAX_DUP], n, i, used = 0;

	(void)state;
	key_hash(K1, h1);
	used += (size_t)snprintf(text, sizeof(text), "%s\nfrom=\"10.0.0.1\" "
	    "%s\n", K1, K1);
	d = plain(text);
	write_keys("acct.dup", d, &b);
	assert_int_equal(ak_index_lines(test_dir, "acct.dup", geteuid(), &b,
	    h1, off, len, AK_INDEX_MAX_DUP, &n), 0);
	assert_int_equal(n, 2);
	assert_true(off[0] < off[1]);
	ak_doc_free(d);
	for (i = 0; i < AK_INDEX_MAX_DUP; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used,
		    "%s\n", K1);
	d = plain(text);
	write_keys("acct.dup", d, &b);
	assert_int_equal(ak_index_lines(test_dir, "acct.dup", geteuid(), &b,
	    h1, off, len, AK_INDEX_MAX_DUP, &n), AK_ERR_TOO_LARGE);
	assert_int_equal(n, 0);
	ak_doc_free(d);
}

/* The list's index: its revset, exactly. */
static void
test_revset_index(void **state)
{
	const char *text = "#authkeys-document v1\n#revocations\n#serial 3\n"
	    "#expires 2099-01-01T00:00:00Z\n"
	    " SHA256:ydSwwv6YNHRaPr3WTK5VTjUY1sVFDtkv78scTm+xsB8\t\n"
	    "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n"
	    "-----END SSH SIGNATURE-----\n";
	unsigned char h[AK_HASH_LEN];
	struct ak_index_bind b;
	struct ak_revset *rs;
	struct ak_doc *d;
	int revoked;

	(void)state;
	assert_int_equal(ak_doc_parse(text, strlen(text), AK_DOC_REVOCATIONS,
	    &d), 0);
	assert_int_equal(ak_revset_from_doc(d, &rs, NULL), 0);
	assert_int_equal(ak_index_write_revset(test_dir, "revoked", d, rs), 0);
	ak_index_bind_doc(d, &b);
	assert_int_equal(ak_fpr_hash("SHA256:ydSwwv6YNHRaPr3WTK5VTjUY1sVFDtkv"
	    "78scTm+xsB8", h), 0);
	assert_int_equal(ak_index_revoked(test_dir, "revoked", geteuid(), &b,
	    h, &revoked), 0);
	assert_true(revoked);
	h[0] ^= 1;
	assert_int_equal(ak_index_revoked(test_dir, "revoked", geteuid(), &b,
	    h, &revoked), 0);
	assert_false(revoked);
	b.serial++;
	assert_int_equal(ak_index_revoked(test_dir, "revoked", geteuid(), &b,
	    h, &revoked), AK_ERR_FORMAT);
	ak_revset_free(rs);
	ak_doc_free(d);
}

/* A document no reader can read gets no index (the full path decides). */
static void
test_unreadable_document_no_index(void **state)
{
	char text[512];
	struct ak_index_bind b;
	struct ak_doc *d;

	(void)state;
	snprintf(text, sizeof(text), "%s\nssh-ed25519 x\ry\n", K1);
	d = plain(text);
	write_keys("acct.bad", d, &b);
	assert_false(ak_index_present(test_dir, "acct.bad"));
	ak_doc_free(d);
}

static void
test_untrusted_or_garbage_index(void **state)
{
	unsigned char h[AK_HASH_LEN];
	struct ak_index_bind b;
	char path[600];
	size_t off[2], len[2], n;
	struct ak_doc *d = plain("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHcK+qH"
	    "EM/Wkf0eo4MFBaqQ5/tT48Vk7hcZWSOsaxH0v k1\n");

	(void)state;
	key_hash(K1, h);
	write_keys("acct.g", d, &b);
	snprintf(path, sizeof(path), "%s/idx.acct.g", test_dir);
	run_ok("chmod 666 %s", path);
	assert_int_equal(ak_index_lines(test_dir, "acct.g", geteuid(), &b, h,
	    off, len, 2, &n), AK_ERR_PERM);
	run_ok("chmod 600 %s && truncate -s 63 %s", path, path);
	assert_int_equal(ak_index_lines(test_dir, "acct.g", geteuid(), &b, h,
	    off, len, 2, &n), AK_ERR_FORMAT);
	run_ok("rm -f %s && mkfifo %s", path, path);
	assert_int_not_equal(ak_index_lines(test_dir, "acct.g", geteuid(), &b,
	    h, off, len, 2, &n), 0);
	unlink(path);
	assert_int_equal(ak_fpr_hash("SHA256:short", h), AK_ERR_BAD_FPR);
	ak_doc_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_lookup_and_binding),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_revset_index),
		cmocka_unit_test(test_unreadable_document_no_index),
		cmocka_unit_test(test_untrusted_or_garbage_index),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
