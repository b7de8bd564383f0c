/*
 * authorized_keys lines: the libc-only parser, the policy, publish's curve
 * check with libcrypto, and the option, fingerprint and name validators.
 */
#include "fuzz_common.h"

#include <string.h>

#include "ak_config.h"
#include "ak_key.h"
#include "ak_policy.h"
#include "ak_sshsig.h"
#include "ak_valid.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ak_config *cfg;
	struct ak_key_line *kl = NULL;
	char buf[512];

	fuzz_init();
	if (cfg == NULL && ak_config_defaults(&cfg) != 0)
		return 0;
	if (ak_key_line_parse((const char *)data, size, &kl) == 0) {
		(void)ak_policy_check(cfg, NULL, kl);
		(void)ak_sshsig_key_check(kl->type, kl->blob, kl->bloblen);
		ak_key_line_free(kl);
	}
	if (size < sizeof(buf)) {
		memcpy(buf, data, size);
		buf[size] = '\0';
		(void)ak_key_options_check(buf);
		(void)ak_fpr_valid(buf);
		(void)ak_account_valid(buf);
	}
	return 0;
}
