/* ak_chain: a chained AuthorizedKeysCommand, run for real. */
#include "testutil.h"

#include <sys/stat.h>

#include <time.h>
#include <unistd.h>

#include "ak_chain.h"
#include "ak_err.h"
#include "ak_time.h"

#define KEY "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJduHAHHuu7TvBhBXjr7Wwm" \
	"NRIwylavTmFPGm+0M5IhM"

/* Writes dir/name, mode 0755, holding the shell script body. */
static void
script(const char *name, const char *body)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", test_dir, name);
	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "#!/bin/sh\n%s\n", body);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0755), 0);
}

/* Runs dir/cmd; returns ak_chain_run's code, the output in out. */
static int
chain(const char *cmd, const char *account, const char *fpr, long ms,
    char *out, size_t outlen)
{
	char full[512], why[256];
	struct ak_buf b;
	int r;

	snprintf(full, sizeof(full), "%s/%s", test_dir, cmd);
	r = ak_chain_run(full, account, fpr, ms, NULL, 0, &b, why,
	    sizeof(why));
	assert_true(b.len < outlen);
	memset(out, 0, outlen);
	if (b.len > 0)
		memcpy(out, b.p, b.len);
	ak_buf_free(&b);
	return r;
}

static void
test_syntax(void **state)
{
	(void)state;
	assert_int_equal(ak_chain_syntax("/usr/bin/sss_ssh_authorizedkeys "
	    "%u"), 0);
	assert_int_equal(ak_chain_syntax("/x %u %f 100%%"), 0);
	assert_int_equal(ak_chain_syntax("relative %u"), AK_ERR_CONFIG);
	assert_int_equal(ak_chain_syntax("/x %h"), AK_ERR_CONFIG);
	assert_int_equal(ak_chain_syntax("/x %"), AK_ERR_CONFIG);
	assert_int_equal(ak_chain_syntax("/x\t%u"), AK_ERR_CONFIG);
	assert_int_equal(ak_chain_syntax(""), AK_ERR_CONFIG);
	assert_int_equal(ak_chain_syntax("/x 1 2 3 4 5 6 7 8 9 10 11 12 13 14 "
	    "15 16"), AK_ERR_CONFIG);
	assert_true(ak_chain_name_ok("user@ad.example.com"));
	assert_true(ak_chain_name_ok("deploy"));
	assert_false(ak_chain_name_ok("-oProxyCommand=x"));
	assert_false(ak_chain_name_ok("a b"));
	assert_false(ak_chain_name_ok("../etc"));
	assert_false(ak_chain_name_ok("a\nb"));
	assert_false(ak_chain_name_ok(""));
}

static void
test_paths(void **state)
{
	char why[256], path[256];

	(void)state;
	assert_int_equal(ak_chain_path_safe("/bin/true", why, sizeof(why)), 0);
	assert_int_equal(ak_chain_path_safe("/tmp", why, sizeof(why)),
	    AK_ERR_PERM);
	script("open", "exit 0");
	snprintf(path, sizeof(path), "%s/open", test_dir);
	assert_int_equal(ak_chain_path_safe(path, why, sizeof(why)), 0);
	chmod(path, 0775);
	assert_int_equal(ak_chain_path_safe(path, why, sizeof(why)),
	    AK_ERR_PERM);
	assert_non_null(strstr(why, "writable by group or others"));
	chmod(path, 0755);
	assert_int_equal(chown(path, 1, 1), 0);
	assert_int_equal(ak_chain_path_safe(path, why, sizeof(why)),
	    AK_ERR_PERM);
	assert_non_null(strstr(why, "not owned by root"));
	assert_int_equal(ak_chain_path_safe("/no/such/tool", why,
	    sizeof(why)), AK_ERR_PERM);
}

static void
test_output(void **state)
{
	char out[4096];

	(void)state;
	/* The output as printed: the keyset decides on its lines. */
	script("good", "echo '# keys'\necho \"" KEY " $1 $2 $3\"\n"
	    "echo 'not a key'");
	assert_int_equal(chain("good %u %f 100%%", "alice",
	    "SHA256:abc", 5000, out, sizeof(out)), 0);
	assert_string_equal(out, "# keys\n" KEY " alice SHA256:abc 100%\n"
	    "not a key\n");
	/* Marked as chained, with the minimal environment only. */
	script("env", "env | sort");
	assert_int_equal(chain("env", "a", NULL, 5000, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "PATH=/usr/local/bin:/usr/bin:/bin\n"));
	assert_non_null(strstr(out, AK_CHAIN_ENV "=1\n"));
	assert_null(strstr(out, "HOME="));
}

static void
test_failures(void **state)
{
	char out[4096];
	long long t0;

	(void)state;
	script("fails", "echo '" KEY " a'\nexit 3");
	assert_int_equal(chain("fails", "a", NULL, 5000, out, sizeof(out)),
	    AK_ERR_FORMAT);
	assert_string_equal(out, "");
	/* A hang, and a grandchild holding the pipe: killed at the budget. */
	script("hangs", "echo '" KEY " a'\n(sleep 4711) &\nsleep 4712");
	t0 = ak_now_ms();
	assert_int_equal(chain("hangs", "a", NULL, 500, out, sizeof(out)),
	    AK_ERR_TIMEOUT);
	assert_true(ak_now_ms() - t0 < 2000);
	assert_string_equal(out, "");
	run_ok("! pgrep -f '^sleep 471[12]$' >/dev/null");
	script("floods", "yes '" KEY " a'");
	assert_int_equal(chain("floods", "a", NULL, 5000, out, sizeof(out)),
	    AK_ERR_TOO_LARGE);
	assert_string_equal(out, "");
	script("killed", "kill -9 $$");
	assert_int_equal(chain("killed", "a", NULL, 5000, out, sizeof(out)),
	    AK_ERR_FORMAT);
}

/* What a chained command leaves behind, however detached, is ended. */
static void
test_subtree(void **state)
{
	char out[4096];
	long long t0;

	(void)state;
	/* Its own session, a double fork: out of its process group. */
	script("detaches", "setsid sleep 4731 </dev/null >/dev/null 2>&1 &\n"
	    "( ( sleep 4732 </dev/null >/dev/null 2>&1 & ) & )\n"
	    "echo '" KEY " a'");
	assert_int_equal(chain("detaches", "a", NULL, 5000, out, sizeof(out)),
	    0);
	run_ok("! pgrep -f '^sleep 473[12]$' >/dev/null");
	/* A fork loop in its own session, still forking at the timeout. */
	script("forks", "setsid sh -c 'while :; do sleep 4733 & done' "
	    "</dev/null >/dev/null 2>&1 &\nsleep 4734");
	t0 = ak_now_ms();
	assert_int_equal(chain("forks", "a", NULL, 300, out, sizeof(out)),
	    AK_ERR_TIMEOUT);
	assert_true(ak_now_ms() - t0 < 300 + AK_CHAIN_KILL_MS + 1000);
	run_ok("! pgrep -f '^sleep 473[34]$' >/dev/null");
	run_ok("! pgrep -f '^sh -c while :; do sleep 4733' >/dev/null");
}

/* Never authkeys itself, never inside a chain. */
static void
test_recursion(void **state)
{
	char out[4096], why[256], path[256];
	const char *ours[1];
	struct ak_buf b;

	(void)state;
	assert_true(ak_chain_is_ours("/usr/sbin/authkeys-command", NULL, 0));
	assert_true(ak_chain_is_ours("/x/libexec/authkeys/authkeys-fetch",
	    NULL, 0));
	assert_false(ak_chain_is_ours("/bin/true", NULL, 0));
	/* The same file under another name. */
	script("me", "echo '" KEY " a'");
	snprintf(path, sizeof(path), "%s/me", test_dir);
	ours[0] = path;
	run_ok("ln -f %s/me %s/alias", test_dir, test_dir);
	snprintf(path, sizeof(path), "%s/alias", test_dir);
	assert_true(ak_chain_is_ours(path, ours, 1));
	assert_int_equal(ak_chain_run(path, "a", NULL, 5000, ours, 1, &b, why,
	    sizeof(why)), AK_ERR_CONFIG);
	assert_non_null(strstr(why, "is authkeys itself"));
	ak_buf_free(&b);
	/* Inside a chained command, nothing is chained again. */
	assert_int_equal(setenv(AK_CHAIN_ENV, "1", 1), 0);
	assert_true(ak_chain_nested());
	assert_int_equal(chain("me", "a", NULL, 5000, out, sizeof(out)),
	    AK_ERR_CONFIG);
	assert_int_equal(unsetenv(AK_CHAIN_ENV), 0);
	assert_false(ak_chain_nested());
	assert_int_equal(chain("me", "a", NULL, 5000, out, sizeof(out)), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_output),
		cmocka_unit_test(test_failures),
		cmocka_unit_test(test_subtree),
		cmocka_unit_test(test_recursion),
	};

	return cmocka_run_group_tests(tests, test_run_dir_setup,
	    test_dir_teardown);
}
