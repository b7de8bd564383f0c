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
#include "ak_policy.h"
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

unsigned long long
pub_next_serial(const struct pub_opts *o)
{
	unsigned long long s = (unsigned long long)o->now, v;
	char path[4096];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/v1/revoked", o->out);
	if ((v = serial_of(path, AK_DOC_REVOCATIONS)) >= s)
		s = v + 1;
	snprintf(path, sizeof(path), "%s/v1/accounts", o->out);
	if ((d = opendir(path)) == NULL)
		return s;
	while ((de = readdir(d)) != NULL) {
		if (!ak_account_valid(de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/v1/accounts/%s", o->out,
		    de->d_name);
		if ((v = serial_of(path, AK_DOC_ACCOUNT)) >= s)
			s = v + 1;
	}
	closedir(d);
	return s;
}

/* Checks every line of a source file; prints file:line: reason. */
static int
check_lines(const char *path, const char *buf, size_t len, int revoked,
    const struct ak_config *pol)
{
	struct ak_key_line *kl;
	const char *p = buf, *end = buf + len, *nl;
	unsigned long lineno = 0;
	int r, bad = 0;

	for (; p < end; p = nl + 1) {
		size_t n;

		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		lineno++;
		n = (size_t)(nl - p);
		while (n > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		if (n == 0 || *p == '#')
			continue;
		if (revoked && n == AK_FPR_LEN && strncmp(p, "SHA256:", 7) == 0) {
			char f[AK_FPR_LEN + 1];

			memcpy(f, p, AK_FPR_LEN);
			f[AK_FPR_LEN] = '\0';
			if (!ak_fpr_valid(f)) {
				fprintf(stderr, "%s:%lu: %s\n", path, lineno,
				    ak_err(AK_ERR_BAD_FPR));
				bad = 1;
			}
			continue;
		}
		if ((r = ak_key_line_parse(p, n, &kl)) == 0) {
			if (!revoked)
				r = ak_policy_check(pol, NULL, kl);
			ak_key_line_free(kl);
		}
		if (r != 0) {
			fprintf(stderr, "%s:%lu: %s\n", path, lineno,
			    ak_err(r));
			bad = 1;
		}
	}
	return bad ? -1 : 0;
}

/* Writes the unsigned document (header + source bytes) for one item. */
static int
stage(const struct pub_opts *o, const char *staging, struct pub_item *it,
    const char *account, unsigned long long serial, const char *body,
    size_t len)
{
	char expires[21];
	FILE *f;
	int ok;

	ak_time_format(o->now + o->valid, expires);
	snprintf(it->name, sizeof(it->name), "%s", account ? account : "");
	snprintf(it->staged, sizeof(it->staged), "%s/%s%s", staging,
	    account ? "acct." : "revoked", account ? account : "");
	if (account != NULL)
		snprintf(it->final, sizeof(it->final), "%s/v1/accounts/%s",
		    o->out, account);
	else
		snprintf(it->final, sizeof(it->final), "%s/v1/revoked",
		    o->out);
	if ((f = fopen(it->staged, "w")) == NULL) {
		fprintf(stderr, "%s: %s\n", it->staged, strerror(errno));
		return -1;
	}
	fprintf(f, "#authkeys-document v1\n");
	if (account != NULL)
		fprintf(f, "#account %s\n", account);
	else
		fprintf(f, "#revocations\n");
	fprintf(f, "#serial %llu\n#expires %s\n", serial, expires);
	if (len > 0) {
		fwrite(body, 1, len, f);
		if (body[len - 1] != '\n')
			fputc('\n', f);
	}
	ok = fflush(f) == 0 && ferror(f) == 0;
	if (fclose(f) != 0 || !ok) {
		fprintf(stderr, "%s: write failed\n", it->staged);
		return -1;
	}
	return 0;
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

/* Reads one source file (or none: empty) and stages its document. */
static int
one(const struct pub_opts *o, const struct ak_config *pol,
    const char *staging, unsigned long long serial, const char *account,
    const char *path, struct pub_item **items, size_t *n)
{
	char *buf = NULL;
	size_t len = 0;
	int r;

	if (path != NULL) {
		if ((r = ak_file_read(path, AK_DOC_MAX / 2, 0, 0, &buf,
		    &len)) != 0) {
			fprintf(stderr, "%s: %s\n", path, ak_err(r));
			return -1;
		}
		if (memchr(buf, '\0', len) != NULL) {
			fprintf(stderr, "%s: NUL byte in file\n", path);
			free(buf);
			return -1;
		}
		if (check_lines(path, buf, len, account == NULL, pol) != 0) {
			free(buf);
			return -1;
		}
	}
	r = add_item(items, n) == 0 ? stage(o, staging, &(*items)[*n - 1],
	    account, serial, buf, len) : -1;
	free(buf);
	return r;
}

int
pub_read_sources(const struct pub_opts *o, const struct ak_config *pol,
    const char *staging, unsigned long long serial, struct pub_item **itemsp,
    size_t *np)
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
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (!ak_account_valid(de->d_name)) {
			fprintf(stderr, "%s: not a valid account name "
			    "([a-z_][a-z0-9_.-]*, at most 32)\n", path);
			bad = 1;
			continue;
		}
		if (one(o, pol, staging, serial, de->d_name, path, itemsp,
		    np) != 0)
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
			if (one(o, pol, staging, serial, de->d_name, NULL,
			    itemsp, np) != 0)
				bad = 1;
		}
		closedir(d);
	}
	snprintf(path, sizeof(path), "%s/revoked", o->src);
	if (one(o, pol, staging, serial, NULL, stat(path, &st) == 0 ? path :
	    NULL, itemsp, np) != 0)
		bad = 1;
	return bad ? -1 : 0;
}
