/* SPDX-License-Identifier: MIT */
/* fmt.c: numbers, percentages, days and names for people (see fmt.h). */
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

size_t
fmt_utf8_len(const unsigned char *s)
{
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if (n == 3 && ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0)))
		return 0;	/* overlong, or a surrogate */
	if (n == 4 && ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90)))
		return 0;
	return n;
}

const char *
fmt_escape(const char *str, enum fmt_escape_mode mode, char *buf, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	const char *out;
	char tmp[16];
	size_t o = 0, n, k;

	if (len == 0)
		return buf;
	while (*s) {
		n = 1;
		out = NULL;
		if (*s == '\n')
			out = "\\n";
		else if (*s == '\r')
			out = "\\r";
		else if (*s == '\t')
			out = "\\t";
		else if (*s == '\\' && mode == FMT_ESC_NAME)
			out = "\\\\";
		else if (*s < 0x20 || *s == 0x7f)
			out = tmp;
		else if (*s >= 0x80 && (n = fmt_utf8_len(s)) == 0)
			out = tmp;	/* not UTF-8: this byte alone */
		else if (n == 2 && s[0] == 0xc2 && s[1] < 0xa0)
			out = tmp;	/* a C1 control */
		if (out == tmp) {
			if (n == 0)
				n = 1;
			if (n == 2)
				snprintf(tmp, sizeof tmp, "\\x%02x\\x%02x", s[0], s[1]);
			else
				snprintf(tmp, sizeof tmp, "\\x%02x", s[0]);
		}
		k = out != NULL ? strlen(out) : n;
		if (o + k >= len)
			break;
		memcpy(buf + o, out != NULL ? out : (const char *)s, k);
		o += k;
		s += n;
	}
	buf[o] = '\0';
	return buf;
}
