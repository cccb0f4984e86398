/* SPDX-License-Identifier: MIT */
/*
 * test_derived.c: the shared definitions of schema/derived.h and common/fmt.h
 * agree with themselves: the SQL and C forms of "UTC day" and "DMARC pass"
 * give the same answer on every edge case (before 1970, day boundaries,
 * the int64 limits, NULL and odd verdicts), and the totals dmarc-ingest's
 * store keeps (report.dmarc_pass, source_day) are what the SQL fragments
 * compute from the stored records.
 */
#include <stdint.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "db.h"
#include "derived.h"
#include "fmt.h"
#include "store.h"

static long long
scalar(sqlite3 *db, const char *q)
{
	sqlite3_stmt *st;
	long long v = -1;

	if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "%s: %s\n", q, sqlite3_errmsg(db));
		return -2;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* UTC days worked out by hand, then SQL_UTC_DAY on the same epoch. */
static void
test_utc_day(sqlite3 *db)
{
	static const struct { int64_t epoch, day; } cases[] = {
		{ 0, 0 }, { 1, 0 }, { 86399, 0 }, { 86400, 1 }, { 86401, 1 },
		{ -1, -1 }, { -86399, -1 }, { -86400, -1 }, { -86401, -2 },
		{ -172800, -2 }, { -172801, -3 },
		{ 1700000000, 19675 },		/* 2023-11-14 22:13:20 */
		{ 1748822400, 20241 },		/* 2025-06-02 00:00:00 */
		{ 1748822399, 20240 },
		{ INT64_MAX, 106751991167300 },
		{ INT64_MIN, -106751991167301 },
		{ INT64_MIN + 1, -106751991167301 },
	};
	sqlite3_stmt *st;
	size_t i;

	CHECK(strchr(SQL_UTC_DAY(x), '%') == NULL);	/* safe in printf */
	CHECK(sqlite3_prepare_v2(db, "SELECT " SQL_UTC_DAY(?1) ", typeof("
	    SQL_UTC_DAY(?1) ")", -1, &st, NULL) == SQLITE_OK);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		CHECK_INT(utc_day(cases[i].epoch), cases[i].day);
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, cases[i].epoch);
		CHECK(sqlite3_step(st) == SQLITE_ROW);
		CHECK_INT(sqlite3_column_int64(st, 0), cases[i].day);
		CHECK_STR((const char *)sqlite3_column_text(st, 1), "integer");
	}
	/* every second around a few boundaries, both sides of 1970 */
	for (i = 0; i < 3; i++) {
		static const int64_t mid[3] = { -86400 * 3, 0, 86400 * 20000 };
		int64_t t;

		for (t = mid[i] - 2; t <= mid[i] + 2; t++) {
			sqlite3_reset(st);
			sqlite3_bind_int64(st, 1, t);
			CHECK(sqlite3_step(st) == SQLITE_ROW);
			CHECK_INT(sqlite3_column_int64(st, 0), utc_day(t));
			CHECK_INT(utc_day(t), t < mid[i] ? mid[i] / 86400 - 1 :
			    mid[i] / 86400);
		}
	}
	sqlite3_finalize(st);
}

static const char *const verdicts[] = { NULL, "pass", "fail", "none",
	"softfail", "temperror", "", "PASS", "pass " };
#define NVERDICTS (sizeof verdicts / sizeof verdicts[0])

/* SQL_DMARC_PASS and derived_dmarc_pass on every pair of verdicts. */
static void
test_dmarc_pass(sqlite3 *db)
{
	sqlite3_stmt *st;
	size_t i, k;

	CHECK(sqlite3_prepare_v2(db, "SELECT " SQL_DMARC_PASS("t.") " FROM"
	    " (SELECT ?1 AS dkim_aligned, ?2 AS spf_aligned) t", -1, &st,
	    NULL) == SQLITE_OK);
	for (i = 0; i < NVERDICTS; i++)
		for (k = 0; k < NVERDICTS; k++) {
			int want = (i == 1 || k == 1);	/* "pass" exactly */

			sqlite3_reset(st);
			if (verdicts[i] != NULL)
				sqlite3_bind_text(st, 1, verdicts[i], -1,
				    SQLITE_STATIC);
			else
				sqlite3_bind_null(st, 1);
			if (verdicts[k] != NULL)
				sqlite3_bind_text(st, 2, verdicts[k], -1,
				    SQLITE_STATIC);
			else
				sqlite3_bind_null(st, 2);
			CHECK(sqlite3_step(st) == SQLITE_ROW);
			/* never NULL: NOT of it must be true for a failure */
			CHECK(sqlite3_column_type(st, 0) == SQLITE_INTEGER);
			CHECK_INT(sqlite3_column_int(st, 0), want);
			CHECK_INT(derived_dmarc_pass(verdicts[i], verdicts[k]),
			    want);
		}
	sqlite3_finalize(st);
}

/*
 * The store's totals against the SQL fragments: one report per begin time
 * (before 1970 too), each with a record per pair of verdicts.
 */
static void
test_store_totals(const char *dbpath)
{
	static const int64_t begins[] = { -86401, -1, 0, 1748822399 };
	struct store_provenance prov = { "test.xml", NULL, NULL, NULL, NULL,
	    NULL, -1 };
	char err[512], id[32];
	struct store *st;
	sqlite3 *db;
	size_t b, i, k;

	st = store_open(dbpath, STORE_CREATE, err, sizeof err);
	CHECK(st != NULL);
	if (st == NULL)
		return;
	CHECK(store_begin(st) == 0);
	for (b = 0; b < sizeof begins / sizeof begins[0]; b++) {
		struct dm_report r;
		enum store_outcome out;
		uint64_t recs, msgs;
		unsigned pos = 1;

		memset(&r, 0, sizeof r);
		snprintf(id, sizeof id, "r%zu", b);
		r.org_name = (char *)"google.com";
		r.report_id = id;
		r.domain = (char *)"example.com";
		r.date_begin = begins[b];
		r.date_end = begins[b] + 86399;
		r.has_begin = r.has_end = 1;
		r.schema = DM_SCHEMA_RFC7489;
		CHECK(store_report_start(st, &prov) == 0);
		for (i = 0; i < NVERDICTS; i++)
			for (k = 0; k < NVERDICTS; k++) {
				struct dm_record rec;

				memset(&rec, 0, sizeof rec);
				rec.position = pos;
				/* two source IPs; counts 1, 2, 3, ... */
				snprintf(rec.source_ip, sizeof rec.source_ip,
				    "192.0.2.%u", 1 + pos % 2);
				rec.ip_family = 4;
				rec.count = pos++;
				rec.dkim_aligned = (char *)verdicts[i];
				rec.spf_aligned = (char *)verdicts[k];
				CHECK(store_report_record(st, &r, &rec) == 0);
			}
		CHECK(store_report_end(st, &r, "ab", &out, &recs, &msgs) == 0);
		CHECK(out == STORE_NEW);
	}
	CHECK(store_commit(st) == 0);
	store_close(st);
	db = db_open(dbpath, DB_READ_ONLY, err, sizeof err);
	CHECK(db != NULL);
	if (db == NULL)
		return;

	/* per report: the C total equals the SQL over its records; by hand,
	 * the record of (i, k) has count 9 i + k + 1 and passes when i == 1
	 * (counts 10..18) or k == 1 (counts 2, 11, ..., 74); 11 is both */
	CHECK_INT(scalar(db, "SELECT count(*) FROM report r WHERE dmarc_pass ="
	    " (SELECT sum(count) FROM record WHERE report = r.id AND "
	    SQL_DMARC_PASS("") ")"), 4);
	CHECK_INT(scalar(db, "SELECT dmarc_pass FROM report WHERE report_id ="
	    " 'r0'"), (10 + 18) * 9 / 2 + (2 + 74) * 9 / 2 - 11);
	/* per source IP and day: source_day against the records, and its day
	 * against SQL_UTC_DAY of the report's begin */
	CHECK_INT(scalar(db, "SELECT count(*) FROM source_day"), 8);
	CHECK_INT(scalar(db, "SELECT count(*) FROM source_day s WHERE"
	    " s.dmarc_pass = (SELECT sum(rec.count) FROM record rec JOIN"
	    " report r ON r.id = rec.report WHERE rec.source_ip = s.source_ip"
	    " AND " SQL_UTC_DAY(r.date_begin) " = s.day AND "
	    SQL_DMARC_PASS("rec.") ")"), 8);
	CHECK_INT(scalar(db, "SELECT count(*) FROM source_day s JOIN report r"
	    " ON s.day = " SQL_UTC_DAY(r.date_begin)), 8);
	/* and by hand: the days of -86401, -1, 0 and 2025-06-01 23:59:59 */
	CHECK_INT(scalar(db, "SELECT sum(day) FROM (SELECT DISTINCT day FROM"
	    " source_day)"), -2 - 1 + 0 + 20240);
	CHECK_INT(scalar(db, "SELECT count(DISTINCT day) FROM source_day"), 4);
	db_close(db);
}

int
main(void)
{
	char dir[] = "/tmp/dm-test-derived-XXXXXX", dbpath[4096];
	sqlite3 *db;

	CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
	test_utc_day(db);
	test_dmarc_pass(db);
	sqlite3_close(db);

	CHECK(mkdtemp(dir) != NULL);
	snprintf(dbpath, sizeof dbpath, "%s/t.db", dir);
	test_store_totals(dbpath);
	unlink(dbpath);
	snprintf(dbpath, sizeof dbpath, "%s/t.db-wal", dir);
	unlink(dbpath);
	snprintf(dbpath, sizeof dbpath, "%s/t.db-shm", dir);
	unlink(dbpath);
	rmdir(dir);
	CHECK_DONE();
}
