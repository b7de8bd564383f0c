/* ak_pamstack: where pam_authkeys and pam_env sit in a PAM service. */
#include "testutil.h"

#include <unistd.h>

#include "ak_err.h"
#include "ak_pamstack.h"

static void
put(const char *name, const char *text)
{
	char path[700];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", test_dir, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static int
scan(const char *type, struct ak_pamstack *ps)
{
	char path[700];

	snprintf(path, sizeof(path), "%s/sshd", test_dir);
	return ak_pamstack_scan(path, type, test_dir, ps);
}

/* Debian 12's /etc/pam.d/sshd with the line appended at the end. */
static void
test_debian_stack_appended(void **state)
{
	struct ak_pamstack ps;

	(void)state;
	put("common-session", "session [default=1] pam_permit.so\n"
	    "session requisite pam_deny.so\nsession required pam_unix.so\n");
	put("sshd", "@include common-auth\n"
	    "account required pam_nologin.so\n"
	    "session [success=ok ignore=ignore module_unknown=ignore "
	    "default=bad] pam_selinux.so close\n"
	    "session required pam_loginuid.so\n"
	    "session required pam_env.so # reads /etc/environment\n"
	    "session required pam_env.so user_readenv=1 "
	    "envfile=/etc/default/locale\n"
	    "@include common-session\n"
	    "session required pam_authkeys.so\n");
	put("common-auth", "auth required pam_unix.so\n");
	assert_int_equal(scan("session", &ps), 0);
	assert_true(ps.module_found);
	assert_true(ps.env_before);
	assert_non_null(strstr(ps.env_at, "sshd:6"));
	assert_non_null(strstr(ps.module_at, "sshd:8"));
	assert_int_equal(scan("auth", &ps), 0);
	assert_false(ps.module_found);
}

static void
test_module_first_is_fine(void **state)
{
	struct ak_pamstack ps;

	(void)state;
	put("sshd", "session required pam_authkeys.so config=/etc/a.conf\n"
	    "session required pam_env.so user_readenv=1\n");
	assert_int_equal(scan("session", &ps), 0);
	assert_true(ps.module_found);
	assert_false(ps.env_before);
	/* pam_env without user_readenv reads only root's files. */
	put("sshd", "session required pam_env.so\n"
	    "-session optional /lib/security/pam_authkeys.so\n");
	assert_int_equal(scan("session", &ps), 0);
	assert_true(ps.module_found);
	assert_false(ps.env_before);
}

static void
test_includes_substack_and_continuations(void **state)
{
	struct ak_pamstack ps;

	(void)state;
	put("env-stack", "session required pam_env.so \\\n  user_readenv=1\n");
	put("sshd", "session substack env-stack\n"
	    "session include ak-stack\n");
	put("ak-stack", "session required pam_authkeys.so\n");
	assert_int_equal(scan("session", &ps), 0);
	assert_true(ps.module_found);
	assert_true(ps.env_before);
	assert_non_null(strstr(ps.env_at, "env-stack:1"));
	/* A commented-out module does not count. */
	put("sshd", "#session required pam_authkeys.so\n"
	    "session required pam_permit.so # pam_authkeys.so\n");
	assert_int_equal(scan("session", &ps), 0);
	assert_false(ps.module_found);
}

static void
test_errors(void **state)
{
	struct ak_pamstack ps;

	(void)state;
	put("sshd", "@include sshd\n");	/* includes itself */
	assert_int_equal(scan("session", &ps), AK_ERR_FORMAT);
	put("sshd", "@include missing-file\n");
	assert_int_equal(scan("session", &ps), AK_ERR_NOT_FOUND);
	assert_string_equal(ps.missing, "missing-file");
	assert_int_equal(ak_pamstack_scan("/nonexistent/sshd", "session",
	    NULL, &ps), AK_ERR_NOT_FOUND);
	assert_string_equal(ps.missing, "/nonexistent/sshd");
	put("sshd", "session\nsession required\n[\n");	/* short lines */
	assert_int_equal(scan("session", &ps), 0);
	assert_false(ps.module_found);
}

/*
 * A service file given from elsewhere (--pam-service FILE): its relative
 * includes are where libpam looks, not next to FILE.
 */
static void
test_includes_from_the_config_dir(void **state)
{
	struct ak_pamstack ps;
	char other[700], path[760];

	(void)state;
	snprintf(other, sizeof(other), "%s/elsewhere", test_dir);
	run_ok("mkdir -p %s", other);
	put("common-session", "session required pam_env.so user_readenv=1\n");
	/* A decoy next to the file: libpam would not read it. */
	put("elsewhere/common-session", "session required pam_permit.so\n");
	put("elsewhere/sshd", "@include common-session\n"
	    "session required pam_authkeys.so\n");
	snprintf(path, sizeof(path), "%s/sshd", other);
	assert_int_equal(ak_pamstack_scan(path, "session", test_dir, &ps), 0);
	assert_true(ps.env_before);
	/* Nothing there by that name: named, not taken for another error. */
	put("elsewhere/sshd", "@include common-nothing\n");
	assert_int_equal(ak_pamstack_scan(path, "session", test_dir, &ps),
	    AK_ERR_NOT_FOUND);
	assert_string_equal(ps.missing, "common-nothing");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debian_stack_appended),
		cmocka_unit_test(test_module_first_is_fine),
		cmocka_unit_test(test_includes_substack_and_continuations),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_includes_from_the_config_dir),
	};

	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
