/* SPDX-License-Identifier: MIT */
/*
 * advise_query.c: what `dmarc-report advise` reads from the database, as
 * the plain structs of advise.h: per policy domain its reporters, days
 * covered and latest published policy, per source IP its totals per UTC
 * day, the raw SPF/DKIM results of its rows, and the header From
 * subdomains.
 * A few grouped queries over the window, never one query per IP, and
 * never over the records: the reports' own rows, and source_auth (the
 * records of a source and day that read alike, added up by dmarc-ingest;
 * schema.sql), whose JSON lists of raw results json_each opens.
 */
#include "advise_query.h"
#include "derived.h"

#include <stdlib.h>
#include <string.h>

#include "dm_array.h"
#include "fmt.h"

#define DEFAULT_DAYS 30		/* the window without --since/--until/--last */

/* Caps that stop runaway growth, past any real database: 16M rows (policy
 * domains, a domain's source IPs), 1M entries in a source's or domain's
 * lists (days of the window, raw results, selectors, subdomains). */
#define ADVISE_MAX_ROWS	(1 << 24)
#define ADVISE_MAX_LIST	(1 << 20)

/* A text column, SQL NULL as "": here NULL only means out of memory. */
static char *
dup_col(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return strdup(s != NULL ? (const char *)s : "");
}

/*
 * Room for element n of the array at arrp (a T **, as dm_array_reserve
 * takes it), capped at max, the new elements zeroed (the structs' counts
 * and lists start empty): 0, or -1 out of memory or too many.
 */
static int
grow(void *arrp, size_t *cap, size_t n, size_t size, size_t max)
{
	size_t old = *cap;
	char *p;

	if (dm_array_reserve(arrp, cap, n + 1, size, max) != 0)
		return -1;
	memcpy(&p, arrp, sizeof p);
	memset(p + old * size, 0, (*cap - old) * size);
	return 0;
}

static struct adv_domain *
find_domain(struct advice *a, const char *name)
{
	size_t lo = 0, hi = a->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(name, a->d[mid].name);

		if (cmp == 0)
			return &a->d[mid];
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static struct adv_source *
find_source(struct adv_domain *d, const char *ip)
{
	size_t lo = 0, hi = d->nsrc;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(ip, d->src[mid].ip);

		if (cmp == 0)
			return &d->src[mid];
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static int
policy_value(const unsigned char *s, enum advise_policy_value dflt)
{
	int v = advise_policy_parse((const char *)s);

	return v < 0 ? (int)dflt : v;
}

/*
 * Runs sql with the window's filter bound nfilter times (once per "%s" it
 * was built with) and hands each row to fn, which returns 0 or a status
 * (2 with c->err set) that stops the query.  0, or 2 with c->err set.
 */
typedef int (*row_fn)(struct report_ctx *c, struct advice *a, sqlite3_stmt *st);

static int
each_row_how(struct report_ctx *c, struct advice *a, const char *sql,
    int nfilter, row_fn fn, int days)
{
	sqlite3_stmt *st;
	int rc, at = 1, i;

	if ((st = report_prepare(c, sql)) == NULL)
		return 2;
	for (i = 0; i < nfilter; i++)
		at = days ? filter_bind_days(c, st, at) : filter_bind(c, st, at);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((rc = fn(c, a, st)) != 0) {
			sqlite3_finalize(st);
			return rc;
		}
	rc = report_step_done(c, rc);
	sqlite3_finalize(st);
	return rc;
}

/* each_row_how over the reports' date_begin (filter_sql), or over the
 * days of source_auth (filter_sql_days). */
static int
each_row(struct report_ctx *c, struct advice *a, const char *sql, int nfilter,
    row_fn fn)
{
	return each_row_how(c, a, sql, nfilter, fn, 0);
}

static int
each_row_days(struct report_ctx *c, struct advice *a, const char *sql,
    int nfilter, row_fn fn)
{
	return each_row_how(c, a, sql, nfilter, fn, 1);
}

static int
domains_row(struct report_ctx *c, struct advice *a, sqlite3_stmt *st)
{
	struct adv_domain *d;

	if (grow(&a->d, &a->cap, a->n, sizeof *a->d, ADVISE_MAX_ROWS) != 0)
		return report_oom(c);
	d = &a->d[a->n++];
	d->name = dup_col(st, 0);
	d->reporters = sqlite3_column_int64(st, 1);
	d->cover_end = INT64_MIN;
	if (d->name == NULL)
		return report_oom(c);
	return 0;
}

/* The domains and their reporters, in name order. */
static int
load_domains(struct report_ctx *c, struct advice *a)
{
	char filter[1024], sql[2048];

	filter_sql(c, "r", filter, sizeof filter);
	snprintf(sql, sizeof sql,
	    "SELECT r.domain, count(DISTINCT ifnull(r.org_name, ''))"
	    " FROM report r WHERE 1 = 1%s GROUP BY r.domain ORDER BY r.domain",
	    filter);
	return each_row(c, a, sql, 1, domains_row);
}

/*
 * Per domain, in the order of the reports' first day: the distinct UTC days
 * their date ranges cover inside the window, and the policy of the latest
 * report (the last row).
 */
static int
load_reports(struct report_ctx *c, struct advice *a)
{
	char filter[1024], sql[2048];
	sqlite3_stmt *st;
	int64_t wfirst = utc_day(a->since), wlast = utc_day(a->until - 1);
	int rc;

	filter_sql(c, "r", filter, sizeof filter);
	snprintf(sql, sizeof sql,
	    "SELECT r.domain, r.date_begin, r.date_end, r.p, r.sp, r.np, r.pct,"
	    " r.adkim, r.aspf, r.testing FROM report r WHERE 1 = 1%s"
	    " ORDER BY r.domain, r.date_begin, r.id", filter);
	if ((st = report_prepare(c, sql)) == NULL)
		return 2;
	filter_bind(c, st, 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct adv_domain *d = find_domain(a,
		    (const char *)sqlite3_column_text(st, 0));
		int64_t b = sqlite3_column_int64(st, 1);
		int64_t e = sqlite3_column_int64(st, 2);
		int64_t first = utc_day(b);
		int64_t last = e > b ? utc_day(e - 1) : first;
		const unsigned char *t;

		if (d == NULL)
			continue;
		if (last > wlast)
			last = wlast;
		if (first < wfirst)
			first = wfirst;
		if (d->cover_end != INT64_MIN && first <= d->cover_end)
			first = d->cover_end + 1;
		if (last >= first) {
			d->days += last - first + 1;
			d->cover_end = last;
		}
		d->last_begin = b;
		d->has_seen = 1;
		d->seen.p = (enum advise_policy_value)policy_value(
		    sqlite3_column_text(st, 3), ADV_NONE);
		d->seen.sp = (enum advise_policy_value)policy_value(
		    sqlite3_column_text(st, 4), d->seen.p);
		d->seen.np = (enum advise_policy_value)policy_value(
		    sqlite3_column_text(st, 5), d->seen.sp);
		d->seen_has_pct = sqlite3_column_type(st, 6) != SQLITE_NULL;
		d->seen.pct = d->seen_has_pct ? sqlite3_column_int(st, 6) : 100;
		if (d->seen.pct < 0 || d->seen.pct > 100)
			d->seen.pct = 100;
		t = sqlite3_column_text(st, 7);
		d->seen.adkim_strict = t != NULL && (t[0] == 's' || t[0] == 'S');
		t = sqlite3_column_text(st, 8);
		d->seen.aspf_strict = t != NULL && (t[0] == 's' || t[0] == 'S');
		t = sqlite3_column_text(st, 9);
		d->seen.testing = t != NULL && (t[0] == 'y' || t[0] == 'Y');
	}
	rc = report_step_done(c, rc);
	sqlite3_finalize(st);
	return rc;
}

/*
 * SQL over a source_auth row `sa`: it passes DMARC (schema/derived.h); its
 * header From is below the policy domain.
 */
#define SQL_PASS SQL_DMARC_PASS("sa.")
/* A JSON list of source_auth (sa.spf, sa.dkim: [[domain, x, result], ...])
 * holds a result "pass": exactly when its text holds ,"pass"] (a '"' inside
 * a JSON string is escaped, so that text is a result closing its triple);
 * json_each over each row cost a tenth of a second per 80,000 rows. */
#define SQL_HAS_PASS(col) "instr(" col ", ',\"pass\"]') > 0"
/* The policy domains as a constraint on the first column of source_auth's
 * key, so that the window's days are a range of it for each domain (a
 * plain day condition would read the whole table). */
#define SQL_SA_DOMAINS " AND sa.domain IN (SELECT DISTINCT domain FROM report)"
#define SQL_SUB "(length(sa.header_from) > length(sa.domain) AND" \
	" substr(lower(sa.header_from), -length(sa.domain) - 1) = '.' || sa.domain)"

static int
add64(struct report_ctx *c, int64_t *sum, int64_t v)
{
	if (__builtin_add_overflow(*sum, v, sum)) {
		snprintf(c->err, sizeof c->err, "message totals overflow 64 bits");
		return -1;
	}
	return 0;
}

/* Adds one day row to a source (and its domain); -1 on overflow. */
static int
add_day(struct report_ctx *c, struct adv_domain *d, struct adv_source *s,
    sqlite3_stmt *st)
{
	struct advise_day *y = &s->days[s->ndays++];
	int64_t v[8];
	int i;

	for (i = 0; i < 8; i++)
		v[i] = sqlite3_column_int64(st, 3 + i);
	y->day = sqlite3_column_int64(st, 2);
	y->messages = v[0];
	y->pass = v[1];
	y->fail_sub = v[4];
	y->blocked = v[7];
	if (add64(c, &s->messages, v[0]) || add64(c, &s->pass, v[1]) ||
	    add64(c, &s->overridden, v[2]) ||
	    add64(c, &s->authenticated, v[3]) ||
	    add64(c, &s->fail_sub, v[4]) || add64(c, &s->spf_aligned, v[5]) ||
	    add64(c, &s->dkim_aligned, v[6]) || add64(c, &s->blocked, v[7]) ||
	    add64(c, &d->messages, v[0]) || add64(c, &d->pass, v[1]))
		return -1;
	return 0;
}

/*
 * Per domain, source IP and UTC day: messages, passes, failing messages
 * with an override reason or arc=pass, failing messages authenticated for
 * any domain (a raw SPF or DKIM pass), failing messages from subdomains,
 * SPF and DKIM aligned passes, failing messages quarantined or rejected.
 */
static int
load_sources(struct report_ctx *c, struct advice *a)
{
	char filter[1024], sql[4096];
	sqlite3_stmt *st;
	struct adv_source *s = NULL;
	int rc;

	filter_sql_days(c, "sa", filter, sizeof filter);
	snprintf(sql, sizeof sql,
	    "SELECT sa.domain, sa.source_ip, sa.day, sum(sa.messages),"
	    " sum(CASE WHEN " SQL_PASS " THEN sa.messages ELSE 0 END),"
	    " sum(CASE WHEN NOT " SQL_PASS " AND sa.overridden"
	    "  THEN sa.messages ELSE 0 END),"
	    " sum(CASE WHEN NOT " SQL_PASS " AND (" SQL_HAS_PASS("sa.spf")
	    "  OR " SQL_HAS_PASS("sa.dkim") ") THEN sa.messages ELSE 0 END),"
	    " sum(CASE WHEN NOT " SQL_PASS " AND " SQL_SUB
	    "  THEN sa.messages ELSE 0 END),"
	    " sum(CASE WHEN sa.spf_aligned = 'pass' THEN sa.messages ELSE 0 END),"
	    " sum(CASE WHEN sa.dkim_aligned = 'pass' THEN sa.messages ELSE 0 END),"
	    " sum(CASE WHEN NOT " SQL_PASS " AND sa.disposition IN"
	    "  ('quarantine', 'reject') THEN sa.messages ELSE 0 END)"
	    " FROM source_auth sa WHERE 1 = 1" SQL_SA_DOMAINS "%s"
	    " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3", filter);
	if ((st = report_prepare(c, sql)) == NULL)
		return 2;
	filter_bind_days(c, st, 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct adv_domain *d = find_domain(a,
		    (const char *)sqlite3_column_text(st, 0));
		const char *ip = (const char *)sqlite3_column_text(st, 1);

		if (d == NULL || ip == NULL)
			continue;
		s = d->nsrc ? &d->src[d->nsrc - 1] : NULL;
		if (s == NULL || strcmp(s->ip, ip) != 0) {
			if (grow(&d->src, &d->capsrc, d->nsrc, sizeof *d->src,
			    ADVISE_MAX_ROWS) != 0)
				goto oom;
			s = &d->src[d->nsrc++];
			if ((s->ip = strdup(ip)) == NULL)
				goto oom;
		}
		if (grow(&s->days, &s->capdays, s->ndays, sizeof *s->days,
		    ADVISE_MAX_LIST) != 0)
			goto oom;
		if (add_day(c, d, s, st) != 0) {
			sqlite3_finalize(st);
			return 2;
		}
	}
	rc = report_step_done(c, rc);
	sqlite3_finalize(st);
	return rc;
oom:
	sqlite3_finalize(st);
	return report_oom(c);
}

static int
results_row(struct report_ctx *c, struct advice *a, sqlite3_stmt *st)
{
	struct adv_domain *d = find_domain(a,
	    (const char *)sqlite3_column_text(st, 0));
	struct adv_source *s;
	struct adv_result *r;

	if (d == NULL || (s = find_source(d,
	    (const char *)sqlite3_column_text(st, 1))) == NULL)
		return 0;
	if (grow(&s->res, &s->capres, s->nres, sizeof *s->res,
	    ADVISE_MAX_LIST) != 0)
		return report_oom(c);
	r = &s->res[s->nres++];
	r->dkim = sqlite3_column_int(st, 2);
	r->res = dup_col(st, 3);
	r->dom = dup_col(st, 4);
	r->messages = sqlite3_column_int64(st, 5);
	r->failing = sqlite3_column_int(st, 6);
	if (r->res == NULL || r->dom == NULL)
		return report_oom(c);
	return 0;
}

/*
 * SQL: the result x of a source_auth row's list `col` is the first of the
 * list with its result and domain (lowercase), so that a record counts
 * once per (kind, result, domain).
 */
#define SQL_FIRST(col) "NOT EXISTS (SELECT 1 FROM json_each(" col ") y" \
	" WHERE y.key < x.key AND y.value ->> 2 IS x.value ->> 2 AND" \
	" lower(y.value ->> 0) IS lower(x.value ->> 0))"

/*
 * The raw SPF and DKIM results of each source's rows, failing and passing
 * apart, a record counted once per (kind, result, domain).  The window's
 * rows are read once and added up per source and pair of lists (a
 * source's rows mostly share a few), so that json_each opens each list
 * once, not once per day.
 */
static int
load_results(struct report_ctx *c, struct advice *a)
{
	char filter[1024], sql[4096];

	filter_sql_days(c, "sa", filter, sizeof filter);
	snprintf(sql, sizeof sql,
	    "WITH g AS MATERIALIZED ("
	    " SELECT sa.domain AS dom, sa.source_ip AS ip, sa.spf AS spf,"
	    "  sa.dkim AS dkim, NOT " SQL_PASS " AS failing,"
	    "  sum(sa.messages) AS n FROM source_auth sa WHERE 1 = 1"
	    SQL_SA_DOMAINS "%s GROUP BY 1, 2, 3, 4, 5)"
	    " SELECT dom, ip, kind, res, ad, sum(n), failing FROM ("
	    " SELECT g.dom AS dom, g.ip AS ip, 0 AS kind,"
	    "  x.value ->> 2 AS res, lower(x.value ->> 0) AS ad, g.n AS n,"
	    "  g.failing AS failing FROM g, json_each(g.spf) x"
	    "  WHERE " SQL_FIRST("g.spf")
	    " UNION ALL"
	    " SELECT g.dom, g.ip, 1, x.value ->> 2, lower(x.value ->> 0), g.n,"
	    "  g.failing FROM g, json_each(g.dkim) x"
	    "  WHERE " SQL_FIRST("g.dkim") ")"
	    " GROUP BY dom, ip, failing, kind, res, ad"
	    " ORDER BY dom, ip, kind, 6 DESC, res, ad, failing", filter);
	return each_row_days(c, a, sql, 1, results_row);
}

static int
selectors_row(struct report_ctx *c, struct advice *a, sqlite3_stmt *st)
{
	struct adv_domain *d = find_domain(a,
	    (const char *)sqlite3_column_text(st, 0));
	struct adv_source *s;
	struct adv_selector *x;

	if (d == NULL || (s = find_source(d,
	    (const char *)sqlite3_column_text(st, 1))) == NULL)
		return 0;
	if (grow(&s->sels, &s->capsels, s->nsels, sizeof *s->sels,
	    ADVISE_MAX_LIST) != 0)
		return report_oom(c);
	x = &s->sels[s->nsels++];
	x->dom = dup_col(st, 2);
	x->sel = dup_col(st, 3);
	x->first = sqlite3_column_int64(st, 4);
	x->last = sqlite3_column_int64(st, 5);
	x->messages = sqlite3_column_int64(st, 6);
	x->pass = sqlite3_column_int64(st, 7);
	if (x->dom == NULL || x->sel == NULL)
		return report_oom(c);
	return 0;
}

/* The DKIM selectors of each source's mail: first and last UTC day,
 * messages, and messages whose DKIM result was pass (the rows added up per
 * source and DKIM list first, as in load_results). */
static int
load_selectors(struct report_ctx *c, struct advice *a)
{
	char filter[1024], sql[2048];

	filter_sql_days(c, "sa", filter, sizeof filter);
	snprintf(sql, sizeof sql,
	    "SELECT g.dom, g.ip, lower(ifnull(x.value ->> 0, '')),"
	    " ifnull(x.value ->> 1, ''), min(g.first), max(g.last),"
	    " sum(g.n), sum(CASE WHEN x.value ->> 2 = 'pass' THEN g.n"
	    " ELSE 0 END) FROM ("
	    " SELECT sa.domain AS dom, sa.source_ip AS ip, sa.dkim AS sa_list,"
	    "  min(sa.day) AS first, max(sa.day) AS last, sum(sa.messages) AS n"
	    "  FROM source_auth sa WHERE 1 = 1" SQL_SA_DOMAINS "%s"
	    "  GROUP BY 1, 2, 3) g, json_each(g.sa_list) x"
	    " GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 5, 3, 4", filter);
	return each_row_days(c, a, sql, 1, selectors_row);
}

static int
subdomains_row(struct report_ctx *c, struct advice *a, sqlite3_stmt *st)
{
	struct adv_domain *d = find_domain(a,
	    (const char *)sqlite3_column_text(st, 0));
	struct adv_sub *s;

	if (d == NULL)
		return 0;
	if (grow(&d->sub, &d->capsub, d->nsub, sizeof *d->sub,
	    ADVISE_MAX_LIST) != 0)
		return report_oom(c);
	s = &d->sub[d->nsub++];
	s->name = dup_col(st, 1);
	s->messages = sqlite3_column_int64(st, 2);
	s->fail = sqlite3_column_int64(st, 3);
	if (s->name == NULL)
		return report_oom(c);
	return 0;
}

/* The header From domains below each policy domain, most messages first. */
static int
load_subdomains(struct report_ctx *c, struct advice *a)
{
	char filter[1024], sql[2048];

	filter_sql_days(c, "sa", filter, sizeof filter);
	snprintf(sql, sizeof sql,
	    "SELECT sa.domain, lower(sa.header_from), sum(sa.messages),"
	    " sum(CASE WHEN " SQL_PASS " THEN 0 ELSE sa.messages END)"
	    " FROM source_auth sa"
	    " WHERE " SQL_SUB SQL_SA_DOMAINS "%s GROUP BY 1, 2"
	    " ORDER BY 1, 3 DESC, 2", filter);
	return each_row_days(c, a, sql, 1, subdomains_row);
}

int
advise_query(const struct report_ctx *c, struct report_ctx *w, struct advice *a)
{
	int rc;

	/* the default window: the last 30 days, today included */
	if (!w->windowed) {
		w->until = c->today + UTC_DAY_SECONDS;
		w->since = w->until - (int64_t)DEFAULT_DAYS * UTC_DAY_SECONDS;
		w->windowed = 1;
	}
	a->since = w->since;
	a->until = w->until;
	if ((rc = load_domains(w, a)) != 0)
		return rc;
	if (a->n > 0 && a->since == INT64_MIN) {
		/* --until alone: the window starts with the first report */
		sqlite3_stmt *st = report_prepare(w, "SELECT min(date_begin) FROM report");
		if (st == NULL)
			return 2;
		if (sqlite3_step(st) == SQLITE_ROW)
			a->since = utc_day(sqlite3_column_int64(st, 0)) * UTC_DAY_SECONDS;
		sqlite3_finalize(st);
	}
	if (a->until == INT64_MAX)
		a->until = c->today + UTC_DAY_SECONDS;
	if ((rc = load_reports(w, a)) != 0 || (rc = load_sources(w, a)) != 0 ||
	    (rc = load_results(w, a)) != 0 ||
	    (rc = load_subdomains(w, a)) != 0 ||
	    (a->want_selectors && (rc = load_selectors(w, a)) != 0))
		return rc;
	return 0;
}
