/*
 * The %f index: a keyset written to disk beside its cache entry, so that
 * the cache-hit path answers sshd's one key without reading every line.
 * For an account document, the SHA-256 of every key line's key with the
 * line's place in the document; for the revocation list, the hashes of its
 * revset. Nothing else: what a line says is read again, by ak_keyset, from
 * the document itself. Written as idx.NAME by whoever writes the entry (the
 * cache owner) and read only by the command as that owner; bound to its
 * document by serial, length and the SHA-256 of its last bytes (its
 * signature). Any mismatch and the caller reads the whole document.
 */
#ifndef AK_INDEX_H
#define AK_INDEX_H

#include <sys/types.h>

#include <stddef.h>

#include "ak_doc.h"
#include "ak_keyset.h"
#include "ak_limits.h"

#define AK_INDEX_TAIL		512	/* bytes of the document's end bound */
#define AK_INDEX_MAX_DUP	16	/* lines of one key looked up at most */

/* What ties an index to the one document it was made from. */
struct ak_index_bind {
	unsigned long long serial;
	size_t doclen;
	unsigned char tail[AK_HASH_LEN];
};

/* How many bytes of a document of doclen bytes the binding hashes. */
size_t ak_index_tail_len(size_t doclen);

/* Fills b from a document's serial, length and its last tail bytes. */
void ak_index_bind(unsigned long long serial, size_t doclen,
    const char *tail, size_t taillen, struct ak_index_bind *b);

/*
 * Writes dir/idx.NAME from the keyset of an account's document (or removes
 * it if the document cannot be read). Not fsync'd: a lost index only costs
 * a full parse. Returns 0 or AK_ERR_*.
 */
int ak_index_write_keys(const char *dir, const char *name,
    const struct ak_doc *doc, const struct ak_keyset *ks);

/* The same for a revocation list's revset. */
int ak_index_write_revset(const char *dir, const char *name,
    const struct ak_doc *doc, const struct ak_revset *rs);

/* Returns 1 if dir/idx.NAME exists. */
int ak_index_present(const char *dir, const char *name);

/*
 * Returns 1 if dir/idx.NAME is a usable index (either kind) of the
 * document b describes, else 0 (missing, of an older format, stale).
 */
int ak_index_current(const char *dir, const char *name, uid_t also_trust,
    const struct ak_index_bind *b);

/* Fills b for a whole document in memory. */
void ak_index_bind_doc(const struct ak_doc *doc, struct ak_index_bind *b);

/* Removes dir/idx.NAME (the entry holds no usable document). */
void ak_index_remove(const char *dir, const char *name);

/*
 * Looks hash up in the account index dir/idx.NAME (a regular file of
 * also_trust or root, writable by no one else) made for the document b
 * describes. Returns 0 with the places of the key's lines (at most max) in
 * off[] and len[], *np of them (0: not listed), or another AK_ERR_* (no
 * usable index: read the document instead).
 */
int ak_index_lines(const char *dir, const char *name, uid_t also_trust,
    const struct ak_index_bind *b, const unsigned char hash[AK_HASH_LEN],
    size_t *off, size_t *len, size_t max, size_t *np);

/*
 * Looks hash up in the revocation list's index: 0 with *revokedp, or
 * another AK_ERR_* (no usable index).
 */
int ak_index_revoked(const char *dir, const char *name, uid_t also_trust,
    const struct ak_index_bind *b, const unsigned char hash[AK_HASH_LEN],
    int *revokedp);

#endif
