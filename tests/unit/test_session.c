/*
 * ak_session: records the sweep may act on, and only those; a record
 * stands until no process of its login's audit session is left; only an
 * audit session pam_loginuid gave the login counts.
 */
#include "testutil.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "ak_err.h"
#include "ak_file.h"
#include "ak_proc.h"
#include "ak_session.h"

static const char *F1 = "SHA256:gF0Ancv76bCGerODY2IyWYq1PCpM6IacXNhFZct+7RQ";
static const char *F2 = "SHA256:H1rl5DzMvVJb8p0k1S9yX0cTeQ6Qm3ZmL5oJb8iR0kE";

static void
fill(struct ak_session *s, pid_t pid)
{
	memset(s, 0, sizeof(*s));
	s->pid = pid;
	assert_int_equal(ak_session_proc_start(pid, &s->start), 0);
	s->uid = 1234;
	s->presid = 7;
	s->sid = AK_NO_SESSION;
	strcpy(s->account, "deploy");
	strcpy(s->fprs[0], F1);
	s->nfprs = 1;
}

static void
test_roundtrip_and_alive(void **state)
{
	struct ak_session s, t;
	char path[640];
	struct stat st;

	(void)state;
	fill(&s, getpid());
	assert_true(s.start > 0);
	/* Any NSS name: upper case, user@domain (SSSD). */
	strcpy(s.account, "Deploy@EXAMPLE.com");
	strcpy(s.fprs[1], F2);
	strcpy(s.cas[1], F1);
	s.nfprs = 2;
	s.sid = 42;
	s.closed = 1700000000;
	strcpy(s.rhost, "192.0.2.7");
	strcpy(s.scope, "/sys/fs/cgroup/user.slice/user-1234.slice/"
	    "session-4.scope");
	assert_int_equal(ak_session_record(test_dir, &s), 0);
	snprintf(path, sizeof(path), "%ld-%llu", (long)s.pid, s.start);
	assert_string_equal(s.file, path);
	assert_int_equal(ak_session_read(test_dir, s.file, &t), 0);
	assert_int_equal(t.pid, s.pid);
	assert_true(t.start == s.start);
	assert_int_equal(t.uid, 1234);
	assert_int_equal(t.presid, 7);
	assert_int_equal(t.sid, 42);
	assert_true(t.closed == 1700000000);
	assert_string_equal(t.account, "Deploy@EXAMPLE.com");
	assert_string_equal(t.fprs[0], F1);
	assert_string_equal(t.cas[0], "");
	assert_string_equal(t.fprs[1], F2);
	assert_string_equal(t.cas[1], F1);
	assert_string_equal(t.rhost, "192.0.2.7");
	assert_string_equal(t.scope, s.scope);
	assert_true(ak_session_alive(&t));
	/* Same PID, another start time: a reused PID is not our session. */
	t.start++;
	assert_false(ak_session_alive(&t));
	snprintf(path, sizeof(path), "%s/%s", test_dir, s.file);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* Copied under another session's name, it is not that session's. */
	run_ok("cp %s %s/%ld-1", path, test_dir, (long)s.pid);
	snprintf(path, sizeof(path), "%ld-1", (long)s.pid);
	assert_int_equal(ak_session_read(test_dir, path, &t), AK_ERR_FORMAT);
	run_ok("rm -f %s/%s", test_dir, path);
	ak_session_remove(test_dir, &s);
	snprintf(path, sizeof(path), "%s/%s", test_dir, s.file);
	assert_int_equal(stat(path, &st), -1);
}

/* What the writer refuses: nothing it writes is unreadable. */
static void
test_record_refuses(void **state)
{
	struct ak_session s;

	(void)state;
	fill(&s, getpid());
	strcpy(s.account, "has space");
	assert_int_equal(ak_session_record(test_dir, &s), AK_ERR_FORMAT);
	fill(&s, getpid());
	s.uid = AK_SESSION_UID_UNKNOWN;
	assert_int_equal(ak_session_record(test_dir, &s), AK_ERR_FORMAT);
	fill(&s, getpid());
	strcpy(s.scope, "/sys/fs/cgroup/../etc/session-1.scope");
	assert_int_equal(ak_session_record(test_dir, &s), AK_ERR_FORMAT);
	fill(&s, getpid());
	s.nfprs = 0;
	assert_int_equal(ak_session_record(test_dir, &s), AK_ERR_FORMAT);
	/* sid 0 is an unset field, never written as an id. */
	fill(&s, getpid());
	s.sid = 0;
	assert_int_equal(ak_session_record(test_dir, &s), 0);
	{
		struct ak_session t;

		assert_int_equal(ak_session_read(test_dir, s.file, &t), 0);
		assert_int_equal(t.sid, AK_NO_SESSION);
	}
	ak_session_remove(test_dir, &s);
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
	char ok[400];
	const char *bad[] = {
		"", "\n", "12 34 deploy\n",		/* no fingerprint */
		"12 34 deploy SHA256:short\n",
		"1 34 deploy SHA256:gF0Ancv76bCGerODY2IyWYq1PCpM6IacXNhFZct+7RQ\n",
		"x 34 deploy SHA256:gF0Ancv76bCGerODY2IyWYq1PCpM6IacXNhFZct+7RQ\n",
		"12 34 De/ploy SHA256:gF0Ancv76bCGerODY2IyWYq1PCpM6IacXNhFZct+7RQ\n",
		"12 34 deploy SHA256:gF0Ancv76bCGerODY2IyWYq1PCpM6IacXNhFZct+7RQ",
		"99999999999 34 deploy SHA256:gF0Ancv76bCGerODY2IyWYq1PCpM6IacXNhFZct+7RQ\n",
		/* Version 2: every required field, each once, nothing else. */
		"authkeys-session 2\npid 12\nstart 34\nuid 5\n"
		    "key SHA256:gF0Ancv76bCGerODY2IyWYq1PCpM6IacXNhFZct+7RQ\n",
		"authkeys-session 2\npid 12\nstart 34\nuid 5\npresid 1\n",
		"authkeys-session 2\npid 12\npid 13\nstart 34\nuid 5\npresid 1\n"
		    "key SHA256:gF0Ancv76bCGerODY2IyWYq1PCpM6IacXNhFZct+7RQ\n",
		"authkeys-session 2\npid 12\nstart 34\nuid 4294967295\n"
		    "presid 1\n"
		    "key SHA256:gF0Ancv76bCGerODY2IyWYq1PCpM6IacXNhFZct+7RQ\n",
		"authkeys-session 2\npid 12\nstart 34\nuid 5\npresid 1\n"
		    "sid 0\n"
		    "key SHA256:gF0Ancv76bCGerODY2IyWYq1PCpM6IacXNhFZct+7RQ\n",
		"authkeys-session 2\npid 12\nstart 34\nuid 5\npresid 1\n"
		    "scope /etc/session-1.scope\n"
		    "key SHA256:gF0Ancv76bCGerODY2IyWYq1PCpM6IacXNhFZct+7RQ\n",
		"authkeys-session 2\npid 12\nstart 34\nuid 5\npresid 1\n"
		    "account a b\n"
		    "key SHA256:gF0Ancv76bCGerODY2IyWYq1PCpM6IacXNhFZct+7RQ\n",
		"authkeys-session 2\npid 12\nstart 34\nuid 5\npresid 1\n"
		    "colour blue\n"
		    "key SHA256:gF0Ancv76bCGerODY2IyWYq1PCpM6IacXNhFZct+7RQ\n",
		"authkeys-session 2\npid 12\nstart 34\nuid 5\npresid 1\n"
		    "key SHA256:gF0Ancv76bCGerODY2IyWYq1PCpM6IacXNhFZct+7RQ "
		    "ca x\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (ak_session_parse(bad[i], strlen(bad[i]), &s) !=
		    AK_ERR_FORMAT)
			fail_msg("accepted bad record %zu", i);
	}
	/* Version 1 (an older module): the account by name, no uid. */
	snprintf(ok, sizeof(ok), "12 34 deploy %s %s\n", F1, F1);
	assert_int_equal(ak_session_parse(ok, strlen(ok), &s), 0);
	assert_int_equal(s.nfprs, 2);
	assert_int_equal(s.uid, AK_SESSION_UID_UNKNOWN);
	assert_int_equal(s.sid, AK_NO_SESSION);
	assert_true(s.v1);
	/* No presid to tell sshd's id from the login's: none is taken. */
	s.pid = getpid();
	s.uid = (uint32_t)ak_proc_loginuid(getpid());
	assert_int_equal(ak_session_own_sid(&s, getpid()), AK_NO_SESSION);
	snprintf(ok, sizeof(ok), "authkeys-session 2\npid 12\nstart 34\n"
	    "uid 0\npresid 4294967295\nkey %s ca %s\n", F1, F2);
	assert_int_equal(ak_session_parse(ok, strlen(ok), &s), 0);
	assert_int_equal(s.uid, 0);
	assert_false(s.v1);
	assert_string_equal(s.cas[0], F2);
	assert_string_equal(s.account, "");
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
 * A child that becomes a login as pam_loginuid makes one (its loginuid
 * written: a new audit session), then waits; its pid over the pipe.
 */
static pid_t
login_child(uint32_t uid, int *rd)
{
	int p[2];
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	if ((pid = fork()) == 0) {
		char buf[16];
		int fd, n;

		close(p[0]);
		n = snprintf(buf, sizeof(buf), "%lu", (unsigned long)uid);
		if ((fd = open("/proc/self/loginuid", O_WRONLY)) == -1 ||
		    write(fd, buf, (size_t)n) != n)
			_exit(1);
		close(fd);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	*rd = p[0];
	return pid;
}

/*
 * The audit session counts only when pam_loginuid gave it to this login:
 * the monitor's loginuid is the account's and the id is not the one sshd
 * ran in. After logout the record stands while a process carries the id.
 */
static void
test_own_sid_and_running(void **state)
{
	struct ak_session s;
	struct ak_proctab t;
	char c;
	int rd, status, connected;
	pid_t kid;

	(void)state;
	if (getuid() != 0)
		skip();
	kid = login_child(4321, &rd);
	assert_int_equal(read(rd, &c, 1), 1);
	close(rd);
	fill(&s, kid);
	s.uid = 4321;
	s.presid = ak_proc_sessionid(getpid());
	assert_int_not_equal(ak_proc_sessionid(kid), AK_NO_SESSION);
	assert_int_not_equal(ak_proc_sessionid(kid), s.presid);
	assert_int_equal(ak_proc_loginuid(kid), 4321);
	assert_int_equal(ak_session_own_sid(&s, kid), ak_proc_sessionid(kid));
	/* Another account's login: its id is not this session's. */
	s.uid = 4322;
	assert_int_equal(ak_session_own_sid(&s, kid), AK_NO_SESSION);
	/* The id sshd already had (no pam_loginuid for this login): none. */
	s.uid = 4321;
	s.presid = ak_proc_sessionid(kid);
	assert_int_equal(ak_session_own_sid(&s, kid), AK_NO_SESSION);
	/* The monitor gone, a process of the id left: still running. */
	s.sid = ak_proc_sessionid(kid);
	s.pid = getpid();
	s.start++;
	assert_int_equal(ak_proc_scan(&t, AK_PROC_SESSION), 0);
	assert_true(ak_session_running(&s, &t, &connected));
	assert_false(connected);
	ak_proctab_free(&t);
	kill(kid, SIGKILL);
	assert_int_equal(waitpid(kid, &status, 0), kid);
	assert_int_equal(ak_proc_scan(&t, AK_PROC_SESSION), 0);
	assert_false(ak_session_running(&s, &t, &connected));
	ak_proctab_free(&t);
	/* No id at all: over with its monitor. */
	s.sid = AK_NO_SESSION;
	assert_int_equal(ak_proc_scan(&t, AK_PROC_SESSION), 0);
	assert_false(ak_session_running(&s, &t, &connected));
	ak_proctab_free(&t);
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
	fill(&s, getpid());
	strcpy(s.rhost, "192.0.2.7");
	assert_int_equal(ak_file_private_dir(sub), 0);
	assert_int_equal(ak_session_record(sub, &s), 0);
	run_ok("cd %s && printf '4243 1 deploy %s\\n' > 4243 && "
	    "chmod 666 4243 && echo garbage > 4244 && chmod 600 4244 && "
	    "cp %s 0123 && cp %s notapid && cp %s 77x && mkdir 4245 && "
	    "cp %s 4246-",
	    sub, F1, s.file, s.file, s.file, s.file);
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
		cmocka_unit_test(test_record_refuses),
		cmocka_unit_test(test_dead_process),
		cmocka_unit_test(test_parse_refuses_garbage),
		cmocka_unit_test(test_record_not_ours_is_refused),
		cmocka_unit_test(test_own_sid_and_running),
		cmocka_unit_test(test_dir_walk),
	};

	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
