/* SPDX-License-Identifier: MIT */
/* fmt.c: numbers, percentages and days for people (see fmt.h). */
#include "fmt.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Digits of v with a comma every three, after an optional sign. */
static const char *
group(const char *sign, uint64_t v, char *buf, size_t len)
{
	char tmp[32];
	size_t n, i, o = 0;

	n = (size_t)snprintf(tmp, sizeof tmp, "%" PRIu64, v);
	for (i = 0; sign[i] && o + 1 < len; i++)
		buf[o++] = sign[i];
	for (i = 0; i < n && o + 2 < len; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
}

const char *
fmt_int(int64_t v, char *buf, size_t len)
{
	return v < 0 ? group("-", (uint64_t)0 - (uint64_t)v, buf, len) :
	    group("", (uint64_t)v, buf, len);
}

const char *
fmt_uint(uint64_t v, char *buf, size_t len)
{
	return group("", v, buf, len);
}

const char *
fmt_pct(int64_t part, int64_t whole, char *buf, size_t len)
{
	if (whole <= 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f%%", 100.0 * (double)part / (double)whole);
	return buf;
}

const char *
fmt_pt(double points, char *buf, size_t len)
{
	snprintf(buf, len, "%+.1f pt", points);
	if (strcmp(buf, "-0.0 pt") == 0)
		snprintf(buf, len, "+0.0 pt");
	return buf;
}

const char *
fmt_day(int64_t epoch, char *buf, size_t len)
{
	time_t t = (time_t)epoch;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%d", &tm) == 0)
		snprintf(buf, len, "?");
	return buf;
}

const char *
fmt_fraction(int64_t part, int64_t whole, char *buf, size_t len)
{
	if (whole <= 0)
		snprintf(buf, len, "null");
	else
		snprintf(buf, len, "%.4f", (double)part / (double)whole);
	return buf;
}

int64_t
utc_day(int64_t epoch)
{
	return UTC_DAY_EXPR(epoch);
}

int
parse_day(const char *s, int64_t *out)
{
	struct tm tm, chk;
	int y, m, d;
	char tail;
	time_t t;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
	    y < 1970 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	t = timegm(&tm);
	if (gmtime_r(&t, &chk) == NULL || chk.tm_mday != d || chk.tm_mon != m - 1)
		return -1;
	*out = (int64_t)t;
	return 0;
}
