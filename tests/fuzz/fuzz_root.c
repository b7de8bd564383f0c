/*
 * The root of trust: its envelope (several signatures), its roles, keys
 * and thresholds, its check against itself, and a rotation from a root
 * made of the input onto the input again (must never be taken: the same
 * serial is never the next one).
 */
#include "fuzz_common.h"

#include "ak_doc.h"
#include "ak_root.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ak_doc *doc = NULL;
	struct ak_root *root = NULL, *self = NULL, *next = NULL;

	fuzz_init();
	if (ak_doc_parse((const char *)data, size, AK_DOC_ROOT, &doc) != 0)
		return 0;
	if (ak_root_parse(doc, "fuzz", &root) == 0) {
		(void)ak_root_role_same(root, root, AK_ROLE_DOCUMENTS);
		if (ak_root_verify_self(doc, "fuzz", 1800000000, &self) == 0)
			ak_root_free(self);
		if (ak_root_verify_next(root, doc, "fuzz", 1800000000,
		    &next) == 0)
			__builtin_trap();
		ak_root_free(root);
	}
	ak_doc_free(doc);
	return 0;
}
