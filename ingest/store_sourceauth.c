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
 * are added to source_auth under the report's policy domain, day and
 * reporter as they stand (in real reports, report_metadata and
 * policy_published come before the records) and the accumulator starts
 * again.  Should that key not be known yet (the accumulator is then left
 * alone until the end) or be different at the end, the report's stored
 * records are read back and grouped again in memory under the final key;
 * rows written under the wrong key are rebuilt the same way from every
 * report of that domain and day.  All of it inside the report's savepoint,
 * so it is stored with the report or not at all.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authtotals.h"
#include "dm_array.h"
#include "derived.h"
#include "fmt.h"
#include "store_priv.h"

/* Groups held in memory at once: their keys up to about 512 KiB. */
#define SOURCEAUTH_MAX_GROUPS 4096
#define SOURCEAUTH_MAX_BYTES ((size_t)512 << 10)

#define SA_KEY "source_ip, header_from, disposition, dkim_aligned, " \
	"spf_aligned, overridden, reasons, spf, dkim"

enum { Q_ADD, Q_DROP, Q_SLICE, Q_RECS, Q_REASONS, Q_SPF, Q_DKIM, Q_COUNT };

static const char *const sql[Q_COUNT] = {
	/* one group of a report, with its reporter's messages; added to the
	 * row of the same key: messages added by reporter name, the names
	 * sorted (as json_group_object over an ordered query writes them) */
	[Q_ADD] = "INSERT INTO source_auth (domain, day, ip_family, " SA_KEY
	    ", records, messages, reporters) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
	    "?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, json_object(?15, ?14)) "
	    "ON CONFLICT (domain, day, " SA_KEY ") DO UPDATE SET "
	    "records = records + excluded.records, "
	    "messages = messages + excluded.messages, "
	    "reporters = (SELECT json_group_object(k, m) FROM ("
	    " SELECT key AS k, sum(value) AS m FROM ("
	    "  SELECT key, value FROM json_each(source_auth.reporters) UNION ALL"
	    "  SELECT key, value FROM json_each(excluded.reporters))"
	    " GROUP BY key ORDER BY key))",
	/* the rebuild of a domain and day: its rows go ... */
	[Q_DROP] = "DELETE FROM source_auth WHERE domain = ?1 AND day = ?2",
	/* ... and its reports' records are grouped again */
	[Q_SLICE] = "SELECT id, ifnull(org_name, '') FROM report WHERE "
	    "domain = ?1 AND " SQL_UTC_DAY(date_begin) " = ?2 AND id <> ?3",
	/* a stored report's records, as the parser handed them over */
	[Q_RECS] = "SELECT id, source_ip, ip_family, count, disposition, "
	    "dkim_aligned, spf_aligned, header_from FROM record "
	    "WHERE report = ?1 ORDER BY id",
	[Q_REASONS] = "SELECT type, comment FROM record_reason "
	    "WHERE record = ?1 ORDER BY position",
	[Q_SPF] = "SELECT domain, scope, result FROM record_spf "
	    "WHERE record = ?1 ORDER BY position",
	[Q_DKIM] = "SELECT domain, selector, result FROM record_dkim "
	    "WHERE record = ?1 ORDER BY position",
};

/* Where groups go: a policy domain, UTC day and reporter (text borrowed
 * from the report, or owned: key_set/key_free). */
struct sa_key {
	const char *domain, *org;
	int64_t day;
};

struct sourceauth {
	struct authtotals *at;
	sqlite3_stmt *q[Q_COUNT];
	int spilled;		/* groups were written under `first` */
	int deferred;		/* full before the key was known */
	struct sa_key first;
	/* for the callback */
	struct store *st;
	const struct sa_key *to;
	/* a stored record read back (reread()), and its strings */
	struct dm_record rec;
	char **strs;
	size_t nstrs, capstrs;
	size_t capreasons, capspf, capdkim;
};

static void
key_free(struct sa_key *k)
{
	free((void *)(uintptr_t)k->domain);
	free((void *)(uintptr_t)k->org);
	k->domain = k->org = NULL;
	k->day = 0;
}

/* The report's key as it stands, borrowing its text (NULL as ""). */
static struct sa_key
key_of(const struct dm_report *r)
{
	struct sa_key k = { r->domain != NULL ? r->domain : "",
		r->org_name != NULL ? r->org_name : "", utc_day(r->date_begin) };

	return k;
}

/* The report's key as it stands, a copy kept past the record. */
static int
key_set(struct sa_key *k, const struct dm_report *r)
{
	struct sa_key b = key_of(r);

	key_free(k);
	k->domain = strdup(b.domain);
	k->org = strdup(b.org);
	k->day = b.day;
	return k->domain != NULL && k->org != NULL ? 0 : -1;
}

static int
key_same(const struct sa_key *k, const struct dm_report *r)
{
	struct sa_key b = key_of(r);

	return k->day == b.day && strcmp(k->domain, b.domain) == 0 &&
	    strcmp(k->org, b.org) == 0;
}

/* The read-back record's strings freed. */
static void
rec_strings_free(struct sourceauth *sa)
{
	while (sa->nstrs > 0)
		free(sa->strs[--sa->nstrs]);
}

static void
sa_close(void *state)
{
	struct sourceauth *sa = state;

	if (sa == NULL)
		return;
	store_finalize_all(sa->q, Q_COUNT);
	authtotals_free(sa->at);
	key_free(&sa->first);
	rec_strings_free(sa);
	free(sa->strs);
	free(sa->rec.reasons);
	free(sa->rec.spf);
	free(sa->rec.dkim);
	free(sa);
}

static void *
sa_open(struct store *st)
{
	struct sourceauth *sa = calloc(1, sizeof *sa);

	if (sa == NULL || (sa->at = authtotals_new(SOURCEAUTH_MAX_GROUPS,
	    SOURCEAUTH_MAX_BYTES)) == NULL) {
		free(sa);
		snprintf(st->err, sizeof st->err, "out of memory");
		return NULL;
	}
	if (store_prepare_all(st, sql, Q_COUNT, sa->q, "source_auth") != 0) {
		sa_close(sa);
		return NULL;
	}
	return sa;
}

static void
sa_reset(void *state)
{
	struct sourceauth *sa = state;

	authtotals_clear(sa->at);
	key_free(&sa->first);
	sa->spilled = sa->deferred = 0;
}

static int
oom(struct store *st)
{
	snprintf(st->err, sizeof st->err, "out of memory");
	return -1;
}

/* authtotals_each: one group added to its row under sa->to. */
static int
write_group(void *ctx, const struct authtotals_group *g)
{
	struct sourceauth *sa = ctx;
	sqlite3_stmt *q = sa->q[Q_ADD];
	int rc;

	sqlite3_bind_text(q, 1, sa->to->domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, sa->to->day);
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
	/* a report's message total fits int64 (store.c checks it), so does
	 * a group's */
	sqlite3_bind_int64(q, 14, (sqlite3_int64)g->messages);
	sqlite3_bind_text(q, 15, sa->to->org, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return store_fail_db(sa->st, "source_auth");
	return 0;
}

/* Writes the groups held under `to` and clears them.  0 or -1. */
static int
flush(struct store *st, struct sourceauth *sa, const struct sa_key *to)
{
	int rc;

	sa->st = st;
	sa->to = to;
	rc = authtotals_each(sa->at, write_group, sa);
	authtotals_clear(sa->at);
	return rc == 0 ? 0 : -1;
}

/* Adds rec to the groups; when they are full, writes them under `to`
 * first.  0 or -1. */
static int
add(struct store *st, struct sourceauth *sa, const struct dm_record *rec,
    const struct sa_key *to)
{
	int rc = authtotals_add(sa->at, rec);

	if (rc == 1) {
		if (flush(st, sa, to) != 0)
			return -1;
		rc = authtotals_add(sa->at, rec);
	}
	return rc == 0 ? 0 : oom(st);
}

static int
sa_record(struct store *st, void *state, const struct dm_report *so_far,
    const struct dm_record *rec)
{
	struct sourceauth *sa = state;
	int rc;

	if (sa->deferred)
		return 0;
	if (sa->spilled)
		return add(st, sa, rec, &sa->first);
	if ((rc = authtotals_add(sa->at, rec)) == 0)
		return 0;
	if (rc < 0)
		return oom(st);
	/* full for the first time: write under the key as it stands */
	if (so_far == NULL || so_far->domain == NULL || !so_far->has_begin) {
		/* not known yet: read the records back at the end */
		sa->deferred = 1;
		authtotals_clear(sa->at);
		return 0;
	}
	if (key_set(&sa->first, so_far) != 0)
		return oom(st);
	sa->spilled = 1;
	return add(st, sa, rec, &sa->first);
}

/* A record's lists read back: at most this many members each (the
 * parser's repeats limit is far lower), and strings at most 8 per member. */
#define REREAD_MAX_LIST ((size_t)1 << 20)

/* A copy of column i of q for the read-back record (NULL stays NULL).
 * 0 or -1. */
static int
keep(struct sourceauth *sa, sqlite3_stmt *q, int i, char **out)
{
	const unsigned char *t = sqlite3_column_text(q, i);

	*out = NULL;
	if (t == NULL)
		return 0;
	if (dm_array_reserve(&sa->strs, &sa->capstrs, sa->nstrs + 1,
	    sizeof *sa->strs, 8 * REREAD_MAX_LIST) != 0 ||
	    (*out = strdup((const char *)t)) == NULL)
		return -1;
	sa->strs[sa->nstrs++] = *out;
	return 0;
}

/*
 * One list of record `id` read back with q (its rows in order, up to
 * three text columns) into the array at arrp (members of `size` bytes,
 * count *n, capacity *cap): column k into the char * at offset off[k] of
 * a member (-1: unused).  0 or -1 (st->err set).
 */
static int
load_list(struct store *st, struct sourceauth *sa, sqlite3_stmt *q,
    sqlite3_int64 id, void *arrp, size_t *n, size_t *cap, size_t size,
    const int off[3], const char *what)
{
	int rc, k, bad = 0;

	*n = 0;
	sqlite3_bind_int64(q, 1, id);
	while (!bad && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		unsigned char *m;

		if ((bad = dm_array_reserve(arrp, cap, *n + 1, size,
		    REREAD_MAX_LIST)) != 0)
			break;
		memcpy(&m, arrp, sizeof m);
		m += *n * size;
		memset(m, 0, size);
		for (k = 0; k < 3 && !bad; k++)
			if (off[k] >= 0)
				bad = keep(sa, q, k, (char **)(void *)(m +
				    off[k]));
		*n += !bad;
	}
	sqlite3_reset(q);
	if (bad)
		return oom(st);
	if (rc != SQLITE_DONE) {
		char why[64];

		snprintf(why, sizeof why, "source_auth: read %s", what);
		return store_fail_db(st, why);
	}
	return 0;
}

/* The children of record `id` (reasons, SPF and DKIM results, in order)
 * into sa->rec.  0 or -1 (st->err set). */
static int
load_children(struct store *st, struct sourceauth *sa, sqlite3_int64 id)
{
	static const int reason_off[3] = { offsetof(struct dm_reason, type),
		offsetof(struct dm_reason, comment), -1 };
	static const int spf_off[3] = { offsetof(struct dm_spf, domain),
		offsetof(struct dm_spf, scope), offsetof(struct dm_spf, result) };
	static const int dkim_off[3] = { offsetof(struct dm_dkim, domain),
		offsetof(struct dm_dkim, selector),
		offsetof(struct dm_dkim, result) };
	struct dm_record *r = &sa->rec;

	return load_list(st, sa, sa->q[Q_REASONS], id, &r->reasons,
	    &r->n_reasons, &sa->capreasons, sizeof *r->reasons, reason_off,
	    "reasons") != 0 ||
	    load_list(st, sa, sa->q[Q_SPF], id, &r->spf, &r->n_spf,
	    &sa->capspf, sizeof *r->spf, spf_off, "SPF results") != 0 ||
	    load_list(st, sa, sa->q[Q_DKIM], id, &r->dkim, &r->n_dkim,
	    &sa->capdkim, sizeof *r->dkim, dkim_off, "DKIM results") != 0 ?
	    -1 : 0;
}

/* The stored records of report row `report` grouped again and added
 * under `to`.  0 or -1. */
static int
reread(struct store *st, struct sourceauth *sa, sqlite3_int64 report,
    const struct sa_key *to)
{
	sqlite3_stmt *q = sa->q[Q_RECS];
	struct dm_record *r = &sa->rec;
	int rc, fail = 0;

	authtotals_clear(sa->at);
	sqlite3_bind_int64(q, 1, report);
	while (!fail && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		const unsigned char *ip = sqlite3_column_text(q, 1);

		snprintf(r->source_ip, sizeof r->source_ip, "%s",
		    ip != NULL ? (const char *)ip : "");
		r->ip_family = sqlite3_column_int(q, 2);
		r->count = sqlite3_column_int64(q, 3);
		fail = keep(sa, q, 4, &r->disposition) != 0 ||
		    keep(sa, q, 5, &r->dkim_aligned) != 0 ||
		    keep(sa, q, 6, &r->spf_aligned) != 0 ||
		    keep(sa, q, 7, &r->header_from) != 0 ? oom(st) :
		    load_children(st, sa, sqlite3_column_int64(q, 0));
		if (!fail)
			fail = add(st, sa, r, to);
		rec_strings_free(sa);
	}
	sqlite3_reset(q);
	if (fail)
		return -1;
	if (rc != SQLITE_DONE)
		return store_fail_db(st, "source_auth: read records");
	return flush(st, sa, to);
}

/* The rows of (first's domain, day) rebuilt from that day's other
 * reports, with the groups this report wrote there taken out.  0 or -1. */
static int
rebuild(struct store *st, struct sourceauth *sa)
{
	sqlite3_stmt *q = sa->q[Q_DROP];
	struct sa_key k = { NULL, NULL, sa->first.day };
	int rc, fail = 0;

	sqlite3_bind_text(q, 1, sa->first.domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, sa->first.day);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return store_fail_db(st, "source_auth");
	q = sa->q[Q_SLICE];
	sqlite3_bind_text(q, 1, sa->first.domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, sa->first.day);
	sqlite3_bind_int64(q, 3, st->report_rowid);
	k.domain = sa->first.domain;
	while (!fail && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		char *org = strdup((const char *)sqlite3_column_text(q, 1));

		k.org = org;
		fail = org == NULL ? oom(st) :
		    reread(st, sa, sqlite3_column_int64(q, 0), &k);
		free(org);
	}
	sqlite3_reset(q);
	if (fail)
		return -1;
	return rc == SQLITE_DONE ? 0 : store_fail_db(st, "source_auth");
}

static int
sa_end(struct store *st, void *state, const struct dm_report *r)
{
	struct sourceauth *sa = state;
	struct sa_key final = key_of(r);

	if (sa->spilled && key_same(&sa->first, r))
		return flush(st, sa, &sa->first);
	if (!sa->spilled && !sa->deferred)
		return flush(st, sa, &final);
	if (sa->spilled && rebuild(st, sa) != 0)
		return -1;
	return reread(st, sa, st->report_rowid, &final);
}

const struct store_summary store_summary_source_auth = {
	"source_auth", sa_open, sa_close, sa_reset, sa_record, sa_end
};
