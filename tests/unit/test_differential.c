/*
 * The differential test (SPEC "One meaning per signed byte"): generated
 * signed account documents and revocation lists (blanks, tabs, CR, CRLF,
 * duplicates, options, comments, keys of every type, fingerprint and
 * key-line revocations, unreadable lines) are put to every reader of the
 * built tree, as the real programs, and each must give the admit/deny
 * answer the generator expects:
 *   - authkeys-command's full print, cold (the fetch helper) and warm;
 *   - authkeys-command with %f, cold and warm (through the index);
 *   - pam_authkeys.so through the real libpam (tests' pam_driver);
 *   - authkeys-sweep's verdict on a recorded session of each key;
 *   - KRL membership as ssh-keygen -Q reads the KRL root writes.
 * AK_DIFF_CASES (default 40) and AK_DIFF_SEED set the run; a failure names
 * the case, the key and the documents. AK_DIFF_LF_ONLY=1 makes no CR and no
 * unreadable line (to find what else differs, e.g. on older trees).
 */
#include "testutil.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "ak_b64.h"
#include "ak_doc.h"
#include "ak_proc.h"
#include "ak_session.h"

#define ACCOUNT		"daemon"	/* an account NSS has everywhere */
#define MAX_KEYS	12
#define OUT_MAX		(1 << 20)

struct key {
	char type[64];
	char b64[2048];
	char fpr[64];
	char pub[700];		/* its .pub file */
	int policy_ok;		/* allowed type and size under the config */
};

static struct key keys[MAX_KEYS];
static size_t nkeys;
static char bin[PATH_MAX];	/* the build tree's top (build/) */
static char conf[700], store[700], cache[700], modcache[700], sessions[700];
static char krl[700], pamd[700];
static char pam_preload[2048];
static unsigned long long serial = 1000;
static unsigned int rng;

static unsigned int
rnd(unsigned int n)
{
	/* xorshift: the same seed, the same cases. */
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return n == 0 ? 0 : rng % n;
}

/* Runs argv with its output in *out (caller frees); returns exit status. */
static int
run(char *const argv[], const char *preload, char **out)
{
	char *buf = calloc(1, OUT_MAX + 1);
	size_t len = 0;
	ssize_t n;
	int p[2], status;
	pid_t pid;

	assert_non_null(buf);
	assert_int_equal(pipe(p), 0);
	if ((pid = fork()) == 0) {
		int devnull = open("/dev/null", O_RDWR);

		dup2(p[1], 1);
		dup2(devnull, 0);
		dup2(devnull, 2);
		close(p[0]);
		if (preload != NULL && *preload != '\0') {
			char opts[512];
			const char *o = getenv("ASAN_OPTIONS");

			setenv("LD_PRELOAD", preload, 1);
			/*
			 * libpam's driver, uninstrumented, with the module's
			 * ASan runtime preloaded: LeakSanitizer's tracer was
			 * seen to crash at its exit (signal 11) once libcurl
			 * had run in the module libpam unloads. Memory errors
			 * still fail the run; the pam suite checks leaks.
			 */
			snprintf(opts, sizeof(opts), "%s%sdetect_leaks=0",
			    o != NULL ? o : "", o != NULL && *o ? ":" : "");
			setenv("ASAN_OPTIONS", opts, 1);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	while ((n = read(p[0], buf + len, OUT_MAX - len)) > 0)
		len += (size_t)n;
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (out != NULL)
		*out = buf;
	else
		free(buf);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void
add_key(const char *keygen_args, int policy_ok)
{
	struct key *k = &keys[nkeys];
	char path[700], *text, *sp;

	snprintf(path, sizeof(path), "%s/k%zu", test_dir, nkeys);
	run_ok("ssh-keygen -q %s -N '' -C k%zu -f %s", keygen_args, nkeys,
	    path);
	assert_true(snprintf(k->pub, sizeof(k->pub), "%s.pub", path) <
	    (int)sizeof(k->pub));
	k->policy_ok = policy_ok;
	assert_non_null(text = slurp(k->pub, NULL));
	sp = strchr(text, ' ');
	*sp = '\0';
	snprintf(k->type, sizeof(k->type), "%s", text);
	*strchr(sp + 1, ' ') = '\0';
	snprintf(k->b64, sizeof(k->b64), "%s", sp + 1);
	free(text);
	nkeys++;
}

/* A FIDO key's public half (no hardware: the blob is all there is). */
static void
add_sk_key(void)
{
	struct key *k = &keys[nkeys];
	unsigned char blob[128];
	size_t n = 0;
	const char *t = "sk-ssh-ed25519@openssh.com", *app = "ssh:";
	FILE *f;

#define PUT32(v) do { blob[n++] = 0; blob[n++] = 0; blob[n++] = 0; \
	blob[n++] = (unsigned char)(v); } while (0)
	PUT32(strlen(t));
	memcpy(blob + n, t, strlen(t));
	n += strlen(t);
	PUT32(32);
	memset(blob + n, 0x5a, 32);
	blob[n] = (unsigned char)nkeys;
	n += 32;
	PUT32(strlen(app));
	memcpy(blob + n, app, strlen(app));
	n += strlen(app);
#undef PUT32
	snprintf(k->type, sizeof(k->type), "%s", t);
	assert_true(ak_b64_encode(blob, n, k->b64, sizeof(k->b64), 1) > 0);
	snprintf(k->pub, sizeof(k->pub), "%s/k%zu.pub", test_dir, nkeys);
	assert_non_null(f = fopen(k->pub, "w"));
	fprintf(f, "%s %s sk\n", k->type, k->b64);
	fclose(f);
	k->policy_ok = 1;
	nkeys++;
}

static void
fill_fingerprints(void)
{
	char *out, *argv[4];
	size_t i;

	for (i = 0; i < nkeys; i++) {
		argv[0] = (char *)"/usr/bin/ssh-keygen";
		argv[1] = (char *)"-lf";
		argv[2] = keys[i].pub;
		argv[3] = NULL;
		assert_int_equal(run(argv, NULL, &out), 0);
		*strchr(strchr(out, ' ') + 1, ' ') = '\0';
		snprintf(keys[i].fpr, sizeof(keys[i].fpr), "%s",
		    strchr(out, ' ') + 1);
		free(out);
	}
}

/* The module is an ASan build: libpam's driver needs the runtimes first. */
static void
find_preload(void)
{
	const char *env = getenv("AK_PAM_ENV");
	char cmd[PATH_MAX + 64];
	FILE *f;

	pam_preload[0] = '\0';
	if (env != NULL && strncmp(env, "env LD_PRELOAD=", 15) == 0) {
		snprintf(pam_preload, sizeof(pam_preload), "%s", env + 15);
		return;
	}
	if (snprintf(cmd, sizeof(cmd), "ldd %s/lib/security/pam_authkeys.so "
	    "| grep -q libasan && echo \"$(${CC:-cc} -print-file-name="
	    "libasan.so):$(${CC:-cc} -print-file-name=libubsan.so)\"", bin) >=
	    (int)sizeof(cmd))
		return;
	if ((f = popen(cmd, "r")) != NULL) {
		if (fgets(pam_preload, sizeof(pam_preload), f) != NULL)
			pam_preload[strcspn(pam_preload, "\n")] = '\0';
		pclose(f);
	}
}

static char moddir[] = "/run/ak-diff-mod.XXXXXX";

static int
teardown(void **state)
{
	if (strchr(moddir, 'X') == NULL)
		run_ok("rm -rf %s", moddir);
	return test_dir_teardown(state);
}

static int
setup(void **state)
{
	char self[PATH_MAX];
	const char *s;
	ssize_t n;
	FILE *f;

	if (test_dir_setup(state) != 0)
		return -1;
	chmod(test_dir, 0755);
	rng = (s = getenv("AK_DIFF_SEED")) != NULL ?
	    (unsigned int)strtoul(s, NULL, 10) : 20261129;
	if (rng == 0)
		rng = 1;
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) <= 0)
		return -1;
	self[n] = '\0';
	snprintf(bin, sizeof(bin), "%s/..", dirname(self));
	snprintf(store, sizeof(store), "%s/store", test_dir);
	snprintf(cache, sizeof(cache), "%s/cache", test_dir);
	snprintf(modcache, sizeof(modcache), "%s/modcache", test_dir);
	snprintf(sessions, sizeof(sessions), "%s/sessions", test_dir);
	snprintf(krl, sizeof(krl), "%s/krl/revoked_keys", test_dir);
	snprintf(pamd, sizeof(pamd), "%s/pam.d", test_dir);
	snprintf(conf, sizeof(conf), "%s/etc/authkeys.conf", test_dir);
	run_ok("mkdir -p %s %s %s/krl %s %s/etc && chmod 755 %s/krl",
	    store, cache, test_dir, pamd, test_dir, test_dir);
	run_ok("cd %s && ssh-keygen -q -t ed25519 -N '' -f signer && "
	    "echo \"s $(cut -d' ' -f1,2 signer.pub)\" > allowed", test_dir);
	add_key("-t ed25519", 1);
	add_key("-t ed25519", 1);
	add_key("-t ed25519", 1);
	add_key("-t ecdsa -b 256", 1);
	add_key("-t ecdsa -b 384", 1);
	add_key("-t ecdsa -b 521", 1);
	add_key("-t rsa -b 3072", 1);
	add_key("-t rsa -b 2048", 0);	/* below min_rsa_bits */
	add_sk_key();
	fill_fingerprints();
	if ((f = fopen(conf, "w")) == NULL)
		return -1;
	fprintf(f, "url = file://%s/%%u\nrevocation_url = file://%s/revoked\n"
	    "trusted_signers = %s/allowed\ncache_dir = %s\n"
	    "module_cache_dir = %s\nsession_dir = %s\n"
	    "revoked_keys_file = %s\naccounts = " ACCOUNT "\n"
	    "refresh_after = 3600\nretry_after = 0\nforced_options = restrict\n"
	    "allowed_options = from,no-pty,restrict,command\n", store, store,
	    test_dir, cache, modcache, sessions, krl);
	fclose(f);
	chmod(conf, 0644);
	/*
	 * The module loads net.so only from a path sshd would run (root's,
	 * not writable by others, all the way up): a build tree may sit under
	 * /tmp, so the two are copied where that holds.
	 */
	if (mkdtemp(moddir) == NULL)
		return -1;
	run_ok("chmod 755 %s && mkdir -p %s/authkeys && cp %s/lib/security/"
	    "pam_authkeys.so %s/ && cp %s/lib/security/authkeys/net.so "
	    "%s/authkeys/", moddir, moddir, bin, moddir, bin, moddir);
	/* The command execs its helper only from such a path too. */
	run_ok("mkdir -p %s/sbin %s/libexec/authkeys && cp %s/sbin/"
	    "authkeys-command %s/sbin/ && cp %s/libexec/authkeys/authkeys-fetch "
	    "%s/libexec/authkeys/", moddir, moddir, bin, moddir, bin, moddir);
	if ((f = fopen(test_file("pam.d/sshd-diff", ""), "w")) == NULL)
		return -1;
	fprintf(f, "session required %s/pam_authkeys.so "
	    "config=%s\nsession required pam_permit.so\n", moddir, conf);
	fclose(f);
	find_preload();
	return 0;
}

/* --- the generator ------------------------------------------------------ */

struct gen {
	char acct[16384];
	char list[8192];
	size_t alen, llen;
	int acct_bad;		/* a line no reader may read: no key at all */
	int list_bad;		/* an unreadable list: no key at all */
	int listed_ok[MAX_KEYS];	/* on a line with allowed options */
	int revoked[MAX_KEYS];
};

static void
put(char *buf, size_t *len, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
put(char *buf, size_t *len, size_t cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *len, cap - *len, fmt, ap);
	va_end(ap);
	assert_true(n >= 0 && (size_t)n < cap - *len);
	*len += (size_t)n;
}

static const char *
blanks(void)
{
	static const char *b[] = { "", "", " ", "\t", "  \t", " \t " };

	return b[rnd(6)];
}

static int lf_only;

static const char *
eol(void)
{
	return !lf_only && rnd(4) == 0 ? "\r\n" : "\n";
}

static void
gen_account(struct gen *g)
{
	static const char *ok_opts[] = { "", "", "no-pty ",
	    "from=\"10.0.0.0/8\" ", "restrict,command=\"/bin/true\" " };
	static const char *bad_opts[] = { "permitopen=\"h:1\" ",
	    "no-pty,agent-forwarding " };
	static const char *comments[] = { "", " c", " two words",
	    " \xc3\xa4\xc3\xb6" };
	static const char *noise[] = { "", "# a comment", "   # indented",
	    "garbage words here", "ssh-dss AAAAB3NzaC1kc3MAAACBAP== x",
	    "SHA256:ydSwwv6YNHRaPr3WTK5VTjUY1sVFDtkv78scTm+xsB8" };
	size_t i, lines = 1 + rnd(12), k;
	int bad;

	for (i = 0; i < lines; i++) {
		if (rnd(5) == 0) {
			put(g->acct, &g->alen, sizeof(g->acct), "%s%s%s",
			    blanks(), noise[rnd(6)], eol());
			continue;
		}
		k = rnd((unsigned int)nkeys);
		bad = rnd(5) == 0;
		put(g->acct, &g->alen, sizeof(g->acct), "%s%s%s %s%s%s%s",
		    blanks(), bad ? bad_opts[rnd(2)] : ok_opts[rnd(5)],
		    keys[k].type, keys[k].b64, comments[rnd(4)], blanks(),
		    eol());
		if (!bad)
			g->listed_ok[k] = 1;
	}
	/* Now and then a line no reader may read: a control character. */
	if (!lf_only && rnd(12) == 0) {
		put(g->acct, &g->alen, sizeof(g->acct), rnd(2) ?
		    "ssh-ed25519 AAAA\rx\n" : "# fine\x01\n");
		g->acct_bad = 1;
	}
}

static void
gen_list(struct gen *g)
{
	static const char *bad[] = { "SHA256:tooShort", "not a key",
	    "SHA256:!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" };
	size_t i, k, lines = rnd(7);

	for (i = 0; i < lines; i++) {
		if (rnd(5) == 0) {
			put(g->list, &g->llen, sizeof(g->list), "%s%s%s",
			    blanks(), rnd(2) ? "# why" : "", eol());
			continue;
		}
		k = rnd((unsigned int)nkeys);
		g->revoked[k] = 1;
		if (rnd(2))
			put(g->list, &g->llen, sizeof(g->list), "%s%s%s%s",
			    blanks(), keys[k].fpr, blanks(), eol());
		else
			put(g->list, &g->llen, sizeof(g->list), "%s%s%s %s "
			    "revoked%s%s", blanks(), rnd(3) ? "" : "no-pty ",
			    keys[k].type, keys[k].b64, blanks(), eol());
	}
	/* Now and then a line nobody can read: the whole list fails. */
	if (!lf_only && rnd(8) == 0) {
		k = rnd((unsigned int)nkeys);
		switch (rnd(4)) {
		case 0:	/* a character missing */
			put(g->list, &g->llen, sizeof(g->list), "%s%.49s\n",
			    blanks(), keys[k].fpr);
			break;
		case 1:	/* a CR inside */
			put(g->list, &g->llen, sizeof(g->list), "%.20s\r%s\n",
			    keys[k].fpr, keys[k].fpr + 20);
			break;
		default:
			put(g->list, &g->llen, sizeof(g->list), "%s%s\n",
			    blanks(), bad[rnd(3)]);
			break;
		}
		g->list_bad = 1;
	}
}

/* Whether the generated documents admit key k. */
static int
expected(const struct gen *g, size_t k)
{
	return !g->acct_bad && !g->list_bad && g->listed_ok[k] &&
	    keys[k].policy_ok && !g->revoked[k];
}

/* Writes name in the store: the one header writer, ssh-keygen's SSHSIG. */
static void
install(const char *name, enum ak_doc_kind kind, const char *body)
{
	char hdr[AK_DOC_HEADER_MAX], path[800];
	FILE *f;
	int n;

	n = ak_doc_format_header(kind, ACCOUNT, ++serial, time(NULL) + 86400,
	    hdr, sizeof(hdr));
	assert_true(n > 0);
	snprintf(path, sizeof(path), "%s/%s.tmp", test_dir, name);
	assert_non_null(f = fopen(path, "w"));
	fwrite(hdr, 1, (size_t)n, f);
	fputs(body, f);
	fclose(f);
}

static void
sign_and_publish(void)
{
	run_ok("cd %s && rm -f *.tmp.sig && ssh-keygen -q -Y sign -n authkeys "
	    "-f signer " ACCOUNT ".tmp revoked.tmp && for d in " ACCOUNT
	    " revoked; do cat $d.tmp.sig >> $d.tmp && mv $d.tmp %s/$d; done",
	    test_dir, store);
}

/* --- the readers -------------------------------------------------------- */

static void
wipe_caches(void)
{
	run_ok("rm -rf %s/* %s %s %s", cache, modcache, sessions, krl);
}

/* authkeys-command [fpr]: its output (caller frees). */
static char *
command(const char *fpr)
{
	char path[PATH_MAX + 32], *argv[6], *out;
	int i = 0;

	snprintf(path, sizeof(path), "%s/sbin/authkeys-command", moddir);
	argv[i++] = path;
	argv[i++] = (char *)"-f";
	argv[i++] = conf;
	argv[i++] = (char *)ACCOUNT;
	if (fpr != NULL)
		argv[i++] = (char *)fpr;
	argv[i] = NULL;
	assert_int_equal(run(argv, NULL, &out), 0);
	return out;
}

/* The lines of out that carry key k, in order. */
static void
lines_of(const char *out, size_t k, char *dst, size_t cap)
{
	const char *p, *nl;
	size_t len = 0;

	dst[0] = '\0';
	for (p = out; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		if (memmem(p, (size_t)(nl - p), keys[k].b64,
		    strlen(keys[k].b64)) != NULL)
			put(dst, &len, cap, "%.*s\n", (int)(nl - p), p);
	}
}

static int
module_admits(size_t k)
{
	char path[PATH_MAX + 32], info[2200], *argv[7], *out;
	int ok;

	snprintf(path, sizeof(path), "%s/tests/pam_driver", bin);
	assert_true(snprintf(info, sizeof(info), "publickey %s %s",
	    keys[k].type, keys[k].b64) < (int)sizeof(info));
	argv[0] = path;
	argv[1] = pamd;
	argv[2] = (char *)"sshd-diff";
	argv[3] = (char *)ACCOUNT;
	argv[4] = (char *)"session";
	argv[5] = info;
	argv[6] = NULL;
	assert_int_equal(run(argv, pam_preload, &out), 0);
	ok = strncmp(out, "rc=PAM_SUCCESS ", 15) == 0;
	if (!ok && strncmp(out, "rc=PAM_PERM_DENIED ", 19) != 0)
		fail_msg("pam_driver said: %s", out);
	free(out);
	return ok;
}

/*
 * A recorded session per key (a process standing for sshd's monitor), one
 * sweep, and which of them it ended.
 */
static void
sweep_verdicts(int *ended, int *listed)
{
	char path[PATH_MAX + 32], *argv[6], *out, *p, want[160];
	struct ak_session s;
	pid_t pids[MAX_KEYS];
	size_t k;
	int status, tries;

	run_ok("mkdir -p %s && chmod 700 %s", sessions, sessions);
	for (k = 0; k < nkeys; k++) {
		if ((pids[k] = fork()) == 0) {
			pause();
			_exit(0);
		}
		memset(&s, 0, sizeof(s));
		s.pid = pids[k];
		for (tries = 0; tries < 100 &&
		    ak_session_proc_start(s.pid, &s.start) != 0; tries++)
			usleep(1000);
		snprintf(s.account, sizeof(s.account), ACCOUNT);
		snprintf(s.fprs[0], sizeof(s.fprs[0]), "%s", keys[k].fpr);
		s.nfprs = 1;
		s.uid = (uint32_t)getuid();
		s.presid = ak_proc_sessionid(getpid());
		s.sid = AK_NO_SESSION;
		assert_int_equal(ak_session_record(sessions, &s), 0);
	}
	snprintf(path, sizeof(path), "%s/sbin/authkeys-sweep", bin);
	argv[0] = path;
	argv[1] = (char *)"-f";
	argv[2] = conf;
	/* --list --json first: whether each key is still admitted. */
	argv[3] = (char *)"--list";
	argv[4] = (char *)"--json";
	argv[5] = NULL;
	(void)run(argv, NULL, &out);
	for (k = 0; k < nkeys; k++) {
		snprintf(want, sizeof(want), "\"fingerprint\":\"%s\"",
		    keys[k].fpr);
		listed[k] = -1;
		if ((p = strstr(out, want)) != NULL &&
		    (p = strstr(p, "\"admitted\":")) != NULL)
			listed[k] = strncmp(p + 11, "true", 4) == 0;
	}
	free(out);
	argv[3] = NULL;
	(void)run(argv, NULL, NULL);
	for (k = 0; k < nkeys; k++) {
		ended[k] = waitpid(pids[k], &status, WNOHANG) == pids[k];
		if (!ended[k]) {
			kill(pids[k], SIGKILL);
			waitpid(pids[k], &status, 0);
		}
	}
}

static int
krl_revokes(size_t k)
{
	char *argv[5], *out;
	int r;

	argv[0] = (char *)"/usr/bin/ssh-keygen";
	argv[1] = (char *)"-Qf";
	argv[2] = krl;
	argv[3] = keys[k].pub;
	argv[4] = NULL;
	(void)run(argv, NULL, &out);
	r = strstr(out, ": REVOKED") != NULL;
	free(out);
	return r;
}

static void
report(int c, const struct gen *g, size_t k, const char *reader, int got)
{
	fail_msg("case %d, key %zu (%s %s): %s says %s, expected %s "
	    "(account %s, list %s)\n--- account body:\n%s--- list body:\n%s",
	    c, k, keys[k].type, keys[k].fpr, reader, got ? "admit" : "deny",
	    expected(g, k) ? "admit" : "deny", g->acct_bad ? "unreadable" :
	    "readable", g->list_bad ? "unreadable" : "readable", g->acct,
	    g->list);
}

static void
one_case(int c)
{
	struct gen g;
	char *full_cold, *full_warm, *out, want[8192], got[8192];
	int ended[MAX_KEYS], listed[MAX_KEYS], want_in;
	size_t k;

	memset(&g, 0, sizeof(g));
	gen_account(&g);
	gen_list(&g);
	install(ACCOUNT, AK_DOC_ACCOUNT, g.acct);
	install("revoked", AK_DOC_REVOCATIONS, g.list);
	sign_and_publish();
	wipe_caches();
	full_cold = command(NULL);
	full_warm = command(NULL);
	if (strcmp(full_cold, full_warm) != 0)
		fail_msg("case %d: full print, cold and warm differ:\n%s---\n"
		    "%s", c, full_cold, full_warm);
	for (k = 0; k < nkeys; k++) {
		want_in = expected(&g, k);
		lines_of(full_cold, k, want, sizeof(want));
		if ((want[0] != '\0') != want_in)
			report(c, &g, k, "the full print", want[0] != '\0');
		/* %f warm: the cache is fresh, the index answers. */
		out = command(keys[k].fpr);
		lines_of(out, k, got, sizeof(got));
		if (strcmp(got, want) != 0 || strlen(out) != strlen(got))
			report(c, &g, k, "%f warm", got[0] != '\0');
		free(out);
		if (module_admits(k) != want_in)
			report(c, &g, k, "pam_authkeys", !want_in);
	}
	/* %f cold: nothing cached, the helper fetches. */
	for (k = 0; k < nkeys; k++) {
		run_ok("rm -rf %s/*", cache);
		lines_of(full_cold, k, want, sizeof(want));
		out = command(keys[k].fpr);
		lines_of(out, k, got, sizeof(got));
		if (strcmp(got, want) != 0 || strlen(out) != strlen(got))
			report(c, &g, k, "%f cold", got[0] != '\0');
		free(out);
	}
	/*
	 * The sweep acts on what it verified: a revoked key ends its session
	 * whatever the account's document; a signed document no reader can
	 * read admits nothing, so its sessions end too (as logins are
	 * refused); an unreadable list ends nothing else. sweep --list says
	 * what logins say.
	 */
	sweep_verdicts(ended, listed);
	for (k = 0; k < nkeys; k++) {
		want_in = (!g.revoked[k] || g.list_bad) && (expected(&g, k) ||
		    (g.list_bad && !g.acct_bad));
		if (ended[k] == want_in)
			report(c, &g, k, "authkeys-sweep", !ended[k]);
		if (listed[k] != expected(&g, k))
			report(c, &g, k, "authkeys-sweep --list", listed[k]);
		if (krl_revokes(k) != (g.revoked[k] && !g.list_bad))
			fail_msg("case %d, key %zu: KRL %s it, the list %s "
			    "(list %s):\n%s", c, k, krl_revokes(k) ?
			    "revokes" : "does not revoke", g.revoked[k] ?
			    "names it" : "does not", g.list_bad ? "unreadable" :
			    "readable", g.list);
	}
	free(full_cold);
	free(full_warm);
}

static void
test_every_reader_agrees(void **state)
{
	const char *s = getenv("AK_DIFF_CASES");
	int c, cases = s != NULL ? (int)strtol(s, NULL, 10) : 40;

	(void)state;
	lf_only = getenv("AK_DIFF_LF_ONLY") != NULL;
	for (c = 0; c < cases; c++)
		one_case(c);
	print_message("# %d generated cases, %zu keys each, every reader "
	    "agreed\n", cases, nkeys);
}

/* --- views (timestamp_url): the same readers, held to the snapshot ----- */

static char vsrc[760], vstore[760];

/* Writes the source: the account's keys (ks, n of them), nothing revoked. */
static void
vsource(const size_t *ks, size_t n)
{
	char path[800];
	FILE *f;
	size_t i;

	snprintf(path, sizeof(path), "%s/accounts/" ACCOUNT, vsrc);
	if (n == (size_t)-1) {
		(void)unlink(path);
		return;
	}
	assert_non_null(f = fopen(path, "w"));
	for (i = 0; i < n; i++)
		fprintf(f, "%s %s k%zu\n", keys[ks[i]].type, keys[ks[i]].b64,
		    ks[i]);
	fclose(f);
}

static void
vpublish(const char *extra)
{
	run_ok("%s/bin/authkeys-publish -k %s/signer -s %s -o %s %s "
	    ">/dev/null 2>&1", bin, test_dir, vsrc, vstore, extra);
}

/* Re-signs the snapshot naming the account document as it is now. */
static void
vresnapshot(void)
{
	run_ok("cd %s/v1 && s=$(sed -n 's/^#serial //p' snapshot) && "
	    "d=$(sed -n 's/^#serial //p' accounts/" ACCOUNT ") && "
	    "h=$(sha256sum < accounts/" ACCOUNT " | cut -c1-64) && "
	    "e=$(sed -n 's/^#expires //p' snapshot) && "
	    "{ printf '#authkeys-snapshot v1\\n#serial %%s\\n#expires %%s\\n' "
	    "$((s + 1)) \"$e\"; echo \"account " ACCOUNT " $d sha256:$h\"; "
	    "grep '^revocations ' snapshot; } > snap.new && "
	    "ssh-keygen -q -Y sign -n authkeys -f %s/signer snap.new && "
	    "cat snap.new.sig >> snap.new && rm snap.new.sig && "
	    "mv snap.new snapshot && "
	    "%s/bin/authkeys-publish --timestamp -k %s/signer -o %s "
	    ">/dev/null 2>&1", vstore, test_dir, bin, test_dir, vstore);
}

/* --status's "N key line(s) admitted" for the account (-1: none said). */
static int
status_keys(void)
{
	char path[PATH_MAX + 32], *argv[5], *out, *p;
	int n = -1;

	snprintf(path, sizeof(path), "%s/sbin/authkeys-command", moddir);
	argv[0] = path;
	argv[1] = (char *)"-f";
	argv[2] = conf;
	argv[3] = (char *)"--status";
	argv[4] = NULL;
	(void)run(argv, NULL, &out);
	if ((p = strstr(out, "account " ACCOUNT ": ")) != NULL &&
	    (p = strstr(p, " key line(s) admitted")) != NULL) {
		while (p > out && p[-1] >= '0' && p[-1] <= '9')
			p--;
		n = (int)strtol(p, NULL, 10);
	} else if (out != NULL && strstr(out, "account " ACCOUNT ": ") != NULL)
		n = 0;
	free(out);
	return n;
}

/*
 * Every reader on the view as it is: want[k] says whether key k is
 * admitted; sweep_ends says whether the sweep acts (a verified answer) or
 * leaves sessions alone (nothing it could verify).
 */
static void
vcheck(const char *name, const int *want, int sweep_acts, int warm)
{
	char *full, *out, got[8192];
	int ended[MAX_KEYS], listed[MAX_KEYS], nwant = 0, st;
	size_t k;

	if (!warm)
		wipe_caches();
	full = command(NULL);
	for (k = 0; k < nkeys; k++) {
		nwant += want[k];
		lines_of(full, k, got, sizeof(got));
		if ((got[0] != '\0') != want[k])
			fail_msg("%s: key %zu: the full print says %s", name,
			    k, got[0] ? "admit" : "deny");
		out = command(keys[k].fpr);
		lines_of(out, k, got, sizeof(got));
		if ((got[0] != '\0') != want[k])
			fail_msg("%s: key %zu: %%f says %s", name, k,
			    got[0] ? "admit" : "deny");
		free(out);
		if (module_admits(k) != want[k])
			fail_msg("%s: key %zu: pam_authkeys says %s", name, k,
			    want[k] ? "deny" : "admit");
	}
	free(full);
	if ((st = status_keys()) != nwant)
		fail_msg("%s: --status says %d key line(s) admitted, logins "
		    "%d", name, st, nwant);
	sweep_verdicts(ended, listed);
	for (k = 0; k < nkeys; k++) {
		if (listed[k] != want[k])
			fail_msg("%s: key %zu: sweep --list says %d, logins %d",
			    name, k, listed[k], want[k]);
		if (ended[k] != (sweep_acts && !want[k]))
			fail_msg("%s: key %zu: the sweep %s its session", name,
			    k, ended[k] ? "ended" : "left");
	}
}

static void
test_views_every_reader_agrees(void **state)
{
	static const size_t ab[] = { 0, 1 }, abc[] = { 0, 1, 2 };
	int want[MAX_KEYS], none[MAX_KEYS];
	char path[800], fut[64];
	FILE *f;

	(void)state;
	snprintf(vsrc, sizeof(vsrc), "%s/vsrc", test_dir);
	snprintf(vstore, sizeof(vstore), "%s/vstore", test_dir);
	run_ok("mkdir -p %s/accounts %s && : > %s/revoked", vsrc, vstore,
	    vsrc);
	assert_non_null(f = fopen(conf, "w"));
	fprintf(f, "url = file://%s/v1/accounts/%%u\n"
	    "revocation_url = file://%s/v1/revoked\n"
	    "timestamp_url = file://%s/v1/timestamp\n"
	    "trusted_signers = %s/allowed\ncache_dir = %s\n"
	    "module_cache_dir = %s\nsession_dir = %s\n"
	    "revoked_keys_file = %s\naccounts = " ACCOUNT "\n"
	    "refresh_after = 3600\nretry_after = 0\nforced_options = restrict\n",
	    vstore, vstore, vstore, test_dir, cache, modcache, sessions, krl);
	fclose(f);
	memset(want, 0, sizeof(want));
	memset(none, 0, sizeof(none));
	want[0] = want[1] = 1;

	vsource(ab, 2);
	vpublish("");
	vcheck("a view", want, 1, 0);

	/* The snapshot drops the account: signed "no keys". */
	vsource(NULL, (size_t)-1);
	vpublish("");
	vcheck("the snapshot drops the account", none, 1, 0);

	/* A 404 for a document the snapshot names: nothing verified. */
	vsource(ab, 2);
	vpublish("");
	snprintf(path, sizeof(path), "%s/v1/accounts/" ACCOUNT, vstore);
	run_ok("mv %s %s.away", path, path);
	vcheck("a 404 the snapshot names", none, 0, 0);
	run_ok("mv %s.away %s", path, path);

	/* Expired documents (the snapshot is still valid). */
	vsource(abc, 3);
	vpublish("--valid 2");
	sleep(3);
	vcheck("expired documents", none, 0, 0);

	/* Serials from the future (a publisher's clock a year ahead). */
	vsource(ab, 2);
	snprintf(fut, sizeof(fut), "%lld", (long long)time(NULL) + 86400 * 365);
	run_ok("cd %s && { %s/tests/akdoc header " ACCOUNT " %s "
	    "2030-01-01T00:00:00Z && cat %s/accounts/" ACCOUNT "; } > f.tmp "
	    "&& ssh-keygen -q -Y sign -n authkeys -f signer f.tmp && "
	    "cat f.tmp.sig >> f.tmp && mv f.tmp %s && rm f.tmp.sig",
	    test_dir, bin, fut, vsrc, path);
	vpublish("--force");
	vcheck("serials from the future", none, 0, 0);
	/* The recovery publish(1) documents: a new directory, a new record. */
	run_ok("rm -rf %s/v1 %s/.authkeys-serials", vstore, vstore);

	/* Equivocation: the same serial, other bytes, named by a snapshot. */
	vsource(ab, 2);
	vpublish("");
	vcheck("before equivocation", want, 1, 0);
	run_ok("cd %s && sed '/BEGIN SSH SIGNATURE/,$d' %s > e.tmp && "
	    "printf '%%s %%s k2\\n' %s %s >> e.tmp && "
	    "ssh-keygen -q -Y sign -n authkeys -f signer e.tmp && "
	    "cat e.tmp.sig >> e.tmp && mv e.tmp %s && rm e.tmp.sig",
	    test_dir, path, keys[2].type, keys[2].b64, path);
	vresnapshot();
	/*
	 * Readers that verified the first bytes refuse the second, and the
	 * first is not the one the new snapshot names: nothing is admitted
	 * (fail closed), nothing ended on it.
	 */
	run_ok("sed -i 's/^refresh_after = .*/refresh_after = 0/' %s", conf);
	vcheck("equal-serial equivocation (readers that saw the first)",
	    none, 0, 1);
	print_message("# views: snapshot drop, 404, expiry, future serials, "
	    "equivocation: every reader agreed\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_reader_agrees),
		cmocka_unit_test(test_views_every_reader_agrees),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
