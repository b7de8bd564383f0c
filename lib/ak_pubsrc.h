/*
 * The source files of authkeys-publish as users really write them: OpenSSH
 * authorized_keys lines and RFC 4716 public keys ("---- BEGIN SSH2 PUBLIC
 * KEY ----", what PuTTYgen's "Save public key" and ssh-keygen -e write),
 * mixed; and private keys, which are refused.
 */
#ifndef AK_PUBSRC_H
#define AK_PUBSRC_H

#include <stddef.h>

struct ak_src_line {
	char *text;		/* an OpenSSH line (or a fingerprint) */
	unsigned long lineno;	/* where it starts in the source */
	int converted;		/* made from an RFC 4716 block */
};

struct ak_src {
	struct ak_src_line *lines;
	size_t n;
};

/*
 * Splits len bytes of a source file into lines to check and publish:
 * OpenSSH lines as written (trimmed), RFC 4716 blocks as "TYPE BASE64
 * COMMENT" with the Comment: header as comment; blank and # lines dropped.
 * Returns 0 and *srcp (free with ak_src_free), or AK_ERR_PRIVATE_KEY (a
 * private key: OpenSSH, PEM, PuTTY .ppk, SSH2) or AK_ERR_FORMAT (a damaged
 * RFC 4716 block), each with *linep and a static reason in *whyp.
 */
int ak_src_parse(const char *buf, size_t len, struct ak_src **srcp,
    unsigned long *linep, const char **whyp);
void ak_src_free(struct ak_src *src);

#endif
