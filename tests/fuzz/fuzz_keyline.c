/*
 * Body lines and authorized_keys lines: the one line reader (both kinds
 * of document), the policy, publish's curve check with libcrypto, the
 * option, fingerprint and name validators and the text made safe to show.
 */
#include "fuzz_common.h"

#include <string.h>

#include "ak_config.h"
#include "ak_key.h"
#include "ak_keyset.h"
#include "ak_sshsig.h"
#include "ak_valid.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ak_config *cfg;
	struct ak_key_line *kl = NULL;
	struct ak_line l;
	char buf[512], safe[512];

	fuzz_init();
	if (cfg == NULL && ak_config_defaults(&cfg) != 0)
		return 0;
	if (ak_key_line_parse((const char *)data, size, &kl) == 0) {
		(void)ak_keyset_policy(cfg, kl);
		(void)ak_sshsig_key_check(kl->type, kl->blob, kl->bloblen);
		ak_key_line_free(kl);
	}
	if (ak_line_read((const char *)data, size, AK_DOC_ACCOUNT, &l) == 0)
		ak_line_clear(&l);
	if (ak_line_read((const char *)data, size, AK_DOC_REVOCATIONS,
	    &l) == 0)
		ak_line_clear(&l);
	if (size < sizeof(buf)) {
		memcpy(buf, data, size);
		buf[size] = '\0';
		(void)ak_key_options_check(buf);
		(void)ak_fpr_valid(buf);
		(void)ak_account_valid(buf);
		(void)ak_safe_text(buf, safe, sizeof(safe));
	}
	return 0;
}
