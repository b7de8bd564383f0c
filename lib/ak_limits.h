/* Bounds on untrusted input that more than one module shares. */
#ifndef AK_LIMITS_H
#define AK_LIMITS_H

/* The longest store ETag kept (RFC 9110 sets no bound). */
#define AK_ETAG_MAX	256

#endif
