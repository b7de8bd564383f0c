/*
 * The accounts list (see ak_accounts.h): sshd's match_pattern_list for
 * names, NSS for groups and for the names a pattern admits on this host.
 */
#include <sys/types.h>

#include <fnmatch.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "ak_accounts.h"
#include "ak_err.h"
#include "ak_valid.h"

#define NSS_BUF		16384
#define MAX_GROUPS	4096

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

/* Is account a member of group (its primary group, or a supplementary)? */
static int
in_group(const char *account, const char *group)
{
	struct passwd pw, *pwp = NULL;
	struct group gr, *grp = NULL;
	char pbuf[NSS_BUF], gbuf[NSS_BUF];
	gid_t groups[MAX_GROUPS], gid;
	int ng = MAX_GROUPS, i;

	if (getgrnam_r(group, &gr, gbuf, sizeof(gbuf), &grp) != 0 ||
	    grp == NULL)
		return 0;
	gid = grp->gr_gid;
	if (getpwnam_r(account, &pw, pbuf, sizeof(pbuf), &pwp) != 0 ||
	    pwp == NULL)
		return 0;
	if (pwp->pw_gid == gid)
		return 1;
	if (getgrouplist(account, pwp->pw_gid, groups, &ng) == -1)
		ng = MAX_GROUPS;	/* more than we look at: these */
	for (i = 0; i < ng; i++)
		if (groups[i] == gid)
			return 1;
	return 0;
}

/* Does one item (without its '!') match account? */
static int
item_matches(const char *item, const char *account)
{
	if (*item == '%')
		return in_group(account, item + 1);
	return fnmatch(item, account, 0) == 0;
}

int
ak_accounts_match(char *const *items, size_t n, const char *account)
{
	size_t i;
	int yes = 0;

	if (!ak_account_valid(account))
		return 0;
	for (i = 0; i < n; i++) {
		const char *it = items[i];
		int neg = *it == '!';

		if (!item_matches(it + neg, account))
			continue;
		if (neg)
			return 0;
		yes = 1;
	}
	return yes;
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
	char gbuf[NSS_BUF], **m;
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

		if (*it != '%' || getgrnam_r(it + 1, &gr, gbuf, sizeof(gbuf),
		    &grp) != 0 || grp == NULL)
			continue;
		for (m = grp->gr_mem; r == 0 && *m != NULL; m++)
			if (ak_account_valid(*m))
				r = add_name(names, nn, *m);
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
		if (!ak_accounts_match(items, n, c[i]))
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
		c += item_matches(it + neg, names[j]) ? 1 : 0;
	return c;
}
