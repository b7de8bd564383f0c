/* Time: the monotonic clock for budgets, and the documents' UTC timestamps. */
#include <string.h>
#include <time.h>

#include "ak_err.h"
#include "ak_time.h"
#include "ak_valid.h"

long long
ak_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
num(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

int
ak_time_parse(const char *s, size_t len, time_t *tp)
{
	struct tm tm, chk;
	time_t t;

	if (len != 20 || !ak_digits(s, 4) || s[4] != '-' ||
	    !ak_digits(s + 5, 2) ||
	    s[7] != '-' || !ak_digits(s + 8, 2) || s[10] != 'T' ||
	    !ak_digits(s + 11, 2) || s[13] != ':' || !ak_digits(s + 14, 2) ||
	    s[16] != ':' || !ak_digits(s + 17, 2) || s[19] != 'Z')
		return AK_ERR_FORMAT;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = num(s, 4) - 1900;
	tm.tm_mon = num(s + 5, 2) - 1;
	tm.tm_mday = num(s + 8, 2);
	tm.tm_hour = num(s + 11, 2);
	tm.tm_min = num(s + 14, 2);
	tm.tm_sec = num(s + 17, 2);
	chk = tm;
	if ((t = timegm(&tm)) == (time_t)-1)
		return AK_ERR_FORMAT;
	/* timegm normalises 2026-02-30; refuse dates that are not real. */
	if (tm.tm_year != chk.tm_year || tm.tm_mon != chk.tm_mon ||
	    tm.tm_mday != chk.tm_mday || tm.tm_hour != chk.tm_hour ||
	    tm.tm_min != chk.tm_min || tm.tm_sec != chk.tm_sec)
		return AK_ERR_FORMAT;
	*tp = t;
	return 0;
}

void
ak_time_format(time_t t, char out[21])
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) != 20)
		memcpy(out, "1970-01-01T00:00:00Z", 21);
}
