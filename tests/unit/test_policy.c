/* ak_policy: revocation lists and the key/option policy. */
#include "testutil.h"

#include "ak_config.h"
#include "ak_doc.h"
#include "ak_err.h"
#include "ak_key.h"
#include "ak_policy.h"

#define K1 "AAAAC3NzaC1lZDI1NTE5AAAAIJduHAHHuu7TvBhBXjr7WwmNRIwylavTmFPGm+0M5IhM"
#define K1FPR "SHA256:ydSwwv6YNHRaPr3WTK5VTjUY1sVFDtkv78scTm+xsB8"
#define K2 "AAAAC3NzaC1lZDI1NTE5AAAAIBZ7wOq+dWXsxZkH6XOFLf8a4A8mY4L0a9R9P6Jbd3Sc"
#define BASE "url = https://k/%u\ntrusted_signers = /s\naccounts = deploy\n"
#define SIG "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n" \
	"-----END SSH SIGNATURE-----\n"

static char *
emit(const char *conf, const char *body, const struct ak_revlist *rl,
    const char *want, size_t *n)
{
	struct ak_config *cfg;
	struct ak_doc *doc;
	char *out = NULL, fprs[256];
	size_t outlen = 0;
	FILE *f;

	assert_int_equal(ak_config_parse(conf, strlen(conf), "t", &cfg), 0);
	assert_int_equal(ak_doc_parse(body, strlen(body), AK_DOC_PLAIN, &doc),
	    0);
	assert_non_null(f = open_memstream(&out, &outlen));
	assert_int_equal(ak_policy_emit(cfg, doc, rl, "deploy", want, f, n,
	    fprs, sizeof(fprs)), 0);
	fclose(f);
	ak_doc_free(doc);
	ak_config_free(cfg);
	return out;
}

static void
test_forced_and_line_options(void **state)
{
	size_t n;
	char *out;

	(void)state;
	out = emit(BASE "forced_options = restrict\n",
	    "ssh-ed25519 " K1 " one\nno-pty ssh-ed25519 " K2 "\n", NULL, NULL,
	    &n);
	assert_int_equal(n, 2);
	assert_string_equal(out, "restrict ssh-ed25519 " K1 " one\n"
	    "restrict,no-pty ssh-ed25519 " K2 "\n");
	free(out);
	out = emit(BASE, "ssh-ed25519 " K1 " one\n", NULL, NULL, &n);
	assert_string_equal(out, "ssh-ed25519 " K1 " one\n");
	free(out);
}

static void
test_dropped_lines(void **state)
{
	size_t n;
	char *out;

	(void)state;
	/* Option not allowed, type not allowed, garbage: all dropped. */
	out = emit(BASE "allowed_key_types = rsa\n",
	    "ssh-ed25519 " K1 "\n", NULL, NULL, &n);
	assert_int_equal(n, 0);
	assert_non_null(strstr(last_log, "key type not allowed"));
	free(out);
	out = emit(BASE, "permitopen=\"h:1\" ssh-ed25519 " K1 "\n"
	    "garbage line\nssh-ed25519 " K2 "\n", NULL, NULL, &n);
	assert_int_equal(n, 1);
	assert_string_equal(out, "ssh-ed25519 " K2 "\n");
	free(out);
	out = emit(BASE "allowed_options = from\n",
	    "no-pty ssh-ed25519 " K1 "\n", NULL, NULL, &n);
	assert_int_equal(n, 0);
	assert_non_null(strstr(last_log, "option not allowed"));
	free(out);
}

static void
test_fingerprint_filter_and_revocation(void **state)
{
	struct ak_doc *rdoc;
	struct ak_revlist *rl;
	size_t n;
	char *out;
	const char *revs = "#authkeys-document v1\n#revocations\n#serial 1\n"
	    "#expires 2099-01-01T00:00:00Z\n" K1FPR "\n" SIG;

	(void)state;
	out = emit(BASE, "ssh-ed25519 " K1 "\nssh-ed25519 " K2 "\n", NULL,
	    K1FPR, &n);
	assert_int_equal(n, 1);
	assert_string_equal(out, "ssh-ed25519 " K1 "\n");
	free(out);
	assert_int_equal(ak_doc_parse(revs, strlen(revs), AK_DOC_REVOCATIONS,
	    &rdoc), 0);
	assert_int_equal(ak_revlist_from_doc(rdoc, &rl), 0);
	ak_doc_free(rdoc);
	assert_true(ak_revlist_contains(rl, K1FPR));
	out = emit(BASE, "ssh-ed25519 " K1 "\nssh-ed25519 " K2 "\n", rl, NULL,
	    &n);
	assert_int_equal(n, 1);
	assert_string_equal(out, "ssh-ed25519 " K2 "\n");
	assert_non_null(strstr(last_log, "revoked"));
	free(out);
	ak_revlist_free(rl);
}

static void
test_revlist_forms(void **state)
{
	struct ak_doc *rdoc;
	struct ak_revlist *rl;
	const char *by_key = "#authkeys-document v1\n#revocations\n#serial 1\n"
	    "#expires 2099-01-01T00:00:00Z\nfrom=\"x\" ssh-ed25519 " K1 " c\n"
	    SIG;
	const char *bad = "#authkeys-document v1\n#revocations\n#serial 1\n"
	    "#expires 2099-01-01T00:00:00Z\nnot a key\n" SIG;

	(void)state;
	assert_int_equal(ak_doc_parse(by_key, strlen(by_key),
	    AK_DOC_REVOCATIONS, &rdoc), 0);
	assert_int_equal(ak_revlist_from_doc(rdoc, &rl), 0);
	assert_true(ak_revlist_contains(rl, K1FPR));
	ak_revlist_free(rl);
	ak_doc_free(rdoc);
	/* An unreadable entry refuses the whole list: fail closed. */
	assert_int_equal(ak_doc_parse(bad, strlen(bad), AK_DOC_REVOCATIONS,
	    &rdoc), 0);
	assert_int_equal(ak_revlist_from_doc(rdoc, &rl), AK_ERR_FORMAT);
	assert_null(rl);
	ak_doc_free(rdoc);
	assert_false(ak_revlist_contains(NULL, K1FPR));
	/* An empty list (as publish writes with no revoked file). */
	assert_int_equal(ak_doc_parse("#authkeys-document v1\n#revocations\n"
	    "#serial 1\n#expires 2099-01-01T00:00:00Z\n" SIG, strlen(
	    "#authkeys-document v1\n#revocations\n#serial 1\n"
	    "#expires 2099-01-01T00:00:00Z\n" SIG), AK_DOC_REVOCATIONS, &rdoc),
	    0);
	assert_int_equal(ak_revlist_from_doc(rdoc, &rl), 0);
	assert_int_equal(rl->n, 0);
	assert_false(ak_revlist_contains(rl, K1FPR));
	ak_revlist_free(rl);
	ak_doc_free(rdoc);
}

/* What the sweep asks of a session's key: still listed, allowed, unrevoked. */
static void
test_allows(void **state)
{
	struct ak_config *cfg, *strict;
	struct ak_doc *doc, *rdoc;
	struct ak_revlist *rl = NULL;
	const char *body = "ssh-ed25519 " K1 " k1\n";
	const char *revs = "#authkeys-document v1\n#revocations\n#serial 1\n"
	    "#expires 2099-01-01T00:00:00Z\n" K1FPR "\n" SIG;

	(void)state;
	assert_int_equal(ak_config_parse(BASE, strlen(BASE), "t", &cfg), 0);
	assert_int_equal(ak_config_parse(BASE "allowed_key_types = ssh-rsa\n",
	    strlen(BASE "allowed_key_types = ssh-rsa\n"), "t", &strict), 0);
	assert_int_equal(ak_doc_parse(body, strlen(body), AK_DOC_PLAIN, &doc),
	    0);
	assert_true(ak_policy_allows(cfg, doc, NULL, K1FPR));
	/* Not listed, not allowed by policy, or revoked: no. */
	assert_false(ak_policy_allows(cfg, doc, NULL,
	    "SHA256:ydSwwv6YNHRaPr3WTK5VTjUY1sVFDtkv78scTm+xsB9"));
	assert_false(ak_policy_allows(strict, doc, NULL, K1FPR));
	assert_int_equal(ak_doc_parse(revs, strlen(revs), AK_DOC_REVOCATIONS,
	    &rdoc), 0);
	assert_int_equal(ak_revlist_from_doc(rdoc, &rl), 0);
	assert_false(ak_policy_allows(cfg, doc, rl, K1FPR));
	ak_revlist_free(rl);
	ak_doc_free(rdoc);
	ak_doc_free(doc);
	ak_config_free(strict);
	ak_config_free(cfg);
}

/* A line found through the %f index has no number: the log gives none. */
static void
test_dropped_line_without_number(void **state)
{
	struct ak_config *cfg;
	struct ak_doc *doc, *rdoc;
	struct ak_revlist *rl = NULL;
	const char *body = "ssh-ed25519 " K1 " k1\n";
	const char *revs = "#authkeys-document v1\n#revocations\n#serial 1\n"
	    "#expires 2099-01-01T00:00:00Z\n" K1FPR "\n" SIG;
	char *out = NULL, fprs[256];
	size_t outlen = 0, n = 0;
	FILE *f;

	(void)state;
	test_log_init();
	assert_int_equal(ak_config_parse(BASE, strlen(BASE), "t", &cfg), 0);
	assert_int_equal(ak_doc_parse(body, strlen(body), AK_DOC_PLAIN, &doc),
	    0);
	assert_int_equal(ak_doc_parse(revs, strlen(revs), AK_DOC_REVOCATIONS,
	    &rdoc), 0);
	assert_int_equal(ak_revlist_from_doc(rdoc, &rl), 0);
	doc->lines[0].lineno = 0;
	assert_non_null(f = open_memstream(&out, &outlen));
	assert_int_equal(ak_policy_emit(cfg, doc, rl, "deploy", K1FPR, f, &n,
	    fprs, sizeof(fprs)), 0);
	fclose(f);
	assert_int_equal(n, 0);
	assert_string_equal(last_log, "account deploy: key " K1FPR
	    " dropped: key is revoked");
	free(out);
	ak_revlist_free(rl);
	ak_doc_free(rdoc);
	ak_doc_free(doc);
	ak_config_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forced_and_line_options),
		cmocka_unit_test(test_dropped_lines),
		cmocka_unit_test(test_fingerprint_filter_and_revocation),
		cmocka_unit_test(test_revlist_forms),
		cmocka_unit_test(test_allows),
		cmocka_unit_test(test_dropped_line_without_number),
	};

	test_log_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
