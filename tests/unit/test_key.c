/* ak_key: authorized_keys lines, options and fingerprints (as ssh-keygen). */
#include "testutil.h"

#include "ak_b64.h"
#include "ak_err.h"
#include "ak_key.h"
#include "ak_valid.h"

static char tmpdir[] = "/tmp/ak-test-key.XXXXXX";

static int
setup(void **state)
{
	(void)state;
	test_log_init();
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	run_ok("cd %s && ssh-keygen -q -t ed25519 -N '' -C ed -f ed && "
	    "ssh-keygen -q -t ecdsa -b 256 -N '' -f e256 && "
	    "ssh-keygen -q -t ecdsa -b 384 -N '' -f e384 && "
	    "ssh-keygen -q -t ecdsa -b 521 -N '' -f e521 && "
	    "ssh-keygen -q -t rsa -b 3072 -N '' -f r3072 && "
	    "ssh-keygen -q -t rsa -b 2048 -N '' -f r2048", tmpdir);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	run_ok("rm -rf %s", tmpdir);
	return 0;
}

/* Fingerprint and type of each generated key match ssh-keygen -lf. */
static void
test_fingerprints_match_ssh_keygen(void **state)
{
	static const char *names[] = { "ed", "e256", "e384", "e521", "r3072",
	    "r2048" };
	static const unsigned int bits[] = { 256, 256, 384, 521, 3072, 2048 };
	struct ak_key_line *kl;
	char path[256], cmd[512], want[128], *pub;
	size_t i, len = 0;
	FILE *p;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s.pub", tmpdir, names[i]);
		assert_non_null(pub = slurp(path, &len));
		while (len > 0 && pub[len - 1] == '\n')
			len--;
		assert_int_equal(ak_key_line_parse(pub, len, &kl), 0);
		snprintf(cmd, sizeof(cmd), "ssh-keygen -lf %s | cut -d' ' -f2",
		    path);
		assert_non_null(p = popen(cmd, "r"));
		assert_non_null(fgets(want, sizeof(want), p));
		pclose(p);
		want[strcspn(want, "\n")] = '\0';
		assert_string_equal(kl->fpr, want);
		assert_int_equal(kl->bits, bits[i]);
		assert_true(ak_fpr_valid(kl->fpr));
		ak_key_line_free(kl);
		free(pub);
	}
}

static const char *ED =
    "AAAAC3NzaC1lZDI1NTE5AAAAIJduHAHHuu7TvBhBXjr7WwmNRIwylavTmFPGm+0M5IhM";

static int
parse(const char *fmt, struct ak_key_line **kl)
{
	char line[1024];
	const char *k = strstr(fmt, "%s");

	/* fmt holds one "%s", replaced by the test key. */
	snprintf(line, sizeof(line), "%.*s%s%s", (int)(k - fmt), fmt, ED,
	    k + 2);
	return ak_key_line_parse(line, strlen(line), kl);
}

static void
test_options(void **state)
{
	struct ak_key_line *kl;
	char v[64];

	(void)state;
	assert_int_equal(parse("from=\"10.0.0.0/8,!10.1.*\",no-pty,"
	    "command=\"echo \\\"hi there\\\"\" ssh-ed25519 %s c o m", &kl), 0);
	assert_int_equal(kl->nopts, 3);
	assert_string_equal(kl->opts[0].name, "from");
	assert_true(kl->opts[0].has_value);
	assert_string_equal(kl->opts[1].name, "no-pty");
	assert_string_equal(kl->opts[2].name, "command");
	assert_string_equal(kl->comment, "c o m");
	assert_string_equal(kl->options,
	    "from=\"10.0.0.0/8,!10.1.*\",no-pty,command=\"echo \\\"hi there\\\"\"");
	/* Values as sshd reads them: quotes and escapes, not strstr. */
	assert_int_equal(ak_key_option_value(kl, "from", v, sizeof(v)), 1);
	assert_string_equal(v, "10.0.0.0/8,!10.1.*");
	assert_int_equal(ak_key_option_value(kl, "command", v, sizeof(v)), 1);
	assert_string_equal(v, "echo \"hi there\"");
	assert_int_equal(ak_key_option_value(kl, "no-pty", v, sizeof(v)), 1);
	assert_string_equal(v, "");
	assert_int_equal(ak_key_option_value(kl, "pty", v, sizeof(v)), 0);
	assert_int_equal(ak_key_option_value(kl, "from", v, 4), 1);
	assert_string_equal(v, "10.");
	ak_key_line_free(kl);
	/* A name inside a quoted value is not an option. */
	assert_int_equal(parse("from=\"1.2.3.4,expiry-time=20990101\" "
	    "ssh-ed25519 %s", &kl), 0);
	assert_int_equal(ak_key_option_value(kl, "expiry-time", v,
	    sizeof(v)), 0);
	ak_key_line_free(kl);

	/* Upper case names are folded, as sshd compares them. */
	assert_int_equal(parse("No-X11-Forwarding ssh-ed25519 %s", &kl), 0);
	assert_string_equal(kl->opts[0].name, "no-x11-forwarding");
	assert_null(kl->comment);
	ak_key_line_free(kl);

	assert_int_equal(parse("from=\"unterminated ssh-ed25519 %s", &kl),
	    AK_ERR_FORMAT);
	assert_int_equal(parse("from=unquoted ssh-ed25519 %s", &kl),
	    AK_ERR_FORMAT);
	assert_int_equal(parse("no-pty,,x ssh-ed25519 %s", &kl), AK_ERR_FORMAT);
	assert_int_equal(ak_key_options_check("restrict,from=\"a\""), 0);
	assert_int_equal(ak_key_options_check("restrict ssh-ed25519"),
	    AK_ERR_FORMAT);
}

#define EC_LINE_UNPADDED "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAI" \
	"bmlzdHAyNTYAAABBBPOqgoNrEpe7U+74dmOv63D3qm+O5wwHnxMKjvRn7eT5Jfnlol" \
	"bNY+Y4Gg0TtvkU5Nm5g2d1Y8OFjmOGfjUN0CE"
#define EC_LINE	EC_LINE_UNPADDED "="

static int
parse_text(const char *s, struct ak_key_line **klp)
{
	return ak_key_line_parse(s, strlen(s), klp);
}

static void
test_rejects(void **state)
{
	struct ak_key_line *kl = NULL;

	(void)state;
	assert_int_equal(parse("ssh-ed25519 %s a\001b", &kl),
	    AK_ERR_CONTROL_CHAR);
	assert_int_equal(parse("ssh-ed25519 %s a\rb", &kl),
	    AK_ERR_CONTROL_CHAR);
	assert_int_equal(parse("ssh-dss %s", &kl), AK_ERR_KEY_TYPE);
	assert_int_equal(parse("ssh-ed25519-cert-v01@openssh.com %s", &kl),
	    AK_ERR_KEY_TYPE);
	/* Blob says ed25519, line says ecdsa. */
	assert_int_equal(parse("ecdsa-sha2-nistp256 %s", &kl),
	    AK_ERR_KEY_INVALID);
	assert_int_equal(ak_key_line_parse("ssh-ed25519 AAAA!", 17, &kl),
	    AK_ERR_KEY_INVALID);
	assert_int_equal(ak_key_line_parse("ssh-ed25519", 11, &kl),
	    AK_ERR_FORMAT);
	assert_int_equal(ak_key_line_parse("", 0, &kl), AK_ERR_FORMAT);
	/*
	 * Padding dropped: OpenSSH refuses the line (found by differential
	 * fuzzing against ssh-keygen -lf), so do we.
	 */
	assert_int_equal(parse_text(EC_LINE, &kl), 0);
	ak_key_line_free(kl);
	kl = NULL;
	assert_int_equal(parse_text(EC_LINE_UNPADDED, &kl),
	    AK_ERR_KEY_INVALID);
	/* Truncated key: valid base64, short blob. */
	assert_int_equal(ak_key_line_parse("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5",
	    32, &kl), AK_ERR_KEY_INVALID);
	assert_null(kl);
}

/* A FIDO key: built by hand, no hardware needed. */
static void
test_sk_ed25519(void **state)
{
	unsigned char blob[128], *p = blob;
	char line[512];
	struct ak_key_line *kl;
	const char *t = "sk-ssh-ed25519@openssh.com", *app = "ssh:";

	(void)state;
	p[0] = p[1] = p[2] = 0;
	p[3] = (unsigned char)strlen(t);
	memcpy(p + 4, t, strlen(t));
	p += 4 + strlen(t);
	p[0] = p[1] = p[2] = 0;
	p[3] = 32;
	memset(p + 4, 0x42, 32);
	p += 36;
	p[0] = p[1] = p[2] = 0;
	p[3] = 4;
	memcpy(p + 4, app, 4);
	p += 8;
	strcpy(line, "sk-ssh-ed25519@openssh.com ");
	assert_true(ak_b64_encode(blob, (size_t)(p - blob), line + strlen(line),
	    sizeof(line) - strlen(line), 1) > 0);
	assert_int_equal(ak_key_line_parse(line, strlen(line), &kl), 0);
	assert_int_equal(kl->type, AK_KT_SK_ED25519);
	ak_key_line_free(kl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fingerprints_match_ssh_keygen),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_sk_ed25519),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
