/* ak_userenv: a user's ~/.pam_environment must not choose the key checked. */
#include "testutil.h"

#include <sys/stat.h>

#include <unistd.h>

#include "ak_err.h"
#include "ak_userenv.h"

static char home[] = "/tmp/ak-test-home.XXXXXX";
static char file[600];

static int
setup(void **state)
{
	(void)state;
	if (mkdtemp(home) == NULL)
		return -1;
	snprintf(file, sizeof(file), "%s/.pam_environment", home);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	run_ok("rm -rf %s", home);
	return 0;
}

static void
put(const char *text)
{
	FILE *f;

	unlink(file);
	assert_non_null(f = fopen(file, "w"));
	fputs(text, f);
	fclose(f);
}

static int
check(void)
{
	const char *why = NULL;
	int r = ak_userenv_check(home, &why);

	assert_true((r == 0) == (why == NULL));
	return r;
}

static void
test_absent_and_harmless(void **state)
{
	const char *why;

	(void)state;
	unlink(file);
	assert_int_equal(check(), 0);
	put("LANG DEFAULT=C.UTF-8\nEDITOR OVERRIDE=vi\n# a comment\n");
	assert_int_equal(check(), 0);
	assert_int_equal(ak_userenv_check("/nonexistent/home", &why), 0);
}

static void
test_sets_authinfo(void **state)
{
	(void)state;
	put("SSH_AUTH_INFO_0 DEFAULT=\"publickey ssh-ed25519 AAAA\"\n");
	assert_int_equal(check(), AK_ERR_POLICY);
	put("SSH_AUTH_INFO_0 OVERRIDE=x\n");
	assert_int_equal(check(), AK_ERR_POLICY);
	/* pam_env joins a backslash-newline: the name split over lines. */
	put("SSH_AUTH_\\\nINFO_0 DEFAULT=x\n");
	assert_int_equal(check(), AK_ERR_POLICY);
	put("X=1\nSSH_AUTH_INFO_1=y\n");
	assert_int_equal(check(), AK_ERR_POLICY);
}

static void
test_uncheckable_files_refused(void **state)
{
	char big[AK_USERENV_MAX + 2];

	(void)state;
	unlink(file);
	assert_int_equal(symlink("/etc/hostname", file), 0);
	assert_int_equal(check(), AK_ERR_PERM);
	unlink(file);
	/* A FIFO: refused at once, never read (it would block). */
	assert_int_equal(mkfifo(file, 0600), 0);
	assert_int_equal(check(), AK_ERR_PERM);
	unlink(file);
	assert_int_equal(mkdir(file, 0700), 0);
	assert_int_equal(check(), AK_ERR_PERM);
	rmdir(file);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	put(big);
	assert_int_equal(check(), AK_ERR_PERM);
}

static void
test_names_authinfo(void **state)
{
	(void)state;
	assert_int_equal(ak_userenv_names_authinfo("", 0), 0);
	assert_int_equal(ak_userenv_names_authinfo("SSH_AUTH_INF", 12), 0);
	assert_int_equal(ak_userenv_names_authinfo("SSH_AUTH_INFO", 13), 1);
	/* A NUL byte does not hide what follows it. */
	assert_int_equal(ak_userenv_names_authinfo("x\0SSH_AUTH_INFO_0", 17),
	    1);
	assert_int_equal(ak_userenv_names_authinfo("SSH\\\n_AUTH_INFO", 15),
	    1);
	/* A lone backslash at the end is kept as is. */
	assert_int_equal(ak_userenv_names_authinfo("a\\", 2), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_absent_and_harmless),
		cmocka_unit_test(test_sets_authinfo),
		cmocka_unit_test(test_uncheckable_files_refused),
		cmocka_unit_test(test_names_authinfo),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
