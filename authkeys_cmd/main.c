/*
 * authkeys-command: sshd's AuthorizedKeysCommand. This binary links neither
 * libcurl nor libcrypto, so the cache-hit path (twice per login) costs about
 * what cat(1) does; anything else is handed to the fetch helper by exec.
 */
#include <sys/types.h>

#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ak_cache.h"
#include "ak_config.h"
#include "ak_doc.h"
#include "ak_err.h"
#include "ak_fresh.h"
#include "ak_index.h"
#include "ak_log.h"
#include "ak_policy.h"
#include "cmd.h"
#include "status.h"

/*
 * The cached document for account (NULL: the list) if the freshness rule
 * lets a login use it without the network: fresh, or within retry_after of
 * a recorded outage and not expired (unsigned bodies never stale). Sets
 * *stale in the second case. Returns 1 if usable (*docp NULL for a cached
 * 404), 0 if the helper must decide, -1 if the answer is "nothing".
 */
static int
cached_doc(const struct ak_config *cfg, const char *account,
    enum ak_doc_kind kind, time_t now, time_t outage, int *stale,
    struct ak_doc **docp)
{
	struct ak_cache_entry *e = NULL;
	char name[64];
	int ok = 0;

	*docp = NULL;
	if (ak_cache_name(account, name, sizeof(name)) != 0)
		return 0;
	if (ak_cache_read(cfg->cache_dir, name, geteuid(), &e) != 0)
		e = NULL;	/* the helper looks again and logs */
	switch (ak_fresh_decide(cfg, e != NULL ? e->checked : 0, outage, now,
	    AK_ASK_IF_STALE)) {
	case AK_FRESH_USE:
		ok = ak_cache_doc(e, kind, account, now, docp) == 0 ? 1 : 0;
		break;
	case AK_FRESH_OUTAGE:
		/* The store was just found down: no login waits for it. */
		*stale = 1;
		if (e != NULL && (e->status == 404 || kind != AK_DOC_PLAIN) &&
		    ak_cache_doc(e, kind, account, now, docp) == 0)
			ok = 1;
		else
			ok = -1;
		break;
	case AK_FRESH_ASK:
		break;
	}
	ak_cache_entry_free(e);
	return ok;
}

/*
 * For one document's fast path: the head of the entry, which the
 * freshness rule must let a login use, and the document's header checked
 * (account, expiry). Returns 0, or -1 if the full path must decide.
 */
static int
usable_head(const struct ak_config *cfg, const char *name, const char *account,
    enum ak_doc_kind kind, time_t now, time_t outage, int *stale,
    struct ak_cache_entry **ep, struct ak_doc *hdr, size_t *doclenp,
    int *fdp)
{
	size_t hlen;

	if (ak_cache_read_head(cfg->cache_dir, name, geteuid(), ep, doclenp,
	    fdp) != 0)
		return -1;
	switch (ak_fresh_decide(cfg, (*ep)->checked, outage, now,
	    AK_ASK_IF_STALE)) {
	case AK_FRESH_USE:
		break;
	case AK_FRESH_OUTAGE:
		*stale = 1;
		break;
	default:
		return -1;
	}
	if ((*ep)->status != 200 || ak_doc_parse_header((*ep)->body,
	    (*ep)->bodylen, kind, hdr, &hlen) != 0 ||
	    ak_doc_check(hdr, account, now, 0) != 0)
		return -1;
	return 0;
}

/*
 * sshd's %f on a usable cache without parsing every line: the entries'
 * heads, one index lookup per document, one line read and checked again.
 * Costs the same for 2 keys or 20,000. Returns the exit status, or -1 if
 * the full path must decide (no index, a mismatch, anything odd).
 */
static int
fast_fpr(const struct ak_config *cfg, const struct cmd_args *a, time_t now,
    time_t outage)
{
	unsigned char hash[AK_HASH_LEN];
	struct ak_cache_entry *e = NULL, *re = NULL;
	struct ak_doc hdr, rhdr;
	struct ak_doc_line l;
	struct ak_revlist rl;
	struct ak_key_line *kl = NULL;
	char name[64], rfpr[1][AK_FPR_LEN + 1], *line = NULL;
	size_t doclen, rdoclen, off = 0, len = 0, roff, rlen;
	int fd = -1, rfd = -1, status = -1, stale = 0, r;

	if (a->fpr == NULL || !cfg->require_signature ||
	    ak_index_hash_of(a->fpr, hash) != 0 ||
	    ak_cache_name(a->account, name, sizeof(name)) != 0)
		return -1;
	if (usable_head(cfg, name, a->account, AK_DOC_ACCOUNT, now, outage,
	    &stale, &e, &hdr, &doclen, &fd) != 0)
		goto out;
	memset(&rl, 0, sizeof(rl));
	if (cfg->revocation_url != NULL) {
		if (usable_head(cfg, "revoked", NULL, AK_DOC_REVOCATIONS, now,
		    outage, &stale, &re, &rhdr, &rdoclen, &rfd) != 0)
			goto out;
		r = ak_index_lookup(cfg->cache_dir, "revoked", geteuid(),
		    rhdr.serial, rdoclen, hash, &roff, &rlen);
		if (r == 0) {
			memcpy(rfpr[0], a->fpr, AK_FPR_LEN + 1);
			rl.fprs = rfpr;
			rl.n = 1;
		} else if (r != AK_ERR_NOT_FOUND)
			goto out;
		rl.serial = rhdr.serial;
	}
	r = ak_index_lookup(cfg->cache_dir, name, geteuid(), hdr.serial,
	    doclen, hash, &off, &len);
	if (r != 0 && r != AK_ERR_NOT_FOUND)
		goto out;
	hdr.buf = NULL;
	hdr.lines = NULL;
	hdr.nlines = 0;
	if (r == 0) {
		/* The line found must be the key asked for, or no shortcut. */
		if ((line = malloc(len + 1)) == NULL ||
		    ak_cache_pread(fd, e, off, len, line) != 0 ||
		    ak_key_line_parse(line, len, &kl) != 0 ||
		    strcmp(kl->fpr, a->fpr) != 0)
			goto out;
		l.s = line;
		l.len = len;
		l.lineno = 0;
		hdr.buf = line;
		hdr.lines = &l;
		hdr.nlines = 1;
	}
	status = cmd_emit(cfg, a, &hdr, cfg->revocation_url != NULL ? &rl :
	    NULL, stale ? "stale cache (store unavailable)" : "cache");
 out:
	ak_key_line_free(kl);
	free(line);
	ak_cache_entry_free(e);
	ak_cache_entry_free(re);
	if (fd != -1)
		close(fd);
	if (rfd != -1)
		close(rfd);
	return status;
}

static int
cache_hit(const struct ak_config *cfg, const struct cmd_args *a)
{
	struct ak_doc *doc = NULL, *rdoc = NULL;
	struct ak_revlist *rl = NULL;
	time_t now = time(NULL);
	time_t outage = ak_outage_read(cfg->cache_dir, geteuid(), NULL, 0);
	int status = -1, stale = 0, r;

	if ((status = fast_fpr(cfg, a, now, outage)) >= 0)
		return status;
	r = cached_doc(cfg, a->account, cfg->require_signature ?
	    AK_DOC_ACCOUNT : AK_DOC_PLAIN, now, outage, &stale, &doc);
	if (r > 0 && cfg->revocation_url != NULL) {
		r = cached_doc(cfg, NULL, AK_DOC_REVOCATIONS, now, outage,
		    &stale, &rdoc);
		if (r > 0 && (rdoc == NULL ||
		    ak_revlist_from_doc(rdoc, &rl) != 0))
			r = -1;
	}
	if (r > 0)
		status = cmd_emit(cfg, a, doc, rl, stale ?
		    "stale cache (store unavailable)" : "cache");
	else if (r < 0) {
		ak_log(LOG_ERR, "account %s: filter=%s source=none printed=0 "
		    "outcome=store unavailable %llds ago (retry_after %lds), "
		    "no usable cached document", a->account,
		    a->fpr != NULL ? a->fpr : "-",
		    (long long)(now - outage), cfg->retry_after);
		status = 0;
	}
	ak_revlist_free(rl);
	ak_doc_free(rdoc);
	ak_doc_free(doc);
	return status;
}

static void
exec_helper(char **argv)
{
	char self[PATH_MAX], helper[PATH_MAX];
	ssize_t n;

	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) <= 0) {
		ak_log(LOG_ERR, "cannot find own path; no keys printed");
		return;
	}
	self[n] = '\0';
	if (snprintf(helper, sizeof(helper), "%s/%s", dirname(self),
	    AK_HELPER_REL) >= (int)sizeof(helper))
		return;
	argv[0] = helper;
	execv(helper, argv);
	ak_log(LOG_ERR, "cannot run %s; no keys printed", helper);
}

int
main(int argc, char **argv)
{
	struct cmd_args a;
	struct ak_config *cfg = NULL;
	int status, done;

	if ((status = cmd_parse_args(argc, argv, &a)) != 0)
		return status;
	if (!a.check) {
		status = cmd_prepare(&a, &cfg, &done);
		if (done) {
			ak_config_free(cfg);
			return status;
		}
		if (a.status) {
			status = status_run(cfg, a.status == 2);
			ak_config_free(cfg);
			return status;
		}
		if ((status = cache_hit(cfg, &a)) >= 0) {
			ak_config_free(cfg);
			return status;
		}
		ak_config_free(cfg);
	}
	exec_helper(argv);
	return 1;
}
