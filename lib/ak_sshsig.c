/*
 * The one file that does signature crypto. Blob layout (PROTOCOL.sshsig):
 *   "SSHSIG" uint32 version string publickey string namespace
 *   string reserved string hash_algorithm string signature
 * and the signed data is
 *   "SSHSIG" string namespace string reserved string hash_algorithm
 *   string H(message)
 *
 * FIDO signers (PROTOCOL.u2f) sign, instead of the data itself,
 *   SHA256(application) byte flags uint32 counter [extensions]
 *   SHA256(data)
 * where a webauthn signature puts SHA256(clientData) in place of
 * SHA256(data), clientData beginning with the data as its challenge.
 * The flags are not checked: ssh-keygen -Y verify (OpenSSH 9.2) accepts a
 * signature without the user-presence bit, and so do we.
 */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ak_b64.h"
#include "ak_buf.h"
#include "ak_err.h"
#include "ak_key.h"
#include "ak_sha256.h"
#include "ak_signers.h"
#include "ak_sshsig.h"
#include "ak_wire.h"

#define MAGIC		"SSHSIG"
#define MAGIC_LEN	6

static EVP_PKEY *
pkey_from_params(const char *alg, OSSL_PARAM_BLD *bld)
{
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	OSSL_PARAM *params = NULL;

	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, alg, NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pkey = NULL;
	OSSL_PARAM_free(params);
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

/*
 * Builds an OpenSSL public key from a checked SSH key blob; for a FIDO key,
 * *appp and *applenp are its application string (else NULL, 0).
 */
static EVP_PKEY *
pkey_from_blob(enum ak_key_type t, const unsigned char *blob, size_t len,
    const unsigned char **appp, size_t *applenp)
{
	struct ak_wire w = { blob, len };
	const unsigned char *a, *b;
	size_t alen, blen;
	OSSL_PARAM_BLD *bld = NULL;
	BIGNUM *n = NULL, *e = NULL;
	EVP_PKEY *pkey = NULL;
	const char *group;

	*appp = NULL;
	*applenp = 0;
	if (ak_wire_string(&w, &a, &alen) != 0)
		return NULL;
	switch (t) {
	case AK_KT_ED25519:
	case AK_KT_SK_ED25519:
		if (ak_wire_string(&w, &a, &alen) != 0 || alen != 32)
			return NULL;
		if (t == AK_KT_SK_ED25519 &&
		    ak_wire_string(&w, appp, applenp) != 0)
			return NULL;
		return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, a,
		    alen);
	case AK_KT_ECDSA_P256:
	case AK_KT_ECDSA_P384:
	case AK_KT_ECDSA_P521:
	case AK_KT_SK_ECDSA_P256:
		group = t == AK_KT_ECDSA_P384 ? "secp384r1" :
		    t == AK_KT_ECDSA_P521 ? "secp521r1" : "prime256v1";
		if (ak_wire_string(&w, &a, &alen) != 0 ||
		    ak_wire_string(&w, &b, &blen) != 0)
			return NULL;
		if (t == AK_KT_SK_ECDSA_P256 &&
		    ak_wire_string(&w, appp, applenp) != 0)
			return NULL;
		if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
		    !OSSL_PARAM_BLD_push_utf8_string(bld,
		    OSSL_PKEY_PARAM_GROUP_NAME, group, 0) ||
		    !OSSL_PARAM_BLD_push_octet_string(bld,
		    OSSL_PKEY_PARAM_PUB_KEY, b, blen))
			goto out;
		pkey = pkey_from_params("EC", bld);
		break;
	case AK_KT_RSA:
		if (ak_wire_mpint(&w, &a, &alen) != 0 ||
		    ak_wire_mpint(&w, &b, &blen) != 0)
			return NULL;
		if ((e = BN_bin2bn(a, (int)alen, NULL)) == NULL ||
		    (n = BN_bin2bn(b, (int)blen, NULL)) == NULL ||
		    (bld = OSSL_PARAM_BLD_new()) == NULL ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
			goto out;
		pkey = pkey_from_params("RSA", bld);
		break;
	default:
		return NULL;
	}
 out:
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return pkey;
}

/* Turns SSH's (mpint r, mpint s) into the DER form OpenSSL verifies. */
static int
ecdsa_der(const unsigned char *sig, size_t len, unsigned char **derp,
    size_t *derlenp)
{
	struct ak_wire w = { sig, len };
	const unsigned char *rb, *sb;
	size_t rlen, slen;
	ECDSA_SIG *esig = NULL;
	BIGNUM *r = NULL, *s = NULL;
	unsigned char *der = NULL;
	int n, ret = AK_ERR_SIGNATURE;

	*derp = NULL;
	if (ak_wire_mpint(&w, &rb, &rlen) != 0 ||
	    ak_wire_mpint(&w, &sb, &slen) != 0 || w.len != 0)
		return AK_ERR_SIGNATURE;
	if ((esig = ECDSA_SIG_new()) == NULL ||
	    (r = BN_bin2bn(rb, (int)rlen, NULL)) == NULL ||
	    (s = BN_bin2bn(sb, (int)slen, NULL)) == NULL)
		goto out;
	if (!ECDSA_SIG_set0(esig, r, s))
		goto out;
	r = s = NULL;
	if ((n = i2d_ECDSA_SIG(esig, &der)) <= 0)
		goto out;
	*derp = der;
	*derlenp = (size_t)n;
	ret = 0;
 out:
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(esig);
	return ret;
}

/* A FIDO signer's key: its application string, from its blob. */
struct sk_key {
	const unsigned char *app;
	size_t applen;
};

#define WEBAUTHN_0	"{\"type\":\"webauthn.get\",\"challenge\":\""
#define WEBAUTHN_1	"\",\"origin\":\""
#define WEBAUTHN_2	"\""
#define FLAG_AD		0x40	/* attested credential data */
#define FLAG_ED		0x80	/* extension data */

/*
 * A webauthn signature signs clientData, a JSON text that must begin with
 * the type, the data as challenge (base64url, unpadded) and the origin, in
 * that order; SHA256(clientData) then stands for SHA256(data). As
 * OpenSSH's ssh-ecdsa-sk.c, no JSON is parsed and what follows the origin
 * is ignored.
 */
static int
webauthn_hash(const unsigned char *data, size_t datalen,
    const unsigned char *origin, size_t originlen,
    const unsigned char *cd, size_t cdlen, uint8_t flags, size_t extlen,
    unsigned char *h)
{
	struct ak_buf m;
	char *b64 = NULL;
	size_t i, b64max = (datalen + 2) / 3 * 4 + 1;
	long n;
	int r = AK_ERR_SIGNATURE;

	if (memchr(origin, '"', originlen) != NULL ||
	    memchr(origin, '\0', originlen) != NULL ||
	    (flags & FLAG_AD) != 0 ||
	    ((flags & FLAG_ED) == 0) != (extlen == 0))
		return AK_ERR_SIGNATURE;
	if ((b64 = malloc(b64max)) == NULL)
		return AK_ERR_ALLOC;
	if ((n = ak_b64_encode(data, datalen, b64, b64max, 0)) < 0) {
		free(b64);
		return AK_ERR_INTERNAL;
	}
	for (i = 0; i < (size_t)n; i++) {
		if (b64[i] == '+')
			b64[i] = '-';
		else if (b64[i] == '/')
			b64[i] = '_';
	}
	ak_buf_init(&m, b64max + originlen + 64);
	ak_buf_put(&m, WEBAUTHN_0, sizeof(WEBAUTHN_0) - 1);
	ak_buf_put(&m, b64, (size_t)n);
	ak_buf_put(&m, WEBAUTHN_1, sizeof(WEBAUTHN_1) - 1);
	ak_buf_put(&m, origin, originlen);
	ak_buf_put(&m, WEBAUTHN_2, sizeof(WEBAUTHN_2) - 1);
	if (m.err != 0)
		r = m.err;
	else if (cdlen >= m.len && memcmp(cd, m.p, m.len) == 0 &&
	    EVP_Digest(cd, cdlen, h, NULL, EVP_sha256(), NULL) == 1)
		r = 0;
	ak_buf_free(&m);
	free(b64);
	return r;
}

/*
 * Rebuilds what a FIDO authenticator signed over data: the application
 * hash, flags, counter, extensions and the message hash (mh, from the
 * data or from webauthn's clientData). Returns 0 or AK_ERR_*.
 */
static int
sk_message(const struct sk_key *sk, uint8_t flags, uint32_t counter,
    const unsigned char *ext, size_t extlen, const unsigned char *mh,
    struct ak_buf *out)
{
	unsigned char ah[EVP_MAX_MD_SIZE];

	if (EVP_Digest(sk->app, sk->applen, ah, NULL, EVP_sha256(),
	    NULL) != 1)
		return AK_ERR_SIGNATURE;
	ak_buf_init(out, 32 + 1 + 4 + extlen + 32);
	ak_buf_put(out, ah, 32);
	ak_buf_put_u8(out, flags);
	ak_buf_put_u32(out, counter);
	ak_buf_put(out, ext, extlen);
	ak_buf_put(out, mh, 32);
	return out->err;
}

/*
 * A FIDO signature (PROTOCOL.u2f): string type, string signature,
 * byte flags, uint32 counter, and for webauthn string origin,
 * string clientData, string extensions. On success, *msg holds what the
 * authenticator signed and *sbp, *sblenp the signature value.
 */
static int
sk_parse(enum ak_key_type t, const struct sk_key *sk,
    const unsigned char *st, size_t stlen, struct ak_wire *w,
    const unsigned char *data, size_t datalen,
    const unsigned char **sbp, size_t *sblenp, struct ak_buf *msg)
{
	const unsigned char *origin = NULL, *cd = NULL, *ext = NULL;
	size_t originlen = 0, cdlen = 0, extlen = 0;
	unsigned char mh[EVP_MAX_MD_SIZE];
	uint8_t flags;
	uint32_t counter;
	int webauthn = 0, r;

#define ST_IS(n) (stlen == strlen(n) && memcmp(st, n, stlen) == 0)
	if (t == AK_KT_SK_ED25519) {
		if (!ST_IS("sk-ssh-ed25519@openssh.com"))
			return AK_ERR_SIGNATURE;
	} else if (ST_IS("webauthn-sk-ecdsa-sha2-nistp256@openssh.com")) {
		webauthn = 1;
	} else if (!ST_IS("sk-ecdsa-sha2-nistp256@openssh.com")) {
		return AK_ERR_SIGNATURE;
	}
#undef ST_IS
	if (ak_wire_string(w, sbp, sblenp) != 0 ||
	    ak_wire_u8(w, &flags) != 0 || ak_wire_u32(w, &counter) != 0)
		return AK_ERR_SIGNATURE;
	if (webauthn && (ak_wire_string(w, &origin, &originlen) != 0 ||
	    ak_wire_string(w, &cd, &cdlen) != 0 ||
	    ak_wire_string(w, &ext, &extlen) != 0))
		return AK_ERR_SIGNATURE;
	if (w->len != 0)
		return AK_ERR_SIGNATURE;
	if (webauthn) {
		if ((r = webauthn_hash(data, datalen, origin, originlen, cd,
		    cdlen, flags, extlen, mh)) != 0)
			return r;
	} else if (EVP_Digest(data, datalen, mh, NULL, EVP_sha256(),
	    NULL) != 1) {
		return AK_ERR_SIGNATURE;
	}
	return sk_message(sk, flags, counter, ext, extlen, mh, msg);
}

/* Checks the inner signature (string type, string bytes...) over data. */
static int
verify_raw(enum ak_key_type t, EVP_PKEY *pkey, const struct sk_key *sk,
    const unsigned char *sig, size_t siglen, const unsigned char *data,
    size_t datalen)
{
	struct ak_wire w = { sig, siglen };
	const unsigned char *st, *sb;
	size_t stlen, sblen, derlen = 0;
	unsigned char *der = NULL;
	const EVP_MD *md = NULL;
	EVP_MD_CTX *ctx = NULL;
	struct ak_buf skmsg;
	int ret = AK_ERR_SIGNATURE;

	ak_buf_init(&skmsg, 0);
	if (ak_wire_string(&w, &st, &stlen) != 0)
		return AK_ERR_SIGNATURE;
	if (t == AK_KT_SK_ED25519 || t == AK_KT_SK_ECDSA_P256) {
		if ((ret = sk_parse(t, sk, st, stlen, &w, data, datalen, &sb,
		    &sblen, &skmsg)) != 0)
			goto out;
		ret = AK_ERR_SIGNATURE;
		data = skmsg.p;
		datalen = skmsg.len;
	} else if (ak_wire_string(&w, &sb, &sblen) != 0 || w.len != 0) {
		return AK_ERR_SIGNATURE;
	}
#define ST_IS(n) (stlen == strlen(n) && memcmp(st, n, stlen) == 0)
	switch (t) {
	case AK_KT_ED25519:
		if (!ST_IS("ssh-ed25519"))
			return AK_ERR_SIGNATURE;
		/* FALLTHROUGH */
	case AK_KT_SK_ED25519:
		if (sblen != 64)
			goto out;
		break;
	case AK_KT_ECDSA_P256:
	case AK_KT_ECDSA_P384:
	case AK_KT_ECDSA_P521:
	case AK_KT_SK_ECDSA_P256:
		if (t != AK_KT_SK_ECDSA_P256 && !ST_IS(ak_key_type_name(t)))
			return AK_ERR_SIGNATURE;
		md = t == AK_KT_ECDSA_P384 ? EVP_sha384() :
		    t == AK_KT_ECDSA_P521 ? EVP_sha512() : EVP_sha256();
		if (ecdsa_der(sb, sblen, &der, &derlen) != 0)
			goto out;
		sb = der;
		sblen = derlen;
		break;
	case AK_KT_RSA:
		/* SHA-1 "ssh-rsa" signatures are refused, as OpenSSH does. */
		if (ST_IS("rsa-sha2-256"))
			md = EVP_sha256();
		else if (ST_IS("rsa-sha2-512"))
			md = EVP_sha512();
		else
			return AK_ERR_SIGNATURE;
		if (EVP_PKEY_get_bits(pkey) < 2048)
			return AK_ERR_SIGNATURE;
		break;
	default:
		return AK_ERR_SIGNATURE;
	}
#undef ST_IS
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		goto out;
	if (EVP_DigestVerifyInit(ctx, NULL, md, NULL, pkey) == 1 &&
	    EVP_DigestVerify(ctx, sb, sblen, data, datalen) == 1)
		ret = 0;
 out:
	EVP_MD_CTX_free(ctx);
	OPENSSL_free(der);
	ak_buf_free(&skmsg);
	return ret;
}

/* ak_sshsig_verify, saying which signer's key made the signature. */
static int
verify_one(const unsigned char *sig, size_t siglen, const void *msg,
    size_t msglen, const char *ns, const struct ak_signers *signers,
    time_t now, const struct ak_signer **sgp)
{
	struct ak_wire w;
	const unsigned char *pk, *sns, *res, *halg, *isig;
	size_t pklen, snslen, reslen, halglen, isiglen;
	unsigned char h[EVP_MAX_MD_SIZE];
	struct ak_buf data;
	unsigned int hlen;
	const struct ak_signer *sg;
	struct sk_key sk;
	const EVP_MD *md;
	EVP_PKEY *pkey = NULL;
	uint32_t version;
	int r = AK_ERR_FORMAT;

	if (siglen < MAGIC_LEN || memcmp(sig, MAGIC, MAGIC_LEN) != 0)
		return AK_ERR_FORMAT;
	w.p = sig + MAGIC_LEN;
	w.len = siglen - MAGIC_LEN;
	if (ak_wire_u32(&w, &version) != 0 || version != 1 ||
	    ak_wire_string(&w, &pk, &pklen) != 0 ||
	    ak_wire_string(&w, &sns, &snslen) != 0 ||
	    ak_wire_string(&w, &res, &reslen) != 0 ||
	    ak_wire_string(&w, &halg, &halglen) != 0 ||
	    ak_wire_string(&w, &isig, &isiglen) != 0 || w.len != 0)
		return AK_ERR_FORMAT;
	if (snslen != strlen(ns) || memcmp(sns, ns, snslen) != 0)
		return AK_ERR_NAMESPACE;
	if (halglen == 6 && memcmp(halg, "sha256", 6) == 0)
		md = EVP_sha256();
	else if (halglen == 6 && memcmp(halg, "sha512", 6) == 0)
		md = EVP_sha512();
	else
		return AK_ERR_FORMAT;
	if ((sg = ak_signers_find(signers, pk, pklen, ns, now, &r)) == NULL)
		return r;
	if ((pkey = pkey_from_blob(sg->type, sg->blob, sg->bloblen, &sk.app,
	    &sk.applen)) == NULL)
		return AK_ERR_UNTRUSTED;
	r = AK_ERR_SIGNATURE;
	if (EVP_Digest(msg, msglen, h, &hlen, md, NULL) != 1)
		goto out;
	ak_buf_init(&data, MAGIC_LEN + 4 * 4 + snslen + reslen + halglen +
	    hlen);
	ak_buf_put(&data, MAGIC, MAGIC_LEN);
	ak_buf_put_string(&data, sns, snslen);
	ak_buf_put_string(&data, res, reslen);
	ak_buf_put_string(&data, halg, halglen);
	ak_buf_put_string(&data, h, hlen);
	if ((r = data.err) == 0)
		r = verify_raw(sg->type, pkey, &sk, isig, isiglen, data.p,
		    data.len);
	ak_buf_free(&data);
	if (r == 0)
		*sgp = sg;
 out:
	EVP_PKEY_free(pkey);
	return r;
}

int
ak_sshsig_verify(const unsigned char *sig, size_t siglen, const void *msg,
    size_t msglen, const char *ns, const struct ak_signers *signers,
    time_t now)
{
	const struct ak_signer *sg;

	return verify_one(sig, siglen, msg, msglen, ns, signers, now, &sg);
}

/*
 * ak_sshsig_signed_by, stopping once enough distinct keys (stop) signed:
 * a key already counted is not verified again, so sixteen copies of one
 * signature cost one verification.
 */
static int
count_signers(const struct ak_doc *doc, const char *ns,
    const struct ak_signers *signers, time_t now,
    unsigned char keys[][32], size_t *np, size_t stop)
{
	const struct ak_signer *sg;
	unsigned char h[32];
	size_t i, j;
	int r, first = AK_ERR_SIGNATURE;

	*np = 0;
	for (i = 0; i < doc->nsigs && *np < stop; i++) {
		r = ak_signers_sig_key(doc->sigs[i].blob, doc->sigs[i].len, h);
		for (j = 0; r == 0 && j < *np && memcmp(keys[j], h, 32) != 0;
		    j++)
			;
		if (r == 0 && j < *np)
			continue;
		r = verify_one(doc->sigs[i].blob, doc->sigs[i].len, doc->buf,
		    doc->signed_len, ns, signers, now, &sg);
		if (r != 0) {
			if (i == 0)
				first = r;
			continue;
		}
		memcpy(keys[(*np)++], h, 32);
	}
	return *np > 0 ? 0 : first;
}

int
ak_sshsig_signed_by(const struct ak_doc *doc, const char *ns,
    const struct ak_signers *signers, time_t now,
    unsigned char keys[][32], size_t *np)
{
	return count_signers(doc, ns, signers, now, keys, np,
	    AK_DOC_SIGS_MAX);
}

int
ak_sshsig_verify_doc(const struct ak_doc *doc, const char *ns,
    const struct ak_signers *signers, time_t now)
{
	unsigned char keys[AK_DOC_SIGS_MAX][32];
	size_t n, k = ak_signers_threshold(signers);
	int r;

	if ((r = count_signers(doc, ns, signers, now, keys, &n, k)) != 0)
		return r;
	return n >= k ? 0 : AK_ERR_THRESHOLD;
}

/* Significant bits of the big-endian number in n bytes at p. */
static unsigned int
be_bits(const unsigned char *p, size_t n)
{
	unsigned int b;

	for (; n > 0 && *p == 0; p++, n--)
		;
	if (n == 0)
		return 0;
	for (b = 8; b > 0 && (*p & (1u << (b - 1))) == 0; b--)
		;
	return (unsigned int)(n - 1) * 8 + b;
}

/*
 * The three curves, made once per process: publish checks a key per line
 * and building a group is most of a check's cost. Never freed.
 */
static EC_GROUP *ec_groups[3];

int
ak_sshsig_key_check(enum ak_key_type t, const unsigned char *blob,
    size_t len)
{
	static const int nids[3] = { NID_X9_62_prime256v1, NID_secp384r1,
	    NID_secp521r1 };
	static const size_t clens[3] = { 32, 48, 66 };
	static const unsigned int order_bits[3] = { 256, 384, 521 };
	struct ak_wire w = { blob, len };
	const unsigned char *q, *s1;
	size_t qlen, l1, clen;
	EC_POINT *pt = NULL;
	int i, ok;

	/*
	 * Ed25519 and RSA: OpenSSH takes any blob of the form our parser
	 * checked (32 bytes; e and n with n of at least 1024 bits, and the
	 * policy's min_rsa_bits on top). FIDO keys: the authenticator's.
	 */
	if (t == AK_KT_ECDSA_P256)
		i = 0;
	else if (t == AK_KT_ECDSA_P384)
		i = 1;
	else if (t == AK_KT_ECDSA_P521)
		i = 2;
	else
		return 0;
	clen = clens[i];
	if (ak_wire_string(&w, &s1, &l1) != 0 ||
	    ak_wire_string(&w, &s1, &l1) != 0 ||
	    ak_wire_string(&w, &q, &qlen) != 0 || w.len != 0 ||
	    qlen != 1 + 2 * clen || q[0] != 0x04)
		return AK_ERR_KEY_INVALID;
	/* As OpenSSH: both coordinates wider than half the group order. */
	if (be_bits(q + 1, clen) <= order_bits[i] / 2 ||
	    be_bits(q + 1 + clen, clen) <= order_bits[i] / 2)
		return AK_ERR_KEY_INVALID;
	/*
	 * On the curve (these curves' order is prime, cofactor 1: a point
	 * on them other than infinity is in the group).
	 */
	if (ec_groups[i] == NULL &&
	    (ec_groups[i] = EC_GROUP_new_by_curve_name(nids[i])) == NULL)
		return AK_ERR_ALLOC;
	if ((pt = EC_POINT_new(ec_groups[i])) == NULL)
		return AK_ERR_ALLOC;
	ok = EC_POINT_oct2point(ec_groups[i], pt, q, qlen, NULL) == 1 &&
	    EC_POINT_is_on_curve(ec_groups[i], pt, NULL) == 1 &&
	    !EC_POINT_is_at_infinity(ec_groups[i], pt);
	EC_POINT_free(pt);
	return ok ? 0 : AK_ERR_KEY_INVALID;
}
