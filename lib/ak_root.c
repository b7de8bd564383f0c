/*
 * The signed root of trust: a document of roles, keys and thresholds
 * (ak_root.h), read from the store's line format and verified against
 * itself (a host's bootstrap) or against the root before it (rotation).
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "ak_cache.h"
#include "ak_err.h"
#include "ak_file.h"
#include "ak_key.h"
#include "ak_log.h"
#include "ak_root.h"
#include "ak_sha256.h"
#include "ak_sshsig.h"
#include "ak_valid.h"

static const char *const role_names[AK_ROLE_MAX] = {
	"root", "documents", "timestamp",
};

const char *
ak_role_name(enum ak_role role)
{
	return (unsigned int)role < AK_ROLE_MAX ? role_names[role] : "?";
}

/* The next blank-separated word of [*p, e), or 0 at the end. */
static int
word(const char **p, const char *e, const char **w, size_t *n)
{
	while (*p < e && (**p == ' ' || **p == '\t'))
		(*p)++;
	*w = *p;
	while (*p < e && **p != ' ' && **p != '\t')
		(*p)++;
	*n = (size_t)(*p - *w);
	return *n > 0;
}

static int
role_of(const char *w, size_t n)
{
	int i;

	for (i = 0; i < AK_ROLE_MAX; i++) {
		if (n == strlen(role_names[i]) &&
		    memcmp(w, role_names[i], n) == 0)
			return i;
	}
	return -1;
}

/* "TYPE BASE64 [COMMENT]" into role's signers, once per key. */
static int
add_key(struct ak_signers *s, const char *p, const char *e)
{
	struct ak_signer sg, *tmp;
	const char *t, *b;
	size_t tn, bn, i;
	char type[64];
	int r;

	if (!word(&p, e, &t, &tn) || tn >= sizeof(type) ||
	    !word(&p, e, &b, &bn))
		return AK_ERR_FORMAT;
	memcpy(type, t, tn);
	type[tn] = '\0';
	memset(&sg, 0, sizeof(sg));
	if ((r = ak_key_parse_pub(type, b, bn, &sg.blob, &sg.bloblen,
	    &sg.type)) != 0)
		return r;
	for (i = 0; i < s->n; i++) {
		if (s->s[i].bloblen == sg.bloblen &&
		    memcmp(s->s[i].blob, sg.blob, sg.bloblen) == 0)
			break;
	}
	if (i < s->n || s->n == AK_ROOT_KEYS_MAX ||
	    (tmp = reallocarray(s->s, s->n + 1, sizeof(*tmp))) == NULL) {
		free(sg.blob);
		return i < s->n || s->n == AK_ROOT_KEYS_MAX ? AK_ERR_FORMAT :
		    AK_ERR_ALLOC;
	}
	s->s = tmp;
	s->s[s->n++] = sg;
	return 0;
}

static int
set_threshold(struct ak_signers *s, const char *p, const char *e)
{
	const char *w, *more;
	size_t n, moren;
	unsigned long k;

	if (s->threshold != 0 || !word(&p, e, &w, &n) || n > 2 ||
	    !ak_digits(w, n) || word(&p, e, &more, &moren))
		return AK_ERR_FORMAT;
	k = strtoul(w, NULL, 10);
	if (k < 1 || k > AK_ROOT_K_MAX)
		return AK_ERR_FORMAT;
	s->threshold = (unsigned int)k;
	return 0;
}

static int
parse_line(struct ak_root *root, const char *p, const char *e)
{
	const char *w;
	size_t n;
	int role;

	if (!word(&p, e, &w, &n))
		return 0;
	if (*w == '#')
		return 0;
	if (n == 9 && memcmp(w, "threshold", 9) == 0) {
		if (!word(&p, e, &w, &n) || (role = role_of(w, n)) < 0)
			return AK_ERR_FORMAT;
		return set_threshold(root->role[role], p, e);
	}
	if ((role = role_of(w, n)) < 0)
		return AK_ERR_FORMAT;
	return add_key(root->role[role], p, e);
}

int
ak_root_parse(const struct ak_doc *doc, const char *name,
    struct ak_root **rootp)
{
	struct ak_root *root;
	const struct ak_doc_line *l;
	size_t i;
	int r = 0;

	*rootp = NULL;
	if (doc->kind != AK_DOC_ROOT)
		return AK_ERR_FORMAT;
	if ((root = calloc(1, sizeof(*root))) == NULL)
		return AK_ERR_ALLOC;
	for (i = 0; i < AK_ROLE_MAX; i++) {
		if ((root->role[i] = calloc(1, sizeof(*root->role[i]))) ==
		    NULL) {
			ak_root_free(root);
			return AK_ERR_ALLOC;
		}
	}
	root->serial = doc->serial;
	root->expires = doc->expires;
	for (i = 0; i < doc->nlines; i++) {
		l = &doc->lines[i];
		if (ak_has_ctrl(l->s, l->len))
			r = AK_ERR_CONTROL_CHAR;
		else
			r = parse_line(root, l->s, l->s + l->len);
		if (r != 0) {
			ak_log(LOG_ERR, "%s:%lu: %s", name, l->lineno,
			    r == AK_ERR_FORMAT ? "not a role key or threshold "
			    "line, or a key twice in one role" : ak_err(r));
			goto bad;
		}
	}
	for (i = 0; i < AK_ROLE_MAX; i++) {
		struct ak_signers *s = root->role[i];

		if (s->n == 0 || s->threshold == 0 || s->threshold > s->n) {
			ak_log(LOG_ERR, "%s: role %s: %zu key(s), threshold %u "
			    "(every role needs keys and a threshold they can "
			    "meet)", name, role_names[i], s->n, s->threshold);
			r = AK_ERR_FORMAT;
			goto bad;
		}
	}
	ak_sha256(doc->buf, doc->len, root->digest);
	memcpy(root->boot, root->digest, sizeof(root->boot));
	if ((root->buf = malloc(doc->len)) == NULL) {
		r = AK_ERR_ALLOC;
		goto bad;
	}
	memcpy(root->buf, doc->buf, doc->len);
	root->len = doc->len;
	/* What a role's verified marks are checked against. */
	for (i = 0; i < AK_ROLE_MAX; i++)
		memcpy(root->role[i]->digest, root->digest,
		    sizeof(root->digest));
	*rootp = root;
	return 0;
 bad:
	ak_root_free(root);
	return r;
}

void
ak_root_free(struct ak_root *root)
{
	size_t i;

	if (root == NULL)
		return;
	for (i = 0; i < AK_ROLE_MAX; i++)
		ak_signers_free(root->role[i]);
	free(root->buf);
	free(root);
}

int
ak_root_verify_self(const struct ak_doc *doc, const char *name, time_t now,
    struct ak_root **rootp)
{
	struct ak_root *root;
	int r;

	*rootp = NULL;
	if ((r = ak_root_parse(doc, name, &root)) != 0)
		return r;
	if ((r = ak_sshsig_verify_doc(doc, AK_ROOT_NS,
	    root->role[AK_ROLE_ROOT], now)) != 0) {
		ak_log(LOG_ERR, "%s: root %llu is not signed by %u of its own "
		    "root keys: %s", name, root->serial,
		    root->role[AK_ROLE_ROOT]->threshold, ak_err(r));
		ak_root_free(root);
		return r;
	}
	*rootp = root;
	return 0;
}

int
ak_root_verify_next(const struct ak_root *cur, const struct ak_doc *doc,
    const char *name, time_t now, struct ak_root **nextp)
{
	struct ak_root *next;
	int r;

	*nextp = NULL;
	if (doc->kind != AK_DOC_ROOT || doc->serial != cur->serial + 1) {
		ak_log(LOG_ERR, "%s: serial %llu does not follow root %llu",
		    name, doc->serial, cur->serial);
		return doc->kind != AK_DOC_ROOT ? AK_ERR_FORMAT :
		    AK_ERR_ROLLBACK;
	}
	/* The old root hands over... */
	if ((r = ak_sshsig_verify_doc(doc, AK_ROOT_NS,
	    cur->role[AK_ROLE_ROOT], now)) != 0) {
		ak_log(LOG_ERR, "%s: root %llu is not signed by %u of root "
		    "%llu's root keys: %s", name, doc->serial,
		    cur->role[AK_ROLE_ROOT]->threshold, cur->serial, ak_err(r));
		return r;
	}
	/* ...and the new one takes over. */
	if ((r = ak_root_verify_self(doc, name, now, &next)) != 0)
		return r;
	*nextp = next;
	return 0;
}

int
ak_root_read(const char *path, int verify, time_t now, struct ak_root **rootp)
{
	struct ak_doc *doc = NULL;
	char *buf = NULL;
	size_t len;
	int r;

	*rootp = NULL;
	/* Who may sign is root's decision: the file and its directories. */
	if ((r = ak_file_read_root(path, AK_DOC_MAX, &buf, &len)) != 0) {
		ak_log(LOG_ERR, "trusted_root %s: %s (it and its directory "
		    "must be owned by root and writable by no one else)", path,
		    ak_err(r));
		return r;
	}
	if ((r = ak_doc_parse(buf, len, AK_DOC_ROOT, &doc)) != 0)
		ak_log(LOG_ERR, "trusted_root %s: %s (not a signed "
		    "#authkeys-root v1 document)", path, ak_err(r));
	else if (verify)
		r = ak_root_verify_self(doc, path, now, rootp);
	else
		r = ak_root_parse(doc, path, rootp);
	ak_doc_free(doc);
	free(buf);
	return r;
}

int
ak_root_load(const char *path, time_t now, struct ak_root **rootp)
{
	return ak_root_read(path, 1, now, rootp);
}

int
ak_root_check_self(const struct ak_root *root, const char *name, time_t now)
{
	struct ak_doc *doc;
	struct ak_root *again;
	int r;

	if ((r = ak_doc_parse(root->buf, root->len, AK_DOC_ROOT, &doc)) != 0)
		return r;
	r = ak_root_verify_self(doc, name, now, &again);
	ak_root_free(again);
	ak_doc_free(doc);
	return r;
}

int
ak_root_role_same(const struct ak_root *a, const struct ak_root *b,
    enum ak_role role)
{
	const struct ak_signers *x = a->role[role], *y = b->role[role];
	size_t i, j;

	if (x->n != y->n || x->threshold != y->threshold)
		return 0;
	for (i = 0; i < x->n; i++) {
		for (j = 0; j < y->n; j++) {
			if (x->s[i].bloblen == y->s[j].bloblen &&
			    memcmp(x->s[i].blob, y->s[j].blob,
			    x->s[i].bloblen) == 0)
				break;
		}
		if (j == y->n)
			return 0;
	}
	return 1;
}

/* dir/name as a root document: 0, AK_ERR_NOT_FOUND or another AK_ERR_*. */
static int
read_root_doc(const char *dir, const char *name, uid_t owner,
    struct ak_doc **docp)
{
	char path[4096], *buf = NULL;
	size_t len;
	int r;

	*docp = NULL;
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path))
		return AK_ERR_TOO_LARGE;
	if ((r = ak_file_read(path, AK_DOC_MAX, 1, owner, &buf, &len)) != 0)
		return r;
	r = ak_doc_parse(buf, len, AK_DOC_ROOT, docp);
	free(buf);
	return r;
}

int
ak_root_record(const char *dir, const struct ak_root *root)
{
	char name[40];
	int r;

	ak_root_record_name(root->boot, name, sizeof(name));
	if ((r = ak_file_write_atomic(dir, name, root->buf, root->len,
	    0644)) != 0)
		ak_log(LOG_ERR, "%s/%s: root %llu not recorded: %s", dir, name,
		    root->serial, ak_err(r));
	return r;
}

int
ak_root_take_next(const struct ak_root *cur, const struct ak_doc *doc,
    const char *name, time_t now, struct ak_root **nextp)
{
	struct ak_root *next;
	int r;

	*nextp = NULL;
	if ((r = ak_root_verify_next(cur, doc, name, now, &next)) != 0)
		return r;
	memcpy(next->boot, cur->boot, sizeof(next->boot));
	*nextp = next;
	return 0;
}

/* A copy of a root already verified (its bytes parsed again). */
static int
root_copy(const struct ak_root *from, struct ak_root **rootp)
{
	struct ak_doc *doc;
	int r;

	*rootp = NULL;
	if ((r = ak_doc_parse(from->buf, from->len, AK_DOC_ROOT, &doc)) != 0)
		return r;
	r = ak_root_parse(doc, "root", rootp);
	ak_doc_free(doc);
	if (r == 0)
		memcpy((*rootp)->boot, from->boot, sizeof(from->boot));
	return r;
}

int
ak_root_owns(const char *dir)
{
	struct stat st;

	return stat(dir, &st) == 0 && st.st_uid == geteuid();
}

/*
 * Our own record of the newest root since *curp's bootstrap: written by
 * us after it was verified, so read, not verified again. Returns 1 if
 * there is one (the bootstrap was verified when it was written).
 */
static int
own_record(const char *dir, struct ak_root **curp)
{
	struct ak_root *rec = NULL;
	struct ak_doc *doc;
	char name[40];

	ak_root_record_name((*curp)->boot, name, sizeof(name));
	if (read_root_doc(dir, name, geteuid(), &doc) != 0)
		return 0;
	if (ak_root_parse(doc, name, &rec) == 0 &&
	    rec->serial > (*curp)->serial) {
		memcpy(rec->boot, (*curp)->boot, sizeof(rec->boot));
		ak_root_free(*curp);
		*curp = rec;
		rec = NULL;
	}
	ak_root_free(rec);
	ak_doc_free(doc);
	return 1;
}

int
ak_root_walk(const struct ak_root *from, int check_from, const char *own_dir,
    const char *peer_dir, uid_t peer_uid, time_t now, struct ak_root **rootp)
{
	struct ak_root *cur, *next;
	struct ak_doc *doc;
	char name[40], where[4200];
	size_t i;
	int r, changed = 0;

	*rootp = NULL;
	if ((r = root_copy(from, &cur)) != 0)
		return r;
	/* The bootstrap's signatures: once, then our record says so. */
	if ((own_dir == NULL || !own_record(own_dir, &cur)) && check_from) {
		if ((r = ak_root_check_self(from, "trusted_root", now)) != 0) {
			ak_root_free(cur);
			return r;
		}
		changed = 1;
	}
	/* Newer ones, signed: ours first (the cache owner's), the peer's. */
	for (i = 0; i < AK_ROOT_CHAIN_MAX; i++) {
		const char *dir = own_dir;

		(void)snprintf(name, sizeof(name), "root.%llu",
		    cur->serial + 1);
		r = own_dir != NULL ? read_root_doc(own_dir, name, geteuid(),
		    &doc) : AK_ERR_NOT_FOUND;
		if (r == AK_ERR_NOT_FOUND && peer_dir != NULL) {
			dir = peer_dir;
			r = read_root_doc(peer_dir, name, peer_uid, &doc);
		}
		if (r == AK_ERR_NOT_FOUND)
			break;
		(void)snprintf(where, sizeof(where), "%s/%s", dir, name);
		if (r != 0) {
			ak_log(LOG_ERR, "%s: %s; root %llu stays in force",
			    where, ak_err(r), cur->serial);
			break;
		}
		r = ak_root_take_next(cur, doc, where, now, &next);
		ak_doc_free(doc);
		if (r != 0) {
			ak_log(LOG_ERR, "%s: refused (%s); root %llu stays in "
			    "force", where, ak_err(r), cur->serial);
			break;
		}
		ak_root_free(cur);
		cur = next;
		changed = 1;
	}
	if (changed && own_dir != NULL && ak_root_owns(own_dir))
		(void)ak_root_record(own_dir, cur);
	*rootp = cur;
	return 0;
}

int
ak_root_advance(const struct ak_root *cur, const char *dir, const char *buf,
    size_t len, const char *name, time_t now, struct ak_root **nextp)
{
	struct ak_root *next;
	struct ak_doc *doc;
	char fname[40];
	int r;

	*nextp = NULL;
	if ((r = ak_doc_parse(buf, len, AK_DOC_ROOT, &doc)) != 0) {
		ak_log(LOG_ERR, "%s: %s (not a signed #authkeys-root v1 "
		    "document)", name, ak_err(r));
		return r;
	}
	r = ak_root_take_next(cur, doc, name, now, &next);
	ak_doc_free(doc);
	if (r != 0)
		return r;
	/* Each root kept for readers that walk the chain, then the newest. */
	(void)snprintf(fname, sizeof(fname), "root.%llu", next->serial);
	if ((r = ak_file_write_atomic(dir, fname, next->buf, next->len,
	    0644)) != 0 || (r = ak_root_record(dir, next)) != 0) {
		ak_log(LOG_ERR, "%s/%s: %s", dir, fname, ak_err(r));
		ak_root_free(next);
		return r;
	}
	*nextp = next;
	return 0;
}
