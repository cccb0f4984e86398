/* SPDX-License-Identifier: MIT */
/*
 * cmd_sources.c: the sources command: one row per source IP over the
 * selected policy domains (all of them, or those of --domain; the rows
 * list which domains each IP sent for), with its volume, DMARC pass and
 * fail, SPF and DKIM aligned passes, dispositions and first and last day
 * seen, all from source_day; and, for the rows shown only, the lists read
 * from its authentication outcomes (source_auth, the records added up by
 * dmarc-ingest): raw SPF and DKIM results with their domains,
 * header From domains, reporters, policy domains and override reasons,
 * each with its messages, most messages first; and the authentication
 * domains that name a sender when DNS does not (names.h).
 */
#include "report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dm_array.h"
#include "fmt.h"
#include "json_out.h"
#include "names.h"
#include "orgdomain.h"
#include "table.h"

/* Caps that stop runaway growth, past any real database: 16M source IPs
 * (rows), 1M entries in one row's detail list (results, domains, ...). */
#define SOURCES_MAX_ROWS	(1 << 24)
#define SOURCES_MAX_ITEMS	(1 << 20)

/* The detail lists of a row, in the order of the detail query's kinds. */
enum list_kind { L_SPF, L_DKIM, L_FROM, L_REPORTER, L_DOMAIN, L_REASON,
	L_KINDS };

struct item {
	char *a, *b;		/* value (result, or type/name), and domain */
	int64_t messages;
};

struct list {
	struct item *v;
	size_t n, cap;
};

struct source_row {
	char *ip;
	char ptr[256];			/* reverse DNS name, or "" */
	int ptr_confirmed;
	const char *sender;		/* id.name: the table's or sender_buf */
	struct sender_id id;
	char sender_buf[SENDERS_BUF_MIN];
	int64_t messages, pass, spf, dkim, none, quarantine, reject;
	int64_t first_day, last_day;
	struct list list[L_KINDS];
	struct list auth;		/* authentication domains (a), messages */
};

struct sources {
	struct source_row *rows;
	size_t n, cap;
};

/* The text columns: what tells a postmaster why a source fails, within
 * REPORT_WIDTH; the aligned counts and the other lists are in CSV and JSON. */
static const struct table_coldef text_cols[] = {
	{ "SOURCE IP", TABLE_LEFT, 0 },
	{ "SENDER", TABLE_LEFT, 0 },
	{ "MESSAGES", TABLE_RIGHT, 0 },
	{ "PASS %", TABLE_RIGHT, 0 },
	{ "FAILED", TABLE_RIGHT, 0 },
	{ "SPF RESULTS", TABLE_LEFT, 1 },
	{ "DKIM RESULTS", TABLE_LEFT, 1 },
	{ "HEADER FROM", TABLE_LEFT, 1 },
};

static const char *const csv_cols[] = {
	"source_ip", "ptr", "sender", "messages", "dmarc_pass", "dmarc_fail", "pass_rate",
	"spf_aligned_pass", "dkim_aligned_pass", "spf_results", "dkim_results",
	"header_from", "reporters", "domains", "first_seen", "last_seen",
	"disposition_none", "disposition_quarantine", "disposition_reject",
	"reasons",
};

/* JSON keys of the lists; the string lists are arrays of names. */
static const char *const list_keys[L_KINDS] = {
	"spf_results", "dkim_results", "header_from", "reporters", "domains",
	"reasons",
};


static void
sources_free(struct sources *s)
{
	size_t i, j;
	int k;

	for (i = 0; i < s->n; i++) {
		free(s->rows[i].ip);
		for (k = 0; k < L_KINDS; k++) {
			struct list *l = &s->rows[i].list[k];
			for (j = 0; j < l->n; j++) {
				free(l->v[j].a);
				free(l->v[j].b);
			}
			free(l->v);
		}
		for (j = 0; j < s->rows[i].auth.n; j++)
			free(s->rows[i].auth.v[j].a);
		free(s->rows[i].auth.v);
	}
	free(s->rows);
}

/* The rows shown: source IPs ranked from source_day. */
static enum report_status
load_ranking(struct report_ctx *c, struct sources *s)
{
	char filter[1024], sql[2048];
	sqlite3_stmt *st;
	int rc, i;
	enum report_status status;

	/* per domain and IP first, read in the order of source_day_ip,
	 * which holds every column summed (no sort of the year's rows) */
	filter_sql_days(c, "sd", filter, sizeof filter);
	snprintf(sql, sizeof sql,
	    "SELECT ip, sum(m) AS m, sum(p) AS p, sum(spf), sum(dkim),"
	    " sum(dn), sum(dq), sum(dr), min(first), max(last) FROM ("
	    " SELECT sd.source_ip AS ip, sum(sd.messages) AS m,"
	    " sum(sd.dmarc_pass) AS p, sum(sd.spf_aligned_pass) AS spf,"
	    " sum(sd.dkim_aligned_pass) AS dkim, sum(sd.disp_none) AS dn,"
	    " sum(sd.disp_quarantine) AS dq, sum(sd.disp_reject) AS dr,"
	    " min(sd.day) AS first, max(sd.day) AS last"
	    " FROM source_day sd WHERE sd.domain IN (SELECT DISTINCT domain"
	    " FROM report)%s GROUP BY sd.domain, sd.source_ip)"
	    " GROUP BY ip ORDER BY %s ip LIMIT ?",
	    filter, c->sort == SORT_FAILURES ? "m - p DESC, m DESC," : "m DESC,");
	if ((st = report_prepare(c, sql)) == NULL)
		return RPT_ERROR;
	i = filter_bind_days(c, st, 1);
	sqlite3_bind_int64(st, i, c->top > 0 ? (int64_t)c->top : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct source_row *r;

		if (dm_array_reserve(&s->rows, &s->cap, s->n + 1,
		    sizeof *s->rows, SOURCES_MAX_ROWS) != 0) {
			sqlite3_finalize(st);
			return report_oom(c);
		}
		r = &s->rows[s->n++];
		memset(r, 0, sizeof *r);
		if ((r->ip = report_dup_col(st, 0)) == NULL) {
			sqlite3_finalize(st);
			return report_oom(c);
		}
		r->messages = sqlite3_column_int64(st, 1);
		r->pass = sqlite3_column_int64(st, 2);
		r->spf = sqlite3_column_int64(st, 3);
		r->dkim = sqlite3_column_int64(st, 4);
		r->none = sqlite3_column_int64(st, 5);
		r->quarantine = sqlite3_column_int64(st, 6);
		r->reject = sqlite3_column_int64(st, 7);
		r->first_day = sqlite3_column_int64(st, 8);
		r->last_day = sqlite3_column_int64(st, 9);
	}
	status = report_step_done(c, rc);
	sqlite3_finalize(st);
	return status;
}

static int
list_add(struct list *l, sqlite3_stmt *st)
{
	struct item *it;

	if (dm_array_reserve(&l->v, &l->cap, l->n + 1, sizeof *l->v,
	    SOURCES_MAX_ITEMS) != 0)
		return -1;
	it = &l->v[l->n++];
	it->a = report_dup_col(st, 1);
	it->b = report_dup_col(st, 2);
	it->messages = sqlite3_column_int64(st, 3);
	return 0;
}

/*
 * SQL: the source_auth rows `sa` of source IP ?1 in the domains and window
 * of the filter given: its days per domain from source_day (source_day_ip,
 * domain by domain), then their rows by the first columns of the key
 * (CROSS JOIN: source_day first, whatever the statistics say; +sd.day:
 * each of its days an equality on the key, not the window copied over).
 */
#define SQL_IP_ROWS(cols) \
	"SELECT " cols " FROM source_day sd CROSS JOIN source_auth sa"		\
	" ON sa.domain = sd.domain AND sa.day = +sd.day"			\
	" AND sa.source_ip = sd.source_ip"					\
	" WHERE sd.domain IN (SELECT DISTINCT domain FROM report)"		\
	" AND sd.source_ip = ?1%s"

/*
 * The lists of each row shown, from its authentication outcomes
 * (source_auth) inside the same domains and window: its rows are read
 * once into a temporary table and grouped six ways, the JSON lists of raw
 * results, reasons and reporters opened.
 */
static enum report_status
load_details(struct report_ctx *c, struct sources *s)
{
	char filter[1024], sql[4096];
	sqlite3_stmt *st;
	size_t i;
	int rc = SQLITE_DONE;
	enum report_status status;

	filter_sql_days(c, "sd", filter, sizeof filter);
	snprintf(sql, sizeof sql,
	    "WITH rows AS MATERIALIZED (" SQL_IP_ROWS("sa.messages AS n,"
	    " nullif(sa.header_from, '') AS hf, sa.domain AS dom, sa.spf AS spf,"
	    " sa.dkim AS dkim, sa.reasons AS reasons, sa.reporters AS orgs") ")"
	    " SELECT 0, x.value ->> 2, x.value ->> 0, sum(rows.n)"
	    " FROM rows, json_each(rows.spf) x GROUP BY 2, 3"
	    " UNION ALL SELECT 1, x.value ->> 2, x.value ->> 0, sum(rows.n)"
	    " FROM rows, json_each(rows.dkim) x GROUP BY 2, 3"
	    " UNION ALL SELECT 2, hf, NULL, sum(n) FROM rows GROUP BY 2"
	    " UNION ALL SELECT 3, nullif(x.key, ''), NULL, sum(x.value)"
	    " FROM rows, json_each(rows.orgs) x GROUP BY 2"
	    " UNION ALL SELECT 4, dom, NULL, sum(n) FROM rows GROUP BY 2"
	    " UNION ALL SELECT 5, x.value, NULL, sum(rows.n)"
	    " FROM rows, json_each(rows.reasons) x GROUP BY 2"
	    " ORDER BY 1, 4 DESC, 2, 3", filter);
	if ((st = report_prepare(c, sql)) == NULL)
		return RPT_ERROR;
	for (i = 0; i < s->n; i++) {
		struct source_row *r = &s->rows[i];

		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, r->ip, -1, SQLITE_STATIC);
		filter_bind_days(c, st, 2);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			int k = sqlite3_column_int(st, 0);

			if (k >= 0 && k < L_KINDS && list_add(&r->list[k], st) != 0) {
				sqlite3_finalize(st);
				return report_oom(c);
			}
		}
		if (rc != SQLITE_DONE)
			break;
	}
	status = report_step_done(c, rc);
	sqlite3_finalize(st);
	return status;
}

/* Adds m messages to domain d in l, whose last entry it joins when it is
 * the same domain (the query sends a domain's rows together); -1 without
 * memory. */
static int
auth_add(struct list *l, const char *d, int64_t m)
{
	struct item *it;

	if (l->n > 0 && strcmp(l->v[l->n - 1].a, d) == 0) {
		it = &l->v[l->n - 1];
		/* an ordering weight only: saturate */
		it->messages = it->messages > INT64_MAX - m ? INT64_MAX :
		    it->messages + m;
		return 0;
	}
	if (dm_array_reserve(&l->v, &l->cap, l->n + 1, sizeof *l->v,
	    SOURCES_MAX_ITEMS) != 0)
		return -1;
	it = &l->v[l->n];
	if ((it->a = strdup(d)) == NULL)
		return -1;
	it->b = NULL;
	it->messages = m;
	l->n++;
	return 0;
}

static int
by_messages_then_name(const void *x, const void *y)
{
	const struct item *a = x, *b = y;

	if (a->messages != b->messages)
		return a->messages < b->messages ? 1 : -1;
	return strcmp(a->a, b->a);
}

/*
 * The authentication domains of each row, for its sender's name: the DKIM
 * d= and SPF domains that passed on its mail, inside the same domains and
 * window, most messages first (a domain's DKIM and SPF messages added),
 * leaving out those under the organizational domain of the policy domain
 * of their report: the domain's own signatures say nothing about who
 * sends for it.
 */
static int
load_auth(struct report_ctx *c, struct sources *s)
{
	char filter[1024], sql[2048];
	sqlite3_stmt *st;
	size_t i;
	int rc = SQLITE_DONE;

	filter_sql_days(c, "sd", filter, sizeof filter);
	/* lowercase domains in order, so that a domain's rows (one per
	 * policy domain) come together */
	snprintf(sql, sizeof sql,
	    "WITH rows AS MATERIALIZED (" SQL_IP_ROWS("sa.messages AS n,"
	    " sa.domain AS dom, sa.spf AS spf, sa.dkim AS dkim") "),"
	    " auth AS (SELECT rows.dom AS dom, lower(x.value ->> 0) AS d,"
	    " rows.n AS n FROM rows, json_each(rows.dkim) x"
	    " WHERE x.value ->> 2 = 'pass' AND x.value ->> 0 IS NOT NULL"
	    " UNION ALL SELECT rows.dom, lower(x.value ->> 0), rows.n"
	    " FROM rows, json_each(rows.spf) x"
	    " WHERE x.value ->> 2 = 'pass' AND x.value ->> 0 IS NOT NULL)"
	    " SELECT dom, d, sum(n) FROM auth GROUP BY 2, 1 ORDER BY 2, 1",
	    filter);
	if ((st = report_prepare(c, sql)) == NULL)
		return 2;
	for (i = 0; i < s->n; i++) {
		struct source_row *r = &s->rows[i];

		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, r->ip, -1, SQLITE_STATIC);
		filter_bind_days(c, st, 2);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			const char *dom = (const char *)sqlite3_column_text(st, 0);
			const char *d = (const char *)sqlite3_column_text(st, 1);
			int64_t m = sqlite3_column_int64(st, 2);

			if (d == NULL || m <= 0 || (dom != NULL && org_aligned(d, dom)))
				continue;
			if (auth_add(&r->auth, d, m) != 0) {
				sqlite3_finalize(st);
				return report_oom(c);
			}
		}
		if (rc != SQLITE_DONE)
			break;
		if (r->auth.n > 1)
			qsort(r->auth.v, r->auth.n, sizeof *r->auth.v,
			    by_messages_then_name);
	}
	rc = report_step_done(c, rc);
	sqlite3_finalize(st);
	return rc;
}

/* An item as a person reads it: "pass example.com", "forwarded",
 * "(unnamed)" for a reporter without a name; or, when `csv`, as a machine
 * reads it, with its messages: "pass:example.com:1234", "Yahoo:171" (the
 * count after the last ':', no thousands separators). */
static void
item_text(enum list_kind k, const struct item *it, int csv, char *buf,
    size_t len)
{
	const char *a = it->a;

	if (a == NULL)
		a = k == L_REPORTER ? "(unnamed)" : "(none)";
	if (!csv && (k == L_SPF || k == L_DKIM))
		snprintf(buf, len, "%s %s", a, it->b ? it->b : "(no domain)");
	else if (!csv)
		snprintf(buf, len, "%s", a);
	else if (k == L_SPF || k == L_DKIM)
		snprintf(buf, len, "%s:%s:%" PRId64, a, it->b ? it->b : "",
		    it->messages);
	else
		snprintf(buf, len, "%s:%" PRId64, a, it->messages);
}

static void
list_cell(struct table *t, enum list_kind k, const struct list *l, int counts)
{
	char **items, buf[1024];
	size_t i;

	if (l->n == 0 && counts) {
		table_cell(t, "");	/* CSV: an empty field */
		return;
	}
	if ((items = calloc(l->n + 1, sizeof *items)) == NULL) {
		table_cell(t, "");
		return;
	}
	for (i = 0; i < l->n; i++) {
		item_text(k, &l->v[i], counts, buf, sizeof buf);
		if ((items[i] = strdup(buf)) == NULL)
			break;
	}
	table_list(t, (const char *const *)items, i);
	for (i = 0; i < l->n; i++)
		free(items[i]);
	free(items);
}

/* The sender's name, else its PTR name ("?" when it does not resolve
 * back), else "-". */
static const char *
who(const struct source_row *r, char *buf, size_t len)
{
	if (r->sender != NULL)
		snprintf(buf, len, "%s", r->sender);
	else if (r->ptr[0])
		snprintf(buf, len, "%s%s", r->ptr, r->ptr_confirmed ? "" : "?");
	else
		snprintf(buf, len, "-");
	return buf;
}

static void
print_text(struct report_ctx *c, const struct sources *s)
{
	char name[300];	/* a sender or PTR name with its "?" */
	struct table *t;
	char a[FMT_NUM];
	size_t i;

	if ((t = table_new()) == NULL)
		return;
	table_cols(t, text_cols, sizeof text_cols / sizeof text_cols[0]);
	if (s->n == 0) {	/* no bare header: main says why */
		table_free(t);
		return;
	}
	for (i = 0; i < s->n; i++) {
		const struct source_row *r = &s->rows[i];

		table_row(t);
		table_cell(t, r->ip);
		table_cell(t, who(r, name, sizeof name));
		table_cell(t, fmt_int(r->messages, a, sizeof a));
		table_cell(t, fmt_pct(r->pass, r->messages, a, sizeof a));
		table_cell(t, fmt_int(r->messages - r->pass, a, sizeof a));
		list_cell(t, L_SPF, &r->list[L_SPF], 0);
		list_cell(t, L_DKIM, &r->list[L_DKIM], 0);
		list_cell(t, L_FROM, &r->list[L_FROM], 0);
	}
	table_print_text(t, c->out, REPORT_WIDTH);
	table_free(t);
}

static void
print_csv(struct report_ctx *c, const struct sources *s)
{
	struct table *t;
	char a[FMT_NUM];
	size_t i;

	if ((t = table_new()) == NULL)
		return;
	for (i = 0; i < sizeof csv_cols / sizeof csv_cols[0]; i++)
		table_col(t, csv_cols[i], TABLE_LEFT, 0);
	for (i = 0; i < s->n; i++) {
		const struct source_row *r = &s->rows[i];

		table_row(t);
		table_cell(t, r->ip);
		table_cell(t, r->ptr);
		table_cell(t, r->sender ? r->sender : "");
		table_cellf(t, "%" PRId64, r->messages);
		table_cellf(t, "%" PRId64, r->pass);
		table_cellf(t, "%" PRId64, r->messages - r->pass);
		table_cell(t, r->messages > 0 ?
		    fmt_fraction(r->pass, r->messages, a, sizeof a) : "");
		table_cellf(t, "%" PRId64, r->spf);
		table_cellf(t, "%" PRId64, r->dkim);
		list_cell(t, L_SPF, &r->list[L_SPF], 1);
		list_cell(t, L_DKIM, &r->list[L_DKIM], 1);
		list_cell(t, L_FROM, &r->list[L_FROM], 1);
		list_cell(t, L_REPORTER, &r->list[L_REPORTER], 1);
		list_cell(t, L_DOMAIN, &r->list[L_DOMAIN], 1);
		table_cell(t, fmt_day(r->first_day * UTC_DAY_SECONDS, a, sizeof a));
		table_cell(t, fmt_day(r->last_day * UTC_DAY_SECONDS, a, sizeof a));
		table_cellf(t, "%" PRId64, r->none);
		table_cellf(t, "%" PRId64, r->quarantine);
		table_cellf(t, "%" PRId64, r->reject);
		list_cell(t, L_REASON, &r->list[L_REASON], 1);
	}
	table_print_csv(t, c->out);
	table_free(t);
}

/* A JSON list: objects for results and reasons, names for the others. */
static void
json_list(FILE *f, enum list_kind k, const struct list *l)
{
	size_t i;

	fprintf(f, ", \"%s\": [", list_keys[k]);
	for (i = 0; i < l->n; i++) {
		const struct item *it = &l->v[i];

		if (i)
			fputs(", ", f);
		if (k == L_SPF || k == L_DKIM) {
			fputs("{\"result\": ", f);
			json_string(f, it->a);
			fputs(", \"domain\": ", f);
			json_string(f, it->b);
			fprintf(f, ", \"messages\": %" PRId64 "}", it->messages);
		} else if (k == L_REASON) {
			fputs("{\"type\": ", f);
			json_string(f, it->a);
			fprintf(f, ", \"messages\": %" PRId64 "}", it->messages);
		} else
			json_string(f, it->a);
	}
	fputc(']', f);
}

static void
print_json(struct report_ctx *c, const struct sources *s)
{
	FILE *f = c->out;
	char a[FMT_NUM], b[FMT_NUM];
	size_t i;
	int k;

	if (s->n == 0) {
		fputs("[]\n", f);
		return;
	}
	fputs("[\n", f);
	for (i = 0; i < s->n; i++) {
		const struct source_row *r = &s->rows[i];

		fputs("  {\"source_ip\": ", f);
		json_string(f, r->ip);
		fputs(", \"ptr\": ", f);
		json_string(f, r->ptr[0] ? r->ptr : NULL);
		fprintf(f, ", \"ptr_confirmed\": %s, \"sender\": ",
		    r->ptr[0] && r->ptr_confirmed ? "true" : "false");
		json_string(f, r->sender);
		fprintf(f, ", \"messages\": %" PRId64 ", \"dmarc_pass\": %" PRId64
		    ", \"dmarc_fail\": %" PRId64 ", \"pass_rate\": %s"
		    ", \"spf_aligned_pass\": %" PRId64
		    ", \"dkim_aligned_pass\": %" PRId64,
		    r->messages, r->pass, r->messages - r->pass,
		    fmt_fraction(r->pass, r->messages, a, sizeof a), r->spf,
		    r->dkim);
		for (k = 0; k < L_KINDS; k++)
			json_list(f, (enum list_kind)k, &r->list[k]);
		fprintf(f, ", \"first_seen\": \"%s\", \"last_seen\": \"%s\""
		    ", \"disposition\": {\"none\": %" PRId64 ", \"quarantine\": %"
		    PRId64 ", \"reject\": %" PRId64 "}}%s\n",
		    fmt_day(r->first_day * UTC_DAY_SECONDS, a, sizeof a),
		    fmt_day(r->last_day * UTC_DAY_SECONDS, b, sizeof b), r->none,
		    r->quarantine, r->reject, i + 1 < s->n ? "," : "");
	}
	fputs("]\n", f);
}

/* Reverse DNS and sender names of the rows shown. */
static enum report_status
load_names(struct report_ctx *c, struct sources *s)
{
	struct rdns_result *q;
	size_t i;
	enum report_status rc;

	if (s->n == 0)
		return RPT_OK;
	if ((q = calloc(s->n, sizeof *q)) == NULL)
		return report_oom(c);
	for (i = 0; i < s->n; i++)
		snprintf(q[i].ip, sizeof q[i].ip, "%s", s->rows[i].ip);
	/* names_ptr: 0, or not with c->err set */
	rc = names_ptr(c, q, s->n) == 0 ? RPT_OK : RPT_ERROR;
	for (i = 0; rc == RPT_OK && i < s->n; i++) {
		struct source_row *r = &s->rows[i];
		const char *auth[16];	/* the busiest domains are enough */
		size_t k, na = r->auth.n < 16 ? r->auth.n : 16;

		if (q[i].status == RDNS_OK) {
			snprintf(r->ptr, sizeof r->ptr, "%s", q[i].name);
			r->ptr_confirmed = q[i].confirmed;
		}
		for (k = 0; k < na; k++)
			auth[k] = r->auth.v[k].a;
		names_identify(c, r->ip, r->ptr, NULL, auth, na, &r->id,
		    r->sender_buf, sizeof r->sender_buf);
		r->sender = r->id.name;
	}
	free(q);
	return rc;
}

/* --by sender: the rows grouped by sender name (unknown ones together),
 * most messages first; --top then counts senders. */
struct sender_row {
	char name[256];
	int64_t messages, pass;
	size_t nips;
	const char *ips[8];		/* the busiest first */
};

static int
by_messages_desc(const void *x, const void *y)
{
	const struct sender_row *a = x, *b = y;

	if (a->messages != b->messages)
		return a->messages < b->messages ? 1 : -1;
	return strcmp(a->name, b->name);
}

static enum report_status
print_by_sender(struct report_ctx *c, const struct sources *s)
{
	struct sender_row *g = calloc(s->n ? s->n : 1, sizeof *g);
	size_t n = 0, i, k, shown;
	char a[FMT_NUM], b[FMT_NUM];
	struct table *t;

	if (g == NULL)
		return report_oom(c);
	for (i = 0; i < s->n; i++) {
		const struct source_row *r = &s->rows[i];
		char name[256];

		/* no known sender: the organizational domain of its PTR name */
		if (r->sender != NULL)
			snprintf(name, sizeof name, "%s", r->sender);
		else if (r->ptr[0])
			org_domain(r->ptr, name, sizeof name);
		else
			snprintf(name, sizeof name, "(unknown)");
		for (k = 0; k < n && strcmp(g[k].name, name) != 0; k++)
			;
		if (k == n)
			snprintf(g[n++].name, sizeof g[0].name, "%s", name);
		g[k].messages += r->messages;
		g[k].pass += r->pass;
		if (g[k].nips < sizeof g[k].ips / sizeof g[k].ips[0])
			g[k].ips[g[k].nips] = r->ip;
		g[k].nips++;
	}
	if (n > 1)	/* qsort wants a non-NULL base */
		qsort(g, n, sizeof *g, by_messages_desc);
	shown = c->top > 0 && (size_t)c->top < n ? (size_t)c->top : n;
	if (c->format == OUT_JSON) {
		fputs(shown ? "[\n" : "[]\n", c->out);
		for (i = 0; i < shown; i++) {
			size_t m = g[i].nips < 8 ? g[i].nips : 8;
			fputs("  {\"sender\": ", c->out);
			json_string(c->out, strcmp(g[i].name, "(unknown)") ? g[i].name : NULL);
			fprintf(c->out, ", \"source_ips\": %zu, \"messages\": %" PRId64
			    ", \"dmarc_pass\": %" PRId64 ", \"dmarc_fail\": %" PRId64
			    ", \"pass_rate\": %s, \"busiest_ips\": [", g[i].nips,
			    g[i].messages, g[i].pass, g[i].messages - g[i].pass,
			    fmt_fraction(g[i].pass, g[i].messages, a, sizeof a));
			for (k = 0; k < m; k++) {
				if (k)
					fputs(", ", c->out);
				json_string(c->out, g[i].ips[k]);
			}
			fprintf(c->out, "]}%s\n", i + 1 < shown ? "," : "");
		}
		if (shown)
			fputs("]\n", c->out);
		free(g);
		return RPT_OK;
	}
	if (shown == 0 && c->format == OUT_TEXT) {	/* main says why */
		free(g);
		return RPT_OK;
	}
	if ((t = table_new()) == NULL) {
		free(g);
		return report_oom(c);
	}
	table_col(t, c->format == OUT_CSV ? "sender" : "SENDER", TABLE_LEFT, 1);
	table_col(t, c->format == OUT_CSV ? "source_ips" : "SOURCE IPS", TABLE_RIGHT, 0);
	table_col(t, c->format == OUT_CSV ? "messages" : "MESSAGES", TABLE_RIGHT, 0);
	table_col(t, c->format == OUT_CSV ? "pass_rate" : "PASS %", TABLE_RIGHT, 0);
	table_col(t, c->format == OUT_CSV ? "dmarc_fail" : "FAILED", TABLE_RIGHT, 0);
	table_col(t, c->format == OUT_CSV ? "busiest_ips" : "BUSIEST IPS", TABLE_LEFT, 1);
	for (i = 0; i < shown; i++) {
		size_t m = g[i].nips < 8 ? g[i].nips : 8;
		table_row(t);
		table_cell(t, g[i].name);
		table_cellf(t, "%zu", g[i].nips);
		if (c->format == OUT_CSV) {
			table_cellf(t, "%" PRId64, g[i].messages);
			table_cell(t, fmt_fraction(g[i].pass, g[i].messages, a, sizeof a));
			table_cellf(t, "%" PRId64, g[i].messages - g[i].pass);
		} else {
			table_cell(t, fmt_int(g[i].messages, a, sizeof a));
			table_cell(t, fmt_pct(g[i].pass, g[i].messages, a, sizeof a));
			table_cell(t, fmt_int(g[i].messages - g[i].pass, b, sizeof b));
		}
		table_list(t, g[i].ips, m);
	}
	if (c->format == OUT_CSV)
		table_print_csv(t, c->out);
	else
		table_print_text(t, c->out, REPORT_WIDTH);
	table_free(t);
	free(g);
	return RPT_OK;
}

enum report_status
cmd_sources(struct report_ctx *c)
{
	struct sources s;
	enum report_status rc, missing;

	if ((missing = report_missing(c)) == RPT_ERROR)
		return missing;
	memset(&s, 0, sizeof s);
	if (c->by_sender) {
		/* every IP is named, then grouped; --top counts senders */
		struct report_ctx all = *c;
		all.top = 0;
		if ((rc = load_ranking(&all, &s)) != 0 ||
		    (rc = load_auth(c, &s)) != 0 || (rc = load_names(c, &s)) != 0)
			goto out;
		rc = print_by_sender(c, &s);
		goto out;
	}
	if ((rc = load_ranking(c, &s)) != 0 || (rc = load_details(c, &s)) != 0 ||
	    (rc = load_auth(c, &s)) != 0 || (rc = load_names(c, &s)) != 0)
		goto out;
	switch (c->format) {
	case OUT_TEXT: print_text(c, &s); break;
	case OUT_CSV: print_csv(c, &s); break;
	case OUT_JSON: print_json(c, &s); break;
	}
out:
	/* reports without a single record (possible, if odd) */
	if (rc == RPT_OK && missing == RPT_OK && s.n == 0)
		missing = report_nothing(c, "no records in the reports");
	sources_free(&s);
	return rc != RPT_OK ? rc : missing;
}
