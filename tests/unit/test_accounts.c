/* ak_accounts: names, sshd-style patterns, %groups (this host's NSS). */
#include "testutil.h"

#include <grp.h>
#include <pwd.h>

#include "ak_accounts.h"
#include "ak_err.h"

static void
test_items(void **state)
{
	static const char *good[] = { "deploy", "deploy-*", "!deploy-old",
	    "d?ploy", "*", "%deployers", "!%contractors", "%Domain_Users",
	    "_x.y-z" };
	static const char *bad[] = { "", "!", "%", "!%", "Deploy", "de ploy",
	    "deploy,x", "%de ploy", "de/ploy", "../x", "d[a-z]", "!!x",
	    "%%x", "abcdefghijabcdefghijabcdefghijabc" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (ak_accounts_item_valid(good[i]) != 0)
			fail_msg("refused: %s", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (ak_accounts_item_valid(bad[i]) == 0)
			fail_msg("taken: %s", bad[i]);
}

static void
test_patterns(void **state)
{
	char *items[] = { "deploy-*", "!deploy-old", "octo", "ci-?" };
	char *plain[] = { "deploy", "octo" };

	(void)state;
	assert_true(ak_accounts_match(items, 4, "deploy-web"));
	assert_true(ak_accounts_match(items, 4, "deploy-"));
	assert_false(ak_accounts_match(items, 4, "deploy-old"));
	assert_true(ak_accounts_match(items, 4, "octo"));
	assert_false(ak_accounts_match(items, 4, "octopus"));
	assert_true(ak_accounts_match(items, 4, "ci-1"));
	assert_false(ak_accounts_match(items, 4, "ci-12"));
	assert_false(ak_accounts_match(items, 4, "deploy"));
	/* Invalid account names never match, whatever the pattern. */
	assert_false(ak_accounts_match(items, 4, "deploy-X"));
	assert_false(ak_accounts_match(items, 4, "deploy-a/b"));
	assert_false(ak_accounts_dynamic(plain, 2));
	assert_true(ak_accounts_dynamic(items, 4));
	/* A negation alone admits no one. */
	{
		char *neg[] = { "!deploy-old" };

		assert_false(ak_accounts_match(neg, 1, "deploy-web"));
	}
}

static void
test_groups(void **state)
{
	struct passwd *pw = getpwuid(0);
	struct group *gr = getgrgid(pw->pw_gid);
	char item[80], neg[80];
	char *items[2], **names = NULL;
	size_t n = 0, i;
	int found = 0;

	(void)state;
	/* root's primary group admits root; a group that is not, no one. */
	snprintf(item, sizeof(item), "%%%s", gr->gr_name);
	items[0] = item;
	assert_true(ak_accounts_match(items, 1, "root"));
	items[0] = "%no-such-group-here";
	assert_false(ak_accounts_match(items, 1, "root"));
	/* Negated group takes root away from "*". */
	snprintf(neg, sizeof(neg), "!%%%s", gr->gr_name);
	items[0] = "*";
	items[1] = neg;
	assert_false(ak_accounts_match(items, 2, "root"));
	/* Expansion: NSS users the group admits, sorted, each once. */
	items[0] = item;
	assert_int_equal(ak_accounts_expand(items, 1, &names, &n), 0);
	for (i = 0; i < n; i++) {
		found |= strcmp(names[i], "root") == 0;
		if (i > 0)
			assert_true(strcmp(names[i - 1], names[i]) < 0);
	}
	assert_true(found);
	ak_accounts_free(names, n);
	/* Plain names are kept even if NSS does not know them. */
	items[0] = "ghost-user";
	assert_int_equal(ak_accounts_expand(items, 1, &names, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], "ghost-user");
	assert_int_equal(ak_accounts_item_count("ghost-*", names, n), 1);
	assert_int_equal(ak_accounts_item_count("!ghost-*", names, n), 1);
	assert_int_equal(ak_accounts_item_count("%no-such-group-here", names,
	    n), 0);
	ak_accounts_free(names, n);
	ak_accounts_free(NULL, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_items),
		cmocka_unit_test(test_patterns),
		cmocka_unit_test(test_groups),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
