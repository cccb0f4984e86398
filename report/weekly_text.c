/* SPDX-License-Identifier: MIT */
/*
 * weekly_text.c: the weekly mail's plain text (weekly.h): per domain the
 * week against the previous one, stale data, new and failing sources,
 * policy changes, silent reporters; then one status line per domain and
 * each domain's advise verdict.  Fits REPORT_WIDTH columns but for the
 * status and verdict lines.  No SQL, no judgement.
 */
#include "weekly.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "advise_render.h"
#include "fmt.h"
#include "table.h"

#define DAY UTC_DAY_SECONDS

/* "+12.2%" of the previous week, "new", or "" when neither had any. */
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
print_sources(FILE *f, const struct weekly_source *s, size_t n, int failing)
{
	struct table *t = table_new();
	size_t shown = n < WEEKLY_TOP ? n : WEEKLY_TOP, i;
	char b[FMT_NUM];

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
			table_cell(t, fmt_day(s[i].first_day * DAY, b, sizeof b));
		table_cell(t, fmt_int(s[i].messages, b, sizeof b));
		table_cell(t, fmt_pct(s[i].pass, s[i].messages, b, sizeof b));
	}
	print_indented(t, f, "    ");
	table_free(t);
	if (n > shown)
		fprintf(f, "    +%zu more\n", n - shown);
}

static void
print_status(FILE *f, const struct weekly_domain *d)
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
print_domain(FILE *f, const struct weekly_domain *d)
{
	char b1[FMT_NUM], b2[FMT_NUM], b3[FMT_NUM], diff[192], line[160];
	double pt;
	size_t k;
	int ok;

	fprintf(f, "\n%s\n", d->name);
	if (d->stale.stale)
		fprintf(f, "  %s\n", stale_text(&d->stale, line, sizeof line));
	fprintf(f, "  %-11s %11s   previous week %s", "Messages",
	    fmt_int(d->week.messages, b1, sizeof b1),
	    fmt_int(d->prev.messages, b2, sizeof b2));
	change_pct(d->week.messages, d->prev.messages, b3, sizeof b3);
	fprintf(f, "%s%s\n", b3[0] ? ", " : "", b3);
	pt = weekly_rate_change(&d->week, &d->prev, &ok);
	fprintf(f, "  %-11s %11s   previous week %s%s%s\n", "DMARC pass",
	    fmt_pct(d->week.pass, d->week.messages, b1, sizeof b1),
	    fmt_pct(d->prev.pass, d->prev.messages, b2, sizeof b2),
	    ok ? ", " : "", ok ? fmt_pt(pt, b3, sizeof b3) : "");
	fprintf(f, "  %-11s %11s   from %" PRId64 " reporter%s; previous week "
	    "%s from %" PRId64 "\n", "Reports",
	    fmt_int(d->week.reports, b1, sizeof b1), d->week.reporters,
	    d->week.reporters == 1 ? "" : "s",
	    fmt_int(d->prev.reports, b2, sizeof b2), d->prev.reporters);

	if (d->n_new == 0) {
		fputs("\n  New source IPs: none\n", f);
	} else {
		fprintf(f, "\n  New source IPs (first seen this week): %zu IP%s, "
		    "%s messages\n", d->n_new, d->n_new == 1 ? "" : "s",
		    fmt_int(d->new_messages, b1, sizeof b1));
		print_sources(f, d->new_src, d->n_new, 0);
	}
	if (d->n_fail == 0) {
		fputs("\n  Failing sources: none\n", f);
	} else {
		fprintf(f, "\n  Top failing sources: %zu IP%s, %s failing "
		    "messages\n", d->n_fail, d->n_fail == 1 ? "" : "s",
		    fmt_int(d->fail_messages, b1, sizeof b1));
		print_sources(f, d->fail_src, d->n_fail, 1);
	}
	fputs(d->nchanges ? "\n  Policy changes:\n" :
	    "\n  Policy changes: none\n", f);
	for (k = 0; k < d->nchanges; k++)
		fprintf(f, "    %s  %s (%" PRId64 " reporter%s)\n",
		    fmt_day(d->changes[k].date, b1, sizeof b1),
		    policy_diff(&d->changes[k].from, &d->changes[k].to, diff,
		    sizeof diff), d->changes[k].reporters,
		    d->changes[k].reporters == 1 ? "" : "s");
	fputs(d->nsilents ? "\n  Reporters gone silent (reported the week "
	    "before, not this week):\n" : "\n  Reporters gone silent: none\n", f);
	for (k = 0; k < d->nsilents && k < WEEKLY_TOP; k++)
		fprintf(f, "    %s: last report %s, %" PRId64 " report%s with %s "
		    "messages the week before\n", d->silents[k].name,
		    fmt_day(d->silents[k].last, b1, sizeof b1),
		    d->silents[k].reports, d->silents[k].reports == 1 ? "" : "s",
		    fmt_int(d->silents[k].messages, b2, sizeof b2));
	if (d->nsilents > WEEKLY_TOP)
		fprintf(f, "    +%zu more\n", d->nsilents - WEEKLY_TOP);
}

void
weekly_print_text(FILE *f, const struct weekly *w)
{
	char b1[FMT_NUM], b2[FMT_NUM], b3[FMT_NUM], b4[FMT_NUM], line[512];
	size_t i;

	if (w->n == 0) {
		fprintf(f, "DMARC weekly report: no reports before %s\n",
		    fmt_day(w->end, b1, sizeof b1));
		return;
	}
	fprintf(f, "DMARC weekly report: %s to %s (UTC), against %s to %s\n",
	    fmt_day(w->start, b1, sizeof b1),
	    fmt_day(w->end - DAY, b2, sizeof b2),
	    fmt_day(w->start - WEEK_DAYS * DAY, b3, sizeof b3),
	    fmt_day(w->start - DAY, b4, sizeof b4));
	for (i = 0; i < w->n; i++)
		print_domain(f, &w->d[i]);
	putc('\n', f);
	for (i = 0; i < w->n; i++)
		print_status(f, &w->d[i]);
	/* and what advise says of each domain: tighten or not */
	fprintf(f, "\nAdvice (dmarc-report advise, the 30 days to %s):\n",
	    fmt_day(w->end - DAY, b1, sizeof b1));
	for (i = 0; i < w->n; i++) {
		const struct weekly_domain *d = &w->d[i];

		if (d->adv == NULL) {
			fprintf(f, "%s: no reports in these 30 days\n", d->name);
			continue;
		}
		advise_verdict_line(&w->now, d->adv, line, sizeof line);
		advise_wrap(f, "", line, 2);
	}
}
