/* ak_doc: the document envelope, its bounds and its checks. */
#include "testutil.h"

#include <time.h>

#include "ak_doc.h"
#include "ak_err.h"
#include "ak_time.h"

#define ED "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJduHAHHuu7TvBhBXjr7WwmNRIwylavTmFPGm+0M5IhM"
#define HDR "#authkeys-document v1\n#account deploy\n#serial 42\n" \
	"#expires 2030-01-02T03:04:05Z\n"
#define SIG "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n" \
	"-----END SSH SIGNATURE-----\n"

static int
parse(const char *text, enum ak_doc_kind kind, struct ak_doc **doc)
{
	return ak_doc_parse(text, strlen(text), kind, doc);
}

static void
test_good(void **state)
{
	struct ak_doc *doc;
	const char *text = HDR "from=\"10.0.0.0/8\" " ED " a\n\n# c\n  \n"
	    ED " b\n" SIG;

	(void)state;
	assert_int_equal(parse(text, AK_DOC_ACCOUNT, &doc), 0);
	assert_string_equal(doc->account, "deploy");
	assert_int_equal(doc->serial, 42);
	assert_int_equal(doc->expires, 1893553445);
	/* Every body line is kept; what each says is ak_keyset's. */
	assert_int_equal(doc->nlines, 5);
	assert_int_equal(doc->lines[0].lineno, 5);
	assert_int_equal(doc->lines[4].lineno, 9);
	assert_int_equal(doc->lines[2].len, 3);
	assert_int_equal(doc->signed_len, strstr(text, "-----BEGIN") - text);
	assert_int_equal(doc->nsigs, 1);
	assert_int_equal(doc->sigs[0].len, 6);
	assert_memory_equal(doc->sigs[0].blob, "SSHSIG", 6);
	assert_int_equal(ak_doc_check(doc, "deploy", 1893553444, 42), 0);
	assert_int_equal(ak_doc_check(doc, "octo", 0, 0), AK_ERR_ACCOUNT);
	assert_int_equal(ak_doc_check(doc, "deploy", 1893553445, 0),
	    AK_ERR_EXPIRED);
	assert_int_equal(ak_doc_check(doc, "deploy", 0, 43), AK_ERR_ROLLBACK);
	/* Serial 42 read as a time: ahead of 41 by 1 s, of 0 by 42 s. */
	assert_int_equal(ak_doc_ahead(doc, 41, 1), 0);
	assert_int_equal(ak_doc_ahead(doc, 41, 0), AK_ERR_FUTURE);
	assert_int_equal(ak_doc_ahead(doc, 0, 42), 0);
	assert_int_equal(ak_doc_ahead(doc, 0, 41), AK_ERR_FUTURE);
	assert_int_equal(ak_doc_ahead(doc, -1, 300), AK_ERR_FUTURE);
	assert_true(ak_serial_ahead(18446744073709551615ULL, 1800000000,
	    86400));
	ak_doc_free(doc);
}

static void
test_revocations_and_plain(void **state)
{
	struct ak_doc *doc;

	(void)state;
	assert_int_equal(parse("#authkeys-document v1\n#revocations\n"
	    "#serial 1\n#expires 2030-01-02T03:04:05Z\nSHA256:x\n" SIG,
	    AK_DOC_REVOCATIONS, &doc), 0);
	assert_int_equal(doc->nlines, 1);
	ak_doc_free(doc);
	/* A revocation list is not an account document, and back. */
	assert_int_equal(parse("#authkeys-document v1\n#revocations\n"
	    "#serial 1\n#expires 2030-01-02T03:04:05Z\n" SIG, AK_DOC_ACCOUNT,
	    &doc), AK_ERR_FORMAT);
	assert_int_equal(parse(HDR SIG, AK_DOC_REVOCATIONS, &doc),
	    AK_ERR_FORMAT);
	assert_int_equal(parse(ED " a\n" ED " b", AK_DOC_PLAIN, &doc), 0);
	assert_int_equal(doc->nlines, 2);
	assert_int_equal(doc->nsigs, 0);
	ak_doc_free(doc);
}

static void
test_malformed(void **state)
{
	static const char *bad[] = {
		"",
		"#authkeys-document v2\n#account deploy\n#serial 1\n"
		    "#expires 2030-01-02T03:04:05Z\n" SIG,
		"#account deploy\n#authkeys-document v1\n#serial 1\n"
		    "#expires 2030-01-02T03:04:05Z\n" SIG,
		"#authkeys-document v1\n#account Deploy\n#serial 1\n"
		    "#expires 2030-01-02T03:04:05Z\n" SIG,
		"#authkeys-document v1\n#account deploy\n#serial -1\n"
		    "#expires 2030-01-02T03:04:05Z\n" SIG,
		"#authkeys-document v1\n#account deploy\n#serial 1x\n"
		    "#expires 2030-01-02T03:04:05Z\n" SIG,
		"#authkeys-document v1\n#account deploy\n"
		    "#serial 99999999999999999999\n"
		    "#expires 2030-01-02T03:04:05Z\n" SIG,
		"#authkeys-document v1\n#account deploy\n#serial 1\n"
		    "#expires 2030-02-30T03:04:05Z\n" SIG,
		"#authkeys-document v1\n#account deploy\n#serial 1\n"
		    "#expires 2030-01-02 03:04:05\n" SIG,
		"#authkeys-document v1\n#account deploy\n#serial 1\n"
		    "#expires 2030-01-02T03:04:05+01:00\n" SIG,
		HDR ED "\n",					/* unsigned */
		HDR ED "\n-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n",
		HDR ED "\n" SIG "trailing\n",
		HDR ED "\n-----BEGIN SSH SIGNATURE-----\n!!!\n"
		    "-----END SSH SIGNATURE-----\n",
		/* A second block cut short, or text between blocks. */
		HDR ED "\n" SIG "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n",
		HDR ED "\n" SIG "text\n" SIG,
		HDR ED "\n" SIG "-----BEGIN SSH SIGNATURE-----\n"
		    "-----END SSH SIGNATURE-----\n",
		/* Seventeen signatures: one more than a document may carry. */
		HDR ED "\n" SIG SIG SIG SIG SIG SIG SIG SIG SIG SIG SIG SIG SIG
		    SIG SIG SIG SIG,
	};
	struct ak_doc *doc;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i], AK_DOC_ACCOUNT, &doc) == 0)
			fail_msg("case %zu parsed", i);
		assert_null(doc);
	}
	/* A NUL byte anywhere. */
	assert_int_equal(ak_doc_parse(HDR "\0" SIG, sizeof(HDR SIG),
	    AK_DOC_ACCOUNT, &doc), AK_ERR_CONTROL_CHAR);
}

/*
 * SPEC: a trailing CR is not part of a line. A document written with CRLF
 * ends throughout reads as the same lines; its signature still covers the
 * exact bytes. A CR inside a body line is kept for the keyset to refuse.
 */
/*
 * Several signers (a k-of-n threshold): armored blocks one after another,
 * blank lines between and after them; the signed bytes end where the
 * first block starts, so every signer signs the same bytes.
 */
static void
test_several_signatures(void **state)
{
	struct ak_doc *doc;
	const char *text = HDR ED " a\n" SIG "\n"
	    "-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAA==\n"
	    "-----END SSH SIGNATURE-----\n\n" SIG "\n\n";
	size_t i, off;
	char many[4096];

	(void)state;
	assert_int_equal(parse(text, AK_DOC_ACCOUNT, &doc), 0);
	assert_int_equal(doc->nsigs, 3);
	assert_int_equal(doc->signed_len, strstr(text, "-----BEGIN") - text);
	/* The one rule, without a parse (the cache writer's). */
	assert_int_equal(ak_doc_signed_len(text, strlen(text)),
	    doc->signed_len);
	assert_int_equal(doc->sigs[1].len, 7);
	assert_memory_equal(doc->sigs[1].blob, "SSHSIG\0", 7);
	assert_int_equal(doc->sigs[2].len, 6);
	assert_int_equal(doc->nlines, 1);
	ak_doc_free(doc);
	/* As many as AK_DOC_SIGS_MAX. */
	off = strlen(HDR ED "\n");
	memcpy(many, HDR ED "\n", off);
	for (i = 0; i < AK_DOC_SIGS_MAX; i++, off += strlen(SIG))
		memcpy(many + off, SIG, strlen(SIG));
	assert_int_equal(ak_doc_parse(many, off, AK_DOC_ACCOUNT, &doc), 0);
	assert_int_equal(doc->nsigs, AK_DOC_SIGS_MAX);
	ak_doc_free(doc);
}

static void
test_crlf(void **state)
{
	struct ak_doc *doc;
	const char *text = "#authkeys-document v1\r\n#account deploy\r\n"
	    "#serial 42\r\n#expires 2030-01-02T03:04:05Z\r\n" ED " a\r\n"
	    "x\ry\n-----BEGIN SSH SIGNATURE-----\r\nU1NIU0lH\r\n"
	    "-----END SSH SIGNATURE-----\r\n";

	(void)state;
	assert_int_equal(parse(text, AK_DOC_ACCOUNT, &doc), 0);
	assert_int_equal(doc->serial, 42);
	assert_int_equal(doc->nlines, 2);
	assert_int_equal(doc->lines[0].len, strlen(ED " a"));
	assert_int_equal(doc->lines[1].len, 3);
	assert_int_equal(doc->signed_len, strstr(text, "-----BEGIN") - text);
	assert_int_equal(ak_doc_signed_len(text, strlen(text)),
	    doc->signed_len);
	/* No signature line: all of it; an indented one is not one. */
	assert_int_equal(ak_doc_signed_len(text, 20), 20);
	assert_int_equal(ak_doc_signed_len(" -----BEGIN SSH SIGNATURE-----\n",
	    31), 31);
	assert_memory_equal(doc->sigs[0].blob, "SSHSIG", 6);
	ak_doc_free(doc);
}

static void
test_size_limits(void **state)
{
	struct ak_doc *doc;
	char *big;
	size_t n = AK_DOC_MAX + 1;

	(void)state;
	big = malloc(n);
	memset(big, 'a', n);
	assert_int_equal(ak_doc_parse(big, n, AK_DOC_PLAIN, &doc),
	    AK_ERR_TOO_LARGE);
	/* A line longer than any authorized_keys line is the keyset's. */
	assert_int_equal(ak_doc_parse(big, 20000, AK_DOC_PLAIN, &doc), 0);
	assert_int_equal(doc->lines[0].len, 20000);
	ak_doc_free(doc);
	free(big);
}

/* The one header writer: what it writes, the parser reads back. */
static void
test_header_writer_round_trip(void **state)
{
	struct ak_doc hdr;
	char out[AK_DOC_HEADER_MAX];
	size_t hlen = 0;
	int n;

	(void)state;
	n = ak_doc_format_header(AK_DOC_ACCOUNT, "deploy", 42, 1893553445,
	    out, sizeof(out));
	assert_true(n > 0);
	assert_string_equal(out, HDR);
	memset(&hdr, 0, sizeof(hdr));
	assert_int_equal(ak_doc_parse_header(out, (size_t)n, AK_DOC_ACCOUNT,
	    &hdr, &hlen), 0);
	assert_int_equal(hlen, (size_t)n);
	assert_string_equal(hdr.account, "deploy");
	assert_int_equal(hdr.serial, 42);
	assert_int_equal(hdr.expires, 1893553445);
	n = ak_doc_format_header(AK_DOC_REVOCATIONS, NULL,
	    18446744073709551615ULL, 0, out, sizeof(out));
	assert_true(n > 0);
	assert_string_equal(out, "#authkeys-document v1\n#revocations\n"
	    "#serial 18446744073709551615\n#expires 1970-01-01T00:00:00Z\n");
	/* A name the parser would refuse is never written. */
	assert_int_equal(ak_doc_format_header(AK_DOC_ACCOUNT, "../x", 1, 0,
	    out, sizeof(out)), AK_ERR_BAD_NAME);
	assert_int_equal(ak_doc_format_header(AK_DOC_PLAIN, "deploy", 1, 0,
	    out, sizeof(out)), AK_ERR_FORMAT);
	assert_int_equal(ak_doc_format_header(AK_DOC_ACCOUNT, "deploy", 1, 0,
	    out, 40), AK_ERR_TOO_LARGE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_revocations_and_plain),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_size_limits),
		cmocka_unit_test(test_several_signatures),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_header_writer_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
