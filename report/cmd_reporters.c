/* SPDX-License-Identifier: MIT */
/*
 * cmd_reporters.c: the reporters command: per reporting organisation
 * (org_name; a report without one counts under "(unnamed)"), its reports,
 * messages, the distinct UTC days its reports' date ranges cover, its
 * first and last report (days of date_begin) and the policy domains it
 * reported on; most messages first.  Reads the report table only.
 *
 * A range [begin, end) covers a day when it covers a positive part of it:
 * 00:00:00 to 23:59:59 is one day, and so is D 00:00 to D+1 00:00.  A
 * range with end <= begin (a broken report) counts the day of its begin.
 */
#include "report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dm_array.h"
#include "fmt.h"
#include "json_out.h"
#include "table.h"

/* Caps that stop runaway growth, past any real database: 16M reporting
 * organisations, 1M policy domains reported on by one of them. */
#define REPORTERS_MAX_ORGS	(1 << 24)
#define REPORTERS_MAX_DOMAINS	(1 << 20)

struct org_row {
	char *name;		/* NULL: unnamed */
	int64_t reports, messages, first_begin, last_begin;
	int64_t days;		/* distinct days covered */
	int64_t cover_end;	/* last day counted so far, while scanning */
	char **domains;
	size_t ndomains, capdomains;
};

struct orgs {
	struct org_row *rows;
	size_t n, cap;
};

static const struct table_coldef text_cols[] = {
	{ "REPORTER", TABLE_LEFT, 1 },
	{ "REPORTS", TABLE_RIGHT, 0 },
	{ "MESSAGES", TABLE_RIGHT, 0 },
	{ "DAYS COVERED", TABLE_RIGHT, 0 },
	{ "FIRST REPORT", TABLE_LEFT, 0 },
	{ "LAST REPORT", TABLE_LEFT, 0 },
	{ "DOMAINS", TABLE_LEFT, 1 },
};

static const char *const csv_cols[] = {
	"reporter", "reports", "messages", "days_covered", "first_report",
	"last_report", "domains",
};


static void
orgs_free(struct orgs *o)
{
	size_t i, j;

	for (i = 0; i < o->n; i++) {
		free(o->rows[i].name);
		for (j = 0; j < o->rows[i].ndomains; j++)
			free(o->rows[i].domains[j]);
		free(o->rows[i].domains);
	}
	free(o->rows);
}

/* The row of org_name `name` (NULL: unnamed); rows come grouped, so the
 * last one found is tried first. */
static struct org_row *
find_org(struct orgs *o, const char *name, size_t *hint)
{
	size_t i;

	for (i = 0; i < o->n; i++) {
		size_t k = (*hint + i) % o->n;
		const char *n = o->rows[k].name;

		if ((n == NULL && name == NULL) ||
		    (n != NULL && name != NULL && strcmp(n, name) == 0)) {
			*hint = k;
			return &o->rows[k];
		}
	}
	return NULL;
}

/* Reports, messages, first and last report per org_name. */
static enum report_status
load_totals(struct report_ctx *c, struct orgs *o)
{
	char filter[1024], sql[2048];
	sqlite3_stmt *st;
	int rc;
	enum report_status status;

	filter_sql(c, "r", filter, sizeof filter);
	snprintf(sql, sizeof sql,
	    "SELECT r.org_name, count(*), sum(r.message_count),"
	    " min(r.date_begin), max(r.date_begin)"
	    " FROM report r WHERE 1 = 1%s GROUP BY r.org_name"
	    " ORDER BY 3 DESC, r.org_name", filter);
	if ((st = report_prepare(c, sql)) == NULL)
		return RPT_ERROR;
	filter_bind(c, st, 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *name = sqlite3_column_text(st, 0);
		struct org_row *r;

		if (dm_array_reserve(&o->rows, &o->cap, o->n + 1,
		    sizeof *o->rows, REPORTERS_MAX_ORGS) != 0) {
			sqlite3_finalize(st);
			return report_oom(c);
		}
		r = &o->rows[o->n++];
		memset(r, 0, sizeof *r);
		if (name != NULL && (r->name = strdup((const char *)name)) == NULL) {
			sqlite3_finalize(st);
			return report_oom(c);
		}
		r->reports = sqlite3_column_int64(st, 1);
		r->messages = sqlite3_column_int64(st, 2);
		r->first_begin = sqlite3_column_int64(st, 3);
		r->last_begin = sqlite3_column_int64(st, 4);
		r->cover_end = INT64_MIN;
	}
	status = report_step_done(c, rc);
	sqlite3_finalize(st);
	return status;
}

/*
 * Days covered: each report's range as whole days [first, last], in the
 * order of their first day per reporter; a day already counted (an
 * overlapping or repeated range) is not counted again.
 */
static enum report_status
load_days(struct report_ctx *c, struct orgs *o)
{
	char filter[1024], sql[2048];
	sqlite3_stmt *st;
	size_t hint = 0;
	int rc;
	enum report_status status;

	filter_sql(c, "r", filter, sizeof filter);
	snprintf(sql, sizeof sql,
	    "SELECT r.org_name, r.date_begin, r.date_end FROM report r"
	    " WHERE 1 = 1%s ORDER BY r.org_name, r.date_begin", filter);
	if ((st = report_prepare(c, sql)) == NULL)
		return RPT_ERROR;
	filter_bind(c, st, 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct org_row *r = find_org(o,
		    (const char *)sqlite3_column_text(st, 0), &hint);
		int64_t b = sqlite3_column_int64(st, 1);
		int64_t e = sqlite3_column_int64(st, 2);
		int64_t first = utc_day(b);
		int64_t last = e > b ? utc_day(e - 1) : first;

		if (r == NULL)
			continue;
		if (first <= r->cover_end)
			first = r->cover_end + 1;
		if (last >= first) {
			r->days += last - first + 1;
			r->cover_end = last;
		}
	}
	status = report_step_done(c, rc);
	sqlite3_finalize(st);
	return status;
}

/* The policy domains of each reporter, in name order. */
static enum report_status
load_domains(struct report_ctx *c, struct orgs *o)
{
	char filter[1024], sql[2048];
	sqlite3_stmt *st;
	size_t hint = 0;
	int rc;
	enum report_status status;

	filter_sql(c, "r", filter, sizeof filter);
	snprintf(sql, sizeof sql,
	    "SELECT r.org_name, r.domain FROM report r WHERE 1 = 1%s"
	    " GROUP BY r.org_name, r.domain ORDER BY r.org_name, r.domain",
	    filter);
	if ((st = report_prepare(c, sql)) == NULL)
		return RPT_ERROR;
	filter_bind(c, st, 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct org_row *r = find_org(o,
		    (const char *)sqlite3_column_text(st, 0), &hint);
		const unsigned char *d = sqlite3_column_text(st, 1);

		if (r == NULL || d == NULL)
			continue;
		if (dm_array_reserve(&r->domains, &r->capdomains,
		    r->ndomains + 1, sizeof *r->domains,
		    REPORTERS_MAX_DOMAINS) != 0) {
			sqlite3_finalize(st);
			return report_oom(c);
		}
		if ((r->domains[r->ndomains] = strdup((const char *)d)) == NULL) {
			sqlite3_finalize(st);
			return report_oom(c);
		}
		r->ndomains++;
	}
	status = report_step_done(c, rc);
	sqlite3_finalize(st);
	return status;
}

static void
print_table(struct report_ctx *c, const struct orgs *o)
{
	struct table *t;
	char a[FMT_NUM];
	size_t i, ncols;
	int text = c->format == OUT_TEXT;

	ncols = sizeof text_cols / sizeof text_cols[0];
	if ((t = table_new()) == NULL)
		return;
	for (i = 0; i < ncols; i++)
		table_col(t, text ? text_cols[i].header : csv_cols[i],
		    text_cols[i].align, text_cols[i].shrink);
	if (text && o->n == 0) {	/* no bare header: main says why */
		table_free(t);
		return;
	}
	for (i = 0; i < o->n; i++) {
		const struct org_row *r = &o->rows[i];

		table_row(t);
		table_cell(t, r->name ? r->name : "(unnamed)");
		if (text) {
			table_cell(t, fmt_int(r->reports, a, sizeof a));
			table_cell(t, fmt_int(r->messages, a, sizeof a));
			table_cell(t, fmt_int(r->days, a, sizeof a));
		} else {
			table_cellf(t, "%" PRId64, r->reports);
			table_cellf(t, "%" PRId64, r->messages);
			table_cellf(t, "%" PRId64, r->days);
		}
		table_cell(t, fmt_day(r->first_begin, a, sizeof a));
		table_cell(t, fmt_day(r->last_begin, a, sizeof a));
		table_list(t, (const char *const *)r->domains, r->ndomains);
	}
	if (text)
		table_print_text(t, c->out, REPORT_WIDTH);
	else
		table_print_csv(t, c->out);
	table_free(t);
}

static void
print_json(struct report_ctx *c, const struct orgs *o)
{
	FILE *f = c->out;
	char a[FMT_NUM], b[FMT_NUM];
	size_t i, j;

	if (o->n == 0) {
		fputs("[]\n", f);
		return;
	}
	fputs("[\n", f);
	for (i = 0; i < o->n; i++) {
		const struct org_row *r = &o->rows[i];

		fputs("  {\"reporter\": ", f);
		json_string(f, r->name);
		fprintf(f, ", \"reports\": %" PRId64 ", \"messages\": %" PRId64
		    ", \"days_covered\": %" PRId64 ", \"first_report\": \"%s\""
		    ", \"last_report\": \"%s\", \"domains\": [",
		    r->reports, r->messages, r->days,
		    fmt_day(r->first_begin, a, sizeof a),
		    fmt_day(r->last_begin, b, sizeof b));
		for (j = 0; j < r->ndomains; j++) {
			if (j)
				fputs(", ", f);
			json_string(f, r->domains[j]);
		}
		fprintf(f, "]}%s\n", i + 1 < o->n ? "," : "");
	}
	fputs("]\n", f);
}

enum report_status
cmd_reporters(struct report_ctx *c)
{
	struct orgs o;
	enum report_status rc, missing;

	if ((missing = report_missing(c)) == RPT_ERROR)
		return missing;
	memset(&o, 0, sizeof o);
	if ((rc = load_totals(c, &o)) != 0 || (rc = load_days(c, &o)) != 0 ||
	    (rc = load_domains(c, &o)) != 0)
		goto out;
	if (c->format == OUT_JSON)
		print_json(c, &o);
	else
		print_table(c, &o);
out:
	orgs_free(&o);
	return rc != RPT_OK ? rc : missing;
}
