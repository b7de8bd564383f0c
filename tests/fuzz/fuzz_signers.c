/* allowed_signers files, and a lookup of the first key parsed. */
#include "fuzz_common.h"

#include "ak_signers.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ak_signers *s = NULL;
	int why;

	fuzz_init();
	if (ak_signers_parse((const char *)data, size, "fuzz", &s) == 0) {
		if (s->n > 0)
			(void)ak_signers_find(s, s->s[0].blob, s->s[0].bloblen,
			    "authkeys", 1700000000, &why);
		ak_signers_free(s);
	}
	return 0;
}
