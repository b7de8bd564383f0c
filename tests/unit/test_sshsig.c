/* SSHSIG vectors made at test time by ssh-keygen -Y sign, and corruptions. */
#include "testutil.h"

#include <limits.h>
#include <time.h>
#include <unistd.h>

#include "ak_b64.h"
#include "ak_doc.h"
#include "ak_err.h"
#include "ak_signers.h"
#include "ak_sshsig.h"

static char dir[] = "/tmp/ak-test-sig.XXXXXX";

static const struct {
	const char *name;
	const char *keygen;
} signers_tab[] = {
	{ "ed25519", "-t ed25519" },
	{ "p256", "-t ecdsa -b 256" },
	{ "p384", "-t ecdsa -b 384" },
	{ "p521", "-t ecdsa -b 521" },
	{ "rsa", "-t rsa -b 3072" },
};
#define NSIGNERS (sizeof(signers_tab) / sizeof(signers_tab[0]))

static int
setup(void **state)
{
	size_t i;

	(void)state;
	test_log_init();
	if (mkdtemp(dir) == NULL)
		return -1;
	run_ok("cd %s && printf 'hello\\nworld\\n' > msg && : > allowed",
	    dir);
	for (i = 0; i < NSIGNERS; i++) {
		run_ok("cd %s && ssh-keygen -q %s -N '' -C %s -f %s && "
		    "echo \"%s@test $(cut -d' ' -f1,2 %s.pub)\" >> allowed && "
		    "ssh-keygen -q -Y sign -n authkeys -O hashalg=sha256 -f %s "
		    "< msg > msg.%s.sha256 && "
		    "ssh-keygen -q -Y sign -n authkeys -O hashalg=sha512 -f %s "
		    "< msg > msg.%s.sha512", dir, signers_tab[i].keygen,
		    signers_tab[i].name, signers_tab[i].name, signers_tab[i].name,
		    signers_tab[i].name, signers_tab[i].name, signers_tab[i].name,
		    signers_tab[i].name, signers_tab[i].name);
	}
	run_ok("cd %s && ssh-keygen -q -t ed25519 -N '' -f stranger && "
	    "ssh-keygen -q -Y sign -n authkeys -f stranger < msg > "
	    "msg.stranger && ssh-keygen -q -Y sign -n other -f ed25519 < msg "
	    "> msg.otherns", dir);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	run_ok("rm -rf %s", dir);
	return 0;
}

/* Decodes an armored signature file into a blob. */
static unsigned char *
load_sig(const char *name, size_t *lenp)
{
	char path[256], *armor, *p, b64[8192];
	unsigned char *blob;
	size_t blen = 0;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(armor = slurp(path, NULL));
	for (p = strchr(armor, '\n') + 1; strncmp(p, "-----END", 8) != 0;
	    p = strchr(p, '\n') + 1) {
		size_t l = strcspn(p, "\n");

		memcpy(b64 + blen, p, l);
		blen += l;
	}
	blob = malloc(blen);
	n = ak_b64_decode(b64, blen, blob, blen);
	assert_true(n > 0);
	*lenp = (size_t)n;
	free(armor);
	return blob;
}

static struct ak_signers *
load_signers(void)
{
	char path[256], *buf;
	size_t len;
	struct ak_signers *s;

	snprintf(path, sizeof(path), "%s/allowed", dir);
	assert_non_null(buf = slurp(path, &len));
	assert_int_equal(ak_signers_parse(buf, len, "allowed", &s), 0);
	free(buf);
	return s;
}

static void
test_every_type_and_hash(void **state)
{
	struct ak_signers *s = load_signers();
	char name[64], path[256], *msg;
	unsigned char *sig;
	size_t i, h, siglen, msglen;

	(void)state;
	assert_int_equal(s->n, NSIGNERS);
	snprintf(path, sizeof(path), "%s/msg", dir);
	assert_non_null(msg = slurp(path, &msglen));
	for (i = 0; i < NSIGNERS; i++) {
		for (h = 0; h < 2; h++) {
			snprintf(name, sizeof(name), "msg.%s.%s",
			    signers_tab[i].name, h ? "sha512" : "sha256");
			sig = load_sig(name, &siglen);
			if (ak_sshsig_verify(sig, siglen, msg, msglen,
			    "authkeys", s, time(NULL)) != 0)
				fail_msg("%s does not verify", name);
			/* One changed byte in the message. */
			msg[0] ^= 1;
			assert_int_equal(ak_sshsig_verify(sig, siglen, msg,
			    msglen, "authkeys", s, time(NULL)),
			    AK_ERR_SIGNATURE);
			msg[0] ^= 1;
			/* One changed byte in the signature value. */
			sig[siglen - 3] ^= 0x10;
			assert_int_not_equal(ak_sshsig_verify(sig, siglen, msg,
			    msglen, "authkeys", s, time(NULL)), 0);
			sig[siglen - 3] ^= 0x10;
			/* Truncated. */
			assert_int_equal(ak_sshsig_verify(sig, siglen - 1, msg,
			    msglen, "authkeys", s, time(NULL)), AK_ERR_FORMAT);
			/* Wanted namespace differs. */
			assert_int_equal(ak_sshsig_verify(sig, siglen, msg,
			    msglen, "other", s, time(NULL)), AK_ERR_NAMESPACE);
			free(sig);
		}
	}
	free(msg);
	ak_signers_free(s);
}

static void
test_untrusted_and_wrong_namespace(void **state)
{
	struct ak_signers *s = load_signers();
	char path[256], *msg;
	unsigned char *sig;
	size_t siglen, msglen;

	(void)state;
	snprintf(path, sizeof(path), "%s/msg", dir);
	assert_non_null(msg = slurp(path, &msglen));
	sig = load_sig("msg.stranger", &siglen);
	assert_int_equal(ak_sshsig_verify(sig, siglen, msg, msglen, "authkeys",
	    s, time(NULL)), AK_ERR_UNTRUSTED);
	assert_int_equal(ak_sshsig_verify(sig, siglen, msg, msglen, "authkeys",
	    NULL, time(NULL)), AK_ERR_UNTRUSTED);
	free(sig);
	sig = load_sig("msg.otherns", &siglen);
	assert_int_equal(ak_sshsig_verify(sig, siglen, msg, msglen, "authkeys",
	    s, time(NULL)), AK_ERR_NAMESPACE);
	free(sig);
	free(msg);
	ak_signers_free(s);
}

static void
test_signer_options(void **state)
{
	struct ak_signers *s;
	char path[256], *msg, *pub, text[1024];
	unsigned char *sig;
	size_t siglen, msglen, len;

	(void)state;
	snprintf(path, sizeof(path), "%s/msg", dir);
	assert_non_null(msg = slurp(path, &msglen));
	snprintf(path, sizeof(path), "%s/ed25519.pub", dir);
	assert_non_null(pub = slurp(path, &len));
	*strrchr(pub, ' ') = '\0';
	sig = load_sig("msg.ed25519.sha256", &siglen);

	snprintf(text, sizeof(text), "a@b namespaces=\"git,auth*\" %s\n", pub);
	assert_int_equal(ak_signers_parse(text, strlen(text), "x", &s), 0);
	assert_int_equal(ak_sshsig_verify(sig, siglen, msg, msglen, "authkeys",
	    s, time(NULL)), 0);
	ak_signers_free(s);

	snprintf(text, sizeof(text), "a@b namespaces=\"git\" %s\n", pub);
	assert_int_equal(ak_signers_parse(text, strlen(text), "x", &s), 0);
	assert_int_equal(ak_sshsig_verify(sig, siglen, msg, msglen, "authkeys",
	    s, time(NULL)), AK_ERR_NAMESPACE);
	ak_signers_free(s);

	snprintf(text, sizeof(text), "a@b valid-before=\"20200101\" %s\n", pub);
	assert_int_equal(ak_signers_parse(text, strlen(text), "x", &s), 0);
	assert_int_equal(ak_sshsig_verify(sig, siglen, msg, msglen, "authkeys",
	    s, time(NULL)), AK_ERR_UNTRUSTED);
	ak_signers_free(s);

	snprintf(text, sizeof(text), "a@b cert-authority %s\n", pub);
	assert_int_equal(ak_signers_parse(text, strlen(text), "x", &s), 0);
	assert_int_equal(s->n, 0);
	ak_signers_free(s);

	snprintf(text, sizeof(text), "a@b bogus=\"1\" %s\n", pub);
	assert_int_equal(ak_signers_parse(text, strlen(text), "x", &s),
	    AK_ERR_FORMAT);
	snprintf(text, sizeof(text), "a@b %s!!\n", pub);
	assert_int_not_equal(ak_signers_parse(text, strlen(text), "x", &s), 0);
	free(sig);
	free(pub);
	free(msg);
}

/* A whole document signed with ssh-keygen verifies over its signed bytes. */
static void
test_document(void **state)
{
	struct ak_signers *s = load_signers();
	struct ak_doc *doc;
	char path[256], *buf;
	size_t len;

	(void)state;
	run_ok("cd %s && { echo '#authkeys-document v1'; echo '#account deploy';"
	    " echo '#serial 7'; echo '#expires 2099-01-01T00:00:00Z';"
	    " cat ed25519.pub; } > doc && ssh-keygen -q -Y sign -n authkeys "
	    "-f p384 doc && cat doc doc.sig > doc.signed", dir);
	snprintf(path, sizeof(path), "%s/doc.signed", dir);
	assert_non_null(buf = slurp(path, &len));
	assert_int_equal(ak_doc_parse(buf, len, AK_DOC_ACCOUNT, &doc), 0);
	assert_int_equal(ak_sshsig_verify_doc(doc, "authkeys", s, time(NULL)),
	    0);
	ak_doc_free(doc);
	/* A key line changed after signing. */
	buf[strlen("#authkeys-document v1\n#account deploy\n#serial 7\n"
	    "#expires 2099-01-01T00:00:00Z\nssh-ed25519 AAAA")] ^= 1;
	assert_int_equal(ak_doc_parse(buf, len, AK_DOC_ACCOUNT, &doc), 0);
	assert_int_equal(ak_sshsig_verify_doc(doc, "authkeys", s, time(NULL)),
	    AK_ERR_SIGNATURE);
	ak_doc_free(doc);
	free(buf);
	ak_signers_free(s);
}

/* Parses dir/name as an account document (fails the test otherwise). */
static struct ak_doc *
doc_of(const char *name)
{
	struct ak_doc *doc;
	char path[256], *buf;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(buf = slurp(path, &len));
	assert_int_equal(ak_doc_parse(buf, len, AK_DOC_ACCOUNT, &doc), 0);
	free(buf);
	return doc;
}

/*
 * k-of-n: a document counts with signatures from k distinct keys of the
 * set. A key that signs twice is one signer; a stranger's signature, one
 * in another namespace or a broken one adds nothing and takes nothing
 * away; k above the keys there are is never met.
 */
static void
test_threshold(void **state)
{
	struct ak_signers *s = load_signers();
	unsigned char keys[AK_DOC_SIGS_MAX][32];
	struct ak_doc *doc;
	time_t now = time(NULL);
	size_t n;

	(void)state;
	run_ok("cd %s && { echo '#authkeys-document v1'; echo '#account deploy';"
	    " echo '#serial 7'; echo '#expires 2099-01-01T00:00:00Z';"
	    " cat ed25519.pub; } > t && for k in ed25519 p256 rsa stranger; do "
	    "ssh-keygen -q -Y sign -n authkeys -f $k < t > t.$k; done && "
	    "ssh-keygen -q -Y sign -n other -f p384 < t > t.otherns && "
	    "ssh-keygen -q -Y sign -n authkeys -f ed25519 < t > t.ed25519b && "
	    "cat t t.ed25519 > one && cat t t.ed25519 t.p256 > two && "
	    "cat t t.ed25519 t.ed25519 t.ed25519b > dup && "
	    "cat t t.stranger t.otherns t.ed25519 t.rsa > mixed && "
	    "cat t t.stranger t.otherns > none && "
	    "sed 's/^[A-Za-z]/x/' t.p256 | sed '1s/^x/-/;$s/^x/-/' > t.bad && "
	    "cat t t.bad t.rsa > bad1", dir);
	/* Today's trusted_signers: 1-of-n. */
	doc = doc_of("one");
	assert_int_equal(ak_signers_threshold(s), 1);
	assert_int_equal(ak_sshsig_verify_doc(doc, "authkeys", s, now), 0);
	s->threshold = 2;
	assert_int_equal(ak_sshsig_verify_doc(doc, "authkeys", s, now),
	    AK_ERR_THRESHOLD);
	ak_doc_free(doc);
	doc = doc_of("two");
	assert_int_equal(ak_sshsig_verify_doc(doc, "authkeys", s, now), 0);
	assert_int_equal(ak_sshsig_signed_by(doc, "authkeys", s, now, keys,
	    &n), 0);
	assert_int_equal(n, 2);
	assert_memory_not_equal(keys[0], keys[1], 32);
	s->threshold = 3;
	assert_int_equal(ak_sshsig_verify_doc(doc, "authkeys", s, now),
	    AK_ERR_THRESHOLD);
	ak_doc_free(doc);
	/* One key three times (two distinct signatures of it): one signer. */
	doc = doc_of("dup");
	s->threshold = 2;
	assert_int_equal(ak_sshsig_signed_by(doc, "authkeys", s, now, keys,
	    &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ak_sshsig_verify_doc(doc, "authkeys", s, now),
	    AK_ERR_THRESHOLD);
	ak_doc_free(doc);
	/* Strangers and another namespace beside two trusted signers. */
	doc = doc_of("mixed");
	assert_int_equal(ak_sshsig_verify_doc(doc, "authkeys", s, now), 0);
	assert_int_equal(ak_sshsig_signed_by(doc, "authkeys", s, now, keys,
	    &n), 0);
	assert_int_equal(n, 2);
	ak_doc_free(doc);
	/* Nothing trusted: the first signature's error. */
	doc = doc_of("none");
	assert_int_equal(ak_sshsig_verify_doc(doc, "authkeys", s, now),
	    AK_ERR_UNTRUSTED);
	ak_doc_free(doc);
	/* A broken signature first, a good one after: one signer. */
	doc = doc_of("bad1");
	s->threshold = 1;
	assert_int_equal(ak_sshsig_verify_doc(doc, "authkeys", s, now), 0);
	s->threshold = 2;
	assert_int_equal(ak_sshsig_verify_doc(doc, "authkeys", s, now),
	    AK_ERR_THRESHOLD);
	/* k above the number of keys there are: never met. */
	s->threshold = (unsigned int)s->n + 1;
	ak_doc_free(doc);
	doc = doc_of("mixed");
	assert_int_equal(ak_sshsig_verify_doc(doc, "authkeys", s, now),
	    AK_ERR_THRESHOLD);
	ak_doc_free(doc);
	ak_signers_free(s);
}

/*
 * The key check publish adds to the libc-only parser (found by differential
 * fuzzing against ssh-keygen -lf): real keys pass; an ECDSA point moved off
 * its curve, which the parser alone takes, does not.
 */
static void
test_key_check(void **state)
{
	struct ak_key_line *kl = NULL;
	char path[1024], *text, *nl;
	size_t i, len;

	(void)state;
	for (i = 0; i < NSIGNERS; i++) {
		snprintf(path, sizeof(path), "%s/%s.pub", dir,
		    signers_tab[i].name);
		assert_non_null(text = slurp(path, &len));
		if ((nl = strchr(text, '\n')) != NULL)
			*nl = '\0';
		assert_int_equal(ak_key_line_parse(text, strlen(text), &kl), 0);
		assert_int_equal(ak_sshsig_key_check(kl->type, kl->blob,
		    kl->bloblen), 0);
		if (kl->type == AK_KT_ECDSA_P256 ||
		    kl->type == AK_KT_ECDSA_P384 ||
		    kl->type == AK_KT_ECDSA_P521) {
			kl->blob[kl->bloblen - 1] ^= 1;
			assert_int_equal(ak_sshsig_key_check(kl->type,
			    kl->blob, kl->bloblen), AK_ERR_KEY_INVALID);
		}
		ak_key_line_free(kl);
		free(text);
	}
}

/*
 * FIDO signers, against the oracle: each signature made by tests/sksig as
 * an authenticator would (or with one thing wrong), each verified by
 * ssh-keygen -Y verify and by us. The two must agree, and agree with the
 * expected answer (so the test cannot pass by both refusing everything).
 */
static const struct {
	const char *sksig;	/* tests/sksig options */
	const char *opts;	/* allowed_signers options, or "" */
	int ok;
} sk_cases[] = {
	{ "-t ed25519", "", 1 },
	{ "-t ed25519 -F 0", "", 1 },	/* no user presence: 9.2 accepts */
	{ "-t ed25519 -F 5 -c 4294967295", "", 1 },
	{ "-t ed25519 -H sha512", "", 1 },
	{ "-t ed25519 -a ssh:backup", "", 1 },
	{ "-t ed25519 -A ssh:other", "", 0 },
	{ "-t ed25519 -z", "", 0 },
	{ "-t ed25519 -K ssh-ed25519", "", 0 },
	{ "-t ed25519 -K webauthn-sk-ecdsa-sha2-nistp256@openssh.com", "", 0 },
	{ "-t ed25519 -n other", "", 0 },
	{ "-t ed25519", "namespaces=\"authkeys-timestamp\"", 0 },
	{ "-t ed25519", "namespaces=\"authkeys*\"", 1 },
	{ "-t ed25519", "no-touch-required", 0 },
	{ "-t ed25519", "valid-before=\"20200101\"", 0 },
	{ "-t ecdsa", "", 1 },
	{ "-t ecdsa -F 0", "", 1 },
	{ "-t ecdsa -H sha512 -c 7", "", 1 },
	{ "-t ecdsa -A ssh:x", "", 0 },
	{ "-t ecdsa -z", "", 0 },
	{ "-t ecdsa -K ecdsa-sha2-nistp256", "", 0 },
	{ "-t ecdsa -K webauthn-sk-ecdsa-sha2-nistp256@openssh.com", "", 0 },
	{ "-t ecdsa -k other", "", 0 },
	{ "-t ed25519 -k other", "", 0 },
	{ "-t webauthn -k other", "", 0 },
	{ "-t webauthn", "", 1 },
	{ "-t webauthn -F 0", "", 1 },
	{ "-t webauthn -X ',\"crossOrigin\":false}'", "", 1 },
	{ "-t webauthn -X ''", "", 1 },
	{ "-t webauthn -o https://example.com", "", 1 },
	{ "-t webauthn -o 'a\"b'", "", 0 },
	{ "-t webauthn -F 0x41", "", 0 },
	{ "-t webauthn -F 0x81 -x ext", "", 1 },
	{ "-t webauthn -F 0x81", "", 0 },
	{ "-t webauthn -x ext", "", 0 },
	{ "-t webauthn -C AAAA", "", 0 },
	{ "-t webauthn -P", "", 0 },
	{ "-t webauthn -K sk-ecdsa-sha2-nistp256@openssh.com", "", 0 },
	{ "-t webauthn -A ssh:x", "", 0 },
	{ "-t webauthn -z", "", 0 },
};

static void
test_sk_oracle(void **state)
{
	char self[PATH_MAX], cmd[1024], path[PATH_MAX], *buf, *msg;
	struct ak_signers *s;
	unsigned char *sig;
	size_t i, len, siglen, msglen;
	ssize_t n;
	int keygen, ours;

	(void)state;
	assert_true((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) >
	    0);
	self[n] = '\0';
	*strrchr(self, '/') = '\0';
	snprintf(path, sizeof(path), "%s/msg", dir);
	assert_non_null(msg = slurp(path, &msglen));
	for (i = 0; i < sizeof(sk_cases) / sizeof(sk_cases[0]); i++) {
		run_ok("cd %s && { printf 'signer %s '; %s/sksig %s -p; } > "
		    "sk.allowed && %s/sksig %s -S < msg > sk.sig", dir,
		    sk_cases[i].opts, self, sk_cases[i].sksig, self,
		    sk_cases[i].sksig);
		snprintf(cmd, sizeof(cmd), "cd %s && ssh-keygen -Y verify "
		    "-n authkeys -f sk.allowed -I signer -s sk.sig < msg "
		    ">/dev/null 2>&1", dir);
		keygen = system(cmd) == 0;
		snprintf(path, sizeof(path), "%s/sk.allowed", dir);
		assert_non_null(buf = slurp(path, &len));
		ours = 0;
		if (ak_signers_parse(buf, len, "sk.allowed", &s) == 0) {
			sig = load_sig("sk.sig", &siglen);
			ours = ak_sshsig_verify(sig, siglen, msg, msglen,
			    "authkeys", s, time(NULL)) == 0;
			free(sig);
			ak_signers_free(s);
		}
		free(buf);
		if (keygen != sk_cases[i].ok || ours != keygen)
			fail_msg("sksig %s [%s]: expected %d, ssh-keygen %d, "
			    "authkeys %d", sk_cases[i].sksig, sk_cases[i].opts,
			    sk_cases[i].ok, keygen, ours);
	}
	free(msg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_type_and_hash),
		cmocka_unit_test(test_untrusted_and_wrong_namespace),
		cmocka_unit_test(test_signer_options),
		cmocka_unit_test(test_document),
		cmocka_unit_test(test_threshold),
		cmocka_unit_test(test_key_check),
		cmocka_unit_test(test_sk_oracle),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
