/* Documents of every kind, then what the command does with them. */
#include "fuzz_common.h"

#include <stdio.h>

#include "ak_config.h"
#include "ak_doc.h"
#include "ak_policy.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ak_config *cfg;
	static FILE *devnull;
	struct ak_doc *doc = NULL;
	struct ak_revlist *rl = NULL;
	char fprs[128];
	size_t n;
	int kind;

	fuzz_init();
	if (cfg == NULL && ak_config_defaults(&cfg) != 0)
		return 0;
	if (devnull == NULL && (devnull = fopen("/dev/null", "w")) == NULL)
		return 0;
	for (kind = AK_DOC_ACCOUNT; kind <= AK_DOC_PLAIN; kind++) {
		if (ak_doc_parse((const char *)data, size,
		    (enum ak_doc_kind)kind, &doc) != 0)
			continue;
		(void)ak_doc_check(doc, "deploy", 1700000000, 5);
		if (kind == AK_DOC_REVOCATIONS) {
			if (ak_revlist_from_doc(doc, &rl) == 0)
				ak_revlist_free(rl);
		} else {
			(void)ak_policy_emit(cfg, doc, NULL, "deploy", NULL,
			    devnull, &n, fprs, sizeof(fprs));
		}
		ak_doc_free(doc);
	}
	return 0;
}
