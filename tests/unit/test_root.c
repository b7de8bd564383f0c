/*
 * ak_root: the root of trust's format, its thresholds, and the chain of
 * roots (each signed by k of the keys before it and k of its own), with
 * keys and signatures made by ssh-keygen at test time.
 */
#include "testutil.h"

#include <time.h>
#include <unistd.h>

#include "ak_cache.h"
#include "ak_config.h"
#include "ak_doc.h"
#include "ak_err.h"
#include "ak_root.h"

/* Keys: r1..r3 root, d1..d3 documents, t1 timestamp, n1..n3 a new root. */
static const char *keys[] = {
	"r1", "r2", "r3", "d1", "d2", "d3", "t1", "n1", "n2", "n3", "x",
};

static int
setup(void **state)
{
	size_t i;

	if (test_dir_setup(state) != 0)
		return -1;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		run_ok("cd %s && ssh-keygen -q -t ed25519 -N '' -C %s -f %s",
		    test_dir, keys[i], keys[i]);
	return 0;
}

/* "TYPE B64" of test_dir/NAME.pub (static). */
static const char *
pub(const char *name, size_t n)
{
	static char out[512];
	char path[256], *buf, *sp;
	size_t len;

	snprintf(path, sizeof(path), "%s/%.*s.pub", test_dir, (int)n, name);
	assert_non_null(buf = slurp(path, &len));
	assert_non_null(sp = strchr(buf, ' '));
	assert_non_null(sp = strchr(sp + 1, ' '));
	snprintf(out, sizeof(out), "%.*s", (int)(sp - buf), buf);
	free(buf);
	return out;
}

/*
 * Writes a root to test_dir/NAME: its header (serial, expires) and the
 * role lines, where "@k" stands for key k's "TYPE B64".
 */
static void
body(const char *name, unsigned long long serial, const char *expires,
    const char *lines)
{
	char path[256];
	const char *p, *q;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", test_dir, name);
	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "#authkeys-root v1\n#serial %llu\n#expires %s\n", serial,
	    expires);
	for (p = lines; *p != '\0'; p = q) {
		if (*p != '@') {
			fputc(*p, f);
			q = p + 1;
			continue;
		}
		for (q = p + 1; (*q >= 'a' && *q <= 'z') ||
		    (*q >= '0' && *q <= '9'); q++)
			;
		fputs(pub(p + 1, (size_t)(q - p - 1)), f);
	}
	fputc('\n', f);
	assert_int_equal(fclose(f), 0);
}

/* Appends to test_dir/NAME an SSHSIG by each key in signers, in ns. */
static void
sign(const char *name, const char *ns, const char *signers)
{
	run_ok("cd %s && cp %s %s.body && for k in %s; do ssh-keygen -q -Y "
	    "sign -n %s -f $k < %s.body >> %s; done && rm %s.body",
	    test_dir, name, name, signers, ns, name, name, name);
}

static struct ak_doc *
load(const char *name)
{
	struct ak_doc *doc;
	char path[256], *buf;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", test_dir, name);
	assert_non_null(buf = slurp(path, &len));
	assert_int_equal(ak_doc_parse(buf, len, AK_DOC_ROOT, &doc), 0);
	free(buf);
	return doc;
}

#define ROLES1 "threshold root 2\nthreshold documents 2\n" \
	"threshold timestamp 1\n# who may sign what\n\nroot @r1 alice\n" \
	"root @r2\nroot @r3 carol-laptop\ndocuments @d1\ndocuments @d2\n" \
	"documents @d3\ntimestamp @t1\n"

static void
test_parse(void **state)
{
	struct ak_root *root;
	struct ak_doc *doc;

	(void)state;
	body("root.1", 1, "2099-01-01T00:00:00Z", ROLES1);
	sign("root.1", AK_ROOT_NS, "x");
	doc = load("root.1");
	assert_int_equal(ak_root_parse(doc, "root.1", &root), 0);
	assert_int_equal(root->serial, 1);
	assert_int_equal(root->expires, 4070908800);
	assert_int_equal(root->role[AK_ROLE_ROOT]->n, 3);
	assert_int_equal(root->role[AK_ROLE_ROOT]->threshold, 2);
	assert_int_equal(root->role[AK_ROLE_DOCUMENTS]->n, 3);
	assert_int_equal(ak_signers_threshold(root->role[AK_ROLE_DOCUMENTS]),
	    2);
	assert_int_equal(root->role[AK_ROLE_TIMESTAMP]->n, 1);
	assert_int_equal(root->role[AK_ROLE_TIMESTAMP]->threshold, 1);
	assert_string_equal(ak_role_name(AK_ROLE_DOCUMENTS), "documents");
	assert_string_equal(ak_role_name(AK_ROLE_MAX), "?");
	assert_true(ak_root_role_same(root, root, AK_ROLE_ROOT));
	ak_root_free(root);
	ak_doc_free(doc);
	/* A key in two roles is two roles' key (an operator's choice). */
	body("two", 1, "2099-01-01T00:00:00Z", "threshold root 1\n"
	    "threshold documents 1\nthreshold timestamp 1\nroot @r1\n"
	    "documents @r1\ntimestamp @r1\n");
	sign("two", AK_ROOT_NS, "x");
	doc = load("two");
	assert_int_equal(ak_root_parse(doc, "two", &root), 0);
	ak_root_free(root);
	ak_doc_free(doc);
}

static void
test_malformed(void **state)
{
	static const struct {
		const char *text, *why;
	} bad[] = {
		/* k > n: never met. */
		{ "threshold root 4\nthreshold documents 1\n"
		    "threshold timestamp 1\nroot @r1\nroot @r2\nroot @r3\n"
		    "documents @d1\ntimestamp @t1",
		    "role root: 3 key(s), threshold 4" },
		/* k = 0, k above AK_ROOT_K_MAX, not a number. */
		{ "threshold root 0\nthreshold documents 1\n"
		    "threshold timestamp 1\nroot @r1\ndocuments @d1\n"
		    "timestamp @t1",
		    "bad:4:" },
		{ "threshold root 9\nthreshold documents 1\n"
		    "threshold timestamp 1\nroot @r1\ndocuments @d1\n"
		    "timestamp @t1",
		    "bad:4:" },
		{ "threshold root two\nthreshold documents 1\n"
		    "threshold timestamp 1\nroot @r1\ndocuments @d1\n"
		    "timestamp @t1",
		    "bad:4:" },
		{ "threshold root 1 1\nthreshold documents 1\n"
		    "threshold timestamp 1\nroot @r1\ndocuments @d1\n"
		    "timestamp @t1",
		    "bad:4:" },
		/* A role with no keys; a role without a threshold. */
		{ "threshold root 1\nthreshold documents 1\n"
		    "threshold timestamp 1\nroot @r1\ndocuments @d1",
		    "role timestamp: 0 key(s)" },
		{ "threshold root 1\nthreshold documents 1\nroot @r1\n"
		    "documents @d1\ntimestamp @t1",
		    "role timestamp: 1 key(s), threshold 0" },
		/* A threshold twice; a key twice in one role. */
		{ "threshold root 1\nthreshold root 1\nthreshold documents 1\n"
		    "threshold timestamp 1\nroot @r1\ndocuments @d1\n"
		    "timestamp @t1",
		    "bad:5:" },
		{ "threshold root 2\nthreshold documents 1\n"
		    "threshold timestamp 1\nroot @r1\nroot @r1\n"
		    "documents @d1\ntimestamp @t1",
		    "bad:8:" },
		/* An unknown role or word; a key that does not parse. */
		{ "threshold root 1\nthreshold documents 1\n"
		    "threshold timestamp 1\nroot @r1\ndocuments @d1\n"
		    "timestamp @t1\nsnapshot @d2",
		    "bad:10:" },
		{ "threshold root 1\nthreshold documents 1\n"
		    "threshold timestamp 1\nthreshold snapshot 1\nroot @r1\n"
		    "documents @d1\ntimestamp @t1",
		    "bad:7:" },
		{ "threshold root 1\nthreshold documents 1\n"
		    "threshold timestamp 1\nroot ssh-ed25519 AAAAC3Nza\n"
		    "documents @d1\ntimestamp @t1",
		    "bad:7:" },
		{ "threshold root 1\nthreshold documents 1\n"
		    "threshold timestamp 1\nroot\ndocuments @d1\n"
		    "timestamp @t1",
		    "bad:7:" },
		{ "threshold root 1\nthreshold documents 1\n"
		    "threshold timestamp 1\nroot ssh-dss AAAAB3NzaC1kc3M\n"
		    "documents @d1\ntimestamp @t1",
		    "bad:7:" },
	};
	struct ak_root *root;
	struct ak_doc *doc;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		body("bad", 1, "2099-01-01T00:00:00Z", bad[i].text);
		sign("bad", AK_ROOT_NS, "x");
		doc = load("bad");
		last_log[0] = '\0';
		if (ak_root_parse(doc, "bad", &root) == 0)
			fail_msg("case %zu parsed", i);
		if (strstr(last_log, bad[i].why) == NULL)
			fail_msg("case %zu: %s", i, last_log);
		assert_null(root);
		ak_doc_free(doc);
	}
	/* Another kind of document is not a root. */
	body("bad", 1, "2099-01-01T00:00:00Z", ROLES1);
	sign("bad", AK_ROOT_NS, "x");
	doc = load("bad");
	doc->kind = AK_DOC_TIMESTAMP;
	assert_int_equal(ak_root_parse(doc, "bad", &root), AK_ERR_FORMAT);
	ak_doc_free(doc);
}

/* A bootstrap root signed by k of its own root keys, in their namespace. */
static void
test_self(void **state)
{
	struct ak_root *root;
	struct ak_doc *doc;
	time_t now = time(NULL);
	static const struct {
		const char *signers, *ns;
		int want;
	} tab[] = {
		{ "r1 r3", AK_ROOT_NS, 0 },
		{ "r1 r2 r3", AK_ROOT_NS, 0 },
		{ "r2", AK_ROOT_NS, AK_ERR_THRESHOLD },
		{ "r2 r2", AK_ROOT_NS, AK_ERR_THRESHOLD },	/* one key */
		{ "d1 d2", AK_ROOT_NS, AK_ERR_UNTRUSTED },	/* wrong role */
		{ "x r1", AK_ROOT_NS, AK_ERR_THRESHOLD },
		{ "r1 r2", "authkeys", AK_ERR_NAMESPACE },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		body("self", 1, "2099-01-01T00:00:00Z", ROLES1);
		sign("self", tab[i].ns, tab[i].signers);
		doc = load("self");
		if (ak_root_verify_self(doc, "self", now, &root) !=
		    tab[i].want)
			fail_msg("case %zu (%s)", i, tab[i].signers);
		if (tab[i].want == 0)
			assert_int_equal(root->serial, 1);
		else
			assert_null(root);
		ak_root_free(root);
		ak_doc_free(doc);
	}
}

#define ROLES2 "threshold root 2\nthreshold documents 1\n" \
	"threshold timestamp 1\nroot @n1\nroot @n2\nroot @r3\n" \
	"documents @d1\ntimestamp @d3\n"

/*
 * Rotation: root 2 counts only signed by k of root 1's root keys and k of
 * its own; root 3 next, never root 3 straight after 1, never root 1 again.
 */
static void
test_chain(void **state)
{
	struct ak_root *r1, *r2, *r3;
	struct ak_doc *doc;
	time_t now = time(NULL);
	static const struct {
		const char *signers;
		int want;
	} tab[] = {
		{ "r1 r2 n1 n2", 0 },
		{ "r1 r3 n2", 0 },		/* r3 is in both roots */
		{ "r1 n1 n2", AK_ERR_THRESHOLD },	/* 1 old key */
		{ "r1 r2 n1", AK_ERR_THRESHOLD },	/* 1 new key */
		{ "n1 n2 n3", AK_ERR_UNTRUSTED },	/* new keys alone */
		{ "x d1 d2", AK_ERR_UNTRUSTED },
	};
	size_t i;

	(void)state;
	body("root.1", 1, "2099-01-01T00:00:00Z", ROLES1);
	sign("root.1", AK_ROOT_NS, "r1 r2");
	doc = load("root.1");
	assert_int_equal(ak_root_verify_self(doc, "root.1", now, &r1), 0);
	ak_doc_free(doc);
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		/* Root 2 may pass expired (only the newest one's counts). */
		body("root.2", 2, "2001-01-01T00:00:00Z", ROLES2);
		sign("root.2", AK_ROOT_NS, tab[i].signers);
		doc = load("root.2");
		if (ak_root_verify_next(r1, doc, "root.2", now, &r2) !=
		    tab[i].want)
			fail_msg("case %zu (%s)", i, tab[i].signers);
		if (tab[i].want != 0)
			assert_null(r2);
		ak_root_free(r2);
		ak_doc_free(doc);
	}
	body("root.2", 2, "2001-01-01T00:00:00Z", ROLES2);
	sign("root.2", AK_ROOT_NS, "r1 r2 n1 n2");
	doc = load("root.2");
	assert_int_equal(ak_root_verify_next(r1, doc, "root.2", now, &r2), 0);
	assert_int_equal(r2->serial, 2);
	assert_false(ak_root_role_same(r1, r2, AK_ROLE_ROOT));
	assert_false(ak_root_role_same(r1, r2, AK_ROLE_DOCUMENTS));
	assert_false(ak_root_role_same(r1, r2, AK_ROLE_TIMESTAMP));
	/* A skipped version, and the same version again. */
	assert_int_equal(ak_root_verify_next(r2, doc, "root.2", now, &r3),
	    AK_ERR_ROLLBACK);
	ak_doc_free(doc);
	body("root.3", 3, "2099-01-01T00:00:00Z", ROLES2);
	sign("root.3", AK_ROOT_NS, "r1 r2 n1");
	doc = load("root.3");
	assert_int_equal(ak_root_verify_next(r1, doc, "root.3", now, &r3),
	    AK_ERR_ROLLBACK);
	/* Root 3 after root 2 wants root 2's keys: r1 and r2 are out. */
	assert_int_equal(ak_root_verify_next(r2, doc, "root.3", now, &r3),
	    AK_ERR_THRESHOLD);
	ak_doc_free(doc);
	body("root.3", 3, "2099-01-01T00:00:00Z", ROLES2);
	sign("root.3", AK_ROOT_NS, "n1 r3");
	doc = load("root.3");
	assert_int_equal(ak_root_verify_next(r2, doc, "root.3", now, &r3), 0);
	assert_true(ak_root_role_same(r2, r3, AK_ROLE_ROOT));
	assert_true(ak_root_role_same(r2, r3, AK_ROLE_DOCUMENTS));
	ak_root_free(r3);
	ak_doc_free(doc);
	ak_root_free(r2);
	ak_root_free(r1);
}

/* test_dir/NAME verified as a bootstrap. */
static struct ak_root *
boot_of(const char *name)
{
	struct ak_root *r;
	struct ak_doc *doc = load(name);

	assert_int_equal(ak_root_verify_self(doc, name, time(NULL), &r), 0);
	ak_doc_free(doc);
	return r;
}

static unsigned long long
walked(const struct ak_root *boot, const char *own, const char *peer)
{
	struct ak_root *cur;
	unsigned long long serial;

	assert_int_equal(ak_root_walk(boot, 0, own, peer, geteuid(), time(NULL),
	    &cur), 0);
	serial = cur->serial;
	assert_memory_equal(cur->boot, boot->digest, 32);
	ak_root_free(cur);
	return serial;
}

/*
 * The root in force on a host: the bootstrap, our record of the newest
 * root taken since, then root.N+1 ... from our dir or the peer's, each
 * verified; a bad one stops the walk; another bootstrap starts afresh.
 */
static void
test_walk(void **state)
{
	struct ak_root *boot, *other, *cur, *next;
	char own[128], peer[128], rec[40], path[256], *buf;
	size_t len;

	(void)state;
	snprintf(own, sizeof(own), "%s/own", test_dir);
	snprintf(peer, sizeof(peer), "%s/peer", test_dir);
	run_ok("mkdir -m 700 %s %s", own, peer);
	body("root.1", 1, "2099-01-01T00:00:00Z", ROLES1);
	sign("root.1", AK_ROOT_NS, "r1 r2");
	boot = boot_of("root.1");
	assert_int_equal(walked(boot, own, peer), 1);
	ak_root_record_name(boot->digest, rec, sizeof(rec));
	snprintf(path, sizeof(path), "%s/%s", own, rec);
	assert_int_equal(access(path, F_OK), -1);	/* nothing to record */

	/* Roots 2 and 3 from the peer (the refresher's cache). */
	body("root.2", 2, "2099-01-01T00:00:00Z", ROLES2);
	sign("root.2", AK_ROOT_NS, "r1 r2 n1 n2");
	body("root.3", 3, "2099-01-01T00:00:00Z", ROLES2);
	sign("root.3", AK_ROOT_NS, "n1 r3");
	run_ok("cp %s/root.2 %s/root.3 %s/", test_dir, test_dir, peer);
	assert_int_equal(walked(boot, own, peer), 3);
	assert_int_equal(access(path, F_OK), 0);	/* recorded */
	/* The record alone, the peer's files gone. */
	run_ok("rm %s/root.2 %s/root.3", peer, peer);
	assert_int_equal(walked(boot, own, NULL), 3);

	/* Root 4 signed by keys root 3 does not name: refused, 3 stays. */
	body("root.4", 4, "2099-01-01T00:00:00Z", ROLES2);
	sign("root.4", AK_ROOT_NS, "x d1 d2");
	run_ok("cp %s/root.4 %s/", test_dir, peer);
	last_log[0] = '\0';
	assert_int_equal(walked(boot, own, peer), 3);
	assert_non_null(strstr(last_log, "root.4: refused"));
	/* Not signed at all, or not a root: refused the same way. */
	run_ok("head -c 200 %s/root.3 > %s/root.4", test_dir, peer);
	assert_int_equal(walked(boot, own, peer), 3);
	run_ok("rm %s/root.4", peer);

	/* Another bootstrap (root reset trust by hand): a record of its own. */
	run_ok("cp %s/root.1 %s/root.1.boot", test_dir, test_dir);
	body("root.1", 1, "2099-01-01T00:00:00Z", ROLES1);
	sign("root.1", AK_ROOT_NS, "r1 r3");	/* other signatures */
	other = boot_of("root.1");
	assert_int_equal(walked(other, own, peer), 1);
	ak_root_free(other);

	/* The store's root 4, taken by the refresher: kept and recorded. */
	assert_int_equal(ak_root_walk(boot, 0, own, NULL, geteuid(), time(NULL),
	    &cur), 0);
	body("root.4", 4, "2099-01-01T00:00:00Z", ROLES2);
	sign("root.4", AK_ROOT_NS, "n1 n2");
	snprintf(path, sizeof(path), "%s/root.4", test_dir);
	assert_non_null(buf = slurp(path, &len));
	assert_int_equal(ak_root_advance(cur, own, buf, len, "root.4",
	    time(NULL), &next), 0);
	assert_int_equal(next->serial, 4);
	ak_root_free(next);
	/* Root 4 again after root 4: not the next one. */
	assert_int_equal(ak_root_walk(boot, 0, own, NULL, geteuid(), time(NULL),
	    &next), 0);
	assert_int_equal(next->serial, 4);
	assert_int_equal(ak_root_advance(next, own, buf, len, "root.4",
	    time(NULL), &other), AK_ERR_ROLLBACK);
	assert_null(other);
	ak_root_free(next);
	free(buf);
	snprintf(path, sizeof(path), "%s/root.4", own);
	assert_int_equal(access(path, F_OK), 0);
	/* A peer (root) walks our dir's signed roots, never skipping one. */
	assert_int_equal(walked(boot, NULL, own), 1);
	run_ok("cp %s/root.2 %s/root.3 %s/", test_dir, test_dir, own);
	assert_int_equal(walked(boot, NULL, own), 4);

	/* What --status and the cache-hit marks read: the record's header. */
	{
		struct ak_config cfg;
		struct ak_root_state rs;
		char bpath[256];

		memset(&cfg, 0, sizeof(cfg));
		snprintf(bpath, sizeof(bpath), "%s/boot", test_dir);
		run_ok("cp %s/root.1.boot %s && chmod 644 %s", test_dir,
		    bpath, bpath);
		cfg.trusted_root = bpath;
		cfg.cache_dir = own;
		assert_int_equal(ak_root_state_read(&cfg, geteuid(), &rs), 0);
		assert_int_equal(rs.boot_serial, 1);
		assert_int_equal(rs.serial, 4);
		assert_int_equal(rs.expires, 4070908800);	/* 2099 */
		/* Another owner's record is not this cache's. */
		assert_int_equal(ak_root_state_read(&cfg, 4242, &rs), 0);
		run_ok("chown 4242 %s/root-*", own);
		assert_int_equal(ak_root_state_read(&cfg, geteuid(), &rs), 0);
		assert_int_equal(rs.serial, 1);
	}
	ak_root_free(cur);
	ak_root_free(boot);
}

/*
 * check_from: the bootstrap's own signatures are checked when no record
 * of ours says they were (then recorded), and refused when they fail.
 */
static void
test_walk_checks_bootstrap(void **state)
{
	struct ak_root *boot, *cur;
	char own[128];

	(void)state;
	snprintf(own, sizeof(own), "%s/own2", test_dir);
	run_ok("mkdir -m 700 %s", own);
	body("root.1", 1, "2099-01-01T00:00:00Z", ROLES1);
	sign("root.1", AK_ROOT_NS, "r1");	/* 1 of the 2 it needs */
	{
		struct ak_doc *doc = load("root.1");

		assert_int_equal(ak_root_parse(doc, "root.1", &boot), 0);
		ak_doc_free(doc);
	}
	assert_int_equal(ak_root_walk(boot, 1, own, NULL, geteuid(),
	    time(NULL), &cur), AK_ERR_THRESHOLD);
	assert_null(cur);
	assert_int_equal(ak_root_walk(boot, 1, NULL, NULL, geteuid(),
	    time(NULL), &cur), AK_ERR_THRESHOLD);
	ak_root_free(boot);
	body("root.1", 1, "2099-01-01T00:00:00Z", ROLES1);
	sign("root.1", AK_ROOT_NS, "r1 r2");
	boot = boot_of("root.1");
	assert_int_equal(ak_root_walk(boot, 1, own, NULL, geteuid(),
	    time(NULL), &cur), 0);
	ak_root_free(cur);
	run_ok("ls %s/root-* >/dev/null", own);	/* checked, recorded */
	ak_root_free(boot);
}

/*
 * The cache-hit marks with a root that expired: on_freeze = deny refuses
 * them; stale uses them and says which root expired, so that every
 * answer can say so (the resolver's answers did, the cache hit did not).
 */
static void
test_marks_expired_root(void **state)
{
	struct ak_config cfg;
	struct ak_marks m;
	char bpath[256], own[128];

	(void)state;
	snprintf(own, sizeof(own), "%s/own3", test_dir);
	run_ok("mkdir -m 700 %s", own);
	memset(&cfg, 0, sizeof(cfg));
	cfg.require_signature = 1;
	cfg.namespace = (char *)"authkeys";
	cfg.cache_dir = own;
	snprintf(bpath, sizeof(bpath), "%s/boot.old", test_dir);
	body("boot.old", 1, "2001-01-01T00:00:00Z", ROLES1);
	sign("boot.old", AK_ROOT_NS, "r1 r2");
	run_ok("chmod 644 %s", bpath);
	cfg.trusted_root = bpath;
	assert_int_equal(ak_marks_load(&cfg, geteuid(), &m), 0);
	assert_int_equal(m.on, 1);
	assert_int_equal(m.root_expired, 1);
	cfg.freeze_deny = 1;
	assert_int_equal(ak_marks_load(&cfg, geteuid(), &m), AK_ERR_EXPIRED);
	/* One in force: nothing to say. */
	cfg.freeze_deny = 0;
	body("boot.old", 1, "2099-01-01T00:00:00Z", ROLES1);
	sign("boot.old", AK_ROOT_NS, "r1 r2");
	assert_int_equal(ak_marks_load(&cfg, geteuid(), &m), 0);
	assert_int_equal(m.root_expired, 0);
}

/*
 * The cache-hit path reads the bootstrap root with the limit the resolver
 * loads it with: a root over 256 KiB (long comments) was the resolver's
 * and not the cache-hit path's, which then decided nothing.
 */
static void
test_marks_read_root_as_resolver(void **state)
{
	struct ak_config cfg;
	struct ak_marks m;
	struct ak_root *root;
	char bpath[256], own[128];

	(void)state;
	snprintf(own, sizeof(own), "%s/own4", test_dir);
	run_ok("mkdir -m 700 %s", own);
	memset(&cfg, 0, sizeof(cfg));
	cfg.require_signature = 1;
	cfg.namespace = (char *)"authkeys";
	cfg.cache_dir = own;
	snprintf(bpath, sizeof(bpath), "%s/boot.big", test_dir);
	body("boot.big", 1, "2099-01-01T00:00:00Z", ROLES1);
	run_ok("for i in $(seq 3000); do printf '# %%098d\\n' $i; done >> %s",
	    bpath);
	sign("boot.big", AK_ROOT_NS, "r1 r2");
	run_ok("chmod 644 %s && test $(stat -c %%s %s) -gt 262144", bpath,
	    bpath);
	assert_int_equal(ak_root_load(bpath, time(NULL), &root), 0);
	ak_root_free(root);
	cfg.trusted_root = bpath;
	assert_int_equal(ak_marks_load(&cfg, geteuid(), &m), 0);
	assert_int_equal(m.on, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_self),
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_walk_checks_bootstrap),
		cmocka_unit_test(test_marks_expired_root),
		cmocka_unit_test(test_marks_read_root_as_resolver),
	};

	return cmocka_run_group_tests(tests, setup, test_dir_teardown);
}
