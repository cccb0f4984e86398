/* SPDX-License-Identifier: MIT */
/* export_query.c: export rows streamed from the database (see
 * export_query.h). */
#include "export_query.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fmt.h"

/* A joined list, reused from row to row; refuses to pass EXPORT_LIST_MAX. */
struct jbuf {
	char *s;
	size_t len, cap;
	size_t n;		/* items */
};

/* A cursor over one list table, in (record, position) order. */
struct side {
	sqlite3_stmt *st;
	int has_row;		/* st is on a row */
	int64_t record;		/* that row's record */
};

struct report_slot;

struct export_query {
	struct report_ctx *c;
	sqlite3_stmt *main, *report_st, *errors, *ptr;
	struct side dkim, spf, reason;
	int in_txn;
	struct report_slot *reports;	/* REPORT_SLOTS */
	uint64_t fills;			/* of the report memo, so far */
	struct jbuf err;		/* a report's errors, being read */
	/* the record's lists */
	struct jbuf reasons, comments;
	struct jbuf dkim_domains, dkim_selectors, dkim_results;
	struct jbuf spf_domains, spf_scopes, spf_results;
	struct export_row row;
};

/* Appends `sep` (unless first) and `s` (NULL: `dflt`).  -1 past the cap. */
static int
jb_add(struct jbuf *b, char sep, const char *s, const char *dflt)
{
	size_t n, need;
	char *p;

	if (s == NULL)
		s = dflt;
	n = strlen(s);
	need = b->len + n + 2;
	if (need > EXPORT_LIST_MAX)
		return -1;
	if (need > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < need)
			cap *= 2;
		if (cap > EXPORT_LIST_MAX)
			cap = EXPORT_LIST_MAX;
		if ((p = realloc(b->s, cap)) == NULL)
			return -1;
		b->s = p;
		b->cap = cap;
	}
	if (b->n++ > 0)
		b->s[b->len++] = sep;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

/* Empties b; an empty list reads as "". */
static void
jb_reset(struct jbuf *b)
{
	b->len = 0;
	b->n = 0;
	if (b->s != NULL)
		b->s[0] = '\0';
}

static const char *
jb_str(const struct jbuf *b)
{
	return b->s != NULL ? b->s : "";
}

static const char *
col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* "YYYY-MM-DD HH:MM:SS" in UTC, as parsedmarc writes dates (days to a
 * civil date by hand: no time zone, any int64 day; once per report). */
static void
fmt_time(int64_t epoch, char *buf, size_t len)
{
	int64_t days = utc_day(epoch), secs = epoch - days * 86400;
	int64_t z = days + 719468, era, doe, yoe, doy, mp, y, m, d;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	if (y < 0 || y > 9999) {
		snprintf(buf, len, "%" PRId64, epoch);
		return;
	}
	snprintf(buf, len, "%04d-%02d-%02d %02d:%02d:%02d", (int)y, (int)m,
	    (int)d, (int)(secs / 3600), (int)(secs / 60 % 60),
	    (int)(secs % 60));
}

static int
side_step(struct export_query *q, struct side *s)
{
	int rc = sqlite3_step(s->st);

	if (rc == SQLITE_ROW) {
		s->has_row = 1;
		s->record = sqlite3_column_int64(s->st, 0);
		return 0;
	}
	s->has_row = 0;
	return report_step_done(q->c, rc);
}

/* Moves s to the first row of `record` or past it. */
static int
side_seek(struct export_query *q, struct side *s, int64_t record)
{
	while (s->has_row && s->record < record)
		if (side_step(q, s) != 0)
			return 2;
	return 0;
}

static int
list_too_long(struct export_query *q, const char *what)
{
	snprintf(q->c->err, sizeof q->c->err, "record %" PRId64 ": its %s "
	    "exceed %d MiB, more than export handles", q->row.record_id, what,
	    EXPORT_LIST_MAX / (1024 * 1024));
	return 2;
}

/* The record's reasons, DKIM and SPF results, as joined lists. */
static int
read_lists(struct export_query *q, int64_t id)
{
	struct side *s;

	jb_reset(&q->reasons);
	jb_reset(&q->comments);
	jb_reset(&q->dkim_domains);
	jb_reset(&q->dkim_selectors);
	jb_reset(&q->dkim_results);
	jb_reset(&q->spf_domains);
	jb_reset(&q->spf_scopes);
	jb_reset(&q->spf_results);

	s = &q->reason;
	if (side_seek(q, s, id) != 0)
		return 2;
	for (; s->has_row && s->record == id;) {
		if (jb_add(&q->reasons, ',', col(s->st, 1), "none") != 0 ||
		    jb_add(&q->comments, '|', col(s->st, 2), "none") != 0)
			return list_too_long(q, "override reasons");
		if (side_step(q, s) != 0)
			return 2;
	}
	s = &q->dkim;
	if (side_seek(q, s, id) != 0)
		return 2;
	for (; s->has_row && s->record == id;) {
		if (jb_add(&q->dkim_domains, ',', col(s->st, 1), "none") != 0 ||
		    jb_add(&q->dkim_selectors, ',', col(s->st, 2), "none") != 0 ||
		    jb_add(&q->dkim_results, ',', col(s->st, 3), "none") != 0)
			return list_too_long(q, "DKIM results");
		if (side_step(q, s) != 0)
			return 2;
	}
	s = &q->spf;
	if (side_seek(q, s, id) != 0)
		return 2;
	for (; s->has_row && s->record == id;) {
		if (jb_add(&q->spf_domains, ',', col(s->st, 1), "none") != 0 ||
		    jb_add(&q->spf_scopes, ',', col(s->st, 2), "mfrom") != 0 ||
		    jb_add(&q->spf_results, ',', col(s->st, 3), "none") != 0)
			return list_too_long(q, "SPF results");
		if (side_step(q, s) != 0)
			return 2;
	}
	return 0;
}

/* The report's text columns, in the order of the report statement. */
enum {
	RT_VERSION, RT_ORG, RT_EMAIL, RT_EXTRA, RT_RID, RT_DOMAIN, RT_ADKIM,
	RT_ASPF, RT_P, RT_SP, RT_NP, RT_FO, RT_TESTING, RT_DISCOVERY, RT_INPUT,
	RT_MSGID, RT_NTEXT
};
/* Its other columns, after the texts. */
enum { RC_BEGIN = RT_NTEXT, RC_END, RC_PCT, RC_HAS_ERRORS };

/* One report's values, as rows need them. */
struct report_slot {
	int64_t id;		/* 0: empty */
	uint64_t seq;		/* which fill of the memo this is */
	char *block;		/* owns the texts and errors */
	const char *text[RT_NTEXT];
	const char *errors;
	char begin[24], end[24];
	int normalized, has_pct;
	int64_t pct;
};

/* The report memo: the texts and errors of the reports rows have met, by
 * id (a report's records may be spread over the whole id range when
 * reports were ingested side by side).  Its size is fixed: memory does
 * not grow with the export. */
#define REPORT_SLOTS 8192

static int
report_fill(struct export_query *q, struct report_slot *rs, int64_t id)
{
	sqlite3_stmt *st = q->report_st;
	size_t len[RT_NTEXT], total = 0, elen, i;
	int64_t begin, end;
	char *p;
	int rc;

	free(rs->block);
	memset(rs, 0, sizeof *rs);
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			snprintf(q->c->err, sizeof q->c->err, "record %" PRId64
			    ": its report %" PRId64 " is missing",
			    q->row.record_id, id);
		else
			report_db_error(q->c);
		sqlite3_reset(st);
		return 2;
	}
	/* the errors, joined with '|' as parsedmarc does */
	jb_reset(&q->err);
	if (sqlite3_column_int(st, RC_HAS_ERRORS)) {
		sqlite3_reset(q->errors);
		sqlite3_bind_int64(q->errors, 1, id);
		while ((rc = sqlite3_step(q->errors)) == SQLITE_ROW)
			if (col(q->errors, 0) != NULL &&
			    *col(q->errors, 0) != '\0' &&
			    jb_add(&q->err, '|', col(q->errors, 0), "") != 0) {
				sqlite3_reset(st);
				return list_too_long(q, "report errors");
			}
		if (report_step_done(q->c, rc) != 0) {
			sqlite3_reset(st);
			return 2;
		}
	}
	elen = q->err.len;
	for (i = 0; i < RT_NTEXT; i++) {
		len[i] = col(st, (int)i) ? strlen(col(st, (int)i)) + 1 : 0;
		total += len[i];
	}
	if ((rs->block = malloc(total + elen + 1)) == NULL) {
		sqlite3_reset(st);
		return report_oom(q->c);
	}
	p = rs->block;
	for (i = 0; i < RT_NTEXT; i++) {
		if (len[i] == 0)
			continue;
		memcpy(p, col(st, (int)i), len[i]);
		rs->text[i] = p;
		p += len[i];
	}
	memcpy(p, jb_str(&q->err), elen + 1);
	rs->errors = p;
	begin = sqlite3_column_int64(st, RC_BEGIN);
	end = sqlite3_column_int64(st, RC_END);
	fmt_time(begin, rs->begin, sizeof rs->begin);
	fmt_time(end, rs->end, sizeof rs->end);
	/* parsedmarc splits a report longer than a day into daily rows and
	 * says so in normalized_timespan; export keeps the record whole */
	rs->normalized = end - begin > 86400;
	rs->has_pct = sqlite3_column_type(st, RC_PCT) != SQLITE_NULL;
	rs->pct = sqlite3_column_int64(st, RC_PCT);
	rs->id = id;
	rs->seq = ++q->fills;
	sqlite3_reset(st);
	return 0;
}

enum {
	M_ID, M_REPORT, M_IP, M_COUNT, M_DISP, M_DKIM, M_SPF, M_HFROM, M_EFROM,
	M_ETO
};

struct export_query *
export_query_open(struct report_ctx *c, int64_t after, int64_t upto)
{
	struct export_query *q;
	char filter[1024], sql[2048];
	int i;

	if ((q = calloc(1, sizeof *q)) == NULL ||
	    (q->reports = calloc(REPORT_SLOTS, sizeof *q->reports)) == NULL) {
		free(q);
		report_oom(c);
		return NULL;
	}
	q->c = c;
	/* one snapshot for the records, their lists and reports */
	if (sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		report_db_error(c);
		goto fail;
	}
	q->in_txn = 1;
	filter_sql(c, "p", filter, sizeof filter);
	/* CROSS JOIN keeps record the outer loop: rows come in id order
	 * from the table itself, never through a sort of the whole set; the
	 * report is joined only when a filter needs it */
	snprintf(sql, sizeof sql, "SELECT r.id, r.report, r.source_ip, r.count, "
	    "r.disposition, r.dkim_aligned, r.spf_aligned, r.header_from, "
	    "r.envelope_from, r.envelope_to FROM record r%s WHERE %s"
	    "r.id > ?1 AND r.id <= ?2%s ORDER BY r.id",
	    filter[0] ? " CROSS JOIN report p" : "",
	    filter[0] ? "p.id = r.report AND " : "", filter);
	if ((q->main = report_prepare(c, sql)) == NULL)
		goto fail;
	sqlite3_bind_int64(q->main, 1, after);
	sqlite3_bind_int64(q->main, 2, upto);
	filter_bind(c, q->main, 3);
	if ((q->report_st = report_prepare(c, "SELECT xml_version, org_name, "
	    "email, extra_contact_info, report_id, domain, adkim, aspf, p, sp, "
	    "np, fo, testing, discovery_method, input_name, message_id, "
	    "date_begin, date_end, pct, EXISTS (SELECT 1 FROM report_error e "
	    "WHERE e.report = report.id) FROM report WHERE id = ?")) == NULL ||
	    (q->errors = report_prepare(c, "SELECT message FROM report_error "
	    "WHERE report = ? ORDER BY position")) == NULL ||
	    (q->ptr = report_prepare(c, "SELECT name FROM dns_cache WHERE "
	    "ip = ? AND status = 0 AND name IS NOT NULL")) == NULL ||
	    (q->dkim.st = report_prepare(c, "SELECT record, domain, selector, "
	    "result FROM record_dkim WHERE record > ? AND record <= ? "
	    "ORDER BY record, position")) == NULL ||
	    (q->spf.st = report_prepare(c, "SELECT record, domain, scope, result "
	    "FROM record_spf WHERE record > ? AND record <= ? "
	    "ORDER BY record, position")) == NULL ||
	    (q->reason.st = report_prepare(c, "SELECT record, type, comment FROM "
	    "record_reason WHERE record > ? AND record <= ? "
	    "ORDER BY record, position")) == NULL)
		goto fail;
	for (i = 0; i < 3; i++) {
		struct side *s = i == 0 ? &q->dkim : i == 1 ? &q->spf : &q->reason;
		sqlite3_bind_int64(s->st, 1, after);
		sqlite3_bind_int64(s->st, 2, upto);
		if (side_step(q, s) != 0)
			goto fail;
	}
	return q;
fail:
	export_query_close(q);
	return NULL;
}

int
export_query_next(struct export_query *q, const struct export_row **out)
{
	sqlite3_stmt *st = q->main;
	struct export_row *r = &q->row;
	struct report_slot *rs;
	int64_t id, report;
	int rc;

	if ((rc = sqlite3_step(st)) != SQLITE_ROW)
		return rc == SQLITE_DONE ? 0 : report_db_error(q->c);
	id = sqlite3_column_int64(st, M_ID);
	report = sqlite3_column_int64(st, M_REPORT);
	r->record_id = id;
	rs = &q->reports[(uint64_t)report % REPORT_SLOTS];
	if (rs->id != report && report_fill(q, rs, report) != 0)
		return 2;
	if (read_lists(q, id) != 0)
		return 2;

	r->report_seq = rs->seq;
	r->xml_schema = rs->text[RT_VERSION] ? rs->text[RT_VERSION] : "draft";
	r->org_name = rs->text[RT_ORG];
	r->org_email = rs->text[RT_EMAIL];
	r->org_extra_contact_info = rs->text[RT_EXTRA];
	r->report_id = rs->text[RT_RID];
	r->begin_date = rs->begin;
	r->end_date = rs->end;
	r->normalized_timespan = rs->normalized;
	r->errors = rs->errors;
	r->domain = rs->text[RT_DOMAIN];
	r->adkim = rs->text[RT_ADKIM];
	r->aspf = rs->text[RT_ASPF];
	r->p = rs->text[RT_P];
	r->sp = rs->text[RT_SP];
	r->np = rs->text[RT_NP];
	r->has_pct = rs->has_pct;
	r->pct = rs->pct;
	r->fo = rs->text[RT_FO];
	r->testing = rs->text[RT_TESTING];
	r->discovery_method = rs->text[RT_DISCOVERY];

	r->source_ip = col(st, M_IP);
	r->count = sqlite3_column_int64(st, M_COUNT);
	r->spf_aligned = col(st, M_SPF) && strcmp(col(st, M_SPF), "pass") == 0;
	r->dkim_aligned = col(st, M_DKIM) && strcmp(col(st, M_DKIM), "pass") == 0;
	r->dmarc_aligned = r->spf_aligned || r->dkim_aligned;
	r->disposition = col(st, M_DISP) ? col(st, M_DISP) : "none";
	r->reasons = jb_str(&q->reasons);
	r->comments = jb_str(&q->comments);
	r->envelope_from = col(st, M_EFROM);
	r->header_from = col(st, M_HFROM);
	r->envelope_to = col(st, M_ETO);
	r->dkim_domains = jb_str(&q->dkim_domains);
	r->dkim_selectors = jb_str(&q->dkim_selectors);
	r->dkim_results = jb_str(&q->dkim_results);
	r->spf_domains = jb_str(&q->spf_domains);
	r->spf_scopes = jb_str(&q->spf_scopes);
	r->spf_results = jb_str(&q->spf_results);
	r->input_name = rs->text[RT_INPUT];
	r->message_id = rs->text[RT_MSGID];
	*out = r;
	return 1;
}

int
export_query_ptr(struct export_query *q, const char *ip, char *buf,
    size_t len)
{
	int rc;

	sqlite3_reset(q->ptr);
	sqlite3_bind_text(q->ptr, 1, ip, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(q->ptr)) == SQLITE_ROW) {
		snprintf(buf, len, "%s", col(q->ptr, 0));
		sqlite3_reset(q->ptr);
		return 1;
	}
	sqlite3_reset(q->ptr);
	return rc == SQLITE_DONE ? 0 : report_db_error(q->c);
}

void
export_query_close(struct export_query *q)
{
	size_t i;

	if (q == NULL)
		return;
	sqlite3_finalize(q->main);
	sqlite3_finalize(q->report_st);
	sqlite3_finalize(q->errors);
	sqlite3_finalize(q->ptr);
	sqlite3_finalize(q->dkim.st);
	sqlite3_finalize(q->spf.st);
	sqlite3_finalize(q->reason.st);
	if (q->in_txn)
		sqlite3_exec(q->c->db, "COMMIT", NULL, NULL, NULL);
	for (i = 0; q->reports != NULL && i < REPORT_SLOTS; i++)
		free(q->reports[i].block);
	free(q->reports);
	free(q->err.s);
	free(q->reasons.s);
	free(q->comments.s);
	free(q->dkim_domains.s);
	free(q->dkim_selectors.s);
	free(q->dkim_results.s);
	free(q->spf_domains.s);
	free(q->spf_scopes.s);
	free(q->spf_results.s);
	free(q);
}

struct export_ips {
	struct report_ctx *c;
	sqlite3_stmt *st;
};

struct export_ips *
export_ips_open(struct report_ctx *c, int64_t after, int64_t upto)
{
	struct export_ips *it;
	char filter[1024], sql[1536];
	int i;

	if ((it = calloc(1, sizeof *it)) == NULL) {
		report_oom(c);
		return NULL;
	}
	it->c = c;
	filter_sql(c, "p", filter, sizeof filter);
	snprintf(sql, sizeof sql, "SELECT DISTINCT r.source_ip FROM record r "
	    "CROSS JOIN report p WHERE p.id = r.report AND r.id > ?1 AND "
	    "r.id <= ?2%s AND NOT EXISTS (SELECT 1 FROM dns_cache d WHERE "
	    "d.ip = r.source_ip AND d.looked_up_at >= ?)", filter);
	if ((it->st = report_prepare(c, sql)) == NULL) {
		free(it);
		return NULL;
	}
	sqlite3_bind_int64(it->st, 1, after);
	sqlite3_bind_int64(it->st, 2, upto);
	i = filter_bind(c, it->st, 3);
	sqlite3_bind_int64(it->st, i, (int64_t)time(NULL) -
	    (int64_t)c->dns_ttl_days * 86400);
	return it;
}

int
export_ips_next(struct export_ips *it, char *ip)
{
	int rc = sqlite3_step(it->st);

	if (rc == SQLITE_ROW) {
		snprintf(ip, 48, "%s", col(it->st, 0));
		return 1;
	}
	return rc == SQLITE_DONE ? 0 : report_db_error(it->c);
}

void
export_ips_close(struct export_ips *it)
{
	if (it == NULL)
		return;
	sqlite3_finalize(it->st);
	free(it);
}

int
export_last_id(struct report_ctx *c, int64_t *out)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = report_prepare(c, "SELECT ifnull(max(id), 0) FROM record")) ==
	    NULL)
		return 2;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : report_db_error(c);
}
