/* Strings for the core's AK_ERR_* codes (the only place they are spelled). */
#include "ak_err.h"

const char *
ak_err(int r)
{
	switch (r) {
	case 0:
		return "success";
	case AK_ERR_INTERNAL:
		return "internal error";
	case AK_ERR_ALLOC:
		return "out of memory";
	case AK_ERR_IO:
		return "I/O error";
	case AK_ERR_TOO_LARGE:
		return "input too large";
	case AK_ERR_CONFIG:
		return "configuration error";
	case AK_ERR_PERM:
		return "unsafe ownership or permissions";
	case AK_ERR_FORMAT:
		return "malformed input";
	case AK_ERR_KEY_TYPE:
		return "key type not allowed";
	case AK_ERR_KEY_INVALID:
		return "invalid public key";
	case AK_ERR_OPTION:
		return "key option not allowed";
	case AK_ERR_CONTROL_CHAR:
		return "control character in line";
	case AK_ERR_BAD_NAME:
		return "invalid account name";
	case AK_ERR_BAD_FPR:
		return "invalid key fingerprint";
	case AK_ERR_SIGNATURE:
		return "signature does not verify";
	case AK_ERR_UNTRUSTED:
		return "signer is not trusted";
	case AK_ERR_ACCOUNT:
		return "document is for another account";
	case AK_ERR_EXPIRED:
		return "document has expired";
	case AK_ERR_ROLLBACK:
		return "document serial is older than the cached one";
	case AK_ERR_NOT_FOUND:
		return "no document for account";
	case AK_ERR_UNAVAILABLE:
		return "store unavailable";
	case AK_ERR_TIMEOUT:
		return "timed out";
	case AK_ERR_PRIVATE_KEY:
		return "a private key (it must stay with its owner)";
	case AK_ERR_POLICY:
		return "rejected by key policy";
	case AK_ERR_REVOKED:
		return "key is revoked";
	case AK_ERR_NOSPACE:
		return "no space left on device";
	case AK_ERR_LOCKED:
		return "could not take the cache lock in time";
	case AK_ERR_NAMESPACE:
		return "signature namespace mismatch";
	case AK_ERR_SNAPSHOT:
		return "not the document the snapshot names "
		    "(serial or SHA-256)";
	case AK_ERR_FROZEN:
		return "view frozen: no new timestamp verified within "
		    "freeze_after";
	case AK_ERR_FUTURE:
		return "serial is ahead of this host's clock by more than "
		    "max_clock_skew (check the clock here and the "
		    "publisher's)";
	case AK_ERR_EQUIVOCATION:
		return "equivocation: same serial as the verified document, "
		    "different bytes";
	case AK_ERR_NSS:
		return "a user or group cannot be read through NSS";
	case AK_ERR_THRESHOLD:
		return "signed by fewer distinct keys of its role than the "
		    "root's threshold";
	default:
		return "unknown error";
	}
}
