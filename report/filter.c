/* SPDX-License-Identifier: MIT */
/* filter.c: the domain and window conditions of a command's SQL, and the
 * small SQL helpers every command uses (see report.h). */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "fmt.h"

static void
append(char *buf, size_t len, const char *s)
{
	size_t n = strlen(buf);

	if (n + 1 < len)
		snprintf(buf + n, len - n, "%s", s);
}

static void
sql_for(const struct report_ctx *c, const char *alias, const char *col,
    char *buf, size_t len)
{
	char part[128];
	size_t i;

	buf[0] = '\0';
	if (c->ndomains > 0) {
		snprintf(part, sizeof part, " AND %s.domain IN (", alias);
		append(buf, len, part);
		for (i = 0; i < c->ndomains; i++)
			append(buf, len, i ? ",?" : "?");
		append(buf, len, ")");
	}
	if (c->windowed) {
		snprintf(part, sizeof part, " AND %s.%s >= ? AND %s.%s < ?",
		    alias, col, alias, col);
		append(buf, len, part);
	}
}

/* The window in epoch seconds, or (days) in UTC days. */
static int
bind_for(const struct report_ctx *c, sqlite3_stmt *st, int i, int days)
{
	size_t k;

	for (k = 0; k < c->ndomains; k++)
		sqlite3_bind_text(st, i++, c->domains[k], -1, SQLITE_STATIC);
	if (c->windowed) {
		sqlite3_bind_int64(st, i++, days ? utc_day(c->since) : c->since);
		sqlite3_bind_int64(st, i++, days ? utc_day(c->until) : c->until);
	}
	return i;
}

void
filter_sql(const struct report_ctx *c, const char *alias, char *buf,
    size_t len)
{
	sql_for(c, alias, "date_begin", buf, len);
}

int
filter_bind(const struct report_ctx *c, sqlite3_stmt *st, int first)
{
	return bind_for(c, st, first, 0);
}

void
filter_sql_days(const struct report_ctx *c, const char *alias, char *buf,
    size_t len)
{
	sql_for(c, alias, "day", buf, len);
}

int
filter_bind_days(const struct report_ctx *c, sqlite3_stmt *st, int first)
{
	/* since and until are UTC midnights: whole days */
	return bind_for(c, st, first, 1);
}

sqlite3_stmt *
report_prepare(struct report_ctx *c, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(c->err, sizeof c->err, "database query failed: %s",
		    sqlite3_errmsg(c->db));
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

enum report_status
report_db_error(struct report_ctx *c)
{
	if (strstr(sqlite3_errmsg(c->db), "integer overflow") != NULL)
		snprintf(c->err, sizeof c->err, "message totals overflow 64 bits");
	else
		snprintf(c->err, sizeof c->err, "database query failed: %s",
		    sqlite3_errmsg(c->db));
	return RPT_ERROR;
}

enum report_status
report_oom(struct report_ctx *c)
{
	snprintf(c->err, sizeof c->err, "out of memory");
	return RPT_ERROR;
}

enum report_status
report_step_done(struct report_ctx *c, int rc)
{
	return rc == SQLITE_DONE ? RPT_OK : report_db_error(c);
}

char *
report_dup_col(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s != NULL ? strdup((const char *)s) : NULL;
}

/* " from 2025-01-01 to 2025-01-31" (until is exclusive), " since DAY",
 * " before DAY", or "" without a window. */
static void
window_words(const struct report_ctx *c, char *buf, size_t len)
{
	char a[FMT_NUM], b[FMT_NUM];

	buf[0] = '\0';
	if (!c->windowed)
		return;
	if (c->since != INT64_MIN)
		fmt_day(c->since, a, sizeof a);
	if (c->until != INT64_MAX)
		fmt_day(c->until - UTC_DAY_SECONDS, b, sizeof b);
	if (c->since != INT64_MIN && c->until != INT64_MAX)
		snprintf(buf, len, " from %s to %s", a, b);
	else if (c->since != INT64_MIN)
		snprintf(buf, len, " since %s", a);
	else if (c->until != INT64_MAX)
		snprintf(buf, len, " before %s", fmt_day(c->until, b, sizeof b));
}

/* c->err = "WHAT for D1, D2 WINDOW" for the n domains given. */
static enum report_status
note(struct report_ctx *c, const char *what, const char *const *doms,
    size_t n)
{
	char when[96];
	size_t i;

	snprintf(c->err, sizeof c->err, "%s", what);
	for (i = 0; i < n; i++) {
		append(c->err, sizeof c->err, i ? ", " : " for ");
		append(c->err, sizeof c->err, doms[i]);
	}
	window_words(c, when, sizeof when);
	append(c->err, sizeof c->err, when);
	return RPT_NO_REPORTS;
}

enum report_status
report_nothing(struct report_ctx *c, const char *what)
{
	return note(c, what, c->domains, c->ndomains);
}

enum report_status
report_missing(struct report_ctx *c)
{
	const char *missing[64];
	struct report_ctx one = *c;
	char filter[1024], sql[1536];
	sqlite3_stmt *st;
	size_t i, nmissing = 0, n = c->ndomains ? c->ndomains : 1;

	for (i = 0; i < n; i++) {
		/* each domain alone, or the window over all domains */
		one.ndomains = c->ndomains ? 1 : 0;
		one.domains = c->ndomains ? &c->domains[i] : NULL;
		filter_sql(&one, "r", filter, sizeof filter);
		snprintf(sql, sizeof sql, "SELECT EXISTS (SELECT 1 FROM report r"
		    " WHERE 1 = 1%s)", filter);
		if ((st = report_prepare(c, sql)) == NULL)
			return RPT_ERROR;
		filter_bind(&one, st, 1);
		if (sqlite3_step(st) != SQLITE_ROW) {
			enum report_status s = report_db_error(c);

			sqlite3_finalize(st);
			return s;
		}
		if (sqlite3_column_int(st, 0) == 0 &&
		    nmissing < sizeof missing / sizeof missing[0])
			missing[nmissing++] = c->ndomains ? c->domains[i] : NULL;
		sqlite3_finalize(st);
	}
	if (nmissing == 0)
		return RPT_OK;
	return note(c, "no reports", missing, c->ndomains ? nmissing : 0);
}
