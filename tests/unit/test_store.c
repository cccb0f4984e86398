/* SPDX-License-Identifier: MIT */
/* test_store.c: db open/migrate and the store's report, duplicate and failure paths. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "db.h"
#include "store.h"

static long long
scalar(sqlite3 *db, const char *q)
{
	sqlite3_stmt *st;
	long long v = -1;

	if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK)
		return -2;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void
fill_report(struct dm_report *r, const char *org, const char *id,
    const char *domain, long long begin)
{
	memset(r, 0, sizeof *r);
	r->org_name = org ? strdup(org) : NULL;
	r->report_id = id ? strdup(id) : NULL;
	r->domain = domain ? strdup(domain) : NULL;
	r->date_begin = begin;
	r->date_end = begin + 86399;
	r->has_begin = r->has_end = 1;
	r->p = strdup("none");
	r->schema = DM_SCHEMA_RFC7489;
}

static void
fill_record(struct dm_record *rec, unsigned pos, const char *ip, long long count)
{
	static struct dm_dkim dk = { (char *)"example.com", (char *)"s1", (char *)"pass", NULL };
	static struct dm_spf sp = { (char *)"example.com", (char *)"mfrom", (char *)"pass", NULL };
	static struct dm_reason rs = { (char *)"forwarded", NULL };

	memset(rec, 0, sizeof *rec);
	rec->position = pos;
	snprintf(rec->source_ip, sizeof rec->source_ip, "%s", ip);
	rec->ip_family = strchr(ip, ':') ? 6 : 4;
	rec->count = count;
	rec->dkim = &dk;
	rec->n_dkim = 1;
	rec->spf = &sp;
	rec->n_spf = 1;
	rec->reasons = &rs;
	rec->n_reasons = 1;
}

/* Stores one report with two records; returns the outcome. */
static enum store_outcome
put(struct store *st, const struct dm_report *meta_at_records,
    const struct dm_report *final, uint64_t *recs, uint64_t *msgs)
{
	struct store_provenance prov = { "test.xml", NULL, NULL, NULL, NULL, NULL, -1 };
	struct dm_record rec;
	enum store_outcome out = STORE_NEW;

	CHECK(store_report_start(st, &prov) == 0);
	fill_record(&rec, 1, "192.0.2.1", 10);
	CHECK(store_report_record(st, meta_at_records, &rec) == 0);
	fill_record(&rec, 2, "2001:db8::1", 5);
	CHECK(store_report_record(st, meta_at_records, &rec) == 0);
	CHECK(store_report_end(st, final, "ab12", &out, recs, msgs) == 0);
	return out;
}

int
main(void)
{
	char path[] = "/tmp/dm-test-store-XXXXXX", dbpath[4096], err[512];
	struct dm_report r, partial, noorg;
	struct store *st;
	uint64_t recs, msgs;
	sqlite3 *db;
	int before;
	int64_t id, id2;

	CHECK(mkdtemp(path) != NULL);
	snprintf(dbpath, sizeof dbpath, "%s/t.db", path);

	/* a new database gets the schema and its version */
	db = db_open(dbpath, DB_READ_WRITE_CREATE, err, sizeof err);
	CHECK(db != NULL);
	CHECK_INT(scalar(db, "PRAGMA user_version"), DB_SCHEMA_VERSION);
	CHECK_INT(scalar(db, "SELECT count(*) FROM sqlite_master WHERE name = 'record_spf'"), 1);
	CHECK(db_exec(db, "PRAGMA journal_mode", err, sizeof err) == 0);
	st = store_open(db, err, sizeof err);
	CHECK(st != NULL);

	/* a report, new, then its duplicate */
	fill_report(&r, "google.com", "123", "example.com", 1700000000);
	CHECK(store_begin(st) == 0);
	CHECK(put(st, &r, &r, &recs, &msgs) == STORE_NEW);
	CHECK_INT(recs, 2);
	CHECK_INT(msgs, 15);
	CHECK(put(st, &r, &r, &recs, &msgs) == STORE_DUPLICATE);
	CHECK_INT(recs, 0);
	CHECK(store_commit(st) == 0);
	CHECK_INT(scalar(db, "SELECT count(*) FROM report"), 1);
	CHECK_INT(scalar(db, "SELECT count(*) FROM record"), 2);
	CHECK_INT(scalar(db, "SELECT message_count FROM report"), 15);
	CHECK_INT(scalar(db, "SELECT count(*) FROM record_dkim"), 2);
	CHECK_INT(scalar(db, "SELECT count(*) FROM record_reason"), 2);
	CHECK_INT(scalar(db, "SELECT ip_family FROM record WHERE position = 2"), 6);

	/* records before the metadata: a placeholder row, completed at the
	 * end; its duplicate is found at the end and leaves nothing behind */
	memset(&partial, 0, sizeof partial);
	dm_report_clear(&r);
	fill_report(&r, "yahoo.com", "y1", "example.com", 1700086400);
	CHECK(store_begin(st) == 0);
	CHECK(put(st, &partial, &r, &recs, &msgs) == STORE_NEW);
	CHECK(put(st, &partial, &r, &recs, &msgs) == STORE_DUPLICATE);
	CHECK(store_commit(st) == 0);
	CHECK_INT(scalar(db, "SELECT count(*) FROM report"), 2);
	CHECK_INT(scalar(db, "SELECT count(*) FROM record"), 4);
	CHECK_INT(scalar(db, "SELECT count(*) FROM report WHERE report_id = ''"), 0);

	/* a missing org_name counts as '' in the identity */
	fill_report(&noorg, NULL, "n1", "example.com", 1700000000);
	CHECK(store_begin(st) == 0);
	CHECK(put(st, &noorg, &noorg, &recs, &msgs) == STORE_NEW);
	CHECK(put(st, &noorg, &noorg, &recs, &msgs) == STORE_DUPLICATE);
	CHECK(store_commit(st) == 0);
	CHECK_INT(scalar(db, "SELECT count(*) FROM report WHERE org_name IS NULL"), 1);

	/* an aborted report leaves nothing */
	{
		struct store_provenance prov = { "bad.xml", NULL, NULL, NULL, NULL, NULL, -1 };
		struct dm_record rec;
		struct dm_report r2;

		fill_report(&r2, "x", "x1", "example.org", 1);
		CHECK(store_begin(st) == 0);
		CHECK(store_report_start(st, &prov) == 0);
		fill_record(&rec, 1, "192.0.2.9", 1);
		CHECK(store_report_record(st, &r2, &rec) == 0);
		store_report_abort(st);
		CHECK(store_commit(st) == 0);
		dm_report_clear(&r2);
	}
	CHECK_INT(scalar(db, "SELECT count(*) FROM report WHERE domain = 'example.org'"), 0);
	CHECK_INT(scalar(db, "SELECT count(*) FROM record"), 6);

	/* failures: first time new, same hash again failed_before */
	{
		struct store_provenance prov = { "junk.xml", NULL, NULL, NULL, NULL, NULL, -1 };
		CHECK(store_begin(st) == 0);
		id = store_failure(st, &prov, "not a report", (const unsigned char *)"junk", 4, 4, "ff00", &before);
		CHECK(id > 0);
		CHECK_INT(before, 0);
		id2 = store_failure(st, &prov, "not a report", (const unsigned char *)"junk", 4, 4, "ff00", &before);
		CHECK_INT(id2, id);
		CHECK_INT(before, 1);
		CHECK(store_failure_resolve(st, id) == 0);
		CHECK(store_commit(st) == 0);
		CHECK_INT(scalar(db, "SELECT attempts FROM ingest_failure"), 2);
		CHECK_INT(scalar(db, "SELECT resolved_at IS NOT NULL FROM ingest_failure"), 1);
		CHECK_INT(scalar(db, "SELECT length(payload) > 0 FROM ingest_failure"), 1);
	}

	/* prune by cascade: deleting a report deletes its records */
	CHECK(db_exec(db, "DELETE FROM report WHERE org_name = 'google.com'", err, sizeof err) == 0);
	CHECK_INT(scalar(db, "SELECT count(*) FROM record"), 4);
	CHECK_INT(scalar(db, "SELECT count(*) FROM record_dkim"), 4);

	dm_report_clear(&r);
	dm_report_clear(&noorg);
	store_close(st);

	/* a newer schema is refused; read-only open of our version works */
	CHECK(db_exec(db, "PRAGMA user_version = 99", err, sizeof err) == 0);
	db_close(db);
	db = db_open(dbpath, DB_READ_WRITE_CREATE, err, sizeof err);
	CHECK(db == NULL);
	CHECK(strstr(err, "newer") != NULL);
	db = db_open(dbpath, DB_READ_ONLY, err, sizeof err);
	CHECK(db == NULL);
	{
		sqlite3 *raw;
		char pv[64];

		CHECK(sqlite3_open(dbpath, &raw) == SQLITE_OK);
		snprintf(pv, sizeof pv, "PRAGMA user_version = %d",
		    DB_SCHEMA_VERSION);
		CHECK(sqlite3_exec(raw, pv, NULL, NULL, NULL) == SQLITE_OK);
		sqlite3_close(raw);
	}
	db = db_open(dbpath, DB_READ_ONLY, err, sizeof err);
	CHECK(db != NULL);
	db_close(db);

	/* the default path */
	unsetenv("DMARC_DB");
	CHECK_STR(db_default_path(NULL), "./dmarc.db");
	setenv("DMARC_DB", "/x/y.db", 1);
	CHECK_STR(db_default_path(NULL), "/x/y.db");
	CHECK_STR(db_default_path("z.db"), "z.db");

	{
		char cmd[4200];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
		CHECK(system(cmd) == 0);
	}
	CHECK_DONE();
}
