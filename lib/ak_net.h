/*
 * The PAM module links neither libcurl nor libcrypto: a login on the cache
 * path must not pay for loading them (SPEC facts: dynamic loading alone
 * costs more than the rest). The fetch functions of ak_fetch.h and
 * ak_sshsig_verify_doc then come from ak_fetch_lazy.c, which loads net.so
 * (ak_fetch.c and ak_sshsig.c with their libraries; ak_fetch_net.c) from
 * beside the module the first time the store is asked or a signature must
 * be checked; bytes the module verified before need no second check
 * (ak_resolve's memo).
 */
#ifndef AK_NET_H
#define AK_NET_H

#include <stddef.h>
#include <time.h>

#include "ak_doc.h"
#include "ak_fetch.h"
#include "ak_log.h"
#include "ak_signers.h"

#define AK_NET_OPS_VERSION	2

struct ak_net_ops {
	int version;
	void (*set_log)(ak_log_fn fn, void *ctx);
	int (*fetcher_new)(struct ak_fetcher **fp);
	void (*fetcher_free)(struct ak_fetcher *f);
	int (*fetch)(struct ak_fetcher *f, const char *ca_file,
	    const char *url, const char *etag, long timeout_ms, size_t max,
	    struct ak_fetch_result *res);
	void (*result_clear)(struct ak_fetch_result *res);
	int (*verify_doc)(const struct ak_doc *doc, const char *ns,
	    const struct ak_signers *signers, time_t now);
};

#endif
