/* The one file that includes <curl/curl.h>. */
#include <curl/curl.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ak_buf.h"
#include "ak_err.h"
#include "ak_fetch.h"
#include "ak_file.h"
#include "ak_log.h"

struct sink {
	struct ak_buf b;	/* the body; max + 1 for its NUL */
	size_t max;
	int too_large;
	char etag[AK_ETAG_MAX + 1];
};

static size_t
write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	size_t n = size * nmemb;

	/* Refuse as soon as the limit is passed: memory stays bounded. */
	if (n > s->max - s->b.len) {
		s->too_large = 1;
		return 0;
	}
	return ak_buf_put(&s->b, data, n) == 0 ? n : 0;
}

static size_t
header_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	size_t n = size * nmemb, i, vlen;
	const char *v;

	/* A new response (after a redirect) forgets the last one's ETag. */
	if (n > 5 && strncmp(data, "HTTP/", 5) == 0)
		s->etag[0] = '\0';
	if (n < 5 || strncasecmp(data, "etag:", 5) != 0)
		return n;
	for (v = data + 5, vlen = n - 5; vlen > 0 && (*v == ' ' ||
	    *v == '\t'); v++, vlen--)
		;
	while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' ||
	    v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
		vlen--;
	if (vlen == 0 || vlen > AK_ETAG_MAX)
		return n;
	for (i = 0; i < vlen; i++) {
		if ((unsigned char)v[i] <= ' ' || (unsigned char)v[i] >= 0x7f)
			return n;	/* odd ETag: just don't use it */
	}
	memcpy(s->etag, v, vlen);
	s->etag[vlen] = '\0';
	return n;
}

struct ak_fetcher {
	CURL *c;
};

int
ak_fetch_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 :
	    AK_ERR_INTERNAL;
}

int
ak_fetcher_new(struct ak_fetcher **fp)
{
	struct ak_fetcher *f;

	*fp = NULL;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return AK_ERR_ALLOC;
	if ((f->c = curl_easy_init()) == NULL) {
		free(f);
		return AK_ERR_ALLOC;
	}
	*fp = f;
	return 0;
}

void
ak_fetcher_free(struct ak_fetcher *f)
{
	if (f == NULL)
		return;
	curl_easy_cleanup(f->c);
	free(f);
}

static const char *
scheme_of(const char *url)
{
	if (strncmp(url, "https://", 8) == 0)
		return "https";
	if (strncmp(url, "http://", 7) == 0)
		return "http";
	if (strncmp(url, "file://", 7) == 0)
		return "file";
	return NULL;
}

int
ak_fetch(struct ak_fetcher *f, const char *ca_file, const char *url,
    const char *etag, long timeout_ms, size_t max,
    struct ak_fetch_result *res)
{
	struct sink s;
	struct curl_slist *hdrs = NULL;
	char inm[AK_ETAG_MAX + 32];
	const char *scheme;
	CURL *c = NULL;
	CURLcode cr;
	long code = 0;
	int r = AK_ERR_UNAVAILABLE;

	memset(res, 0, sizeof(*res));
	memset(&s, 0, sizeof(s));
	s.max = max;
	ak_buf_init(&s.b, max + 1);
	if ((scheme = scheme_of(url)) == NULL)
		return AK_ERR_CONFIG;
	if (timeout_ms < 1)
		return AK_ERR_TIMEOUT;
	/* The CA bundle decides whom TLS trusts: root's, like the config. */
	if (ca_file != NULL && (r = ak_file_check_root_path(ca_file)) != 0) {
		ak_log(LOG_ERR, "ca_file %s: %s (it and its directory must be "
		    "owned by root and writable by no one else); store not "
		    "asked", ca_file, ak_err(r));
		return r == AK_ERR_PERM ? AK_ERR_PERM : AK_ERR_UNAVAILABLE;
	}
	if (f != NULL) {
		/* Options start over; connections and TLS sessions stay. */
		c = f->c;
		curl_easy_reset(c);
	} else if ((c = curl_easy_init()) == NULL)
		return AK_ERR_ALLOC;
	if (etag != NULL && *etag != '\0') {
		snprintf(inm, sizeof(inm), "If-None-Match: %s", etag);
		if ((hdrs = curl_slist_append(NULL, inm)) == NULL) {
			r = AK_ERR_ALLOC;
			goto out;
		}
	}
	/*
	 * Everything explicit: nothing from the environment (proxies, CA
	 * paths) of the process we run in, redirects only within the scheme.
	 */
	if (curl_easy_setopt(c, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, scheme) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, scheme) !=
	    CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 3L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_PROXY, "") != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms) !=
	    CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)max) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb) !=
	    CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_HEADERDATA, &s) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_USERAGENT, "authkeys/1") !=
	    CURLE_OK ||
	    (hdrs != NULL && curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs) !=
	    CURLE_OK) ||
	    (ca_file != NULL && curl_easy_setopt(c, CURLOPT_CAINFO,
	    ca_file) != CURLE_OK)) {
		ak_log(LOG_ERR, "%s: cannot set up the transfer", url);
		goto out;
	}
	cr = curl_easy_perform(c);
	if (s.too_large || cr == CURLE_FILESIZE_EXCEEDED) {
		ak_log(LOG_ERR, "%s: response larger than %zu bytes", url, max);
		r = AK_ERR_TOO_LARGE;
		goto out;
	}
	if (cr == CURLE_FILE_COULDNT_READ_FILE && strcmp(scheme, "file") == 0) {
		res->status = 404;
		r = 0;
		goto out;
	}
	if (cr != CURLE_OK) {
		ak_log(LOG_ERR, "%s: %s", url, curl_easy_strerror(cr));
		r = cr == CURLE_OPERATION_TIMEDOUT ? AK_ERR_TIMEOUT :
		    AK_ERR_UNAVAILABLE;
		goto out;
	}
	if (strcmp(scheme, "file") == 0)
		code = 200;
	else
		(void)curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (code != 200 && code != 304 && code != 404) {
		ak_log(LOG_ERR, "%s: HTTP status %ld", url, code);
		goto out;
	}
	res->status = code;
	if (code == 200) {
		unsigned char *body;
		size_t len;

		/* NUL-terminated for the parsers; the NUL is not counted. */
		ak_buf_put(&s.b, "", 1);
		if ((r = ak_buf_take(&s.b, &body, &len)) != 0)
			goto out;
		res->body = (char *)body;
		res->len = len - 1;
		memcpy(res->etag, s.etag, sizeof(res->etag));
	}
	r = 0;
 out:
	ak_buf_free(&s.b);
	curl_slist_free_all(hdrs);
	if (f == NULL)
		curl_easy_cleanup(c);
	return r;
}

void
ak_fetch_result_clear(struct ak_fetch_result *res)
{
	free(res->body);
	memset(res, 0, sizeof(*res));
}
