/*
 * ak_file: reads that neither follow links nor block, ownership checks,
 * atomic replacement, the ETag mtime bump, private directories.
 */
#include "testutil.h"

#include <sys/stat.h>

#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include "ak_err.h"
#include "ak_file.h"
#include "ak_time.h"

static void
test_file_read_and_checks(void **state)
{
	char dir[] = "/run/ak-test-file.XXXXXX", path[600], *buf;
	size_t len;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/f", dir);
	run_ok("printf 'hello' > %s && chmod 644 %s", path, path);
	assert_int_equal(ak_file_read(path, 5, 1, 0, &buf, &len), 0);
	assert_int_equal(len, 5);
	assert_string_equal(buf, "hello");
	free(buf);
	assert_int_equal(ak_file_read(path, 4, 0, 0, &buf, &len),
	    AK_ERR_TOO_LARGE);
	run_ok("chmod 666 %s", path);
	assert_int_equal(ak_file_read(path, 5, 1, 0, &buf, &len), AK_ERR_PERM);
	assert_int_equal(ak_file_check_root_path(path), AK_ERR_PERM);
	run_ok("chmod 644 %s", path);
	assert_int_equal(ak_file_check_root_path(path), 0);
	/* A parent others may write makes the file untrustworthy too. */
	run_ok("chmod 777 %s", dir);
	assert_int_equal(ak_file_check_root_path(path), AK_ERR_PERM);
	run_ok("chmod 700 %s", dir);
	/*
	 * Every directory above it counts, not only its own (sshd's
	 * safe_path): root's file in root's directory under one others may
	 * write, which could be renamed away and replaced.
	 */
	run_ok("mkdir -m 755 %s/open %s/open/inner && printf x > "
	    "%s/open/inner/f && chmod 644 %s/open/inner/f", dir, dir, dir,
	    dir);
	snprintf(path, sizeof(path), "%s/open/inner/f", dir);
	assert_int_equal(ak_file_check_root_path(path), 0);
	run_ok("chmod 1777 %s/open", dir);
	assert_int_equal(ak_file_check_root_path(path), AK_ERR_PERM);
	snprintf(path, sizeof(path), "%s/open/inner/priv", dir);
	assert_int_equal(ak_file_private_dir(path), AK_ERR_PERM);
	run_ok("chmod 755 %s/open && chown 1 %s/open", dir, dir);
	snprintf(path, sizeof(path), "%s/open/inner/f", dir);
	assert_int_equal(ak_file_check_root_path(path), AK_ERR_PERM);
	run_ok("chown 0 %s/open", dir);
	assert_int_equal(ak_file_check_root_path(path), 0);
	/* Both in one: the path's rule, then the read and its limit. */
	assert_int_equal(ak_file_read_root(path, 1, &buf, &len), 0);
	assert_int_equal(len, 1);
	assert_string_equal(buf, "x");
	free(buf);
	run_ok("chmod 1777 %s/open", dir);
	assert_int_equal(ak_file_read_root(path, 1, &buf, &len), AK_ERR_PERM);
	assert_null(buf);
	run_ok("chmod 755 %s/open", dir);
	run_ok("printf xy > %s", path);
	assert_int_equal(ak_file_read_root(path, 1, &buf, &len),
	    AK_ERR_TOO_LARGE);
	/* A link anywhere is resolved, and the target's path checked. */
	snprintf(path, sizeof(path), "%s/via", dir);
	assert_int_equal(symlink("open/inner", path), 0);
	snprintf(path, sizeof(path), "%s/via/f", dir);
	assert_int_equal(ak_file_check_root_path(path), 0);
	run_ok("chmod 777 %s/open", dir);
	assert_int_equal(ak_file_check_root_path(path), AK_ERR_PERM);
	run_ok("chmod 755 %s/open", dir);
	snprintf(path, sizeof(path), "%s/missing", dir);
	assert_int_equal(ak_file_read(path, 5, 0, 0, &buf, &len),
	    AK_ERR_NOT_FOUND);
	snprintf(path, sizeof(path), "%s/link", dir);
	assert_int_equal(symlink("/etc/hostname", path), 0);
	assert_int_equal(ak_file_read(path, 4096, 0, 0, &buf, &len),
	    AK_ERR_PERM);
	/* A private dir: made 0700; refused when others can enter it. */
	snprintf(path, sizeof(path), "%s/priv", dir);
	assert_int_equal(ak_file_private_dir(path), 0);
	run_ok("test \"$(stat -c %%a %s)\" = 700", path);
	run_ok("chmod 755 %s", path);
	assert_int_equal(ak_file_private_dir(path), AK_ERR_PERM);
	run_ok("rm -rf %s", dir);
}

/* Entries of test_dir/sub whose names start with prefix. */
static int
count_entries(const char *sub, const char *prefix)
{
	char path[256];
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "%s/%s", test_dir, sub);
	assert_non_null(d = opendir(path));
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

static void
test_write_atomic(void **state)
{
	char dir[256], path[300], *buf;
	struct stat st;
	size_t len;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/w", test_dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/doc", dir);
	assert_int_equal(ak_file_write_atomic(dir, "doc", "one\n", 4, 0600),
	    0);
	assert_int_equal(ak_file_write_atomic(dir, "doc", "second\n", 7,
	    0640), 0);
	assert_int_equal(ak_file_read(path, 100, 0, 0, &buf, &len), 0);
	assert_string_equal(buf, "second\n");
	free(buf);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	/* Only the file itself: no temporary left beside it. */
	assert_int_equal(count_entries("w", ""), 3);	/* ., .., doc */
	/* A directory that is not there: an error, nothing written. */
	assert_int_equal(ak_file_write_atomic("/nonexistent/ak", "doc", "x",
	    1, 0600), AK_ERR_IO);
}

static void
test_write_atomic_flags_mtime(void **state)
{
	char dir[256], path[300], *buf;
	size_t len;
	time_t mt = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/m", test_dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/hint", dir);
	assert_int_equal(ak_file_write_atomic_flags(dir, "hint", "h", 1, 0600,
	    0, 1700000000), 0);
	assert_int_equal(ak_file_read_mtime(path, 10, 0, 0, &buf, &len, &mt),
	    0);
	assert_int_equal(mt, 1700000000);
	assert_string_equal(buf, "h");
	free(buf);
}

static void
test_replace_newer_bumps_mtime(void **state)
{
	char from[256], to[256];
	struct stat st;

	(void)state;
	snprintf(from, sizeof(from), "%s/new", test_dir);
	snprintf(to, sizeof(to), "%s/old", test_dir);
	/* The old file is from the future (clock skew, same second...). */
	run_ok("echo old > %s && touch -d @2000000000 %s", to, to);
	run_ok("echo new > %s && touch -d @1900000000 %s", from, from);
	assert_int_equal(ak_file_replace_newer(from, to), 0);
	assert_int_equal(stat(to, &st), 0);
	assert_int_equal(st.st_mtime, 2000000001);
	assert_int_equal(access(from, F_OK), -1);
	/* Already newer: left as it is. */
	run_ok("echo newer > %s && touch -d @2100000000 %s", from, from);
	assert_int_equal(ak_file_replace_newer(from, to), 0);
	assert_int_equal(stat(to, &st), 0);
	assert_int_equal(st.st_mtime, 2100000000);
	/* Nothing to move: an error, the old file stays. */
	assert_int_equal(ak_file_replace_newer(from, to), AK_ERR_IO);
	assert_int_equal(access(to, F_OK), 0);
}

static void
test_fifo_never_blocks(void **state)
{
	char path[256], *buf = NULL;
	struct stat st;
	size_t len;
	long long t0;

	(void)state;
	snprintf(path, sizeof(path), "%s/fifo", test_dir);
	assert_int_equal(mkfifo(path, 0666), 0);
	t0 = ak_now_ms();
	assert_int_equal(ak_file_read(path, 100, 0, 0, &buf, &len),
	    AK_ERR_PERM);
	assert_int_equal(ak_file_open_regular(path, 0, 0, &st), AK_ERR_PERM);
	assert_true(ak_now_ms() - t0 < 1000);
	assert_null(buf);
}

/* sshd's rule for what it runs, with the reason named. */
static void
test_safe_path(void **state)
{
	char dir[] = "/run/ak-test-safe.XXXXXX", path[600], why[700];

	(void)state;
	assert_non_null(mkdtemp(dir));
	run_ok("chmod 755 %s && mkdir -m 755 %s/d && printf x > %s/d/f && "
	    "chmod 755 %s/d/f", dir, dir, dir, dir);
	snprintf(path, sizeof(path), "%s/d/f", dir);
	assert_int_equal(ak_file_safe_path(path, 1, why, sizeof(why)), 0);
	assert_int_equal(ak_file_safe_path("/bin/true", 1, why, sizeof(why)),
	    0);
	assert_int_equal(ak_file_safe_path(dir, 0, why, sizeof(why)), 0);
	/* A directory is no file, a file no directory. */
	assert_int_equal(ak_file_safe_path(dir, 1, why, sizeof(why)),
	    AK_ERR_PERM);
	assert_non_null(strstr(why, "not a regular file"));
	assert_int_equal(ak_file_safe_path(path, 0, why, sizeof(why)),
	    AK_ERR_PERM);
	run_ok("chmod 775 %s/d", dir);
	assert_int_equal(ak_file_safe_path(path, 1, why, sizeof(why)),
	    AK_ERR_PERM);
	assert_non_null(strstr(why, "/d: writable by group or others"));
	run_ok("chmod 755 %s/d && chown 1 %s", dir, dir);
	assert_int_equal(ak_file_safe_path(path, 1, why, sizeof(why)),
	    AK_ERR_PERM);
	assert_non_null(strstr(why, ": not owned by root"));
	run_ok("chown 0 %s", dir);
	assert_int_equal(ak_file_safe_path("/no/such", 1, why, sizeof(why)),
	    AK_ERR_NOT_FOUND);
	/* Under /tmp (1777): never, as sshd says. */
	assert_int_equal(ak_file_safe_path("/tmp", 0, why, sizeof(why)),
	    AK_ERR_PERM);
	run_ok("rm -rf %s", dir);
}

static void
test_check_owner(void **state)
{
	char path[256];

	(void)state;
	snprintf(path, sizeof(path), "%s/owned", test_dir);
	run_ok("echo x > %s && chmod 644 %s", path, path);
	assert_int_equal(ak_file_check_owner(path, 0, 0), 0);
	assert_int_equal(ak_file_check_owner(path, 0, 1), AK_ERR_PERM);
	assert_int_equal(ak_file_check_owner(test_dir, 0, 1), 0);
	run_ok("chmod 664 %s", path);
	assert_int_equal(ak_file_check_owner(path, 0, 0), AK_ERR_PERM);
	if (geteuid() == 0) {
		/* Someone else's file is trusted only when named. */
		run_ok("chmod 644 %s && chown nobody %s", path, path);
		assert_int_equal(ak_file_check_owner(path, 0, 0), AK_ERR_PERM);
		assert_int_equal(ak_file_check_owner(path, 65534, 0), 0);
	}
	snprintf(path, sizeof(path), "%s/none", test_dir);
	assert_int_equal(ak_file_check_owner(path, 0, 0), AK_ERR_NOT_FOUND);
}

static void
test_read_proc(void **state)
{
	char buf[64], small[4];
	long n;

	(void)state;
	n = ak_file_read_proc("/proc/self/stat", buf, sizeof(buf));
	assert_true(n > 0 && (size_t)n < sizeof(buf));
	assert_int_equal(strlen(buf), (size_t)n);
	/* Cut to the buffer, still terminated. */
	assert_int_equal(ak_file_read_proc("/proc/self/stat", small,
	    sizeof(small)), 3);
	assert_int_equal(small[3], '\0');
	assert_int_equal(ak_file_read_proc("/proc/nonexistent", buf,
	    sizeof(buf)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_read_and_checks),
		cmocka_unit_test(test_write_atomic),
		cmocka_unit_test(test_write_atomic_flags_mtime),
		cmocka_unit_test(test_replace_newer_bumps_mtime),
		cmocka_unit_test(test_fifo_never_blocks),
		cmocka_unit_test(test_safe_path),
		cmocka_unit_test(test_check_owner),
		cmocka_unit_test(test_read_proc),
	};

	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
