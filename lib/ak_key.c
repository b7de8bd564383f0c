/*
 * authorized_keys lines: options, key type and blob (each type's wire
 * format checked), RSA size, comment and SHA256 fingerprint.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ak_b64.h"
#include "ak_err.h"
#include "ak_key.h"
#include "ak_sha256.h"
#include "ak_valid.h"
#include "ak_wire.h"

static const struct {
	enum ak_key_type type;
	const char *name;
	const char *curve;
	size_t qlen;
	unsigned int bits;
} key_types[] = {
	{ AK_KT_ED25519, "ssh-ed25519", NULL, 32, 256 },
	{ AK_KT_ECDSA_P256, "ecdsa-sha2-nistp256", "nistp256", 65, 256 },
	{ AK_KT_ECDSA_P384, "ecdsa-sha2-nistp384", "nistp384", 97, 384 },
	{ AK_KT_ECDSA_P521, "ecdsa-sha2-nistp521", "nistp521", 133, 521 },
	{ AK_KT_SK_ED25519, "sk-ssh-ed25519@openssh.com", NULL, 32, 256 },
	{ AK_KT_SK_ECDSA_P256, "sk-ecdsa-sha2-nistp256@openssh.com",
	    "nistp256", 65, 256 },
	{ AK_KT_RSA, "ssh-rsa", NULL, 0, 0 },
};
#define NKEY_TYPES	(sizeof(key_types) / sizeof(key_types[0]))

enum ak_key_type
ak_key_type_from_name(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < NKEY_TYPES; i++) {
		if (strlen(key_types[i].name) == len &&
		    memcmp(key_types[i].name, name, len) == 0)
			return key_types[i].type;
	}
	return AK_KT_UNKNOWN;
}

const char *
ak_key_type_name(enum ak_key_type t)
{
	size_t i;

	for (i = 0; i < NKEY_TYPES; i++) {
		if (key_types[i].type == t)
			return key_types[i].name;
	}
	return "unknown";
}

void
ak_key_fingerprint(const unsigned char *blob, size_t len, char *out)
{
	unsigned char d[AK_SHA256_LEN];

	ak_sha256(blob, len, d);
	ak_key_fingerprint_of_hash(d, out);
}

void
ak_key_fingerprint_of_hash(const unsigned char h[AK_SHA256_LEN], char *out)
{
	memcpy(out, "SHA256:", 7);
	(void)ak_b64_encode(h, AK_SHA256_LEN, out + 7, AK_FPR_LEN + 1 - 7, 0);
}

/* Checks the structure of a decoded key blob against its claimed type. */
static int
check_blob(enum ak_key_type t, const unsigned char *blob, size_t len,
    unsigned int *bitsp)
{
	struct ak_wire w = { blob, len };
	const unsigned char *s;
	size_t slen, i;
	int r;

	for (i = 0; i < NKEY_TYPES && key_types[i].type != t; i++)
		;
	if (i == NKEY_TYPES)
		return AK_ERR_KEY_TYPE;
	if ((r = ak_wire_expect(&w, key_types[i].name)) != 0)
		return AK_ERR_KEY_INVALID;
	switch (t) {
	case AK_KT_RSA: {
		const unsigned char *n;
		size_t nlen;
		unsigned int bits;
		unsigned char top;

		if (ak_wire_mpint(&w, &s, &slen) != 0 ||
		    ak_wire_mpint(&w, &n, &nlen) != 0)
			return AK_ERR_KEY_INVALID;
		if (nlen > 16384 / 8 || nlen < 64 || slen > 8)
			return AK_ERR_KEY_INVALID;
		bits = (unsigned int)nlen * 8;
		for (top = n[0]; (top & 0x80) == 0;
		    top = (unsigned char)(top << 1))
			bits--;
		*bitsp = bits;
		break;
	}
	case AK_KT_ECDSA_P256:
	case AK_KT_ECDSA_P384:
	case AK_KT_ECDSA_P521:
	case AK_KT_SK_ECDSA_P256:
		if (ak_wire_expect(&w, key_types[i].curve) != 0 ||
		    ak_wire_string(&w, &s, &slen) != 0 ||
		    slen != key_types[i].qlen || s[0] != 0x04)
			return AK_ERR_KEY_INVALID;
		*bitsp = key_types[i].bits;
		break;
	default:
		if (ak_wire_string(&w, &s, &slen) != 0 ||
		    slen != key_types[i].qlen)
			return AK_ERR_KEY_INVALID;
		*bitsp = key_types[i].bits;
		break;
	}
	if (t == AK_KT_SK_ED25519 || t == AK_KT_SK_ECDSA_P256) {
		/* The FIDO application string, "ssh:..." by convention. */
		if (ak_wire_string(&w, &s, &slen) != 0 || slen == 0)
			return AK_ERR_KEY_INVALID;
	}
	if (w.len != 0)
		return AK_ERR_KEY_INVALID;
	return 0;
}

static int
decode_key(enum ak_key_type t, const char *b64, size_t b64len,
    unsigned char **blobp, size_t *lenp, unsigned int *bitsp)
{
	unsigned char *blob;
	size_t max = AK_B64_DECODED_MAX(b64len);
	long n;
	int r;

	*blobp = NULL;
	/* Padded, as OpenSSH's b64_pton insists: sshd would skip the line. */
	if (b64len % 4 != 0)
		return AK_ERR_KEY_INVALID;
	if ((blob = malloc(max)) == NULL)
		return AK_ERR_ALLOC;
	if ((n = ak_b64_decode(b64, b64len, blob, max)) <= 0) {
		free(blob);
		return AK_ERR_KEY_INVALID;
	}
	if ((r = check_blob(t, blob, (size_t)n, bitsp)) != 0) {
		free(blob);
		return r;
	}
	*blobp = blob;
	*lenp = (size_t)n;
	return 0;
}

int
ak_key_parse_pub(const char *type, const char *b64, size_t b64len,
    unsigned char **blobp, size_t *lenp, enum ak_key_type *typep)
{
	unsigned int bits;

	*blobp = NULL;
	if ((*typep = ak_key_type_from_name(type, strlen(type))) ==
	    AK_KT_UNKNOWN)
		return AK_ERR_KEY_TYPE;
	return decode_key(*typep, b64, b64len, blobp, lenp, &bits);
}

#define CERT_SUFFIX	"-cert-v01@openssh.com"

/* How many key fields follow the nonce in a certificate of type t. */
static int
cert_key_fields(enum ak_key_type t)
{
	switch (t) {
	case AK_KT_ED25519:
		return 1;
	case AK_KT_SK_ECDSA_P256:
		return 3;
	default:
		return 2;	/* ECDSA: curve, point; RSA: e, n; sk-ed25519 */
	}
}

/* The plain key type a certificate type certifies, or AK_KT_UNKNOWN. */
static enum ak_key_type
cert_base_type(const char *type)
{
	size_t tl = strlen(type), sl = strlen(CERT_SUFFIX);
	char base[64];

	if (tl <= sl || tl - sl + 13 > sizeof(base) ||
	    strcmp(type + tl - sl, CERT_SUFFIX) != 0)
		return AK_KT_UNKNOWN;
	memcpy(base, type, tl - sl);
	base[tl - sl] = '\0';
	/* sk-ssh-ed25519-cert-v01@openssh.com: sk-ssh-ed25519@openssh.com */
	if (strncmp(base, "sk-", 3) == 0)
		memcpy(base + tl - sl, "@openssh.com", 13);
	return ak_key_type_from_name(base, strlen(base));
}

int
ak_key_parse_cert(const char *type, const char *b64, size_t b64len,
    unsigned char **blobp, size_t *lenp, enum ak_key_type *typep,
    char *ca_fpr)
{
	unsigned char *cert = NULL, *plain = NULL;
	const unsigned char *s, *kstart, *ca = NULL;
	size_t max = AK_B64_DECODED_MAX(b64len), slen, klen, calen = 0, nl;
	struct ak_wire w;
	const char *name;
	unsigned int bits;
	uint32_t u;
	long n;
	int i, r = AK_ERR_KEY_INVALID;

	*blobp = NULL;
	if ((*typep = cert_base_type(type)) == AK_KT_UNKNOWN)
		return AK_ERR_KEY_TYPE;
	if (b64len % 4 != 0)
		return AK_ERR_KEY_INVALID;
	if ((cert = malloc(max)) == NULL)
		return AK_ERR_ALLOC;
	if ((n = ak_b64_decode(b64, b64len, cert, max)) <= 0)
		goto out;
	w.p = cert;
	w.len = (size_t)n;
	if (ak_wire_expect(&w, type) != 0 ||
	    ak_wire_string(&w, &s, &slen) != 0)	/* nonce */
		goto out;
	kstart = w.p;
	for (i = 0; i < cert_key_fields(*typep); i++)
		if (ak_wire_string(&w, &s, &slen) != 0)
			goto out;
	klen = (size_t)(w.p - kstart);
	/* serial (u64), type, key id, principals, validity, options, ... */
	if (ak_wire_u32(&w, &u) != 0 || ak_wire_u32(&w, &u) != 0 ||
	    ak_wire_u32(&w, &u) != 0)
		goto out;
	for (i = 0; i < 2; i++)
		if (ak_wire_string(&w, &s, &slen) != 0)
			goto out;
	for (i = 0; i < 4; i++)
		if (ak_wire_u32(&w, &u) != 0)
			goto out;
	for (i = 0; i < 3; i++)
		if (ak_wire_string(&w, &s, &slen) != 0)
			goto out;
	if (ak_wire_string(&w, &ca, &calen) != 0 || calen == 0 ||
	    ak_wire_string(&w, &s, &slen) != 0 || w.len != 0)
		goto out;
	name = ak_key_type_name(*typep);
	nl = strlen(name);
	if ((plain = malloc(4 + nl + klen)) == NULL) {
		r = AK_ERR_ALLOC;
		goto out;
	}
	plain[0] = (unsigned char)(nl >> 24);
	plain[1] = (unsigned char)(nl >> 16);
	plain[2] = (unsigned char)(nl >> 8);
	plain[3] = (unsigned char)nl;
	memcpy(plain + 4, name, nl);
	memcpy(plain + 4 + nl, kstart, klen);
	if ((r = check_blob(*typep, plain, 4 + nl + klen, &bits)) != 0)
		goto out;
	ak_key_fingerprint(ca, calen, ca_fpr);
	*blobp = plain;
	*lenp = 4 + nl + klen;
	plain = NULL;
	r = 0;
 out:
	free(plain);
	free(cert);
	return r;
}

/*
 * Splits an options field into names, as sshd's auth-options.c reads it:
 * name or name="value", comma separated, '\"' escapes a quote in a value.
 * Returns the length of the field (up to unquoted white space).
 */
static int
parse_options(const char *s, size_t len, struct ak_key_line *kl,
    size_t *usedp)
{
	size_t i = 0, n;
	int r = AK_ERR_FORMAT;

	kl->nopts = 0;
	for (;;) {
		struct ak_key_opt *o;

		if (kl->nopts >= AK_MAX_OPTIONS)
			return AK_ERR_TOO_LARGE;
		o = &kl->opts[kl->nopts];
		for (n = 0; i < len && (s[i] == '-' ||
		    (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')); i++, n++) {
			if (n >= sizeof(o->name) - 1)
				return AK_ERR_FORMAT;
			o->name[n] = (char)(s[i] >= 'A' && s[i] <= 'Z' ?
			    s[i] - 'A' + 'a' : s[i]);
		}
		if (n == 0)
			return r;
		o->name[n] = '\0';
		o->has_value = 0;
		if (i < len && s[i] == '=') {
			if (++i >= len || s[i] != '"')
				return r;
			for (i++; i < len && s[i] != '"'; i++) {
				if (s[i] == '\\' && i + 1 < len &&
				    s[i + 1] == '"')
					i++;
			}
			if (i >= len)
				return r;	/* unterminated quote */
			i++;
			o->has_value = 1;
		}
		kl->nopts++;
		if (i < len && s[i] == ',') {
			i++;
			continue;
		}
		if (i < len && s[i] != ' ' && s[i] != '\t')
			return r;
		break;
	}
	*usedp = i;
	return 0;
}

int
ak_key_option_value(const struct ak_key_line *kl, const char *name,
    char *out, size_t outlen)
{
	const char *s;
	size_t i = 0, n, o;
	char cur[32];

	if (outlen > 0)
		out[0] = '\0';
	if (kl == NULL || kl->options == NULL || outlen == 0)
		return 0;
	s = kl->options;
	for (;;) {
		for (n = 0; s[i] == '-' || (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' &&
		    s[i] <= '9'); i++, n++) {
			if (n >= sizeof(cur) - 1)
				return 0;
			cur[n] = (char)(s[i] >= 'A' && s[i] <= 'Z' ?
			    s[i] - 'A' + 'a' : s[i]);
		}
		if (n == 0)
			return 0;
		cur[n] = '\0';
		o = 0;
		if (s[i] == '=') {
			if (s[++i] != '"')
				return 0;
			for (i++; s[i] != '\0' && s[i] != '"'; i++) {
				if (s[i] == '\\' && s[i + 1] == '"')
					i++;
				if (strcmp(cur, name) == 0 && o + 1 < outlen)
					out[o++] = s[i];
			}
			if (s[i] != '"')
				return 0;
			i++;
		}
		if (strcmp(cur, name) == 0) {
			out[o] = '\0';
			return 1;
		}
		if (s[i] != ',')
			return 0;
		i++;
	}
}

int
ak_key_options_check(const char *s)
{
	struct ak_key_line kl;
	size_t used, len = strlen(s);

	if (ak_has_ctrl(s, len) || parse_options(s, len, &kl, &used) != 0 ||
	    used != len)
		return AK_ERR_FORMAT;
	return 0;
}

static size_t
skip_ws(const char *s, size_t len, size_t i)
{
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

static size_t
token_end(const char *s, size_t len, size_t i)
{
	while (i < len && s[i] != ' ' && s[i] != '\t')
		i++;
	return i;
}

static char *
dup_range(const char *s, size_t len)
{
	char *d;

	if ((d = malloc(len + 1)) == NULL)
		return NULL;
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

static int
looks_like_type(const char *s, size_t len)
{
	return (len > 4 && memcmp(s, "ssh-", 4) == 0) ||
	    (len > 6 && memcmp(s, "ecdsa-", 6) == 0) ||
	    (len > 3 && memcmp(s, "sk-", 3) == 0);
}

int
ak_key_line_parse(const char *s, size_t len, struct ak_key_line **klp)
{
	struct ak_key_line *kl = NULL;
	size_t i, e, used;
	int r = AK_ERR_INTERNAL;

	*klp = NULL;
	if (len > AK_LINE_MAX)
		return AK_ERR_TOO_LARGE;
	if (ak_has_ctrl(s, len) || memchr(s, '\0', len) != NULL)
		return AK_ERR_CONTROL_CHAR;
	if ((kl = calloc(1, sizeof(*kl))) == NULL)
		return AK_ERR_ALLOC;
	i = skip_ws(s, len, 0);
	e = token_end(s, len, i);
	if (e == i) {
		r = AK_ERR_FORMAT;
		goto out;
	}
	if ((kl->type = ak_key_type_from_name(s + i, e - i)) ==
	    AK_KT_UNKNOWN) {
		/* Not a key type: an options field must come first. */
		if ((r = parse_options(s + i, len - i, kl, &used)) != 0) {
			/* Say "key type" for certificates and the like. */
			if (looks_like_type(s + i, e - i))
				r = AK_ERR_KEY_TYPE;
			goto out;
		}
		if ((kl->options = dup_range(s + i, used)) == NULL) {
			r = AK_ERR_ALLOC;
			goto out;
		}
		i = skip_ws(s, len, i + used);
		e = token_end(s, len, i);
		kl->type = ak_key_type_from_name(s + i, e - i);
	}
	if (kl->type == AK_KT_UNKNOWN) {
		/* Certificates, DSA and other key names; or just words. */
		r = looks_like_type(s + i, e - i) || (kl->options != NULL &&
		    looks_like_type(kl->options, strlen(kl->options))) ?
		    AK_ERR_KEY_TYPE : AK_ERR_FORMAT;
		goto out;
	}
	kl->type_name = ak_key_type_name(kl->type);
	i = skip_ws(s, len, e);
	e = token_end(s, len, i);
	if (e == i) {
		r = AK_ERR_FORMAT;
		goto out;
	}
	if ((r = decode_key(kl->type, s + i, e - i, &kl->blob, &kl->bloblen,
	    &kl->bits)) != 0)
		goto out;
	if ((kl->b64 = dup_range(s + i, e - i)) == NULL) {
		r = AK_ERR_ALLOC;
		goto out;
	}
	i = skip_ws(s, len, e);
	while (len > i && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (i < len && (kl->comment = dup_range(s + i, len - i)) == NULL) {
		r = AK_ERR_ALLOC;
		goto out;
	}
	ak_key_fingerprint(kl->blob, kl->bloblen, kl->fpr);
	*klp = kl;
	kl = NULL;
	r = 0;
 out:
	ak_key_line_free(kl);
	return r;
}

void
ak_key_line_free(struct ak_key_line *kl)
{
	if (kl == NULL)
		return;
	free(kl->options);
	free(kl->b64);
	free(kl->comment);
	free(kl->blob);
	free(kl);
}
