/*
 * LD_PRELOAD shim for the PAM suite: getpwnam_r() answers for a name in any
 * case, as sssd does with case_sensitive = false, so "DEPLOY" finds the
 * account "deploy". Fault injection only; nothing else changes.
 */
#include <dlfcn.h>
#include <pwd.h>
#include <stddef.h>

typedef int (*getpwnam_r_fn)(const char *, struct passwd *, char *, size_t,
    struct passwd **);

int getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t len,
    struct passwd **res);

int
getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t len,
    struct passwd **res)
{
	getpwnam_r_fn real = (getpwnam_r_fn)dlsym(RTLD_NEXT, "getpwnam_r");
	char lower[256];
	size_t i;

	for (i = 0; name[i] != '\0' && i < sizeof(lower) - 1; i++)
		lower[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ?
		    name[i] - 'A' + 'a' : name[i]);
	lower[i] = '\0';
	return real(lower, pw, buf, len, res);
}
