/* SPDX-License-Identifier: MIT */
/*
 * cmd_weekly.c: the weekly command, the cron mail to the postmaster: the
 * last 7 complete UTC days with reports against the 7 days before, per
 * policy domain.  Past 800 lines because it still queries and renders in
 * one file; issue 12's HTML renderer is where it splits into query and
 * render, as advise did.
 *
 * The week: reports arrive a day or two late, so it ends at the last day
 * with data: the UTC day of the latest date_begin, among the selected
 * domains' reports, that is before today (DMARC_NOW; or before --until
 * when that is earlier); it is that day and the 6 before it, the previous
 * week the 7 days before those.  A report belongs to the day of its
 * date_begin.  Domains: those with reports in either week.
 *
 * Per domain: reports, reporters, messages and DMARC pass rate of both
 * weeks (report table totals); new source IPs (a source_day row this week,
 * none before it) and the top failing sources (messages - DMARC pass) from
 * source_day, lists cut to 10 ("+N more"); policy changes: a report this
 * week whose published policy differs from the previous report (within 4
 * weeks) of the same reporter, grouped by (old, new) with the first date;
 * silent reporters: reported the previous week, not this one.
 *
 * Status: ATTENTION only for what needs action: no reports this week
 * (stale data), or what advise_attention finds (a verdict that changed, a
 * legitimate sender broken since a day or new and failing, legitimate mail
 * quarantined or rejected); else OK with the pass rate.  A falling pass
 * rate, a silent reporter, a policy change or a failing new source are
 * shown, but spoofers rejected are the policy working, not news.
 *
 * JSON: {"week": {"start", "end"}, "previous": {"start", "end"} (days,
 * both inclusive), "domains": [...]}; pass rates are fractions,
 * messages_change a fraction of the previous week, pass_rate_change the
 * difference of the two rates.  CSV: one row per domain.
 */
#include "report.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "json_out.h"
#include "policy_query.h"
#include "table.h"

#define WEEK_DAYS 7
#define TOP 10			/* list rows shown before "+N more" */
#define LOOKBACK_DAYS 28	/* a reporter's previous report, for changes */
#define MAX_REASONS 6

struct totals {
	int64_t reports, reporters, messages, pass;
};

struct source {
	char ip[64];
	int64_t first_day, messages, pass;
	int is_new;
};

struct pchange {
	struct policy from, to;
	int64_t date;		/* epoch of the first report showing it */
	int64_t reporters;
};

struct silent {
	char name[128];
	int64_t reports, messages, last;
};

struct domain_week {
	char *name;
	struct totals week, prev;
	struct source *new_src, *fail_src;	/* the top TOP of each */
	size_t n_new, n_fail;			/* how many in all */
	int64_t new_messages, fail_messages;
	struct pchange *changes;
	size_t nchanges;
	struct silent *silents;
	size_t nsilents;
	char reasons[MAX_REASONS][192];
	size_t nreasons;
};

struct weekly {
	int has_data;
	int64_t start, end;		/* the week: [start, end) epoch */
	struct domain_week *d;
	size_t n;
};

static int
step(struct report_ctx *c, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return rc;
	(void)report_db_error(c);
	return -1;
}

static int
add64(struct report_ctx *c, int64_t *sum, int64_t v)
{
	if (__builtin_add_overflow(*sum, v, sum)) {
		snprintf(c->err, sizeof c->err, "message totals overflow 64 bits");
		return -1;
	}
	return 0;
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? (const char *)s : "";
}

/* The --domain condition alone: the week ignores --since. */
static void
domain_filter(const struct report_ctx *c, char *buf, size_t len)
{
	struct report_ctx dc = *c;

	dc.windowed = 0;
	filter_sql(&dc, "r", buf, len);
}

static void
add_reason(struct domain_week *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
add_reason(struct domain_week *d, const char *fmt, ...)
{
	va_list ap;

	if (d->nreasons == MAX_REASONS)
		return;
	va_start(ap, fmt);
	vsnprintf(d->reasons[d->nreasons++], sizeof d->reasons[0], fmt, ap);
	va_end(ap);
}

static void
weekly_free(struct weekly *w)
{
	size_t i;

	for (i = 0; i < w->n; i++) {
		free(w->d[i].name);
		free(w->d[i].new_src);
		free(w->d[i].fail_src);
		free(w->d[i].changes);
		free(w->d[i].silents);
	}
	free(w->d);
}

/* The week ends at the last day with data before today (or --until). */
static int
find_week(struct report_ctx *c, struct weekly *w)
{
	char where[1024], sql[1536];
	sqlite3_stmt *st = NULL;
	int64_t bound = c->today, last;
	int rc = -1;

	if (c->windowed && c->until < bound)
		bound = c->until;
	domain_filter(c, where, sizeof where);
	snprintf(sql, sizeof sql, "SELECT max(r.date_begin) FROM report r"
	    " WHERE r.date_begin < ?%s", where);
	if ((st = report_prepare(c, sql)) == NULL)
		goto out;
	sqlite3_bind_int64(st, 1, bound);
	filter_bind(c, st, 2);
	if (step(c, st) != SQLITE_ROW)
		goto out;
	w->has_data = sqlite3_column_type(st, 0) != SQLITE_NULL;
	if (w->has_data) {
		last = sqlite3_column_int64(st, 0);
		w->end = (utc_day(last) + 1) * UTC_DAY_SECONDS;
	} else {
		w->end = bound;		/* for the dates of an empty answer */
	}
	w->start = w->end - WEEK_DAYS * UTC_DAY_SECONDS;
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

static int
load_domains(struct report_ctx *c, struct weekly *w)
{
	char where[1024], sql[1536];
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc = -1, s;

	domain_filter(c, where, sizeof where);
	snprintf(sql, sizeof sql, "SELECT DISTINCT r.domain FROM report r"
	    " WHERE r.date_begin >= ? AND r.date_begin < ?%s ORDER BY 1", where);
	if ((st = report_prepare(c, sql)) == NULL)
		goto out;
	sqlite3_bind_int64(st, 1, w->start - WEEK_DAYS * UTC_DAY_SECONDS);
	sqlite3_bind_int64(st, 2, w->end);
	filter_bind(c, st, 3);
	while ((s = step(c, st)) == SQLITE_ROW) {
		if (w->n == cap) {
			size_t nc = cap ? cap * 2 : 8;
			struct domain_week *nd = realloc(w->d, nc * sizeof *nd);
			if (nd == NULL)
				goto oom;
			w->d = nd;
			cap = nc;
		}
		memset(&w->d[w->n], 0, sizeof w->d[0]);
		if ((w->d[w->n].name = strdup(col_text(st, 0))) == NULL)
			goto oom;
		w->n++;
	}
	if (s < 0)
		goto out;
	rc = 0;
	goto out;
oom:
	snprintf(c->err, sizeof c->err, "out of memory");
out:
	sqlite3_finalize(st);
	return rc;
}

static int
load_totals(struct report_ctx *c, sqlite3_stmt *st, const char *domain,
    int64_t start, int64_t end, struct totals *t)
{
	int rc = -1;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, start);
	sqlite3_bind_int64(st, 3, end);
	if (step(c, st) != SQLITE_ROW)
		goto out;
	t->reports = sqlite3_column_int64(st, 0);
	t->reporters = sqlite3_column_int64(st, 1);
	t->messages = sqlite3_column_int64(st, 2);
	t->pass = sqlite3_column_int64(st, 3);
	rc = 0;
out:
	sqlite3_reset(st);
	return rc;
}

static int
by_messages(const void *a, const void *b)
{
	const struct source *x = a, *y = b;

	if (x->messages != y->messages)
		return x->messages > y->messages ? -1 : 1;
	return strcmp(x->ip, y->ip);
}

static int
by_failing(const void *a, const void *b)
{
	const struct source *x = a, *y = b;
	int64_t fx = x->messages - x->pass, fy = y->messages - y->pass;

	if (fx != fy)
		return fx > fy ? -1 : 1;
	return strcmp(x->ip, y->ip);
}

/* Copies the first TOP of n sources sorted by cmp. */
static struct source *
top_of(struct source *all, size_t n, int (*cmp)(const void *, const void *))
{
	struct source *top;
	size_t k = n < TOP ? n : TOP;

	if (n > 1)	/* qsort wants a non-NULL base */
		qsort(all, n, sizeof *all, cmp);
	if ((top = calloc(k ? k : 1, sizeof *top)) != NULL)
		memcpy(top, all, k * sizeof *top);
	return top;
}

/* New and failing source IPs of the week, from source_day. */
static int
load_sources(struct report_ctx *c, sqlite3_stmt *st, const struct weekly *w,
    struct domain_week *d)
{
	struct source *all = NULL, *nw = NULL, *fl = NULL;
	size_t n = 0, cap = 0, nnew = 0, nfail = 0, i;
	int rc = -1, s;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, d->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, utc_day(w->start));
	sqlite3_bind_int64(st, 3, utc_day(w->end));
	while ((s = step(c, st)) == SQLITE_ROW) {
		struct source *x;

		if (n == cap) {
			size_t nc = cap ? cap * 2 : 256;
			if ((x = realloc(all, nc * sizeof *x)) == NULL)
				goto oom;
			all = x;
			cap = nc;
		}
		x = &all[n++];
		snprintf(x->ip, sizeof x->ip, "%s", col_text(st, 0));
		x->first_day = sqlite3_column_int64(st, 1);
		x->messages = sqlite3_column_int64(st, 2);
		x->pass = sqlite3_column_int64(st, 3);
		x->is_new = sqlite3_column_int(st, 4);
	}
	if (s < 0)
		goto out;
	/* the new ones first, then the failing ones, each in its own array */
	if ((nw = calloc(n ? n : 1, sizeof *nw)) == NULL ||
	    (fl = calloc(n ? n : 1, sizeof *fl)) == NULL)
		goto oom;
	for (i = 0; i < n; i++) {
		int64_t failing = all[i].messages - all[i].pass;

		if (all[i].is_new) {
			nw[nnew++] = all[i];
			if (add64(c, &d->new_messages, all[i].messages) != 0)
				goto out;
		}
		if (failing > 0) {
			fl[nfail++] = all[i];
			if (add64(c, &d->fail_messages, failing) != 0)
				goto out;
		}
	}
	d->n_new = nnew;
	d->n_fail = nfail;
	if ((d->new_src = top_of(nw, nnew, by_messages)) == NULL ||
	    (d->fail_src = top_of(fl, nfail, by_failing)) == NULL)
		goto oom;
	rc = 0;
	goto out;
oom:
	snprintf(c->err, sizeof c->err, "out of memory");
out:
	sqlite3_reset(st);
	free(all);
	free(nw);
	free(fl);
	return rc;
}

/*
 * Policy changes: each reporter's reports in time order; one this week
 * that differs from the reporter's previous one is a change.
 */
static int
load_changes(struct report_ctx *c, sqlite3_stmt *st, const struct weekly *w,
    struct domain_week *d)
{
	char *reporter = NULL;
	struct policy prev, cur;
	size_t cap = 0, k;
	int have_prev = 0, rc = -1, s;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, d->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, w->start - LOOKBACK_DAYS * UTC_DAY_SECONDS);
	sqlite3_bind_int64(st, 3, w->end);
	while ((s = step(c, st)) == SQLITE_ROW) {
		int64_t begin = sqlite3_column_int64(st, 1);

		if (reporter == NULL || strcmp(reporter, col_text(st, 0)) != 0) {
			free(reporter);
			if ((reporter = strdup(col_text(st, 0))) == NULL)
				goto oom;
			have_prev = 0;
		}
		policy_read(&cur, st, 2);
		if (have_prev && begin >= w->start && !policy_same(&prev, &cur)) {
			for (k = 0; k < d->nchanges; k++)
				if (policy_same(&d->changes[k].from, &prev) &&
				    policy_same(&d->changes[k].to, &cur))
					break;
			if (k == d->nchanges) {
				if (k == cap) {
					size_t nc = cap ? cap * 2 : 4;
					struct pchange *x = realloc(d->changes,
					    nc * sizeof *x);
					if (x == NULL)
						goto oom;
					d->changes = x;
					cap = nc;
				}
				d->changes[k].from = prev;
				d->changes[k].to = cur;
				d->changes[k].date = begin;
				d->changes[k].reporters = 0;
				d->nchanges++;
			}
			if (begin < d->changes[k].date)
				d->changes[k].date = begin;
			d->changes[k].reporters++;
		}
		prev = cur;
		have_prev = 1;
	}
	if (s < 0)
		goto out;
	rc = 0;
	goto out;
oom:
	snprintf(c->err, sizeof c->err, "out of memory");
out:
	sqlite3_reset(st);
	free(reporter);
	return rc;
}

static int
load_silent(struct report_ctx *c, sqlite3_stmt *st, const struct weekly *w,
    struct domain_week *d)
{
	size_t cap = 0;
	int rc = -1, s;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, d->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, w->start - WEEK_DAYS * UTC_DAY_SECONDS);
	sqlite3_bind_int64(st, 3, w->start);
	sqlite3_bind_int64(st, 4, w->end);
	while ((s = step(c, st)) == SQLITE_ROW) {
		struct silent *x;

		if (d->nsilents == cap) {
			size_t nc = cap ? cap * 2 : 4;
			if ((x = realloc(d->silents, nc * sizeof *x)) == NULL)
				goto oom;
			d->silents = x;
			cap = nc;
		}
		x = &d->silents[d->nsilents++];
		snprintf(x->name, sizeof x->name, "%s",
		    col_text(st, 0)[0] ? col_text(st, 0) : "(no name)");
		x->reports = sqlite3_column_int64(st, 1);
		x->messages = sqlite3_column_int64(st, 2);
		x->last = sqlite3_column_int64(st, 3);
	}
	if (s < 0)
		goto out;
	rc = 0;
	goto out;
oom:
	snprintf(c->err, sizeof c->err, "out of memory");
out:
	sqlite3_reset(st);
	return rc;
}

/* Pass rate change in tenths of a point, as fmt_pt shows it; 0 if n/a. */
static double
rate_change(const struct totals *now, const struct totals *before, int *ok)
{
	*ok = now->messages > 0 && before->messages > 0;
	if (!*ok)
		return 0;
	return 100.0 * ((double)now->pass / (double)now->messages -
	    (double)before->pass / (double)before->messages);
}

/* The status reasons of the week's own figures: stale data. */
static void
judge(struct domain_week *d)
{
	if (d->week.reports == 0)
		add_reason(d, "no reports this week");
}

static void
attention_add(void *arg, const char *reason)
{
	add_reason(arg, "%s", reason);
}

static int
load_all(struct report_ctx *c, struct weekly *w)
{
	sqlite3_stmt *tot = NULL, *src = NULL, *chg = NULL, *sil = NULL;
	size_t i;
	int rc = -1;

	tot = report_prepare(c, "SELECT count(*),"
	    " count(DISTINCT ifnull(org_name, '')),"
	    " ifnull(sum(message_count), 0), ifnull(sum(dmarc_pass), 0)"
	    " FROM report WHERE domain = ? AND date_begin >= ?"
	    " AND date_begin < ?");
	src = report_prepare(c, "SELECT s.source_ip, min(s.day),"
	    " sum(s.messages), sum(s.dmarc_pass),"
	    " NOT EXISTS (SELECT 1 FROM source_day p WHERE p.domain = ?1"
	    " AND p.source_ip = s.source_ip AND p.day < ?2)"
	    " FROM source_day s WHERE s.domain = ?1 AND s.day >= ?2"
	    " AND s.day < ?3 GROUP BY s.source_ip");
	chg = report_prepare(c, "SELECT ifnull(org_name, ''), date_begin, "
	    POLICY_SQL_COLS("") " FROM report"
	    " WHERE domain = ? AND date_begin >= ? AND date_begin < ?"
	    " ORDER BY 1, date_begin, id");
	sil = report_prepare(c, "SELECT ifnull(r.org_name, ''), count(*),"
	    " ifnull(sum(r.message_count), 0), max(r.date_begin) FROM report r"
	    " WHERE r.domain = ?1 AND r.date_begin >= ?2 AND r.date_begin < ?3"
	    " AND NOT EXISTS (SELECT 1 FROM report t WHERE t.domain = ?1"
	    " AND ifnull(t.org_name, '') = ifnull(r.org_name, '')"
	    " AND t.date_begin >= ?3 AND t.date_begin < ?4)"
	    " GROUP BY 1 ORDER BY 3 DESC, 1");
	if (tot == NULL || src == NULL || chg == NULL || sil == NULL)
		goto out;
	for (i = 0; i < w->n; i++) {
		struct domain_week *d = &w->d[i];

		if (load_totals(c, tot, d->name, w->start, w->end, &d->week) ||
		    load_totals(c, tot, d->name, w->start - WEEK_DAYS * UTC_DAY_SECONDS,
		    w->start, &d->prev) ||
		    load_silent(c, sil, w, d) || load_changes(c, chg, w, d))
			goto out;
		judge(d);
		if (load_sources(c, src, w, d) != 0 ||
		    advise_attention(c, d->name, w->start, w->end, attention_add,
		    d) != 0)
			goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(tot);
	sqlite3_finalize(src);
	sqlite3_finalize(chg);
	sqlite3_finalize(sil);
	return rc;
}

/* "+12.2%" of the previous week, or "" when there was none. */
static const char *
change_pct(int64_t now, int64_t before, char *buf, size_t len)
{
	if (before <= 0)
		snprintf(buf, len, "%s", now > 0 ? "new" : "");
	else
		snprintf(buf, len, "%+.1f%%", 100.0 * ((double)now -
		    (double)before) / (double)before);
	return buf;
}

/* Prints the table with every line indented. */
static void
print_indented(const struct table *t, FILE *f, const char *indent)
{
	char *text = NULL, *line, *nl;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	if (m == NULL)
		return;
	table_print_text(t, m, REPORT_WIDTH - strlen(indent));
	fclose(m);
	for (line = text; line != NULL && *line; line = nl + 1) {
		nl = strchr(line, '\n');
		fprintf(f, "%s%.*s\n", indent, nl ? (int)(nl - line) :
		    (int)strlen(line), line);
		if (nl == NULL)
			break;
	}
	free(text);
}

static void
print_sources(FILE *f, const struct source *s, size_t shown, size_t n,
    int failing)
{
	struct table *t = table_new();
	char b[FMT_NUM];
	size_t i;

	if (t == NULL)
		return;
	table_col(t, "SOURCE IP", TABLE_LEFT, 0);
	if (failing)
		table_col(t, "FAILING", TABLE_RIGHT, 0);
	else
		table_col(t, "FIRST SEEN", TABLE_LEFT, 0);
	table_col(t, "MESSAGES", TABLE_RIGHT, 0);
	table_col(t, "PASS", TABLE_RIGHT, 0);
	for (i = 0; i < shown; i++) {
		table_row(t);
		table_cell(t, s[i].ip);
		if (failing)
			table_cell(t, fmt_int(s[i].messages - s[i].pass, b,
			    sizeof b));
		else
			table_cell(t, fmt_day(s[i].first_day * UTC_DAY_SECONDS, b, sizeof b));
		table_cell(t, fmt_int(s[i].messages, b, sizeof b));
		table_cell(t, fmt_pct(s[i].pass, s[i].messages, b, sizeof b));
	}
	print_indented(t, f, "    ");
	table_free(t);
	if (n > shown)
		fprintf(f, "    +%zu more\n", n - shown);
}

static void
print_status(FILE *f, const struct domain_week *d)
{
	char b[FMT_NUM];
	size_t k;

	if (d->nreasons == 0) {
		fprintf(f, "%s: OK %s pass\n", d->name,
		    fmt_pct(d->week.pass, d->week.messages, b, sizeof b));
		return;
	}
	fprintf(f, "%s: ATTENTION ", d->name);
	for (k = 0; k < d->nreasons; k++)
		fprintf(f, "%s%s", k ? "; " : "", d->reasons[k]);
	putc('\n', f);
}

static void
print_text(const struct weekly *w, const struct report_ctx *c, FILE *f)
{
	char b1[FMT_NUM], b2[FMT_NUM], b3[FMT_NUM], b4[FMT_NUM], diff[192];
	size_t i, k;
	double pt;
	int ok;

	if (!w->has_data) {
		fprintf(f, "DMARC weekly report: no reports before %s%s\n",
		    fmt_day(w->end, b1, sizeof b1),
		    c->ndomains ? " for the domains asked for" : "");
		return;
	}
	fprintf(f, "DMARC weekly report: %s to %s (UTC), against %s to %s\n",
	    fmt_day(w->start, b1, sizeof b1),
	    fmt_day(w->end - UTC_DAY_SECONDS, b2, sizeof b2),
	    fmt_day(w->start - WEEK_DAYS * UTC_DAY_SECONDS, b3, sizeof b3),
	    fmt_day(w->start - UTC_DAY_SECONDS, b4, sizeof b4));
	for (i = 0; i < w->n; i++) {
		const struct domain_week *d = &w->d[i];

		fprintf(f, "\n%s\n", d->name);
		fprintf(f, "  %-11s %11s   previous week %s", "Messages",
		    fmt_int(d->week.messages, b1, sizeof b1),
		    fmt_int(d->prev.messages, b2, sizeof b2));
		change_pct(d->week.messages, d->prev.messages, b3, sizeof b3);
		fprintf(f, "%s%s\n", b3[0] ? ", " : "", b3);
		pt = rate_change(&d->week, &d->prev, &ok);
		fprintf(f, "  %-11s %11s   previous week %s%s%s\n", "DMARC pass",
		    fmt_pct(d->week.pass, d->week.messages, b1, sizeof b1),
		    fmt_pct(d->prev.pass, d->prev.messages, b2, sizeof b2),
		    ok ? ", " : "", ok ? fmt_pt(pt, b3, sizeof b3) : "");
		fprintf(f, "  %-11s %11s   from %" PRId64 " reporter%s; previous "
		    "week %s from %" PRId64 "\n", "Reports",
		    fmt_int(d->week.reports, b1, sizeof b1), d->week.reporters,
		    d->week.reporters == 1 ? "" : "s",
		    fmt_int(d->prev.reports, b2, sizeof b2), d->prev.reporters);

		if (d->n_new == 0) {
			fputs("\n  New source IPs: none\n", f);
		} else {
			fprintf(f, "\n  New source IPs (first seen this week): %zu "
			    "IP%s, %s messages\n", d->n_new, d->n_new == 1 ?
			    "" : "s", fmt_int(d->new_messages, b1, sizeof b1));
			print_sources(f, d->new_src, d->n_new < TOP ? d->n_new :
			    TOP, d->n_new, 0);
		}
		if (d->n_fail == 0) {
			fputs("\n  Failing sources: none\n", f);
		} else {
			fprintf(f, "\n  Top failing sources: %zu IP%s, %s "
			    "failing messages\n", d->n_fail, d->n_fail == 1 ?
			    "" : "s", fmt_int(d->fail_messages, b1, sizeof b1));
			print_sources(f, d->fail_src, d->n_fail < TOP ?
			    d->n_fail : TOP, d->n_fail, 1);
		}
		if (d->nchanges == 0)
			fputs("\n  Policy changes: none\n", f);
		else
			fputs("\n  Policy changes:\n", f);
		for (k = 0; k < d->nchanges; k++)
			fprintf(f, "    %s  %s (%" PRId64 " reporter%s)\n",
			    fmt_day(d->changes[k].date, b1, sizeof b1),
			    policy_diff(&d->changes[k].from, &d->changes[k].to,
			    diff, sizeof diff), d->changes[k].reporters,
			    d->changes[k].reporters == 1 ? "" : "s");
		if (d->nsilents == 0)
			fputs("\n  Reporters gone silent: none\n", f);
		else
			fputs("\n  Reporters gone silent (reported the week "
			    "before, not this week):\n", f);
		for (k = 0; k < d->nsilents && k < TOP; k++)
			fprintf(f, "    %s: last report %s, %" PRId64 " report%s "
			    "with %s messages the week before\n",
			    d->silents[k].name,
			    fmt_day(d->silents[k].last, b1, sizeof b1),
			    d->silents[k].reports,
			    d->silents[k].reports == 1 ? "" : "s",
			    fmt_int(d->silents[k].messages, b2, sizeof b2));
		if (d->nsilents > TOP)
			fprintf(f, "    +%zu more\n", d->nsilents - TOP);
	}
	putc('\n', f);
	for (i = 0; i < w->n; i++)
		print_status(f, &w->d[i]);
}

static void
print_csv(const struct weekly *w, FILE *f)
{
	struct table *t = table_new();
	char b[FMT_NUM], diff[192], chg[TOP][224];
	const char *items[MAX_REASONS > TOP ? MAX_REASONS : TOP];
	size_t i, k;
	double pt;
	int ok;
	static const char *const cols[] = { "domain", "status", "week_start",
	    "week_end", "reports", "reporters", "messages",
	    "previous_messages", "messages_change", "dmarc_pass", "pass_rate",
	    "previous_pass_rate", "pass_rate_change", "new_sources",
	    "new_source_messages", "failing_sources", "failing_messages",
	    "policy_changes", "silent_reporters", "reasons" };

	if (t == NULL)
		return;
	for (i = 0; i < sizeof cols / sizeof cols[0]; i++)
		table_col(t, cols[i], TABLE_LEFT, 0);
	for (i = 0; i < w->n; i++) {
		const struct domain_week *d = &w->d[i];

		table_row(t);
		table_cell(t, d->name);
		table_cell(t, d->nreasons ? "attention" : "ok");
		table_cell(t, fmt_day(w->start, b, sizeof b));
		table_cell(t, fmt_day(w->end - UTC_DAY_SECONDS, b, sizeof b));
		table_cellf(t, "%" PRId64, d->week.reports);
		table_cellf(t, "%" PRId64, d->week.reporters);
		table_cellf(t, "%" PRId64, d->week.messages);
		table_cellf(t, "%" PRId64, d->prev.messages);
		if (d->prev.messages > 0)
			table_cellf(t, "%.4f", ((double)d->week.messages -
			    (double)d->prev.messages) / (double)d->prev.messages);
		else
			table_cell(t, "");
		table_cellf(t, "%" PRId64, d->week.pass);
		table_cell(t, d->week.messages ? fmt_fraction(d->week.pass,
		    d->week.messages, b, sizeof b) : "");
		table_cell(t, d->prev.messages ? fmt_fraction(d->prev.pass,
		    d->prev.messages, b, sizeof b) : "");
		pt = rate_change(&d->week, &d->prev, &ok);
		if (ok)
			table_cellf(t, "%.4f", pt / 100.0);
		else
			table_cell(t, "");
		table_cellf(t, "%zu", d->n_new);
		table_cellf(t, "%" PRId64, d->new_messages);
		table_cellf(t, "%zu", d->n_fail);
		table_cellf(t, "%" PRId64, d->fail_messages);
		for (k = 0; k < d->nchanges && k < TOP; k++) {
			snprintf(chg[k], sizeof chg[k], "%s %s",
			    fmt_day(d->changes[k].date, b, sizeof b),
			    policy_diff(&d->changes[k].from, &d->changes[k].to,
			    diff, sizeof diff));
			items[k] = chg[k];
		}
		if (k == 0)
			table_cell(t, "");
		else
			table_list(t, items, k);
		for (k = 0; k < d->nsilents && k < TOP; k++)
			items[k] = d->silents[k].name;
		if (k == 0)
			table_cell(t, "");
		else
			table_list(t, items, k);
		for (k = 0; k < d->nreasons; k++)
			items[k] = d->reasons[k];
		if (k == 0)
			table_cell(t, "");
		else
			table_list(t, items, k);
	}
	table_print_csv(t, f);
	table_free(t);
}

static void
json_totals(FILE *f, const struct totals *t)
{
	char b[FMT_NUM];

	fprintf(f, "\"reports\": %" PRId64 ", \"reporters\": %" PRId64
	    ", \"messages\": %" PRId64 ", \"dmarc_pass\": %" PRId64
	    ", \"pass_rate\": %s", t->reports, t->reporters, t->messages,
	    t->pass, fmt_fraction(t->pass, t->messages, b, sizeof b));
}

static void
json_sources(FILE *f, const char *key, const struct source *s, size_t n)
{
	char b[FMT_NUM];
	size_t i;

	fprintf(f, ", \"%s\": [", key);
	for (i = 0; i < n && i < TOP; i++) {
		fputs(i ? ", {\"source_ip\": " : "{\"source_ip\": ", f);
		json_string(f, s[i].ip);
		if (s[i].is_new)
			fprintf(f, ", \"first_seen\": \"%s\"",
			    fmt_day(s[i].first_day * UTC_DAY_SECONDS, b, sizeof b));
		fprintf(f, ", \"messages\": %" PRId64 ", \"dmarc_pass\": %"
		    PRId64 ", \"dmarc_fail\": %" PRId64 ", \"pass_rate\": %s, "
		    "\"new\": %s}", s[i].messages, s[i].pass,
		    s[i].messages - s[i].pass,
		    fmt_fraction(s[i].pass, s[i].messages, b, sizeof b),
		    s[i].is_new ? "true" : "false");
	}
	fprintf(f, "], \"%s_total\": %zu", key, n);
}

static void
print_json(const struct weekly *w, FILE *f)
{
	char b1[FMT_NUM], b2[FMT_NUM];
	size_t i, k;
	double pt;
	int ok;

	fprintf(f, "{\"week\": {\"start\": \"%s\", \"end\": \"%s\"}, ",
	    fmt_day(w->start, b1, sizeof b1),
	    fmt_day(w->end - UTC_DAY_SECONDS, b2, sizeof b2));
	fprintf(f, "\"previous\": {\"start\": \"%s\", \"end\": \"%s\"},\n",
	    fmt_day(w->start - WEEK_DAYS * UTC_DAY_SECONDS, b1, sizeof b1),
	    fmt_day(w->start - UTC_DAY_SECONDS, b2, sizeof b2));
	fputs(" \"domains\": [", f);
	for (i = 0; i < w->n; i++) {
		const struct domain_week *d = &w->d[i];

		fputs(i ? ",\n  {\"domain\": " : "\n  {\"domain\": ", f);
		json_string(f, d->name);
		fprintf(f, ", \"status\": \"%s\", \"reasons\": [",
		    d->nreasons ? "attention" : "ok");
		for (k = 0; k < d->nreasons; k++) {
			if (k)
				fputs(", ", f);
			json_string(f, d->reasons[k]);
		}
		fputs("], ", f);
		json_totals(f, &d->week);
		fputs(", \"previous\": {", f);
		json_totals(f, &d->prev);
		fputs("}, \"messages_change\": ", f);
		if (d->prev.messages > 0)
			fprintf(f, "%.4f", ((double)d->week.messages -
			    (double)d->prev.messages) / (double)d->prev.messages);
		else
			fputs("null", f);
		pt = rate_change(&d->week, &d->prev, &ok);
		fputs(", \"pass_rate_change\": ", f);
		if (ok)
			fprintf(f, "%.4f", pt / 100.0);
		else
			fputs("null", f);
		json_sources(f, "new_sources", d->new_src, d->n_new);
		fprintf(f, ", \"new_source_messages\": %" PRId64, d->new_messages);
		json_sources(f, "failing_sources", d->fail_src, d->n_fail);
		fprintf(f, ", \"failing_messages\": %" PRId64, d->fail_messages);
		fputs(", \"policy_changes\": [", f);
		for (k = 0; k < d->nchanges; k++) {
			fprintf(f, "%s{\"date\": \"%s\", \"reporters\": %" PRId64
			    ", \"from\": ", k ? ", " : "",
			    fmt_day(d->changes[k].date, b1, sizeof b1),
			    d->changes[k].reporters);
			putc('{', f);
			policy_json_members(f, &d->changes[k].from);
			fputs("}, \"to\": {", f);
			policy_json_members(f, &d->changes[k].to);
			fputs("}}", f);
		}
		fputs("], \"silent_reporters\": [", f);
		for (k = 0; k < d->nsilents; k++) {
			fputs(k ? ", {\"reporter\": " : "{\"reporter\": ", f);
			json_string(f, d->silents[k].name);
			fprintf(f, ", \"reports\": %" PRId64 ", \"messages\": %"
			    PRId64 ", \"last_report\": \"%s\"}",
			    d->silents[k].reports, d->silents[k].messages,
			    fmt_day(d->silents[k].last, b1, sizeof b1));
		}
		fputs("]}", f);
	}
	fputs(w->n ? "\n ]}\n" : "]}\n", f);
}

enum report_status
cmd_weekly(struct report_ctx *c)
{
	struct weekly w;
	enum report_status rc = RPT_ERROR;

	memset(&w, 0, sizeof w);
	if (find_week(c, &w) != 0)
		goto out;
	if (w.has_data && (load_domains(c, &w) != 0 || load_all(c, &w) != 0))
		goto out;
	switch (c->format) {
	case OUT_TEXT: print_text(&w, c, c->out); break;
	case OUT_CSV: print_csv(&w, c->out); break;
	case OUT_JSON: print_json(&w, c->out); break;
	}
	rc = RPT_OK;
	if (c->format == OUT_TEXT && w.n > 0) {
		/* and what advise says of each domain: tighten or not */
		const char **names = calloc(w.n, sizeof *names);
		size_t i;

		if (names == NULL) {
			rc = report_oom(c);
			goto out;
		}
		for (i = 0; i < w.n; i++)
			names[i] = w.d[i].name;
		fputs("\nAdvice (dmarc-report advise, last 30 days):\n", c->out);
		/* advise_verdicts: 0, or not with c->err set */
		if (advise_verdicts(c, names, w.n) != 0)
			rc = RPT_ERROR;
		free(names);
	}
out:
	weekly_free(&w);
	return rc;
}
