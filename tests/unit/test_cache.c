/* ak_cache: entries, trust by owner, locks no one else can hold, 304s. */
#include "testutil.h"

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "ak_cache.h"
#include "ak_config.h"
#include "ak_err.h"
#include "ak_sha256.h"
#include "ak_file.h"
#include "ak_fresh.h"
#include "ak_signers.h"
#include "ak_time.h"

static char dir[] = "/tmp/ak-test-cache.XXXXXX";
static struct ak_config *cfg;

static int
setup(void **state)
{
	char conf[512];

	(void)state;
	test_log_init();
	if (mkdtemp(dir) == NULL)
		return -1;
	chmod(dir, 0755);
	snprintf(conf, sizeof(conf), "url = https://k/%%u\n"
	    "trusted_signers = /s\naccounts = deploy\ncache_dir = %s\n", dir);
	return ak_config_parse(conf, strlen(conf), "t", &cfg);
}

static int
teardown(void **state)
{
	(void)state;
	ak_config_free(cfg);
	run_ok("rm -rf %s", dir);
	return 0;
}

static void
write_entry(const char *name, int status, const char *body, time_t checked)
{
	struct ak_cache_entry e;

	memset(&e, 0, sizeof(e));
	e.checked = checked;
	e.status = status;
	e.min_serial = 9;
	strcpy(e.etag, "\"abc\"");
	e.body = (char *)body;
	e.bodylen = strlen(body);
	assert_int_equal(ak_cache_write(dir, name, &e), 0);
}

static void
test_roundtrip_and_freshness(void **state)
{
	struct ak_cache_entry *e;
	time_t now = time(NULL);
	char path[512];
	struct stat st;

	(void)state;
	write_entry("acct.deploy", 200, "doc bytes\n", now);
	assert_int_equal(ak_cache_read(dir, "acct.deploy", geteuid(), &e), 0);
	assert_int_equal(e->status, 200);
	assert_int_equal(e->min_serial, 9);
	assert_string_equal(e->etag, "\"abc\"");
	assert_string_equal(e->body, "doc bytes\n");
	assert_true(ak_fresh_is_fresh(cfg, e->checked, now));
	assert_true(ak_fresh_is_fresh(cfg, e->checked, now + 59));
	assert_false(ak_fresh_is_fresh(cfg, e->checked, now + 60));
	assert_false(ak_fresh_is_fresh(cfg, e->checked, now - 10));	/* clock went back */
	ak_cache_entry_free(e);
	snprintf(path, sizeof(path), "%s/acct.deploy", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(ak_cache_read(dir, "acct.nobody", geteuid(), &e),
	    AK_ERR_NOT_FOUND);
}

static void
test_garbage_is_refused(void **state)
{
	static const char *bad[] = {
		"",
		"garbage\n",
		"#authkeys-cache v1\n#checked x\n#status 200\n#etag -\n"
		    "#min-serial 1\n",
		"#authkeys-cache v1\n#checked 1\n#status 500\n#etag -\n"
		    "#min-serial 1\n",
		"#authkeys-cache v1\n#checked 1\n#status 404\n#etag -\n"
		    "#min-serial 1\nbody after 404",
		"#authkeys-cache v1\n#checked 1\n#status 200\n#etag -\n",
	};
	struct ak_cache_entry *e;
	char path[512];
	size_t i;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/acct.bad", dir);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_non_null(f = fopen(path, "w"));
		fputs(bad[i], f);
		fclose(f);
		if (ak_cache_read(dir, "acct.bad", geteuid(), &e) !=
		    AK_ERR_FORMAT)
			fail_msg("case %zu accepted", i);
	}
}

static void
test_ownership_rules(void **state)
{
	struct ak_cache_entry *e;
	char path[512];

	(void)state;
	write_entry("acct.perm", 200, "x", time(NULL));
	snprintf(path, sizeof(path), "%s/acct.perm", dir);
	chmod(path, 0666);
	assert_int_equal(ak_cache_read(dir, "acct.perm", geteuid(), &e),
	    AK_ERR_PERM);
	chmod(path, 0644);
	chmod(dir, 0777);
	assert_int_equal(ak_cache_read(dir, "acct.perm", geteuid(), &e),
	    AK_ERR_PERM);
	chmod(dir, 0755);
	if (geteuid() == 0) {
		/* Another user's file counts only if named as trusted. */
		assert_int_equal(chown(path, 4242, 4242), 0);
		assert_int_equal(ak_cache_read(dir, "acct.perm", 0, &e),
		    AK_ERR_PERM);
		assert_int_equal(ak_cache_read(dir, "acct.perm", 4242, &e), 0);
		ak_cache_entry_free(e);
	}
	/* A symlink is never followed. */
	unlink(path);
	assert_int_equal(symlink("/etc/passwd", path), 0);
	assert_int_equal(ak_cache_read(dir, "acct.perm", geteuid(), &e),
	    AK_ERR_PERM);
}

static void
test_lock_excludes_and_times_out(void **state)
{
	int fd, fd2;
	pid_t pid;
	int status;

	(void)state;
	fd = ak_cache_lock(dir, "acct.deploy", ak_now_ms() + 1000);
	assert_true(fd >= 0);
	pid = fork();
	if (pid == 0) {
		long long t0 = ak_now_ms();

		fd2 = ak_cache_lock(dir, "acct.deploy", t0 + 200);
		_exit(fd2 == AK_ERR_LOCKED && ak_now_ms() - t0 >= 190 ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(WEXITSTATUS(status), 0);
	ak_cache_unlock(fd);
	fd = ak_cache_lock(dir, "acct.deploy", ak_now_ms() + 100);
	assert_true(fd >= 0);
	ak_cache_unlock(fd);
}

/*
 * F1/F4 regressions: a lock file others can open is a lock others can hold,
 * and one that is a FIFO must not hang us. Each is replaced, not used.
 */
static void
test_lock_file_is_private_and_never_blocks(void **state)
{
	char path[512];
	struct stat st;
	long long t0;
	int fd, hold;

	(void)state;
	snprintf(path, sizeof(path), "%s/.lock.acct.x", dir);
	/* New lock files: a regular file of ours, mode 0600. */
	fd = ak_cache_lock(dir, "acct.x", ak_now_ms() + 100);
	assert_true(fd >= 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	ak_cache_unlock(fd);

	/* An old 0644 lock file, held by "someone" through another open. */
	unlink(path);
	run_ok("touch %s && chmod 644 %s", path, path);
	hold = open(path, O_RDONLY);
	assert_true(hold >= 0);
	assert_int_equal(flock(hold, LOCK_EX), 0);
	t0 = ak_now_ms();
	fd = ak_cache_lock(dir, "acct.x", t0 + 2000);
	assert_true(fd >= 0);	/* a new private file, not the held one */
	assert_true(ak_now_ms() - t0 < 1000);
	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	ak_cache_unlock(fd);
	close(hold);

	/* A FIFO in its place: replaced without blocking. */
	unlink(path);
	assert_int_equal(mkfifo(path, 0600), 0);
	fd = ak_cache_lock(dir, "acct.x", ak_now_ms() + 100);
	assert_true(fd >= 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	ak_cache_unlock(fd);

	/* A symbolic link: not followed, replaced. */
	unlink(path);
	assert_int_equal(symlink("/etc/passwd", path), 0);
	fd = ak_cache_lock(dir, "acct.x", ak_now_ms() + 100);
	assert_true(fd >= 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	ak_cache_unlock(fd);

	/* A directory in its place cannot be removed: no lock, no hang. */
	unlink(path);
	run_ok("mkdir -p %s/sub", path);
	assert_true(ak_cache_lock(dir, "acct.x", ak_now_ms() + 100) < 0);
	run_ok("rm -rf %s", path);
}

/* Entries are private to the owner too. */
static void
test_entries_are_private(void **state)
{
	char path[512];
	struct stat st;

	(void)state;
	write_entry("acct.priv", 200, "x", time(NULL));
	snprintf(path, sizeof(path), "%s/acct.priv", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
}

/* A FIFO or a device-like thing as an entry: refused without blocking. */
static void
test_fifo_entry_does_not_block(void **state)
{
	struct ak_cache_entry *e = NULL;
	char path[512];

	(void)state;
	snprintf(path, sizeof(path), "%s/acct.fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(ak_cache_read(dir, "acct.fifo", geteuid(), &e),
	    AK_ERR_PERM);
	assert_null(e);
	unlink(path);
}

/* Readers racing a writer only ever see a whole old or whole new file. */
static void
test_atomic_replace(void **state)
{
	char a[8192], b[8192], *buf;
	char path[512];
	size_t len;
	pid_t pid;
	int i, status;

	(void)state;
	memset(a, 'a', sizeof(a) - 1);
	a[sizeof(a) - 1] = '\0';
	memset(b, 'b', sizeof(b) - 1);
	b[sizeof(b) - 1] = '\0';
	assert_int_equal(ak_file_write_atomic(dir, "race", a, strlen(a), 0644),
	    0);
	snprintf(path, sizeof(path), "%s/race", dir);
	pid = fork();
	if (pid == 0) {
		for (i = 0; i < 300; i++)
			if (ak_file_write_atomic(dir, "race", i % 2 ? a : b,
			    strlen(a), 0644) != 0)
				_exit(1);
		_exit(0);
	}
	for (i = 0; i < 2000; i++) {
		assert_int_equal(ak_file_read(path, 1 << 20, 0, 0, &buf, &len),
		    0);
		assert_int_equal(len, strlen(a));
		assert_true(strspn(buf, "a") == len || strspn(buf, "b") == len);
		free(buf);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(WEXITSTATUS(status), 0);
	/* No temporary file is left behind. */
	run_ok("test -z \"$(ls -A %s | grep '^\\.race')\"", dir);
}

/* A full disk: the write fails cleanly, the old file stays whole. */
static void
test_disk_full(void **state)
{
	char mnt[600], big[8192];
	char *buf;
	size_t len;

	(void)state;
	assert_int_equal(ak_file_write_atomic("/nonexistent-dir", "x", "y", 1,
	    0644), AK_ERR_IO);
	snprintf(mnt, sizeof(mnt), "%s/full", dir);
	run_ok("mkdir -p %s && mount -t tmpfs -o size=16k tmpfs %s", mnt, mnt);
	assert_int_equal(ak_file_write_atomic(mnt, "doc", "old\n", 4, 0644),
	    0);
	memset(big, 'x', sizeof(big));
	/* Fill what is left, then try to replace the document. */
	run_ok("dd if=/dev/zero of=%s/filler bs=1k count=64 2>/dev/null; true",
	    mnt);
	assert_int_equal(ak_file_write_atomic(mnt, "doc", big, sizeof(big),
	    0644), AK_ERR_NOSPACE);
	snprintf(mnt + strlen(mnt), sizeof(mnt) - strlen(mnt), "/doc");
	assert_int_equal(ak_file_read(mnt, 1024, 0, 0, &buf, &len), 0);
	assert_string_equal(buf, "old\n");
	free(buf);
	mnt[strlen(mnt) - 4] = '\0';
	run_ok("test -z \"$(ls -A %s | grep '^\\.doc')\"", mnt);
	run_ok("umount %s", mnt);
}

/* An account document as the cache holds it (no signature needed here). */
static const char *
doc_text(const char *account, const char *expires, const char *body)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), "#authkeys-document v1\n#account %s\n"
	    "#serial 4\n#expires %s\n%s-----BEGIN SSH SIGNATURE-----\n"
	    "U1NIU0lH\n-----END SSH SIGNATURE-----\n", account, expires,
	    body);
	return buf;
}

static void
test_names(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(ak_cache_name("deploy", out, sizeof(out)), 0);
	assert_string_equal(out, "acct.deploy");
	assert_int_equal(ak_cache_name(NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "revoked");
	/* A name that could leave the directory never becomes a path. */
	assert_int_equal(ak_cache_name("../x", out, sizeof(out)),
	    AK_ERR_BAD_NAME);
	assert_int_equal(ak_cache_name("Deploy", out, sizeof(out)),
	    AK_ERR_BAD_NAME);
	assert_int_equal(ak_cache_name("deploy", out, 8), AK_ERR_TOO_LARGE);
}

static void
test_cached_document_checks(void **state)
{
	struct ak_cache_entry *e = NULL;
	struct ak_doc *doc = NULL;
	time_t now = 1767225600;	/* 2026-01-01 */

	(void)state;
	write_entry("acct.deploy", 200, doc_text("deploy",
	    "2027-01-01T00:00:00Z", "ssh-ed25519 AAAA k\n"), now);
	assert_int_equal(ak_cache_read(dir, "acct.deploy", geteuid(), &e), 0);
	assert_int_equal(ak_cache_doc(e, AK_DOC_ACCOUNT, "deploy", now, 300,
	    &doc), 0);
	assert_int_equal(doc->serial, 4);
	assert_int_equal(doc->nlines, 1);
	ak_doc_free(doc);
	doc = NULL;
	/* Another account's document, or one past #expires: refused. */
	assert_int_equal(ak_cache_doc(e, AK_DOC_ACCOUNT, "octo", now, 300,
	    &doc), AK_ERR_ACCOUNT);
	assert_null(doc);
	assert_int_equal(ak_cache_doc(e, AK_DOC_ACCOUNT, "deploy",
	    1798761601, 300, &doc), AK_ERR_EXPIRED);
	assert_null(doc);
	/* A serial further ahead of the clock than the skew: refused. */
	assert_int_equal(ak_cache_doc(e, AK_DOC_ACCOUNT, "deploy", 1, 2,
	    &doc), AK_ERR_FUTURE);
	assert_null(doc);
	assert_int_equal(ak_cache_doc(e, AK_DOC_ACCOUNT, "deploy", 1, 3,
	    &doc), 0);
	ak_doc_free(doc);
	doc = NULL;
	ak_cache_entry_free(e);
	/* A cached 404: no document, no error. */
	write_entry("acct.octo", 404, "", now);
	assert_int_equal(ak_cache_read(dir, "acct.octo", geteuid(), &e), 0);
	doc = (struct ak_doc *)1;
	assert_int_equal(ak_cache_doc(e, AK_DOC_ACCOUNT, "octo", now, 300,
	    &doc), 0);
	assert_null(doc);
	ak_cache_entry_free(e);
}

static void
test_head_and_pread(void **state)
{
	struct ak_cache_entry *e = NULL;
	char *body, buf[64];
	size_t doclen, i;
	int fd = -1;

	(void)state;
	/* A document longer than the head the fast path reads. */
	assert_non_null(body = malloc(3 * AK_CACHE_HEAD));
	for (i = 0; i < 3 * AK_CACHE_HEAD - 1; i++)
		body[i] = (char)('a' + i % 26);
	body[3 * AK_CACHE_HEAD - 1] = '\0';
	write_entry("acct.big", 200, body, 1700000000);
	assert_int_equal(ak_cache_read_head(dir, "acct.big", geteuid(), &e,
	    &doclen, &fd), 0);
	assert_true(fd >= 0);
	assert_int_equal(doclen, 3 * AK_CACHE_HEAD - 1);
	assert_int_equal(e->status, 200);
	assert_string_equal(e->etag, "\"abc\"");
	assert_memory_equal(e->body, body, 100);
	/* Any range of the document, by offset from its start. */
	assert_int_equal(ak_cache_pread(fd, e, 2 * AK_CACHE_HEAD + 5, 10,
	    buf), 0);
	assert_memory_equal(buf, body + 2 * AK_CACHE_HEAD + 5, 10);
	assert_int_equal(buf[10], '\0');
	/* Past the end: an error, not a short answer. */
	assert_int_equal(ak_cache_pread(fd, e, doclen - 5, 10, buf),
	    AK_ERR_IO);
	close(fd);
	ak_cache_entry_free(e);
	free(body);
	/* The same owner and form rules as a full read. */
	run_ok("chmod 666 %s/acct.big", dir);
	assert_int_equal(ak_cache_read_head(dir, "acct.big", geteuid(), &e,
	    &doclen, &fd), AK_ERR_PERM);
	assert_int_equal(fd, -1);
	assert_null(e);
	assert_int_equal(ak_cache_read_head(dir, "acct.none", geteuid(), &e,
	    &doclen, &fd), AK_ERR_NOT_FOUND);
	run_ok("printf 'not a cache entry' > %s/acct.junk", dir);
	assert_int_equal(ak_cache_read_head(dir, "acct.junk", geteuid(), &e,
	    &doclen, &fd), AK_ERR_FORMAT);
	assert_int_equal(fd, -1);
}

static void
test_touch_confirms(void **state)
{
	struct ak_cache_entry *e = NULL;
	time_t before = time(NULL);

	(void)state;
	write_entry("acct.t", 200, "x\n", 1000);
	assert_int_equal(ak_cache_touch(dir, "acct.t"), 0);
	assert_int_equal(ak_cache_read(dir, "acct.t", geteuid(), &e), 0);
	/* The header still says 1000; the mtime says now. */
	assert_true(e->checked >= before);
	ak_cache_entry_free(e);
	assert_int_equal(ak_cache_touch(dir, "acct.none"), AK_ERR_IO);
}

/*
 * A timestamp floor's signer survives a write and a read; the marks a
 * cache-hit reader holds entries to; --reset-view's forgetting.
 */
static void
test_floor_signer_marks_forget(void **state)
{
	struct ak_cache_entry e, *r;
	struct ak_marks m;
	unsigned char d[32];
	char path[600];
	FILE *f;
	int i;

	(void)state;
	memset(&e, 0, sizeof(e));
	e.checked = 1700000000;
	e.status = 200;
	e.min_serial = 77;
	for (i = 0; i < 32; i++)
		e.floor_signer[i] = (unsigned char)(i * 7);
	e.has_floor_signer = 1;
	memset(d, 0x11, sizeof(d));
	ak_signers_mark(d, "authkeys-timestamp", e.verified);
	e.has_verified = 1;
	e.body = (char *)"ts\n";
	e.bodylen = 3;
	assert_int_equal(ak_cache_write(dir, "timestamp", &e), 0);
	assert_int_equal(ak_cache_read(dir, "timestamp", geteuid(), &r), 0);
	assert_true(r->has_floor_signer);
	assert_memory_equal(r->floor_signer, e.floor_signer, 32);
	assert_int_equal(r->min_serial, 77);
	/* Marks: the same digest and namespace, or nothing counts. */
	memset(&m, 0, sizeof(m));
	assert_true(ak_marks_ok(NULL, r, AK_DOC_TIMESTAMP));
	assert_true(ak_marks_ok(&m, r, AK_DOC_TIMESTAMP));
	m.on = 1;
	ak_signers_mark(d, "authkeys-timestamp", m.ts);
	ak_signers_mark(d, "authkeys", m.doc);
	assert_true(ak_marks_ok(&m, r, AK_DOC_TIMESTAMP));
	assert_false(ak_marks_ok(&m, r, AK_DOC_SNAPSHOT));
	d[0] ^= 1;
	ak_signers_mark(d, "authkeys-timestamp", m.ts);
	assert_false(ak_marks_ok(&m, r, AK_DOC_TIMESTAMP));
	r->has_verified = 0;
	assert_false(ak_marks_ok(&m, r, AK_DOC_TIMESTAMP));
	r->status = 404;
	assert_true(ak_marks_ok(&m, r, AK_DOC_ACCOUNT));
	ak_cache_entry_free(r);
	/* Uppercase or odd hex in a header is garbage, not a value. */
	snprintf(path, sizeof(path), "%s/acct.hex", dir);
	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "#authkeys-cache v1\n#checked 1\n#status 200\n#etag -\n"
	    "#min-serial 1\n#verified %s\nx", "::::::::::::::::::::::::::::"
	    "::::::::::::::::::::::::::::::::::::");
	assert_int_equal(fclose(f), 0);
	assert_int_equal(ak_cache_read(dir, "acct.hex", geteuid(), &r),
	    AK_ERR_FORMAT);
	/* Forgetting: every entry and note, never a lock or a directory. */
	run_ok("touch %s/.lock.acct.x && mkdir -p %s/sub && touch %s/outage",
	    dir, dir, dir);
	assert_true(ak_cache_forget(dir) >= 3);
	snprintf(path, sizeof(path), "%s/.lock.acct.x", dir);
	assert_int_equal(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/timestamp", dir);
	assert_int_equal(access(path, F_OK), -1);
	snprintf(path, sizeof(path), "%s/sub", dir);
	assert_int_equal(access(path, F_OK), 0);
	run_ok("rmdir %s/sub", dir);
	assert_int_equal(ak_cache_forget("/nonexistent/ak-forget"), 0);
}

/*
 * A signed body gets the SHA-256 of its signed bytes too (a signed-sha256
 * snapshot entry is matched from the head); every field with the longest
 * ETag still fits the header.
 */
static void
test_signed_bytes_recorded(void **state)
{
	static const char body[] = "#authkeys-document v1\nkey line\n"
	    "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n"
	    "-----END SSH SIGNATURE-----\n";
	unsigned char h[32];
	struct ak_cache_entry e, *r;

	(void)state;
	memset(&e, 0, sizeof(e));
	e.checked = time(NULL);
	e.status = 200;
	e.min_serial = 18446744073709551615ULL;
	memset(e.etag, 'x', AK_ETAG_MAX);
	e.has_verified = e.has_floor_signer = 1;
	e.body = (char *)body;
	e.bodylen = strlen(body);
	assert_int_equal(ak_cache_write(dir, "acct.signed", &e), 0);
	assert_int_equal(ak_cache_read(dir, "acct.signed", geteuid(), &r), 0);
	assert_true(r->has_signed_sha256);
	ak_sha256(body, (size_t)(strstr(body, "-----BEGIN") - body), h);
	assert_memory_equal(r->signed_sha256, h, 32);
	assert_true(r->has_verified && r->has_floor_signer);
	assert_int_equal(strlen(r->etag), AK_ETAG_MAX);
	assert_string_equal(r->body, body);
	ak_cache_entry_free(r);
	/* Unsigned bytes: no such record. */
	write_entry("acct.plain", 200, "doc bytes\n", time(NULL));
	assert_int_equal(ak_cache_read(dir, "acct.plain", geteuid(), &r), 0);
	assert_false(r->has_signed_sha256);
	ak_cache_entry_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_and_freshness),
		cmocka_unit_test(test_garbage_is_refused),
		cmocka_unit_test(test_ownership_rules),
		cmocka_unit_test(test_lock_excludes_and_times_out),
		cmocka_unit_test(test_lock_file_is_private_and_never_blocks),
		cmocka_unit_test(test_entries_are_private),
		cmocka_unit_test(test_fifo_entry_does_not_block),
		cmocka_unit_test(test_atomic_replace),
		cmocka_unit_test(test_disk_full),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_floor_signer_marks_forget),
		cmocka_unit_test(test_signed_bytes_recorded),
		cmocka_unit_test(test_cached_document_checks),
		cmocka_unit_test(test_head_and_pread),
		cmocka_unit_test(test_touch_confirms),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
