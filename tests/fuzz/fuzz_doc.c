/* Documents of every kind, then what every reader does with them. */
#include "fuzz_common.h"

#include <stdio.h>

#include "ak_config.h"
#include "ak_doc.h"
#include "ak_keyset.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ak_config *cfg;
	static FILE *devnull;
	static const unsigned char zero[AK_HASH_LEN];
	struct ak_doc *doc = NULL;
	struct ak_revset *rs = NULL;
	struct ak_keyset *ks = NULL;
	struct ak_fault fault;
	char fprs[128];
	size_t n, i;
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
			if (ak_revset_from_doc(doc, &rs, &fault) == 0)
				ak_revset_free(rs);
		} else if (ak_keyset_from_doc(cfg, "deploy", doc, NULL,
		    &ks) == 0) {
			(void)ak_keyset_emit(ks, NULL, devnull, &n, fprs,
			    sizeof(fprs));
			(void)ak_keyset_admit(ks, zero);
			/* Every key it lists is asked about, as sshd would. */
			for (i = 0; i < ks->n; i++)
				if (ks->ents[i].kl != NULL)
					(void)ak_keyset_admit(ks,
					    ks->ents[i].hash);
			ak_keyset_free(ks);
		}
		ak_doc_free(doc);
	}
	return 0;
}
