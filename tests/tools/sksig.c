/*
 * Makes what a FIDO security key would: SSHSIG signatures by
 * sk-ssh-ed25519 and sk-ecdsa-sha2-nistp256 keys, plain or webauthn, built
 * with OpenSSL per PROTOCOL.u2f and PROTOCOL.sshsig (there is no hardware
 * here). ssh-keygen -Y verify is the oracle the tests hold authkeys to.
 *
 *   sksig [options] -p          print the public key line
 *   sksig [options] -S < MSG    print the armored signature of MSG
 *
 * -t ed25519|ecdsa|webauthn  key and signature kind (default ed25519)
 * -s SEED       the private key is derived from SEED (default "sk")
 * -k SEED       sign with another key (the signature still names -s's)
 * -a APP        the key's application (default "ssh:")
 * -A APP        the application the "authenticator" signs with
 * -n NS         namespace (default authkeys)   -H sha256|sha512 hash
 * -F FLAGS      flags byte (default 1, user present)   -c COUNTER
 * -o ORIGIN     webauthn origin (default "ssh:")
 * -x TEXT       webauthn extensions (raw bytes)
 * -X SUFFIX     clientData after the origin (default "}")
 * -C CHALLENGE  webauthn challenge in place of the right one
 * -P            the webauthn challenge with its base64 padding
 * -K NAME       signature type name in place of the right one
 * -z            a trailing byte after the signature
 */
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ak_b64.h"
#include "ak_buf.h"

enum kind { ED, EC, WA };

struct opts {
	enum kind kind;
	const char *seed, *signseed, *app, *signapp, *ns, *hash, *origin, *ext;
	const char *suffix, *challenge, *tname;
	unsigned long flags, counter;
	int trailing, pad;
};

static EVP_PKEY *
make_key(const struct opts *o, const char *seed)
{
	unsigned char d[32];
	EVP_PKEY *pkey = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EC_KEY *ec = NULL;
	BIGNUM *x = NULL;
	EC_POINT *pub = NULL;

	EVP_Digest(seed, strlen(seed), d, NULL, EVP_sha256(), NULL);
	if (o->kind == ED)
		return EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, d,
		    32);
	(void)ctx;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
	ec = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
	x = BN_bin2bn(d, 32, NULL);
	pub = EC_POINT_new(EC_KEY_get0_group(ec));
	EC_POINT_mul(EC_KEY_get0_group(ec), pub, x, NULL, NULL, NULL);
	EC_KEY_set_private_key(ec, x);
	EC_KEY_set_public_key(ec, pub);
	pkey = EVP_PKEY_new();
	EVP_PKEY_assign_EC_KEY(pkey, ec);
#pragma GCC diagnostic pop
	EC_POINT_free(pub);
	BN_free(x);
	return pkey;
}

static void
put_cstr(struct ak_buf *b, const char *s)
{
	ak_buf_put_string(b, s, strlen(s));
}

static void
pub_blob(const struct opts *o, EVP_PKEY *k, struct ak_buf *b)
{
	unsigned char raw[65];
	size_t n = sizeof(raw);

	if (o->kind == ED) {
		EVP_PKEY_get_raw_public_key(k, raw, &n);
		put_cstr(b, "sk-ssh-ed25519@openssh.com");
	} else {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
		const EC_KEY *ec = EVP_PKEY_get0_EC_KEY(k);

		n = EC_POINT_point2oct(EC_KEY_get0_group(ec),
		    EC_KEY_get0_public_key(ec), POINT_CONVERSION_UNCOMPRESSED,
		    raw, sizeof(raw), NULL);
#pragma GCC diagnostic pop
		put_cstr(b, "sk-ecdsa-sha2-nistp256@openssh.com");
		put_cstr(b, "nistp256");
	}
	ak_buf_put_string(b, raw, n);
	put_cstr(b, o->app);
}

static char *
b64(const unsigned char *p, size_t n, int pad)
{
	size_t max = (n + 2) / 3 * 4 + 1;
	char *s = malloc(max);

	if (s == NULL || ak_b64_encode(p, n, s, max, pad) < 0)
		exit(1);
	return s;
}

/* SSH mpint of a BIGNUM. */
static void
put_mpint(struct ak_buf *b, const BIGNUM *v)
{
	unsigned char t[80];
	int n = BN_bn2bin(v, t + 1);

	t[0] = 0;
	if (t[1] & 0x80)
		ak_buf_put_string(b, t, (size_t)n + 1);
	else
		ak_buf_put_string(b, t + 1, (size_t)n);
}

static void
sign(const struct opts *o, EVP_PKEY *k, const unsigned char *data,
    size_t datalen, struct ak_buf *sig)
{
	unsigned char ah[32], mh[32], s[256];
	struct ak_buf m, cd, inner;
	size_t slen = sizeof(s);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	const char *tn;
	char *ch;
	size_t i;

	ak_buf_init(&m, 1 << 20);
	ak_buf_init(&cd, 1 << 20);
	ak_buf_init(&inner, 1 << 20);
	EVP_Digest(o->signapp, strlen(o->signapp), ah, NULL, EVP_sha256(),
	    NULL);
	if (o->kind == WA) {
		ch = o->challenge != NULL ? strdup(o->challenge) :
		    b64(data, datalen, o->pad);
		for (i = 0; ch[i] != '\0'; i++)
			ch[i] = ch[i] == '+' ? '-' : ch[i] == '/' ? '_' : ch[i];
		ak_buf_put(&cd, "{\"type\":\"webauthn.get\",\"challenge\":\"",
		    36);
		ak_buf_put(&cd, ch, strlen(ch));
		ak_buf_put(&cd, "\",\"origin\":\"", 12);
		ak_buf_put(&cd, o->origin, strlen(o->origin));
		ak_buf_put(&cd, "\"", 1);
		ak_buf_put(&cd, o->suffix, strlen(o->suffix));
		free(ch);
		EVP_Digest(cd.p, cd.len, mh, NULL, EVP_sha256(), NULL);
	} else {
		EVP_Digest(data, datalen, mh, NULL, EVP_sha256(), NULL);
	}
	ak_buf_put(&m, ah, 32);
	ak_buf_put_u8(&m, (uint8_t)o->flags);
	ak_buf_put_u32(&m, (uint32_t)o->counter);
	if (o->kind == WA)
		ak_buf_put(&m, o->ext, strlen(o->ext));
	ak_buf_put(&m, mh, 32);
	if (o->kind == ED) {
		EVP_DigestSignInit(ctx, NULL, NULL, NULL, k);
		EVP_DigestSign(ctx, s, &slen, m.p, m.len);
		tn = "sk-ssh-ed25519@openssh.com";
		ak_buf_put(&inner, s, slen);
	} else {
		const unsigned char *dp = s;
		ECDSA_SIG *es;

		EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, k);
		EVP_DigestSign(ctx, s, &slen, m.p, m.len);
		es = d2i_ECDSA_SIG(NULL, &dp, (long)slen);
		put_mpint(&inner, ECDSA_SIG_get0_r(es));
		put_mpint(&inner, ECDSA_SIG_get0_s(es));
		ECDSA_SIG_free(es);
		tn = o->kind == WA ?
		    "webauthn-sk-ecdsa-sha2-nistp256@openssh.com" :
		    "sk-ecdsa-sha2-nistp256@openssh.com";
	}
	put_cstr(sig, o->tname != NULL ? o->tname : tn);
	ak_buf_put_string(sig, inner.p, inner.len);
	ak_buf_put_u8(sig, (uint8_t)o->flags);
	ak_buf_put_u32(sig, (uint32_t)o->counter);
	if (o->kind == WA) {
		put_cstr(sig, o->origin);
		ak_buf_put_string(sig, cd.p, cd.len);
		put_cstr(sig, o->ext);
	}
	if (o->trailing)
		ak_buf_put_u8(sig, 0);
	EVP_MD_CTX_free(ctx);
	ak_buf_free(&m);
	ak_buf_free(&cd);
	ak_buf_free(&inner);
}

int
main(int argc, char **argv)
{
	struct opts o = { ED, "sk", NULL, "ssh:", NULL, "authkeys", "sha256",
	    "ssh:", "", "}", NULL, NULL, 1, 0, 0, 0 };
	struct ak_buf msg, pub, data, sig, blob;
	unsigned char h[64], buf[4096];
	unsigned int hlen;
	ssize_t n;
	int ch, mode = 0;
	char *s;
	size_t i;
	EVP_PKEY *k, *sk;

	while ((ch = getopt(argc, argv, "t:s:k:a:A:n:H:F:c:o:x:X:C:K:zPpS")) !=
	    -1) {
		switch (ch) {
		case 't':
			o.kind = strcmp(optarg, "ed25519") == 0 ? ED :
			    strcmp(optarg, "ecdsa") == 0 ? EC : WA;
			break;
		case 's': o.seed = optarg; break;
		case 'k': o.signseed = optarg; break;
		case 'a': o.app = optarg; break;
		case 'A': o.signapp = optarg; break;
		case 'n': o.ns = optarg; break;
		case 'H': o.hash = optarg; break;
		case 'F': o.flags = strtoul(optarg, NULL, 0); break;
		case 'c': o.counter = strtoul(optarg, NULL, 0); break;
		case 'o': o.origin = optarg; break;
		case 'x': o.ext = optarg; break;
		case 'X': o.suffix = optarg; break;
		case 'C': o.challenge = optarg; break;
		case 'K': o.tname = optarg; break;
		case 'z': o.trailing = 1; break;
		case 'P': o.pad = 1; break;
		case 'p': mode = 'p'; break;
		case 'S': mode = 'S'; break;
		default:
			fprintf(stderr, "usage: sksig [options] -p|-S\n");
			return 2;
		}
	}
	if (o.signapp == NULL)
		o.signapp = o.app;
	if (o.signseed == NULL)
		o.signseed = o.seed;
	if ((k = make_key(&o, o.seed)) == NULL ||
	    (sk = make_key(&o, o.signseed)) == NULL)
		return 1;
	ak_buf_init(&pub, 4096);
	pub_blob(&o, k, &pub);
	if (mode == 'p') {
		s = b64(pub.p, pub.len, 1);
		printf("%s %s sksig\n", o.kind == ED ?
		    "sk-ssh-ed25519@openssh.com" :
		    "sk-ecdsa-sha2-nistp256@openssh.com", s);
		free(s);
		ak_buf_free(&pub);
		EVP_PKEY_free(k);
		EVP_PKEY_free(sk);
		return 0;
	}
	if (mode != 'S')
		return 2;
	ak_buf_init(&msg, 1 << 24);
	while ((n = read(0, buf, sizeof(buf))) > 0)
		ak_buf_put(&msg, buf, (size_t)n);
	EVP_Digest(msg.p, msg.len, h, &hlen, strcmp(o.hash, "sha512") == 0 ?
	    EVP_sha512() : EVP_sha256(), NULL);
	ak_buf_init(&data, 4096);
	ak_buf_put(&data, "SSHSIG", 6);
	put_cstr(&data, o.ns);
	put_cstr(&data, "");
	put_cstr(&data, o.hash);
	ak_buf_put_string(&data, h, hlen);
	ak_buf_init(&sig, 4096);
	sign(&o, sk, data.p, data.len, &sig);
	ak_buf_init(&blob, 8192);
	ak_buf_put(&blob, "SSHSIG", 6);
	ak_buf_put_u32(&blob, 1);
	ak_buf_put_string(&blob, pub.p, pub.len);
	put_cstr(&blob, o.ns);
	put_cstr(&blob, "");
	put_cstr(&blob, o.hash);
	ak_buf_put_string(&blob, sig.p, sig.len);
	s = b64(blob.p, blob.len, 1);
	printf("-----BEGIN SSH SIGNATURE-----\n");
	for (i = 0; i < strlen(s); i += 70)
		printf("%.70s\n", s + i);
	printf("-----END SSH SIGNATURE-----\n");
	free(s);
	ak_buf_free(&pub);
	ak_buf_free(&msg);
	ak_buf_free(&data);
	ak_buf_free(&sig);
	ak_buf_free(&blob);
	EVP_PKEY_free(k);
	EVP_PKEY_free(sk);
	return 0;
}
