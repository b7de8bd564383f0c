/* Session records as the sweep reads them back. */
#include "fuzz_common.h"

#include "ak_session.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ak_session s;

	fuzz_init();
	(void)ak_session_parse((const char *)data, size, &s);
	return 0;
}
