/*
 * The tests' document writer, so that they write the format through the
 * same code as authkeys-publish (lib/ak_doc.c, lib/ak_file.c):
 *   akdoc header ACCOUNT|- SERIAL EXPIRES   prints the header lines
 *   akdoc install FROM TO                   renames with a newer mtime
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ak_doc.h"
#include "ak_err.h"
#include "ak_file.h"
#include "ak_time.h"

int
main(int argc, char **argv)
{
	char hdr[AK_DOC_HEADER_MAX], *ep;
	unsigned long long serial;
	time_t expires;
	int n;

	if (argc == 5 && strcmp(argv[1], "header") == 0) {
		errno = 0;
		serial = strtoull(argv[3], &ep, 10);
		if (errno != 0 || *ep != '\0' || ak_time_parse(argv[4],
		    strlen(argv[4]), &expires) != 0) {
			fprintf(stderr, "akdoc: bad serial or expiry\n");
			return 2;
		}
		if ((n = ak_doc_format_header(strcmp(argv[2], "-") == 0 ?
		    AK_DOC_REVOCATIONS : AK_DOC_ACCOUNT, argv[2], serial,
		    expires, hdr, sizeof(hdr))) < 0) {
			fprintf(stderr, "akdoc: %s\n", ak_err(n));
			return 1;
		}
		return fwrite(hdr, 1, (size_t)n, stdout) == (size_t)n ? 0 : 1;
	}
	if (argc == 4 && strcmp(argv[1], "install") == 0) {
		if ((n = ak_file_replace_newer(argv[2], argv[3])) != 0) {
			fprintf(stderr, "akdoc: %s: %s\n", argv[3],
			    strerror(errno));
			return 1;
		}
		return 0;
	}
	fprintf(stderr, "usage: akdoc header ACCOUNT|- SERIAL EXPIRES | "
	    "install FROM TO\n");
	return 2;
}
