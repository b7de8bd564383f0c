/*
 * A net.so from another version of the module: the table's version is not
 * the one the module was built with (test_fetch_lazy). The loader must
 * refuse it before calling anything in it.
 */
#include "ak_net.h"

const struct ak_net_ops ak_net_ops = { AK_NET_OPS_VERSION - 1, NULL, NULL,
	NULL, NULL, NULL, NULL };
