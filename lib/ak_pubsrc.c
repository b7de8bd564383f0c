/* Publish sources: OpenSSH lines, RFC 4716 blocks, private-key refusal. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ak_b64.h"
#include "ak_err.h"
#include "ak_key.h"
#include "ak_pubsrc.h"
#include "ak_wire.h"

#define RFC_BEGIN	"---- BEGIN SSH2 PUBLIC KEY ----"
#define RFC_END		"---- END SSH2 PUBLIC KEY ----"
#define HEADER_MAX	1024
#define BODY_MAX	(64 * 1024)

struct cursor {
	const char *p, *end;
	unsigned long lineno;
};

/* The next line, trimmed of blanks and CR; NULL at the end. */
static const char *
next_line(struct cursor *c, size_t *lenp)
{
	const char *s, *nl;
	size_t n;

	if (c->p >= c->end)
		return NULL;
	s = c->p;
	if ((nl = memchr(s, '\n', (size_t)(c->end - s))) == NULL)
		nl = c->end;
	c->p = nl < c->end ? nl + 1 : nl;
	c->lineno++;
	n = (size_t)(nl - s);
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\r'))
		n--;
	*lenp = n;
	return s;
}

static int
starts(const char *s, size_t n, const char *prefix)
{
	size_t l = strlen(prefix);

	return n >= l && memcmp(s, prefix, l) == 0;
}

static int
ends(const char *s, size_t n, const char *suffix)
{
	size_t l = strlen(suffix);

	return n >= l && memcmp(s + n - l, suffix, l) == 0;
}

/* A static description if the line opens a private key, else NULL. */
static const char *
private_key(const char *s, size_t n)
{
	if (starts(s, n, "-----BEGIN OPENSSH PRIVATE KEY-----"))
		return "an OpenSSH private key (the file without .pub)";
	if (starts(s, n, "-----BEGIN ") && ends(s, n, "PRIVATE KEY-----"))
		return "a PEM private key";
	if (starts(s, n, "PuTTY-User-Key-File-"))
		return "a PuTTY private key (.ppk; PuTTYgen's \"Save public "
		    "key\" writes the public one)";
	if (starts(s, n, "---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----"))
		return "an SSH2 private key";
	return NULL;
}

static int
add_line(struct ak_src *src, const char *s, size_t n, unsigned long lineno,
    int converted)
{
	struct ak_src_line *tmp;

	if ((tmp = reallocarray(src->lines, src->n + 1, sizeof(*tmp))) ==
	    NULL)
		return AK_ERR_ALLOC;
	src->lines = tmp;
	if ((tmp[src->n].text = strndup(s, n)) == NULL)
		return AK_ERR_ALLOC;
	tmp[src->n].lineno = lineno;
	tmp[src->n].converted = converted;
	src->n++;
	return 0;
}

/* Copies a header value, unquoted, into out (outlen bytes). */
static void
comment_value(const char *v, size_t n, char *out, size_t outlen)
{
	size_t i, o = 0;

	while (n > 0 && *v == ' ') {
		v++;
		n--;
	}
	if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
		v++;
		n -= 2;
	}
	for (i = 0; i < n && o + 1 < outlen; i++) {
		/* A comment is free text, but one line of printable text. */
		if ((unsigned char)v[i] >= ' ' && v[i] != 0x7f)
			out[o++] = v[i];
	}
	out[o] = '\0';
}

/*
 * Reads an RFC 4716 block after its BEGIN line into one OpenSSH line.
 * Returns 0 or AK_ERR_FORMAT with *whyp.
 */
static int
rfc4716(struct cursor *c, struct ak_src *src, unsigned long first,
    const char **whyp)
{
	char header[HEADER_MAX + 1], comment[HEADER_MAX + 1], *b64 = NULL;
	char *line = NULL;
	unsigned char *blob = NULL;
	const unsigned char *tname;
	struct ak_wire w;
	const char *s;
	size_t n, hlen = 0, blen = 0, tlen, llen;
	long dlen;
	int in_header = 1, continued = 0, r = AK_ERR_FORMAT;

	comment[0] = '\0';
	if ((b64 = malloc(BODY_MAX + 1)) == NULL)
		return AK_ERR_ALLOC;
	for (;;) {
		if ((s = next_line(c, &n)) == NULL) {
			*whyp = "RFC 4716 key without its \"" RFC_END "\" line "
			    "(truncated file?)";
			goto out;
		}
		if (n == strlen(RFC_END) && memcmp(s, RFC_END, n) == 0)
			break;
		if (in_header && (continued || memchr(s, ':', n) != NULL)) {
			/* Header lines; a trailing backslash continues one. */
			int more = n > 0 && s[n - 1] == '\\';

			if (more)
				n--;
			if (hlen + n > HEADER_MAX) {
				*whyp = "RFC 4716 header longer than "
				    "1024 bytes";
				goto out;
			}
			memcpy(header + hlen, s, n);
			hlen += n;
			header[hlen] = '\0';
			continued = more;
			if (!more) {
				if (hlen > 8 && strncasecmp(header, "Comment:",
				    8) == 0)
					comment_value(header + 8, hlen - 8,
					    comment, sizeof(comment));
				hlen = 0;
			}
			continue;
		}
		in_header = 0;
		if (blen + n > BODY_MAX) {
			*whyp = "RFC 4716 key too large";
			goto out;
		}
		memcpy(b64 + blen, s, n);
		blen += n;
	}
	if (blen == 0) {
		*whyp = "RFC 4716 block holds no key data";
		goto out;
	}
	if ((blob = malloc(AK_B64_DECODED_MAX(blen))) == NULL) {
		r = AK_ERR_ALLOC;
		goto out;
	}
	if ((dlen = ak_b64_decode(b64, blen, blob,
	    AK_B64_DECODED_MAX(blen))) <= 0) {
		*whyp = "RFC 4716 key data is not valid base64 (damaged or "
		    "truncated copy?)";
		goto out;
	}
	w.p = blob;
	w.len = (size_t)dlen;
	if (ak_wire_string(&w, &tname, &tlen) != 0 || tlen == 0 ||
	    tlen > 64) {
		*whyp = "RFC 4716 key data does not start with a key type";
		goto out;
	}
	/* "TYPE BASE64 COMMENT": checked like any other line by the caller. */
	llen = tlen + 1 + (size_t)dlen * 4 / 3 + 8 + 1 + strlen(comment) + 1;
	if ((line = malloc(llen)) == NULL) {
		r = AK_ERR_ALLOC;
		goto out;
	}
	memcpy(line, tname, tlen);
	line[tlen] = ' ';
	if (ak_b64_encode(blob, (size_t)dlen, line + tlen + 1, llen - tlen - 1,
	    1) < 0) {
		*whyp = "RFC 4716 key too large";
		goto out;
	}
	if (comment[0] != '\0') {
		size_t l = strlen(line);

		line[l] = ' ';
		memcpy(line + l + 1, comment, strlen(comment) + 1);
	}
	for (s = line; *s != '\0'; s++) {
		if ((unsigned char)*s < ' ') {
			*whyp = "RFC 4716 key type is not text (damaged key?)";
			goto out;
		}
	}
	r = add_line(src, line, strlen(line), first, 1);
 out:
	free(line);
	free(blob);
	free(b64);
	return r;
}

int
ak_src_parse(const char *buf, size_t len, struct ak_src **srcp,
    unsigned long *linep, const char **whyp)
{
	struct ak_src *src = NULL;
	struct cursor c;
	const char *s, *pk;
	size_t n;
	int r;

	*srcp = NULL;
	*linep = 0;
	*whyp = NULL;
	if ((src = calloc(1, sizeof(*src))) == NULL)
		return AK_ERR_ALLOC;
	c.p = buf;
	c.end = buf + len;
	c.lineno = 0;
	while ((s = next_line(&c, &n)) != NULL) {
		if ((pk = private_key(s, n)) != NULL) {
			*linep = c.lineno;
			*whyp = pk;
			r = AK_ERR_PRIVATE_KEY;
			goto fail;
		}
		if (n == 0 || *s == '#')
			continue;
		if (n == strlen(RFC_BEGIN) && memcmp(s, RFC_BEGIN, n) == 0) {
			unsigned long first = c.lineno;

			if ((r = rfc4716(&c, src, first, whyp)) != 0) {
				*linep = first;
				goto fail;
			}
			continue;
		}
		if ((r = add_line(src, s, n, c.lineno, 0)) != 0)
			goto fail;
	}
	*srcp = src;
	return 0;
 fail:
	ak_src_free(src);
	return r;
}

void
ak_src_free(struct ak_src *src)
{
	size_t i;

	if (src == NULL)
		return;
	for (i = 0; i < src->n; i++)
		free(src->lines[i].text);
	free(src->lines);
	free(src);
}
