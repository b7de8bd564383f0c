/*
 * The %f index reader over any file: its header (taken as the binding, so
 * the records are reached), bounds, and the lines it points at.
 */
#include "fuzz_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ak_index.h"

static uint64_t
get64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char dir[] = "/tmp/ak-fuzz-index.XXXXXX";
	static int made;
	struct ak_index_bind b;
	unsigned char hash[AK_HASH_LEN];
	size_t off[AK_INDEX_MAX_DUP], len[AK_INDEX_MAX_DUP], n;
	char path[128];
	int revoked;
	FILE *f;

	fuzz_init();
	if (!made && mkdtemp(dir) != NULL)
		made = 1;
	if (!made || size < 64 + AK_HASH_LEN)
		return 0;
	snprintf(path, sizeof(path), "%s/idx.x", dir);
	if ((f = fopen(path, "wb")) == NULL)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	b.serial = get64(data + 8);
	b.doclen = (size_t)get64(data + 16);
	memcpy(b.tail, data + 32, AK_HASH_LEN);
	memcpy(hash, data + 64, AK_HASH_LEN);
	(void)ak_index_lines(dir, "x", getuid(), &b, hash, off, len,
	    AK_INDEX_MAX_DUP, &n);
	(void)ak_index_revoked(dir, "x", getuid(), &b, hash, &revoked);
	(void)ak_index_current(dir, "x", getuid(), &b);
	return 0;
}
