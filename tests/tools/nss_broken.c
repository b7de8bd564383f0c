/*
 * LD_PRELOAD shim for the PAM suite: getgrnam_r() fails with EIO for a
 * group named akbroken, as a directory service that errs (LDAP down, a
 * timeout) does. Fault injection only; every other name goes to NSS.
 */
#include <dlfcn.h>
#include <errno.h>
#include <grp.h>
#include <stddef.h>
#include <string.h>

typedef int (*getgrnam_r_fn)(const char *, struct group *, char *, size_t,
    struct group **);

int getgrnam_r(const char *name, struct group *gr, char *buf, size_t len,
    struct group **res);

int
getgrnam_r(const char *name, struct group *gr, char *buf, size_t len,
    struct group **res)
{
	getgrnam_r_fn real = (getgrnam_r_fn)dlsym(RTLD_NEXT, "getgrnam_r");

	if (strcmp(name, "akbroken") == 0) {
		*res = NULL;
		return EIO;
	}
	return real(name, gr, buf, len, res);
}
