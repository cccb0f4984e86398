/* SPDX-License-Identifier: MIT */
/* test_store.c: db open/migrate and the store's report, duplicate and failure paths. */
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
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

static int
count_row(void *ctx, const struct store_failure_row *r)
{
	size_t *n = ctx;

	(void)r;
	++*n;
	return 0;
}

/* Keeps the row of example.com. */
static int
first_domain(void *ctx, const struct store_domain_stats *s)
{
	struct store_domain_stats *d = ctx;

	if (d->domain == NULL && strcmp(s->domain, "example.com") == 0) {
		*d = *s;
		d->domain = "example.com";
	}
	return 0;
}

/* Uses the store on another thread, which adopts it and gives it back. */
static void *
use_store(void *arg)
{
	struct store *st = arg;
	int ok;

	store_adopt(st);
	ok = store_begin(st) == 0 && store_commit(st) == 0;
	store_release(st);
	return ok ? arg : NULL;
}

#if !defined(NDEBUG) || defined(DM_SANITIZE)
/* Calls the store from a thread that never adopted it. */
static void *
intrude(void *arg)
{
	return store_begin(arg) == 0 ? arg : NULL;
}
#endif

/* The bytes of a file into buf; how many (at most len). */
static size_t
slurp(const char *p, char *buf, size_t len)
{
	FILE *f = fopen(p, "rb");
	size_t n;

	if (f == NULL)
		return 0;
	n = fread(buf, 1, len, f);
	fclose(f);
	return n;
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

	/* the commands never create a database */
	CHECK(store_open(dbpath, STORE_EXISTING, err, sizeof err) == NULL);
	CHECK(strstr(err, "no database at '") != NULL);
	CHECK(access(dbpath, F_OK) != 0);

	/* a new database gets the schema, its version and our application_id;
	 * the checks read it through a connection of their own */
	st = store_open(dbpath, STORE_CREATE, err, sizeof err);
	CHECK(st != NULL);
	CHECK(sqlite3_open(dbpath, &db) == SQLITE_OK);
	CHECK_INT(scalar(db, "PRAGMA user_version"), DB_SCHEMA_VERSION);
	CHECK_INT(scalar(db, "PRAGMA application_id"), DB_APPLICATION_ID);
	CHECK_INT(scalar(db, "SELECT count(*) FROM sqlite_master WHERE name = 'record_spf'"), 1);

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

	/* kept payloads come back as they went in, with their provenance */
	{
		struct store_provenance prov = { "mail.eml:r.xml", "<m@x>", NULL, NULL, "Report Domain: x", "box", 42 };
		struct store_kept k;
		int64_t kid, nokeep, damaged, *ids;
		size_t n;

		CHECK(store_begin(st) == 0);
		kid = store_failure(st, &prov, "bad", (const unsigned char *)"payload bytes", 13, 13, "aa01", &before);
		nokeep = store_failure(st, &prov, "too big", NULL, 0, 1 << 30, "aa02", &before);
		damaged = store_failure(st, &prov, "bad", (const unsigned char *)"xyz", 3, 3, "aa03", &before);
		CHECK(store_commit(st) == 0);
		CHECK(kid > id && nokeep > kid && damaged > nokeep);
		CHECK(db_exec(db, "UPDATE ingest_failure SET payload = x'0102' WHERE payload_sha256 = 'aa03'", err, sizeof err) == 0);

		CHECK_INT(store_failure_load(st, kid, &k), STORE_KEPT_OK);
		CHECK_INT(k.len, 13);
		CHECK(k.payload != NULL && memcmp(k.payload, "payload bytes", 13) == 0);
		CHECK_STR(k.prov.input_name, "mail.eml:r.xml");
		CHECK_STR(k.prov.message_id, "<m@x>");
		CHECK(k.prov.message_date == NULL);
		CHECK_STR(k.prov.mbox_path, "box");
		CHECK_INT(k.prov.mbox_offset, 42);
		store_kept_free(&k);
		CHECK_INT(store_failure_load(st, nokeep, &k), STORE_KEPT_NONE);
		store_kept_free(&k);
		CHECK_INT(store_failure_load(st, damaged, &k), STORE_KEPT_DAMAGED);
		CHECK(k.payload == NULL);
		store_kept_free(&k);
		CHECK_INT(store_failure_load(st, id, &k), STORE_KEPT_GONE);	/* resolved */
		store_kept_free(&k);

		CHECK(store_failure_ids(st, &ids, &n) == 0);
		CHECK_INT(n, 3);
		if (n == 3)
			CHECK(ids[0] == kid && ids[1] == nokeep && ids[2] == damaged);
		free(ids);

		/* a retry that stored part: one more attempt, open or resolved */
		CHECK(store_failure_retried(st, kid, "stored in part", 0) == 0);
		CHECK_INT(scalar(db, "SELECT attempts FROM ingest_failure WHERE payload_sha256 = 'aa01'"), 2);
		CHECK_INT(scalar(db, "SELECT resolved_at IS NULL FROM ingest_failure WHERE payload_sha256 = 'aa01'"), 1);
		CHECK(store_failure_retried(st, kid, "stored in part", 1) == 0);
		CHECK_INT(scalar(db, "SELECT attempts FROM ingest_failure WHERE payload_sha256 = 'aa01'"), 3);
		CHECK_INT(scalar(db, "SELECT resolved_at IS NULL FROM ingest_failure WHERE payload_sha256 = 'aa01'"), 0);

		/* list shows the unresolved ones; forget deletes one */
		n = 0;
		CHECK(store_list_failures(st, count_row, &n) == 0);
		CHECK_INT(n, 2);
		CHECK_INT(store_forget_failure(st, nokeep), 0);
		CHECK_INT(store_forget_failure(st, nokeep), 1);
		n = 0;
		CHECK(store_list_failures(st, count_row, &n) == 0);
		CHECK_INT(n, 1);
	}

	/* statistics per policy domain: example.com has 3 reports (2 records
	 * of 15 messages each), 3 reporters (one without a name) */
	{
		struct store_domain_stats d;

		memset(&d, 0, sizeof d);
		CHECK(store_domain_stats(st, first_domain, &d) == 0);
		CHECK_INT(d.reports, 3);
		CHECK_INT(d.reporters, 3);
		CHECK_INT(d.records, 6);
		CHECK_INT(d.messages, 45);
		CHECK_INT(d.first, 1700000000);
		CHECK_INT(d.last, 1700086400 + 86399);
	}

	/* prune: the reports beginning before the second day go, with their
	 * records (by cascade) and the per-day totals of their day */
	{
		uint64_t reports, records;

		CHECK(store_prune(st, 1700006400, &reports, &records) == 0);
		CHECK_INT(reports, 2);
		CHECK_INT(records, 4);
		CHECK_INT(scalar(db, "SELECT count(*) FROM record"), 2);
		CHECK_INT(scalar(db, "SELECT count(*) FROM record_dkim"), 2);
		CHECK_INT(scalar(db, "SELECT count(*) FROM source_day WHERE day < 1700006400 / 86400"), 0);
	}

	/* ownership: handed to another thread and back */
	{
		pthread_t t;

		store_release(st);
		CHECK(pthread_create(&t, NULL, use_store, st) == 0);
		CHECK(pthread_join(t, NULL) == 0);
		store_adopt(st);
		CHECK(store_begin(st) == 0);
		CHECK(store_commit(st) == 0);
	}
#if !defined(NDEBUG) || defined(DM_SANITIZE)
	/* checking builds: a call from a thread that does not own the store
	 * aborts (as the race of --retry-failed would have) */
	{
		pid_t pid;
		int status = 0;

		fflush(NULL);
		if ((pid = fork()) == 0) {
			pthread_t t;

			if (freopen("/dev/null", "w", stderr) == NULL)
				_exit(1);
			pthread_create(&t, NULL, intrude, st);
			pthread_join(t, NULL);
			_exit(0);
		}
		CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
		CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	}
#endif

	dm_report_clear(&r);
	dm_report_clear(&noorg);
	store_close(st);

	/* a dmarc-tools database of an older release (application_id 0) gets
	 * the id when dmarc-ingest opens it */
	CHECK(db_exec(db, "PRAGMA application_id = 0", err, sizeof err) == 0);
	CHECK((st = store_open(dbpath, STORE_EXISTING, err, sizeof err)) != NULL);
	CHECK_INT(scalar(db, "PRAGMA application_id"), DB_APPLICATION_ID);
	store_close(st);

	/* a newer schema is refused; read-only open of our version works */
	CHECK(db_exec(db, "PRAGMA user_version = 99", err, sizeof err) == 0);
	sqlite3_close(db);
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

	/* not ours: another application's tables, or its application_id;
	 * refused by every mode and left byte for byte as it was */
	{
		static const char *const setup[] = {
			"CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); "
			    "INSERT INTO notes (body) VALUES ('keep me')",
			"PRAGMA application_id = 1234",
		};
		static const enum db_mode modes[] = { DB_READ_WRITE_CREATE, DB_READ_WRITE, DB_READ_ONLY };
		char fpath[4200], wal[4300], before_bytes[65536], after_bytes[65536];
		size_t i, j, nb, na;
		sqlite3 *raw;

		for (i = 0; i < 2; i++) {
			snprintf(fpath, sizeof fpath, "%s/foreign%zu.db", path, i);
			snprintf(wal, sizeof wal, "%s-wal", fpath);
			CHECK(sqlite3_open(fpath, &raw) == SQLITE_OK);
			CHECK(sqlite3_exec(raw, setup[i], NULL, NULL, NULL) == SQLITE_OK);
			sqlite3_close(raw);
			nb = slurp(fpath, before_bytes, sizeof before_bytes);
			CHECK(nb > 0);
			for (j = 0; j < 3; j++) {
				db = db_open(fpath, modes[j], err, sizeof err);
				CHECK(db == NULL);
				db_close(db);
				CHECK(strstr(err, "not a dmarc-tools database") != NULL);
				CHECK(strstr(err, "empty") == NULL);
			}
			CHECK(store_open(fpath, STORE_CREATE, err, sizeof err) == NULL);
			na = slurp(fpath, after_bytes, sizeof after_bytes);
			CHECK(na == nb && memcmp(before_bytes, after_bytes, nb) == 0);
			CHECK(access(wal, F_OK) != 0);
		}
	}

	/* an empty file is no database yet: the commands leave it alone,
	 * ingest makes it one */
	{
		char zpath[4200], wal[4300];
		FILE *f;

		snprintf(zpath, sizeof zpath, "%s/zero.db", path);
		snprintf(wal, sizeof wal, "%s-wal", zpath);
		CHECK((f = fopen(zpath, "w")) != NULL);
		fclose(f);
		CHECK(store_open(zpath, STORE_EXISTING, err, sizeof err) == NULL);
		CHECK(strstr(err, "no database at '") != NULL);
		CHECK(access(wal, F_OK) != 0);
		db = db_open(zpath, DB_READ_ONLY, err, sizeof err);
		CHECK(db == NULL);
		CHECK(strstr(err, "is empty") != NULL);
		{
			char buf[16];
			CHECK_INT(slurp(zpath, buf, sizeof buf), 0);
		}
		CHECK((st = store_open(zpath, STORE_CREATE, err, sizeof err)) != NULL);
		store_close(st);
		CHECK((db = db_open(zpath, DB_READ_ONLY, err, sizeof err)) != NULL);
		CHECK_INT(scalar(db, "PRAGMA application_id"), DB_APPLICATION_ID);
		db_close(db);
	}

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
