/*
 * ak_proc: /proc/PID/stat as the kernel writes it (any comm), the audit
 * session id, logind scopes, and signals that reach only the process meant.
 */
#include "testutil.h"

#include <sys/wait.h>

#include <signal.h>
#include <unistd.h>

#include "ak_cgroup.h"
#include "ak_err.h"
#include "ak_file.h"
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
test_parse_uids(void **state)
{
	uint32_t r = 7, su = 7;

	(void)state;
	/* Real and saved: the two ids kill(2) holds a sender's against. */
	assert_int_equal(ak_proc_parse_uids("Name:\tsleep\nUmask:\t0022\n"
	    "State:\tS (sleeping)\nUid:\t1001\t0\t1002\t0\nGid:\t5\t5\t5\t5\n",
	    &r, &su), 0);
	assert_int_equal(r, 1001);
	assert_int_equal(su, 1002);
	assert_int_equal(ak_proc_parse_uids("Uid:\t4294967294\t1\t2\t3", &r,
	    &su), 0);
	assert_int_equal(r, 4294967294u);
	assert_int_equal(su, 2);
	/* A name cannot fake the line (status escapes a newline in it). */
	assert_int_equal(ak_proc_parse_uids("Name:\tUid:\t5\t5\t5\t5\n", &r,
	    &su), AK_ERR_FORMAT);
	assert_int_equal(ak_proc_parse_uids("Uid:\t1\t2\t3\n", &r, &su),
	    AK_ERR_FORMAT);
	assert_int_equal(ak_proc_parse_uids("Uid:\t1\t2\t3\t4x\n", &r, &su),
	    AK_ERR_FORMAT);
	assert_int_equal(ak_proc_parse_uids("Uid:\t-1\t2\t3\t4\n", &r, &su),
	    AK_ERR_FORMAT);
	assert_int_equal(ak_proc_parse_uids("Uid:\t4294967296\t2\t3\t4\n",
	    &r, &su), AK_ERR_FORMAT);
	assert_int_equal(ak_proc_parse_uids("", &r, &su), AK_ERR_FORMAT);
	/* Ours, read from /proc; a pid that is not there is not found. */
	assert_int_equal(ak_proc_uids(getpid(), &r, &su), 0);
	assert_int_equal(r, (uint32_t)getuid());
	assert_int_equal(ak_proc_uids(-5, &r, &su), AK_ERR_NOT_FOUND);
}

static void
test_parse_scope(void **state)
{
	char out[256];
	int v2;

	(void)state;
	assert_int_equal(ak_cgroup_parse("0::/user.slice/user-1000.slice/"
	    "session-4.scope\n", out, sizeof(out), &v2), 0);
	assert_string_equal(out, "/user.slice/user-1000.slice/session-4.scope");
	assert_true(v2);
	assert_int_equal(ak_cgroup_parse("12:pids:/x\n1:name=systemd:/user."
	    "slice/user-0.slice/session-c7.scope\n0::/\n", out, sizeof(out),
	    &v2), 0);
	assert_false(v2);
	/* A service, the root, a path that climbs: no login scope. */
	assert_int_equal(ak_cgroup_parse("0::/system.slice/ssh.service\n",
	    out, sizeof(out), &v2), AK_ERR_NOT_FOUND);
	assert_int_equal(ak_cgroup_parse("0::/\n", out, sizeof(out), &v2),
	    AK_ERR_NOT_FOUND);
	assert_int_equal(ak_cgroup_parse("0::/a/../session-1.scope\n", out,
	    sizeof(out), &v2), AK_ERR_NOT_FOUND);
	assert_true(ak_cgroup_dir_ok("/sys/fs/cgroup/unified/user.slice/"
	    "session-3.scope"));
	assert_false(ak_cgroup_dir_ok("/sys/fs/cgroupx/session-3.scope"));
	assert_false(ak_cgroup_dir_ok("/sys/fs/cgroup/a/../session-3.scope"));
	assert_false(ak_cgroup_dir_ok("/sys/fs/cgroup/a/session-3.service"));
}

/* loginuid and sessionid as the kernel writes them; state letters. */
static void
test_ids_and_state(void **state)
{
	struct ak_proc p;

	(void)state;
	assert_int_equal(ak_proc_parse_id("17"), 17);
	assert_int_equal(ak_proc_parse_id("4294967295"), UINT32_MAX);
	assert_int_equal(ak_proc_parse_id("4294967296"), UINT32_MAX);
	assert_int_equal(ak_proc_parse_id("-1"), UINT32_MAX);
	assert_int_equal(ak_proc_parse_id("12x"), UINT32_MAX);
	assert_int_equal(ak_proc_parse_id(""), UINT32_MAX);
	memset(&p, 0, sizeof(p));
	assert_int_equal(ak_proc_parse_stat("9 (z) T 1 9 9 0 -1 0 0 0 0 0 0 0 "
	    "0 0 20 0 1 0 5 0 0 0", &p), 0);
	assert_int_equal(p.state, 'T');
	assert_true(ak_proc_halted(&p));
	assert_int_equal(ak_proc_parse_stat("9 (z) R 1 9 9 0 -1 0 0 0 0 0 0 0 "
	    "0 0 20 0 1 0 5 0 0 0", &p), 0);
	assert_false(ak_proc_halted(&p));
	/* Our own, read from /proc: what the kernel says. */
	assert_int_equal(ak_proc_read(getpid(), AK_PROC_SESSION |
	    AK_PROC_LOGINUID, &p), 0);
	assert_int_equal(p.state, 'R');
	assert_int_equal(p.sessionid, ak_proc_sessionid(getpid()));
	assert_int_equal(p.loginuid, ak_proc_loginuid(getpid()));
}

/*
 * A kernel file whose size reads 0 is read to its end (cgroup.procs and
 * /proc files were refused as "too large" when read by size).
 */
static void
test_read_proc_all(void **state)
{
	char *buf = NULL;
	size_t len;

	(void)state;
	assert_int_equal(ak_file_read_proc_all("/proc/self/maps", 1024 * 1024,
	    &buf, &len), 0);
	assert_true(len > 100);
	assert_int_equal(strlen(buf), len);
	free(buf);
	assert_int_equal(ak_file_read_proc_all("/proc/self/maps", 16, &buf,
	    &len), AK_ERR_TOO_LARGE);
	assert_null(buf);
	assert_int_equal(ak_file_read_proc_all("/proc/self/nonexistent", 16,
	    &buf, &len), AK_ERR_NOT_FOUND);
}

/* The unified hierarchy's root here: the root itself, or "unified". */
static const char *
unified_root(void)
{
	if (access(AK_CGROUP_ROOT "/cgroup.controllers", F_OK) == 0)
		return AK_CGROUP_ROOT;
	if (access(AK_CGROUP_ROOT "/unified/cgroup.controllers", F_OK) == 0)
		return AK_CGROUP_ROOT "/unified";
	return NULL;
}

/*
 * On real cgroupfs: a scope made as logind makes one, a child moved in;
 * found from /proc/PID/cgroup, its members read, frozen (the child stops
 * running), and killed whole by cgroup.kill.
 */
static void
test_cgroup_real(void **state)
{
	struct ak_cgroup cg;
	char top[256], scope[PATH_MAX];
	const char *root = unified_root();
	pid_t kid, *pids = NULL;
	size_t n = 0;
	int status, i;

	(void)state;
	if (root == NULL || getuid() != 0)
		skip();
	snprintf(top, sizeof(top), "%s/aktest-%ld.slice", root,
	    (long)getpid());
	snprintf(scope, sizeof(scope), "%s/session-77.scope", top);
	run_ok("mkdir -p %s", scope);
	if ((kid = fork()) == 0) {
		for (;;)
			pause();
	}
	run_ok("echo %ld > %s/cgroup.procs", (long)kid, scope);
	assert_int_equal(ak_cgroup_of(kid, &cg), 0);
	assert_string_equal(cg.dir, scope);
	assert_true(cg.v2);
	assert_int_equal(ak_cgroup_pids(&cg, &pids, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(pids[0], kid);
	free(pids);
	assert_int_equal(ak_cgroup_event(&cg, "populated"), 1);
	assert_int_equal(ak_cgroup_freeze(&cg, 1), 0);
	for (i = 0; i < 100 && ak_cgroup_event(&cg, "frozen") != 1; i++)
		usleep(10000);
	assert_int_equal(ak_cgroup_event(&cg, "frozen"), 1);
	assert_int_equal(ak_cgroup_kill(&cg), 0);
	assert_int_equal(waitpid(kid, &status, 0), kid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	for (i = 0; i < 100 && ak_cgroup_event(&cg, "populated") != 0; i++)
		usleep(10000);
	assert_int_equal(ak_cgroup_event(&cg, "populated"), 0);
	/* Not in a scope: none. */
	assert_int_equal(ak_cgroup_of(getpid(), &cg), AK_ERR_NOT_FOUND);
	run_ok("rmdir %s %s", scope, top);
	assert_int_equal(ak_cgroup_at(scope, &cg), AK_ERR_NOT_FOUND);
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
		cmocka_unit_test(test_parse_uids),
		cmocka_unit_test(test_parse_scope),
		cmocka_unit_test(test_ids_and_state),
		cmocka_unit_test(test_read_proc_all),
		cmocka_unit_test(test_cgroup_real),
		cmocka_unit_test(test_scan_and_signal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
