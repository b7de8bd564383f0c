/*
 * The differential fuzzing side of ak_key_line_parse: keyfpr IN OUT takes
 * the first line of IN (up to a newline), writes exactly those bytes and a
 * newline to OUT (for ssh-keygen -lf), and prints "ok FINGERPRINT" or
 * "reject REASON" as authkeys-publish would judge the key: the libc-only
 * line parser, then the curve check it adds with libcrypto.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ak_err.h"
#include "ak_file.h"
#include "ak_key.h"
#include "ak_sshsig.h"

int
main(int argc, char **argv)
{
	struct ak_key_line *kl = NULL;
	char *buf = NULL, *nl;
	size_t len;
	FILE *f;
	int r;

	if (argc != 3) {
		fprintf(stderr, "usage: keyfpr IN OUT\n");
		return 2;
	}
	if ((r = ak_file_read(argv[1], 1 << 20, 0, 0, &buf, &len)) != 0) {
		fprintf(stderr, "keyfpr: %s: %s\n", argv[1], ak_err(r));
		return 2;
	}
	if ((nl = memchr(buf, '\n', len)) != NULL)
		len = (size_t)(nl - buf);
	if ((f = fopen(argv[2], "w")) == NULL ||
	    fwrite(buf, 1, len, f) != len || fputc('\n', f) == EOF ||
	    fclose(f) != 0) {
		fprintf(stderr, "keyfpr: cannot write %s\n", argv[2]);
		return 2;
	}
	if ((r = ak_key_line_parse(buf, len, &kl)) == 0)
		r = ak_sshsig_key_check(kl->type, kl->blob, kl->bloblen);
	if (r == 0)
		printf("ok %s\n", kl->fpr);
	else
		printf("reject %s\n", ak_err(r));
	ak_key_line_free(kl);
	free(buf);
	return 0;
}
