/* Time: the monotonic clock for budgets, and the documents' UTC timestamps. */
#ifndef AK_TIME_H
#define AK_TIME_H

#include <stddef.h>
#include <time.h>

/* Milliseconds of CLOCK_MONOTONIC. */
long long ak_now_ms(void);

/* Parses "YYYY-MM-DDTHH:MM:SSZ" of len bytes. Returns 0 or AK_ERR_FORMAT. */
int ak_time_parse(const char *s, size_t len, time_t *tp);
/* Writes t as "YYYY-MM-DDTHH:MM:SSZ" into out (21 bytes). */
void ak_time_format(time_t t, char out[21]);

#endif
