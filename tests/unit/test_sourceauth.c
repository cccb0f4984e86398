/* SPDX-License-Identifier: MIT */
/*
 * test_sourceauth.c: the store's source_auth (ingest/store_sourceauth.c)
 * equals what migration 003-source-auth.sql computes from the stored
 * records, byte for byte, on the paths real files rarely take: reports
 * with more outcomes than the store groups in memory, whose policy domain,
 * day or reporter at the moment the groups overflowed (written under that
 * key) is not the one they end with, next to other reports of that domain
 * and day, and reports whose key is unknown when the groups overflow.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "db.h"
#include "store.h"

#define DAY 86400LL
#define BEGIN (20000 * DAY)

/* Every row of source_auth, as text, in key order (caller frees). */
static char *
dump(const char *path)
{
	char err[256], *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	sqlite3 *db = db_open(path, DB_READ_ONLY, err, sizeof err);
	sqlite3_stmt *q;
	int i;

	if (db == NULL || f == NULL ||
	    sqlite3_prepare_v2(db, "SELECT * FROM source_auth ORDER BY 1, 2, 3,"
	    " 5, 6, 7, 8, 9, 10, 11, 12", -1, &q, NULL) != SQLITE_OK) {
		fprintf(stderr, "dump: %s\n", db ? sqlite3_errmsg(db) : err);
		if (f != NULL)
			fclose(f);
		free(out);
		db_close(db);
		return NULL;
	}
	while (sqlite3_step(q) == SQLITE_ROW) {
		for (i = 0; i < sqlite3_column_count(q); i++)
			fprintf(f, "%s|", sqlite3_column_text(q, i) ?
			    (const char *)sqlite3_column_text(q, i) : "~");
		fputc('\n', f);
	}
	sqlite3_finalize(q);
	db_close(db);
	fclose(f);
	return out;
}

/*
 * One report of n records (record i: source IP 10.x.y.z from i mod
 * `ips`, DKIM pass on every third, a selector of five, an override
 * reason on every seventh), fed with `so_far` as the key while streaming
 * and `final` at its end.
 */
static void
store_one(struct store *st, const struct dm_report *so_far,
    const struct dm_report *final, int n, int ips)
{
	struct store_provenance prov = { "test.xml", NULL, NULL, NULL, NULL,
	    NULL, -1 };
	struct dm_reason reason = { (char *)"forwarded", NULL };
	enum store_outcome out;
	uint64_t recs, msgs;
	int i;

	CHECK(store_report_start(st, &prov) == 0);
	for (i = 0; i < n; i++) {
		struct dm_record rec;
		struct dm_dkim dkim;
		struct dm_spf spf;
		char sel[16];
		int j = i % ips;

		memset(&rec, 0, sizeof rec);
		rec.position = (uint64_t)i + 1;
		snprintf(rec.source_ip, sizeof rec.source_ip, "10.%d.%d.%d",
		    j / 65536, j / 256 % 256, j % 256);
		rec.ip_family = 4;
		rec.count = i % 5 + 1;
		rec.disposition = (char *)"none";
		rec.dkim_aligned = (char *)(j % 3 == 0 ? "pass" : "fail");
		rec.spf_aligned = (char *)"fail";
		rec.header_from = (char *)"example.com";
		snprintf(sel, sizeof sel, "s%d", j % 5);
		dkim = (struct dm_dkim){ (char *)"example.com", sel,
		    rec.dkim_aligned, NULL };
		spf = (struct dm_spf){ (char *)"example.com", (char *)"mfrom",
		    (char *)"softfail", NULL };
		rec.dkim = &dkim;
		rec.n_dkim = 1;
		rec.spf = &spf;
		rec.n_spf = 1;
		if (j % 7 == 0) {
			rec.reasons = &reason;
			rec.n_reasons = 1;
		}
		CHECK(store_report_record(st, so_far, &rec) == 0);
	}
	CHECK(store_report_end(st, final, "ab", &out, &recs, &msgs) == 0);
	CHECK(out == STORE_NEW);
}

static struct dm_report
report(const char *org, const char *id, const char *domain, long long begin,
    int has_begin)
{
	struct dm_report r;

	memset(&r, 0, sizeof r);
	r.org_name = (char *)org;
	r.report_id = (char *)id;
	r.domain = (char *)domain;
	r.date_begin = begin;
	r.date_end = begin + DAY - 1;
	r.has_begin = has_begin;
	r.has_end = 1;
	return r;
}

int
main(void)
{
	char dir[] = "/tmp/test_sourceauth.XXXXXX", path[256], err[512];
	struct store *st;
	struct dm_report a, b, b2, c, c2, d, d2, e;
	char *stored, *migrated;
	sqlite3 *db;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/db", dir);
	st = store_open(path, STORE_CREATE, err, sizeof err);
	CHECK(st != NULL);
	if (st == NULL)
		CHECK_DONE();
	CHECK(store_begin(st) == 0);
	/* a small report on BEGIN's day: rebuilt when b leaves that day */
	a = report("a.example", "a1", "example.com", BEGIN, 1);
	store_one(st, &a, &a, 300, 300);
	/* b: 6,000 outcomes (over the 4,096 held), streamed as BEGIN's day
	 * with reporter "b", ends a day later */
	b = report("b.example", "b1", "example.com", BEGIN, 1);
	b2 = report("b.example", "b1", "example.com", BEGIN + DAY, 1);
	store_one(st, &b, &b2, 9000, 6000);
	/* c: the same day, but its reporter was not known while streaming */
	c = report(NULL, "c1", "example.com", BEGIN, 1);
	c2 = report("c.example", "c1", "example.com", BEGIN, 1);
	store_one(st, &c, &c2, 5000, 5000);
	/* d: neither domain nor begin known while streaming (deferred) */
	d = report("d.example", "d1", NULL, 0, 0);
	d2 = report("d.example", "d1", "example.com", BEGIN, 1);
	store_one(st, &d, &d2, 5000, 4500);
	/* e: in the usual order, overflowing under its own key */
	e = report("e.example", "e1", "example.com", BEGIN, 1);
	store_one(st, &e, &e, 10000, 5000);
	CHECK(store_commit(st) == 0);
	store_close(st);

	stored = dump(path);
	CHECK(stored != NULL && strlen(stored) > 1000);
	/* migration 003 computes the table from the records again */
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, "DROP TABLE source_auth; DROP TABLE imap_seen; "
	    "PRAGMA user_version = 2", NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	st = store_open(path, STORE_EXISTING, err, sizeof err);
	CHECK(st != NULL);
	store_close(st);
	migrated = dump(path);
	CHECK(migrated != NULL);
	if (stored != NULL && migrated != NULL && strcmp(stored, migrated)) {
		size_t i = 0;

		while (stored[i] == migrated[i])
			i++;
		while (i > 0 && stored[i - 1] != '\n')
			i--;
		fprintf(stderr, "first difference:\nstored   %.300s\n"
		    "migrated %.300s\n", stored + i, migrated + i);
		CHECK(0);
	}
	free(stored);
	free(migrated);
	snprintf(path, sizeof path, "rm -rf '%s'", dir);
	CHECK(system(path) == 0);
	CHECK_DONE();
}
