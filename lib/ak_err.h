/* Error codes of the core: every core function returns 0 or one of these. */
#ifndef AK_ERR_H
#define AK_ERR_H

#define AK_ERR_INTERNAL		-1
#define AK_ERR_ALLOC		-2
#define AK_ERR_IO		-3
#define AK_ERR_TOO_LARGE	-4
#define AK_ERR_CONFIG		-5
#define AK_ERR_PERM		-6
#define AK_ERR_FORMAT		-7
#define AK_ERR_KEY_TYPE		-8
#define AK_ERR_KEY_INVALID	-9
#define AK_ERR_OPTION		-10
#define AK_ERR_CONTROL_CHAR	-11
#define AK_ERR_BAD_NAME		-12
#define AK_ERR_BAD_FPR		-13
#define AK_ERR_SIGNATURE	-14
#define AK_ERR_UNTRUSTED	-15
#define AK_ERR_ACCOUNT		-16
#define AK_ERR_EXPIRED		-17
#define AK_ERR_ROLLBACK		-18
#define AK_ERR_NOT_FOUND	-19
#define AK_ERR_UNAVAILABLE	-20
#define AK_ERR_TIMEOUT		-21
#define AK_ERR_PRIVATE_KEY	-22
#define AK_ERR_POLICY		-23
#define AK_ERR_REVOKED		-24
#define AK_ERR_NOSPACE		-25
#define AK_ERR_LOCKED		-26
#define AK_ERR_NAMESPACE	-27
#define AK_ERR_SNAPSHOT		-28
#define AK_ERR_FROZEN		-29
#define AK_ERR_FUTURE		-30
#define AK_ERR_EQUIVOCATION	-31
#define AK_ERR_NSS		-32
#define AK_ERR_THRESHOLD	-33
/* The codes run from -1 to this. */
#define AK_ERR_LAST		AK_ERR_THRESHOLD

/* Returns a static, human readable string for an AK_ERR_* code. */
const char *ak_err(int r);

#endif
