/* PAM service files: the input as the service, includes resolved beside it. */
#include "fuzz_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ak_pamstack.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char dir[] = "/tmp/ak-fuzz-pamd.XXXXXX";
	static int made;
	char path[64];
	struct ak_pamstack ps;
	FILE *f;

	fuzz_init();
	if (!made && mkdtemp(dir) != NULL)
		made = 1;
	if (!made)
		return 0;
	snprintf(path, sizeof(path), "%s/sshd", dir);
	if ((f = fopen(path, "wb")) == NULL)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	(void)ak_pamstack_scan(path, "session", dir, &ps);
	return 0;
}
