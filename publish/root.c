/*
 * --root: the store's root of trust (SPEC "Root of trust"). The roles file
 * (threshold and key lines) becomes v1/root.N, N one above the root
 * published before, signed by every -k key in the root namespace, and is
 * checked before anything is written as hosts will check it: root 1
 * against k of its own root keys, root N+1 against k of root N's root keys
 * and k of its own. v1/root is then the newest.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ak_doc.h"
#include "ak_err.h"
#include "ak_file.h"
#include "ak_root.h"
#include "publish.h"

#define BODY_MAX	(256 * 1024)

/* Reads path as a root document; 0 and *docp, or -1. */
static int
read_root(const char *path, struct ak_doc **docp)
{
	char *buf = NULL;
	size_t len;
	int r;

	*docp = NULL;
	if (ak_file_read(path, AK_DOC_MAX, 0, 0, &buf, &len) != 0)
		return -1;
	r = ak_doc_parse(buf, len, AK_DOC_ROOT, docp);
	free(buf);
	return r == 0 ? 0 : -1;
}

/*
 * The root published in out (v1/root), checked against itself, or NULL
 * when there is none. Returns 0, or -1 if there is one that does not
 * verify (nothing can hand over from it).
 */
static int
current_root(const char *out, time_t now, struct ak_root **rootp)
{
	struct ak_doc *doc;
	char path[4200];
	int r;

	*rootp = NULL;
	snprintf(path, sizeof(path), "%s/v1/root", out);
	if (access(path, F_OK) != 0 && errno == ENOENT)
		return 0;
	if (read_root(path, &doc) != 0) {
		fprintf(stderr, "%s: not a root document\n", path);
		return -1;
	}
	r = ak_root_verify_self(doc, path, now, rootp);
	ak_doc_free(doc);
	return r == 0 ? 0 : -1;
}

/* Header, then the roles file as it is (a newline at its end). */
static int
write_unsigned(const char *path, unsigned long long serial, time_t expires,
    const char *body, size_t len)
{
	char hdr[AK_DOC_HEADER_MAX];
	FILE *f;
	int n, ok;

	if ((n = ak_doc_format_header(AK_DOC_ROOT, NULL, serial, expires, hdr,
	    sizeof(hdr))) < 0 || (f = fopen(path, "w")) == NULL)
		return -1;
	ok = fwrite(hdr, 1, (size_t)n, f) == (size_t)n &&
	    fwrite(body, 1, len, f) == len &&
	    (len == 0 || body[len - 1] == '\n' || fputc('\n', f) != EOF);
	return fclose(f) != 0 || !ok ? -1 : 0;
}

int
pub_write_root(const struct pub_opts *o)
{
	struct ak_root *cur = NULL, *next = NULL;
	struct ak_doc *doc = NULL;
	char staged[4200], numbered[4200], final[4200], *body = NULL;
	unsigned long long serial;
	size_t len;
	int r = -1;

	snprintf(staged, sizeof(staged), "%s/v1/.root.new", o->out);
	if (ak_file_read(o->root_file, BODY_MAX, 0, 0, &body, &len) != 0) {
		fprintf(stderr, "%s: cannot read the roles file\n",
		    o->root_file);
		return -1;
	}
	if (pub_make_dirs(o->out) != 0 || current_root(o->out, o->now,
	    &cur) != 0) {
		fprintf(stderr, "nothing published\n");
		goto out;
	}
	serial = cur != NULL ? cur->serial + 1 : 1;
	if (write_unsigned(staged, serial, o->now + o->root_valid, body,
	    len) != 0 || pub_sign_file(o->keys, o->nkeys, AK_ROOT_NS,
	    staged) != 0 || read_root(staged, &doc) != 0) {
		fprintf(stderr, "%s: cannot write or sign root %llu; nothing "
		    "published\n", staged, serial);
		goto out;
	}
	/* As hosts will check it (the reasons are logged on stderr). */
	if ((cur != NULL ? ak_root_verify_next(cur, doc, "new root", o->now,
	    &next) : ak_root_verify_self(doc, "new root", o->now,
	    &next)) != 0) {
		fprintf(stderr, "root %llu: %s; nothing published\n", serial,
		    cur != NULL ? "it must be signed by enough of the "
		    "current root's root keys and of its own (-k each)" :
		    "it must be signed by enough of its own root keys "
		    "(-k each)");
		goto out;
	}
	snprintf(numbered, sizeof(numbered), "%s/v1/root.%llu", o->out,
	    serial);
	snprintf(final, sizeof(final), "%s/v1/root", o->out);
	/* root.N first (what hosts walk), then the newest as v1/root. */
	if (chmod(staged, 0644) != 0 || link(staged, numbered) != 0 ||
	    ak_file_replace_newer(staged, final) != 0) {
		fprintf(stderr, "%s: %s\n", numbered, strerror(errno));
		goto out;
	}
	printf("%s serial %llu\n%s serial %llu\n", numbered, serial, final,
	    serial);
	r = 0;
 out:
	unlink(staged);
	ak_root_free(cur);
	ak_root_free(next);
	ak_doc_free(doc);
	free(body);
	return r;
}

int
pub_root_in_force(const struct pub_opts *o, const struct ak_config *pol,
    struct ak_root **rootp)
{
	struct ak_root *boot;
	struct stat st;
	char dir[4200];
	int r;

	*rootp = NULL;
	if ((r = ak_root_load(pol->trusted_root, o->now, &boot)) != 0)
		return r;
	/* The store's root.N files: signed bytes, walked as hosts walk them. */
	(void)snprintf(dir, sizeof(dir), "%s/v1", o->out);
	r = ak_root_walk(boot, 0, NULL, stat(dir, &st) == 0 ? dir : NULL,
	    st.st_uid, o->now, rootp);
	ak_root_free(boot);
	return r;
}
