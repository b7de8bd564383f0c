/* ak_signers: allowed_signers lines, options, validity, namespaces, loading. */
#include "testutil.h"

#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ak_b64.h"
#include "ak_err.h"
#include "ak_key.h"
#include "ak_sha256.h"
#include "ak_signers.h"

#define ED_B64	"AAAAC3NzaC1lZDI1NTE5AAAAIMT3DXwn6lG/FC0T+vlcDPpV01+qaBhkt0H9fxPlC1kF"
#define ED	"ssh-ed25519 " ED_B64
#define EC_B64	"AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBPOqgoNrE" \
	"pe7U+74dmOv63D3qm+O5wwHnxMKjvRn7eT5JfnlolbNY+Y4Gg0TtvkU5Nm5g2d1Y8OF" \
	"jmOGfjUN0CE="
#define EC	"ecdsa-sha2-nistp256 " EC_B64

/* 2026-01-01T00:00:00Z and friends. */
#define T2026	((time_t)1767225600)
#define T2027	((time_t)1798761600)

static struct ak_signers *
parse_ok(const char *text)
{
	struct ak_signers *sp = NULL;

	assert_int_equal(ak_signers_parse(text, strlen(text), "test", &sp), 0);
	assert_non_null(sp);
	return sp;
}

static int
parse_err(const char *text)
{
	struct ak_signers *sp = NULL;
	int r;

	r = ak_signers_parse(text, strlen(text), "test", &sp);
	assert_null(sp);
	return r;
}

/* The blob of a "type base64" key. */
static unsigned char *
blob_of(const char *type, const char *b64, size_t *lenp)
{
	unsigned char *b = NULL;
	enum ak_key_type t;

	assert_int_equal(ak_key_parse_pub(type, b64, strlen(b64), &b, lenp,
	    &t), 0);
	return b;
}

static void
test_lines_comments_and_types(void **state)
{
	struct ak_signers *sp;

	(void)state;
	sp = parse_ok("# signers\n\n  \t\nops@example " ED "\n"
	    "\"a b\",c@x " EC " trailing comment\n");
	assert_int_equal(sp->n, 2);
	assert_int_equal(sp->s[0].type, AK_KT_ED25519);
	assert_int_equal(sp->s[1].type, AK_KT_ECDSA_P256);
	assert_null(sp->s[0].namespaces);
	assert_int_equal(sp->s[0].valid_after, 0);
	ak_signers_free(sp);
	sp = parse_ok("");
	assert_int_equal(sp->n, 0);
	ak_signers_free(sp);
	ak_signers_free(NULL);
}

static void
test_find_by_key_only(void **state)
{
	struct ak_signers *sp;
	unsigned char *ed, *ec;
	size_t edl, ecl;
	int why = 0;

	(void)state;
	ed = blob_of("ssh-ed25519", ED_B64, &edl);
	ec = blob_of("ecdsa-sha2-nistp256", EC_B64, &ecl);
	sp = parse_ok("ops " ED "\n");
	assert_non_null(ak_signers_find(sp, ed, edl, "authkeys", T2026, &why));
	assert_null(ak_signers_find(sp, ec, ecl, "authkeys", T2026, &why));
	assert_int_equal(why, AK_ERR_UNTRUSTED);
	/* A prefix of a trusted blob is not that key. */
	assert_null(ak_signers_find(sp, ed, edl - 1, "authkeys", T2026, &why));
	assert_null(ak_signers_find(NULL, ed, edl, "authkeys", T2026, &why));
	ak_signers_free(sp);
	free(ed);
	free(ec);
}

static void
test_namespaces(void **state)
{
	struct ak_signers *sp;
	unsigned char *ed;
	size_t edl;
	int why = 0;

	(void)state;
	ed = blob_of("ssh-ed25519", ED_B64, &edl);
	sp = parse_ok("ops namespaces=\"git,auth*\" " ED "\n");
	assert_string_equal(sp->s[0].namespaces, "git,auth*");
	assert_non_null(ak_signers_find(sp, ed, edl, "authkeys", T2026, &why));
	assert_non_null(ak_signers_find(sp, ed, edl, "git", T2026, &why));
	assert_null(ak_signers_find(sp, ed, edl, "file", T2026, &why));
	assert_int_equal(why, AK_ERR_NAMESPACE);
	ak_signers_free(sp);
	/* A negated pattern wins over a later match, as in ssh. */
	sp = parse_ok("ops namespaces=\"!authkeys,*\" " ED "\n");
	assert_null(ak_signers_find(sp, ed, edl, "authkeys", T2026, &why));
	assert_int_equal(why, AK_ERR_NAMESPACE);
	assert_non_null(ak_signers_find(sp, ed, edl, "other", T2026, &why));
	ak_signers_free(sp);
	/* Option names are case-insensitive, as ssh-keygen reads them. */
	sp = parse_ok("ops NameSpaces=\"git\" " ED "\n");
	assert_null(ak_signers_find(sp, ed, edl, "authkeys", T2026, &why));
	ak_signers_free(sp);
	free(ed);
}

static void
test_validity_window(void **state)
{
	struct ak_signers *sp;
	unsigned char *ed;
	size_t edl;
	int why = 0;

	(void)state;
	ed = blob_of("ssh-ed25519", ED_B64, &edl);
	sp = parse_ok("ops valid-after=\"20260101Z\",valid-before="
	    "\"202701010000Z\" " ED "\n");
	assert_int_equal(sp->s[0].valid_after, T2026);
	assert_int_equal(sp->s[0].valid_before, T2027);
	assert_null(ak_signers_find(sp, ed, edl, "authkeys", T2026 - 1, &why));
	assert_int_equal(why, AK_ERR_UNTRUSTED);
	assert_non_null(ak_signers_find(sp, ed, edl, "authkeys", T2026, &why));
	assert_non_null(ak_signers_find(sp, ed, edl, "authkeys", T2027, &why));
	assert_null(ak_signers_find(sp, ed, edl, "authkeys", T2027 + 1, &why));
	ak_signers_free(sp);
	/* Seconds too: YYYYMMDDHHMMSS. */
	sp = parse_ok("ops valid-after=\"20260101000001Z\" " ED "\n");
	assert_int_equal(sp->s[0].valid_after, T2026 + 1);
	ak_signers_free(sp);
	free(ed);
}

static void
test_skipped_lines(void **state)
{
	struct ak_signers *sp;

	(void)state;
	/* A CA line and an unsupported type are skipped, not trusted. */
	sp = parse_ok("ca@x cert-authority " ED "\n"
	    "old ssh-dss AAAAB3NzaC1kc3MAAACBAP\n"
	    "ops " EC "\n");
	assert_int_equal(sp->n, 1);
	assert_int_equal(sp->s[0].type, AK_KT_ECDSA_P256);
	assert_non_null(strstr(last_log, "test:2: signer not supported"));
	ak_signers_free(sp);
}

static void
test_malformed_fails_whole_file(void **state)
{
	(void)state;
	assert_int_equal(parse_err("ops " ED "\nops\n"), AK_ERR_FORMAT);
	assert_non_null(strstr(last_log, "test:2:"));
	assert_int_equal(parse_err("ops namespaces=\"git " ED "\n"),
	    AK_ERR_FORMAT);
	assert_int_equal(parse_err("ops namespaces=git " ED "\n"),
	    AK_ERR_FORMAT);
	assert_int_equal(parse_err("ops no-touch-required=\"x\" " ED "\n"),
	    AK_ERR_FORMAT);
	assert_int_equal(parse_err("ops valid-after=\"2026-01-01\" " ED "\n"),
	    AK_ERR_FORMAT);
	assert_int_equal(parse_err("ops valid-before=\"2026010\" " ED "\n"),
	    AK_ERR_FORMAT);
	assert_int_equal(parse_err("ops ssh-ed25519\n"), AK_ERR_FORMAT);
	assert_int_equal(parse_err("ops ssh-ed25519 AAAAC3NzaC1lZDI1NTE5\n"),
	    AK_ERR_KEY_INVALID);
	assert_int_equal(parse_err("ops ssh-ed25519 " EC_B64 "\n"),
	    AK_ERR_KEY_INVALID);
	assert_int_equal(parse_err("\"ops " ED "\n"), AK_ERR_FORMAT);
}

static void
test_control_characters(void **state)
{
	(void)state;
	/* Windows line ends and escapes are refused, not half-read. */
	assert_int_equal(parse_err("ops " ED "\r\n"), AK_ERR_CONTROL_CHAR);
	assert_int_equal(parse_err("ops\x1b[2J " ED "\n"),
	    AK_ERR_CONTROL_CHAR);
	assert_int_equal(parse_err("ops " ED "\n\x7f\n"), AK_ERR_CONTROL_CHAR);
}

static void
test_load_checks_owner_and_mode(void **state)
{
	struct ak_signers *sp = NULL;
	char path[512], dir[256];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/etc", test_dir);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(chmod(test_dir, 0755), 0);
	snprintf(path, sizeof(path), "%s/allowed", dir);
	assert_int_equal(ak_signers_load(path, &sp), AK_ERR_NOT_FOUND);
	run_ok("echo 'ops " ED "' > %s && chmod 644 %s", path, path);
	if (geteuid() != 0) {
		/* Only root's file is trusted; not testable without root. */
		assert_int_equal(ak_signers_load(path, &sp), AK_ERR_PERM);
		return;
	}
	assert_int_equal(ak_signers_load(path, &sp), 0);
	assert_int_equal(sp->n, 1);
	ak_signers_free(sp);
	sp = NULL;
	run_ok("chmod 666 %s", path);
	assert_int_equal(ak_signers_load(path, &sp), AK_ERR_PERM);
	run_ok("chmod 644 %s && chmod 777 %s", path, dir);
	assert_int_equal(ak_signers_load(path, &sp), AK_ERR_PERM);
	run_ok("chmod 755 %s && chown nobody %s", dir, path);
	assert_int_equal(ak_signers_load(path, &sp), AK_ERR_PERM);
	run_ok("chown root %s && rm %s && ln -s /etc/passwd %s", path, path,
	    path);
	assert_int_equal(ak_signers_load(path, &sp), AK_ERR_PERM);
	assert_null(sp);
}

static void
test_load_too_large(void **state)
{
	struct ak_signers *sp = NULL;
	char path[256];

	(void)state;
	if (geteuid() != 0)
		skip();
	snprintf(path, sizeof(path), "%s/etc/big", test_dir);
	run_ok("mkdir -p %s/etc && head -c %d /dev/zero | tr '\\0' '#' > %s",
	    test_dir, AK_SIGNERS_MAX + 1, path);
	assert_int_equal(ak_signers_load(path, &sp), AK_ERR_TOO_LARGE);
	assert_null(sp);
}

/*
 * Who signed (from the SSHSIG blob alone), whether that key still may sign
 * in a namespace, the marks, and the file digest the cache-hit path uses.
 */
static void
test_signer_identity_and_digest(void **state)
{
	struct ak_signers *sp;
	unsigned char blob[128], sig[200], h[32], want[32], m1[32], m2[32];
	unsigned char d1[32], d2[32];
	char path[512];
	long n;

	(void)state;
	n = ak_b64_decode(ED_B64, strlen(ED_B64), blob, sizeof(blob));
	assert_true(n > 0);
	memcpy(sig, "SSHSIG\0\0\0\1", 10);
	sig[10] = sig[11] = sig[12] = 0;
	sig[13] = (unsigned char)n;
	memcpy(sig + 14, blob, (size_t)n);
	assert_int_equal(ak_signers_sig_key(sig, 14 + (size_t)n, h), 0);
	ak_sha256(blob, (size_t)n, want);
	assert_memory_equal(h, want, 32);
	assert_int_equal(ak_signers_sig_key(sig, 13 + (size_t)n, h),
	    AK_ERR_FORMAT);
	assert_int_equal(ak_signers_sig_key(sig, 5, h), AK_ERR_FORMAT);
	sig[9] = 2;
	assert_int_equal(ak_signers_sig_key(sig, 14 + (size_t)n, h),
	    AK_ERR_FORMAT);
	ak_sha256(blob, (size_t)n, h);
	sp = parse_ok("ops namespaces=\"authkeys-timestamp\" " ED "\n"
	    "ec " EC "\n");
	assert_true(ak_signers_holds(sp, h, "authkeys-timestamp", T2026));
	assert_false(ak_signers_holds(sp, h, "authkeys", T2026));
	ak_signers_free(sp);
	sp = parse_ok("ec " EC "\n");
	assert_false(ak_signers_holds(sp, h, "authkeys-timestamp", T2026));
	ak_signers_free(sp);
	sp = parse_ok("ops valid-before=\"20260601\" " ED "\n");
	assert_true(ak_signers_holds(sp, h, "authkeys", T2026));
	assert_false(ak_signers_holds(sp, h, "authkeys", T2027));
	ak_signers_free(sp);
	assert_false(ak_signers_holds(NULL, h, "authkeys", T2026));
	/* Marks differ by digest and by namespace. */
	memset(d1, 1, sizeof(d1));
	memset(d2, 2, sizeof(d2));
	ak_signers_mark(d1, "authkeys", m1);
	ak_signers_mark(d1, "authkeys", m2);
	assert_memory_equal(m1, m2, 32);
	ak_signers_mark(d2, "authkeys", m2);
	assert_memory_not_equal(m1, m2, 32);
	ak_signers_mark(d1, "authkeys-timestamp", m2);
	assert_memory_not_equal(m1, m2, 32);
	/* The digest is of the file's bytes, under the same checks. */
	if (geteuid() != 0)
		skip();
	snprintf(path, sizeof(path), "%s/etc2", test_dir);
	run_ok("mkdir -p %s && chmod 755 %s %s", path, path, test_dir);
	snprintf(path, sizeof(path), "%s/etc2/allowed", test_dir);
	run_ok("printf 'ops %s\\n' > %s && chmod 644 %s", ED, path, path);
	assert_int_equal(ak_signers_file_digest(path, d1), 0);
	assert_int_equal(ak_signers_load(path, &sp), 0);
	assert_memory_equal(d1, sp->digest, 32);
	ak_signers_free(sp);
	run_ok("chmod 666 %s", path);
	assert_int_equal(ak_signers_file_digest(path, d2), AK_ERR_PERM);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_comments_and_types),
		cmocka_unit_test(test_find_by_key_only),
		cmocka_unit_test(test_namespaces),
		cmocka_unit_test(test_validity_window),
		cmocka_unit_test(test_skipped_lines),
		cmocka_unit_test(test_malformed_fails_whole_file),
		cmocka_unit_test(test_control_characters),
		cmocka_unit_test(test_load_checks_owner_and_mode),
		cmocka_unit_test(test_load_too_large),
		cmocka_unit_test(test_signer_identity_and_digest),
	};

	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
