/* SPDX-License-Identifier: MIT */
/*
 * store_summary.c: the per-source authentication outcomes (source_auth,
 * schema.sql) of the report just stored, added to the database's: its
 * records grouped by source IP and outcome, each group's records and
 * messages added to the row of the same policy domain, UTC day, source IP
 * and outcome, and its messages to that row's reporter.  Part of the store
 * (only the store touches the database); store.c runs it next to the
 * per-day source totals, in the report's savepoint.
 */
#include "store_summary.h"

#include "derived.h"
#include "fmt.h"

/* JSON of a record's rows in document order (the subquery's ORDER BY keeps
 * it: SQLite does not flatten an ordered subquery into an aggregate). */
#define SA_LIST(expr, table) \
	"(SELECT json_group_array(" expr ") FROM (SELECT * FROM " table " x" \
	" WHERE x.record = rec.id ORDER BY x.position))"

const char store_summary_sql[] =
    "INSERT INTO source_auth (domain, day, source_ip, ip_family, "
    "header_from, disposition, dkim_aligned, spf_aligned, overridden, "
    "reasons, spf, dkim, records, messages, reporters) "
    "SELECT ?1, ?2, source_ip, ip_family, hf, disp, dkim_al, spf_al, ov, "
    "rs, spf, dkim, count(*), sum(n), json_object(?4, sum(n)) FROM ("
    " SELECT rec.source_ip AS source_ip, rec.ip_family AS ip_family,"
    " ifnull(rec.header_from, '') AS hf, ifnull(rec.disposition, '') AS disp,"
    " ifnull(rec.dkim_aligned, '') AS dkim_al,"
    " ifnull(rec.spf_aligned, '') AS spf_al,"
    " EXISTS (SELECT 1 FROM record_reason x WHERE x.record = rec.id AND "
    SQL_OVERRIDE_REASON("x.") ") AS ov, "
    SA_LIST("type", "record_reason") " AS rs, "
    SA_LIST("json_array(domain, scope, result)", "record_spf") " AS spf, "
    SA_LIST("json_array(domain, selector, result)", "record_dkim") " AS dkim,"
    " rec.count AS n FROM record rec WHERE rec.report = ?3) "
    "GROUP BY source_ip, hf, disp, dkim_al, spf_al, ov, rs, spf, dkim "
    "ON CONFLICT (domain, day, source_ip, header_from, disposition, "
    "dkim_aligned, spf_aligned, overridden, reasons, spf, dkim) DO UPDATE SET "
    "records = records + excluded.records, "
    "messages = messages + excluded.messages, "
    "reporters = (SELECT json_group_object(k, m) FROM ("
    " SELECT key AS k, sum(value) AS m FROM ("
    "  SELECT key, value FROM json_each(source_auth.reporters) UNION ALL"
    "  SELECT key, value FROM json_each(excluded.reporters))"
    " GROUP BY key ORDER BY key))";

int
store_summary_add(sqlite3_stmt *s, const struct dm_report *r, int64_t report)
{
	int rc;

	if (r->domain != NULL)
		sqlite3_bind_text(s, 1, r->domain, -1, SQLITE_STATIC);
	else
		sqlite3_bind_text(s, 1, "", 0, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, utc_day(r->date_begin));
	sqlite3_bind_int64(s, 3, report);
	sqlite3_bind_text(s, 4, r->org_name != NULL ? r->org_name : "", -1,
	    SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc;
}
