/*
 * A fingerprint index of a cached document, so that the cache-hit path
 * answers sshd's %f with one lookup instead of parsing every line: sorted
 * SHA256 key hashes with the offset and length of their line in the
 * document. Written as idx.NAME beside the entry by whoever writes the
 * entry, bound to it by the document's serial and length; a line found
 * through it is checked again (its fingerprint), and any mismatch means
 * the caller parses the whole document as before.
 */
#ifndef AK_INDEX_H
#define AK_INDEX_H

#include <sys/types.h>

#include <stddef.h>

#include "ak_doc.h"

#define AK_HASH_LEN	32

/*
 * Writes dir/idx.NAME for doc (its lines' keys, or fingerprints for a
 * revocation list). Not fsync'd: a lost index only costs a full parse.
 * Returns 0 or AK_ERR_*.
 */
int ak_index_write(const char *dir, const char *name,
    const struct ak_doc *doc);

/* Returns 1 if dir/idx.NAME exists. */
int ak_index_present(const char *dir, const char *name);

/* Removes dir/idx.NAME (the entry no longer holds a document). */
void ak_index_remove(const char *dir, const char *name);

/*
 * Looks hash up in dir/idx.NAME (a regular file of also_trust or root, not
 * writable by others) for the document of serial and length doclen.
 * Returns 0 with the line's offset and length in the document,
 * AK_ERR_NOT_FOUND (not in the document), or another AK_ERR_* (no usable
 * index: parse the document instead).
 */
int ak_index_lookup(const char *dir, const char *name, uid_t also_trust,
    unsigned long long serial, size_t doclen,
    const unsigned char hash[AK_HASH_LEN], size_t *offp, size_t *lenp);

/* Decodes "SHA256:..." into its 32 bytes. Returns 0 or AK_ERR_BAD_FPR. */
int ak_index_hash_of(const char *fpr, unsigned char hash[AK_HASH_LEN]);

#endif
