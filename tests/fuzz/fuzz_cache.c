/* Cache entries (header and document) and the cached document's checks. */
#include "fuzz_common.h"

#include <stdlib.h>
#include <string.h>

#include "ak_cache.h"
#include "ak_doc.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ak_cache_entry e;
	struct ak_doc *doc = NULL;
	char *raw;

	fuzz_init();
	if ((raw = malloc(size + 1)) == NULL)
		return 0;
	memcpy(raw, data, size);
	raw[size] = '\0';
	memset(&e, 0, sizeof(e));
	if (ak_cache_parse(raw, size, &e) == 0 &&
	    ak_cache_doc(&e, AK_DOC_ACCOUNT, "deploy", 1700000000, 300,
	    &doc) == 0)
		ak_doc_free(doc);
	free(raw);
	return 0;
}
