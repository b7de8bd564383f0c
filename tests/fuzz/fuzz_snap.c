/*
 * Snapshots and timestamps: the envelope of each kind, then their entries,
 * a lookup of each kind and a match against the input's own bytes.
 */
#include "fuzz_common.h"

#include "ak_doc.h"
#include "ak_snap.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ak_doc *doc = NULL;
	struct ak_snap *s = NULL;
	const struct ak_snap_entry *e;
	unsigned long lineno;
	int kind;

	fuzz_init();
	for (kind = AK_DOC_SNAPSHOT; kind <= AK_DOC_TIMESTAMP; kind++) {
		if (ak_doc_parse((const char *)data, size,
		    (enum ak_doc_kind)kind, &doc) != 0)
			continue;
		if (ak_snap_parse(doc, &s, &lineno) == 0) {
			e = ak_snap_find(s, "deploy");
			(void)ak_snap_matches(e, doc->serial, data, size,
			    doc->signed_len);
			e = ak_snap_find(s, NULL);
			(void)ak_snap_matches(e, doc->serial, data, size,
			    doc->signed_len);
			ak_snap_free(s);
		}
		ak_doc_free(doc);
	}
	return 0;
}
