/* ak_snap: snapshot and timestamp bodies, matching, the frozen rule. */
#include "testutil.h"

#include <time.h>

#include "ak_cache.h"
#include "ak_config.h"
#include "ak_doc.h"
#include "ak_err.h"
#include "ak_snap.h"

#define SIG "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n" \
	"-----END SSH SIGNATURE-----\n"
#define SNAP_HDR "#authkeys-snapshot v1\n#serial 7\n" \
	"#expires 2030-01-02T03:04:05Z\n"
#define TS_HDR "#authkeys-timestamp v1\r\n#serial 1800000000\r\n" \
	"#expires 2030-01-02T03:04:05Z\r\n"
/* SHA-256 of "abc". */
#define H_ABC "sha256:ba7816bf8f01cfea414140de5dae2223" \
	"b00361a396177a9cb410ff61f20015ad"
#define H_0 "sha256:00000000000000000000000000000000" \
	"00000000000000000000000000000000"

static int
parse(const char *text, enum ak_doc_kind kind, struct ak_snap **sp,
    unsigned long *lineno)
{
	struct ak_doc *doc = NULL;
	int r;

	*sp = NULL;
	if ((r = ak_doc_parse(text, strlen(text), kind, &doc)) == 0)
		r = ak_snap_parse(doc, sp, lineno);
	ak_doc_free(doc);
	return r;
}

static void
test_snapshot(void **state)
{
	struct ak_snap *s;
	const struct ak_snap_entry *e;
	unsigned long ln;

	(void)state;
	assert_int_equal(parse(SNAP_HDR "account octo 3 " H_0 "\n"
	    "account deploy 5 " H_ABC "\n\nrevocations 9 " H_0 "\n" SIG,
	    AK_DOC_SNAPSHOT, &s, &ln), 0);
	assert_int_equal(s->serial, 7);
	assert_int_equal(s->n, 3);
	assert_non_null(e = ak_snap_find(s, "deploy"));
	assert_int_equal(e->serial, 5);
	assert_true(ak_snap_matches(e, 5, "abc", 3, 3));
	assert_false(ak_snap_matches(e, 4, "abc", 3, 3));
	assert_false(ak_snap_matches(e, 5, "abd", 3, 3));
	assert_false(ak_snap_matches(NULL, 5, "abc", 3, 3));
	assert_non_null(e = ak_snap_find(s, NULL));
	assert_int_equal(e->what, AK_SNAP_REVOCATIONS);
	assert_int_equal(e->serial, 9);
	assert_null(ak_snap_find(s, "ghost"));
	assert_non_null(ak_snap_find(s, "octo"));
	ak_snap_free(s);
	/* No list entry: the store has no list. */
	assert_int_equal(parse(SNAP_HDR "account a 1 " H_0 "\n" SIG,
	    AK_DOC_SNAPSHOT, &s, &ln), 0);
	assert_null(ak_snap_find(s, NULL));
	ak_snap_free(s);
	ak_snap_free(NULL);
}

static void
test_bad_lines(void **state)
{
	static const char *bad[] = {
		"account deploy 5 " H_ABC " extra\n",
		"account deploy 5 " H_ABC "\naccount deploy 6 " H_0 "\n",
		"revocations 1 " H_0 "\nrevocations 2 " H_0 "\n",
		"account Deploy 5 " H_ABC "\n",
		"account deploy -5 " H_ABC "\n",
		"account deploy 99999999999999999999999 " H_ABC "\n",
		"account deploy 5 sha256:BA7816BF8F01CFEA414140DE5DAE2223"
		    "B00361A396177A9CB410FF61F20015AD\n",
		"account deploy 5 sha256:abc\n",
		"account deploy 5 md5:" H_0 "\n",
		"account  deploy 5 " H_ABC "\n",
		"account deploy 5\n",
		"snapshot 5 " H_ABC "\n",
		"# comment\n",
		"account deploy\t5 " H_ABC "\n",
	};
	struct ak_snap *s;
	unsigned long ln;
	char text[1024];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), SNAP_HDR "%s" SIG, bad[i]);
		if (parse(text, AK_DOC_SNAPSHOT, &s, &ln) == 0)
			fail_msg("taken: %s", bad[i]);
		assert_null(s);
	}
	snprintf(text, sizeof(text), SNAP_HDR "account a 1 " H_0 "\nbad\n"
	    SIG);
	assert_int_equal(parse(text, AK_DOC_SNAPSHOT, &s, &ln),
	    AK_ERR_FORMAT);
	assert_int_equal(ln, 5);
}

static void
test_timestamp(void **state)
{
	struct ak_snap *s;
	const struct ak_snap_entry *e;
	struct ak_doc *doc;
	unsigned long ln;

	(void)state;
	/* CRLF lines read as LF ones. */
	assert_int_equal(parse(TS_HDR "snapshot 7 " H_ABC "\r\n" SIG,
	    AK_DOC_TIMESTAMP, &s, &ln), 0);
	assert_non_null(e = ak_snap_find(s, NULL));
	assert_int_equal(e->what, AK_SNAP_SNAPSHOT);
	assert_true(ak_snap_matches(e, 7, "abc", 3, 3));
	ak_snap_free(s);
	assert_int_not_equal(parse(TS_HDR SIG, AK_DOC_TIMESTAMP, &s, &ln), 0);
	assert_int_not_equal(parse(TS_HDR "snapshot 7 " H_ABC "\nsnapshot 8 "
	    H_ABC "\n" SIG, AK_DOC_TIMESTAMP, &s, &ln), 0);
	assert_int_not_equal(parse(TS_HDR "account a 7 " H_ABC "\n" SIG,
	    AK_DOC_TIMESTAMP, &s, &ln), 0);
	/* Each kind has its own first line; an account document is none. */
	assert_int_equal(parse(TS_HDR "snapshot 7 " H_ABC "\n" SIG,
	    AK_DOC_SNAPSHOT, &s, &ln), AK_ERR_FORMAT);
	assert_int_equal(parse(SNAP_HDR SIG, AK_DOC_TIMESTAMP, &s, &ln),
	    AK_ERR_FORMAT);
	assert_int_equal(ak_doc_parse(SNAP_HDR SIG, strlen(SNAP_HDR SIG),
	    AK_DOC_SNAPSHOT, &doc), 0);
	assert_int_equal(ak_snap_parse(doc, &s, &ln), 0);
	assert_int_equal(s->n, 0);
	ak_snap_free(s);
	doc->kind = AK_DOC_ACCOUNT;
	assert_int_equal(ak_snap_parse(doc, &s, &ln), AK_ERR_FORMAT);
	ak_doc_free(doc);
}

static void
test_header_writer(void **state)
{
	char out[AK_DOC_HEADER_MAX * 2];
	struct ak_doc *doc;
	int n;

	(void)state;
	n = ak_doc_format_header(AK_DOC_SNAPSHOT, NULL, 12, 1893553445, out,
	    AK_DOC_HEADER_MAX);
	assert_true(n > 0);
	assert_string_equal(out, "#authkeys-snapshot v1\n#serial 12\n"
	    "#expires 2030-01-02T03:04:05Z\n");
	n = ak_doc_format_header(AK_DOC_TIMESTAMP, NULL, 13, 1893553445, out,
	    AK_DOC_HEADER_MAX);
	assert_true(n > 0);
	strcat(out, SIG);
	assert_int_equal(ak_doc_parse(out, strlen(out), AK_DOC_TIMESTAMP,
	    &doc), 0);
	assert_int_equal(doc->serial, 13);
	assert_int_equal(doc->nlines, 0);
	ak_doc_free(doc);
}

static void
test_frozen_and_hash(void **state)
{
	struct ak_config *cfg;
	char h[AK_SNAP_HASH_TEXT];

	(void)state;
	assert_int_equal(ak_config_defaults(&cfg), 0);
	assert_int_equal(cfg->freeze_after, 3600);
	assert_false(ak_snap_frozen(cfg, 1000, 1000 + 3600));
	assert_true(ak_snap_frozen(cfg, 1000, 1000 + 3601));
	/*
	 * A timestamp signed a little "in the future" (clock skew) is not
	 * frozen; one further ahead than max_clock_skew proves nothing and
	 * is (issue 25: a fast-forwarded timestamp switched detection off).
	 */
	assert_int_equal(cfg->max_clock_skew, 300);
	assert_false(ak_snap_frozen(cfg, 1300, 1000));
	assert_true(ak_snap_frozen(cfg, 1301, 1000));
	assert_true(ak_snap_frozen(cfg, 1000 + 86400ULL * 3650, 1000));
	assert_true(ak_snap_frozen(cfg, 0, 4000));
	ak_config_free(cfg);
	ak_snap_hash_text("abc", 3, 0, h);
	assert_string_equal(h, H_ABC);
}

/* Writes text as the cached entry name, confirmed at checked. */
static void
cache_put(const char *dir, const char *name, const char *text,
    time_t checked)
{
	struct ak_cache_entry e;

	memset(&e, 0, sizeof(e));
	e.checked = checked;
	e.status = 200;
	e.body = (char *)text;
	e.bodylen = strlen(text);
	assert_int_equal(ak_cache_write(dir, name, &e), 0);
}

/*
 * An entry matches by serial and the hash its writer recorded; without
 * that record, or with another status, it does not.
 */
static void
ak_snap_cached_match_cases(const char *text)
{
	struct ak_snap_entry want;
	struct ak_cache_entry e;
	struct ak_doc *doc;

	assert_int_equal(ak_doc_parse(text, strlen(text), AK_DOC_SNAPSHOT,
	    &doc), 0);
	memset(&want, 0, sizeof(want));
	memset(&e, 0, sizeof(e));
	want.what = AK_SNAP_SNAPSHOT;
	want.serial = 7;
	ak_sha256(text, strlen(text), want.hash);
	e.status = 200;
	e.body = (char *)text;
	e.bodylen = strlen(text);
	assert_false(ak_snap_cached_matches(&want, &e, doc));
	memcpy(e.sha256, want.hash, sizeof(e.sha256));
	e.has_sha256 = 1;
	assert_true(ak_snap_cached_matches(&want, &e, doc));
	want.serial = 8;
	assert_false(ak_snap_cached_matches(&want, &e, doc));
	want.serial = 7;
	assert_false(ak_snap_cached_matches(NULL, &e, doc));
	assert_false(ak_snap_cached_matches(&want, NULL, doc));
	assert_false(ak_snap_cached_matches(&want, &e, NULL));
	e.status = 404;
	assert_false(ak_snap_cached_matches(&want, &e, doc));
	e.status = 200;
	e.sha256[0] ^= 1;
	assert_false(ak_snap_cached_matches(&want, &e, doc));
	ak_doc_free(doc);
}

/* The cached view the command and --status read: one reading for both. */
static void
test_cached_view(void **state)
{
	static const char snap[] = SNAP_HDR "account deploy 5 " H_ABC "\n"
	    SIG;
	char dir[] = "/tmp/ak-unit.XXXXXX", ts[512], h[AK_SNAP_HASH_TEXT];
	struct ak_snap_cached cv;
	time_t now = 1800000100;

	(void)state;
	assert_non_null(mkdtemp(dir));
	ak_snap_cached_read(dir, 0, now, 300, NULL, &cv);
	assert_string_equal(cv.problem, "no cached timestamp");
	assert_true(cv.ts_serial == 0);
	assert_null(cv.snap);
	ak_snap_cached_clear(&cv);
	ak_snap_hash_text(snap, strlen(snap), 0, h);
	snprintf(ts, sizeof(ts), TS_HDR "snapshot 7 %s\n" SIG, h);
	cache_put(dir, "timestamp", ts, 1800000050);
	ak_snap_cached_read(dir, 0, now, 300, NULL, &cv);
	assert_string_equal(cv.problem,
	    "no cached snapshot named by the timestamp");
	assert_true(cv.ts_serial == 1800000000);
	assert_true(cv.checked == 1800000050);
	assert_null(cv.snap);
	ak_snap_cached_clear(&cv);
	/* Named by serial and hash: any other bytes are not the view. */
	cache_put(dir, "snapshot", SNAP_HDR "account deploy 6 " H_ABC "\n"
	    SIG, 1800000050);
	ak_snap_cached_read(dir, 0, now, 300, NULL, &cv);
	assert_string_equal(cv.problem,
	    "no cached snapshot named by the timestamp");
	ak_snap_cached_clear(&cv);
	cache_put(dir, "snapshot", snap, 1800000050);
	ak_snap_cached_read(dir, 0, now, 300, NULL, &cv);
	assert_null(cv.problem);
	assert_true(cv.snap_serial == 7);
	assert_non_null(cv.snap);
	assert_non_null(ak_snap_find(cv.snap, "deploy"));
	ak_snap_cached_clear(&cv);
	assert_null(cv.snap);
	ak_snap_cached_match_cases(snap);
	/* After the snapshot's #expires (2030-01-02T03:04:05Z). */
	ak_snap_cached_read(dir, 0, 1893553445, 300, NULL, &cv);
	assert_string_equal(cv.problem, "the snapshot has expired");
	assert_non_null(cv.snap);
	ak_snap_cached_clear(&cv);
	run_ok("rm -rf %s", dir);
}

#define ACCT "#authkeys-document v1\n#account deploy\n#serial 5\n" \
	"#expires 2030-01-02T03:04:05Z\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5 x\n"
#define SIG2 "-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAA==\n" \
	"-----END SSH SIGNATURE-----\n"

/*
 * A partial publish names a document by its signed bytes
 * ("signed-sha256:"): signatures added after (--add-signature) keep it the
 * one the snapshot vouches for; any change of the signed bytes does not.
 */
static void
test_signed_only(void **state)
{
	static const char one[] = ACCT SIG, two[] = ACCT SIG SIG2,
	    other[] = ACCT "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 y\n" SIG;
	char h[AK_SNAP_HASH_TEXT], text[1024], dir[] = "/tmp/ak-unit.XXXXXX";
	const struct ak_snap_entry *e;
	struct ak_cache_entry *ce;
	struct ak_snap *s;
	struct ak_doc *doc, hdr;
	unsigned long ln;
	size_t hl;

	(void)state;
	ak_snap_hash_text(ACCT, strlen(ACCT), 1, h);
	assert_int_equal(strncmp(h, "signed-sha256:", 14), 0);
	assert_int_equal(strlen(h), 14 + 64);
	snprintf(text, sizeof(text), SNAP_HDR "account deploy 5 %s\n"
	    "revocations 9 signed-%s\n" SIG, h, H_0);
	assert_int_equal(parse(text, AK_DOC_SNAPSHOT, &s, &ln), 0);
	assert_non_null(e = ak_snap_find(s, "deploy"));
	assert_true(e->signed_only);
	assert_true(ak_snap_find(s, NULL)->signed_only);
	/* One signature or two: the same signed bytes. */
	assert_true(ak_snap_matches(e, 5, one, strlen(one), strlen(ACCT)));
	assert_true(ak_snap_matches(e, 5, two, strlen(two), strlen(ACCT)));
	/* The whole file is not what it names; nor other signed bytes. */
	assert_false(ak_snap_matches(e, 5, one, strlen(one), strlen(one)));
	assert_false(ak_snap_matches(e, 5, other, strlen(other),
	    strlen(other) - strlen(SIG)));
	assert_false(ak_snap_matches(e, 6, two, strlen(two), strlen(ACCT)));
	assert_false(ak_snap_matches(e, 5, one, 3, strlen(ACCT)));
	/* The cached entry: its parsed document's signed bytes. */
	assert_non_null(mkdtemp(dir));
	cache_put(dir, "acct.deploy", two, 1800000050);
	assert_int_equal(ak_cache_read(dir, "acct.deploy", 0, &ce), 0);
	assert_int_equal(ak_doc_parse(ce->body, ce->bodylen, AK_DOC_ACCOUNT,
	    &doc), 0);
	assert_true(ak_snap_cached_matches(e, ce, doc));
	/* The header alone will do (sshd's %f): the writer's record. */
	assert_true(ce->has_signed_sha256);
	assert_int_equal(ak_doc_parse_header(ce->body, ce->bodylen,
	    AK_DOC_ACCOUNT, &hdr, &hl), 0);
	assert_true(ak_snap_cached_matches(e, ce, &hdr));
	/* An entry written before that record: the signed bytes, if read. */
	ce->has_signed_sha256 = 0;
	assert_false(ak_snap_cached_matches(e, ce, &hdr));
	assert_true(ak_snap_cached_matches(e, ce, doc));
	ce->has_signed_sha256 = 1;
	ce->signed_sha256[0] ^= 1;
	assert_false(ak_snap_cached_matches(e, ce, &hdr));
	ak_doc_free(doc);
	ak_cache_entry_free(ce);
	ak_snap_free(s);
	/* Only that spelling. */
	snprintf(text, sizeof(text), SNAP_HDR "account deploy 5 Signed-%s\n"
	    SIG, H_0);
	assert_int_not_equal(parse(text, AK_DOC_SNAPSHOT, &s, &ln), 0);
	snprintf(text, sizeof(text), SNAP_HDR "account deploy 5 signed-%s0\n"
	    SIG, H_0);
	assert_int_not_equal(parse(text, AK_DOC_SNAPSHOT, &s, &ln), 0);
	snprintf(text, sizeof(text), SNAP_HDR "account deploy 5 "
	    "signed-signed-%s\n" SIG, H_0);
	assert_int_not_equal(parse(text, AK_DOC_SNAPSHOT, &s, &ln), 0);
	run_ok("rm -rf %s", dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snapshot),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_timestamp),
		cmocka_unit_test(test_header_writer),
		cmocka_unit_test(test_frozen_and_hash),
		cmocka_unit_test(test_cached_view),
		cmocka_unit_test(test_signed_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
