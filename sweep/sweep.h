/* authkeys-sweep: ending live sessions of keys that are no longer allowed. */
#ifndef AK_SWEEP_H
#define AK_SWEEP_H

#include "ak_config.h"
#include "ak_doc.h"
#include "ak_keyset.h"
#include "ak_resolve.h"
#include "ak_session.h"

/* The verified view of one managed account, looked up once per sweep. */
struct acct_view {
	const char *account;
	int looked;
	struct ak_doc *doc;	/* NULL: no signed document to act on */
	struct ak_keyset *ks;
};

/* One sweep over the session records. Returns the exit status. */
int sweep_run(const struct ak_config *cfg);

/*
 * --list [--json]: the live recorded sessions, whether each key is still
 * admitted. Returns the exit status.
 */
int sweep_list(const struct ak_config *cfg, int json);

/* The view of account among views (looked up on first use), or NULL. */
struct acct_view *sweep_view_of(struct ak_resolver *rv,
    const struct ak_revset *rs, struct acct_view *views, size_t nviews,
    const char *account);

/*
 * Why session s must end, or NULL (then *fprp untouched): only on what
 * root verified itself.
 */
const char *sweep_verdict(struct ak_resolver *rv, const struct ak_revset *rs,
    struct acct_view *views, size_t nviews, const struct ak_session *s,
    const char **fprp);

#endif
