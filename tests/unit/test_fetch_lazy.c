/*
 * ak_fetch_lazy: the PAM module's stand-in for ak_fetch.c and ak_sshsig.c,
 * which loads net.so from the "authkeys" directory beside the object it
 * is linked into, the first time the store is asked or a signature is
 * checked. This binary is linked the module's way (no libcurl, no
 * libcrypto); each case copies it into a directory of its own under /run
 * with a net.so (the real one, none, an unsafe one, a stranger's, an older
 * table) and runs the copy, which makes every call and prints the results.
 */
#include "testutil.h"

#include <sys/stat.h>

#include <limits.h>
#include <time.h>
#include <unistd.h>

#include "ak_doc.h"
#include "ak_err.h"
#include "ak_fetch.h"
#include "ak_signers.h"
#include "ak_sshsig.h"

static char built[PATH_MAX];	/* the directory this binary was built in */
static const char *argv0;	/* not /proc/self/exe: valgrind's, under it */

static int
setup(void **state)
{
	char *slash;

	if (realpath(argv0, built) == NULL ||
	    (slash = strrchr(built, '/')) == NULL ||
	    test_run_dir_setup(state) != 0)
		return -1;
	run_ok("cp %s %s/t", built, test_dir);
	*slash = '\0';
	/* A document signed by a trusted key, and the same bytes altered. */
	run_ok("cd %s && mkdir -m 0755 authkeys && "
	    "ssh-keygen -q -t ed25519 -N '' -C signer -f signer && "
	    "echo \"signer@test $(cut -d' ' -f1,2 signer.pub)\" > allowed && "
	    "{ echo '#authkeys-document v1'; echo '#account deploy'; "
	    "echo '#serial 7'; echo '#expires 2099-01-01T00:00:00Z'; "
	    "cat signer.pub; } > doc && "
	    "ssh-keygen -q -Y sign -n authkeys -f signer doc && "
	    "cat doc doc.sig > doc.signed && "
	    "sed '5s/ signer$/ signed/' doc.signed > doc.altered", test_dir);
	return 0;
}

/* Runs the copy; returns its whole output (static), NUL-terminated. */
static const char *
child(void)
{
	static char out[8192];
	char cmd[PATH_MAX + 64];
	size_t n;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "%s/t --child %s 2>&1", test_dir, test_dir);
	assert_non_null(p = popen(cmd, "r"));
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	if (pclose(p) != 0)
		fail_msg("the copy failed:\n%s", out);
	if (getenv("AK_TEST_VERBOSE") != NULL)
		fprintf(stderr, "%s", out);
	return out;
}

/* "name=value" among the copy's output lines. */
static void
has(const char *out, const char *line)
{
	char want[512];

	snprintf(want, sizeof(want), "\n%s\n", line);
	if (strncmp(out, want + 1, strlen(want + 1)) != 0 &&
	    strstr(out, want) == NULL)
		fail_msg("no line \"%s\" in:\n%s", line, out);
}

/* What every failure to load gives: no fetch, and no signature holds. */
static void
fails_closed(const char *out, const char *why)
{
	char line[64];

	snprintf(line, sizeof(line), "verify.good=%d", AK_ERR_SIGNATURE);
	has(out, line);
	snprintf(line, sizeof(line), "fetcher_new=%d", AK_ERR_UNAVAILABLE);
	has(out, line);
	has(out, "fetcher=null");
	snprintf(line, sizeof(line), "fetch.doc=%d status=0 len=0",
	    AK_ERR_UNAVAILABLE);
	has(out, line);
	has(out, "libcurl.mapped=0");
	if (strstr(out, why) == NULL)
		fail_msg("no \"%s\" in:\n%s", why, out);
}

static void
test_missing(void **state)
{
	const char *out;

	(void)state;
	run_ok("rm -f %s/authkeys/net.so", test_dir);
	out = child();
	fails_closed(out, "/authkeys/net.so refused: ");
	fails_closed(out, "No such file or directory; the store cannot be "
	    "asked");
}

/*
 * sshd's rules for what it runs: root's, closed to others, all the way.
 * Each step is a shell command run in the case's authkeys/ directory.
 */
static void
test_unsafe(void **state)
{
	static const struct {
		const char *step, *why;
	} cases[] = {
		{ "install -m 0666 \"$NETSO\" net.so",
		    "writable by group or others" },
		{ "chmod 0644 net.so && chmod 0777 .",
		    "writable by group or others" },
		{ "chmod 0755 . && chown 1:1 net.so",
		    "net.so: not owned by root" },
		{ "rm net.so && mkdir -m 0755 net.so", "not a regular file" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run_ok("cd %s/authkeys && NETSO=%s/../lib/security/authkeys/"
		    "net.so && %s", test_dir, built, cases[i].step);
		fails_closed(child(), cases[i].why);
	}
	run_ok("rmdir %s/authkeys/net.so", test_dir);
}

/* A shared object that is not ours, or ours from another version. */
static void
test_not_ours(void **state)
{
	const char *out;

	(void)state;
	run_ok("install -m 0644 \"$(ls /lib/*/security/pam_permit.so "
	    "/usr/lib/*/security/pam_permit.so 2>/dev/null | head -1)\" "
	    "%s/authkeys/net.so", test_dir);
	out = child();
	fails_closed(out, "net.so: not ours; the store cannot be asked");
	run_ok("install -m 0644 %s/oldnet.so %s/authkeys/net.so", built, test_dir);
	out = child();
	fails_closed(out, "net.so: not ours; the store cannot be asked");
	run_ok("printf 'not an ELF' > %s/authkeys/net.so", test_dir);
	out = child();
	fails_closed(out, "net.so: ");
}

/* The real net.so: loaded on first use, every call through it, kept. */
static void
test_loaded(void **state)
{
	const char *out;
	char line[128];
	size_t len;
	char path[PATH_MAX + 16], *buf;

	(void)state;
	run_ok("install -m 0644 %s/../lib/security/authkeys/net.so "
	    "%s/authkeys/net.so", built, test_dir);
	out = child();
	has(out, "libcurl.mapped=0");
	has(out, "verify.good=0");
	snprintf(line, sizeof(line), "verify.altered=%d", AK_ERR_SIGNATURE);
	has(out, line);
	has(out, "libcurl.mapped=1");
	has(out, "fetcher_new=0");
	has(out, "fetcher=set");
	snprintf(path, sizeof(path), "%s/doc.signed", test_dir);
	assert_non_null(buf = slurp(path, &len));
	free(buf);
	snprintf(line, sizeof(line), "fetch.doc=0 status=200 len=%zu", len);
	has(out, line);
	has(out, "fetch.missing=0 status=404 len=0");
	snprintf(line, sizeof(line), "fetch.scheme=%d", AK_ERR_CONFIG);
	has(out, line);
	snprintf(line, sizeof(line), "fetch.refused=%d", AK_ERR_UNAVAILABLE);
	has(out, line);
	/* net.so logs through the module's sink of the moment. */
	has(out, "log: http://127.0.0.1:1/: Couldn't connect to server");
	/* Kept once loaded: made unsafe afterwards, it is not looked up. */
	has(out, "verify.after_chmod=0");
}

/* The copy: each call, in the order a login makes them. */
static void
print_log(void *ctx, int prio, const char *fmt, va_list ap)
{
	(void)ctx;
	(void)prio;
	fputs("log: ", stdout);
	vprintf(fmt, ap);
	fputs("\n", stdout);
}

static int
mapped(const char *what)
{
	char line[1024];
	FILE *f;
	int found = 0;

	if ((f = fopen("/proc/self/maps", "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, what) != NULL)
			found = 1;
	fclose(f);
	return found;
}

static struct ak_doc *
doc_of(const char *d, const char *name)
{
	struct ak_doc *doc = NULL;
	char path[PATH_MAX];
	size_t len;
	char *buf;

	snprintf(path, sizeof(path), "%s/%s", d, name);
	if ((buf = slurp(path, &len)) == NULL ||
	    ak_doc_parse(buf, len, AK_DOC_ACCOUNT, &doc) != 0)
		doc = NULL;
	free(buf);
	return doc;
}

static void
fetch(struct ak_fetcher *f, const char *what, const char *url)
{
	struct ak_fetch_result res;
	int r;

	r = ak_fetch(f, NULL, url, NULL, 2000, 65536, &res);
	printf("fetch.%s=%d status=%ld len=%zu\n", what, r, res.status,
	    res.len);
	ak_fetch_result_clear(&res);
}

static int
copy_main(const char *d)
{
	struct ak_doc *good, *altered;
	struct ak_signers *s = NULL;
	struct ak_fetcher *f = NULL;
	struct ak_fetch_result res;
	char path[PATH_MAX], url[PATH_MAX + 16];
	time_t now = time(NULL);
	int r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	ak_log_set(print_log, NULL);
	snprintf(path, sizeof(path), "%s/allowed", d);
	if (ak_signers_load(path, &s) != 0 ||
	    (good = doc_of(d, "doc.signed")) == NULL ||
	    (altered = doc_of(d, "doc.altered")) == NULL) {
		printf("cannot read the fixtures in %s\n", d);
		return 1;
	}
	printf("libcurl.mapped=%d\n", mapped("libcurl"));
	printf("verify.good=%d\n", ak_sshsig_verify_doc(good, "authkeys", s,
	    now));
	printf("verify.altered=%d\n", ak_sshsig_verify_doc(altered,
	    "authkeys", s, now));
	printf("libcurl.mapped=%d\n", mapped("libcurl"));
	r = ak_fetcher_new(&f);
	printf("fetcher_new=%d\nfetcher=%s\n", r, f != NULL ? "set" : "null");
	snprintf(url, sizeof(url), "file://%s/doc.signed", d);
	fetch(f, "doc", url);
	snprintf(url, sizeof(url), "file://%s/missing", d);
	fetch(f, "missing", url);
	printf("fetch.scheme=%d\n", ak_fetch(f, NULL, "gopher://x/", NULL,
	    2000, 65536, &res));
	ak_fetch_result_clear(&res);
	printf("fetch.refused=%d\n", ak_fetch(f, NULL, "http://127.0.0.1:1/",
	    NULL, 2000, 65536, &res));
	ak_fetch_result_clear(&res);
	ak_fetcher_free(f);
	snprintf(path, sizeof(path), "%s/authkeys/net.so", d);
	if (chmod(path, 0666) == 0) {
		printf("verify.after_chmod=%d\n", ak_sshsig_verify_doc(good,
		    "authkeys", s, now));
		(void)chmod(path, 0644);
	}
	ak_doc_free(good);
	ak_doc_free(altered);
	ak_signers_free(s);
	return 0;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_unsafe),
		cmocka_unit_test(test_not_ours),
		cmocka_unit_test(test_loaded),
	};

	if (argc == 3 && strcmp(argv[1], "--child") == 0)
		return copy_main(argv[2]);
	argv0 = argv[0];
	return cmocka_run_group_tests(tests, setup, test_dir_teardown);
}
