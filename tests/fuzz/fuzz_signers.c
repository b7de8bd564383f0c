/*
 * allowed_signers files, a lookup of the first key parsed, and the input
 * as an OpenSSH pattern list (namespaces=) and as an SSHSIG's signer.
 */
#include "fuzz_common.h"

#include <stdlib.h>
#include <string.h>

#include "ak_match.h"
#include "ak_signers.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ak_signers *s = NULL;
	unsigned char h[32];
	char *text;
	int why;

	fuzz_init();
	(void)ak_signers_sig_key(data, size, h);
	if (size < 2048 && (text = malloc(size + 1)) != NULL) {
		memcpy(text, data, size);
		text[size] = '\0';
		(void)ak_match_list("authkeys-timestamp", text);
		(void)ak_match_pattern(text, "a*b?c*");
		free(text);
	}
	if (ak_signers_parse((const char *)data, size, "fuzz", &s) == 0) {
		if (s->n > 0)
			(void)ak_signers_find(s, s->s[0].blob, s->s[0].bloblen,
			    "authkeys", 1700000000, &why);
		(void)ak_signers_holds(s, h, "authkeys", 1700000000);
		ak_signers_free(s);
	}
	return 0;
}
