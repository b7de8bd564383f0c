/* Store documents (SPEC "Store documents"): parsing of the signed envelope. */
#ifndef AK_DOC_H
#define AK_DOC_H

#include <stddef.h>
#include <time.h>

#define AK_DOC_MAX	(4 * 1024 * 1024)	/* largest document taken */

enum ak_doc_kind {
	AK_DOC_ACCOUNT,		/* "#account NAME" envelope */
	AK_DOC_REVOCATIONS,	/* "#revocations" envelope */
	AK_DOC_PLAIN,		/* unsigned authorized_keys body */
	AK_DOC_SNAPSHOT,	/* "#authkeys-snapshot v1" (ak_snap reads it) */
	AK_DOC_TIMESTAMP,	/* "#authkeys-timestamp v1" */
	AK_DOC_ROOT,		/* "#authkeys-root v1" (ak_root reads it) */
};

struct ak_doc_line {
	const char *s;		/* inside doc->buf, not terminated */
	size_t len;
	unsigned long lineno;
};

/* Signatures one document may carry (a k-of-n threshold's signers). */
#define AK_DOC_SIGS_MAX	16

struct ak_doc_sig {
	unsigned char *blob;	/* decoded SSHSIG blob */
	size_t len;
};

struct ak_doc {
	enum ak_doc_kind kind;
	char account[33];
	unsigned long long serial;
	time_t expires;		/* 0 for plain bodies */
	char *buf;		/* the whole document, NUL-terminated */
	size_t len;
	size_t signed_len;	/* bytes of buf covered by the signature */
	struct ak_doc_sig sigs[AK_DOC_SIGS_MAX];	/* as written */
	size_t nsigs;		/* 0 for plain bodies */
	struct ak_doc_line *lines;	/* every body line as written, no CR */
	size_t nlines;
};

/*
 * Parses len bytes as a document of the given kind (the bytes are copied):
 * the envelope (header, signature armor) and the body cut into lines, "\n"
 * or "\r\n" ended. What a body line says is ak_keyset's to read. Returns 0
 * and *docp (free with ak_doc_free), or AK_ERR_FORMAT, AK_ERR_CONTROL_CHAR
 * (a NUL byte), AK_ERR_TOO_LARGE, AK_ERR_ALLOC. See ak_doc_check and
 * ak_sshsig_verify_doc for the rest.
 */
int ak_doc_parse(const char *buf, size_t len, enum ak_doc_kind kind,
    struct ak_doc **docp);
void ak_doc_free(struct ak_doc *doc);

/*
 * Writes the header lines of a document of kind (AK_DOC_ACCOUNT for
 * account, AK_DOC_REVOCATIONS, AK_DOC_SNAPSHOT, AK_DOC_TIMESTAMP or
 * AK_DOC_ROOT: four lines, three for the last three), the ones
 * ak_doc_parse_header reads, into out. Returns their length, or
 * AK_ERR_BAD_NAME, AK_ERR_FORMAT (another kind), AK_ERR_TOO_LARGE. The
 * one writer of the format: publish and the tests' signer use it.
 */
#define AK_DOC_HEADER_MAX	128
int ak_doc_format_header(enum ak_doc_kind kind, const char *account,
    unsigned long long serial, time_t expires, char *out, size_t outlen);

/*
 * Parses only the four header lines at the start of len bytes (a prefix of
 * a signed document) into hdr (account, serial, expires; no lines, no
 * buffer) and their length into *hdrlenp. Returns 0 or AK_ERR_FORMAT.
 */
int ak_doc_parse_header(const char *buf, size_t len, enum ak_doc_kind kind,
    struct ak_doc *hdr, size_t *hdrlenp);

/*
 * Where the first signature of buf begins, as ak_doc_parse finds it (its
 * signed_len), without parsing the rest; len if there is none.
 */
size_t ak_doc_signed_len(const char *buf, size_t len);

/*
 * Checks a parsed signed document: account (for AK_DOC_ACCOUNT), expiry
 * against now, serial not below min_serial. Returns 0, AK_ERR_ACCOUNT,
 * AK_ERR_EXPIRED or AK_ERR_ROLLBACK.
 */
int ak_doc_check(const struct ak_doc *doc, const char *account, time_t now,
    unsigned long long min_serial);

/*
 * The bound on the future: serials are Unix times (authkeys-publish signs
 * max(now, last + 1)), so one more than skew seconds ahead of now was made
 * by a clock that is wrong or a key that is stolen, and would lock out
 * every honest serial after it. Returns AK_ERR_FUTURE for such a serial,
 * else 0 (plain bodies have none).
 */
int ak_doc_ahead(const struct ak_doc *doc, time_t now, long skew);
int ak_serial_ahead(unsigned long long serial, time_t now, long skew);

#endif
