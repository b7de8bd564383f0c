/*
 * The fetch functions of ak_fetch.h and ak_sshsig_verify_doc for the PAM
 * module (see ak_net.h): the first call loads net.so from the "authkeys"
 * directory beside the module (held to sshd's rules for what it runs:
 * root's, not writable by group or others, all the way up), and every call
 * goes through its table. A login on the cache path loads neither libcurl
 * nor libcrypto.
 */
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "ak_chain.h"
#include "ak_err.h"
#include "ak_fetch.h"
#include "ak_log.h"
#include "ak_net.h"
#include "ak_sshsig.h"

static const struct ak_net_ops *ops;

static int
load(void)
{
	char path[PATH_MAX], why[256], *slash;
	void *h;
	Dl_info di;

	if (ops != NULL)
		return 0;
	if (dladdr((void *)load, &di) == 0 || di.dli_fname == NULL ||
	    strlen(di.dli_fname) >= sizeof(path)) {
		ak_log(LOG_ERR, "cannot tell where pam_authkeys.so lives; "
		    "the store cannot be asked");
		return AK_ERR_UNAVAILABLE;
	}
	memcpy(path, di.dli_fname, strlen(di.dli_fname) + 1);
	if ((slash = strrchr(path, '/')) == NULL ||
	    (size_t)(slash - path) + sizeof("/authkeys/net.so") > sizeof(path))
		return AK_ERR_UNAVAILABLE;
	memcpy(slash, "/authkeys/net.so", sizeof("/authkeys/net.so"));
	if (ak_chain_path_safe(path, why, sizeof(why)) != 0) {
		ak_log(LOG_ERR, "network part %s refused: %s; the store cannot "
		    "be asked", path, why);
		return AK_ERR_UNAVAILABLE;
	}
	if ((h = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL ||
	    (ops = dlsym(h, "ak_net_ops")) == NULL ||
	    ops->version != AK_NET_OPS_VERSION) {
		ak_log(LOG_ERR, "network part %s: %s; the store cannot be "
		    "asked", path, h == NULL ? dlerror() : "not ours");
		if (h != NULL)
			(void)dlclose(h);
		ops = NULL;
		return AK_ERR_UNAVAILABLE;
	}
	/* Kept loaded: libcurl's global state is not for unloading. */
	return 0;
}

/* net.so logs through the module's sink of the moment (its pamh). */
static void
sync_log(void)
{
	ak_log_fn fn;
	void *ctx;

	ak_log_get(&fn, &ctx);
	ops->set_log(fn, ctx);
}

int
ak_fetcher_new(struct ak_fetcher **fp)
{
	int r;

	*fp = NULL;
	if ((r = load()) != 0)
		return r;
	sync_log();
	return ops->fetcher_new(fp);
}

void
ak_fetcher_free(struct ak_fetcher *f)
{
	if (f != NULL && ops != NULL)
		ops->fetcher_free(f);
}

int
ak_fetch(struct ak_fetcher *f, const char *ca_file, const char *url,
    const char *etag, long timeout_ms, size_t max,
    struct ak_fetch_result *res)
{
	int r;

	memset(res, 0, sizeof(*res));
	if ((r = load()) != 0)
		return r;
	sync_log();
	return ops->fetch(f, ca_file, url, etag, timeout_ms, max, res);
}

void
ak_fetch_result_clear(struct ak_fetch_result *res)
{
	if (ops != NULL)
		ops->result_clear(res);
}

int
ak_sshsig_verify_doc(const struct ak_doc *doc, const char *ns,
    const struct ak_signers *signers, time_t now)
{
	int r;

	/* Fails closed: no network part, no signature, no document. */
	if ((r = load()) != 0)
		return AK_ERR_SIGNATURE;
	sync_log();
	return ops->verify_doc(doc, ns, signers, now);
}
