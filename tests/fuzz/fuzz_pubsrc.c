/* publish's sources: OpenSSH lines, RFC 4716 blocks, private keys. */
#include "fuzz_common.h"

#include "ak_pubsrc.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ak_src *src = NULL;
	unsigned long line;
	const char *why;

	fuzz_init();
	if (ak_src_parse((const char *)data, size, &src, &line, &why) == 0)
		ak_src_free(src);
	return 0;
}
