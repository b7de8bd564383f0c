/* ~/.pam_environment text, as the module scans it for SSH_AUTH_INFO. */
#include "fuzz_common.h"

#include "ak_userenv.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_init();
	(void)ak_userenv_names_authinfo((const char *)data, size);
	return 0;
}
