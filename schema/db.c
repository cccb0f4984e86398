/* SPDX-License-Identifier: MIT */
/* db.c: database open, pragmas and schema migrations (see db.h). */
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* schema.sql, embedded by cmake/embed.cmake. */
extern const char dm_schema_sql[];

/*
 * Migrations from version N-1 to N, for N = 2 .. DB_SCHEMA_VERSION, each
 * the text of schema/migrations/NNN-*.sql.  A new database runs schema.sql
 * (always the latest schema) and skips them.  None yet: version 1 is the
 * first schema.
 */
static const char *const migrations[] = {
	NULL,	/* 0 -> 1: schema.sql itself */
};

int
db_exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s", msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int
user_version(sqlite3 *db, int *v)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		goto out;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*v = sqlite3_column_int(st, 0);
		rc = 0;
	}
out:
	sqlite3_finalize(st);
	return rc;
}

static int
migrate(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	char e[512], sql[64];
	int v, n;

	if (user_version(db, &v) != 0) {
		snprintf(err, errlen, "cannot read database '%s': %s", path,
		    sqlite3_errmsg(db));
		return -1;
	}
	if (v == DB_SCHEMA_VERSION)
		return 0;
	if (v > DB_SCHEMA_VERSION) {
		snprintf(err, errlen, "database '%s' has schema version %d, "
		    "newer than this program's %d: upgrade dmarc-tools", path, v,
		    DB_SCHEMA_VERSION);
		return -1;
	}
	/* An exclusive transaction, so two first runs do not both create. */
	if (db_exec(db, "BEGIN IMMEDIATE", e, sizeof e) != 0)
		goto fail;
	if (user_version(db, &v) != 0)
		goto fail_rb;
	if (v == 0) {
		if (db_exec(db, dm_schema_sql, e, sizeof e) != 0)
			goto fail_rb;
	} else {
		for (n = v + 1; n <= DB_SCHEMA_VERSION; n++) {
			if ((size_t)n - 1 >= sizeof migrations / sizeof migrations[0] ||
			    migrations[n - 1] == NULL) {
				snprintf(e, sizeof e, "no migration to version %d", n);
				goto fail_rb;
			}
			if (db_exec(db, migrations[n - 1], e, sizeof e) != 0)
				goto fail_rb;
		}
	}
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", DB_SCHEMA_VERSION);
	if (db_exec(db, sql, e, sizeof e) != 0 || db_exec(db, "COMMIT", e, sizeof e) != 0)
		goto fail_rb;
	return 0;
fail_rb:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
fail:
	snprintf(err, errlen, "cannot set up database '%s': %s", path, e);
	return -1;
}

sqlite3 *
db_open(const char *path, enum db_mode mode, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	char e[512];
	int flags, v;

	/* No memory statistics: they take a global mutex on every malloc. */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	flags = mode == DB_READ_ONLY ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	flags |= SQLITE_OPEN_NOMUTEX;	/* one connection per thread */
	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open database '%s': %s", path,
		    db ? sqlite3_errmsg(db) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, DB_BUSY_TIMEOUT_MS);
	if (db_exec(db, "PRAGMA foreign_keys = ON", e, sizeof e) != 0) {
		snprintf(err, errlen, "cannot open database '%s': %s", path, e);
		goto fail;
	}
	if (mode == DB_READ_ONLY) {
		if (user_version(db, &v) != 0) {
			snprintf(err, errlen, "cannot read database '%s': %s",
			    path, sqlite3_errmsg(db));
			goto fail;
		}
		if (v != DB_SCHEMA_VERSION) {
			snprintf(err, errlen, v == 0 ?
			    "database '%s' is empty or not a dmarc-tools database" :
			    "database '%s' has schema version %d, this program reads %d",
			    path, v, DB_SCHEMA_VERSION);
			goto fail;
		}
		return db;
	}
	/*
	 * WAL lets dmarc-report read while a cron ingest writes.  Savepoint
	 * journals in memory: each report is a savepoint, and writing their
	 * journals to temporary files took a fifth of the ingest time.  An
	 * 8 MiB page cache keeps the source_ip index in memory longer: with
	 * 740,000 records it cut a fifth of the run.
	 */
	if (db_exec(db, "PRAGMA temp_store = MEMORY", e, sizeof e) != 0 ||
	    db_exec(db, "PRAGMA cache_size = -8192", e, sizeof e) != 0 ||
	    db_exec(db, "PRAGMA journal_mode = WAL", e, sizeof e) != 0 ||
	    db_exec(db, "PRAGMA synchronous = NORMAL", e, sizeof e) != 0) {
		snprintf(err, errlen, "cannot open database '%s': %s", path, e);
		goto fail;
	}
	if (migrate(db, path, err, errlen) != 0)
		goto fail;
	return db;
fail:
	sqlite3_close(db);
	return NULL;
}

const char *
db_default_path(const char *opt)
{
	const char *env;

	if (opt != NULL && *opt != '\0')
		return opt;
	env = getenv("DMARC_DB");
	if (env != NULL && *env != '\0')
		return env;
	return "./dmarc.db";
}

void
db_close(sqlite3 *db)
{
	if (db != NULL)
		sqlite3_close(db);
}
