/* SPDX-License-Identifier: MIT */
/*
 * stale_query.c: the newest report of a domain, for the staleness rule of
 * stale.h: the last UTC day its reports cover, from the report table
 * alone (the (domain, date_begin) index picks the rows).
 */
#include "stale.h"

#include "fmt.h"

enum report_status
stale_query(struct report_ctx *c, const char *domain, int64_t before,
    int *has, int64_t *newest_day)
{
	sqlite3_stmt *st;
	int rc;

	*has = 0;
	*newest_day = 0;
	/* the last second a report covers: date_end, or date_begin for a
	 * range that ends where it begins; a range that ends at midnight
	 * covers the day before; a range that runs past `before` (a clock
	 * off at the reporter) only up to it */
	if ((st = report_prepare(c, "SELECT max(min(max(date_end - 1,"
	    " date_begin), ?2 - 1)) FROM report WHERE domain = ?1"
	    " AND date_begin < ?2")) == NULL)
		return RPT_ERROR;
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, before);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return report_step_done(c, rc) == RPT_OK ? RPT_OK : RPT_ERROR;
	}
	if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*has = 1;
		*newest_day = utc_day(sqlite3_column_int64(st, 0));
	}
	sqlite3_finalize(st);
	return RPT_OK;
}
