/* URL templates of the configuration: %u and %%. */
#include <stddef.h>

#include "ak_err.h"
#include "ak_url.h"

int
ak_url_expand(const char *tmpl, const char *account, char *out, size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;
	const char *p, *a;

	for (p = tmpl; *p != '\0'; p++) {
		if (*p != '%') {
			if (o + 1 >= outlen)
				return AK_ERR_TOO_LARGE;
			out[o++] = *p;
			continue;
		}
		p++;
		if (*p == '%') {
			if (o + 1 >= outlen)
				return AK_ERR_TOO_LARGE;
			out[o++] = '%';
			continue;
		}
		if (*p != 'u' || account == NULL)
			return AK_ERR_CONFIG;
		for (a = account; *a != '\0'; a++) {
			unsigned char c = (unsigned char)*a;

			if (o + 3 >= outlen)
				return AK_ERR_TOO_LARGE;
			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
			    c == '_' || c == '~') {
				out[o++] = (char)c;
			} else {
				out[o++] = '%';
				out[o++] = hex[c >> 4];
				out[o++] = hex[c & 15];
			}
		}
	}
	if (o >= outlen)
		return AK_ERR_TOO_LARGE;
	out[o] = '\0';
	return 0;
}
