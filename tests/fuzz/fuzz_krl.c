/* The KRL header reader, and the builder over whatever list a body makes. */
#include "fuzz_common.h"

#include <stdlib.h>

#include "ak_doc.h"
#include "ak_keyset.h"
#include "ak_krl.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ak_doc *doc = NULL;
	struct ak_revset *rs = NULL;
	unsigned long long v;
	unsigned char *krl = NULL;
	size_t len;

	fuzz_init();
	(void)ak_krl_version(data, size, &v);
	if (ak_doc_parse((const char *)data, size, AK_DOC_REVOCATIONS,
	    &doc) == 0 && ak_revset_from_doc(doc, &rs, NULL) == 0 &&
	    ak_krl_build(rs, 1, &krl, &len) == 0) {
		if (ak_krl_version(krl, len, &v) != 0 || v != rs->serial)
			abort();
	}
	free(krl);
	ak_revset_free(rs);
	ak_doc_free(doc);
	return 0;
}
