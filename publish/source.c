/* Reading and checking the source directory of authkeys-publish. */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ak_doc.h"
#include "ak_err.h"
#include "ak_file.h"
#include "ak_key.h"
#include "ak_keyset.h"
#include "ak_pubsrc.h"
#include "ak_sshsig.h"
#include "ak_time.h"
#include "ak_valid.h"
#include "publish.h"

long
pub_parse_duration(const char *s)
{
	char *ep;
	long n, mul = 1;

	errno = 0;
	n = strtol(s, &ep, 10);
	if (ep == s || errno != 0 || n <= 0)
		return -1;
	if (*ep == 's')
		mul = 1;
	else if (*ep == 'm')
		mul = 60;
	else if (*ep == 'h')
		mul = 3600;
	else if (*ep == 'd')
		mul = 86400;
	else if (*ep != '\0')
		return -1;
	if (*ep != '\0' && ep[1] != '\0')
		return -1;
	if (n > 3650L * 86400 / mul)
		return -1;
	return n * mul;
}

/* Highest #serial found in an existing output document, or 0. */
static unsigned long long
serial_of(const char *path, enum ak_doc_kind kind)
{
	struct ak_doc *doc;
	unsigned long long s = 0;
	char *buf;
	size_t len;

	if (ak_file_read(path, AK_DOC_MAX, 0, 0, &buf, &len) != 0)
		return 0;
	if (ak_doc_parse(buf, len, kind, &doc) == 0) {
		s = doc->serial;
		ak_doc_free(doc);
	}
	free(buf);
	return s;
}

/*
 * OUTPUT_DIR/.authkeys-serials: "NAME SERIAL" lines, the highest serial
 * this publisher gave the documents, the snapshot and the timestamp there.
 * The files in OUTPUT_DIR may have been replaced (a store someone else can
 * write): one with a lower serial must not make a serial be issued twice,
 * which hosts that verified the first refuse as equivocation.
 */
#define SERIALS ".authkeys-serials"
static const char *const serial_names[] = { "documents", "snapshot",
    "timestamp" };
#define NSERIALS (sizeof(serial_names) / sizeof(serial_names[0]))

/* The record's line for a kind: account documents and the list share one. */
static size_t
serial_slot(enum ak_doc_kind kind)
{
	switch (kind) {
	case AK_DOC_SNAPSHOT:
		return 1;
	case AK_DOC_TIMESTAMP:
		return 2;
	default:
		return 0;
	}
}

/* Reads the record into v; 0, or -1 (said) if it is there but unreadable. */
static int
serials_read(const struct pub_opts *o, unsigned long long v[NSERIALS])
{
	char path[4096], *buf = NULL, *p, *nl, *ep;
	unsigned long long n;
	size_t len, i, k;
	int r;

	memset(v, 0, NSERIALS * sizeof(v[0]));
	snprintf(path, sizeof(path), "%s/%s", o->out, SERIALS);
	if ((r = ak_file_read(path, 4096, 0, 0, &buf, &len)) ==
	    AK_ERR_NOT_FOUND)
		return 0;
	for (p = buf, r = r != 0 ? -1 : 0; r == 0 && *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL) {
			r = -1;
			break;
		}
		for (i = 0; i < NSERIALS; i++) {
			k = strlen(serial_names[i]);
			if (strncmp(p, serial_names[i], k) == 0 && p[k] == ' ')
				break;
		}
		errno = 0;
		if (i == NSERIALS || p[k + 1] < '0' || p[k + 1] > '9' ||
		    (n = strtoull(p + k + 1, &ep, 10), errno != 0) ||
		    ep != nl) {
			r = -1;
			break;
		}
		if (n > v[i])
			v[i] = n;
	}
	free(buf);
	if (r != 0)
		fprintf(stderr, "%s: not a record of serials this publisher "
		    "wrote (NAME SERIAL lines); it keeps serials from being "
		    "issued twice: restore it or remove it knowingly\n", path);
	return r;
}

int
pub_serial_floor(const struct pub_opts *o, enum ak_doc_kind kind,
    unsigned long long *floorp)
{
	unsigned long long v[NSERIALS];

	if (serials_read(o, v) != 0)
		return -1;
	*floorp = v[serial_slot(kind)];
	return 0;
}

int
pub_serial_record(const struct pub_opts *o, enum ak_doc_kind kind,
    unsigned long long serial)
{
	unsigned long long v[NSERIALS];
	char buf[256];
	size_t i, off = 0;

	if (serials_read(o, v) != 0)
		return -1;
	if (serial > v[serial_slot(kind)])
		v[serial_slot(kind)] = serial;
	for (i = 0; i < NSERIALS; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off,
		    "%s %llu\n", serial_names[i], v[i]);
	if (ak_file_write_atomic(o->out, SERIALS, buf, off, 0644) != 0) {
		fprintf(stderr, "%s/%s: cannot write: %s\n", o->out, SERIALS,
		    strerror(errno));
		return -1;
	}
	return 0;
}

int
pub_next_serial(const struct pub_opts *o, unsigned long long *serialp)
{
	unsigned long long s = (unsigned long long)o->now, v;
	char path[4096];
	struct dirent *de;
	DIR *d;

	if (pub_serial_floor(o, AK_DOC_ACCOUNT, &v) != 0)
		return -1;
	if (v >= s)
		s = v + 1;
	snprintf(path, sizeof(path), "%s/v1/revoked", o->out);
	if ((v = serial_of(path, AK_DOC_REVOCATIONS)) >= s)
		s = v + 1;
	snprintf(path, sizeof(path), "%s/v1/accounts", o->out);
	if ((d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (!ak_account_valid(de->d_name))
				continue;
			snprintf(path, sizeof(path), "%s/v1/accounts/%s",
			    o->out, de->d_name);
			if ((v = serial_of(path, AK_DOC_ACCOUNT)) >= s)
				s = v + 1;
		}
		closedir(d);
	}
	*serialp = s;
	return 0;
}

/*
 * Checks every line of a source file (OpenSSH lines and RFC 4716 keys;
 * private keys refused) and returns the body to publish in *bodyp.
 * Prints file:line: reason; returns 0 or -1.
 */
static int
check_source(const char *path, const char *buf, size_t len, int revoked,
    const struct ak_config *pol, char **bodyp, size_t *bodylenp)
{
	struct ak_src *src = NULL;
	struct ak_line l;
	enum ak_verdict v;
	const char *why;
	unsigned long eline;
	char reason[256], *body = NULL;
	size_t i, off = 0, cap = 1;
	int r, bad = 0;

	*bodyp = NULL;
	*bodylenp = 0;
	if ((r = ak_src_parse(buf, len, &src, &eline, &why)) != 0) {
		if (r == AK_ERR_PRIVATE_KEY)
			fprintf(stderr, "%s:%lu: this is %s. A private key "
			    "must stay in the deployment tool (Octopus, "
			    "Ansible, Jenkins...) with its passphrase; put "
			    "only the public key here. Nothing published.\n",
			    path, eline, why);
		else
			fprintf(stderr, "%s:%lu: %s\n", path, eline,
			    why != NULL ? why : ak_err(r));
		return -1;
	}
	for (i = 0; i < src->n; i++)
		cap += strlen(src->lines[i].text) + 1;
	if ((body = malloc(cap)) == NULL) {
		ak_src_free(src);
		return -1;
	}
	for (i = 0; i < src->n; i++) {
		const char *t = src->lines[i].text;
		size_t n = strlen(t);

		/* What hosts will read: the one reading of a body line. */
		v = AK_ADMIT;
		if ((r = ak_line_read(t, n, revoked ? AK_DOC_REVOCATIONS :
		    AK_DOC_ACCOUNT, &l)) != 0 || (l.kind == AK_LINE_KEY &&
		    ((r = ak_sshsig_key_check(l.kl->type, l.kl->blob,
		    l.kl->bloblen)) != 0 || (!revoked &&
		    (v = ak_keyset_policy(pol, l.kl)) != AK_ADMIT)))) {
			pub_explain(t, r, v, pol, l.kl, reason,
			    sizeof(reason));
			fprintf(stderr, "%s:%lu: %s\n", path,
			    src->lines[i].lineno, reason);
			bad = 1;
		}
		ak_line_clear(&l);
		memcpy(body + off, t, n);
		off += n;
		body[off++] = '\n';
	}
	ak_src_free(src);
	if (bad) {
		free(body);
		return -1;
	}
	body[off] = '\0';
	*bodyp = body;
	*bodylenp = off;
	return 0;
}

/* a + "/" + b + c in a new string. */
static char *
path_join(const char *a, const char *b, const char *c)
{
	size_t len = strlen(a) + strlen(b) + strlen(c) + 2;
	char *p;

	if ((p = malloc(len)) != NULL)
		snprintf(p, len, "%s/%s%s", a, b, c);
	return p;
}

static int
add_item(struct pub_item **items, size_t *n)
{
	struct pub_item *tmp;

	if ((tmp = reallocarray(*items, *n + 1, sizeof(*tmp))) == NULL)
		return -1;
	*items = tmp;
	memset(&tmp[*n], 0, sizeof(*tmp));
	(*n)++;
	return 0;
}

/* Reads one source file (or none: empty) into a new item. */
static int
one(const struct pub_opts *o, const struct ak_config *pol,
    const char *account, const char *path, struct pub_item **items,
    size_t *n)
{
	struct pub_item *it;
	char *buf = NULL, *body = NULL;
	size_t len = 0, bodylen = 0;
	int r;

	if (path != NULL) {
		if ((r = ak_file_read(path, AK_DOC_MAX / 2, 0, 0, &buf,
		    &len)) != 0) {
			fprintf(stderr, "%s: %s\n", path, ak_err(r));
			return -1;
		}
		if (memchr(buf, '\0', len) != NULL) {
			fprintf(stderr, "%s: NUL byte in file (not a text "
			    "file)\n", path);
			free(buf);
			return -1;
		}
		r = check_source(path, buf, len, account == NULL, pol, &body,
		    &bodylen);
		free(buf);
		if (r != 0)
			return -1;
	}
	if (add_item(items, n) != 0) {
		free(body);
		return -1;
	}
	it = &(*items)[*n - 1];
	snprintf(it->name, sizeof(it->name), "%s", account ? account : "");
	it->body = body;
	it->bodylen = bodylen;
	if ((it->final = path_join(o->out, account != NULL ? "v1/accounts/" :
	    "v1/revoked", account != NULL ? account : "")) == NULL)
		return -1;
	return 0;
}

void
pub_items_free(struct pub_item *items, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(items[i].body);
		free(items[i].staged);
		free(items[i].final);
	}
	free(items);
}

int
pub_stage(const struct pub_opts *o, const char *staging,
    unsigned long long serial, struct pub_item *items, size_t n)
{
	char hdr[AK_DOC_HEADER_MAX];
	size_t i;
	FILE *f;
	int ok, hlen;

	for (i = 0; i < n; i++) {
		struct pub_item *it = &items[i];

		if (it->unchanged)
			continue;
		if ((it->staged = path_join(staging, it->name[0] ? "acct." :
		    "revoked", it->name)) == NULL)
			return -1;
		if ((f = fopen(it->staged, "w")) == NULL) {
			fprintf(stderr, "%s: %s\n", it->staged,
			    strerror(errno));
			return -1;
		}
		if ((hlen = ak_doc_format_header(it->name[0] != '\0' ?
		    AK_DOC_ACCOUNT : AK_DOC_REVOCATIONS, it->name, serial,
		    o->now + o->valid, hdr, sizeof(hdr))) < 0) {
			fprintf(stderr, "%s: %s\n", it->staged, ak_err(hlen));
			fclose(f);
			return -1;
		}
		fwrite(hdr, 1, (size_t)hlen, f);
		if (it->bodylen > 0)
			fwrite(it->body, 1, it->bodylen, f);
		ok = fflush(f) == 0 && ferror(f) == 0;
		if (fclose(f) != 0 || !ok) {
			fprintf(stderr, "%s: write failed\n", it->staged);
			return -1;
		}
	}
	return 0;
}

int
pub_read_sources(const struct pub_opts *o, const struct ak_config *pol,
    struct pub_item **itemsp, size_t *np)
{
	char dir[2048], path[4096];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int bad = 0;

	*itemsp = NULL;
	*np = 0;
	snprintf(dir, sizeof(dir), "%s/accounts", o->src);
	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (!ak_account_valid(de->d_name)) {
			fprintf(stderr, "%s: not a valid account name "
			    "([a-z_][a-z0-9_.-]*, at most 32)\n", path);
			bad = 1;
			continue;
		}
		if (one(o, pol, de->d_name, path, itemsp, np) != 0)
			bad = 1;
	}
	closedir(d);
	/* Accounts published before and gone from the source: empty docs. */
	snprintf(dir, sizeof(dir), "%s/v1/accounts", o->out);
	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (!ak_account_valid(de->d_name))
				continue;
			snprintf(path, sizeof(path), "%s/accounts/%s", o->src,
			    de->d_name);
			if (stat(path, &st) == 0)
				continue;
			if (one(o, pol, de->d_name, NULL, itemsp, np) != 0)
				bad = 1;
		}
		closedir(d);
	}
	snprintf(path, sizeof(path), "%s/revoked", o->src);
	if (one(o, pol, NULL, stat(path, &st) == 0 ? path : NULL, itemsp,
	    np) != 0)
		bad = 1;
	return bad ? -1 : 0;
}

/* The body of a published document: what follows its 4 header lines. */
static int
same_body(const struct ak_doc *d, const struct pub_item *it)
{
	const char *p = d->buf, *end = d->buf + d->signed_len;
	int lines = 0;

	while (p < end && lines < 4) {
		if ((p = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return 0;
		p++;
		lines++;
	}
	return lines == 4 && (size_t)(end - p) == it->bodylen &&
	    (it->bodylen == 0 || memcmp(p, it->body, it->bodylen) == 0);
}

size_t
pub_mark_unchanged(const struct pub_opts *o, struct pub_item *items,
    size_t n)
{
	struct ak_doc *d;
	char *buf;
	size_t i, len, marked = 0;

	for (i = 0; i < n; i++) {
		if (ak_file_read(items[i].final, AK_DOC_MAX, 0, 0, &buf,
		    &len) != 0)
			continue;
		if (ak_doc_parse(buf, len, items[i].name[0] ? AK_DOC_ACCOUNT :
		    AK_DOC_REVOCATIONS, &d) == 0) {
			/*
			 * Kept while it is not in the last stretch of its
			 * life, not valid longer than now asked (--valid
			 * shortened: re-signed) and signed by the keys given
			 * now (signers changed: re-signed).
			 */
			if (same_body(d, &items[i]) &&
			    pub_keep_signatures(o, d) &&
			    d->expires > o->now + o->resign_before &&
			    d->expires <= o->now + o->valid + 60) {
				items[i].unchanged = 1;
				marked++;
			}
			ak_doc_free(d);
		}
		free(buf);
	}
	return marked;
}

int
pub_serial_ok(const struct pub_opts *o, const struct ak_config *pol,
    const char *what, unsigned long long serial)
{
	if (!ak_serial_ahead(serial, o->now, pol->max_clock_skew))
		return 0;
	fprintf(stderr, "%s: serial %llu would be %llus ahead of this "
	    "machine's clock (%lld), more than max_clock_skew (%lds): hosts "
	    "refuse it. The store's last serial is that far ahead, so a clock "
	    "was wrong, here or where the store was last published. Fix the "
	    "clock; publishing into a new directory and running "
	    "'authkeys-command --reset-view' on hosts that took the serials "
	    "from the future recovers (see authkeys-publish(1)). --force signs "
	    "it anyway%s\n", what, serial,
	    serial - (unsigned long long)o->now, (long long)o->now,
	    pol->max_clock_skew, o->force ? "; forced" : "");
	return o->force ? 0 : -1;
}
