/* SPDX-License-Identifier: MIT */
/*
 * cmd_advise.c: the advise command: per policy domain over the window
 * (default the last 30 days ending today), the source IPs by class, what
 * p=quarantine and p=reject would have hit, the verdict (at-reject,
 * insufficient-data, not-ready with its blockers, ready) and the record to
 * publish next.  Reads the window's records in a few grouped queries (per
 * domain and IP; the raw SPF/DKIM results of the failing rows; subdomain
 * From domains), never one query per IP; the judgement is in advise.c.
 *
 * Subdomains: mail whose header From is below the policy domain is
 * judged by sp.  np (non-existent subdomains) cannot be told apart in
 * reports, so every subdomain is treated as existing.
 */
#include "report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "advise.h"
#include "derived.h"
#include "fmt.h"
#include "json_out.h"
#include "lint.h"
#include "names.h"
#include "orgdomain.h"
#include "table.h"

#define DEFAULT_DAYS 30		/* the window without --since/--until/--last */
#define TEXT_BLOCKER_IPS 5	/* text: IPs listed per blocker group */
#define TEXT_LIST_IPS 3		/* text: IPs named per class or impact line */
#define TEXT_BLOCKER_GROUPS 4	/* text: blocker groups (same why and fix) shown */

enum verdict { V_AT_REJECT, V_INSUFFICIENT, V_NOT_READY, V_READY };
static const char *const verdict_names[] = {
	"at-reject", "insufficient-data", "not-ready", "ready",
};

/* The impact buckets, in JSON order. */
enum bucket { B_LEGIT, B_FORWARDED, B_UNAUTH, B_N };
static const char *const bucket_names[B_N] = {
	"legitimate", "forwarded", "unauthenticated",
};

/* One raw SPF or DKIM result seen in a source's failing rows. */
struct result {
	int dkim;		/* 0: SPF, 1: DKIM */
	char *res, *dom;
	int64_t messages;
};

struct source {
	char *ip;
	int64_t messages, pass, overridden, authenticated, fail_sub;
	enum advise_class cls;
	int64_t hit[2];		/* failing messages hit: quarantine, reject */
	struct result *res;
	size_t nres, capres;
	char *reason, *fix;	/* blockers only */
	char ptr[256];		/* blockers only: reverse DNS, or "" */
	const char *sender;	/* blockers only: the sender's name, or NULL */
};

struct subname {
	char *name;
	int64_t messages, fail;
};

struct domain {
	char *name;
	int64_t messages, pass, reporters, days, cover_end, last_begin;
	/* the latest report's policy */
	struct advise_policy seen;
	int has_seen, seen_has_pct;
	struct source *src;
	size_t nsrc, capsrc;
	struct subname *sub;
	size_t nsub, capsub;
	/* the judgement */
	struct advise_policy now, scen[2], next;
	int from_record;
	enum verdict verdict;
	int step;			/* scenario of the next step: 0 or 1 */
	int64_t impact[2][B_N];
	int64_t by_class[ADV_NCLASS][3];	/* sources, messages, failing */
	size_t *blk;
	size_t nblk;
	char record[1024];
};

struct advice {
	struct domain *d;
	size_t n, cap;
	struct advise_thresholds t;
	struct lint_result lint;
	int has_lint;
	int64_t since, until;		/* the window */
};

/* A text column, SQL NULL as "": here NULL only means out of memory. */
static char *
dup_col(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return strdup(s != NULL ? (const char *)s : "");
}

static int
grow(void **v, size_t *cap, size_t n, size_t size)
{
	size_t nc;
	void *p;

	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : 16;
	if ((p = realloc(*v, nc * size)) == NULL)
		return -1;
	memset((char *)p + *cap * size, 0, (nc - *cap) * size);
	*v = p;
	*cap = nc;
	return 0;
}

static void
advice_free(struct advice *a)
{
	size_t i, j, k;

	for (i = 0; i < a->n; i++) {
		struct domain *d = &a->d[i];

		for (j = 0; j < d->nsrc; j++) {
			for (k = 0; k < d->src[j].nres; k++) {
				free(d->src[j].res[k].res);
				free(d->src[j].res[k].dom);
			}
			free(d->src[j].res);
			free(d->src[j].ip);
			free(d->src[j].reason);
			free(d->src[j].fix);
		}
		for (j = 0; j < d->nsub; j++)
			free(d->sub[j].name);
		free(d->src);
		free(d->sub);
		free(d->blk);
		free(d->name);
	}
	free(a->d);
	if (a->has_lint)
		lint_free(&a->lint);
}

static struct domain *
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

static struct source *
find_source(struct domain *d, const char *ip)
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

/* The domains and their reporters, in name order. */
static int
load_domains(struct report_ctx *c, struct advice *a)
{
	char filter[1024], sql[2048];
	sqlite3_stmt *st;
	int rc;

	filter_sql(c, "r", filter, sizeof filter);
	snprintf(sql, sizeof sql,
	    "SELECT r.domain, count(DISTINCT ifnull(r.org_name, ''))"
	    " FROM report r WHERE 1 = 1%s GROUP BY r.domain ORDER BY r.domain",
	    filter);
	if ((st = report_prepare(c, sql)) == NULL)
		return 2;
	filter_bind(c, st, 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct domain *d;

		if (grow((void **)&a->d, &a->cap, a->n, sizeof *a->d) != 0) {
			sqlite3_finalize(st);
			return report_oom(c);
		}
		d = &a->d[a->n++];
		d->name = dup_col(st, 0);
		d->reporters = sqlite3_column_int64(st, 1);
		d->cover_end = INT64_MIN;
		if (d->name == NULL) {
			sqlite3_finalize(st);
			return report_oom(c);
		}
	}
	rc = report_step_done(c, rc);
	sqlite3_finalize(st);
	return rc;
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
		struct domain *d = find_domain(a,
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

/* SQL: the row passes DMARC; its header From is below the policy domain. */
#define SQL_PASS SQL_DMARC_PASS("rec.")
#define SQL_SUB "(length(rec.header_from) > length(r.domain) AND" \
	" substr(lower(rec.header_from), -length(r.domain) - 1) = '.' || r.domain)"

/* Per domain and source IP: messages, passes, failing messages with an
 * override reason or arc=pass, failing messages authenticated for any
 * domain, failing messages from subdomains. */
static int
load_sources(struct report_ctx *c, struct advice *a)
{
	char filter[1024], sql[4096];
	sqlite3_stmt *st;
	int rc;

	filter_sql(c, "r", filter, sizeof filter);
	snprintf(sql, sizeof sql,
	    "SELECT r.domain, rec.source_ip, sum(rec.count),"
	    " sum(CASE WHEN " SQL_PASS " THEN rec.count ELSE 0 END),"
	    " sum(CASE WHEN NOT " SQL_PASS " AND EXISTS (SELECT 1 FROM"
	    "  record_reason x WHERE x.record = rec.id AND (x.type IN"
	    "  ('forwarded', 'mailing_list', 'trusted_forwarder', 'local_policy')"
	    "  OR x.comment LIKE '%%arc=pass%%')) THEN rec.count ELSE 0 END),"
	    " sum(CASE WHEN NOT " SQL_PASS " AND (EXISTS (SELECT 1 FROM"
	    "  record_spf x WHERE x.record = rec.id AND x.result = 'pass') OR"
	    "  EXISTS (SELECT 1 FROM record_dkim x WHERE x.record = rec.id AND"
	    "  x.result = 'pass')) THEN rec.count ELSE 0 END),"
	    " sum(CASE WHEN NOT " SQL_PASS " AND " SQL_SUB
	    "  THEN rec.count ELSE 0 END)"
	    " FROM record rec JOIN report r ON r.id = rec.report WHERE 1 = 1%s"
	    " GROUP BY r.domain, rec.source_ip ORDER BY r.domain, rec.source_ip",
	    filter);
	if ((st = report_prepare(c, sql)) == NULL)
		return 2;
	filter_bind(c, st, 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct domain *d = find_domain(a,
		    (const char *)sqlite3_column_text(st, 0));
		struct source *s;

		if (d == NULL)
			continue;
		if (grow((void **)&d->src, &d->capsrc, d->nsrc, sizeof *d->src)
		    != 0) {
			sqlite3_finalize(st);
			return report_oom(c);
		}
		s = &d->src[d->nsrc++];
		if ((s->ip = dup_col(st, 1)) == NULL) {
			sqlite3_finalize(st);
			return report_oom(c);
		}
		s->messages = sqlite3_column_int64(st, 2);
		s->pass = sqlite3_column_int64(st, 3);
		s->overridden = sqlite3_column_int64(st, 4);
		s->authenticated = sqlite3_column_int64(st, 5);
		s->fail_sub = sqlite3_column_int64(st, 6);
		if (__builtin_add_overflow(d->messages, s->messages, &d->messages) ||
		    __builtin_add_overflow(d->pass, s->pass, &d->pass)) {
			sqlite3_finalize(st);
			snprintf(c->err, sizeof c->err,
			    "message totals overflow 64 bits");
			return 2;
		}
	}
	rc = report_step_done(c, rc);
	sqlite3_finalize(st);
	return rc;
}

/* The raw SPF and DKIM results of each source's failing rows, a record
 * counted once per (kind, result, domain). */
static int
load_results(struct report_ctx *c, struct advice *a)
{
	char filter[1024], sql[4096];
	sqlite3_stmt *st;
	int rc;

	filter_sql(c, "r", filter, sizeof filter);
	snprintf(sql, sizeof sql,
	    "SELECT dom, ip, kind, res, ad, sum(n) FROM ("
	    " SELECT DISTINCT rec.id, r.domain AS dom, rec.source_ip AS ip,"
	    "  0 AS kind, x.result AS res, lower(x.domain) AS ad, rec.count AS n"
	    "  FROM record rec JOIN report r ON r.id = rec.report"
	    "  JOIN record_spf x ON x.record = rec.id"
	    "  WHERE NOT " SQL_PASS "%s"
	    " UNION ALL"
	    " SELECT DISTINCT rec.id, r.domain, rec.source_ip, 1, x.result,"
	    "  lower(x.domain), rec.count"
	    "  FROM record rec JOIN report r ON r.id = rec.report"
	    "  JOIN record_dkim x ON x.record = rec.id"
	    "  WHERE NOT " SQL_PASS "%s)"
	    " GROUP BY dom, ip, kind, res, ad ORDER BY dom, ip, kind, 6 DESC, res, ad",
	    filter, filter);
	if ((st = report_prepare(c, sql)) == NULL)
		return 2;
	filter_bind(c, st, filter_bind(c, st, 1));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct domain *d = find_domain(a,
		    (const char *)sqlite3_column_text(st, 0));
		struct source *s;
		struct result *r;

		if (d == NULL || (s = find_source(d,
		    (const char *)sqlite3_column_text(st, 1))) == NULL)
			continue;
		if (grow((void **)&s->res, &s->capres, s->nres, sizeof *s->res)
		    != 0) {
			sqlite3_finalize(st);
			return report_oom(c);
		}
		r = &s->res[s->nres++];
		r->dkim = sqlite3_column_int(st, 2);
		r->res = dup_col(st, 3);
		r->dom = dup_col(st, 4);
		r->messages = sqlite3_column_int64(st, 5);
		if (r->res == NULL || r->dom == NULL) {
			sqlite3_finalize(st);
			return report_oom(c);
		}
	}
	rc = report_step_done(c, rc);
	sqlite3_finalize(st);
	return rc;
}

/* The header From domains below each policy domain, most messages first. */
static int
load_subdomains(struct report_ctx *c, struct advice *a)
{
	char filter[1024], sql[2048];
	sqlite3_stmt *st;
	int rc;

	filter_sql(c, "r", filter, sizeof filter);
	snprintf(sql, sizeof sql,
	    "SELECT r.domain, lower(rec.header_from), sum(rec.count),"
	    " sum(CASE WHEN " SQL_PASS " THEN 0 ELSE rec.count END)"
	    " FROM record rec JOIN report r ON r.id = rec.report"
	    " WHERE " SQL_SUB "%s GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2", filter);
	if ((st = report_prepare(c, sql)) == NULL)
		return 2;
	filter_bind(c, st, 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct domain *d = find_domain(a,
		    (const char *)sqlite3_column_text(st, 0));
		struct subname *s;

		if (d == NULL)
			continue;
		if (grow((void **)&d->sub, &d->capsub, d->nsub, sizeof *d->sub)
		    != 0) {
			sqlite3_finalize(st);
			return report_oom(c);
		}
		s = &d->sub[d->nsub++];
		s->name = dup_col(st, 1);
		s->messages = sqlite3_column_int64(st, 2);
		s->fail = sqlite3_column_int64(st, 3);
		if (s->name == NULL) {
			sqlite3_finalize(st);
			return report_oom(c);
		}
	}
	rc = report_step_done(c, rc);
	sqlite3_finalize(st);
	return rc;
}

/* The policy published now: --record's when it names a valid p, else the
 * latest report's. */
static void
current_policy(struct advice *a, struct domain *d)
{
	const struct lint_result *l = &a->lint;
	const char *v;
	int p;

	d->now = d->seen;
	if (!d->has_seen)
		memset(&d->now, 0, sizeof d->now), d->now.pct = 100;
	if (!a->has_lint || (p = advise_policy_parse(lint_tag(l, "p"))) < 0)
		return;
	d->from_record = 1;
	d->now.p = (enum advise_policy_value)p;
	p = advise_policy_parse(lint_tag(l, "sp"));
	d->now.sp = p < 0 ? d->now.p : (enum advise_policy_value)p;
	p = advise_policy_parse(lint_tag(l, "np"));
	d->now.np = p < 0 ? d->now.sp : (enum advise_policy_value)p;
	v = lint_tag(l, "pct");
	d->now.pct = v != NULL ? atoi(v) : 100;
	if (d->now.pct < 0 || d->now.pct > 100)
		d->now.pct = 100;
	v = lint_tag(l, "t");
	d->now.testing = v != NULL && (v[0] == 'y' || v[0] == 'Y');
	v = lint_tag(l, "adkim");
	d->now.adkim_strict = v != NULL && (v[0] == 's' || v[0] == 'S');
	v = lint_tag(l, "aspf");
	d->now.aspf_strict = v != NULL && (v[0] == 's' || v[0] == 'S');
}

/* Is `dom` the policy domain, below it, or above it (relaxed alignment,
 * without the public suffix list: for wording only)? */
static int
related(const char *dom, const char *policy)
{
	/* relaxed alignment: the same organizational domain (libpsl) */
	return org_aligned(dom, policy);
}

/* "a, b +2": up to two names of a source's results of one kind, `pass`
 * only or all; returns how many there were. */
static size_t
result_names(const struct source *s, int dkim, int pass, char *buf,
    size_t len, const char **first_res)
{
	size_t i, n = 0, used;

	buf[0] = '\0';
	*first_res = NULL;
	for (i = 0; i < s->nres; i++) {
		const struct result *r = &s->res[i];

		if (r->dkim != dkim || (pass && strcmp(r->res, "pass") != 0))
			continue;
		if (n == 0)
			*first_res = r->res;
		if (n < 2) {
			used = strlen(buf);
			snprintf(buf + used, len - used, "%s%s%s%s", n ? ", " : "",
			    pass ? "" : r->res, pass ? "" : " for ",
			    r->dom[0] ? r->dom : "(no domain)");
		}
		n++;
	}
	if (n > 2) {
		used = strlen(buf);
		snprintf(buf + used, len - used, " +%zu", n - 2);
	}
	return n;
}

/* Appends why the first passing domain does not align: "(d=mailjet.com is
 * not under example.com)", by organizational domains. */
static void
not_under(const struct domain *d, const struct source *s, char *why,
    size_t len)
{
	char od[256], pd[256];
	size_t i, n;

	for (i = 0; i < s->nres; i++) {
		const struct result *r = &s->res[i];

		if (strcmp(r->res, "pass") != 0 || !r->dom[0])
			continue;
		org_domain(r->dom, od, sizeof od);
		org_domain(d->name, pd, sizeof pd);
		n = strlen(why);
		snprintf(why + n, len - n, " (%s%s is not under %s)",
		    r->dkim ? "d=" : "", od, pd);
		return;
	}
}

/* The why and the fix of a blocker, in a postmaster's words. */
static int
explain(const struct domain *d, struct source *s)
{
	char why[1024], fix[512], spf[384], dkim[384];
	const char *r1, *r2;
	size_t nspf, ndkim;

	if (s->cls == ADV_MISALIGNED) {
		nspf = result_names(s, 0, 1, spf, sizeof spf, &r1);
		ndkim = result_names(s, 1, 1, dkim, sizeof dkim, &r2);
		if (nspf && ndkim)
			snprintf(why, sizeof why, "SPF pass for %s, DKIM pass for "
			    "%s: neither aligned with %s", spf, dkim, d->name);
		else if (nspf)
			snprintf(why, sizeof why, "SPF pass for %s, no DKIM pass: "
			    "not aligned with %s", spf, d->name);
		else
			snprintf(why, sizeof why, "DKIM pass for %s, no SPF pass: "
			    "not aligned with %s", dkim, d->name);
		not_under(d, s, why, sizeof why);
		snprintf(fix, sizeof fix, "sign with DKIM d=%s at this sender, "
		    "or use a return-path under %s", d->name, d->name);
	} else {
		size_t i;
		int spf_ok = 0, dkim_ok = 0;

		/* partial, or an aligned source that fails now and then */
		nspf = result_names(s, 0, 0, spf, sizeof spf, &r1);
		ndkim = result_names(s, 1, 0, dkim, sizeof dkim, &r2);
		snprintf(why, sizeof why, "DMARC passes for some of its mail but "
		    "not all; the failing rows show SPF %s; DKIM %s",
		    nspf ? spf : "none", ndkim ? dkim : "none (unsigned)");
		for (i = 0; i < s->nres; i++) {
			const struct result *r = &s->res[i];
			if (strcmp(r->res, "pass") == 0 && related(r->dom, d->name)) {
				if (r->dkim)
					dkim_ok = 1;
				else
					spf_ok = 1;
			}
		}
		if (!spf_ok && !dkim_ok)
			snprintf(fix, sizeof fix, "add this server to the SPF record "
			    "of %s's return-path and check its DKIM key for %s "
			    "(missing, expired, rotated?)", d->name, d->name);
		else if (!dkim_ok)
			snprintf(fix, sizeof fix, "check its DKIM signing for %s "
			    "(a missing, expired or rotated key?)", d->name);
		else
			snprintf(fix, sizeof fix, "check that this server is in the "
			    "SPF record of %s", d->name);
	}
	if ((s->reason = strdup(why)) == NULL || (s->fix = strdup(fix)) == NULL)
		return -1;
	return 0;
}

static const struct domain *sort_dom;
static int sort_step;

/* Blockers: most messages hit first, then by IP. */
static int
by_hit(const void *x, const void *y)
{
	const struct source *a = &sort_dom->src[*(const size_t *)x];
	const struct source *b = &sort_dom->src[*(const size_t *)y];

	if (a->hit[sort_step] != b->hit[sort_step])
		return a->hit[sort_step] > b->hit[sort_step] ? -1 : 1;
	return strcmp(a->ip, b->ip);
}

static int
judge(struct report_ctx *c, struct advice *a, struct domain *d)
{
	const struct advise_thresholds *t = &a->t;
	double vol = (double)d->messages;
	size_t i;
	int k, legit_over, source_over = 0;

	current_policy(a, d);
	advise_raise(&d->now, ADV_QUARANTINE, &d->scen[0]);
	advise_raise(&d->now, ADV_REJECT, &d->scen[1]);
	d->step = d->now.p == ADV_NONE ? 0 : 1;
	d->next = d->scen[d->step];

	for (i = 0; i < d->nsrc; i++) {
		struct source *s = &d->src[i];
		int64_t fail = s->messages - s->pass;
		enum bucket b;

		s->cls = advise_classify(t, s->messages, s->pass, s->overridden,
		    s->authenticated);
		b = s->cls == ADV_FORWARDED ? B_FORWARDED :
		    s->cls == ADV_UNAUTH ? B_UNAUTH : B_LEGIT;
		d->by_class[s->cls][0]++;
		d->by_class[s->cls][1] += s->messages;
		d->by_class[s->cls][2] += fail;
		for (k = 0; k < 2; k++) {
			/* p is never none in a scenario */
			s->hit[k] = fail - s->fail_sub +
			    (d->scen[k].sp != ADV_NONE ? s->fail_sub : 0);
			d->impact[k][b] += s->hit[k];
		}
	}

	/* the blockers: partial and misaligned sources over max-source */
	if ((d->blk = calloc(d->nsrc + 1, sizeof *d->blk)) == NULL)
		return report_oom(c);
	for (i = 0; i < d->nsrc; i++) {
		const struct source *s = &d->src[i];

		if ((s->cls == ADV_PARTIAL || s->cls == ADV_MISALIGNED) &&
		    (double)s->hit[d->step] > t->max_source * vol)
			d->blk[d->nblk++] = i;
	}
	source_over = d->nblk > 0;
	legit_over = (double)d->impact[d->step][B_LEGIT] > t->max_legitimate * vol;
	if (legit_over) {
		/* too much legitimate mail fails: every partial or misaligned
		 * source that adds to it blocks, and when there is none, the
		 * aligned sources that fail now and then */
		int any = 0;

		d->nblk = 0;
		for (i = 0; i < d->nsrc; i++) {
			const struct source *s = &d->src[i];
			if ((s->cls == ADV_PARTIAL || s->cls == ADV_MISALIGNED) &&
			    s->hit[d->step] > 0)
				d->blk[d->nblk++] = i, any = 1;
		}
		for (i = 0; i < d->nsrc && !any; i++)
			if (d->src[i].cls == ADV_ALIGNED && d->src[i].hit[d->step] > 0)
				d->blk[d->nblk++] = i;
	}
	sort_dom = d;
	sort_step = d->step;
	if (d->nblk > 1)	/* qsort wants a non-NULL base */
		qsort(d->blk, d->nblk, sizeof *d->blk, by_hit);
	for (i = 0; i < d->nblk; i++)
		if (explain(d, &d->src[d->blk[i]]) != 0)
			return report_oom(c);

	if (d->now.p == ADV_REJECT) {
		d->verdict = V_AT_REJECT;
		d->next = d->now;
		d->nblk = 0;
	} else if (d->days < t->min_days || d->reporters < t->min_reporters ||
	    d->messages < t->min_messages)
		d->verdict = V_INSUFFICIENT;
	else if (legit_over || source_over)
		d->verdict = V_NOT_READY;
	else
		d->verdict = V_READY;
	if (advise_record(&d->next, a->has_lint ? &a->lint : NULL, d->record,
	    sizeof d->record) != 0) {
		snprintf(c->err, sizeof c->err, "advise: the record is too long");
		return 2;
	}
	return 0;
}

/* ---- text ---- */

/* Prints `text` after `lead`, wrapped at REPORT_WIDTH with `indent`. */
static void
wrap(FILE *f, const char *lead, const char *text, size_t indent)
{
	size_t col = strlen(lead);
	const char *p = text;

	fputs(lead, f);
	while (*p) {
		const char *sp = strchr(p, ' ');
		size_t w = sp ? (size_t)(sp - p) : strlen(p);

		if (p != text && col + 1 + w > REPORT_WIDTH) {
			fprintf(f, "\n%*s", (int)indent, "");
			col = indent;
		} else if (p != text) {
			fputc(' ', f);
			col++;
		}
		fwrite(p, 1, w, f);
		col += w;
		p += w;
		while (*p == ' ')
			p++;
	}
	fputc('\n', f);
}

/* "0.50%": a share of the volume with two decimals. */
static const char *
share_pct(int64_t part, int64_t whole, char *buf, size_t len)
{
	if (whole <= 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.2f%%", 100.0 * (double)part / (double)whole);
	return buf;
}

static const char *
share_frac(int64_t part, int64_t whole, char *buf, size_t len)
{
	if (whole <= 0)
		snprintf(buf, len, "null");
	else
		snprintf(buf, len, "%.4f", (double)part / (double)whole);
	return buf;
}

/* The sources of one class or bucket, most messages (or hits) first. */
static size_t
collect(const struct domain *d, int cls, int bucket, int step, size_t *idx)
{
	size_t i, n = 0;

	for (i = 0; i < d->nsrc; i++) {
		const struct source *s = &d->src[i];
		int b = s->cls == ADV_FORWARDED ? B_FORWARDED :
		    s->cls == ADV_UNAUTH ? B_UNAUTH : B_LEGIT;

		if (cls >= 0 && (int)s->cls != cls)
			continue;
		if (bucket >= 0 && (b != bucket || s->hit[step] == 0))
			continue;
		idx[n++] = i;
	}
	sort_dom = d;
	sort_step = step;
	if (bucket >= 0 && n > 1)	/* qsort wants a non-NULL base */
		qsort(idx, n, sizeof *idx, by_hit);
	return n;
}

static int
by_messages(const void *x, const void *y)
{
	const struct source *a = &sort_dom->src[*(const size_t *)x];
	const struct source *b = &sort_dom->src[*(const size_t *)y];

	if (a->messages != b->messages)
		return a->messages > b->messages ? -1 : 1;
	return strcmp(a->ip, b->ip);
}

/* "ip (n), ip (n) +k" within `width` columns. */
static void
ip_list(char *buf, size_t len, size_t width, const struct domain *d,
    const size_t *idx, size_t n, int step, int hits)
{
	size_t i, used = 0;
	char num[FMT_NUM], item[128], more[32];

	buf[0] = '\0';
	for (i = 0; i < n && i < TEXT_LIST_IPS; i++) {
		const struct source *s = &d->src[idx[i]];

		snprintf(item, sizeof item, "%s%s (%s)", i ? ", " : "", s->ip,
		    fmt_int(hits ? s->hit[step] : s->messages, num, sizeof num));
		snprintf(more, sizeof more, " +%zu", n - i - 1);
		if (used + strlen(item) + (i + 1 < n ? strlen(more) : 0) > width)
			break;
		snprintf(buf + used, len - used, "%s", item);
		used = strlen(buf);
	}
	if (i < n)
		snprintf(buf + used, len - used, "%s+%zu", i ? " " : "", n - i);
}

static void
policy_text(const struct advise_policy *p, int has_pct, char *buf, size_t len)
{
	snprintf(buf, len, "p=%s sp=%s np=%s%s%s%s",
	    advise_policy_name(p->p), advise_policy_name(p->sp),
	    advise_policy_name(p->np), p->adkim_strict ? " adkim=s" : "",
	    p->aspf_strict ? " aspf=s" : "", p->testing ? " t=y" : "");
	if (has_pct && p->pct != 100) {
		size_t n = strlen(buf);
		snprintf(buf + n, len - n, " pct=%d", p->pct);
	}
}

static void
verdict_line(const struct advice *a, const struct domain *d, char *line,
    size_t len)
{
	const struct advise_thresholds *t = &a->t;
	const char *to = advise_policy_name(d->next.p);
	char x[FMT_NUM], y[FMT_NUM];
	int64_t legit = d->impact[d->step][B_LEGIT];

	switch (d->verdict) {
	case V_AT_REJECT:
		snprintf(line, len, "%s: AT REJECT: p=reject is in force; "
		    "over the window it blocks %s messages, %s of them legitimate",
		    d->name, fmt_int(d->impact[1][B_LEGIT] + d->impact[1][B_FORWARDED]
		    + d->impact[1][B_UNAUTH], x, sizeof x),
		    fmt_int(d->impact[1][B_LEGIT], y, sizeof y));
		break;
	case V_INSUFFICIENT: {
		char need[256] = "";
		size_t n;

		if (d->days < t->min_days)
			snprintf(need, sizeof need, ", %" PRId64 " day%s covered "
			    "(want %" PRId64 ")", d->days, d->days == 1 ? "" : "s",
			    t->min_days);
		if (d->reporters < t->min_reporters) {
			n = strlen(need);
			snprintf(need + n, sizeof need - n, ", %" PRId64 " reporter%s "
			    "(want %" PRId64 ")", d->reporters,
			    d->reporters == 1 ? "" : "s", t->min_reporters);
		}
		if (d->messages < t->min_messages) {
			n = strlen(need);
			snprintf(need + n, sizeof need - n, ", %s messages (want %"
			    PRId64 ")", fmt_int(d->messages, x, sizeof x),
			    t->min_messages);
		}
		snprintf(line, len, "%s: INSUFFICIENT DATA to judge "
		    "p=%s: %s", d->name, to, need + 2);
		break;
	}
	case V_NOT_READY:
		snprintf(line, len, "%s: NOT READY for p=%s: %s legitimate "
		    "messages would fail (%s, limit %.2f%%)", d->name, to,
		    fmt_int(legit, x, sizeof x),
		    share_pct(legit, d->messages, y, sizeof y),
		    100 * t->max_legitimate);
		break;
	case V_READY:
		snprintf(line, len, "%s: READY for p=%s: %s legitimate "
		    "message%s would fail (%s, limit %.2f%%)", d->name,
		    to, fmt_int(legit, x, sizeof x), legit == 1 ? "" : "s",
		    share_pct(legit, d->messages, y, sizeof y),
		    100 * t->max_legitimate);
		break;
	}
}

static void
text_headline(struct report_ctx *c, const struct advice *a,
    const struct domain *d)
{
	FILE *f = c->out;
	char x[FMT_NUM], y[FMT_NUM], z[FMT_NUM], w[FMT_NUM], line[512];

	verdict_line(a, d, line, sizeof line);
	wrap(f, "", line, 2);
	policy_text(&d->now, d->from_record || d->seen_has_pct, line,
	    sizeof line);
	fprintf(f, "  Published now: %s (%s)\n", line, d->from_record ?
	    "from --record" : "as the latest report saw it");
	snprintf(line, sizeof line, "Window %s to %s (UTC): %" PRId64 " day%s "
	    "covered, %" PRId64 " reporter%s, %s messages, %s pass",
	    fmt_day(a->since, x, sizeof x), fmt_day(a->until - 86400, y, sizeof y),
	    d->days, d->days == 1 ? "" : "s", d->reporters,
	    d->reporters == 1 ? "" : "s", fmt_int(d->messages, z, sizeof z),
	    fmt_pct(d->pass, d->messages, w, sizeof w));
	wrap(f, "  ", line, 4);
}

static void
text_classes(struct report_ctx *c, const struct domain *d, size_t *idx)
{
	struct table *tb;
	char a[FMT_NUM], list[256];
	int k;

	if ((tb = table_new()) == NULL)
		return;
	table_col(tb, "CLASS", TABLE_LEFT, 0);
	table_col(tb, "SOURCES", TABLE_RIGHT, 0);
	table_col(tb, "MESSAGES", TABLE_RIGHT, 0);
	table_col(tb, "FAILING", TABLE_RIGHT, 0);
	table_col(tb, "LARGEST (MESSAGES)", TABLE_LEFT, 1);
	for (k = 0; k < ADV_NCLASS; k++) {
		size_t n = collect(d, k, -1, 0, idx);

		sort_dom = d;
		if (n > 1)	/* qsort wants a non-NULL base */
			qsort(idx, n, sizeof *idx, by_messages);
		ip_list(list, sizeof list, 50, d, idx, n, 0, 0);
		table_row(tb);
		table_cell(tb, advise_class_name((enum advise_class)k));
		table_cell(tb, fmt_int(d->by_class[k][0], a, sizeof a));
		table_cell(tb, fmt_int(d->by_class[k][1], a, sizeof a));
		table_cell(tb, fmt_int(d->by_class[k][2], a, sizeof a));
		table_cell(tb, list);
	}
	table_print_text(tb, c->out, REPORT_WIDTH);
	table_free(tb);
}

static void
text_impact(struct report_ctx *c, const struct domain *d, size_t *idx)
{
	struct table *tb;
	char a[FMT_NUM], list[256], lead[64];
	int k, b;

	if ((tb = table_new()) == NULL)
		return;
	table_col(tb, "HAD THIS BEEN IN FORCE", TABLE_LEFT, 0);
	table_col(tb, "MESSAGES HIT", TABLE_RIGHT, 0);
	table_col(tb, "LEGITIMATE", TABLE_RIGHT, 0);
	table_col(tb, "FORWARDED", TABLE_RIGHT, 0);
	table_col(tb, "UNAUTHENTICATED", TABLE_RIGHT, 0);
	for (k = 0; k < 2; k++) {
		const int64_t *m = d->impact[k];

		table_row(tb);
		table_cellf(tb, "p=%s%s%s", advise_policy_name(d->scen[k].p),
		    d->scen[k].sp != d->scen[k].p ? " sp=" : "",
		    d->scen[k].sp != d->scen[k].p ?
		    advise_policy_name(d->scen[k].sp) : "");
		table_cell(tb, fmt_int(m[0] + m[1] + m[2], a, sizeof a));
		for (b = 0; b < B_N; b++)
			table_cell(tb, fmt_int(m[b], a, sizeof a));
	}
	table_print_text(tb, c->out, REPORT_WIDTH);
	table_free(tb);
	/* the sources behind the next step's figures */
	k = d->verdict == V_AT_REJECT ? 1 : d->step;
	for (b = 0; b < B_N; b++) {
		size_t n = collect(d, -1, b, k, idx);

		if (n == 0)
			continue;
		snprintf(lead, sizeof lead, "  %s under p=%s: ", bucket_names[b],
		    advise_policy_name(d->scen[k].p));
		ip_list(list, sizeof list, REPORT_WIDTH - strlen(lead), d, idx, n,
		    k, 1);
		fprintf(c->out, "%s%s\n", lead, list);
	}
}

/* Blockers shown together: same sender, class, why and fix. */
static int
same_group(const struct source *a, const struct source *b)
{
	if ((a->sender == NULL) != (b->sender == NULL) ||
	    (a->sender != NULL && strcmp(a->sender, b->sender) != 0))
		return 0;
	return a->cls == b->cls && strcmp(a->reason, b->reason) == 0 &&
	    strcmp(a->fix, b->fix) == 0;
}

static void
text_blockers(struct report_ctx *c, const struct domain *d)
{
	FILE *f = c->out;
	char a[FMT_NUM], b[FMT_NUM], e[FMT_NUM], g[FMT_NUM], line[512];
	size_t i, j, shown, groups = 0;
	int64_t total = 0;
	char *done;

	if (d->nblk == 0)
		return;
	for (i = 0; i < d->nblk; i++)
		total += d->src[d->blk[i]].hit[d->step];
	snprintf(line, sizeof line, "%s before p=%s: %zu source%s, %s failing "
	    "messages, %s of the volume", d->verdict == V_NOT_READY ? "BLOCKERS"
	    : "Blockers found so far", advise_policy_name(d->next.p), d->nblk,
	    d->nblk == 1 ? "" : "s", fmt_int(total, a, sizeof a),
	    share_pct(total, d->messages, b, sizeof b));
	wrap(f, "", line, 2);
	if ((done = calloc(d->nblk, 1)) == NULL)
		return;
	/* grouped by class, why and fix */
	for (i = 0; i < d->nblk; i++) {
		const struct source *s = &d->src[d->blk[i]];
		size_t n = 0;
		int64_t sum = 0;

		if (done[i])
			continue;
		if (groups++ == TEXT_BLOCKER_GROUPS) {
			size_t rest = 0;
			for (j = i; j < d->nblk; j++)
				rest += !done[j];
			fprintf(f, "  * +%zu more source%s, each with its own why "
			    "(--format json lists every one)\n", rest,
			    rest == 1 ? "" : "s");
			break;
		}
		for (j = i; j < d->nblk; j++) {
			const struct source *o = &d->src[d->blk[j]];
			if (!done[j] && same_group(o, s))
				n++, sum += o->hit[d->step];
		}
		snprintf(line, sizeof line, "%s%s%s, %zu source%s, %s failing "
		    "message%s (%s)", s->sender ? s->sender : "", s->sender ?
		    ": " : "", advise_class_name(s->cls), n, n == 1 ? "" : "s",
		    fmt_int(sum, a, sizeof a), sum == 1 ? "" : "s",
		    share_pct(sum, d->messages, b, sizeof b));
		wrap(f, "  * ", line, 4);
		wrap(f, "    why: ", s->reason, 9);
		wrap(f, "    fix: ", s->fix, 9);
		fprintf(f, "    %-39s  %8s  %8s  %6s  %6s\n", "SOURCE IP", "MESSAGES",
		    "FAILING", "PASS", "SHARE");
		shown = 0;
		for (j = i; j < d->nblk; j++) {
			const struct source *o = &d->src[d->blk[j]];
			if (done[j] || !same_group(o, s))
				continue;
			done[j] = 1;
			if (shown++ >= TEXT_BLOCKER_IPS)
				continue;
			fprintf(f, "    %-39s  %8s  %8s  %6s  %6s\n", o->ip,
			    fmt_int(o->messages, a, sizeof a),
			    fmt_int(o->hit[d->step], b, sizeof b),
			    fmt_pct(o->pass, o->messages, e, sizeof e),
			    share_pct(o->hit[d->step], d->messages, g, sizeof g));
		}
		if (shown > TEXT_BLOCKER_IPS)
			fprintf(f, "    +%zu more (--format json lists every one)\n",
			    shown - TEXT_BLOCKER_IPS);
	}
	free(done);
}

/* The subdomains named in words: "news.example.com, shop.example.com +2". */
static void
subdomain_names(const struct domain *d, char *buf, size_t len)
{
	size_t i, used;

	buf[0] = '\0';
	for (i = 0; i < d->nsub && i < 2; i++) {
		used = strlen(buf);
		snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
		    d->sub[i].name);
	}
	if (d->nsub > 2) {
		used = strlen(buf);
		snprintf(buf + used, len - used, " +%zu", d->nsub - 2);
	}
}

/* The advice in words on subdomains and on the ramp (pct, t=y). */
static void
words(const struct domain *d, char *sub, size_t sublen, char *ramp,
    size_t ramplen)
{
	const struct advise_policy *n = &d->next;
	const char *np = advise_policy_name(n->p);
	char names[256];

	subdomain_names(d, names, sizeof names);
	if (n->sp == n->p && n->np == n->p && d->now.sp != n->sp &&
	    d->verdict != V_AT_REJECT)
		snprintf(sub, sublen, "No sp or np: subdomains%s%s%s get p=%s too. "
		    "Today's sp=%s followed p; to keep subdomains at %s instead, "
		    "add sp=%s (they stay unprotected).", d->nsub ? " (" : "",
		    names, d->nsub ? ")" : "", np, advise_policy_name(d->now.sp),
		    advise_policy_name(d->now.sp), advise_policy_name(d->now.sp));
	else if (n->sp == n->p && n->np == n->p)
		snprintf(sub, sublen, "No sp or np: subdomains%s%s%s get p=%s too.",
		    d->nsub ? " (" : "", names, d->nsub ? ")" : "", np);
	else
		snprintf(sub, sublen, "sp=%s%s%s: subdomains%s%s%s get %s instead "
		    "of p=%s (np: subdomains that do not exist in DNS; reports "
		    "cannot tell them apart, advise treats every subdomain by sp).",
		    advise_policy_name(n->sp),
		    n->np != n->p ? " np=" : "", n->np != n->p ?
		    advise_policy_name(n->np) : "", d->nsub ? " (" : "", names,
		    d->nsub ? ")" : "", advise_policy_name(n->sp), np);
	ramp[0] = '\0';
	if (d->verdict == V_AT_REJECT) {
		if (n->pct < 100 || n->testing)
			snprintf(ramp, ramplen, "To finish the ramp, remove %s%s%s: "
			    "then reject applies to all failing mail.",
			    n->pct < 100 ? "pct" : "", n->pct < 100 && n->testing ?
			    " and " : "", n->testing ? "t=y" : "");
		return;
	}
	if (n->testing)
		snprintf(ramp, ramplen, "The record keeps t=y (testing): receivers "
		    "following RFC 9989 apply one step less (quarantine as none, "
		    "reject as quarantine). Keep it a week or two while the reports "
		    "stay clean, then remove t=y.");
	else if (n->pct < 100)
		snprintf(ramp, ramplen, "The record keeps pct=%d: RFC 7489 receivers "
		    "apply p=%s to %d%% of failing mail (RFC 9989 receivers ignore "
		    "pct). Raise pct step by step (25, 50, 100) a week or two apart "
		    "while the reports stay clean, then remove it.", n->pct, np,
		    n->pct);
	else if (d->verdict == V_READY)
		snprintf(ramp, ramplen, "To go gently, publish it first with t=y "
		    "(RFC 9989 receivers then apply one step less) or pct=25 (RFC "
		    "7489 receivers), watch the reports for a week or two, then "
		    "publish it as shown.");
}

static void
text_next(struct report_ctx *c, const struct advice *a,
    const struct domain *d)
{
	FILE *f = c->out;
	char sub[512], ramp[512], line[256];
	size_t i;

	words(d, sub, sizeof sub, ramp, sizeof ramp);
	switch (d->verdict) {
	case V_AT_REJECT:
		snprintf(line, sizeof line, "Next step: none, p=reject is the "
		    "strictest policy. Your record, as advise would write it:");
		break;
	case V_READY:
		snprintf(line, sizeof line, "Next step: p=%s. Publish at _dmarc.%s:",
		    advise_policy_name(d->next.p), d->name);
		break;
	default:
		snprintf(line, sizeof line, "Next step: p=%s, once the %s. Then "
		    "publish at _dmarc.%s:", advise_policy_name(d->next.p),
		    d->verdict == V_NOT_READY ? "blockers are fixed" :
		    "reports cover enough", d->name);
		break;
	}
	wrap(f, "", line, 2);
	fprintf(f, "  %s\n", d->record);
	if (strstr(d->record, ADVISE_RUA_PLACEHOLDER) != NULL)
		wrap(f, "  ", "REPLACE-WITH-YOUR-RUA-ADDRESS: reports do not carry "
		    "your rua address; copy it from your current record (or give "
		    "it with --record).", 4);
	wrap(f, "  ", sub, 4);
	if (ramp[0])
		wrap(f, "  ", ramp, 4);
	if (a->has_lint && (a->lint.nerrors || a->lint.nwarnings)) {
		fputs("  Your current record (--record):\n", f);
		for (i = 0; i < a->lint.nerrors; i++)
			wrap(f, "    error: ", a->lint.errors[i], 11);
		for (i = 0; i < a->lint.nwarnings; i++)
			wrap(f, "    warning: ", a->lint.warnings[i], 13);
	}
}

static void
print_text(struct report_ctx *c, const struct advice *a)
{
	char x[FMT_NUM], y[FMT_NUM];
	size_t i, *idx;
	size_t max = 0;

	if (a->n == 0) {
		fprintf(c->out, "No reports in the window %s to %s (UTC).\n",
		    fmt_day(a->since, x, sizeof x),
		    fmt_day(a->until - 86400, y, sizeof y));
		return;
	}
	for (i = 0; i < a->n; i++)
		if (a->d[i].nsrc > max)
			max = a->d[i].nsrc;
	if ((idx = calloc(max + 1, sizeof *idx)) == NULL)
		return;
	for (i = 0; i < a->n; i++) {
		const struct domain *d = &a->d[i];

		if (i)
			fputc('\n', c->out);
		text_headline(c, a, d);
		fputc('\n', c->out);
		text_classes(c, d, idx);
		fputc('\n', c->out);
		text_impact(c, d, idx);
		if (d->nblk) {
			fputc('\n', c->out);
			text_blockers(c, d);
		}
		fputc('\n', c->out);
		text_next(c, a, d);
	}
	free(idx);
}

/* ---- JSON ---- */

static void
json_sources(FILE *f, const struct domain *d, const size_t *idx, size_t n,
    int step, int hits)
{
	size_t i;

	fputc('[', f);
	for (i = 0; i < n; i++) {
		const struct source *s = &d->src[idx[i]];

		fputs(i ? ", {\"source_ip\": " : "{\"source_ip\": ", f);
		json_string(f, s->ip);
		if (hits)
			fprintf(f, ", \"class\": \"%s\", \"messages\": %" PRId64 "}",
			    advise_class_name(s->cls), s->hit[step]);
		else
			fprintf(f, ", \"messages\": %" PRId64 ", \"dmarc_pass\": %"
			    PRId64 ", \"failing\": %" PRId64 "}", s->messages,
			    s->pass, s->messages - s->pass);
	}
	fputc(']', f);
}

static void
json_strings(FILE *f, char *const *v, size_t n)
{
	size_t i;

	fputc('[', f);
	for (i = 0; i < n; i++) {
		if (i)
			fputs(", ", f);
		json_string(f, v[i]);
	}
	fputc(']', f);
}

static void
print_json(struct report_ctx *c, const struct advice *a)
{
	FILE *f = c->out;
	const struct advise_thresholds *t = &a->t;
	char x[FMT_NUM], y[FMT_NUM], sub[512], ramp[512];
	size_t i, j, n, max = 0, *idx;
	int k, b;

	if (a->n == 0) {
		fputs("[]\n", f);
		return;
	}
	for (i = 0; i < a->n; i++)
		if (a->d[i].nsrc > max)
			max = a->d[i].nsrc;
	if ((idx = calloc(max + 1, sizeof *idx)) == NULL)
		return;
	fputs("[\n", f);
	for (i = 0; i < a->n; i++) {
		const struct domain *d = &a->d[i];
		const struct advise_policy *p = &d->now;

		fputs("  {\"domain\": ", f);
		json_string(f, d->name);
		fprintf(f, ", \"window\": {\"since\": \"%s\", \"until\": \"%s\"}",
		    fmt_day(a->since, x, sizeof x),
		    fmt_day(a->until - 86400, y, sizeof y));
		fprintf(f, ", \"days_covered\": %" PRId64 ", \"reporters\": %" PRId64
		    ", \"messages\": %" PRId64 ", \"dmarc_pass\": %" PRId64,
		    d->days, d->reporters, d->messages, d->pass);
		fprintf(f, ",\n   \"current\": {\"p\": \"%s\", \"sp\": \"%s\", "
		    "\"np\": \"%s\", \"pct\": ", advise_policy_name(p->p),
		    advise_policy_name(p->sp), advise_policy_name(p->np));
		if (d->from_record || d->seen_has_pct)
			fprintf(f, "%d", p->pct);
		else
			fputs("null", f);
		fprintf(f, ", \"testing\": \"%s\", \"adkim\": \"%s\", \"aspf\": "
		    "\"%s\", \"from\": \"%s\"}", p->testing ? "y" : "n",
		    p->adkim_strict ? "s" : "r", p->aspf_strict ? "s" : "r",
		    d->from_record ? "record" : "reports");
		fprintf(f, ",\n   \"verdict\": \"%s\", \"ready\": %s, \"next\": ",
		    verdict_names[d->verdict], d->verdict == V_READY ? "true" :
		    "false");
		if (d->verdict == V_AT_REJECT)
			fputs("null", f);
		else
			fprintf(f, "\"%s\"", advise_policy_name(d->next.p));
		fputs(",\n   \"blockers\": [", f);
		for (j = 0; j < d->nblk; j++) {
			const struct source *s = &d->src[d->blk[j]];

			fputs(j ? ",\n     {\"source_ip\": " : "\n     {\"source_ip\": ",
			    f);
			json_string(f, s->ip);
			fprintf(f, ", \"messages\": %" PRId64 ", \"share\": %s, "
			    "\"class\": \"%s\", \"reason\": ", s->hit[d->step],
			    share_frac(s->hit[d->step], d->messages, x, sizeof x),
			    advise_class_name(s->cls));
			json_string(f, s->reason);
			fputs(", \"fix\": ", f);
			json_string(f, s->fix);
			fputs(", \"ptr\": ", f);
			json_string(f, s->ptr[0] ? s->ptr : NULL);
			fputs(", \"sender\": ", f);
			json_string(f, s->sender);
			fprintf(f, ", \"source_messages\": %" PRId64 ", \"dmarc_pass\": %"
			    PRId64 "}", s->messages, s->pass);
		}
		fputs("],\n   \"impact\": {", f);
		for (k = 0; k < 2; k++) {
			const int64_t *m = d->impact[k];

			fprintf(f, "%s\"%s\": {\"messages\": %" PRId64, k ? ",\n    " :
			    "", advise_policy_name(d->scen[k].p), m[0] + m[1] + m[2]);
			for (b = 0; b < B_N; b++)
				fprintf(f, ", \"%s\": %" PRId64, bucket_names[b], m[b]);
			fprintf(f, ", \"sp\": \"%s\", \"sources\": {",
			    advise_policy_name(d->scen[k].sp));
			for (b = 0; b < B_N; b++) {
				n = collect(d, -1, b, k, idx);
				fprintf(f, "%s\"%s\": ", b ? ", " : "", bucket_names[b]);
				json_sources(f, d, idx, n, k, 1);
			}
			fputs("}}", f);
		}
		fputs("},\n   \"sources_by_class\": {", f);
		for (k = 0; k < ADV_NCLASS; k++)
			fprintf(f, "%s\"%s\": %" PRId64, k ? ", " : "",
			    advise_class_name((enum advise_class)k), d->by_class[k][0]);
		fputs("},\n   \"sources\": {", f);
		for (k = 0; k < ADV_NCLASS; k++) {
			n = collect(d, k, -1, 0, idx);
			sort_dom = d;
			if (n > 1)	/* qsort wants a non-NULL base */
				qsort(idx, n, sizeof *idx, by_messages);
			fprintf(f, "%s\"%s\": ", k ? ",\n    " : "",
			    advise_class_name((enum advise_class)k));
			json_sources(f, d, idx, n, 0, 0);
		}
		fputs("},\n   \"record_name\": ", f);
		snprintf(sub, sizeof sub, "_dmarc.%s", d->name);
		json_string(f, sub);
		fputs(", \"record\": ", f);
		json_string(f, d->record);
		words(d, sub, sizeof sub, ramp, sizeof ramp);
		fputs(",\n   \"subdomains\": ", f);
		json_string(f, sub);
		fputs(", \"ramp\": ", f);
		json_string(f, ramp[0] ? ramp : NULL);
		if (a->has_lint) {
			fprintf(f, ",\n   \"record_lint\": {\"valid\": %s, \"errors\": ",
			    a->lint.valid ? "true" : "false");
			json_strings(f, a->lint.errors, a->lint.nerrors);
			fputs(", \"warnings\": ", f);
			json_strings(f, a->lint.warnings, a->lint.nwarnings);
			fputc('}', f);
		}
		fprintf(f, ",\n   \"thresholds\": {\"aligned\": %g, \"partial\": %g, "
		    "\"min-days\": %" PRId64 ", \"min-reporters\": %" PRId64
		    ", \"min-messages\": %" PRId64 ", \"max-legitimate\": %g, "
		    "\"max-source\": %g}}%s\n", t->aligned, t->partial, t->min_days,
		    t->min_reporters, t->min_messages, t->max_legitimate,
		    t->max_source, i + 1 < a->n ? "," : "");
	}
	fputs("]\n", f);
	free(idx);
}

/*
 * Loads and judges every selected domain over w's window (the last 30 days
 * when c gave none).  Returns 0 or 2 (with the error in w->err).
 */
static int
advise_load(const struct report_ctx *c, struct report_ctx *w, struct advice *a)
{
	size_t i;
	int rc;

	/* the default window: the last 30 days, today included */
	if (!w->windowed) {
		w->until = c->today + 86400;
		w->since = w->until - (int64_t)DEFAULT_DAYS * 86400;
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
			a->since = utc_day(sqlite3_column_int64(st, 0)) * 86400;
		sqlite3_finalize(st);
	}
	if (a->until == INT64_MAX)
		a->until = c->today + 86400;
	if ((rc = load_reports(w, a)) != 0 || (rc = load_sources(w, a)) != 0 ||
	    (rc = load_results(w, a)) != 0 ||
	    (rc = load_subdomains(w, a)) != 0)
		return rc;
	for (i = 0; i < a->n; i++)
		if ((rc = judge(w, a, &a->d[i])) != 0)
			return rc;
	return 0;
}

/*
 * The reverse DNS and sender names of every blocker (one batch, within the
 * DNS budget), and a fix that names the sender: "set up DKIM for
 * example.com in Mailjet (ESP)".
 */
static int
blocker_names(struct report_ctx *c, struct advice *a)
{
	struct rdns_result *q;
	size_t i, j, n = 0, k = 0;
	int rc;

	for (i = 0; i < a->n; i++)
		n += a->d[i].nblk;
	if (n == 0)
		return 0;
	if ((q = calloc(n, sizeof *q)) == NULL)
		return report_oom(c);
	for (i = 0; i < a->n; i++)
		for (j = 0; j < a->d[i].nblk; j++)
			snprintf(q[k++].ip, sizeof q[0].ip, "%s",
			    a->d[i].src[a->d[i].blk[j]].ip);
	rc = names_ptr(c, q, n);
	for (i = 0, k = 0; rc == 0 && i < a->n; i++) {
		struct domain *d = &a->d[i];

		for (j = 0; j < d->nblk; j++, k++) {
			struct source *s = &d->src[d->blk[j]];
			char fix[512];

			if (q[k].status == RDNS_OK)
				snprintf(s->ptr, sizeof s->ptr, "%s", q[k].name);
			s->sender = names_sender(c, s->ip, s->ptr);
			if (s->sender != NULL && s->cls == ADV_MISALIGNED) {
				snprintf(fix, sizeof fix, "set up DKIM signing with "
				    "d=%s in %s (or a return-path under %s)",
				    d->name, s->sender, d->name);
				free(s->fix);
				if ((s->fix = strdup(fix)) == NULL) {
					rc = report_oom(c);
					break;
				}
			}
		}
	}
	free(q);
	return rc;
}

int
advise_verdicts(struct report_ctx *c, const char *const *domains, size_t n)
{
	struct report_ctx w = *c;
	struct advice a;
	char line[512];
	size_t i;
	int rc;

	if (n == 0)
		return 0;
	memset(&a, 0, sizeof a);
	advise_thresholds_default(&a.t);
	w.domains = domains;
	w.ndomains = n;
	w.windowed = 0;
	w.since = INT64_MIN;
	w.until = INT64_MAX;
	w.err[0] = '\0';
	rc = advise_load(c, &w, &a);
	for (i = 0; rc == 0 && i < a.n; i++) {
		verdict_line(&a, &a.d[i], line, sizeof line);
		wrap(c->out, "", line, 2);
	}
	if (rc == 2 && !c->err[0])
		memcpy(c->err, w.err, sizeof c->err);
	advice_free(&a);
	return rc;
}

int
cmd_advise(struct report_ctx *c)
{
	struct report_ctx w = *c;
	struct advice a;
	size_t i;
	int rc = 0;

	memset(&a, 0, sizeof a);
	advise_thresholds_default(&a.t);
	for (i = 0; i < c->nthresholds; i++)
		if (advise_threshold_set(&a.t, c->thresholds[i], c->err,
		    sizeof c->err) != 0)
			return 2;
	if (c->format == OUT_CSV) {
		snprintf(c->err, sizeof c->err, "advise: --format wants text or "
		    "json (its blocks do not fit one CSV table)");
		return 2;
	}
	if (c->record != NULL) {
		if (c->ndomains != 1) {
			snprintf(c->err, sizeof c->err, "--record is the record of "
			    "one domain: give exactly one --domain with it");
			return 2;
		}
		if (lint_record(c->record, NULL, &a.lint) != 0)
			return report_oom(c);
		a.has_lint = 1;
	}
	if ((rc = advise_load(c, &w, &a)) != 0 ||
	    (rc = blocker_names(c, &a)) != 0)	/* c: it keeps the resolver */
		goto out;
	if (c->format == OUT_JSON)
		print_json(c, &a);
	else
		print_text(c, &a);
	for (i = 0; i < a.n; i++)
		if (a.d[i].verdict != V_READY && a.d[i].verdict != V_AT_REJECT)
			rc = 1;
out:
	if (rc == 2 && w.err[0] && !c->err[0])
		memcpy(c->err, w.err, sizeof c->err);
	advice_free(&a);
	return rc;
}
