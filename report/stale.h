/* SPDX-License-Identifier: MIT */
/*
 * stale.h: the one rule for data that stopped coming: a domain whose
 * reports cover no day of the last STALE_DAYS before today is stale ("no
 * reports since DAY (N days)": a broken rua address, a lost mailbox, an
 * ingest that stopped).  weekly and advise both judge by stale_judge and
 * read the newest report by stale_query.  Owns nothing.
 */
#ifndef DM_STALE_H
#define DM_STALE_H

#include <stddef.h>
#include <stdint.h>

#include "report.h"

/* Reports arrive a day or two late: three days without any is news. */
#define STALE_DAYS 3

struct stale {
	int has_newest;		/* 0: no report at all before today */
	int64_t newest_day;	/* the last UTC day (utc_day) a report covers */
	int64_t days;		/* today's UTC day - newest_day */
	int stale;		/* days > STALE_DAYS, or no report at all */
};

/* Judges the newest report's UTC day against today's (both utc_day);
 * has_newest 0: nothing ever arrived, which is stale too.  Pure. */
void stale_judge(int has_newest, int64_t newest_day, int64_t today_day,
    struct stale *out);

/* "no reports since 2025-04-16 (4 days)" into buf; "" when not stale. */
const char *stale_text(const struct stale *s, char *buf, size_t len);

/*
 * The query side (stale_query.c): the last UTC day covered by the reports
 * of `domain` that begin before `before` (epoch): the day of date_end - 1
 * second (a range ending at midnight covers the day before), never before
 * date_begin's.  *has is 0 when there is none.  RPT_OK or
 * RPT_ERROR with c->err set.
 */
enum report_status stale_query(struct report_ctx *c, const char *domain,
    int64_t before, int *has, int64_t *newest_day);

#endif
