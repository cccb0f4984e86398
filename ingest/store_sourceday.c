/* SPDX-License-Identifier: MIT */
/*
 * store_sourceday.c: the per-day source totals (table source_day), kept by
 * the store as each report is stored: the report's records are added up by
 * source IP in memory (daytotals.c) and, at the end of the report, added to
 * the rows of its policy domain and UTC day with one upsert per source IP.
 * Before, an INSERT ... SELECT ... GROUP BY read each report's records back
 * (a third of the ingest, and for one huge report a temporary B-tree as
 * large as the report).
 *
 * Bounded memory: when a report has more source IPs than the accumulator
 * holds (SOURCEDAY_MAX_IPS), the sums so far are written under the key the
 * report had at its first record and the accumulator starts again.  Should
 * the report's domain or day be different at its end (policy_published or
 * date_range after the records), the rows written under the first key are
 * taken back by SQL over the stored records and the report is added again
 * under the final key, the way the totals were computed before; all inside
 * the report's savepoint.  The sums are those of the migration that
 * computes source_day (schema/migrations/002-domains.sql) and of
 * schema/derived.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daytotals.h"
#include "derived.h"
#include "fmt.h"
#include "store_priv.h"

/* Source IPs summed in memory at once: about 300 KiB (a 200 MB report
 * through an mbox peaked at 33 MiB with 8,192, over the 32 MiB target). */
#define SOURCEDAY_MAX_IPS 2048

/* the sums of one report's records, by source IP, in SQL (the correction) */
#define SD_SUMS_BY_IP \
	"SELECT source_ip AS ip, ip_family AS family, count(*) AS nrec, " \
	"sum(count) AS nmsg, " \
	"sum(CASE WHEN " SQL_DMARC_PASS("") " THEN count ELSE 0 END) AS pass, " \
	"sum(CASE WHEN spf_aligned = 'pass' THEN count ELSE 0 END) AS spf, " \
	"sum(CASE WHEN dkim_aligned = 'pass' THEN count ELSE 0 END) AS dkim, " \
	"sum(CASE WHEN disposition = 'none' THEN count ELSE 0 END) AS dn, " \
	"sum(CASE WHEN disposition = 'quarantine' THEN count ELSE 0 END) AS dq, " \
	"sum(CASE WHEN disposition = 'reject' THEN count ELSE 0 END) AS dr " \
	"FROM record WHERE report = ?3 GROUP BY source_ip, ip_family"

#define SD_ADD \
	"ON CONFLICT (domain, day, source_ip) DO UPDATE SET " \
	"records = records + excluded.records, " \
	"messages = messages + excluded.messages, " \
	"dmarc_pass = dmarc_pass + excluded.dmarc_pass, " \
	"spf_aligned_pass = spf_aligned_pass + excluded.spf_aligned_pass, " \
	"dkim_aligned_pass = dkim_aligned_pass + excluded.dkim_aligned_pass, " \
	"disp_none = disp_none + excluded.disp_none, " \
	"disp_quarantine = disp_quarantine + excluded.disp_quarantine, " \
	"disp_reject = disp_reject + excluded.disp_reject"

#define SD_COLS \
	"INSERT INTO source_day (domain, day, source_ip, ip_family, records, " \
	"messages, dmarc_pass, spf_aligned_pass, dkim_aligned_pass, disp_none, " \
	"disp_quarantine, disp_reject) "

enum { Q_ADD, Q_UNDO, Q_DROP, Q_READD, Q_COUNT };

static const char *const sql[Q_COUNT] = {
	/* one source IP's sums of the report */
	[Q_ADD] = SD_COLS "VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12) "
	    SD_ADD,
	/* the correction: the report's records taken out of (?1, ?2) ... */
	[Q_UNDO] = "UPDATE source_day SET records = records - g.nrec, "
	    "messages = messages - g.nmsg, "
	    "dmarc_pass = dmarc_pass - g.pass, "
	    "spf_aligned_pass = spf_aligned_pass - g.spf, "
	    "dkim_aligned_pass = dkim_aligned_pass - g.dkim, "
	    "disp_none = disp_none - g.dn, "
	    "disp_quarantine = disp_quarantine - g.dq, "
	    "disp_reject = disp_reject - g.dr "
	    "FROM (" SD_SUMS_BY_IP ") AS g "
	    "WHERE domain = ?1 AND day = ?2 AND source_ip = g.ip",
	/* ... the rows only this report had ... */
	[Q_DROP] = "DELETE FROM source_day WHERE domain = ?1 AND day = ?2 AND "
	    "records = 0 AND ?3 IS NOT NULL",
	/* ... and the report added under its final key */
	[Q_READD] = SD_COLS "SELECT ?1, ?2, ip, family, nrec, nmsg, pass, "
	    "spf, dkim, dn, dq, dr FROM (" SD_SUMS_BY_IP ") WHERE true " SD_ADD,
};

struct sourceday {
	struct daytotals *dt;
	sqlite3_stmt *q[Q_COUNT];
	/* the key at the report's first record, and whether sums were
	 * written under it before the end */
	char *first_domain;
	int64_t first_day;
	int spilled;
	/* the key being written, for the callback */
	struct store *st;
	const char *domain;
	int64_t day;
};

static void *
sd_open(struct store *st)
{
	struct sourceday *sd = calloc(1, sizeof *sd);

	if (sd == NULL || (sd->dt = daytotals_new(SOURCEDAY_MAX_IPS)) == NULL) {
		free(sd);
		snprintf(st->err, sizeof st->err, "out of memory");
		return NULL;
	}
	if (store_prepare_all(st, sql, Q_COUNT, sd->q, "source_day") != 0) {
		daytotals_free(sd->dt);
		free(sd);
		return NULL;
	}
	return sd;
}

static void
sd_close(void *state)
{
	struct sourceday *sd = state;

	if (sd == NULL)
		return;
	store_finalize_all(sd->q, Q_COUNT);
	daytotals_free(sd->dt);
	free(sd->first_domain);
	free(sd);
}

static void
sd_reset(void *state)
{
	struct sourceday *sd = state;

	daytotals_clear(sd->dt);
	free(sd->first_domain);
	sd->first_domain = NULL;
	sd->first_day = 0;
	sd->spilled = 0;
}

static int
overflow(struct store *st, const char *report_id)
{
	snprintf(st->err, sizeof st->err, "report '%s': the per-day totals of "
	    "a source IP would overflow 64 bits (hostile counts)",
	    report_id ? report_id : "");
	return -1;
}

/* daytotals_each: one source IP's sums added to its row. */
static int
write_one(void *ctx, const char *ip, int family,
    const struct daytotals_sums *s)
{
	struct sourceday *sd = ctx;
	sqlite3_stmt *q = sd->q[Q_ADD];
	int rc;

	sqlite3_bind_text(q, 1, sd->domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, sd->day);
	sqlite3_bind_text(q, 3, ip, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 4, family);
	sqlite3_bind_int64(q, 5, (sqlite3_int64)s->records);
	sqlite3_bind_int64(q, 6, (sqlite3_int64)s->messages);
	sqlite3_bind_int64(q, 7, (sqlite3_int64)s->dmarc_pass);
	sqlite3_bind_int64(q, 8, (sqlite3_int64)s->spf_aligned_pass);
	sqlite3_bind_int64(q, 9, (sqlite3_int64)s->dkim_aligned_pass);
	sqlite3_bind_int64(q, 10, (sqlite3_int64)s->disp_none);
	sqlite3_bind_int64(q, 11, (sqlite3_int64)s->disp_quarantine);
	sqlite3_bind_int64(q, 12, (sqlite3_int64)s->disp_reject);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc == SQLITE_CONSTRAINT_CHECK)
		return 2;
	if (rc != SQLITE_DONE)
		return store_fail_db(sd->st, "source_day");
	return 0;
}

/* Writes the sums held under (domain, day) and clears them.  0 or -1. */
static int
flush(struct store *st, struct sourceday *sd, const char *domain, int64_t day,
    const char *report_id)
{
	int rc;

	sd->st = st;
	sd->domain = domain;
	sd->day = day;
	rc = daytotals_each(sd->dt, write_one, sd);
	daytotals_clear(sd->dt);
	if (rc == 2)
		return overflow(st, report_id);
	return rc == 0 ? 0 : -1;
}

static int
sd_record(struct store *st, void *state, const struct dm_report *so_far,
    const struct dm_record *rec)
{
	struct sourceday *sd = state;
	int rc;

	if (so_far != NULL && sd->first_domain == NULL &&
	    daytotals_count(sd->dt) == 0 && !sd->spilled) {
		/* the key as it stands at the first record */
		if ((sd->first_domain = strdup(so_far->domain ?
		    so_far->domain : "")) == NULL)
			goto oom;
		sd->first_day = so_far->has_begin ?
		    utc_day(so_far->date_begin) : INT64_MIN;
	}
	if ((rc = daytotals_add(sd->dt, rec->source_ip, rec->ip_family,
	    rec)) == 1) {
		if (sd->first_domain == NULL &&
		    (sd->first_domain = strdup("")) == NULL)
			goto oom;
		sd->spilled = 1;
		if (flush(st, sd, sd->first_domain, sd->first_day,
		    so_far ? so_far->report_id : NULL) != 0)
			return -1;
		rc = daytotals_add(sd->dt, rec->source_ip, rec->ip_family, rec);
	}
	if (rc == 0)
		return 0;
oom:
	snprintf(st->err, sizeof st->err, "out of memory");
	return -1;
}

/* Runs one of the correction statements over (domain, day, report). */
static int
correct(struct store *st, sqlite3_stmt *q, const char *domain, int64_t day,
    int64_t report)
{
	int rc;

	sqlite3_bind_text(q, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, day);
	sqlite3_bind_int64(q, 3, report);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc == SQLITE_CONSTRAINT_CHECK)
		return 2;
	if (rc != SQLITE_DONE)
		return store_fail_db(st, "source_day");
	return 0;
}

static int
sd_end(struct store *st, void *state, const struct dm_report *r)
{
	struct sourceday *sd = state;
	const char *domain = r->domain ? r->domain : "";
	int64_t day = utc_day(r->date_begin);
	int rc;

	if (!sd->spilled || (strcmp(domain, sd->first_domain) == 0 &&
	    day == sd->first_day))
		return flush(st, sd, domain, day, r->report_id);
	/* the key changed after sums were written under the first one */
	if (flush(st, sd, sd->first_domain, sd->first_day, r->report_id) != 0)
		return -1;
	if ((rc = correct(st, sd->q[Q_UNDO], sd->first_domain, sd->first_day,
	    st->report_rowid)) == 0 &&
	    (rc = correct(st, sd->q[Q_DROP], sd->first_domain, sd->first_day,
	    st->report_rowid)) == 0)
		rc = correct(st, sd->q[Q_READD], domain, day, st->report_rowid);
	if (rc == 2)
		return overflow(st, r->report_id);
	return rc;
}

const struct store_summary store_summary_source_day = {
	"source_day", sd_open, sd_close, sd_reset, sd_record, sd_end
};
