/*
 * net.so: the PAM module's network and signature part, loaded only when
 * the store must be asked or new bytes verified (see ak_net.h). It holds
 * ak_fetch.c, ak_sshsig.c, libcurl and libcrypto; its one export is the
 * table below, and it logs through the module's sink.
 */
#include "ak_fetch.h"
#include "ak_log.h"
#include "ak_net.h"
#include "ak_sshsig.h"

const struct ak_net_ops ak_net_ops = {
	AK_NET_OPS_VERSION,
	ak_log_set,
	ak_fetcher_new,
	ak_fetcher_free,
	ak_fetch,
	ak_fetch_result_clear,
	ak_sshsig_verify_doc,
};
