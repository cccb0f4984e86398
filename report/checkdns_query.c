/* SPDX-License-Identifier: MIT */
/*
 * checkdns_query.c: what the reports say DNS must serve for a domain (see
 * checkdns.h): the DKIM selectors of signatures with d=DOMAIN, and the
 * sources whose mail failed SPF for DOMAIN (the raw auth_results, any
 * result but pass).  Selectors that are not host-name labels are skipped:
 * a report is untrusted input and never becomes a strange DNS question.
 */
#include "checkdns.h"

#include <stdlib.h>
#include <string.h>

#include "fmt.h"

static int
valid_selector(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n >= sizeof(((struct checkdns_selector *)0)->selector) ||
	    s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '-' || s[i] == '_' || (s[i] == '.' && s[i + 1] != '.')))
			return 0;
	return 1;
}

static int
load_selectors(struct report_ctx *c, const char *domain,
    struct checkdns_facts *f)
{
	sqlite3_stmt *st, *top = NULL;
	int rc;

	st = report_prepare(c,
	    "SELECT lower(d.selector), sum(r.count), "
	    "  sum(CASE WHEN lower(d.result) = 'pass' THEN r.count ELSE 0 END), "
	    "  max(CASE WHEN lower(d.result) = 'pass' THEN rp.date_begin END) "
	    "FROM record_dkim d JOIN record r ON r.id = d.record "
	    "  JOIN report rp ON rp.id = r.report "
	    "WHERE lower(d.domain) = ?1 AND d.selector IS NOT NULL "
	    "  AND rp.date_begin >= ?2 AND rp.date_begin < ?3 "
	    "GROUP BY lower(d.selector) ORDER BY 3 DESC, 2 DESC, 1");
	if (st == NULL)
		return 2;
	top = report_prepare(c,
	    "SELECT r.source_ip FROM record_dkim d "
	    "  JOIN record r ON r.id = d.record JOIN report rp ON rp.id = r.report "
	    "WHERE lower(d.domain) = ?1 AND lower(d.selector) = ?4 "
	    "  AND lower(d.result) = 'pass' "
	    "  AND rp.date_begin >= ?2 AND rp.date_begin < ?3 "
	    "GROUP BY r.source_ip ORDER BY sum(r.count) DESC, 1 LIMIT 1");
	if (top == NULL) {
		sqlite3_finalize(st);
		return 2;
	}
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, f->since);
	sqlite3_bind_int64(st, 3, f->until);
	sqlite3_bind_text(top, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(top, 2, f->since);
	sqlite3_bind_int64(top, 3, f->until);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct checkdns_selector *s = &f->sel[f->nsel];
		const char *name = (const char *)sqlite3_column_text(st, 0);

		if (name == NULL || !valid_selector(name))
			continue;
		if (f->nsel == CHECKDNS_MAX_SELECTORS)
			break;
		memset(s, 0, sizeof *s);
		snprintf(s->selector, sizeof s->selector, "%s", name);
		s->messages = sqlite3_column_int64(st, 1);
		s->passed = sqlite3_column_int64(st, 2);
		s->last_pass = sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 :
		    sqlite3_column_int64(st, 3);
		sqlite3_reset(top);
		sqlite3_bind_text(top, 4, s->selector, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(top) == SQLITE_ROW &&
		    sqlite3_column_text(top, 0) != NULL)
			snprintf(s->ip, sizeof s->ip, "%s",
			    (const char *)sqlite3_column_text(top, 0));
		f->nsel++;
	}
	if (rc == SQLITE_ROW)
		rc = SQLITE_DONE;	/* stopped at the cap */
	rc = report_step_done(c, rc);
	sqlite3_finalize(st);
	sqlite3_finalize(top);
	return rc;
}

static int
load_sources(struct report_ctx *c, const char *domain,
    struct checkdns_facts *f)
{
	sqlite3_stmt *st;
	int rc;

	st = report_prepare(c,
	    "SELECT r.source_ip, sum(r.count) FROM record_spf s "
	    "  JOIN record r ON r.id = s.record JOIN report rp ON rp.id = r.report "
	    "WHERE lower(s.domain) = ?1 AND lower(ifnull(s.result, '')) <> 'pass' "
	    "  AND rp.date_begin >= ?2 AND rp.date_begin < ?3 "
	    "GROUP BY r.source_ip ORDER BY 2 DESC, 1 LIMIT ?4");
	if (st == NULL)
		return 2;
	if ((f->src = calloc(CHECKDNS_MAX_SOURCES, sizeof *f->src)) == NULL) {
		sqlite3_finalize(st);
		return report_oom(c);
	}
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, f->since);
	sqlite3_bind_int64(st, 3, f->until);
	sqlite3_bind_int(st, 4, CHECKDNS_MAX_SOURCES);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct checkdns_source *s = &f->src[f->nsrc];
		const char *ip = (const char *)sqlite3_column_text(st, 0);

		if (ip == NULL)
			continue;
		snprintf(s->ip, sizeof s->ip, "%s", ip);
		s->messages = sqlite3_column_int64(st, 1);
		f->nsrc++;
	}
	rc = report_step_done(c, rc);
	sqlite3_finalize(st);
	return rc;
}

int
checkdns_load(struct report_ctx *c, const char *domain,
    struct checkdns_facts *f)
{
	int rc;

	memset(f, 0, sizeof *f);
	if (c->windowed) {
		f->since = c->since;
		f->until = c->until;
	} else {
		f->until = c->today + UTC_DAY_SECONDS;
		f->since = f->until - (int64_t)CHECKDNS_DEFAULT_DAYS * UTC_DAY_SECONDS;
	}
	if ((rc = load_selectors(c, domain, f)) != 0 ||
	    (rc = load_sources(c, domain, f)) != 0) {
		checkdns_facts_free(f);
		return rc;
	}
	f->have = 1;
	return 0;
}

void
checkdns_facts_free(struct checkdns_facts *f)
{
	free(f->src);
	f->src = NULL;
	f->nsrc = 0;
}
