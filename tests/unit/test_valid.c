/* ak_valid: account names, fingerprint strings, control characters, digits. */
#include "testutil.h"

#include "ak_valid.h"

static void
test_account_and_fingerprint(void **state)
{
	(void)state;
	assert_true(ak_account_valid("deploy"));
	assert_true(ak_account_valid("_svc.ci-1"));
	assert_true(ak_account_valid("a2345678901234567890123456789012"));
	assert_false(ak_account_valid("a23456789012345678901234567890123"));
	assert_false(ak_account_valid(""));
	assert_false(ak_account_valid("Deploy"));
	assert_false(ak_account_valid("1deploy"));
	assert_false(ak_account_valid("-deploy"));
	assert_false(ak_account_valid("../etc"));
	assert_false(ak_account_valid("de/ploy"));
	assert_false(ak_account_valid("de%2fploy"));
	assert_false(ak_account_valid("deploy\n"));
	assert_false(ak_account_valid("dé"));
	assert_true(ak_fpr_valid(
	    "SHA256:ydSwwv6YNHRaPr3WTK5VTjUY1sVFDtkv78scTm+xsB8"));
	assert_false(ak_fpr_valid(
	    "SHA256:ydSwwv6YNHRaPr3WTK5VTjUY1sVFDtkv78scTm+xsB"));
	assert_false(ak_fpr_valid(
	    "MD5:ydSwwv6YNHRaPr3WTK5VTjUY1sVFDtkv78scTm+xsB8"));
	assert_false(ak_fpr_valid(
	    "SHA256:ydSwwv6YNHRaPr3WTK5VTjUY1sVFDtkv78scTm+x/B$"));
	assert_false(ak_fpr_valid(
	    "SHA256:ydSwwv6YNHRaPr3WTK5VTjUY1sVFDtkv78scTm+xsB8="));
}

static void
test_control_characters(void **state)
{
	(void)state;
	assert_false(ak_has_ctrl("ssh-ed25519 AAAA\tcomment", 24));
	assert_true(ak_has_ctrl("a\rb", 3));
	assert_true(ak_has_ctrl("a\nb", 3));
	assert_true(ak_has_ctrl("a\x7f", 2));
	assert_true(ak_has_ctrl("a\x1b[0m", 6));
	/* A NUL inside the given length counts: C strings cut there. */
	assert_true(ak_has_ctrl("ab\0cd", 5));
	assert_false(ak_has_ctrl("ab\0cd", 2));
	/* UTF-8 comments are not control characters. */
	assert_false(ak_has_ctrl("d\xc3\xa9ploy", 7));
	assert_false(ak_has_ctrl("", 0));
}

static void
test_digits(void **state)
{
	(void)state;
	assert_true(ak_digits("0123456789", 10));
	assert_true(ak_digits("12x", 2));
	assert_false(ak_digits("12x", 3));
	assert_false(ak_digits("-1", 2));
	assert_false(ak_digits(" 1", 2));
	assert_true(ak_digits("", 0));
}

/* Text from a key file as it may be shown: no cursor moves, no reordering. */
static void
test_safe_text(void **state)
{
	char out[64];

	(void)state;
	/* Printable ASCII and well-formed UTF-8 (a-umlaut, CJK) stay. */
	assert_int_equal(ak_safe_text("ok \xc3\xa4 \xe6\x97\xa5", out,
	    sizeof(out)), 0);
	assert_string_equal(out, "ok \xc3\xa4 \xe6\x97\xa5");
	/* ESC, tab, DEL; C1 CSI as a byte and as UTF-8. */
	assert_int_equal(ak_safe_text("a\x1b[2Jb\tc\x7f\x9b\xc2\x9b", out,
	    sizeof(out)), 5);
	assert_string_equal(out, "a?[2Jb?c???");
	/* Bidi override and isolate, ALM, line separator. */
	assert_int_equal(ak_safe_text("\xe2\x80\xae\xe2\x81\xa6\xd8\x9c"
	    "\xe2\x80\xa8x", out, sizeof(out)), 4);
	assert_string_equal(out, "????x");
	/* Overlong, surrogate, truncated sequences: not UTF-8. */
	assert_int_equal(ak_safe_text("\xc0\xaf\xed\xa0\x80\xe2\x80", out,
	    sizeof(out)), 7);
	assert_string_equal(out, "???????");
	/* Too small a buffer: cut at a whole character, terminated. */
	ak_safe_text("ab\xc3\xa4", out, 4);
	assert_string_equal(out, "ab");
	ak_safe_text("abc", out, 1);
	assert_string_equal(out, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_account_and_fingerprint),
		cmocka_unit_test(test_control_characters),
		cmocka_unit_test(test_digits),
		cmocka_unit_test(test_safe_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
