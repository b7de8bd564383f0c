/* URL templates of the configuration. */
#ifndef AK_URL_H
#define AK_URL_H

#include <stddef.h>

/*
 * Expands a URL template: %u becomes account, percent-encoded, %% a '%'.
 * Returns 0, or AK_ERR_TOO_LARGE if out (outlen bytes) is too small.
 */
int ak_url_expand(const char *tmpl, const char *account, char *out,
    size_t outlen);

#endif
