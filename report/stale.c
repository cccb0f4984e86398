/* SPDX-License-Identifier: MIT */
/*
 * stale.c: the staleness rule of stale.h, as a pure function, and its
 * words.  No SQL, no output.
 */
#include "stale.h"

#include <inttypes.h>
#include <stdio.h>

#include "fmt.h"

void
stale_judge(int has_newest, int64_t newest_day, int64_t today_day,
    struct stale *out)
{
	out->has_newest = has_newest;
	out->newest_day = has_newest ? newest_day : 0;
	out->days = has_newest ? today_day - newest_day : 0;
	out->stale = !has_newest || out->days > STALE_DAYS;
}

const char *
stale_text(const struct stale *s, char *buf, size_t len)
{
	char day[FMT_NUM];

	if (!s->stale)
		snprintf(buf, len, "%s", "");
	else if (!s->has_newest)
		snprintf(buf, len, "no reports at all");
	else
		snprintf(buf, len, "no reports since %s (%" PRId64 " day%s)",
		    fmt_day(s->newest_day * UTC_DAY_SECONDS, day, sizeof day),
		    s->days, s->days == 1 ? "" : "s");
	return buf;
}
