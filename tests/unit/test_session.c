/* ak_session: records the sweep may act on, and only those. */
#include "testutil.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <signal.h>
#include <unistd.h>

#include "ak_err.h"
#include "ak_file.h"
#include "ak_session.h"

static const char *F1 = "SHA256:gF0Ancv76bCGerODY2IyWYq1PCpM6IacXNhFZct+7RQ";

static void
test_roundtrip_and_alive(void **state)
{
	struct ak_session s, t;
	char name[640];
	struct stat st;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.pid = getpid();
	assert_int_equal(ak_session_proc_start(s.pid, &s.start), 0);
	assert_true(s.start > 0);
	strcpy(s.account, "deploy");
	strcpy(s.fprs[0], F1);
	s.nfprs = 1;
	assert_int_equal(ak_session_record(test_dir, &s), 0);
	snprintf(name, sizeof(name), "%ld", (long)s.pid);
	assert_int_equal(ak_session_read(test_dir, name, &t), 0);
	assert_int_equal(t.pid, s.pid);
	assert_true(t.start == s.start);
	assert_string_equal(t.account, "deploy");
	assert_string_equal(t.fprs[0], F1);
	assert_true(ak_session_alive(&t));
	/* Same PID, another start time: a reused PID is not our session. */
	t.start++;
	assert_false(ak_session_alive(&t));
	snprintf(name, sizeof(name), "%s/%ld", test_dir, (long)s.pid);
	assert_int_equal(stat(name, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	ak_session_remove(test_dir, s.pid);
	assert_int_equal(stat(name, &st), -1);
}

static void
test_dead_process(void **state)
{
	struct ak_session s;
	pid_t pid;
	int status;

	(void)state;
	memset(&s, 0, sizeof(s));
	if ((pid = fork()) == 0)
		_exit(0);
	s.pid = pid;
	assert_int_equal(ak_session_proc_start(pid, &s.start), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_false(ak_session_alive(&s));
	assert_int_equal(ak_session_proc_start(pid, &s.start),
	    AK_ERR_NOT_FOUND);
}

static void
test_parse_refuses_garbage(void **state)
{
	struct ak_session s;
	char ok[200];
	const char *bad[] = {
		"", "\n", "12 34 deploy\n",		/* no fingerprint */
		"12 34 deploy SHA256:short\n",
		"1 34 deploy SHA256:gF0Ancv76bCGerODY2IyWYq1PCpM6IacXNhFZct+7RQ\n",
		"x 34 deploy SHA256:gF0Ancv76bCGerODY2IyWYq1PCpM6IacXNhFZct+7RQ\n",
		"12 34 De/ploy SHA256:gF0Ancv76bCGerODY2IyWYq1PCpM6IacXNhFZct+7RQ\n",
		"12 34 deploy SHA256:gF0Ancv76bCGerODY2IyWYq1PCpM6IacXNhFZct+7RQ",
		"99999999999 34 deploy SHA256:gF0Ancv76bCGerODY2IyWYq1PCpM6IacXNhFZct+7RQ\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(ak_session_parse(bad[i], strlen(bad[i]), &s),
		    AK_ERR_FORMAT);
	snprintf(ok, sizeof(ok), "12 34 deploy %s %s\n", F1, F1);
	assert_int_equal(ak_session_parse(ok, strlen(ok), &s), 0);
	assert_int_equal(s.nfprs, 2);
}

static void
test_record_not_ours_is_refused(void **state)
{
	struct ak_session s;
	char path[600];

	(void)state;
	snprintf(path, sizeof(path), "%s/4242", test_dir);
	run_ok("printf '4242 1 deploy %s\\n' > %s && chmod 666 %s", F1, path,
	    path);
	assert_int_equal(ak_session_read(test_dir, "4242", &s), AK_ERR_PERM);
	unlink(path);
	run_ok("mkfifo %s", path);
	assert_int_equal(ak_session_read(test_dir, "4242", &s), AK_ERR_PERM);
	unlink(path);
}

/*
 * The directory walk every reader uses: records only, each read with
 * ak_session_read's rules; the rest passed over, what looks like a record
 * but is not one logged.
 */
static void
test_dir_walk(void **state)
{
	struct ak_session_dir sd;
	struct ak_session s;
	char sub[600];
	int seen = 0;

	(void)state;
	snprintf(sub, sizeof(sub), "%s/walk", test_dir);
	assert_int_equal(ak_session_dir_open(&sd, sub), 0);
	assert_int_equal(ak_session_dir_next(&sd, &s), 0);
	ak_session_dir_close(&sd);
	memset(&s, 0, sizeof(s));
	s.pid = getpid();
	assert_int_equal(ak_session_proc_start(s.pid, &s.start), 0);
	strcpy(s.account, "deploy");
	strcpy(s.fprs[0], F1);
	s.nfprs = 1;
	strcpy(s.rhost, "192.0.2.7");
	assert_int_equal(ak_file_private_dir(sub), 0);
	assert_int_equal(ak_session_record(sub, &s), 0);
	run_ok("cd %s && printf '4243 1 deploy %s\\n' > 4243 && "
	    "chmod 666 4243 && echo garbage > 4244 && chmod 600 4244 && "
	    "cp %ld 0123 && cp %ld notapid && cp %ld 77x && mkdir 4245",
	    sub, F1, (long)s.pid, (long)s.pid, (long)s.pid);
	last_log[0] = '\0';
	assert_int_equal(ak_session_dir_open(&sd, sub), 0);
	memset(&s, 0, sizeof(s));
	while (ak_session_dir_next(&sd, &s)) {
		assert_int_equal(s.pid, getpid());
		assert_string_equal(s.account, "deploy");
		assert_string_equal(s.rhost, "192.0.2.7");
		assert_true(s.since > 0);
		seen++;
	}
	ak_session_dir_close(&sd);
	ak_session_dir_close(&sd);
	assert_int_equal(seen, 1);
	assert_non_null(strstr(last_log, "not a session record we wrote"));
	run_ok("rm -rf %s", sub);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_and_alive),
		cmocka_unit_test(test_dead_process),
		cmocka_unit_test(test_parse_refuses_garbage),
		cmocka_unit_test(test_record_not_ours_is_refused),
		cmocka_unit_test(test_dir_walk),
	};

	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
