/*
 * ak_proc: /proc/PID/stat as the kernel writes it (any comm), the audit
 * session id, logind scopes, and signals that reach only the process meant.
 */
#include "testutil.h"

#include <sys/wait.h>

#include <signal.h>
#include <unistd.h>

#include "ak_err.h"
#include "ak_proc.h"

static void
test_parse_stat(void **state)
{
	struct ak_proc p;

	(void)state;
	memset(&p, 0, sizeof(p));
	/* A comm with spaces and ')' in it: fields start after the last. */
	assert_int_equal(ak_proc_parse_stat("1234 (a) b) S 77 1234 1234 0 -1 "
	    "4194560 100 0 0 0 1 2 0 0 20 0 1 0 98765 1000 10 1", &p), 0);
	assert_int_equal(p.pid, 1234);
	assert_int_equal(p.ppid, 77);
	assert_int_equal(p.start, 98765);
	assert_false(p.zombie);
	assert_int_equal(ak_proc_parse_stat("9 (z) Z 1 9 9 0 -1 0 0 0 0 0 0 0 "
	    "0 0 20 0 1 0 5 0 0 0", &p), 0);
	assert_true(p.zombie);
	assert_int_equal(ak_proc_parse_stat("x (a) S 1", &p), AK_ERR_FORMAT);
	assert_int_equal(ak_proc_parse_stat("5 (a) S 1 2 3", &p),
	    AK_ERR_FORMAT);
	assert_int_equal(ak_proc_parse_stat("5 no-paren S 1", &p),
	    AK_ERR_FORMAT);
}

static void
test_parse_scope(void **state)
{
	char out[256];
	const char *mount;

	(void)state;
	assert_int_equal(ak_proc_parse_scope("0::/user.slice/user-1000.slice/"
	    "session-4.scope\n", out, sizeof(out), &mount), 0);
	assert_string_equal(out, "/user.slice/user-1000.slice/session-4.scope");
	assert_string_equal(mount, "/sys/fs/cgroup");
	assert_int_equal(ak_proc_parse_scope("12:pids:/x\n1:name=systemd:/user."
	    "slice/user-0.slice/session-c7.scope\n0::/\n", out, sizeof(out),
	    &mount), 0);
	assert_string_equal(mount, "/sys/fs/cgroup/systemd");
	/* A service, the root, a path that climbs: no login scope. */
	assert_int_equal(ak_proc_parse_scope("0::/system.slice/ssh.service\n",
	    out, sizeof(out), &mount), AK_ERR_NOT_FOUND);
	assert_int_equal(ak_proc_parse_scope("0::/\n", out, sizeof(out),
	    &mount), AK_ERR_NOT_FOUND);
	assert_int_equal(ak_proc_parse_scope("0::/a/../session-1.scope\n", out,
	    sizeof(out), &mount), AK_ERR_NOT_FOUND);
}

/* The whole table, sorted, with us in it and our session id. */
static void
test_scan_and_signal(void **state)
{
	struct ak_proctab t;
	const struct ak_proc *me, *kid;
	size_t i;
	pid_t pid;
	int status;

	(void)state;
	assert_int_equal(ak_proc_scan(&t, 1), 0);
	assert_true(t.n > 1);
	for (i = 1; i < t.n; i++)
		assert_true(t.p[i - 1].pid < t.p[i].pid);
	assert_non_null(me = ak_proc_find(&t, getpid()));
	assert_int_equal(me->ppid, getppid());
	assert_int_equal(me->sessionid, ak_proc_sessionid(getpid()));
	assert_null(ak_proc_find(&t, -5));
	ak_proctab_free(&t);
	if ((pid = fork()) == 0) {
		pause();
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(ak_proc_scan(&t, 0), 0);
	assert_non_null(kid = ak_proc_find(&t, pid));
	/* Another start time: not the process meant, not signalled. */
	assert_int_equal(ak_proc_signal(pid, kid->start + 1, SIGKILL), -1);
	assert_int_equal(ak_proc_signal(pid, kid->start, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(ak_proc_signal(pid, kid->start, SIGKILL), -1);
	assert_int_equal(ak_proc_signal(getpid(), me != NULL ? 0 : 0, SIGKILL),
	    -1);
	assert_int_equal(ak_proc_signal(1, 0, SIGKILL), -1);
	ak_proctab_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_stat),
		cmocka_unit_test(test_parse_scope),
		cmocka_unit_test(test_scan_and_signal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
