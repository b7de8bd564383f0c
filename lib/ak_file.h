/* Bounded file reads, ownership checks and atomic replacement. */
#ifndef AK_FILE_H
#define AK_FILE_H

#include <sys/stat.h>
#include <sys/types.h>

#include <stddef.h>
#include <time.h>

/* Returns 1 if st is owned by root or by other and not group/world writable. */
int ak_file_trusted(const struct stat *st, uid_t other);

/*
 * Checks path (a directory if is_dir, else a regular file) with
 * ak_file_trusted. Returns 0, AK_ERR_NOT_FOUND, AK_ERR_IO or AK_ERR_PERM.
 */
int ak_file_check_owner(const char *path, uid_t other, int is_dir);

/*
 * Opens path read-only without following a link or blocking (a FIFO put in
 * its place opens at once and is refused); it must be a regular file and,
 * with check, pass ak_file_trusted(other). Returns the descriptor with *st
 * filled, or AK_ERR_NOT_FOUND, AK_ERR_PERM (a link, not regular, not
 * trusted) or AK_ERR_IO.
 */
int ak_file_open_regular(const char *path, int check, uid_t other,
    struct stat *st);

/*
 * Reads at most max bytes of the regular file path into a new NUL-terminated
 * buffer (*bufp, caller frees). With check, the file must pass
 * ak_file_trusted(other). Symbolic links are not followed. Returns 0,
 * AK_ERR_NOT_FOUND, AK_ERR_PERM, AK_ERR_TOO_LARGE or AK_ERR_IO.
 */
int ak_file_read(const char *path, size_t max, int check, uid_t other,
    char **bufp, size_t *lenp);

/*
 * Replaces dir/name with len bytes of data, atomically: a temporary file in
 * dir, fsync, rename, fsync of dir. Readers see the old or the new file,
 * never a part. Returns 0, AK_ERR_NOSPACE or AK_ERR_IO; never leaves the
 * temporary file behind.
 */
int ak_file_write_atomic(const char *dir, const char *name, const void *data,
    size_t len, mode_t mode);

/*
 * As ak_file_write_atomic; with durable 0 there is no fsync (for hints whose
 * loss in a crash is harmless: readers still see old or new, never a part);
 * mtime, if not 0, becomes the file's modification time.
 */
int ak_file_write_atomic_flags(const char *dir, const char *name,
    const void *data, size_t len, mode_t mode, int durable, time_t mtime);

/*
 * As ak_file_read, also giving the file's modification time in *mtimep
 * (may be NULL).
 */
int ak_file_read_mtime(const char *path, size_t max, int check, uid_t other,
    char **bufp, size_t *lenp, time_t *mtimep);

/*
 * Reads at most size - 1 bytes of a file whose size stat cannot tell (procfs)
 * into buf, NUL-terminated. Returns the length, or -1.
 */
long ak_file_read_proc(const char *path, char *buf, size_t size);

/*
 * Reads a kernel file (procfs, cgroupfs: its size reads as 0 or 4096
 * whatever it holds) to its end into a new NUL-terminated buffer (*bufp,
 * caller frees), growing as it goes up to max bytes. Returns 0,
 * AK_ERR_NOT_FOUND, AK_ERR_TOO_LARGE, AK_ERR_ALLOC or AK_ERR_IO.
 */
int ak_file_read_proc_all(const char *path, size_t max, char **bufp,
    size_t *lenp);

/*
 * Makes sure path is a directory of the running user, mode 0700 or stricter
 * for group and others (created 0700 if missing), inside a directory that,
 * with every one above it, is owned by root and writable by no one else.
 * Returns 0, AK_ERR_PERM or AK_ERR_IO.
 */
int ak_file_private_dir(const char *path);

/*
 * Checks a file root must be able to trust (the config, ca_file,
 * trusted_signers): opened without following a link, a regular file, and
 * it and every directory above it up to "/" owned by root and writable by
 * no one else (sshd's rule, OpenSSH's safe_path). Returns 0,
 * AK_ERR_NOT_FOUND, AK_ERR_PERM or AK_ERR_IO.
 */
int ak_file_check_root_path(const char *path);

/*
 * A file root decides by (trusted_signers, trusted_root, the config):
 * ak_file_check_root_path, then at most max bytes of it as ak_file_read.
 * Returns 0 (*bufp to free) or what those return.
 */
int ak_file_read_root(const char *path, size_t max, char **bufp,
    size_t *lenp);

/*
 * sshd's rule for a file it runs or loads (file 1) or a directory it trusts
 * (file 0): path resolved, then it and every directory above it owned by
 * root and writable by no one else. Returns 0, or AK_ERR_PERM,
 * AK_ERR_NOT_FOUND, AK_ERR_IO with why (whylen bytes) naming the first
 * that fails.
 */
int ak_file_safe_path(const char *path, int file, char *why, size_t whylen);

/*
 * Renames from over to, first giving from a modification time later than
 * to's if it has none: web servers derive ETags from mtime and size, so a
 * new document of the same size must not keep the old one's ETag (clients
 * would never see it). Returns 0, AK_ERR_NOSPACE or AK_ERR_IO (errno set).
 */
int ak_file_replace_newer(const char *from, const char *to);

#endif
