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
