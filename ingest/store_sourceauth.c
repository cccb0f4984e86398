/* SPDX-License-Identifier: MIT */
/*
 * store_sourceauth.c: the per-source authentication outcomes (table
 * source_auth, schema.sql), kept by the store as each report is stored:
 * the report's records are grouped by source IP and outcome in memory
 * (authtotals.c) and, at the end of the report, each group's records and
 * messages are added to the row of the same policy domain, UTC day, source
 * IP and outcome, and its messages to that row's reporter (org_name, ""
 * when the report has none).  Before, an INSERT ... SELECT read each
 * report's records back with three JSON subqueries per record (most of the
 * ingest's CPU).  The rows are those migration 003-source-auth.sql
 * computes from the records, byte for byte (tests/e2e/test_source_auth.sh).
 *
 * Bounded memory: when a report has more groups than the accumulator holds
 * (SOURCEAUTH_MAX_GROUPS, SOURCEAUTH_MAX_BYTES of keys), the groups so far
 * are added to a temporary table of this connection (source_auth_spill,
 * one report's groups without domain and day) and the accumulator starts
 * again; at the end of the report what is left joins them there and the
 * whole is added to source_auth under the report's final domain and day
 * (which may come after the records).  All of it inside the report's
 * savepoint, so it is stored with the report or not at all.
 */
#include <stdio.h>
#include <stdlib.h>

#include "authtotals.h"
#include "fmt.h"
#include "store_priv.h"

/* Groups held in memory at once: their keys up to about 512 KiB. */
#define SOURCEAUTH_MAX_GROUPS 4096
#define SOURCEAUTH_MAX_BYTES ((size_t)512 << 10)

#define SA_KEY "source_ip, header_from, disposition, dkim_aligned, " \
	"spf_aligned, overridden, reasons, spf, dkim"

/* a row's reporters merged with the new row's: messages added by name,
 * the names sorted (as json_group_object over an ordered query writes) */
#define SA_MERGE \
	"ON CONFLICT (domain, day, " SA_KEY ") DO UPDATE SET " \
	"records = records + excluded.records, " \
	"messages = messages + excluded.messages, " \
	"reporters = (SELECT json_group_object(k, m) FROM (" \
	" SELECT key AS k, sum(value) AS m FROM (" \
	"  SELECT key, value FROM json_each(source_auth.reporters) UNION ALL" \
	"  SELECT key, value FROM json_each(excluded.reporters))" \
	" GROUP BY key ORDER BY key))"

#define SA_COLS "INSERT INTO source_auth (domain, day, ip_family, " SA_KEY \
	", records, messages, reporters) "

enum { Q_ADD, Q_SPILL, Q_MOVE, Q_CLEAR, Q_COUNT };

static const char *const sql[Q_COUNT] = {
	/* one group of the report, with its reporter */
	[Q_ADD] = SA_COLS "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
	    "?11, ?12, ?13, ?14, json_object(?15, ?14)) " SA_MERGE,
	/* a group put aside while a large report streams ... */
	[Q_SPILL] = "INSERT INTO temp.source_auth_spill (ip_family, " SA_KEY
	    ", records, messages) VALUES (?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
	    "?11, ?12, ?13, ?14) ON CONFLICT (" SA_KEY ") DO UPDATE SET "
	    "records = records + excluded.records, "
	    "messages = messages + excluded.messages",
	/* ... all of them added at its end ... */
	[Q_MOVE] = SA_COLS "SELECT ?1, ?2, ip_family, " SA_KEY ", records, "
	    "messages, json_object(?15, messages) FROM temp.source_auth_spill "
	    "WHERE true " SA_MERGE,
	/* ... and forgotten */
	[Q_CLEAR] = "DELETE FROM temp.source_auth_spill",
};

static const char spill_table[] =
    "CREATE TEMP TABLE IF NOT EXISTS source_auth_spill ("
    "ip_family INTEGER NOT NULL, source_ip TEXT NOT NULL, "
    "header_from TEXT NOT NULL, disposition TEXT NOT NULL, "
    "dkim_aligned TEXT NOT NULL, spf_aligned TEXT NOT NULL, "
    "overridden INTEGER NOT NULL, reasons TEXT NOT NULL, "
    "spf TEXT NOT NULL, dkim TEXT NOT NULL, records INTEGER NOT NULL, "
    "messages INTEGER NOT NULL, PRIMARY KEY (" SA_KEY ")) WITHOUT ROWID";

struct sourceauth {
	struct authtotals *at;
	sqlite3_stmt *q[Q_COUNT];
	int spilled;		/* groups of this report are in the table */
	/* for the callback */
	struct store *st;
	sqlite3_stmt *cur;
	const struct dm_report *r;
};

static void
sa_close(void *state)
{
	struct sourceauth *sa = state;
	int i;

	if (sa == NULL)
		return;
	for (i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(sa->q[i]);
	authtotals_free(sa->at);
	free(sa);
}

static void *
sa_open(struct store *st)
{
	struct sourceauth *sa = calloc(1, sizeof *sa);
	int i;

	if (sa == NULL || (sa->at = authtotals_new(SOURCEAUTH_MAX_GROUPS,
	    SOURCEAUTH_MAX_BYTES)) == NULL) {
		free(sa);
		snprintf(st->err, sizeof st->err, "out of memory");
		return NULL;
	}
	if (sqlite3_exec(st->db, spill_table, NULL, NULL, NULL) != SQLITE_OK) {
		store_fail_db(st, "create source_auth_spill");
		sa_close(sa);
		return NULL;
	}
	for (i = 0; i < Q_COUNT; i++) {
		if (sqlite3_prepare_v3(st->db, sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &sa->q[i], NULL) != SQLITE_OK) {
			store_fail_db(st, "prepare source_auth");
			sa_close(sa);
			return NULL;
		}
	}
	return sa;
}

static void
sa_reset(void *state)
{
	struct sourceauth *sa = state;

	authtotals_clear(sa->at);
	if (sa->spilled) {
		/* normally rolled back with the report's savepoint already */
		(void)sqlite3_step(sa->q[Q_CLEAR]);
		sqlite3_reset(sa->q[Q_CLEAR]);
	}
	sa->spilled = 0;
}

/* The report's domain, day and reporter into ?1, ?2 and ?15 of q. */
static void
bind_report_key(sqlite3_stmt *q, const struct dm_report *r)
{
	sqlite3_bind_text(q, 1, r->domain != NULL ? r->domain : "", -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, utc_day(r->date_begin));
	sqlite3_bind_text(q, 15, r->org_name != NULL ? r->org_name : "", -1,
	    SQLITE_STATIC);
}

/* authtotals_each: one group into sa->cur (Q_ADD or Q_SPILL). */
static int
write_group(void *ctx, const struct authtotals_group *g)
{
	struct sourceauth *sa = ctx;
	sqlite3_stmt *q = sa->cur;
	int rc;

	if (q == sa->q[Q_ADD])
		bind_report_key(q, sa->r);
	sqlite3_bind_int(q, 3, g->ip_family);
	sqlite3_bind_text(q, 4, g->source_ip, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, g->header_from, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, g->disposition, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 7, g->dkim_aligned, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 8, g->spf_aligned, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 9, g->overridden);
	sqlite3_bind_text(q, 10, g->reasons, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 11, g->spf, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 12, g->dkim, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 13, (sqlite3_int64)g->records);
	/* a report's message total fits int64 (store.c checks), so does a
	 * group's */
	sqlite3_bind_int64(q, 14, (sqlite3_int64)g->messages);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return store_fail_db(sa->st, "source_auth");
	return 0;
}

/* Writes the groups held with q (Q_ADD: to source_auth under r's key;
 * Q_SPILL: aside) and clears them.  0 or -1. */
static int
flush(struct store *st, struct sourceauth *sa, sqlite3_stmt *q,
    const struct dm_report *r)
{
	int rc;

	sa->st = st;
	sa->cur = q;
	sa->r = r;
	rc = authtotals_each(sa->at, write_group, sa);
	authtotals_clear(sa->at);
	return rc == 0 ? 0 : -1;
}

static int
sa_record(struct store *st, void *state, const struct dm_report *so_far,
    const struct dm_record *rec)
{
	struct sourceauth *sa = state;
	int rc;

	(void)so_far;
	if ((rc = authtotals_add(sa->at, rec)) == 1) {
		sa->spilled = 1;
		if (flush(st, sa, sa->q[Q_SPILL], NULL) != 0)
			return -1;
		rc = authtotals_add(sa->at, rec);
	}
	if (rc == 0)
		return 0;
	snprintf(st->err, sizeof st->err, "out of memory");
	return -1;
}

static int
sa_end(struct store *st, void *state, const struct dm_report *r)
{
	struct sourceauth *sa = state;
	sqlite3_stmt *q;
	int rc;

	if (!sa->spilled)
		return flush(st, sa, sa->q[Q_ADD], r);
	if (flush(st, sa, sa->q[Q_SPILL], NULL) != 0)
		return -1;
	q = sa->q[Q_MOVE];
	bind_report_key(q, r);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return store_fail_db(st, "source_auth");
	q = sa->q[Q_CLEAR];
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return store_fail_db(st, "source_auth_spill");
	sa->spilled = 0;
	return 0;
}

const struct store_summary store_summary_source_auth = {
	"source_auth", sa_open, sa_close, sa_reset, sa_record, sa_end
};
