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

/* Made with ssh-keygen -s ca -I id -n plainu (ed25519 and ECDSA users). */
static const char *CERT_ED =
	"AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29tAAAAINx6ikdVn0Ey"
	"9JeDw+SfQXTODAfHkvdXQa+q8rp22+aTAAAAIGbO9NPr3jRQGcxspFh5DQjWfIFz"
	"drx5X7IbtI4F4Y3QAAAAAAAAAAAAAAABAAAAA2lkMQAAAAoAAAAGcGxhaW51AAAA"
	"AAAAAAD//////////wAAAAAAAACCAAAAFXBlcm1pdC1YMTEtZm9yd2FyZGluZwAA"
	"AAAAAAAXcGVybWl0LWFnZW50LWZvcndhcmRpbmcAAAAAAAAAFnBlcm1pdC1wb3J0"
	"LWZvcndhcmRpbmcAAAAAAAAACnBlcm1pdC1wdHkAAAAAAAAADnBlcm1pdC11c2Vy"
	"LXJjAAAAAAAAAAAAAAAzAAAAC3NzaC1lZDI1NTE5AAAAIMVjZ9ON/auC3ZzjGZ4w"
	"2Nh9XW31ORGPedMe0rYYlqxKAAAAUwAAAAtzc2gtZWQyNTUxOQAAAECKSrdnXCdj"
	"7KLIOBmbrOYUVeK6/0IkmY5e5+zT8n9RAn1KNb2J5jlruC8LygUpTRpHKlEzUoPS"
	"nwcOjyNlZJ0D";
static const char *CERT_EC =
	"AAAAKGVjZHNhLXNoYTItbmlzdHAyNTYtY2VydC12MDFAb3BlbnNzaC5jb20AAAAg"
	"27B6uE2KWKtmSOza408zIQfHQI8nYzmHNXOqOxLAc/YAAAAIbmlzdHAyNTYAAABB"
	"BMFQiLN9QMgVqbjMpvfe/z/zHkS8jdGHHeJG1zwcQPmiZhrFqCpnP/vwbK5HLEV4"
	"XhxNISiAkDePI1A1ZA9i9gsAAAAAAAAAAAAAAAEAAAADaWQyAAAACgAAAAZwbGFp"
	"bnUAAAAAAAAAAP//////////AAAAAAAAAIIAAAAVcGVybWl0LVgxMS1mb3J3YXJk"
	"aW5nAAAAAAAAABdwZXJtaXQtYWdlbnQtZm9yd2FyZGluZwAAAAAAAAAWcGVybWl0"
	"LXBvcnQtZm9yd2FyZGluZwAAAAAAAAAKcGVybWl0LXB0eQAAAAAAAAAOcGVybWl0"
	"LXVzZXItcmMAAAAAAAAAAAAAADMAAAALc3NoLWVkMjU1MTkAAAAgxWNn0439q4Ld"
	"nOMZnjDY2H1dbfU5EY950x7SthiWrEoAAABTAAAAC3NzaC1lZDI1NTE5AAAAQAT8"
	"yjZ3/hPIpQ64aaqcpdNv8VilF+yAmWD8GdxW+JFBIqPSMH7pRrjE4i+8Ssjep+e6"
	"nXXFoaJJdZ5IB/UuEgM=";

/*
 * A certificate login: the certified key's own fingerprint (what
 * ssh-keygen -lf prints for the user's key) and its CA's, for the record
 * and the revocation list; a cert cut short or of another type: refused.
 */
static void
test_authinfo_certs(void **state)
{
	struct ak_authinfo ai;
	char info[2048], cut[2048];

	(void)state;
	snprintf(info, sizeof(info), "publickey "
	    "ssh-ed25519-cert-v01@openssh.com %s\npublickey "
	    "ecdsa-sha2-nistp256-cert-v01@openssh.com %s\n", CERT_ED, CERT_EC);
	assert_int_equal(ak_authinfo_parse(info, &ai), 0);
	assert_int_equal(ai.nkeys, 2);
	assert_int_equal(ai.ncerts, 2);
	assert_string_equal(ai.keys[0].fpr,
	    "SHA256:eXldd4nqFrvAIVUaPgk5/T0e1sUBlOnf1z7uMUu7Xjk");
	assert_string_equal(ai.keys[0].ca_fpr,
	    "SHA256:lXoSyvBvolV5s6LZc81aMfYrU+dWMJWViMCb1nCcPlQ");
	assert_int_equal(ai.keys[0].type, AK_KT_ED25519);
	assert_string_equal(ai.keys[1].fpr,
	    "SHA256:+ok6QfhwadU34p9e6IuLPstb9c/MzfCPo0U4bP2FuZo");
	assert_string_equal(ai.keys[1].ca_fpr, ai.keys[0].ca_fpr);
	assert_int_equal(ai.keys[1].type, AK_KT_ECDSA_P256);
	ak_authinfo_clear(&ai);
	/* A plain key has no CA. */
	assert_int_equal(ak_authinfo_parse("publickey ssh-ed25519 " K1B64
	    "\n", &ai), 0);
	assert_int_equal(ai.ncerts, 0);
	assert_string_equal(ai.keys[0].ca_fpr, "");
	ak_authinfo_clear(&ai);
	/* Cut short (still valid base64), or named as another type. */
	snprintf(cut, sizeof(cut), "publickey "
	    "ssh-ed25519-cert-v01@openssh.com %.*s\n", 400, CERT_ED);
	assert_int_equal(ak_authinfo_parse(cut, &ai), AK_ERR_KEY_INVALID);
	ak_authinfo_clear(&ai);
	snprintf(cut, sizeof(cut), "publickey "
	    "ecdsa-sha2-nistp256-cert-v01@openssh.com %s\n", CERT_ED);
	assert_int_equal(ak_authinfo_parse(cut, &ai), AK_ERR_KEY_INVALID);
	ak_authinfo_clear(&ai);
}

static void
test_authinfo_refusals(void **state)
{
	struct ak_authinfo ai;
	char big[AK_AUTHINFO_MAX + 64];

	(void)state;
	assert_int_equal(ak_authinfo_parse("publickey "
	    "ssh-ed25519-cert-v01@openssh.com AAAA\n", &ai),
	    AK_ERR_KEY_INVALID);
	ak_authinfo_clear(&ai);
	assert_int_equal(ak_authinfo_parse("publickey "
	    "ssh-dss-cert-v01@openssh.com AAAA\n", &ai), AK_ERR_KEY_TYPE);
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
		cmocka_unit_test(test_authinfo_certs),
		cmocka_unit_test(test_authinfo_refusals),
		cmocka_unit_test(test_authinfo_keys_meet_the_keyset),
		cmocka_unit_test(test_authinfo_fprs_and_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
