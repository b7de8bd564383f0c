/*
 * The store document format in one place (SPEC "Store documents"): the
 * header writer used by publish and the tests, the envelope parser, and the
 * account/expiry/rollback checks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ak_b64.h"
#include "ak_doc.h"
#include "ak_err.h"
#include "ak_time.h"
#include "ak_valid.h"

#define MAGIC		"#authkeys-document v1"
#define MAGIC_SNAPSHOT	"#authkeys-snapshot v1"
#define MAGIC_TIMESTAMP	"#authkeys-timestamp v1"
#define MAGIC_ROOT	"#authkeys-root v1"
#define SIG_BEGIN	"-----BEGIN SSH SIGNATURE-----"
#define SIG_END		"-----END SSH SIGNATURE-----"
#define SIG_MAX		16384

/*
 * Cuts the next line off [*p, end): sets *line and *len without its end,
 * "\n" or "\r\n" (SPEC: a trailing CR is not part of a line, so a document
 * written on Windows reads as the same lines everywhere).
 */
static int
next_line(const char **p, const char *end, const char **line, size_t *len)
{
	const char *nl;

	if (*p >= end)
		return 0;
	*line = *p;
	if ((nl = memchr(*p, '\n', (size_t)(end - *p))) == NULL) {
		*len = (size_t)(end - *p);
		*p = end;
	} else {
		*len = (size_t)(nl - *p);
		*p = nl + 1;
	}
	if (*len > 0 && (*line)[*len - 1] == '\r')
		(*len)--;
	return 1;
}

static int
line_is(const char *line, size_t len, const char *want)
{
	return len == strlen(want) && memcmp(line, want, len) == 0;
}

static int
prefix_is(const char *line, size_t len, const char *want)
{
	size_t n = strlen(want);

	return len >= n && memcmp(line, want, n) == 0;
}

static const char *
magic_of(enum ak_doc_kind kind)
{
	switch (kind) {
	case AK_DOC_SNAPSHOT:
		return MAGIC_SNAPSHOT;
	case AK_DOC_TIMESTAMP:
		return MAGIC_TIMESTAMP;
	case AK_DOC_ROOT:
		return MAGIC_ROOT;
	default:
		return MAGIC;
	}
}

static int
parse_header(const char **p, const char *end, struct ak_doc *doc,
    unsigned long *lineno)
{
	const char *l;
	size_t n;
	char *ep;

	if (!next_line(p, end, &l, &n) || !line_is(l, n, magic_of(doc->kind)))
		return AK_ERR_FORMAT;
	*lineno = 1;
	if (doc->kind == AK_DOC_SNAPSHOT || doc->kind == AK_DOC_TIMESTAMP ||
	    doc->kind == AK_DOC_ROOT) {
		/* Three header lines: no "#account" or "#revocations". */
	} else if (!next_line(p, end, &l, &n)) {
		return AK_ERR_FORMAT;
	} else if (doc->kind == AK_DOC_REVOCATIONS) {
		(*lineno)++;
		if (!line_is(l, n, "#revocations"))
			return AK_ERR_FORMAT;
	} else {
		(*lineno)++;
		if (!prefix_is(l, n, "#account ") || n - 9 > 32)
			return AK_ERR_FORMAT;
		memcpy(doc->account, l + 9, n - 9);
		doc->account[n - 9] = '\0';
		if (!ak_account_valid(doc->account))
			return AK_ERR_FORMAT;
	}
	if (!next_line(p, end, &l, &n) || !prefix_is(l, n, "#serial ") ||
	    n - 8 < 1 || n - 8 > 20 || !ak_digits(l + 8, n - 8))
		return AK_ERR_FORMAT;
	errno = 0;
	doc->serial = strtoull(l + 8, &ep, 10);
	if (errno != 0 || ep != l + n)
		return AK_ERR_FORMAT;
	if (!next_line(p, end, &l, &n) || !prefix_is(l, n, "#expires ") ||
	    ak_time_parse(l + 9, n - 9, &doc->expires) != 0)
		return AK_ERR_FORMAT;
	*lineno += 2;
	return 0;
}

/* Every body line is kept as it is: ak_keyset alone reads what it says. */
static int
add_line(struct ak_doc *doc, const char *s, size_t len, unsigned long lineno)
{
	struct ak_doc_line *tmp;

	if ((doc->nlines & 63) == 0) {
		if ((tmp = reallocarray(doc->lines, doc->nlines + 64,
		    sizeof(*tmp))) == NULL)
			return AK_ERR_ALLOC;
		doc->lines = tmp;
	}
	doc->lines[doc->nlines].s = s;
	doc->lines[doc->nlines].len = len;
	doc->lines[doc->nlines].lineno = lineno;
	doc->nlines++;
	return 0;
}

/* Decodes one armored signature, up to and including its END line. */
static int
parse_armor(const char **p, const char *end, struct ak_doc *doc)
{
	char b64[SIG_MAX];
	size_t blen = 0, n;
	const char *l;
	unsigned char *blob;
	long dl;
	int ended = 0;

	if (doc->nsigs == AK_DOC_SIGS_MAX)
		return AK_ERR_FORMAT;
	while (!ended && next_line(p, end, &l, &n)) {
		if (line_is(l, n, SIG_END)) {
			ended = 1;
			continue;
		}
		if (n == 0 || blen + n >= sizeof(b64))
			return AK_ERR_FORMAT;
		memcpy(b64 + blen, l, n);
		blen += n;
	}
	if (!ended || blen == 0)
		return AK_ERR_FORMAT;
	if ((blob = malloc(AK_B64_DECODED_MAX(blen))) == NULL)
		return AK_ERR_ALLOC;
	if ((dl = ak_b64_decode(b64, blen, blob,
	    AK_B64_DECODED_MAX(blen))) <= 0) {
		free(blob);
		return AK_ERR_FORMAT;
	}
	doc->sigs[doc->nsigs].blob = blob;
	doc->sigs[doc->nsigs].len = (size_t)dl;
	doc->nsigs++;
	return 0;
}

/*
 * The signature blocks: one or more armored SSHSIGs (several signers of
 * one threshold), blank lines between and after them, nothing else.
 */
static int
parse_armors(const char **p, const char *end, struct ak_doc *doc)
{
	const char *l;
	size_t n;
	int r;

	if ((r = parse_armor(p, end, doc)) != 0)
		return r;
	while (next_line(p, end, &l, &n)) {
		if (n == 0)
			continue;
		if (!line_is(l, n, SIG_BEGIN))
			return AK_ERR_FORMAT;
		if ((r = parse_armor(p, end, doc)) != 0)
			return r;
	}
	return 0;
}

int
ak_doc_parse(const char *buf, size_t len, enum ak_doc_kind kind,
    struct ak_doc **docp)
{
	struct ak_doc *doc = NULL;
	const char *p, *end, *l;
	unsigned long lineno = 0;
	size_t n;
	int r = AK_ERR_FORMAT;

	*docp = NULL;
	if (len > AK_DOC_MAX)
		return AK_ERR_TOO_LARGE;
	if (memchr(buf, '\0', len) != NULL)
		return AK_ERR_CONTROL_CHAR;
	if ((doc = calloc(1, sizeof(*doc))) == NULL ||
	    (doc->buf = malloc(len + 1)) == NULL) {
		r = AK_ERR_ALLOC;
		goto out;
	}
	memcpy(doc->buf, buf, len);
	doc->buf[len] = '\0';
	doc->len = len;
	doc->kind = kind;
	p = doc->buf;
	end = doc->buf + len;
	if (kind != AK_DOC_PLAIN && (r = parse_header(&p, end, doc,
	    &lineno)) != 0)
		goto out;
	r = AK_ERR_FORMAT;
	for (;;) {
		const char *start = p;

		if (!next_line(&p, end, &l, &n)) {
			/* End of input without a signature block. */
			if (kind != AK_DOC_PLAIN) {
				r = AK_ERR_FORMAT;
				goto out;
			}
			break;
		}
		lineno++;
		if (kind != AK_DOC_PLAIN && line_is(l, n, SIG_BEGIN)) {
			doc->signed_len = (size_t)(start - doc->buf);
			if ((r = parse_armors(&p, end, doc)) != 0)
				goto out;
			break;
		}
		if ((r = add_line(doc, l, n, lineno)) != 0)
			goto out;
	}
	*docp = doc;
	doc = NULL;
	r = 0;
 out:
	ak_doc_free(doc);
	return r;
}

int
ak_doc_format_header(enum ak_doc_kind kind, const char *account,
    unsigned long long serial, time_t expires, char *out, size_t outlen)
{
	char exp[21];
	int n;

	ak_time_format(expires, exp);
	if (kind == AK_DOC_ACCOUNT) {
		if (!ak_account_valid(account))
			return AK_ERR_BAD_NAME;
		n = snprintf(out, outlen, MAGIC "\n#account %s\n#serial %llu\n"
		    "#expires %s\n", account, serial, exp);
	} else if (kind == AK_DOC_REVOCATIONS) {
		n = snprintf(out, outlen, MAGIC "\n#revocations\n#serial %llu\n"
		    "#expires %s\n", serial, exp);
	} else if (kind == AK_DOC_SNAPSHOT || kind == AK_DOC_TIMESTAMP ||
	    kind == AK_DOC_ROOT) {
		n = snprintf(out, outlen, "%s\n#serial %llu\n#expires %s\n",
		    magic_of(kind), serial, exp);
	} else
		return AK_ERR_FORMAT;
	if (n < 0 || (size_t)n >= outlen)
		return AK_ERR_TOO_LARGE;
	return n;
}

int
ak_doc_parse_header(const char *buf, size_t len, enum ak_doc_kind kind,
    struct ak_doc *hdr, size_t *hdrlenp)
{
	const char *p = buf;
	unsigned long lineno = 0;
	int r;

	memset(hdr, 0, sizeof(*hdr));
	hdr->kind = kind;
	if (kind == AK_DOC_PLAIN)
		return AK_ERR_FORMAT;
	if ((r = parse_header(&p, buf + len, hdr, &lineno)) != 0)
		return r;
	/* The last header line must be whole, not cut by a short read. */
	if (p[-1] != '\n')
		return AK_ERR_FORMAT;
	*hdrlenp = (size_t)(p - buf);
	return 0;
}

void
ak_doc_free(struct ak_doc *doc)
{
	size_t i;

	if (doc == NULL)
		return;
	free(doc->buf);
	for (i = 0; i < doc->nsigs; i++)
		free(doc->sigs[i].blob);
	free(doc->lines);
	free(doc);
}

int
ak_doc_check(const struct ak_doc *doc, const char *account, time_t now,
    unsigned long long min_serial)
{
	if (doc->kind == AK_DOC_PLAIN)
		return 0;
	if (doc->kind == AK_DOC_ACCOUNT && strcmp(doc->account, account) != 0)
		return AK_ERR_ACCOUNT;
	if (doc->expires <= now)
		return AK_ERR_EXPIRED;
	if (doc->serial < min_serial)
		return AK_ERR_ROLLBACK;
	return 0;
}

int
ak_serial_ahead(unsigned long long serial, time_t now, long skew)
{
	if (now < 0 || skew < 0)
		return 1;
	return serial > (unsigned long long)now + (unsigned long long)skew;
}

int
ak_doc_ahead(const struct ak_doc *doc, time_t now, long skew)
{
	if (doc->kind == AK_DOC_PLAIN)
		return 0;
	return ak_serial_ahead(doc->serial, now, skew) ? AK_ERR_FUTURE : 0;
}

size_t
ak_doc_signed_len(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *start, *l;
	size_t n;

	for (start = p; next_line(&p, end, &l, &n); start = p)
		if (line_is(l, n, SIG_BEGIN))
			return (size_t)(start - buf);
	return len;
}
