/*
 * --check's report: its lines, the failure count, and the small tools the
 * checks share (sshd's path rule, running another program bounded).
 */
#ifndef AK_REPORT_H
#define AK_REPORT_H

#include <stddef.h>

/* What one line of the report says; a FAIL makes --check exit non-zero. */
enum check_verdict {
	CHECK_WARN = -1,
	CHECK_FAIL = 0,
	CHECK_OK = 1,
};

void check_report(enum check_verdict v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Failures reported since the last check_reset. */
int check_failures(void);
void check_reset(void);

/* sshd's ownership rule for the AuthorizedKeysCommand path and parents. */
void check_path(const char *what, const char *path);

/*
 * Runs argv[0] (a full path, no shell, a minimal environment) with stdin
 * and stderr on /dev/null and returns what it printed (at most max bytes,
 * NUL-terminated, caller frees) with its exit status in *statusp, or NULL
 * with the reason in why (whylen bytes). It is killed after ms.
 */
char *check_capture(char *const argv[], size_t max, int ms, int *statusp,
    char *why, size_t whylen);

#endif
