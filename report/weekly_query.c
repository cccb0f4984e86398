/* SPDX-License-Identifier: MIT */
/*
 * weekly_query.c: what `dmarc-report weekly` reads, into the structs of
 * weekly.h.  Per domain, a few indexed queries: the report table's totals
 * (reports, reporters, messages and DMARC passes of both weeks and per day
 * of the chart), source_day (new and failing source IPs), the published
 * policies (changes), reporters gone silent, the newest report
 * (stale_query); then two advise runs over all the domains (advise_load:
 * the 30 days that end with the week's last day, and a week earlier).
 * Never scans the record table.  No judgement, no output.
 *
 * New source IPs: a source_day row this week, none before it.  Failing
 * sources: messages - DMARC passes > 0 this week.  Both lists cut to
 * WEEKLY_TOP, with the counts of all.  Policy changes: a report whose
 * published policy differs from the previous report (within 4 weeks) of the
 * same reporter, grouped by (old, new) with the first date; for this week
 * and for the chart's 8 weeks.  Silent reporters: reported the previous
 * week, not this one.
 */
#include "weekly.h"

#include <stdlib.h>
#include <string.h>

#include "advise_query.h"
#include "derived.h"
#include "dm_array.h"
#include "fmt.h"

#define DAY UTC_DAY_SECONDS

/* Caps that stop runaway growth, past any real database: 16M rows (policy
 * domains, a domain's source IPs of the week), 1M entries in a domain's
 * lists (policy changes, silent reporters). */
#define WEEKLY_MAX_ROWS	(1 << 24)
#define WEEKLY_MAX_LIST	(1 << 20)

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

void
weekly_free(struct weekly *w)
{
	size_t i;

	for (i = 0; i < w->n; i++) {
		free(w->d[i].name);
		free(w->d[i].new_src);
		free(w->d[i].fail_src);
		free(w->d[i].changes);
		free(w->d[i].marks);
		free(w->d[i].silents);
	}
	free(w->d);
	advice_free(&w->now);
	advice_free(&w->before);
	memset(w, 0, sizeof *w);
}

/* Every domain with a report before the week's end (the --domain ones). */
static int
load_domains(struct report_ctx *c, struct weekly *w)
{
	struct report_ctx dc = *c;
	char where[1024], sql[1536];
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc = -1, s;

	dc.windowed = 0;	/* the --domain condition alone */
	filter_sql(&dc, "r", where, sizeof where);
	snprintf(sql, sizeof sql, "SELECT DISTINCT r.domain FROM report r"
	    " WHERE r.date_begin < ?%s ORDER BY 1", where);
	if ((st = report_prepare(c, sql)) == NULL)
		goto out;
	sqlite3_bind_int64(st, 1, w->end);
	filter_bind(&dc, st, 2);
	while ((s = step(c, st)) == SQLITE_ROW) {
		if (dm_array_reserve(&w->d, &cap, w->n + 1, sizeof *w->d,
		    WEEKLY_MAX_ROWS) != 0)
			goto oom;
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
	(void)report_oom(c);
out:
	sqlite3_finalize(st);
	return rc;
}

static int
load_totals(struct report_ctx *c, sqlite3_stmt *st, const char *domain,
    int64_t start, int64_t end, struct weekly_totals *t)
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

/* Messages and passes per UTC day of the chart, from the report totals. */
static int
load_days(struct report_ctx *c, sqlite3_stmt *st, const struct weekly *w,
    struct weekly_domain *d)
{
	int64_t first = utc_day(w->chart_start);
	int rc = -1, s;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, d->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, w->chart_start);
	sqlite3_bind_int64(st, 3, w->end);
	while ((s = step(c, st)) == SQLITE_ROW) {
		int64_t k = sqlite3_column_int64(st, 0) - first;

		if (k < 0 || k >= WEEKLY_CHART_DAYS)
			continue;
		d->days[k].messages = sqlite3_column_int64(st, 1);
		d->days[k].pass = sqlite3_column_int64(st, 2);
	}
	rc = s < 0 ? -1 : 0;
	sqlite3_reset(st);
	return rc;
}

static int
by_messages(const void *a, const void *b)
{
	const struct weekly_source *x = a, *y = b;

	if (x->messages != y->messages)
		return x->messages > y->messages ? -1 : 1;
	return strcmp(x->ip, y->ip);
}

static int
by_failing(const void *a, const void *b)
{
	const struct weekly_source *x = a, *y = b;
	int64_t fx = x->messages - x->pass, fy = y->messages - y->pass;

	if (fx != fy)
		return fx > fy ? -1 : 1;
	return strcmp(x->ip, y->ip);
}

/* Copies the first WEEKLY_TOP of n sources sorted by cmp. */
static struct weekly_source *
top_of(struct weekly_source *all, size_t n,
    int (*cmp)(const void *, const void *))
{
	struct weekly_source *top;
	size_t k = n < WEEKLY_TOP ? n : WEEKLY_TOP;

	if (n > 1)	/* qsort wants a non-NULL base */
		qsort(all, n, sizeof *all, cmp);
	if ((top = calloc(k ? k : 1, sizeof *top)) != NULL && k > 0)
		memcpy(top, all, k * sizeof *top);
	return top;
}

/* New and failing source IPs of the week, from source_day. */
static int
load_sources(struct report_ctx *c, sqlite3_stmt *st, const struct weekly *w,
    struct weekly_domain *d)
{
	struct weekly_source *all = NULL, *nw = NULL, *fl = NULL;
	size_t n = 0, cap = 0, nnew = 0, nfail = 0, i;
	int rc = -1, s;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, d->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, utc_day(w->start));
	sqlite3_bind_int64(st, 3, utc_day(w->end));
	while ((s = step(c, st)) == SQLITE_ROW) {
		struct weekly_source *x;

		if (dm_array_reserve(&all, &cap, n + 1, sizeof *all,
		    WEEKLY_MAX_ROWS) != 0)
			goto oom;
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
	(void)report_oom(c);
out:
	sqlite3_reset(st);
	free(all);
	free(nw);
	free(fl);
	return rc;
}

/*
 * Policy changes from `since` to `end`: each reporter's reports in time
 * order; one that differs from the reporter's previous one is a change.
 */
static int
load_changes(struct report_ctx *c, sqlite3_stmt *st, const char *domain,
    int64_t since, int64_t end, struct weekly_change **out, size_t *nout)
{
	char *reporter = NULL;
	struct policy prev, cur;
	size_t cap = 0, k;
	int have_prev = 0, rc = -1, s;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, since - WEEKLY_LOOKBACK_DAYS * DAY);
	sqlite3_bind_int64(st, 3, end);
	while ((s = step(c, st)) == SQLITE_ROW) {
		int64_t begin = sqlite3_column_int64(st, 1);

		if (reporter == NULL || strcmp(reporter, col_text(st, 0)) != 0) {
			free(reporter);
			if ((reporter = strdup(col_text(st, 0))) == NULL)
				goto oom;
			have_prev = 0;
		}
		policy_read(&cur, st, 2);
		if (have_prev && begin >= since && !policy_same(&prev, &cur)) {
			for (k = 0; k < *nout; k++)
				if (policy_same(&(*out)[k].from, &prev) &&
				    policy_same(&(*out)[k].to, &cur))
					break;
			if (k == *nout) {
				if (dm_array_reserve(out, &cap, k + 1,
				    sizeof **out, WEEKLY_MAX_LIST) != 0)
					goto oom;
				(*out)[k].from = prev;
				(*out)[k].to = cur;
				(*out)[k].date = begin;
				(*out)[k].reporters = 0;
				(*nout)++;
			}
			if (begin < (*out)[k].date)
				(*out)[k].date = begin;
			(*out)[k].reporters++;
		}
		prev = cur;
		have_prev = 1;
	}
	if (s < 0)
		goto out;
	rc = 0;
	goto out;
oom:
	(void)report_oom(c);
out:
	sqlite3_reset(st);
	free(reporter);
	return rc;
}

static int
load_silent(struct report_ctx *c, sqlite3_stmt *st, const struct weekly *w,
    struct weekly_domain *d)
{
	size_t cap = 0;
	int rc = -1, s;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, d->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, w->start - WEEK_DAYS * DAY);
	sqlite3_bind_int64(st, 3, w->start);
	sqlite3_bind_int64(st, 4, w->end);
	while ((s = step(c, st)) == SQLITE_ROW) {
		struct weekly_silent *x;

		if (dm_array_reserve(&d->silents, &cap, d->nsilents + 1,
		    sizeof *d->silents, WEEKLY_MAX_LIST) != 0)
			goto oom;
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
	(void)report_oom(c);
out:
	sqlite3_reset(st);
	return rc;
}

/* The figures of every domain. */
static int
load_figures(struct report_ctx *c, struct weekly *w)
{
	sqlite3_stmt *tot = NULL, *src = NULL, *chg = NULL, *sil = NULL;
	sqlite3_stmt *day = NULL;
	size_t i;
	int rc = -1;

	tot = report_prepare(c, "SELECT count(*),"
	    " count(DISTINCT ifnull(org_name, '')),"
	    " ifnull(sum(message_count), 0), ifnull(sum(dmarc_pass), 0)"
	    " FROM report WHERE domain = ? AND date_begin >= ?"
	    " AND date_begin < ?");
	day = report_prepare(c, "SELECT " SQL_UTC_DAY(date_begin) ","
	    " sum(message_count), sum(dmarc_pass) FROM report"
	    " WHERE domain = ? AND date_begin >= ? AND date_begin < ?"
	    " GROUP BY 1");
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
	if (tot == NULL || day == NULL || src == NULL || chg == NULL ||
	    sil == NULL)
		goto out;
	for (i = 0; i < w->n; i++) {
		struct weekly_domain *d = &w->d[i];

		if (load_totals(c, tot, d->name, w->start, w->end, &d->week) ||
		    load_totals(c, tot, d->name, w->start - WEEK_DAYS * DAY,
		    w->start, &d->prev) || load_days(c, day, w, d) ||
		    load_silent(c, sil, w, d) ||
		    load_changes(c, chg, d->name, w->start, w->end, &d->changes,
		    &d->nchanges) ||
		    load_changes(c, chg, d->name, w->chart_start, w->end,
		    &d->marks, &d->nmarks) ||
		    load_sources(c, src, w, d) ||
		    stale_query(c, d->name, w->end, &d->has_newest,
		    &d->newest_day) != RPT_OK)
			goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(tot);
	sqlite3_finalize(day);
	sqlite3_finalize(src);
	sqlite3_finalize(chg);
	sqlite3_finalize(sil);
	return rc;
}

/* advise over the 30 days that end with the UTC day `last_day` (epoch of
 * its midnight) for every domain, from the DNS cache alone. */
static int
advise_at(struct report_ctx *c, const struct weekly *w, int64_t last_day,
    struct advice *a)
{
	struct report_ctx x = *c;
	const char **names;
	size_t i;
	int rc;

	if ((names = calloc(w->n ? w->n : 1, sizeof *names)) == NULL)
		return report_oom(c), -1;
	for (i = 0; i < w->n; i++)
		names[i] = w->d[i].name;
	memset(a, 0, sizeof *a);
	advise_thresholds_default(&a->t);
	x.domains = names;
	x.ndomains = w->n;
	x.windowed = 0;
	x.since = INT64_MIN;
	x.until = INT64_MAX;
	x.today = last_day;
	x.no_dns = 1;	/* the cron mail never waits for DNS */
	x.err[0] = '\0';
	rc = advise_load(&x, &x, a);
	if (rc != 0 && !c->err[0])
		memcpy(c->err, x.err, sizeof c->err);
	free(names);
	return rc == 0 ? 0 : -1;
}

static const struct adv_domain *
advice_of(const struct advice *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (strcmp(a->d[i].name, name) == 0)
			return &a->d[i];
	return NULL;
}

enum report_status
weekly_query(struct report_ctx *c, struct weekly *w)
{
	int64_t last;
	size_t i;

	memset(w, 0, sizeof *w);
	w->today = c->today;
	w->end = c->today;
	if (c->windowed && c->until < w->end)
		w->end = c->until;
	w->start = w->end - WEEK_DAYS * DAY;
	w->chart_start = w->end - WEEKLY_CHART_DAYS * DAY;
	if (load_domains(c, w) != 0 || load_figures(c, w) != 0)
		return RPT_ERROR;
	if (w->n == 0)
		return RPT_OK;
	last = w->end - DAY;
	if (advise_at(c, w, last, &w->now) != 0 ||
	    advise_at(c, w, last - WEEK_DAYS * DAY, &w->before) != 0)
		return RPT_ERROR;
	for (i = 0; i < w->n; i++) {
		w->d[i].adv = advice_of(&w->now, w->d[i].name);
		w->d[i].adv_before = advice_of(&w->before, w->d[i].name);
	}
	return RPT_OK;
}
