/* SPDX-License-Identifier: MIT */
/*
 * cmd_summary.c: the summary command: one row per policy domain with the
 * volume, DMARC pass and fail, SPF and DKIM aligned passes, dispositions,
 * distinct source IPs and the latest published policy.  Reads the report
 * totals kept by dmarc-ingest and source_day, never the records.
 */
#include "report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dm_array.h"
#include "fmt.h"
#include "json_out.h"
#include "policy_query.h"
#include "table.h"

/* Rows (policy domains): a cap that stops runaway growth, past any real
 * database. */
#define SUMMARY_MAX_DOMAINS	(1 << 24)

struct domain_row {
	char *domain;
	int64_t reports, reporters, messages, pass, spf, dkim;
	int64_t none, quarantine, reject, ips, last_begin;
	struct policy pol;		/* of the latest report */
};

struct summary {
	struct domain_row *rows;
	size_t n, cap;
};

/* The text columns: a compact set that fits REPORT_WIDTH (the report
 * count and the dispositions are in CSV and JSON only). */
static const struct table_coldef text_cols[] = {
	{ "DOMAIN", TABLE_LEFT, 1 },
	{ "REPORTERS", TABLE_RIGHT, 0 },
	{ "MESSAGES", TABLE_RIGHT, 0 },
	{ "PASS", TABLE_RIGHT, 0 },
	{ "FAIL", TABLE_RIGHT, 0 },
	{ "SPF ALIGNED", TABLE_RIGHT, 0 },
	{ "DKIM ALIGNED", TABLE_RIGHT, 0 },
	{ "IPS", TABLE_RIGHT, 0 },
	{ "POLICY", TABLE_LEFT, 1 },
};

/* The CSV columns: every field, named as the JSON keys. */
static const char *const csv_cols[] = {
	"domain", "reports", "reporters", "messages", "dmarc_pass", "dmarc_fail",
	"pass_rate", "spf_aligned_pass", "dkim_aligned_pass", "disposition_none",
	"disposition_quarantine", "disposition_reject", "source_ips", "p", "sp",
	"np", "pct", "testing", "last_report",
};

/* After a statement stopped: 0 when it finished, else 2 with c->err. */
static void
summary_free(struct summary *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->rows[i].domain);
	}
	free(s->rows);
}

/* The per-domain totals from the report table, ordered by domain. */
static enum report_status
load_totals(struct report_ctx *c, struct summary *s)
{
	char filter[1024], sql[2048];
	sqlite3_stmt *st;
	int rc;
	enum report_status status;

	filter_sql(c, "r", filter, sizeof filter);
	snprintf(sql, sizeof sql,
	    "SELECT r.domain, count(*), count(DISTINCT ifnull(r.org_name, '')),"
	    " sum(r.message_count), sum(r.dmarc_pass), sum(r.spf_aligned_pass),"
	    " sum(r.dkim_aligned_pass), sum(r.disp_none),"
	    " sum(r.disp_quarantine), sum(r.disp_reject), max(r.date_begin)"
	    " FROM report r WHERE 1 = 1%s GROUP BY r.domain ORDER BY r.domain",
	    filter);
	if ((st = report_prepare(c, sql)) == NULL)
		return RPT_ERROR;
	filter_bind(c, st, 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct domain_row *d;

		if (dm_array_reserve(&s->rows, &s->cap, s->n + 1,
		    sizeof *s->rows, SUMMARY_MAX_DOMAINS) != 0) {
			snprintf(c->err, sizeof c->err, "out of memory");
			sqlite3_finalize(st);
			return RPT_ERROR;
		}
		d = &s->rows[s->n++];
		memset(d, 0, sizeof *d);
		d->domain = report_dup_col(st, 0);
		d->reports = sqlite3_column_int64(st, 1);
		d->reporters = sqlite3_column_int64(st, 2);
		d->messages = sqlite3_column_int64(st, 3);
		d->pass = sqlite3_column_int64(st, 4);
		d->spf = sqlite3_column_int64(st, 5);
		d->dkim = sqlite3_column_int64(st, 6);
		d->none = sqlite3_column_int64(st, 7);
		d->quarantine = sqlite3_column_int64(st, 8);
		d->reject = sqlite3_column_int64(st, 9);
		d->last_begin = sqlite3_column_int64(st, 10);
		if (d->domain == NULL) {
			snprintf(c->err, sizeof c->err, "out of memory");
			sqlite3_finalize(st);
			return RPT_ERROR;
		}
	}
	status = report_step_done(c, rc);
	sqlite3_finalize(st);
	return status;
}

/* Distinct source IPs per domain, from source_day. */
static enum report_status
load_ips(struct report_ctx *c, struct summary *s)
{
	char filter[1024], sql[2048];
	sqlite3_stmt *st;
	size_t i = 0;
	int rc;
	enum report_status status;

	filter_sql_days(c, "sd", filter, sizeof filter);
	snprintf(sql, sizeof sql,
	    "SELECT sd.domain, count(DISTINCT sd.source_ip) FROM source_day sd"
	    " WHERE 1 = 1%s GROUP BY sd.domain ORDER BY sd.domain", filter);
	if ((st = report_prepare(c, sql)) == NULL)
		return RPT_ERROR;
	filter_bind_days(c, st, 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *dom = (const char *)sqlite3_column_text(st, 0);

		/* both lists are ordered by domain (BINARY collation) */
		while (i < s->n && dom != NULL && strcmp(s->rows[i].domain, dom) < 0)
			i++;
		if (i < s->n && dom != NULL && strcmp(s->rows[i].domain, dom) == 0)
			s->rows[i].ips = sqlite3_column_int64(st, 1);
	}
	status = report_step_done(c, rc);
	sqlite3_finalize(st);
	return status;
}

/* The policy of each domain's report with the latest date_begin (the last
 * ingested one on a tie) inside the window. */
static enum report_status
load_policies(struct report_ctx *c, struct summary *s)
{
	char filter[1024], sql[2048];
	sqlite3_stmt *st;
	size_t i;
	int rc = SQLITE_DONE;
	enum report_status status;

	filter_sql(c, "r", filter, sizeof filter);
	snprintf(sql, sizeof sql,
	    "SELECT " POLICY_SQL_COLS("r.") " FROM report r"
	    " WHERE r.domain = ?1%s ORDER BY r.date_begin DESC, r.id DESC"
	    " LIMIT 1", filter);
	if ((st = report_prepare(c, sql)) == NULL)
		return RPT_ERROR;
	for (i = 0; i < s->n; i++) {
		struct domain_row *d = &s->rows[i];

		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, d->domain, -1, SQLITE_STATIC);
		filter_bind(c, st, 2);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			policy_read(&d->pol, st, 0);
			rc = SQLITE_DONE;
		} else if (rc != SQLITE_DONE)
			break;
	}
	status = report_step_done(c, rc);
	sqlite3_finalize(st);
	return status;
}

static void
print_text(struct report_ctx *c, const struct summary *s)
{
	struct table *t;
	char a[FMT_NUM], pol[256];
	size_t i;

	if ((t = table_new()) == NULL)
		return;
	table_cols(t, text_cols, sizeof text_cols / sizeof text_cols[0]);
	if (s->n == 0) {	/* no bare header: main says why */
		table_free(t);
		return;
	}
	for (i = 0; i < s->n; i++) {
		const struct domain_row *d = &s->rows[i];

		table_row(t);
		table_cell(t, d->domain);
		table_cell(t, fmt_int(d->reporters, a, sizeof a));
		table_cell(t, fmt_int(d->messages, a, sizeof a));
		table_cell(t, fmt_pct(d->pass, d->messages, a, sizeof a));
		table_cell(t, fmt_int(d->messages - d->pass, a, sizeof a));
		table_cell(t, fmt_pct(d->spf, d->messages, a, sizeof a));
		table_cell(t, fmt_pct(d->dkim, d->messages, a, sizeof a));
		table_cell(t, fmt_int(d->ips, a, sizeof a));
		table_cell(t, policy_brief(&d->pol, pol, sizeof pol));
	}
	table_print_text(t, c->out, REPORT_WIDTH);
	table_free(t);
}

static void
print_csv(struct report_ctx *c, const struct summary *s)
{
	struct table *t;
	char a[FMT_NUM];
	size_t i;

	if ((t = table_new()) == NULL)
		return;
	for (i = 0; i < sizeof csv_cols / sizeof csv_cols[0]; i++)
		table_col(t, csv_cols[i], TABLE_LEFT, 0);
	for (i = 0; i < s->n; i++) {
		const struct domain_row *d = &s->rows[i];

		table_row(t);
		table_cell(t, d->domain);
		table_cellf(t, "%" PRId64, d->reports);
		table_cellf(t, "%" PRId64, d->reporters);
		table_cellf(t, "%" PRId64, d->messages);
		table_cellf(t, "%" PRId64, d->pass);
		table_cellf(t, "%" PRId64, d->messages - d->pass);
		table_cell(t, d->messages > 0 ?
		    fmt_fraction(d->pass, d->messages, a, sizeof a) : "");
		table_cellf(t, "%" PRId64, d->spf);
		table_cellf(t, "%" PRId64, d->dkim);
		table_cellf(t, "%" PRId64, d->none);
		table_cellf(t, "%" PRId64, d->quarantine);
		table_cellf(t, "%" PRId64, d->reject);
		table_cellf(t, "%" PRId64, d->ips);
		table_cell(t, d->pol.p);
		table_cell(t, d->pol.sp);
		table_cell(t, d->pol.np);
		if (d->pol.has_pct)
			table_cellf(t, "%" PRId64, d->pol.pct);
		else
			table_cell(t, "");
		table_cell(t, d->pol.testing);
		table_cell(t, fmt_day(d->last_begin, a, sizeof a));
	}
	table_print_csv(t, c->out);
	table_free(t);
}

static void
print_json(struct report_ctx *c, const struct summary *s)
{
	FILE *f = c->out;
	char a[FMT_NUM];
	size_t i;

	if (s->n == 0) {
		fputs("[]\n", f);
		return;
	}
	fputs("[\n", f);
	for (i = 0; i < s->n; i++) {
		const struct domain_row *d = &s->rows[i];

		fputs("  {\"domain\": ", f);
		json_string(f, d->domain);
		fprintf(f, ", \"reports\": %" PRId64 ", \"reporters\": %" PRId64
		    ", \"messages\": %" PRId64 ", \"dmarc_pass\": %" PRId64
		    ", \"dmarc_fail\": %" PRId64 ", \"pass_rate\": %s",
		    d->reports, d->reporters, d->messages, d->pass,
		    d->messages - d->pass,
		    fmt_fraction(d->pass, d->messages, a, sizeof a));
		fprintf(f, ", \"spf_aligned_pass\": %" PRId64
		    ", \"dkim_aligned_pass\": %" PRId64
		    ", \"disposition\": {\"none\": %" PRId64 ", \"quarantine\": %"
		    PRId64 ", \"reject\": %" PRId64 "}, \"source_ips\": %" PRId64,
		    d->spf, d->dkim, d->none, d->quarantine, d->reject, d->ips);
		fputs(", \"policy\": {\"p\": ", f);
		json_string(f, d->pol.p[0] ? d->pol.p : NULL);
		fputs(", \"sp\": ", f);
		json_string(f, d->pol.sp[0] ? d->pol.sp : NULL);
		fputs(", \"np\": ", f);
		json_string(f, d->pol.np[0] ? d->pol.np : NULL);
		if (d->pol.has_pct)
			fprintf(f, ", \"pct\": %" PRId64, d->pol.pct);
		else
			fputs(", \"pct\": null", f);
		fputs(", \"testing\": ", f);
		json_string(f, d->pol.testing[0] ? d->pol.testing : NULL);
		fprintf(f, "}, \"last_report\": \"%s\"}%s\n",
		    fmt_day(d->last_begin, a, sizeof a), i + 1 < s->n ? "," : "");
	}
	fputs("]\n", f);
}

enum report_status
cmd_summary(struct report_ctx *c)
{
	struct summary s;
	enum report_status rc, missing;

	if ((missing = report_missing(c)) == RPT_ERROR)
		return missing;
	memset(&s, 0, sizeof s);
	if ((rc = load_totals(c, &s)) != 0 || (rc = load_ips(c, &s)) != 0 ||
	    (rc = load_policies(c, &s)) != 0)
		goto out;
	switch (c->format) {
	case OUT_TEXT: print_text(c, &s); break;
	case OUT_CSV: print_csv(c, &s); break;
	case OUT_JSON: print_json(c, &s); break;
	}
out:
	summary_free(&s);
	return rc != RPT_OK ? rc : missing;
}
