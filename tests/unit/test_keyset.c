/*
 * ak_keyset: the one reading of a body line, revocation lists, the policy,
 * and admission with its reason.
 */
#include "testutil.h"

#include "ak_config.h"
#include "ak_doc.h"
#include "ak_err.h"
#include "ak_key.h"
#include "ak_keyset.h"

#define K1 "AAAAC3NzaC1lZDI1NTE5AAAAIJduHAHHuu7TvBhBXjr7WwmNRIwylavTmFPGm+0M5IhM"
#define K1FPR "SHA256:ydSwwv6YNHRaPr3WTK5VTjUY1sVFDtkv78scTm+xsB8"
#define K2 "AAAAC3NzaC1lZDI1NTE5AAAAIBZ7wOq+dWXsxZkH6XOFLf8a4A8mY4L0a9R9P6Jbd3Sc"
#define BASE "url = https://k/%u\ntrusted_signers = /s\naccounts = deploy\n"
#define LIST "revocation_url = https://k/revoked\n"
#define SIG "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n" \
	"-----END SSH SIGNATURE-----\n"
#define RHDR "#authkeys-document v1\n#revocations\n#serial 1\n" \
	"#expires 2099-01-01T00:00:00Z\n"

static struct ak_config *
conf(const char *text)
{
	struct ak_config *cfg;

	assert_int_equal(ak_config_parse(text, strlen(text), "t", &cfg), 0);
	return cfg;
}

static struct ak_doc *
doc_of(const char *text, enum ak_doc_kind kind)
{
	struct ak_doc *doc;

	assert_int_equal(ak_doc_parse(text, strlen(text), kind, &doc), 0);
	return doc;
}

static struct ak_revset *
revset_of(const char *body)
{
	struct ak_revset *rs;
	struct ak_doc *doc;
	char text[4096];

	snprintf(text, sizeof(text), RHDR "%s" SIG, body);
	doc = doc_of(text, AK_DOC_REVOCATIONS);
	assert_int_equal(ak_revset_from_doc(doc, &rs, NULL), 0);
	ak_doc_free(doc);
	return rs;
}

static void
hash_of(const char *fpr, unsigned char h[AK_HASH_LEN])
{
	assert_int_equal(ak_fpr_hash(fpr, h), 0);
}

/* What the command prints for body (all keys, or those of want). */
static char *
emit(const char *cfgtext, const char *body, const struct ak_revset *rs,
    const char *want, size_t *n)
{
	struct ak_config *cfg = conf(cfgtext);
	struct ak_doc *doc = doc_of(body, AK_DOC_PLAIN);
	struct ak_keyset *ks;
	unsigned char h[AK_HASH_LEN];
	char *out = NULL, fprs[256];
	size_t outlen = 0;
	FILE *f;

	if (want != NULL)
		hash_of(want, h);
	assert_int_equal(ak_keyset_from_doc(cfg, "deploy", doc, rs, &ks), 0);
	assert_non_null(f = open_memstream(&out, &outlen));
	assert_int_equal(ak_keyset_emit(ks, want != NULL ? h : NULL, f, n,
	    fprs, sizeof(fprs)), 0);
	fclose(f);
	ak_keyset_free(ks);
	ak_doc_free(doc);
	ak_config_free(cfg);
	return out;
}

static void
test_line_grammar(void **state)
{
	struct ak_line l;

	(void)state;
	assert_int_equal(ak_line_read("", 0, AK_DOC_ACCOUNT, &l), 0);
	assert_int_equal(l.kind, AK_LINE_NONE);
	assert_int_equal(ak_line_read(" \t\r", 3, AK_DOC_ACCOUNT, &l), 0);
	assert_int_equal(l.kind, AK_LINE_NONE);
	assert_int_equal(ak_line_read("  # c", 5, AK_DOC_REVOCATIONS, &l), 0);
	assert_int_equal(l.kind, AK_LINE_NONE);
	/* Blanks around and a trailing CR are not part of it. */
	assert_int_equal(ak_line_read(" \t" K1FPR " \t\r", 54,
	    AK_DOC_REVOCATIONS, &l), 0);
	assert_int_equal(l.kind, AK_LINE_FPR);
	assert_string_equal(l.fpr, K1FPR);
	ak_line_clear(&l);
	assert_int_equal(ak_line_read("\tssh-ed25519 " K1 " c \r",
	    strlen("\tssh-ed25519 " K1 " c \r"), AK_DOC_ACCOUNT, &l), 0);
	assert_int_equal(l.kind, AK_LINE_KEY);
	assert_string_equal(l.fpr, K1FPR);
	assert_string_equal(l.kl->comment, "c");
	ak_line_clear(&l);
	/* A mistyped fingerprint, bad base64: not a fingerprint. */
	assert_int_equal(ak_line_read(K1FPR, AK_FPR_LEN - 1,
	    AK_DOC_REVOCATIONS, &l), AK_ERR_BAD_FPR);
	assert_int_equal(ak_line_read("SHA256:!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
	    "!!!!!!!!!!!", AK_FPR_LEN, AK_DOC_REVOCATIONS, &l),
	    AK_ERR_BAD_FPR);
	/* A fingerprint is no authorized_keys line. */
	assert_int_equal(ak_line_read(K1FPR, AK_FPR_LEN, AK_DOC_ACCOUNT, &l),
	    AK_ERR_FORMAT);
	/* A CR elsewhere, or any control: the document is unusable. */
	assert_int_equal(ak_line_read("ssh-ed25519\r" K1, 12 + strlen(K1),
	    AK_DOC_ACCOUNT, &l), AK_ERR_CONTROL_CHAR);
	assert_true(ak_line_fatal(AK_ERR_CONTROL_CHAR));
	assert_true(ak_line_fatal(AK_ERR_TOO_LARGE));
	assert_false(ak_line_fatal(AK_ERR_FORMAT));
	assert_false(ak_line_fatal(AK_ERR_BAD_FPR));
}

static void
test_line_too_long(void **state)
{
	struct ak_line l;
	char *s;

	(void)state;
	assert_non_null(s = malloc(AK_LINE_MAX + 2));
	memset(s, 'a', AK_LINE_MAX + 1);
	assert_int_equal(ak_line_read(s, AK_LINE_MAX + 1, AK_DOC_ACCOUNT, &l),
	    AK_ERR_TOO_LARGE);
	free(s);
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
	out = emit(BASE, "  ssh-ed25519 " K1 " one\t\r\n", NULL, NULL, &n);
	assert_string_equal(out, "ssh-ed25519 " K1 " one\n");
	free(out);
}

static void
test_dropped_lines(void **state)
{
	size_t n;
	char *out;

	(void)state;
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
test_filter_and_revocation(void **state)
{
	struct ak_revset *rs;
	size_t n;
	char *out;

	(void)state;
	out = emit(BASE, "ssh-ed25519 " K1 "\nssh-ed25519 " K2 "\n", NULL,
	    K1FPR, &n);
	assert_int_equal(n, 1);
	assert_string_equal(out, "ssh-ed25519 " K1 "\n");
	free(out);
	rs = revset_of("\t" K1FPR " \n");
	out = emit(BASE, "ssh-ed25519 " K1 "\nssh-ed25519 " K2 "\n", rs, NULL,
	    &n);
	assert_int_equal(n, 1);
	assert_string_equal(out, "ssh-ed25519 " K2 "\n");
	assert_non_null(strstr(last_log, "revoked"));
	free(out);
	out = emit(BASE, "ssh-ed25519 " K1 "\n", rs, K1FPR, &n);
	assert_int_equal(n, 0);
	free(out);
	ak_revset_free(rs);
}

static void
test_revset_forms(void **state)
{
	struct ak_revset *rs;
	struct ak_doc *doc;
	struct ak_fault fault;
	unsigned char h[AK_HASH_LEN];

	(void)state;
	hash_of(K1FPR, h);
	rs = revset_of("from=\"x\" ssh-ed25519 " K1 " c\r\n" K1FPR "\n\n# c\n");
	assert_true(ak_revset_has(rs, h));
	assert_int_equal(rs->n, 1);	/* the same key twice: once */
	assert_int_equal(rs->nkeys, 1);
	assert_int_equal(rs->serial, 1);
	ak_revset_free(rs);
	/* An unreadable entry refuses the whole list: fail closed. */
	doc = doc_of(RHDR K1FPR "\n  not a key\n" SIG, AK_DOC_REVOCATIONS);
	assert_int_equal(ak_revset_from_doc(doc, &rs, &fault), AK_ERR_FORMAT);
	assert_null(rs);
	assert_int_equal(fault.lineno, 6);
	assert_int_equal(fault.err, AK_ERR_FORMAT);
	ak_doc_free(doc);
	doc = doc_of(RHDR "SHA256:ydSwwv6YNHRaPr3WTK5VTjUY1sVFDtkv78scTm+xsB\n"
	    SIG, AK_DOC_REVOCATIONS);
	assert_int_equal(ak_revset_from_doc(doc, &rs, &fault), AK_ERR_FORMAT);
	assert_int_equal(fault.err, AK_ERR_BAD_FPR);
	ak_doc_free(doc);
	assert_false(ak_revset_has(NULL, h));
	rs = revset_of("");
	assert_int_equal(rs->n, 0);
	assert_false(ak_revset_has(rs, h));
	ak_revset_free(rs);
	assert_int_equal(ak_revset_one(3, h, 1, &rs), 0);
	assert_true(ak_revset_has(rs, h));
	ak_revset_free(rs);
	assert_int_equal(ak_revset_one(3, h, 0, &rs), 0);
	assert_false(ak_revset_has(rs, h));
	ak_revset_free(rs);
	/* A list is read only as a list. */
	doc = doc_of("ssh-ed25519 " K1 "\n", AK_DOC_PLAIN);
	assert_int_equal(ak_revset_from_doc(doc, &rs, NULL), AK_ERR_INTERNAL);
	ak_doc_free(doc);
}

/* Every verdict, and that the first listed line's reason is given. */
static void
test_admit_verdicts(void **state)
{
	struct ak_config *cfg = conf(BASE), *strict, *listed;
	struct ak_doc *doc;
	struct ak_keyset *ks;
	struct ak_revset *rs;
	unsigned char h1[AK_HASH_LEN], h2[AK_HASH_LEN];

	(void)state;
	hash_of(K1FPR, h1);
	key_hash("ssh-ed25519 " K2, h2);
	doc = doc_of("permitopen=\"h:1\" ssh-ed25519 " K1 "\n"
	    "no-pty ssh-ed25519 " K1 "\n", AK_DOC_PLAIN);
	/* Listed twice, once refused: admitted by the other line. */
	assert_int_equal(ak_keyset_from_doc(cfg, "deploy", doc, NULL, &ks), 0);
	assert_int_equal(ak_keyset_admit(ks, h1), AK_ADMIT);
	assert_int_equal(ak_keyset_admit(ks, h2), AK_DENY_UNLISTED);
	assert_int_equal(ak_keyset_admitted(ks), 1);
	ak_keyset_free(ks);
	strict = conf(BASE "allowed_options = from\n");
	assert_int_equal(ak_keyset_from_doc(strict, "deploy", doc, NULL, &ks),
	    0);
	assert_int_equal(ak_keyset_admit(ks, h1), AK_DENY_OPTION);
	ak_keyset_free(ks);
	ak_config_free(strict);
	strict = conf(BASE "allowed_key_types = rsa\n");
	assert_int_equal(ak_keyset_from_doc(strict, "deploy", doc, NULL, &ks),
	    0);
	assert_int_equal(ak_keyset_admit(ks, h1), AK_DENY_KEY_TYPE);
	ak_keyset_free(ks);
	ak_config_free(strict);
	/* Revoked wins over everything the document says. */
	rs = revset_of(K1FPR "\n");
	assert_int_equal(ak_keyset_from_doc(cfg, "deploy", doc, rs, &ks), 0);
	assert_int_equal(ak_keyset_admit(ks, h1), AK_DENY_REVOKED);
	ak_keyset_free(ks);
	/* A list configured and none readable: nothing is admitted. */
	listed = conf(BASE LIST);
	assert_int_equal(ak_keyset_from_doc(listed, "deploy", doc, NULL, &ks),
	    0);
	assert_int_equal(ak_keyset_admit(ks, h1), AK_DENY_NO_LIST);
	assert_int_equal(ak_keyset_admitted(ks), 0);
	ak_keyset_free(ks);
	assert_int_equal(ak_keyset_from_doc(listed, "deploy", doc, rs, &ks),
	    0);
	assert_int_equal(ak_keyset_admit(ks, h1), AK_DENY_REVOKED);
	ak_keyset_free(ks);
	/* No document (404): nothing is listed. */
	assert_int_equal(ak_keyset_from_doc(cfg, "deploy", NULL, NULL, &ks),
	    0);
	assert_int_equal(ak_keyset_admit(ks, h1), AK_DENY_UNLISTED);
	assert_int_equal(ak_keyset_admit(NULL, h1), AK_DENY_UNLISTED);
	ak_keyset_free(ks);
	ak_doc_free(doc);
	ak_revset_free(rs);
	ak_config_free(listed);
	ak_config_free(cfg);
	assert_string_equal(ak_verdict_str(AK_DENY_UNLISTED),
	    "key not listed in the account's current document");
	assert_string_equal(ak_verdict_str(AK_DENY_REVOKED), "key is revoked");
}

static void
test_weak_rsa(void **state)
{
	struct ak_config *cfg = conf(BASE);
	struct ak_key_line kl;

	(void)state;
	memset(&kl, 0, sizeof(kl));
	kl.type = AK_KT_RSA;
	kl.bits = 2048;
	assert_int_equal(ak_keyset_policy(cfg, &kl), AK_DENY_WEAK);
	kl.bits = 3072;
	assert_int_equal(ak_keyset_policy(cfg, &kl), AK_ADMIT);
	ak_config_free(cfg);
}

/* A control character anywhere in the body: no key of it at all. */
static void
test_unreadable_document(void **state)
{
	struct ak_config *cfg = conf(BASE);
	struct ak_doc *doc;
	struct ak_keyset *ks;
	unsigned char h1[AK_HASH_LEN];
	size_t n;
	char *out;

	(void)state;
	hash_of(K1FPR, h1);
	doc = doc_of("ssh-ed25519 " K1 "\nssh-ed25519 " K2 " a\rb\n",
	    AK_DOC_PLAIN);
	assert_int_equal(ak_keyset_from_doc(cfg, "deploy", doc, NULL, &ks), 0);
	assert_int_equal(ks->all, AK_DENY_BAD_DOC);
	assert_int_equal(ks->fault.lineno, 2);
	assert_int_equal(ks->fault.err, AK_ERR_CONTROL_CHAR);
	assert_int_equal(ak_keyset_admit(ks, h1), AK_DENY_BAD_DOC);
	ak_keyset_free(ks);
	ak_doc_free(doc);
	ak_config_free(cfg);
	out = emit(BASE, "ssh-ed25519 " K1 "\n\x01\n", NULL, NULL, &n);
	assert_int_equal(n, 0);
	assert_string_equal(out, "");
	assert_non_null(strstr(last_log, "no key of it is printed"));
	free(out);
}

/* A line found through the %f index has no number: the log gives none. */
static void
test_dropped_line_without_number(void **state)
{
	struct ak_config *cfg = conf(BASE);
	struct ak_keyset *ks;
	struct ak_revset *rs = revset_of(K1FPR "\n");
	unsigned char h1[AK_HASH_LEN];
	char *out = NULL;
	size_t outlen = 0, n = 0;
	FILE *f;

	(void)state;
	hash_of(K1FPR, h1);
	assert_int_equal(ak_keyset_new(cfg, "deploy", rs, &ks), 0);
	assert_int_equal(ak_keyset_add(ks, "ssh-ed25519 " K1 " k1", 15 +
	    strlen(K1), 0, 0), 0);
	assert_non_null(f = open_memstream(&out, &outlen));
	assert_int_equal(ak_keyset_emit(ks, h1, f, &n, NULL, 0), 0);
	fclose(f);
	assert_int_equal(n, 0);
	assert_string_equal(last_log, "account deploy: key " K1FPR
	    " dropped: key is revoked");
	free(out);
	ak_keyset_free(ks);
	ak_revset_free(rs);
	ak_config_free(cfg);
}

/* Lines another tool printed: the same decision as a document's. */
static void
test_from_text(void **state)
{
	static const char text[] =
	    "# from the directory\n"
	    "ssh-ed25519 " K1 " revoked\r\n"
	    "environment=\"X=1\" ssh-ed25519 " K2 " env\n"
	    "not a key\n"
	    "\n"
	    "ssh-ed25519 " K2 " plain";
	struct ak_config *cfg = conf(BASE LIST "forced_options = restrict\n");
	struct ak_revset *rs = revset_of(K1FPR "\n");
	struct ak_keyset *ks;
	unsigned char h1[AK_HASH_LEN], h2[AK_HASH_LEN];
	char *out = NULL, fprs[256];
	size_t outlen = 0, n;
	FILE *f;

	(void)state;
	hash_of(K1FPR, h1);
	assert_int_equal(ak_keyset_from_text(cfg, "sssd-user", text,
	    strlen(text), rs, &ks), 0);
	assert_int_equal(ks->serial, 0);
	assert_int_equal(ks->n, 4);	/* the comment and blank are none */
	assert_int_equal(ks->ents[0].lineno, 2);
	assert_int_equal(ks->ents[0].verdict, AK_DENY_REVOKED);
	assert_int_equal(ks->ents[1].verdict, AK_DENY_OPTION);
	assert_null(ks->ents[2].kl);
	assert_int_equal(ak_keyset_admit(ks, h1), AK_DENY_REVOKED);
	memcpy(h2, ks->ents[3].hash, AK_HASH_LEN);
	assert_int_equal(ak_keyset_admit(ks, h2), AK_ADMIT);
	assert_non_null(f = open_memstream(&out, &outlen));
	assert_int_equal(ak_keyset_emit(ks, NULL, f, &n, fprs, sizeof(fprs)),
	    0);
	fclose(f);
	assert_int_equal(n, 1);
	assert_string_equal(out, "restrict ssh-ed25519 " K2 " plain\n");
	free(out);
	ak_keyset_free(ks);
	/* A required list that is missing admits none of them. */
	assert_int_equal(ak_keyset_from_text(cfg, "sssd-user", text,
	    strlen(text), NULL, &ks), 0);
	assert_int_equal(ks->all, AK_DENY_NO_LIST);
	assert_int_equal(ak_keyset_admitted(ks), 0);
	ak_keyset_free(ks);
	/* A control character anywhere: nothing of it. */
	assert_int_equal(ak_keyset_from_text(cfg, "sssd-user",
	    "ssh-ed25519 " K2 " a\x1b[2J\n", strlen(K2) + 20, rs, &ks), 0);
	assert_int_equal(ks->all, AK_DENY_BAD_DOC);
	ak_keyset_free(ks);
	/* Nothing printed at all. */
	assert_int_equal(ak_keyset_from_text(cfg, "sssd-user", "", 0, rs, &ks),
	    0);
	assert_int_equal(ks->n, 0);
	ak_keyset_free(ks);
	ak_revset_free(rs);
	ak_config_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_grammar),
		cmocka_unit_test(test_line_too_long),
		cmocka_unit_test(test_forced_and_line_options),
		cmocka_unit_test(test_dropped_lines),
		cmocka_unit_test(test_filter_and_revocation),
		cmocka_unit_test(test_revset_forms),
		cmocka_unit_test(test_admit_verdicts),
		cmocka_unit_test(test_weak_rsa),
		cmocka_unit_test(test_unreadable_document),
		cmocka_unit_test(test_dropped_line_without_number),
		cmocka_unit_test(test_from_text),
	};

	test_log_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
