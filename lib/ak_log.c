/* The core's one log sink, set by each front end (syslog, pam_syslog...). */
#include <stdarg.h>
#include <stddef.h>
#include <syslog.h>

#include "ak_log.h"

static ak_log_fn log_fn;
static void *log_ctx;

void
ak_log_set(ak_log_fn fn, void *ctx)
{
	log_fn = fn;
	log_ctx = ctx;
}

void
ak_log_get(ak_log_fn *fnp, void **ctxp)
{
	*fnp = log_fn;
	*ctxp = log_ctx;
}

void
ak_log(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (log_fn != NULL)
		log_fn(log_ctx, prio, fmt, ap);
	else
		vsyslog(LOG_AUTHPRIV | prio, fmt, ap);
	va_end(ap);
}
