/* SPDX-License-Identifier: MIT */
/*
 * store_admin.c: the store's maintenance commands (see store.h): list and
 * forget failures, prune old reports, per-domain statistics.  Apart from
 * store.c so that each file keeps to one job.
 */
#include <stdio.h>
#include <stdlib.h>

#include "db.h"
#include "fmt.h"
#include "store_priv.h"

int
store_list_failures(struct store *st,
    int (*row)(void *ctx, const struct store_failure_row *r), void *ctx)
{
	struct store_failure_row r;
	sqlite3_stmt *s = NULL;
	int rc;

	STORE_OWNED(st);
	if (sqlite3_prepare_v2(st->db, "SELECT id, first_seen, last_seen, "
	    "attempts, payload_size, payload IS NOT NULL, input_name, reason "
	    "FROM ingest_failure WHERE resolved_at IS NULL ORDER BY id", -1, &s,
	    NULL) != SQLITE_OK)
		return store_fail_db(st, "list failures");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		r.id = sqlite3_column_int64(s, 0);
		r.first_seen = sqlite3_column_int64(s, 1);
		r.last_seen = sqlite3_column_int64(s, 2);
		r.attempts = sqlite3_column_int64(s, 3);
		r.bytes = sqlite3_column_int64(s, 4);
		r.kept = sqlite3_column_int(s, 5);
		r.input_name = (const char *)sqlite3_column_text(s, 6);
		r.reason = (const char *)sqlite3_column_text(s, 7);
		if (r.input_name == NULL)
			r.input_name = "";
		if (r.reason == NULL)
			r.reason = "";
		if (row(ctx, &r) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE) {
		store_fail_db(st, "list failures");
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_finalize(s);
	return 0;
}

int
store_forget_failure(struct store *st, int64_t id)
{
	sqlite3_stmt *s = NULL;
	int changed;

	STORE_OWNED(st);
	if (sqlite3_prepare_v2(st->db, "DELETE FROM ingest_failure WHERE id = ?",
	    -1, &s, NULL) != SQLITE_OK)
		return store_fail_db(st, "delete failure");
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) != SQLITE_DONE) {
		store_fail_db(st, "delete failure");
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_finalize(s);
	changed = sqlite3_changes(st->db);
	return changed == 0 ? 1 : 0;
}

/* Runs a statement with one integer parameter; SQLite's result code. */
static int
run_int(struct store *st, const char *q, int64_t v, int64_t *first)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if ((rc = sqlite3_prepare_v2(st->db, q, -1, &s, NULL)) != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(s, 1, v);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && first != NULL) {
		*first = sqlite3_column_int64(s, 0);
		rc = SQLITE_DONE;
	}
	sqlite3_finalize(s);
	return rc;
}

int
store_prune(struct store *st, int64_t before, uint64_t *reports,
    uint64_t *records)
{
	char e[256];
	int64_t recs = 0;

	STORE_OWNED(st);
	*reports = *records = 0;
	if (db_exec(st->db, "BEGIN IMMEDIATE", e, sizeof e) != 0) {
		snprintf(st->err, sizeof st->err, "%s", e);
		return -1;
	}
	if (run_int(st, "SELECT count(*) FROM record JOIN report ON report.id = "
	    "record.report WHERE report.date_begin < ?", before, &recs) !=
	    SQLITE_DONE ||
	    run_int(st, "DELETE FROM report WHERE date_begin < ?", before,
	    NULL) != SQLITE_DONE)
		goto fail;
	*reports = (uint64_t)sqlite3_changes(st->db);
	/* the per-day source totals of those days go with them */
	if (run_int(st, "DELETE FROM source_day WHERE day < ?", utc_day(before),
	    NULL) != SQLITE_DONE ||
	    run_int(st, "DELETE FROM source_auth WHERE day < ?",
	    utc_day(before), NULL) != SQLITE_DONE)
		goto fail;
	if (db_exec(st->db, "COMMIT", e, sizeof e) != 0) {
		snprintf(st->err, sizeof st->err, "%s", e);
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	*records = (uint64_t)recs;
	return 0;
fail:
	store_fail_db(st, "prune");
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	*reports = 0;
	return -1;
}

int
store_domain_stats(struct store *st,
    int (*row)(void *ctx, const struct store_domain_stats *s), void *ctx)
{
	struct store_domain_stats d;
	sqlite3_stmt *s = NULL;
	int rc;

	STORE_OWNED(st);
	if (sqlite3_prepare_v2(st->db, "SELECT domain, count(*), count(DISTINCT "
	    "ifnull(org_name, '')), sum(record_count), sum(message_count), "
	    "min(date_begin), max(date_end) FROM report GROUP BY domain ORDER BY "
	    "sum(message_count) DESC, domain", -1, &s, NULL) != SQLITE_OK)
		return store_fail_db(st, "statistics");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		d.domain = (const char *)sqlite3_column_text(s, 0);
		if (d.domain == NULL)
			d.domain = "";
		d.reports = (uint64_t)sqlite3_column_int64(s, 1);
		d.reporters = (uint64_t)sqlite3_column_int64(s, 2);
		d.records = (uint64_t)sqlite3_column_int64(s, 3);
		d.messages = (uint64_t)sqlite3_column_int64(s, 4);
		d.first = sqlite3_column_int64(s, 5);
		d.last = sqlite3_column_int64(s, 6);
		if (row(ctx, &d) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE) {
		store_fail_db(st, "statistics");
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_finalize(s);
	return 0;
}
