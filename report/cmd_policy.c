/* SPDX-License-Identifier: MIT */
/*
 * cmd_policy.c: the policy command: per policy domain, the history of the
 * published policy (p, sp, np, pct, adkim, aspf, testing) as the reports
 * show it, in runs of consecutive UTC days, and the moves of p= between
 * none, quarantine and reject with the figures of the 14 days before and
 * after.  Reads only the report table and its per-report totals.
 *
 * Reporters disagree for a while after a change (DNS caches), and one may
 * show something odd for good.  So the policy of a day (the UTC day of a
 * report's date_begin) is the one most of that day's reports show (a tie
 * goes to the policy that differs from the current run: the newer one);
 * a run is the consecutive days with the same policy of the day, and it
 * counts every report of its days (other_policy_reports: those that showed
 * something else).  A report without pct (dmarc-2.0, where the tag was
 * removed) agrees with any pct.  A change is flagged when p moves between
 * runs: "tightened" towards reject, "loosened" towards none; its date is
 * the first day of the new run; before is the 14 days before that day,
 * after the 14 days from it, over all the domain's reports whatever they
 * showed and whatever --since/--until say.
 *
 * Text: one table of runs, then the changes; CSV: the table with the
 * change figures as columns (pass rates as fractions); JSON: an array of
 * {"domain", "history": [...], "changes": [...]}.
 */
#include "report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "derived.h"
#include "dm_array.h"
#include "fmt.h"
#include "json_out.h"
#include "policy_query.h"
#include "table.h"

#define CHANGE_DAYS 14		/* figures before and after a change */

/* Caps that stop runaway growth, past any real database: 16M policy
 * domains, 1M runs of one domain (at most one a day), 1M reports of one
 * domain on one day. */
#define POLICY_MAX_DOMAINS	(1 << 24)
#define POLICY_MAX_RUNS		(1 << 20)
#define POLICY_MAX_DAY_REPORTS	(1 << 20)

/* One report as the history needs it. */
struct row {
	struct policy pol;
	int64_t messages, pass;
};

/* Consecutive days with the same policy of the day. */
struct run {
	struct policy pol;
	int64_t first, last;		/* epoch of the first and last day */
	int64_t reports, other, messages, pass;
	int strength_move;		/* +1 tightened, -1 loosened, 0 */
};

/* Totals of a range of days. */
struct span {
	int64_t start, end;		/* [start, end) epoch */
	int64_t reports, messages, pass;
};

struct change {
	size_t run;			/* index of the new run */
	struct span before, after;
};

struct domain_hist {
	char *domain;
	struct run *runs;
	size_t nruns, capruns;
	struct change *changes;
	size_t nchanges;
};

struct history {
	struct domain_hist *d;
	size_t n, cap;
};

static int
add64(struct report_ctx *c, int64_t *sum, int64_t v)
{
	if (__builtin_add_overflow(*sum, v, sum)) {
		snprintf(c->err, sizeof c->err, "message totals overflow 64 bits");
		return -1;
	}
	return 0;
}

/* sqlite3_step that turns sum()'s overflow into our message. */
static int
step(struct report_ctx *c, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return rc;
	(void)report_db_error(c);
	return -1;
}

static struct domain_hist *
domain_add(struct history *h, const char *name)
{
	struct domain_hist *d;

	if (dm_array_reserve(&h->d, &h->cap, h->n + 1, sizeof *h->d,
	    POLICY_MAX_DOMAINS) != 0)
		return NULL;
	d = &h->d[h->n];
	memset(d, 0, sizeof *d);
	if ((d->domain = strdup(name)) == NULL)
		return NULL;
	h->n++;
	return d;
}

static struct run *
run_add(struct domain_hist *d)
{
	struct run *r;

	if (dm_array_reserve(&d->runs, &d->capruns, d->nruns + 1,
	    sizeof *d->runs, POLICY_MAX_RUNS) != 0)
		return NULL;
	r = &d->runs[d->nruns++];
	memset(r, 0, sizeof *r);
	return r;
}

static void
history_free(struct history *h)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		free(h->d[i].domain);
		free(h->d[i].runs);
		free(h->d[i].changes);
	}
	free(h->d);
}

/*
 * One day's reports of a domain: the policy most of them show joins the
 * current run or starts a new one; every report of the day counts in it.
 */
static int
add_day(struct report_ctx *c, struct domain_hist *d, int64_t day,
    const struct row *rows, size_t n)
{
	struct policy cand[16];
	size_t count[16], ncand = 0, i, k, best = 0;
	struct run *cur = d->nruns ? &d->runs[d->nruns - 1] : NULL;

	for (i = 0; i < n; i++) {
		for (k = 0; k < ncand; k++)
			if (policy_same(&cand[k], &rows[i].pol))
				break;
		if (k == ncand) {
			if (ncand == sizeof cand / sizeof cand[0])
				continue;	/* 16 policies in a day: ignore more */
			cand[ncand] = rows[i].pol;
			count[ncand++] = 0;
		}
		policy_merge(&cand[k], &rows[i].pol);
		count[k]++;
	}
	for (k = 1; k < ncand; k++)
		if (count[k] > count[best] || (count[k] == count[best] &&
		    cur != NULL && policy_same(&cand[best], &cur->pol) &&
		    !policy_same(&cand[k], &cur->pol)))
			best = k;
	if (cur != NULL && policy_same(&cur->pol, &cand[best])) {
		policy_merge(&cur->pol, &cand[best]);
	} else {
		if ((cur = run_add(d)) == NULL) {
			snprintf(c->err, sizeof c->err, "out of memory");
			return -1;
		}
		cur->pol = cand[best];
		cur->first = day * UTC_DAY_SECONDS;
	}
	cur->last = day * UTC_DAY_SECONDS;
	for (i = 0; i < n; i++) {
		cur->reports++;
		if (!policy_same(&cur->pol, &rows[i].pol))
			cur->other++;
		if (add64(c, &cur->messages, rows[i].messages) != 0 ||
		    add64(c, &cur->pass, rows[i].pass) != 0)
			return -1;
	}
	return 0;
}

/* Reads the reports in (domain, date_begin) order into runs. */
static int
load_runs(struct report_ctx *c, struct history *h)
{
	char where[1024], sql[2048];
	sqlite3_stmt *st = NULL;
	struct row *rows = NULL;
	size_t nrows = 0, caprows = 0;
	struct domain_hist *d = NULL;
	int64_t cur_day = 0;
	int rc = -1, s;

	filter_sql(c, "r", where, sizeof where);
	snprintf(sql, sizeof sql,
	    "SELECT r.domain, " SQL_UTC_DAY(r.date_begin) ", "
	    POLICY_SQL_COLS("r.") ", r.message_count, r.dmarc_pass"
	    " FROM report r WHERE 1%s ORDER BY r.domain, r.date_begin, r.id",
	    where);
	if ((st = report_prepare(c, sql)) == NULL)
		goto out;
	filter_bind(c, st, 1);
	for (;;) {
		const char *dom;
		int64_t day;

		if ((s = step(c, st)) < 0)
			goto out;
		dom = s == SQLITE_ROW ?
		    (const char *)sqlite3_column_text(st, 0) : NULL;
		day = s == SQLITE_ROW ? sqlite3_column_int64(st, 1) : 0;
		if (dom == NULL)
			dom = "";
		if (nrows > 0 && (s == SQLITE_DONE ||
		    strcmp(dom, d->domain) != 0 || day != cur_day)) {
			if (add_day(c, d, cur_day, rows, nrows) != 0)
				goto out;
			nrows = 0;
		}
		if (s == SQLITE_DONE)
			break;
		if (d == NULL || strcmp(dom, d->domain) != 0) {
			if ((d = domain_add(h, dom)) == NULL)
				goto oom;
		}
		cur_day = day;
		if (dm_array_reserve(&rows, &caprows, nrows + 1, sizeof *rows,
		    POLICY_MAX_DAY_REPORTS) != 0)
			goto oom;
		policy_read(&rows[nrows].pol, st, 2);
		rows[nrows].messages = sqlite3_column_int64(st,
		    2 + POLICY_NCOLS);
		rows[nrows].pass = sqlite3_column_int64(st, 3 + POLICY_NCOLS);
		nrows++;
	}
	rc = 0;
	goto out;
oom:
	snprintf(c->err, sizeof c->err, "out of memory");
out:
	sqlite3_finalize(st);
	free(rows);
	return rc;
}

/* Reports, messages and passes of a domain with date_begin in the span. */
static int
span_totals(struct report_ctx *c, sqlite3_stmt *st, const char *domain,
    struct span *sp)
{
	int rc = -1;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, sp->start);
	sqlite3_bind_int64(st, 3, sp->end);
	if (step(c, st) != SQLITE_ROW)
		goto out;
	sp->reports = sqlite3_column_int64(st, 0);
	sp->messages = sqlite3_column_int64(st, 1);
	sp->pass = sqlite3_column_int64(st, 2);
	rc = 0;
out:
	sqlite3_reset(st);
	return rc;
}

/* Flags the moves of p= and counts the days around each. */
static int
find_changes(struct report_ctx *c, struct history *h)
{
	sqlite3_stmt *st = NULL;
	size_t i, k;
	int rc = -1;

	st = report_prepare(c,
	    "SELECT count(*), ifnull(sum(message_count), 0),"
	    " ifnull(sum(dmarc_pass), 0) FROM report"
	    " WHERE domain = ? AND date_begin >= ? AND date_begin < ?");
	if (st == NULL)
		goto out;
	for (i = 0; i < h->n; i++) {
		struct domain_hist *d = &h->d[i];

		for (k = 1; k < d->nruns; k++) {
			int from = policy_strength(d->runs[k - 1].pol.p);
			int to = policy_strength(d->runs[k].pol.p);
			struct change *ch;

			if (from < 0 || to < 0 || from == to)
				continue;
			d->runs[k].strength_move = to > from ? 1 : -1;
			if (d->changes == NULL &&
			    (d->changes = calloc(d->nruns, sizeof *ch)) == NULL) {
				snprintf(c->err, sizeof c->err, "out of memory");
				goto out;
			}
			ch = &d->changes[d->nchanges++];
			ch->run = k;
			ch->before.start = d->runs[k].first - CHANGE_DAYS * UTC_DAY_SECONDS;
			ch->before.end = d->runs[k].first;
			ch->after.start = d->runs[k].first;
			ch->after.end = d->runs[k].first + CHANGE_DAYS * UTC_DAY_SECONDS;
			if (span_totals(c, st, d->domain, &ch->before) != 0 ||
			    span_totals(c, st, d->domain, &ch->after) != 0)
				goto out;
		}
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

static const char *
move_name(int move)
{
	return move > 0 ? "tightened" : move < 0 ? "loosened" : "-";
}

static void
print_text(const struct history *h, FILE *f)
{
	struct table *t = table_new();
	char b1[FMT_NUM], b2[FMT_NUM], b3[FMT_NUM], pol[512];
	size_t i, k, nchanges = 0;

	if (t == NULL || h->n == 0) {	/* no bare header: main says why */
		table_free(t);
		return;
	}
	table_col(t, "DOMAIN", TABLE_LEFT, 1);
	table_col(t, "POLICY", TABLE_LEFT, 1);
	table_col(t, "FIRST SEEN", TABLE_LEFT, 0);
	table_col(t, "LAST SEEN", TABLE_LEFT, 0);
	table_col(t, "REPORTS", TABLE_RIGHT, 0);
	table_col(t, "MESSAGES", TABLE_RIGHT, 0);
	table_col(t, "PASS", TABLE_RIGHT, 0);
	table_col(t, "CHANGE", TABLE_LEFT, 0);
	for (i = 0; i < h->n; i++) {
		for (k = 0; k < h->d[i].nruns; k++) {
			const struct run *r = &h->d[i].runs[k];

			table_row(t);
			table_cell(t, h->d[i].domain);
			table_cell(t, policy_text(&r->pol, pol, sizeof pol));
			table_cell(t, fmt_day(r->first, b1, sizeof b1));
			table_cell(t, fmt_day(r->last, b2, sizeof b2));
			table_cell(t, fmt_int(r->reports, b3, sizeof b3));
			table_cell(t, fmt_int(r->messages, b1, sizeof b1));
			table_cell(t, fmt_pct(r->pass, r->messages, b2, sizeof b2));
			table_cell(t, move_name(r->strength_move));
		}
		nchanges += h->d[i].nchanges;
	}
	table_print_text(t, f, REPORT_WIDTH);
	table_free(t);
	if (nchanges == 0)
		return;
	fprintf(f, "\nChanges of p=, with the %d days before and after "
	    "(reports by their start day):\n", CHANGE_DAYS);
	for (i = 0; i < h->n; i++) {
		for (k = 0; k < h->d[i].nchanges; k++) {
			const struct change *ch = &h->d[i].changes[k];
			const struct run *r = &h->d[i].runs[ch->run];
			const struct span *sp[2] = { &ch->before, &ch->after };
			size_t j;

			fprintf(f, "\n%s  %s  %s: p=%s -> p=%s\n", h->d[i].domain,
			    fmt_day(r->first, b1, sizeof b1),
			    move_name(r->strength_move),
			    h->d[i].runs[ch->run - 1].pol.p, r->pol.p);
			for (j = 0; j < 2; j++) {
				fprintf(f, "  %-6s  %s to ", j ? "after" : "before",
				    fmt_day(sp[j]->start, b1, sizeof b1));
				fprintf(f, "%s  %12s messages  %6s pass",
				    fmt_day(sp[j]->end - UTC_DAY_SECONDS, b1, sizeof b1),
				    fmt_int(sp[j]->messages, b2, sizeof b2),
				    fmt_pct(sp[j]->pass, sp[j]->messages, b3,
				    sizeof b3));
				if (j == 1 && ch->before.messages > 0 &&
				    ch->after.messages > 0)
					fprintf(f, "  %s", fmt_pt(100.0 *
					    ((double)ch->after.pass /
					    (double)ch->after.messages -
					    (double)ch->before.pass /
					    (double)ch->before.messages),
					    b1, sizeof b1));
				putc('\n', f);
			}
		}
	}
}

static void
print_csv(const struct history *h, FILE *f)
{
	struct table *t = table_new();
	char b[FMT_NUM];
	size_t i, k, j;
	static const char *const cols[] = { "domain", "first_seen",
	    "last_seen", "p", "sp", "np", "pct", "adkim", "aspf", "testing",
	    "reports", "other_policy_reports", "messages", "dmarc_pass",
	    "pass_rate", "change", "before_messages", "before_pass_rate",
	    "after_messages", "after_pass_rate" };

	if (t == NULL)
		return;
	for (i = 0; i < sizeof cols / sizeof cols[0]; i++)
		table_col(t, cols[i], TABLE_LEFT, 0);
	for (i = 0; i < h->n; i++) {
		const struct domain_hist *d = &h->d[i];

		for (k = 0; k < d->nruns; k++) {
			const struct run *r = &d->runs[k];
			const struct change *ch = NULL;

			for (j = 0; j < d->nchanges; j++)
				if (d->changes[j].run == k)
					ch = &d->changes[j];
			table_row(t);
			table_cell(t, d->domain);
			table_cell(t, fmt_day(r->first, b, sizeof b));
			table_cell(t, fmt_day(r->last, b, sizeof b));
			table_cell(t, r->pol.p);
			table_cell(t, r->pol.sp);
			table_cell(t, r->pol.np);
			if (r->pol.has_pct)
				table_cellf(t, "%" PRId64, r->pol.pct);
			else
				table_cell(t, "");
			table_cell(t, r->pol.adkim);
			table_cell(t, r->pol.aspf);
			table_cell(t, r->pol.testing);
			table_cellf(t, "%" PRId64, r->reports);
			table_cellf(t, "%" PRId64, r->other);
			table_cellf(t, "%" PRId64, r->messages);
			table_cellf(t, "%" PRId64, r->pass);
			table_cell(t, r->messages ?
			    fmt_fraction(r->pass, r->messages, b, sizeof b) : "");
			table_cell(t, r->strength_move ?
			    move_name(r->strength_move) : "");
			if (ch == NULL) {
				for (j = 0; j < 4; j++)
					table_cell(t, "");
				continue;
			}
			table_cellf(t, "%" PRId64, ch->before.messages);
			table_cell(t, ch->before.messages ? fmt_fraction(
			    ch->before.pass, ch->before.messages, b, sizeof b) : "");
			table_cellf(t, "%" PRId64, ch->after.messages);
			table_cell(t, ch->after.messages ? fmt_fraction(
			    ch->after.pass, ch->after.messages, b, sizeof b) : "");
		}
	}
	table_print_csv(t, f);
	table_free(t);
}

static void
json_span(FILE *f, const struct span *sp)
{
	char b1[FMT_NUM], b2[FMT_NUM];

	fprintf(f, "{\"start\": \"%s\", ", fmt_day(sp->start, b1, sizeof b1));
	fprintf(f, "\"end\": \"%s\", \"reports\": %" PRId64 ", \"messages\": %"
	    PRId64 ", \"dmarc_pass\": %" PRId64 ", \"pass_rate\": %s}",
	    fmt_day(sp->end - UTC_DAY_SECONDS, b1, sizeof b1), sp->reports,
	    sp->messages, sp->pass,
	    fmt_fraction(sp->pass, sp->messages, b2, sizeof b2));
}

static void
print_json(const struct history *h, FILE *f)
{
	char b1[FMT_NUM];
	size_t i, k;

	fputs("[", f);
	for (i = 0; i < h->n; i++) {
		const struct domain_hist *d = &h->d[i];

		fputs(i ? ",\n {\"domain\": " : "\n {\"domain\": ", f);
		json_string(f, d->domain);
		fputs(", \"history\": [", f);
		for (k = 0; k < d->nruns; k++) {
			const struct run *r = &d->runs[k];

			fputs(k ? ",\n  {" : "\n  {", f);
			fprintf(f, "\"first_seen\": \"%s\", ",
			    fmt_day(r->first, b1, sizeof b1));
			fprintf(f, "\"last_seen\": \"%s\", ",
			    fmt_day(r->last, b1, sizeof b1));
			policy_json_members(f, &r->pol);
			fprintf(f, ", \"reports\": %" PRId64 ", "
			    "\"other_policy_reports\": %" PRId64 ", "
			    "\"messages\": %" PRId64 ", \"dmarc_pass\": %" PRId64
			    ", \"pass_rate\": %s, \"change\": ", r->reports,
			    r->other, r->messages, r->pass,
			    fmt_fraction(r->pass, r->messages, b1, sizeof b1));
			json_string(f, r->strength_move ?
			    move_name(r->strength_move) : NULL);
			fputs("}", f);
		}
		fputs(d->nruns ? "\n ], \"changes\": [" : "], \"changes\": [", f);
		for (k = 0; k < d->nchanges; k++) {
			const struct change *ch = &d->changes[k];
			const struct run *r = &d->runs[ch->run];

			fputs(k ? ",\n  {" : "\n  {", f);
			fprintf(f, "\"date\": \"%s\", \"direction\": \"%s\", ",
			    fmt_day(r->first, b1, sizeof b1),
			    move_name(r->strength_move));
			fputs("\"from\": ", f);
			json_string(f, d->runs[ch->run - 1].pol.p);
			fputs(", \"to\": ", f);
			json_string(f, r->pol.p);
			fputs(", \"before\": ", f);
			json_span(f, &ch->before);
			fputs(", \"after\": ", f);
			json_span(f, &ch->after);
			fputs("}", f);
		}
		fputs(d->nchanges ? "\n ]}" : "]}", f);
	}
	fputs(h->n ? "\n]\n" : "]\n", f);
}

enum report_status
cmd_policy(struct report_ctx *c)
{
	struct history h;
	enum report_status rc = RPT_ERROR, missing;

	if ((missing = report_missing(c)) == RPT_ERROR)
		return missing;
	memset(&h, 0, sizeof h);
	if (load_runs(c, &h) != 0 || find_changes(c, &h) != 0)
		goto out;
	switch (c->format) {
	case OUT_TEXT: print_text(&h, c->out); break;
	case OUT_CSV: print_csv(&h, c->out); break;
	case OUT_JSON: print_json(&h, c->out); break;
	}
	rc = missing;
out:
	history_free(&h);
	return rc;
}
