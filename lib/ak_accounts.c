/*
 * The accounts list (see ak_accounts.h): sshd's match_pattern_list for
 * names, NSS for groups and for the names a pattern admits on this host.
 */
#include <sys/types.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "ak_accounts.h"
#include "ak_err.h"
#include "ak_match.h"
#include "ak_valid.h"

#define NSS_BUF		16384
#define NSS_BUF_MAX	(16 * 1024 * 1024)
#define MAX_GROUPS	65536

static int
pattern_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
	    c == '.' || c == '-' || c == '*' || c == '?';
}

static int
group_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

int
ak_accounts_item_valid(const char *item)
{
	const char *p = item;
	size_t i;

	if (*p == '!')
		p++;
	if (*p == '%') {
		for (i = 1; p[i] != '\0'; i++)
			if (i > 64 || !group_char(p[i]))
				return AK_ERR_BAD_NAME;
		return i > 1 ? 0 : AK_ERR_BAD_NAME;
	}
	if (strpbrk(p, "*?") == NULL)
		return ak_account_valid(p) ? 0 : AK_ERR_BAD_NAME;
	for (i = 0; p[i] != '\0'; i++)
		if (i >= 32 || !pattern_char(p[i]))
			return AK_ERR_BAD_NAME;
	return i > 0 ? 0 : AK_ERR_BAD_NAME;
}

int
ak_accounts_dynamic(char *const *items, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strpbrk(items[i], "*?%!") != NULL)
			return 1;
	return 0;
}

/* getgrnam_r or getpwnam_r, as one shape (see nss_lookup). */
typedef int (*nss_get_fn)(const char *, void *, char *, size_t, void **);

static int
get_group(const char *name, void *ent, char *buf, size_t len, void **res)
{
	struct group *g = NULL;
	int e = getgrnam_r(name, ent, buf, len, &g);

	*res = g;
	return e;
}

static int
get_user(const char *name, void *ent, char *buf, size_t len, void **res)
{
	struct passwd *p = NULL;
	int e = getpwnam_r(name, ent, buf, len, &p);

	*res = p;
	return e;
}

/*
 * One NSS lookup with its buffer grown on ERANGE up to NSS_BUF_MAX (a
 * group of thousands of members is a long line). Returns 0 with *res
 * (NULL: no such entry) and *bufp (caller frees), or AK_ERR_NSS.
 */
static int
nss_lookup(nss_get_fn get, const char *name, void *ent, void **res,
    char **bufp)
{
	size_t len;
	char *buf;
	int e;

	*bufp = NULL;
	*res = NULL;
	for (len = NSS_BUF; len <= NSS_BUF_MAX; len *= 2) {
		if ((buf = malloc(len)) == NULL)
			return AK_ERR_NSS;
		if ((e = get(name, ent, buf, len, res)) == 0) {
			*bufp = buf;
			return 0;
		}
		free(buf);
		*res = NULL;
		if (e != ERANGE)
			break;
	}
	return AK_ERR_NSS;
}

static int
group_named(const char *name, struct group *gr, struct group **res,
    char **bufp)
{
	void *v;
	int r = nss_lookup(get_group, name, gr, &v, bufp);

	*res = v;
	return r;
}

static int
user_named(const char *name, struct passwd *pw, struct passwd **res,
    char **bufp)
{
	void *v;
	int r = nss_lookup(get_user, name, pw, &v, bufp);

	*res = v;
	return r;
}

/*
 * Is account a member of group (its primary group, or a supplementary)?
 * Returns 1, 0, or AK_ERR_NSS when NSS cannot say.
 */
static int
in_group(const char *account, const char *group)
{
	struct passwd pw, *pwp = NULL;
	struct group gr, *grp = NULL;
	char *pbuf = NULL, *gbuf = NULL;
	gid_t *groups = NULL, *tmp, gid;
	int ng = 64, had = 0, i, r;

	if ((r = group_named(group, &gr, &grp, &gbuf)) != 0)
		goto out;
	if (grp == NULL)
		goto out;	/* no such group: nobody is in it */
	gid = grp->gr_gid;
	if ((r = user_named(account, &pw, &pwp, &pbuf)) != 0 || pwp == NULL)
		goto out;
	if (pwp->pw_gid == gid) {
		r = 1;
		goto out;
	}
	/* getgrouplist says how many there are when the array is short. */
	for (;;) {
		if (ng <= had || ng > MAX_GROUPS ||
		    (tmp = reallocarray(groups, (size_t)ng,
		    sizeof(*groups))) == NULL) {
			r = AK_ERR_NSS;
			goto out;
		}
		groups = tmp;
		had = ng;
		if (getgrouplist(account, pwp->pw_gid, groups, &ng) != -1)
			break;
	}
	for (i = 0; i < ng; i++)
		if (groups[i] == gid)
			r = 1;
 out:
	free(groups);
	free(pbuf);
	free(gbuf);
	return r;
}

/* Does one item (without its '!') match account? 1, 0 or AK_ERR_NSS. */
static int
item_matches(const char *item, const char *account)
{
	if (*item == '%')
		return in_group(account, item + 1);
	return ak_match_pattern(account, item);
}

int
ak_accounts_match(char *const *items, size_t n, const char *account)
{
	size_t i;
	int yes = 0, no = 0, err_yes = 0, err_no = 0, m;

	if (!ak_account_valid(account))
		return 0;
	for (i = 0; i < n; i++) {
		const char *it = items[i];
		int neg = *it == '!';

		if ((m = item_matches(it + neg, account)) < 0)
			*(neg ? &err_no : &err_yes) = 1;
		else if (m > 0)
			*(neg ? &no : &yes) = 1;
	}
	/*
	 * A group NSS cannot read decides nothing: where the answer turns on
	 * it, neither "unmanaged" (chained keys would count) nor managed.
	 */
	if (no)
		return 0;
	if (err_no && (yes || err_yes))
		return AK_ERR_NSS;
	if (yes)
		return 1;
	return err_yes ? AK_ERR_NSS : 0;
}

static int
add_name(char ***names, size_t *n, const char *name)
{
	char **tmp;

	if (*n >= AK_ACCOUNTS_MAX)
		return AK_ERR_TOO_LARGE;
	if ((*n & 63) == 0) {
		if ((tmp = reallocarray(*names, *n + 64, sizeof(*tmp))) ==
		    NULL)
			return AK_ERR_ALLOC;
		*names = tmp;
	}
	if (((*names)[*n] = strdup(name)) == NULL)
		return AK_ERR_ALLOC;
	(*n)++;
	return 0;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Candidates: plain names, every NSS user, the members of each group. */
static int
candidates(char *const *items, size_t n, char ***names, size_t *nn)
{
	struct passwd *pw;
	struct group gr, *grp;
	char *gbuf, **m;
	size_t i;
	int r = 0;

	for (i = 0; i < n && r == 0; i++)
		if (strpbrk(items[i], "*?%!") == NULL)
			r = add_name(names, nn, items[i]);
	if (r != 0 || !ak_accounts_dynamic(items, n))
		return r;
	setpwent();
	while (r == 0 && (pw = getpwent()) != NULL)
		if (ak_account_valid(pw->pw_name))
			r = add_name(names, nn, pw->pw_name);
	endpwent();
	/* Directories that do not enumerate users still list members. */
	for (i = 0; i < n && r == 0; i++) {
		const char *it = items[i];

		/* One NSS cannot read: ak_accounts_groups_readable says so. */
		if (*it != '%' || group_named(it + 1, &gr, &grp, &gbuf) != 0)
			continue;
		m = grp != NULL ? grp->gr_mem : NULL;
		for (; r == 0 && m != NULL && *m != NULL; m++)
			if (ak_account_valid(*m))
				r = add_name(names, nn, *m);
		free(gbuf);
	}
	return r;
}

int
ak_accounts_expand(char *const *items, size_t n, char ***namesp,
    size_t *np)
{
	char **c = NULL, **out = NULL;
	size_t nc = 0, no = 0, i;
	int r;

	*namesp = NULL;
	*np = 0;
	if ((r = candidates(items, n, &c, &nc)) != 0)
		goto out;
	if (nc > 0)
		qsort(c, nc, sizeof(*c), name_cmp);
	for (i = 0; i < nc; i++) {
		if (i > 0 && strcmp(c[i], c[i - 1]) == 0)
			continue;
		/* Undecided (NSS): not listed; its logins are refused. */
		if (ak_accounts_match(items, n, c[i]) != 1)
			continue;
		if ((r = add_name(&out, &no, c[i])) != 0)
			goto out;
	}
	*namesp = out;
	*np = no;
	out = NULL;
	no = 0;
	r = 0;
 out:
	ak_accounts_free(c, nc);
	ak_accounts_free(out, no);
	return r;
}

int
ak_accounts_groups_readable(char *const *items, size_t n, const char **badp)
{
	struct group gr, *grp;
	char *gbuf;
	size_t i;

	*badp = NULL;
	for (i = 0; i < n; i++) {
		const char *it = items[i] + (items[i][0] == '!');

		if (*it != '%')
			continue;
		if (group_named(it + 1, &gr, &grp, &gbuf) != 0) {
			*badp = items[i];
			return AK_ERR_NSS;
		}
		free(gbuf);
	}
	return 0;
}

void
ak_accounts_free(char **names, size_t n)
{
	size_t i;

	if (names == NULL)
		return;
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int
ak_accounts_candidates(char *const *items, size_t n, char ***namesp,
    size_t *np)
{
	char **c = NULL;
	size_t nc = 0, i, o;
	int r;

	*namesp = NULL;
	*np = 0;
	if ((r = candidates(items, n, &c, &nc)) != 0) {
		ak_accounts_free(c, nc);
		return r;
	}
	if (nc > 0)
		qsort(c, nc, sizeof(*c), name_cmp);
	for (i = o = 0; i < nc; i++) {
		if (o > 0 && strcmp(c[i], c[o - 1]) == 0) {
			free(c[i]);
			continue;
		}
		c[o++] = c[i];
	}
	*namesp = c;
	*np = o;
	return 0;
}

size_t
ak_accounts_item_count(const char *it, char *const *names, size_t nnames)
{
	int neg = *it == '!';
	size_t j, c = 0;

	for (j = 0; j < nnames; j++)
		c += item_matches(it + neg, names[j]) > 0 ? 1 : 0;
	return c;
}
