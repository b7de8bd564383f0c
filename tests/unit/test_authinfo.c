/* ak_authinfo (SSH_AUTH_INFO_0), ak_wire and ak_file on their own. */
#include "testutil.h"

#include <sys/stat.h>

#include <unistd.h>

#include "ak_authinfo.h"
#include "ak_keyset.h"
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

/*
 * The key a login used, as the module asks ak_keyset about it: its hash is
 * the one the keyset reads from a document line of the same key, so the
 * listed key is admitted and any other is not.
 */
static void
test_authinfo_keys_meet_the_keyset(void **state)
{
	struct ak_config *cfg, *rsaonly;
	struct ak_doc *doc;
	struct ak_keyset *ks;
	struct ak_authinfo ai;
	const char *conf = "url = https://k/%u\ntrusted_signers = /s\n"
	    "accounts = deploy\n";
	const char *conf2 = "url = https://k/%u\ntrusted_signers = /s\n"
	    "accounts = deploy\nallowed_key_types = ssh-rsa\n";
	const char *body = "agent-forwarding ssh-ed25519 " K1B64 " k1\n"
	    "ssh-ed25519 " K2B64 " k2\n";

	(void)state;
	assert_int_equal(ak_config_parse(conf, strlen(conf), "t", &cfg), 0);
	assert_int_equal(ak_config_parse(conf2, strlen(conf2), "t", &rsaonly),
	    0);
	assert_int_equal(ak_doc_parse(body, strlen(body), AK_DOC_PLAIN, &doc),
	    0);
	assert_int_equal(ak_keyset_from_doc(cfg, "deploy", doc, NULL, &ks), 0);
	assert_int_equal(ak_authinfo_parse("publickey ssh-ed25519 " K1B64
	    "\npublickey ssh-ed25519 " K2B64 "\n", &ai), 0);
	assert_int_equal(ai.nkeys, 2);
	assert_int_equal(ak_keyset_admit(ks, ai.keys[0].hash),
	    AK_DENY_OPTION);
	assert_int_equal(ak_keyset_admit(ks, ai.keys[1].hash), AK_ADMIT);
	ak_keyset_free(ks);
	assert_int_equal(ak_keyset_from_doc(rsaonly, "deploy", doc, NULL, &ks),
	    0);
	assert_int_equal(ak_keyset_admit(ks, ai.keys[1].hash),
	    AK_DENY_KEY_TYPE);
	ak_keyset_free(ks);
	ak_authinfo_clear(&ai);
	ak_doc_free(doc);
	ak_config_free(rsaonly);
	ak_config_free(cfg);
}

static void
test_authinfo_fprs_and_bounds(void **state)
{
	struct ak_authinfo ai;
	char fprs[256];

	(void)state;
	assert_int_equal(ak_authinfo_parse("publickey ssh-ed25519 " K2B64
	    "\n", &ai), 0);
	ak_authinfo_fprs(&ai, fprs, sizeof(fprs));
	assert_int_equal(strlen(fprs), AK_FPR_LEN);
	assert_memory_equal(fprs, "SHA256:", 7);
	/* Too small a buffer: nothing half written. */
	ak_authinfo_fprs(&ai, fprs, 10);
	assert_string_equal(fprs, "");
	ak_authinfo_clear(&ai);
	/* sshd lists each key used; more than we keep is refused. */
	assert_int_equal(ak_authinfo_parse(
	    "publickey ssh-ed25519 " K1B64 "\npublickey ssh-ed25519 " K1B64
	    "\npublickey ssh-ed25519 " K1B64 "\npublickey ssh-ed25519 " K1B64
	    "\npublickey ssh-ed25519 " K1B64 "\npublickey ssh-ed25519 " K1B64
	    "\npublickey ssh-ed25519 " K1B64 "\npublickey ssh-ed25519 " K1B64
	    "\npublickey ssh-ed25519 " K1B64 "\n", &ai), AK_ERR_TOO_LARGE);
	ak_authinfo_clear(&ai);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_authinfo_forms),
		cmocka_unit_test(test_authinfo_refusals),
		cmocka_unit_test(test_authinfo_keys_meet_the_keyset),
		cmocka_unit_test(test_authinfo_fprs_and_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
