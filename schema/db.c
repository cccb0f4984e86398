/* SPDX-License-Identifier: MIT */
/* db.c: database open, pragmas and schema migrations (see db.h). */
#include "db.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "domain.h"

/* schema.sql and the migrations, embedded by cmake/embed.cmake. */
extern const char dm_schema_sql[];
extern const char dm_migration_002_sql[];
extern const char dm_migration_003_sql[];
extern const char dm_migration_004_sql[];
extern const char dm_migration_005_sql[];

/*
 * Migrations from version N-1 to N, for N = 2 .. DB_SCHEMA_VERSION, each
 * the text of schema/migrations/NNN-*.sql.  A new database runs schema.sql
 * (always the latest schema) and skips them.
 */
static const char *const migrations[] = {
	NULL,			/* 0 -> 1: schema.sql itself */
	dm_migration_002_sql,	/* 1 -> 2: domains as domains, dates in s */
	dm_migration_003_sql,	/* 2 -> 3: source_auth, the outcomes */
	dm_migration_004_sql,	/* 3 -> 4: imap_seen, messages read by IMAP */
	dm_migration_005_sql,	/* 4 -> 5: no record(source_ip) index */
};

/* dm_domain(text): common/domain.c's stored form of a domain name, for
 * the migrations (NULL stays NULL; an invalid name comes back as kept). */
static void
sql_dm_domain(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	const unsigned char *v;
	char *n;

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL ||
	    (v = sqlite3_value_text(argv[0])) == NULL) {
		sqlite3_result_null(cx);
		return;
	}
	if (dm_domain_norm((const char *)v, &n, NULL) == DM_DNAME_NOMEM) {
		sqlite3_result_error_nomem(cx);
		return;
	}
	sqlite3_result_text(cx, n, -1, free);
}

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

/*
 * db_exec for the pragmas that set up a connection, retried while another
 * connection holds a lock: switching a new database to WAL needs an
 * exclusive lock, and SQLite answers "database is locked" at once, without
 * its busy handler, when the two first runs of a new database meet there
 * (seen under ASan in test_concurrency: 2 runs in 40).  Up to the busy
 * timeout, 10 ms apart.
 */
static int
setup_exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
	int waited = 0;

	while (db_exec(db, sql, err, errlen) != 0) {
		if ((sqlite3_errcode(db) & 0xff) != SQLITE_BUSY ||
		    waited >= DB_BUSY_TIMEOUT_MS)
			return -1;
		usleep(10000);
		waited += 10;
	}
	return 0;
}

/* Brings the schema to DB_SCHEMA_VERSION and marks the database as ours
 * (application_id, `app_id` being the one it has). */
static int
migrate(sqlite3 *db, const char *path, int app_id, char *err, size_t errlen)
{
	char e[512], sql[64];
	int v, n;

	if (user_version(db, &v) != 0) {
		snprintf(err, errlen, "cannot read database '%s': %s", path,
		    sqlite3_errmsg(db));
		return -1;
	}
	if (v == DB_SCHEMA_VERSION && app_id == DB_APPLICATION_ID)
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
		if (sqlite3_create_function_v2(db, "dm_domain", 1, SQLITE_UTF8 |
		    SQLITE_DETERMINISTIC, NULL, sql_dm_domain, NULL, NULL,
		    NULL) != SQLITE_OK) {
			snprintf(e, sizeof e, "%s", sqlite3_errmsg(db));
			goto fail_rb;
		}
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
	if (db_exec(db, sql, e, sizeof e) != 0)
		goto fail_rb;
	snprintf(sql, sizeof sql, "PRAGMA application_id = %d", DB_APPLICATION_ID);
	if (db_exec(db, sql, e, sizeof e) != 0 || db_exec(db, "COMMIT", e, sizeof e) != 0)
		goto fail_rb;
	return 0;
fail_rb:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
fail:
	snprintf(err, errlen, "cannot set up database '%s': %s", path, e);
	return -1;
}

/*
 * A WAL database that this user may read but not write, in a directory it
 * may not write, with no -wal file (no writer is running, the last one
 * checkpointed): SQLite cannot create the -shm file it needs and refuses to
 * read.  Then the file is read as immutable, which needs no -shm: right,
 * since there is no -wal to read, for as long as no writer starts.
 */
static sqlite3 *
open_immutable(const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	sqlite3 *db = NULL;
	char *uri, *u, wal[4096];
	const char *s;

	if (snprintf(wal, sizeof wal, "%s-wal", path) >= (int)sizeof wal ||
	    access(wal, F_OK) == 0 || access(path, R_OK) != 0)
		return NULL;
	if ((uri = malloc(strlen(path) * 3 + 32)) == NULL)
		return NULL;
	u = uri + sprintf(uri, "file:");
	for (s = path; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("/._-~", c) != NULL) {
			*u++ = (char)c;
		} else {
			*u++ = '%';
			*u++ = hex[c >> 4];
			*u++ = hex[c & 15];
		}
	}
	strcpy(u, "?immutable=1");
	if (sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		db = NULL;
	}
	free(uri);
	return db;
}

enum owner {
	OWNER_NONE,	/* no database yet: an empty file, or no table at all */
	OWNER_US,	/* a dmarc-tools database */
	OWNER_OTHER	/* someone else's: never touched */
};

/*
 * Whose database this is, from reads only (no pragma that writes has run
 * yet): ours when it has our application_id, or (a database of an older
 * release) application_id 0, a user_version and our tables.  *app_id and
 * *version get its application_id and user_version.  One statement, so one
 * snapshot: read in parts, a database that another dmarc-ingest creates
 * meanwhile would look like someone else's (tables, no version).  0, or -1
 * with the reason in err.
 */
static int
owner_of(sqlite3 *db, const char *path, enum owner *o, int *app_id,
    int *version, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int objects = 0, ours = 0, rc = -1;

	if (sqlite3_prepare_v2(db, "SELECT (SELECT application_id FROM "
	    "pragma_application_id), (SELECT user_version FROM "
	    "pragma_user_version), (SELECT count(*) FROM sqlite_master), "
	    "(SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name "
	    "IN ('report', 'record', 'ingest_failure'))", -1, &st, NULL) ==
	    SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
		*app_id = sqlite3_column_int(st, 0);
		*version = sqlite3_column_int(st, 1);
		objects = sqlite3_column_int(st, 2);
		ours = sqlite3_column_int(st, 3);
		rc = 0;
	}
	if (rc != 0) {
		snprintf(err, errlen, "cannot read database '%s': %s", path,
		    sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	if (*app_id == DB_APPLICATION_ID ||
	    (*app_id == 0 && *version > 0 && ours == 3))
		*o = OWNER_US;
	else if (*app_id == 0 && *version == 0 && objects == 0)
		*o = OWNER_NONE;
	else
		*o = OWNER_OTHER;
	if (*o == OWNER_OTHER && *app_id != 0)
		snprintf(err, errlen, "database '%s' is not a dmarc-tools database "
		    "(application_id 0x%08x): left untouched", path,
		    (unsigned)*app_id);
	else if (*o == OWNER_OTHER)
		snprintf(err, errlen, "database '%s' is not a dmarc-tools database "
		    "(it holds other tables): left untouched", path);
	return 0;
}

/*
 * Why dmarc-ingest cannot write the database at path, or NULL: the file or,
 * for a new file, -wal or -shm, its directory is read-only or not ours.
 */
static const char *
readonly_why(const char *path, char *buf, size_t len)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];

	if (access(path, W_OK) != 0 && (errno == EROFS || errno == EACCES ||
	    errno == EPERM))
		return strerror(errno);
	if (slash == NULL)
		snprintf(dir, sizeof dir, ".");
	else if (slash == path)
		snprintf(dir, sizeof dir, "/");
	else
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
	if (access(dir, W_OK) != 0 && (errno == EROFS || errno == EACCES ||
	    errno == EPERM)) {
		snprintf(buf, len, "its directory: %s", strerror(errno));
		return buf;
	}
	return NULL;
}

sqlite3 *
db_open(const char *path, enum db_mode mode, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	struct stat sb;
	enum owner who;
	char e[512];
	int flags, v, app_id;

	/* No memory statistics: they take a global mutex on every malloc. */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (mode == DB_READ_WRITE && stat(path, &sb) != 0 && errno == ENOENT) {
		snprintf(err, errlen, "no database at '%s'", path);
		return NULL;
	}
	flags = mode == DB_READ_ONLY ? SQLITE_OPEN_READONLY :
	    mode == DB_READ_WRITE ? SQLITE_OPEN_READWRITE :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	flags |= SQLITE_OPEN_NOMUTEX;	/* one connection per thread */
	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open database '%s': %s", path,
		    db ? sqlite3_errmsg(db) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, DB_BUSY_TIMEOUT_MS);
	/* SQLite opens a file it may not write read-only, without a word */
	if (mode != DB_READ_ONLY && sqlite3_db_readonly(db, "main") == 1) {
		snprintf(err, errlen, "database '%s' is read-only: %s", path,
		    access(path, W_OK) != 0 ? strerror(errno) : "opened read-only");
		goto fail;
	}
	if (db_exec(db, "PRAGMA foreign_keys = ON", e, sizeof e) != 0) {
		snprintf(err, errlen, "cannot open database '%s': %s", path, e);
		goto fail;
	}
	if (mode == DB_READ_ONLY) {
		if (user_version(db, &v) != 0) {
			int ec = sqlite3_errcode(db) & 0xff;
			sqlite3 *im;

			if ((ec != SQLITE_READONLY && ec != SQLITE_CANTOPEN) ||
			    (im = open_immutable(path)) == NULL) {
				snprintf(err, errlen, "cannot read database '%s': %s",
				    path, sqlite3_errmsg(db));
				goto fail;
			}
			sqlite3_close(db);
			db = im;
			sqlite3_extended_result_codes(db, 1);
			if (user_version(db, &v) != 0) {
				snprintf(err, errlen, "cannot read database '%s': %s",
				    path, sqlite3_errmsg(db));
				goto fail;
			}
		}
		/* the version of the same snapshot as the owner */
		if (owner_of(db, path, &who, &app_id, &v, err, errlen) != 0 ||
		    who == OWNER_OTHER)
			goto fail;
		if (who == OWNER_NONE) {
			snprintf(err, errlen, "database '%s' is empty", path);
			goto fail;
		}
		if (v != DB_SCHEMA_VERSION) {
			snprintf(err, errlen, "database '%s' has schema version %d, "
			    "this program reads %d", path, v, DB_SCHEMA_VERSION);
			goto fail;
		}
		return db;
	}
	/* Whose it is, before the first pragma that writes (WAL). */
	if (owner_of(db, path, &who, &app_id, &v, err, errlen) != 0 ||
	    who == OWNER_OTHER)
		goto fail;
	if (who == OWNER_NONE && mode == DB_READ_WRITE) {
		snprintf(err, errlen, "no database at '%s' (the file holds none)",
		    path);
		goto fail;
	}
	/*
	 * WAL lets dmarc-report read while a cron ingest writes.  Savepoint
	 * journals in memory: each report is a savepoint, and writing their
	 * journals to temporary files took a fifth of the ingest time.  An
	 * 8 MiB page cache keeps the indexes written at random places
	 * (source_day's, and then record(source_ip)'s) in memory longer: with
	 * 740,000 records it cut a fifth of the run.
	 */
	/*
	 * A new database gets 8 KiB pages (SQLite's default is 4 KiB): an
	 * ingest writes fewer, fuller pages to the WAL and splits fewer index
	 * pages; 2,000 reports took 1.04-1.11 s instead of 1.16-1.21 s.  16
	 * KiB was faster still (0.96-1.08 s) but slowed the scans of
	 * dmarc-report (bench/README.md).  Only before the first table, and
	 * before WAL.
	 */
	if (who == OWNER_NONE &&
	    setup_exec(db, "PRAGMA page_size = 8192", e, sizeof e) != 0) {
		snprintf(err, errlen, "cannot create database '%s': %s", path, e);
		goto fail;
	}
	if (setup_exec(db, "PRAGMA cache_size = -8192", e, sizeof e) != 0 ||
	    setup_exec(db, "PRAGMA journal_mode = WAL", e, sizeof e) != 0 ||
	    setup_exec(db, "PRAGMA synchronous = NORMAL", e, sizeof e) != 0) {
		snprintf(err, errlen, "cannot open database '%s': %s", path, e);
		goto fail;
	}
	/* a migration sorts whole tables: in temporary files, not memory */
	if (migrate(db, path, app_id, err, errlen) != 0)
		goto fail;
	if (db_exec(db, "PRAGMA temp_store = MEMORY", e, sizeof e) != 0) {
		snprintf(err, errlen, "cannot open database '%s': %s", path, e);
		goto fail;
	}
	return db;
fail:
	if (mode != DB_READ_ONLY && db != NULL &&
	    sqlite3_db_readonly(db, "main") != 1 &&
	    ((sqlite3_errcode(db) & 0xff) == SQLITE_READONLY ||
	    (sqlite3_errcode(db) & 0xff) == SQLITE_CANTOPEN ||
	    (sqlite3_errcode(db) & 0xff) == SQLITE_PERM)) {
		const char *why = readonly_why(path, e, sizeof e);

		if (why != NULL)
			snprintf(err, errlen, "database '%s' is read-only: %s",
			    path, why);
	}
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
