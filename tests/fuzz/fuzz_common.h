/* Shared by the libFuzzer targets: silence the core's log. */
#ifndef AK_FUZZ_COMMON_H
#define AK_FUZZ_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "ak_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
quiet(void *ctx, int prio, const char *fmt, va_list ap)
{
	(void)ctx;
	(void)prio;
	(void)fmt;
	(void)ap;
}

static inline void
fuzz_init(void)
{
	ak_log_set(quiet, NULL);
}

#endif
