/* SPDX-License-Identifier: MIT */
/*
 * db.h: opens the dmarc-tools SQLite database, sets its pragmas (WAL, busy
 * timeout, foreign keys) and brings its schema to the version this program
 * knows (schema.sql for a new database, then the migrations keyed by PRAGMA
 * user_version).  The only place that runs DDL.  The caller owns the handle
 * and closes it with db_close.
 */
#ifndef DM_DB_H
#define DM_DB_H

#include <stddef.h>
#include <sqlite3.h>

/* The schema version this program writes and reads (2: domains in their
 * stored form, schema/migrations/002-domains.sql). */
#define DB_SCHEMA_VERSION 2

/* Milliseconds a writer waits for another one before giving up.  A batch
 * holds the write lock for well under a second, but several ingests from
 * overlapping cron jobs take turns, and SQLite's retries are not fair: a
 * minute keeps a slow turn from failing as "database is locked". */
#define DB_BUSY_TIMEOUT_MS 60000

enum db_mode {
	DB_READ_WRITE_CREATE,	/* dmarc-ingest: create and migrate as needed */
	DB_READ_ONLY		/* dmarc-report: never write, never migrate */
};

/*
 * Opens (and for DB_READ_WRITE_CREATE creates and migrates) the database at
 * `path`.  Returns the handle, or NULL with a one-line reason in err
 * ("cannot open database 'x': ...", "database 'x' has schema version 7,
 * newer than this program's 1").
 */
sqlite3 *db_open(const char *path, enum db_mode mode, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* The database path: `opt` if set, else $DMARC_DB, else "./dmarc.db". */
const char *db_default_path(const char *opt);

/* Runs SQL text without results; 0 or -1 with the SQLite message in err. */
int db_exec(sqlite3 *db, const char *sql, char *err, size_t errlen);

void db_close(sqlite3 *db);

#endif
