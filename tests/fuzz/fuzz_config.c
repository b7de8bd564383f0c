/* authkeys.conf, and the URL template of whatever config parses. */
#include "fuzz_common.h"

#include "ak_config.h"
#include "ak_url.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ak_config *cfg = NULL;
	char out[256];

	fuzz_init();
	if (ak_config_parse((const char *)data, size, "fuzz", &cfg) == 0) {
		(void)ak_url_expand(cfg->urls[0], "deploy", out, sizeof(out));
		ak_config_free(cfg);
	}
	return 0;
}
