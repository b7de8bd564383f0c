/*
 * ssh-keygen's allowed_signers file (ssh-keygen(1) "ALLOWED SIGNERS"):
 * principals, namespaces=, valid-after=/valid-before= and the key, as
 * ssh-keygen -Y verify reads them; lines we cannot honour are refused.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ak_err.h"
#include "ak_file.h"
#include "ak_key.h"
#include "ak_log.h"
#include "ak_match.h"
#include "ak_sha256.h"
#include "ak_signers.h"
#include "ak_valid.h"
#include "ak_wire.h"

static const char *
skip_ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* End of a token that may hold "quoted" parts. */
static const char *
token_end(const char *p, const char *e)
{
	int q = 0;

	for (; p < e; p++) {
		if (*p == '"')
			q = !q;
		else if (!q && (*p == ' ' || *p == '\t'))
			break;
	}
	return q ? NULL : p;
}

static int
num(const char *s, size_t n)
{
	int v = 0;

	while (n-- > 0)
		v = v * 10 + (*s++ - '0');
	return v;
}

/* YYYYMMDD[HHMM[SS]][Z]: UTC with Z, local time without (as ssh-keygen). */
static int
parse_validity(const char *s, size_t len, time_t *tp)
{
	struct tm tm;
	int utc = 0;
	size_t i;

	if (len > 0 && s[len - 1] == 'Z') {
		utc = 1;
		len--;
	}
	if (len != 8 && len != 12 && len != 14)
		return AK_ERR_FORMAT;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return AK_ERR_FORMAT;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = num(s, 4) - 1900;
	tm.tm_mon = num(s + 4, 2) - 1;
	tm.tm_mday = num(s + 6, 2);
	if (len >= 12) {
		tm.tm_hour = num(s + 8, 2);
		tm.tm_min = num(s + 10, 2);
	}
	if (len == 14)
		tm.tm_sec = num(s + 12, 2);
	tm.tm_isdst = -1;
	*tp = utc ? timegm(&tm) : mktime(&tm);
	return *tp == (time_t)-1 ? AK_ERR_FORMAT : 0;
}

/*
 * Options: cert-authority, namespaces="..", valid-after="..",
 * valid-before="..".
 */
static int
parse_opts(const char *p, const char *e, struct ak_signer *sg, int *skip)
{
	while (p < e) {
		const char *ne = p, *v = NULL, *ve = NULL;

		while (ne < e && *ne != '=' && *ne != ',')
			ne++;
		if (ne < e && *ne == '=') {
			if (ne + 1 >= e || ne[1] != '"')
				return AK_ERR_FORMAT;
			v = ne + 2;
			for (ve = v; ve < e && *ve != '"'; ve++)
				;
			if (ve >= e)
				return AK_ERR_FORMAT;
		}
#define IS(n) ((size_t)(ne - p) == strlen(n) && \
    strncasecmp(p, n, strlen(n)) == 0)
		if (IS("cert-authority")) {
			*skip = 1;
		} else if (IS("namespaces") && v != NULL) {
			free(sg->namespaces);
			if ((sg->namespaces = strndup(v, (size_t)(ve - v))) ==
			    NULL)
				return AK_ERR_ALLOC;
		} else if (IS("valid-after") && v != NULL) {
			if (parse_validity(v, (size_t)(ve - v),
			    &sg->valid_after) != 0)
				return AK_ERR_FORMAT;
		} else if (IS("valid-before") && v != NULL) {
			if (parse_validity(v, (size_t)(ve - v),
			    &sg->valid_before) != 0)
				return AK_ERR_FORMAT;
		} else {
			return AK_ERR_FORMAT;
		}
#undef IS
		p = ve != NULL ? ve + 1 : ne;
		if (p < e && *p == ',')
			p++;
		else if (p < e)
			return AK_ERR_FORMAT;
	}
	return 0;
}

static int
parse_line(const char *p, const char *e, struct ak_signer *sg, int *skip)
{
	const char *t, *te, *b;
	char type[64];
	int r;

	/* Principals: any pattern list; every document is checked by key. */
	if ((te = token_end(p, e)) == NULL || te == p)
		return AK_ERR_FORMAT;
	p = skip_ws(te, e);
	if ((te = token_end(p, e)) == NULL || te == p)
		return AK_ERR_FORMAT;
	/* An options field, unless the token is a key type name. */
	if (ak_key_type_from_name(p, (size_t)(te - p)) == AK_KT_UNKNOWN &&
	    (memchr(p, '=', (size_t)(te - p)) != NULL ||
	    ((size_t)(te - p) >= 14 && strncasecmp(p, "cert-authority",
	    14) == 0))) {
		if ((r = parse_opts(p, te, sg, skip)) != 0)
			return r;
		p = skip_ws(te, e);
		te = token_end(p, e);
	}
	if (te == NULL || te == p || (size_t)(te - p) >= sizeof(type))
		return AK_ERR_FORMAT;
	memcpy(type, p, (size_t)(te - p));
	type[te - p] = '\0';
	t = skip_ws(te, e);
	for (b = t; b < e && *b != ' ' && *b != '\t'; b++)
		;
	if (b == t)
		return AK_ERR_FORMAT;
	r = ak_key_parse_pub(type, t, (size_t)(b - t), &sg->blob,
	    &sg->bloblen, &sg->type);
	if (r == AK_ERR_KEY_TYPE)
		*skip = 1;
	else if (r != 0)
		return r;
	return 0;
}

int
ak_signers_parse(const char *buf, size_t len, const char *name,
    struct ak_signers **sp)
{
	struct ak_signers *s = NULL;
	struct ak_signer sg, *tmp;
	const char *p = buf, *end = buf + len, *nl, *l;
	unsigned long lineno = 0;
	int r = 0, skip;

	*sp = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return AK_ERR_ALLOC;
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		lineno++;
		l = skip_ws(p, nl);
		if (l == nl || *l == '#')
			continue;
		if (ak_has_ctrl(l, (size_t)(nl - l))) {
			r = AK_ERR_CONTROL_CHAR;
			goto bad;
		}
		memset(&sg, 0, sizeof(sg));
		skip = 0;
		if ((r = parse_line(l, nl, &sg, &skip)) != 0 || skip) {
			free(sg.blob);
			free(sg.namespaces);
			if (r != 0)
				goto bad;
			ak_log(LOG_WARNING, "%s:%lu: signer not supported "
			    "(certificate authority or key type); skipped",
			    name, lineno);
			continue;
		}
		if ((tmp = reallocarray(s->s, s->n + 1, sizeof(*tmp))) ==
		    NULL) {
			free(sg.blob);
			free(sg.namespaces);
			r = AK_ERR_ALLOC;
			goto out;
		}
		s->s = tmp;
		s->s[s->n++] = sg;
		s->windows |= sg.valid_after != 0 || sg.valid_before != 0;
	}
	ak_sha256(buf, len, s->digest);
	*sp = s;
	return 0;
 bad:
	ak_log(LOG_ERR, "%s:%lu: %s", name, lineno, ak_err(r));
 out:
	ak_signers_free(s);
	return r;
}

int
ak_signers_load(const char *path, struct ak_signers **sp)
{
	char *buf = NULL;
	size_t len;
	int r;

	*sp = NULL;
	/* Who may sign is root's decision: the file and its directory. */
	if ((r = ak_file_read_root(path, AK_SIGNERS_MAX, &buf, &len)) != 0) {
		ak_log(LOG_ERR, "trusted_signers %s: %s (it and its directory "
		    "must be owned by root and writable by no one else)", path,
		    ak_err(r));
		return r;
	}
	r = ak_signers_parse(buf, len, path, sp);
	free(buf);
	return r;
}

void
ak_signers_free(struct ak_signers *sp)
{
	size_t i;

	if (sp == NULL)
		return;
	for (i = 0; i < sp->n; i++) {
		free(sp->s[i].blob);
		free(sp->s[i].namespaces);
	}
	free(sp->s);
	free(sp);
}

/* As ssh-keygen: match_pattern_list must say 1 (a '!' match says -1). */
static int
ns_allowed(const char *list, const char *ns)
{
	return list == NULL || ak_match_list(ns, list) == 1;
}

const struct ak_signer *
ak_signers_find(const struct ak_signers *sp, const unsigned char *blob,
    size_t len, const char *ns, time_t now, int *whyp)
{
	size_t i;

	*whyp = AK_ERR_UNTRUSTED;
	for (i = 0; sp != NULL && i < sp->n; i++) {
		const struct ak_signer *s = &sp->s[i];

		if (s->bloblen != len || memcmp(s->blob, blob, len) != 0)
			continue;
		if ((s->valid_after != 0 && now < s->valid_after) ||
		    (s->valid_before != 0 && now > s->valid_before))
			continue;
		if (!ns_allowed(s->namespaces, ns)) {
			*whyp = AK_ERR_NAMESPACE;
			continue;
		}
		return s;
	}
	return NULL;
}

void
ak_signers_mark(const unsigned char digest[32], const char *ns,
    unsigned char mark[32])
{
	struct ak_sha256 c;

	ak_sha256_init(&c);
	if (digest != NULL)
		ak_sha256_update(&c, digest, 32);
	ak_sha256_update(&c, ns, strlen(ns) + 1);
	ak_sha256_final(&c, mark);
}

int
ak_signers_file_digest(const char *path, unsigned char digest[32])
{
	char *buf = NULL;
	size_t len;
	int r;

	if ((r = ak_file_read_root(path, AK_SIGNERS_MAX, &buf, &len)) != 0)
		return r;
	ak_sha256(buf, len, digest);
	free(buf);
	return 0;
}

int
ak_signers_sig_key(const unsigned char *sig, size_t siglen,
    unsigned char keyhash[32])
{
	struct ak_wire w;
	const unsigned char *pk;
	size_t pklen;
	uint32_t version;

	if (siglen < 6 || memcmp(sig, "SSHSIG", 6) != 0)
		return AK_ERR_FORMAT;
	w.p = sig + 6;
	w.len = siglen - 6;
	if (ak_wire_u32(&w, &version) != 0 || version != 1 ||
	    ak_wire_string(&w, &pk, &pklen) != 0)
		return AK_ERR_FORMAT;
	ak_sha256(pk, pklen, keyhash);
	return 0;
}

int
ak_signers_holds(const struct ak_signers *sp,
    const unsigned char keyhash[32], const char *ns, time_t now)
{
	unsigned char h[AK_SHA256_LEN];
	size_t i;
	int why;

	for (i = 0; sp != NULL && i < sp->n; i++) {
		ak_sha256(sp->s[i].blob, sp->s[i].bloblen, h);
		if (memcmp(h, keyhash, sizeof(h)) == 0 &&
		    ak_signers_find(sp, sp->s[i].blob, sp->s[i].bloblen, ns,
		    now, &why) != NULL)
			return 1;
	}
	return 0;
}

unsigned int
ak_signers_threshold(const struct ak_signers *sp)
{
	return sp->threshold > 1 ? sp->threshold : 1;
}

size_t
ak_doc_signers(const struct ak_doc *doc, char fprs[][AK_FPR_LEN + 1])
{
	unsigned char h[AK_DOC_SIGS_MAX][AK_SHA256_LEN];
	size_t i, j, n = 0;

	for (i = 0; i < doc->nsigs && n < AK_DOC_SIGS_MAX; i++) {
		if (ak_signers_sig_key(doc->sigs[i].blob, doc->sigs[i].len,
		    h[n]) != 0)
			continue;
		for (j = 0; j < n && memcmp(h[j], h[n], AK_SHA256_LEN) != 0;
		    j++)
			;
		if (j < n)
			continue;
		ak_key_fingerprint_of_hash(h[n], fprs[n]);
		n++;
	}
	return n;
}
