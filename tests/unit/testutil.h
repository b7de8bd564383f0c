/* Helpers shared by the cmocka unit tests. */
#ifndef AK_TESTUTIL_H
#define AK_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sys/stat.h>

#include "ak_keyset.h"
#include "ak_log.h"

/* The last line the core logged, for assertions on messages. */
static char last_log[1024];

static void
capture_log(void *ctx, int prio, const char *fmt, va_list ap)
{
	(void)ctx;
	(void)prio;
	vsnprintf(last_log, sizeof(last_log), fmt, ap);
	if (getenv("AK_TEST_VERBOSE") != NULL)
		fprintf(stderr, "log: %s\n", last_log);
}

static inline void
test_log_init(void)
{
	ak_log_set(capture_log, NULL);
	last_log[0] = '\0';
}

/* The hash of a key line's key, as ak_line_read (the one reader) makes it. */
static inline void
key_hash(const char *line, unsigned char h[AK_HASH_LEN])
{
	struct ak_line l;

	assert_int_equal(ak_line_read(line, strlen(line), AK_DOC_ACCOUNT, &l),
	    0);
	memcpy(h, l.hash, AK_HASH_LEN);
	ak_line_clear(&l);
}

/* Runs a shell command; fails the test if it does not exit 0. */
static inline void
run_ok(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

/* Reads a whole file into a new NUL-terminated buffer. */
static inline char *
slurp(const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (lenp != NULL)
		*lenp = 0;
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (lenp != NULL)
		*lenp = (size_t)n;
	return buf;
}

/*
 * A scratch directory for one test binary: pass test_dir_setup and
 * test_dir_teardown to cmocka_run_group_tests; tests use test_dir.
 */
static char test_dir[64];

static inline int
test_dir_setup(void **state)
{
	(void)state;
	test_log_init();
	snprintf(test_dir, sizeof(test_dir), "/run/ak-unit.XXXXXX");
	return mkdtemp(test_dir) == NULL ? -1 : 0;
}

static inline int
test_dir_teardown(void **state)
{
	(void)state;
	run_ok("rm -rf %s", test_dir);
	return 0;
}

/*
 * The same under /run, mode 0755: root's and closed to others all the way
 * up, as sshd wants of what it runs (test_dir_teardown removes it).
 */
static inline int
test_run_dir_setup(void **state)
{
	(void)state;
	test_log_init();
	snprintf(test_dir, sizeof(test_dir), "/run/ak-unit.XXXXXX");
	return mkdtemp(test_dir) == NULL || chmod(test_dir, 0755) != 0 ? -1 :
	    0;
}

/* Writes text to test_dir/name (mode 0644); returns the path (static). */
static inline const char *
test_file(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", test_dir, name);
	if ((f = fopen(path, "w")) == NULL || fputs(text, f) == EOF ||
	    fclose(f) != 0)
		fail_msg("cannot write %s", path);
	return path;
}

#endif
