/* ak_authinfo (SSH_AUTH_INFO_0), ak_wire and ak_file on their own. */
#include "testutil.h"

#include <sys/stat.h>

#include <unistd.h>

#include "ak_authinfo.h"
#include "ak_config.h"
#include "ak_doc.h"
#include "ak_err.h"
#include "ak_file.h"
#include "ak_wire.h"

#define K1B64	"AAAAC3NzaC1lZDI1NTE5AAAAIHcK+qHEM/Wkf0eo4MFBaqQ5/tT48Vk7hcZWSOsaxH0v"
#define K2B64	"AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"

static void
test_authinfo_forms(void **state)
{
	struct ak_authinfo ai;
	char fprs[512];

	(void)state;
	assert_int_equal(ak_authinfo_parse(NULL, &ai), AK_ERR_NOT_FOUND);
	ak_authinfo_clear(&ai);
	assert_int_equal(ak_authinfo_parse("password\n", &ai),
	    AK_ERR_NOT_FOUND);
	ak_authinfo_clear(&ai);
	assert_int_equal(ak_authinfo_parse("publickey ssh-ed25519 " K1B64
	    "\n", &ai), 0);
	assert_int_equal(ai.nkeys, 1);
	ak_authinfo_fprs(&ai, fprs, sizeof(fprs));
	assert_int_equal(strncmp(fprs, "SHA256:", 7), 0);
	ak_authinfo_clear(&ai);
	/* keyboard-interactive first, then two keys; no final newline. */
	assert_int_equal(ak_authinfo_parse("keyboard-interactive\n"
	    "publickey ssh-ed25519 " K1B64 "\npublickey ssh-ed25519 " K2B64,
	    &ai), 0);
	assert_int_equal(ai.nkeys, 2);
	ak_authinfo_fprs(&ai, fprs, sizeof(fprs));
	assert_non_null(strchr(fprs, ','));
	ak_authinfo_clear(&ai);
}

static void
test_authinfo_refusals(void **state)
{
	struct ak_authinfo ai;
	char big[AK_AUTHINFO_MAX + 64];

	(void)state;
	assert_int_equal(ak_authinfo_parse("publickey "
	    "ssh-ed25519-cert-v01@openssh.com AAAA\n", &ai), AK_ERR_KEY_TYPE);
	ak_authinfo_clear(&ai);
	assert_int_equal(ak_authinfo_parse("publickey ssh-foo AAAA\n", &ai),
	    AK_ERR_KEY_TYPE);
	ak_authinfo_clear(&ai);
	assert_int_not_equal(ak_authinfo_parse("publickey ssh-ed25519 !!!\n",
	    &ai), 0);
	ak_authinfo_clear(&ai);
	assert_int_not_equal(ak_authinfo_parse("publickey ssh-ed25519\n",
	    &ai), 0);
	ak_authinfo_clear(&ai);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_not_equal(ak_authinfo_parse(big, &ai), 0);
	ak_authinfo_clear(&ai);
}

static void
test_authinfo_check(void **state)
{
	struct ak_config *cfg;
	struct ak_doc *doc;
	struct ak_authinfo ai;
	const char *conf = "url = https://k/%u\ntrusted_signers = /s\n"
	    "accounts = deploy\n";
	const char *body = "ssh-ed25519 " K1B64 " k1\n";

	(void)state;
	assert_int_equal(ak_config_parse(conf, strlen(conf), "t", &cfg), 0);
	assert_int_equal(ak_doc_parse(body, strlen(body), AK_DOC_PLAIN, &doc),
	    0);
	assert_int_equal(ak_authinfo_parse("publickey ssh-ed25519 " K1B64
	    "\n", &ai), 0);
	assert_null(ak_authinfo_check(cfg, &ai, doc, NULL));
	assert_non_null(ak_authinfo_check(cfg, &ai, NULL, NULL));
	ak_authinfo_clear(&ai);
	assert_int_equal(ak_authinfo_parse("publickey ssh-ed25519 " K1B64
	    "\npublickey ssh-ed25519 " K2B64 "\n", &ai), 0);
	/* Every key used must be listed: one unlisted key denies. */
	assert_non_null(ak_authinfo_check(cfg, &ai, doc, NULL));
	ak_authinfo_clear(&ai);
	ak_doc_free(doc);
	ak_config_free(cfg);
}

static void
test_wire_bounds(void **state)
{
	const unsigned char buf[] = { 0, 0, 0, 3, 'a', 'b', 'c', 0, 0, 0, 9,
	    'x' };
	const unsigned char mp[] = { 0, 0, 0, 2, 0, 0x80, 0, 0, 0, 1, 0x80 };
	struct ak_wire w = { buf, sizeof(buf) };
	const unsigned char *s;
	size_t len;
	uint32_t v;

	(void)state;
	assert_int_equal(ak_wire_string(&w, &s, &len), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(s, "abc", 3);
	/* A length past the end is refused, not read. */
	assert_int_equal(ak_wire_string(&w, &s, &len), AK_ERR_FORMAT);
	w.p = buf;
	w.len = 3;
	assert_int_equal(ak_wire_u32(&w, &v), AK_ERR_FORMAT);
	w.p = buf;
	w.len = sizeof(buf);
	assert_int_equal(ak_wire_expect(&w, "abc"), 0);
	w.p = buf;
	w.len = sizeof(buf);
	assert_int_equal(ak_wire_expect(&w, "abd"), AK_ERR_FORMAT);
	w.p = mp;
	w.len = sizeof(mp);
	assert_int_equal(ak_wire_mpint(&w, &s, &len), 0);
	assert_int_equal(len, 1);	/* the leading zero stripped */
	assert_int_equal(s[0], 0x80);
	/* 0x80 without its zero byte would be negative: refused. */
	assert_int_equal(ak_wire_mpint(&w, &s, &len), AK_ERR_FORMAT);
}

static void
test_file_read_and_checks(void **state)
{
	char dir[] = "/tmp/ak-test-file.XXXXXX", path[600], *buf;
	size_t len;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/f", dir);
	run_ok("printf 'hello' > %s && chmod 644 %s", path, path);
	assert_int_equal(ak_file_read(path, 5, 1, 0, &buf, &len), 0);
	assert_int_equal(len, 5);
	assert_string_equal(buf, "hello");
	free(buf);
	assert_int_equal(ak_file_read(path, 4, 0, 0, &buf, &len),
	    AK_ERR_TOO_LARGE);
	run_ok("chmod 666 %s", path);
	assert_int_equal(ak_file_read(path, 5, 1, 0, &buf, &len), AK_ERR_PERM);
	assert_int_equal(ak_file_check_root_path(path), AK_ERR_PERM);
	run_ok("chmod 644 %s", path);
	assert_int_equal(ak_file_check_root_path(path), 0);
	/* A parent others may write makes the file untrustworthy too. */
	run_ok("chmod 777 %s", dir);
	assert_int_equal(ak_file_check_root_path(path), AK_ERR_PERM);
	run_ok("chmod 700 %s", dir);
	snprintf(path, sizeof(path), "%s/missing", dir);
	assert_int_equal(ak_file_read(path, 5, 0, 0, &buf, &len),
	    AK_ERR_NOT_FOUND);
	snprintf(path, sizeof(path), "%s/link", dir);
	assert_int_equal(symlink("/etc/hostname", path), 0);
	assert_int_equal(ak_file_read(path, 4096, 0, 0, &buf, &len),
	    AK_ERR_PERM);
	/* A private dir: made 0700; refused when others can enter it. */
	snprintf(path, sizeof(path), "%s/priv", dir);
	assert_int_equal(ak_file_private_dir(path), 0);
	run_ok("test \"$(stat -c %%a %s)\" = 700", path);
	run_ok("chmod 755 %s", path);
	assert_int_equal(ak_file_private_dir(path), AK_ERR_PERM);
	run_ok("rm -rf %s", dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_authinfo_forms),
		cmocka_unit_test(test_authinfo_refusals),
		cmocka_unit_test(test_authinfo_check),
		cmocka_unit_test(test_wire_bounds),
		cmocka_unit_test(test_file_read_and_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
