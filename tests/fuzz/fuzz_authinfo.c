/* sshd's SSH_AUTH_INFO_0 as the module reads it, and the fingerprint list. */
#include "fuzz_common.h"

#include <stdlib.h>
#include <string.h>

#include "ak_authinfo.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ak_authinfo ai;
	char *s, fprs[512];

	fuzz_init();
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	(void)ak_authinfo_parse(s, &ai);
	ak_authinfo_fprs(&ai, fprs, sizeof(fprs));
	ak_authinfo_clear(&ai);
	free(s);
	return 0;
}
