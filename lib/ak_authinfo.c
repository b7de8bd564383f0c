/*
 * sshd's SSH_AUTH_INFO_0 for the PAM module: which public key(s) the
 * session authenticated with (whether each is admitted is ak_keyset's to
 * say). Untrusted text in a bounded parse.
 */
#include <stdlib.h>
#include <string.h>

#include "ak_authinfo.h"
#include "ak_err.h"
#include "ak_key.h"
#include "ak_sha256.h"
#include "ak_valid.h"

#define CERT_SUFFIX	"-cert-v01@openssh.com"

static size_t
field(const char *s, const char *end, const char **f)
{
	while (s < end && *s == ' ')
		s++;
	*f = s;
	while (s < end && *s != ' ')
		s++;
	return (size_t)(s - *f);
}

static int
parse_publickey(const char *s, const char *end, struct ak_authinfo *ai)
{
	struct ak_authinfo_key *k;
	const char *t, *b;
	size_t tlen, blen, sl = strlen(CERT_SUFFIX);
	char type[64];
	int r;

	tlen = field(s, end, &t);
	blen = field(t + tlen, end, &b);
	if (tlen == 0 || blen == 0 || tlen >= sizeof(type))
		return AK_ERR_FORMAT;
	if (ai->nkeys >= AK_AUTHINFO_MAX_KEYS)
		return AK_ERR_TOO_LARGE;
	memcpy(type, t, tlen);
	type[tlen] = '\0';
	k = &ai->keys[ai->nkeys];
	if (tlen > sl && memcmp(t + tlen - sl, CERT_SUFFIX, sl) == 0) {
		if ((r = ak_key_parse_cert(type, b, blen, &k->blob,
		    &k->bloblen, &k->type, k->ca_fpr)) != 0)
			return r;
		ai->ncerts++;
	} else if ((r = ak_key_parse_pub(type, b, blen, &k->blob,
	    &k->bloblen, &k->type)) != 0)
		return r;
	ak_key_fingerprint(k->blob, k->bloblen, k->fpr);
	ak_sha256(k->blob, k->bloblen, k->hash);
	ai->nkeys++;
	return 0;
}

int
ak_authinfo_parse(const char *info, struct ak_authinfo *ai)
{
	const char *p, *end, *nl;
	size_t len;
	int r;

	memset(ai, 0, sizeof(*ai));
	if (info == NULL)
		return AK_ERR_NOT_FOUND;
	if ((len = strlen(info)) > AK_AUTHINFO_MAX)
		return AK_ERR_TOO_LARGE;
	for (p = info, end = info + len; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (ak_has_ctrl(p, (size_t)(nl - p)))
			return AK_ERR_FORMAT;
		if ((size_t)(nl - p) > 10 && memcmp(p, "publickey ", 10) == 0) {
			if ((r = parse_publickey(p + 10, nl, ai)) != 0)
				return r;
		}
		/* Other methods (keyboard-interactive...) say nothing here. */
	}
	return ai->nkeys == 0 ? AK_ERR_NOT_FOUND : 0;
}

void
ak_authinfo_clear(struct ak_authinfo *ai)
{
	size_t i;

	for (i = 0; i < AK_AUTHINFO_MAX_KEYS; i++)
		free(ai->keys[i].blob);
	memset(ai, 0, sizeof(*ai));
}

void
ak_authinfo_fprs(const struct ak_authinfo *ai, char *out, size_t len)
{
	size_t i, used = 0;

	if (len == 0)
		return;
	out[0] = '\0';
	for (i = 0; i < ai->nkeys; i++) {
		if (used + AK_FPR_LEN + 2 > len)
			break;
		if (used > 0)
			out[used++] = ',';
		memcpy(out + used, ai->keys[i].fpr, AK_FPR_LEN + 1);
		used += AK_FPR_LEN;
	}
}
