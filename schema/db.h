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
 * stored form, schema/migrations/002-domains.sql; 3: source_auth,
 * 003-source-auth.sql; 4: imap_seen, 004-imap.sql). */
#define DB_SCHEMA_VERSION 5

/*
 * PRAGMA application_id of a dmarc-tools database: ASCII "DMRC".  Set when
 * dmarc-ingest creates the database, and on a dmarc-tools database of an
 * older release (our tables and user_version, application_id 0) the first
 * time dmarc-ingest opens it.  A database with another application_id, or
 * with tables and no dmarc-tools schema, is not ours: it is refused and
 * left byte for byte as it was (checked before any pragma that writes).
 */
#define DB_APPLICATION_ID 0x444D5243

/* Milliseconds a writer waits for another one before giving up.  A batch
 * holds the write lock for well under a second, but several ingests from
 * overlapping cron jobs take turns, and SQLite's retries are not fair: a
 * minute keeps a slow turn from failing as "database is locked". */
#define DB_BUSY_TIMEOUT_MS 60000

enum db_mode {
	DB_READ_WRITE_CREATE,	/* dmarc-ingest: create and migrate as needed */
	DB_READ_WRITE,		/* dmarc-ingest's commands: migrate, never create */
	DB_READ_ONLY		/* dmarc-report: never write, never migrate */
};

/*
 * Opens (and for DB_READ_WRITE_CREATE creates, for both read-write modes
 * migrates) the database at `path`.  An empty file, or an SQLite file
 * without any table, counts as no database yet.  Returns the handle, or
 * NULL with a one-line reason in err: "cannot open database 'x': ...",
 * "no database at 'x'" (DB_READ_WRITE: nothing is created), "database 'x'
 * is empty" (DB_READ_ONLY), "database 'x' is not a dmarc-tools database
 * ...", "database 'x' has schema version 7, newer than this program's 1".
 */
sqlite3 *db_open(const char *path, enum db_mode mode, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* The database path: `opt` if set, else $DMARC_DB, else "./dmarc.db". */
const char *db_default_path(const char *opt);

/* Runs SQL text without results; 0 or -1 with the SQLite message in err. */
int db_exec(sqlite3 *db, const char *sql, char *err, size_t errlen);

void db_close(sqlite3 *db);

#endif
