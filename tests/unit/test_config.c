/* ak_config: every key, defaults, errors naming file and line, ownership. */
#include "testutil.h"

#include <sys/stat.h>
#include <unistd.h>

#include "ak_config.h"
#include "ak_err.h"
#include "ak_key.h"
#include "ak_url.h"

#define BASE "url = https://keys.example.com/v1/accounts/%u\n" \
	"trusted_signers = /etc/authkeys/signers\naccounts = deploy,octo\n"

static int
parse(const char *text, struct ak_config **cfg)
{
	last_log[0] = '\0';
	return ak_config_parse(text, strlen(text), "t.conf", cfg);
}

static void
test_defaults(void **state)
{
	struct ak_config *cfg;

	(void)state;
	assert_int_equal(parse(BASE, &cfg), 0);
	assert_int_equal(cfg->nurls, 1);
	assert_int_equal(cfg->require_signature, 1);
	assert_string_equal(cfg->namespace, "authkeys");
	assert_string_equal(cfg->cache_dir, "/var/cache/authkeys");
	assert_int_equal(cfg->refresh_after, 60);
	assert_int_equal(cfg->timeout, 5);
	assert_int_equal(cfg->min_rsa_bits, 3072);
	assert_null(cfg->forced_options);
	assert_true(ak_config_manages(cfg, "octo"));
	assert_false(ak_config_manages(cfg, "root"));
	assert_true(ak_config_option_allowed(cfg, "no-x11-forwarding"));
	assert_false(ak_config_option_allowed(cfg, "permitopen"));
	assert_true(cfg->allowed_types & (1U << AK_KT_RSA));
	ak_config_free(cfg);
}

static void
test_all_keys(void **state)
{
	struct ak_config *cfg;

	(void)state;
	assert_int_equal(parse("# comment\n\n  url=https://a/%u\n"
	    "url = file:///srv/keys/%u?x=%%\nrevocation_url = https://a/revoked\n"
	    "trusted_signers = /s\nrequire_signature = yes\n"
	    "signature_namespace = deploy@example.com\nca_file = /ca.pem\n"
	    "cache_dir = /c\nrefresh_after = 0\ntimeout = 2\n"
	    "accounts = deploy\nforced_options = restrict,no-pty\n"
	    "allowed_options = From, restrict\n"
	    "allowed_key_types = ed25519, ecdsa-sha2-nistp256\n"
	    "min_rsa_bits = 4096\nmax_clock_skew = 60\n", &cfg), 0);
	assert_int_equal(cfg->nurls, 2);
	assert_string_equal(cfg->urls[1], "file:///srv/keys/%u?x=%%");
	assert_string_equal(cfg->forced_options, "restrict,no-pty");
	assert_true(ak_config_option_allowed(cfg, "from"));
	assert_false(ak_config_option_allowed(cfg, "no-pty"));
	assert_int_equal(cfg->allowed_types,
	    (1U << AK_KT_ED25519) | (1U << AK_KT_ECDSA_P256));
	assert_int_equal(cfg->refresh_after, 0);
	assert_int_equal(cfg->max_clock_skew, 60);
	ak_config_free(cfg);
}

static void
test_errors_name_file_and_line(void **state)
{
	static const struct {
		const char *text;
		const char *msg;
	} bad[] = {
		{ BASE "bogus = 1\n", "t.conf:4: unknown key 'bogus'" },
		{ BASE "timeout = 5\ntimeout = 6\n", "t.conf:5: repeated key" },
		{ BASE "timeout = 0\n", "t.conf:4: bad number" },
		{ BASE "timeout = 5s\n", "t.conf:4: bad number" },
		{ BASE "refresh_after = -1\n", "t.conf:4: bad number" },
		{ BASE "require_signature = maybe\n", "t.conf:4: expected yes" },
		{ BASE "url = ftp://x/%u\n", "t.conf:4: URL scheme" },
		{ BASE "url = https://x/%s\n", "t.conf:4: bad % escape" },
		{ BASE "accounts = Root\n", "t.conf:4: repeated key" },
		{ "url = https://x/%u\ntrusted_signers = /s\naccounts = a,,b\n",
		    "t.conf:3: empty item" },
		{ "url = https://x/%u\ntrusted_signers = /s\naccounts = ../x\n",
		    "t.conf:3: invalid account name" },
		{ BASE "allowed_key_types = dsa\n", "t.conf:4: unknown key type" },
		{ BASE "forced_options = restrict ssh-rsa\n",
		    "t.conf:4: malformed options" },
		{ BASE "min_rsa_bits = 512\n", "t.conf:4: bad number" },
		{ BASE "max_clock_skew = 86401\n", "t.conf:4: bad number" },
		{ BASE "max_clock_skew = -1\n", "t.conf:4: bad number" },
		{ BASE "cache_dir = relative\n", "t.conf:4: path must be" },
		{ BASE "just words\n", "t.conf:4: expected 'key = value'" },
		{ "trusted_signers = /s\naccounts = a\n", "missing required key "
		    "'url'" },
		{ "url = https://x/%u\ntrusted_signers = /s\n",
		    "missing required key 'accounts'" },
		{ "url = https://x/%u\naccounts = a\n", "needs trusted_signers" },
		{ "url = http://x/%u\naccounts = a\nrequire_signature = no\n",
		    "http:// store without signatures" },
		{ BASE "url = https://x/%u\x01\n", "t.conf:4: control" },
	};
	struct ak_config *cfg;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i].text, &cfg), AK_ERR_CONFIG);
		assert_null(cfg);
		if (strstr(last_log, bad[i].msg) == NULL)
			fail_msg("case %zu: log '%s' lacks '%s'", i, last_log,
			    bad[i].msg);
	}
}

static void
test_load_checks_permissions(void **state)
{
	char dir[] = "/run/ak-test-conf.XXXXXX", path[256];
	struct ak_config *cfg;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/authkeys.conf", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs(BASE, f);
	fclose(f);
	chmod(path, 0644);
	assert_int_equal(ak_config_load(path, &cfg), 0);
	ak_config_free(cfg);
	chmod(path, 0664);
	assert_int_equal(ak_config_load(path, &cfg), AK_ERR_PERM);
	chmod(path, 0644);
	chmod(dir, 0777);
	assert_int_equal(ak_config_load(path, &cfg), AK_ERR_PERM);
	chmod(dir, 0700);
	if (geteuid() == 0) {
		assert_int_equal(chown(path, 1, 1), 0);
		assert_int_equal(ak_config_load(path, &cfg), AK_ERR_PERM);
	}
	unlink(path);
	assert_int_equal(ak_config_load(path, &cfg), AK_ERR_NOT_FOUND);
	rmdir(dir);
}

/* Every bounded key of the table: its edges taken, one past refused. */
static void
test_bounds(void **state)
{
	static const struct {
		const char *key;
		long min, max;
	} b[] = {
		{ "refresh_after", 0, 86400L * 365 },
		{ "timeout", 1, 600 },
		{ "min_rsa_bits", 1024, 16384 },
		{ "retry_after", 0, 86400 },
		{ "freeze_after", 1, 86400L * 365 },
		{ "max_clock_skew", 0, 86400 },
	};
	struct ak_config *cfg;
	char text[512];
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(b) / sizeof(b[0]); i++) {
		const long ok[] = { b[i].min, b[i].max };
		const long bad[] = { b[i].min - 1, b[i].max + 1 };

		for (j = 0; j < 2; j++) {
			snprintf(text, sizeof(text), "%s%s = %ld\n", BASE,
			    b[i].key, ok[j]);
			assert_int_equal(parse(text, &cfg), 0);
			ak_config_free(cfg);
			snprintf(text, sizeof(text), "%s%s = %ld\n", BASE,
			    b[i].key, bad[j]);
			assert_int_equal(parse(text, &cfg), AK_ERR_CONFIG);
			assert_non_null(strstr(last_log, "bad number"));
		}
		/* Single-valued: a second line is an error naming it. */
		snprintf(text, sizeof(text), "%s%s = %ld\n%s = %ld\n", BASE,
		    b[i].key, b[i].min, b[i].key, b[i].min);
		assert_int_equal(parse(text, &cfg), AK_ERR_CONFIG);
		assert_non_null(strstr(last_log, "repeated key"));
	}
	/* url and timestamp_url repeat, up to AK_MAX_URLS lines each. */
	text[0] = '\0';
	for (j = 0; j <= AK_MAX_URLS; j++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
		    "url = https://m%zu/%%u\n", j);
	snprintf(text + strlen(text), sizeof(text) - strlen(text),
	    "trusted_signers = /s\naccounts = d\n");
	assert_int_equal(parse(text, &cfg), AK_ERR_CONFIG);
	assert_non_null(strstr(last_log, "too many lines of"));
	/* Only forced_options may be empty. */
	assert_int_equal(parse(BASE "forced_options =\n", &cfg), 0);
	ak_config_free(cfg);
	assert_int_equal(parse(BASE "signature_namespace =\n", &cfg),
	    AK_ERR_CONFIG);
	assert_non_null(strstr(last_log, "empty value for"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_all_keys),
		cmocka_unit_test(test_errors_name_file_and_line),
		cmocka_unit_test(test_load_checks_permissions),
		cmocka_unit_test(test_bounds),
	};

	test_log_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
