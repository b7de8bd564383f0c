/* ak_accounts: names, sshd-style patterns, %groups (this host's NSS). */
#include "testutil.h"

#include <grp.h>
#include <pwd.h>

#include <errno.h>

#include "ak_accounts.h"
#include "ak_err.h"

/*
 * getgrnam_r as the core sees it (linked with --wrap): "ak-huge" needs a
 * 100 KiB buffer (ERANGE below, as glibc says for a long /etc/group line)
 * and has root as a member; "ak-broken" is a directory error; the rest is
 * this host's NSS.
 */
int __wrap_getgrnam_r(const char *, struct group *, char *, size_t,
    struct group **);
int __real_getgrnam_r(const char *, struct group *, char *, size_t,
    struct group **);

static size_t huge_calls;

int
__wrap_getgrnam_r(const char *name, struct group *gr, char *buf, size_t len,
    struct group **res)
{
	*res = NULL;
	if (strcmp(name, "ak-broken") == 0)
		return EIO;
	if (strcmp(name, "ak-huge") != 0)
		return __real_getgrnam_r(name, gr, buf, len, res);
	huge_calls++;
	if (len < 100 * 1024)
		return ERANGE;
	memset(buf, 0, len);
	memcpy(buf, "ak-huge", 8);
	memcpy(buf + 8, "x", 2);
	memcpy(buf + 16, "root", 5);
	gr->gr_name = buf;
	gr->gr_passwd = buf + 8;
	gr->gr_gid = 0;	/* root's primary group: root is in it */
	gr->gr_mem = (char **)(void *)(buf + 64);
	gr->gr_mem[0] = buf + 16;
	gr->gr_mem[1] = NULL;
	*res = gr;
	return 0;
}

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

/* A group NSS cannot read decides nothing; a long one is read whole. */
static void
test_nss(void **state)
{
	char *broken[] = { "deploy-*", "%ak-broken" };
	char *negbroken[] = { "deploy-*", "!%ak-broken" };
	char *huge[] = { "%ak-huge", "%ak-broken-not-asked" };
	char *other[] = { "octo", "!%ak-broken" };
	char **names = NULL;
	const char *bad;
	size_t n = 0, i;
	int found = 0;

	(void)state;
	/* Another item admits it: the broken group is not needed. */
	assert_int_equal(ak_accounts_match(broken, 2, "deploy-web"), 1);
	/* Only the broken group could: neither managed nor unmanaged. */
	assert_int_equal(ak_accounts_match(broken, 2, "root"), AK_ERR_NSS);
	/* A negation NSS cannot read, on an account admitted otherwise. */
	assert_int_equal(ak_accounts_match(negbroken, 2, "deploy-web"),
	    AK_ERR_NSS);
	/* ... and on one nothing admits: unmanaged either way. */
	assert_int_equal(ak_accounts_match(negbroken, 2, "root"), 0);
	assert_int_equal(ak_accounts_match(other, 2, "root"), 0);
	assert_int_equal(ak_accounts_groups_readable(broken, 2, &bad),
	    AK_ERR_NSS);
	assert_string_equal(bad, "%ak-broken");
	assert_int_equal(ak_accounts_groups_readable(negbroken, 2, &bad),
	    AK_ERR_NSS);
	assert_string_equal(bad, "!%ak-broken");
	/* Undecided accounts are not listed as managed. */
	assert_int_equal(ak_accounts_expand(broken, 2, &names, &n), 0);
	for (i = 0; i < n; i++)
		assert_string_not_equal(names[i], "root");
	ak_accounts_free(names, n);
	/* A line longer than the first buffer: the buffer grows. */
	huge_calls = 0;
	assert_int_equal(ak_accounts_match(huge, 1, "root"), 1);
	assert_true(huge_calls > 1);
	assert_int_equal(ak_accounts_groups_readable(huge, 1, &bad), 0);
	assert_int_equal(ak_accounts_expand(huge, 1, &names, &n), 0);
	for (i = 0; i < n; i++)
		found |= strcmp(names[i], "root") == 0;
	assert_true(found);
	ak_accounts_free(names, n);
	assert_int_equal(ak_accounts_item_count("%ak-broken", huge, 1), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_items),
		cmocka_unit_test(test_patterns),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_nss),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
