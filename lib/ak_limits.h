/* Bounds on untrusted input that more than one module shares. */
#ifndef AK_LIMITS_H
#define AK_LIMITS_H

/* The longest store ETag kept (RFC 9110 sets no bound). */
#define AK_ETAG_MAX	256

/* "SHA256:" + 43 base64 characters, as ssh-keygen -lf prints a key's. */
#define AK_FPR_LEN	50
/* The SHA-256 a fingerprint stands for. */
#define AK_HASH_LEN	32

#endif
