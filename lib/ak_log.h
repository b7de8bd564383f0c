/* Logging of the core: one sink, chosen by the front end. */
#ifndef AK_LOG_H
#define AK_LOG_H

#include <stdarg.h>
#include <syslog.h>

typedef void (*ak_log_fn)(void *ctx, int prio, const char *fmt, va_list ap);

/* Sets the sink; NULL restores the default (syslog(3)). */
void ak_log_set(ak_log_fn fn, void *ctx);
/* The current sink (for a lazily loaded part to log through it too). */
void ak_log_get(ak_log_fn *fnp, void **ctxp);

/* Logs one line at prio through the current sink. */
void ak_log(int prio, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
