/* SPDX-License-Identifier: MIT */
/*
 * weekly_data.c: the weekly command for machines (weekly.h): CSV, one row
 * per domain, and JSON: {"week": {"start", "end"}, "previous": {"start",
 * "end"} (days, both inclusive), "domains": [...]}; pass rates are
 * fractions, messages_change a fraction of the previous week,
 * pass_rate_change the difference of the two rates; newest_report,
 * days_since_report and stale the staleness of stale.h.  No SQL, no
 * judgement.
 */
#include "weekly.h"

#include <inttypes.h>
#include <string.h>

#include "fmt.h"
#include "json_out.h"
#include "table.h"

#define DAY UTC_DAY_SECONDS

void
weekly_print_csv(FILE *f, const struct weekly *w)
{
	struct table *t = table_new();
	char b[FMT_NUM], diff[192], chg[WEEKLY_TOP][224];
	const char *items[WEEKLY_MAX_REASONS > WEEKLY_TOP ?
	    WEEKLY_MAX_REASONS : WEEKLY_TOP];
	size_t i, k;
	double pt;
	int ok;
	static const char *const cols[] = { "domain", "status", "week_start",
	    "week_end", "reports", "reporters", "messages",
	    "previous_messages", "messages_change", "dmarc_pass", "pass_rate",
	    "previous_pass_rate", "pass_rate_change", "new_sources",
	    "new_source_messages", "failing_sources", "failing_messages",
	    "policy_changes", "silent_reporters", "reasons", "newest_report",
	    "days_since_report" };

	if (t == NULL)
		return;
	for (i = 0; i < sizeof cols / sizeof cols[0]; i++)
		table_col(t, cols[i], TABLE_LEFT, 0);
	for (i = 0; i < w->n; i++) {
		const struct weekly_domain *d = &w->d[i];

		table_row(t);
		table_cell(t, d->name);
		table_cell(t, d->nreasons ? "attention" : "ok");
		table_cell(t, fmt_day(w->start, b, sizeof b));
		table_cell(t, fmt_day(w->end - DAY, b, sizeof b));
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
		pt = weekly_rate_change(&d->week, &d->prev, &ok);
		if (ok)
			table_cellf(t, "%.4f", pt / 100.0);
		else
			table_cell(t, "");
		table_cellf(t, "%zu", d->n_new);
		table_cellf(t, "%" PRId64, d->new_messages);
		table_cellf(t, "%zu", d->n_fail);
		table_cellf(t, "%" PRId64, d->fail_messages);
		for (k = 0; k < d->nchanges && k < WEEKLY_TOP; k++) {
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
		for (k = 0; k < d->nsilents && k < WEEKLY_TOP; k++)
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
		table_cell(t, d->stale.has_newest ? fmt_day(d->stale.newest_day *
		    DAY, b, sizeof b) : "");
		if (d->stale.has_newest)
			table_cellf(t, "%" PRId64, d->stale.days);
		else
			table_cell(t, "");
	}
	table_print_csv(t, f);
	table_free(t);
}

static void
json_totals(FILE *f, const struct weekly_totals *t)
{
	char b[FMT_NUM];

	fprintf(f, "\"reports\": %" PRId64 ", \"reporters\": %" PRId64
	    ", \"messages\": %" PRId64 ", \"dmarc_pass\": %" PRId64
	    ", \"pass_rate\": %s", t->reports, t->reporters, t->messages,
	    t->pass, fmt_fraction(t->pass, t->messages, b, sizeof b));
}

static void
json_sources(FILE *f, const char *key, const struct weekly_source *s,
    size_t n)
{
	char b[FMT_NUM];
	size_t i;

	fprintf(f, ", \"%s\": [", key);
	for (i = 0; i < n && i < WEEKLY_TOP; i++) {
		fputs(i ? ", {\"source_ip\": " : "{\"source_ip\": ", f);
		json_string(f, s[i].ip);
		if (s[i].is_new)
			fprintf(f, ", \"first_seen\": \"%s\"",
			    fmt_day(s[i].first_day * DAY, b, sizeof b));
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
json_domain(FILE *f, const struct weekly_domain *d)
{
	char b1[FMT_NUM];
	size_t k;
	double pt;
	int ok;

	json_string(f, d->name);
	fprintf(f, ", \"status\": \"%s\", \"reasons\": [",
	    d->nreasons ? "attention" : "ok");
	for (k = 0; k < d->nreasons; k++) {
		if (k)
			fputs(", ", f);
		json_string(f, d->reasons[k]);
	}
	fputs("], \"newest_report\": ", f);
	if (d->stale.has_newest)
		fprintf(f, "\"%s\", \"days_since_report\": %" PRId64,
		    fmt_day(d->stale.newest_day * DAY, b1, sizeof b1),
		    d->stale.days);
	else
		fputs("null, \"days_since_report\": null", f);
	fprintf(f, ", \"stale\": %s, ", d->stale.stale ? "true" : "false");
	json_totals(f, &d->week);
	fputs(", \"previous\": {", f);
	json_totals(f, &d->prev);
	fputs("}, \"messages_change\": ", f);
	if (d->prev.messages > 0)
		fprintf(f, "%.4f", ((double)d->week.messages -
		    (double)d->prev.messages) / (double)d->prev.messages);
	else
		fputs("null", f);
	pt = weekly_rate_change(&d->week, &d->prev, &ok);
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
		    ", \"from\": {", k ? ", " : "",
		    fmt_day(d->changes[k].date, b1, sizeof b1),
		    d->changes[k].reporters);
		policy_json_members(f, &d->changes[k].from);
		fputs("}, \"to\": {", f);
		policy_json_members(f, &d->changes[k].to);
		fputs("}}", f);
	}
	fputs("], \"silent_reporters\": [", f);
	for (k = 0; k < d->nsilents; k++) {
		fputs(k ? ", {\"reporter\": " : "{\"reporter\": ", f);
		json_string(f, d->silents[k].name);
		fprintf(f, ", \"reports\": %" PRId64 ", \"messages\": %" PRId64
		    ", \"last_report\": \"%s\"}", d->silents[k].reports,
		    d->silents[k].messages,
		    fmt_day(d->silents[k].last, b1, sizeof b1));
	}
	fputs("], \"advise_verdict\": ", f);
	json_string(f, d->adv ? advise_verdict_name(d->adv->verdict) : NULL);
	fputc('}', f);
}

void
weekly_print_json(FILE *f, const struct weekly *w)
{
	char b1[FMT_NUM], b2[FMT_NUM];
	size_t i;

	fprintf(f, "{\"week\": {\"start\": \"%s\", \"end\": \"%s\"}, ",
	    fmt_day(w->start, b1, sizeof b1),
	    fmt_day(w->end - DAY, b2, sizeof b2));
	fprintf(f, "\"previous\": {\"start\": \"%s\", \"end\": \"%s\"},\n",
	    fmt_day(w->start - WEEK_DAYS * DAY, b1, sizeof b1),
	    fmt_day(w->start - DAY, b2, sizeof b2));
	fputs(" \"domains\": [", f);
	for (i = 0; i < w->n; i++) {
		fputs(i ? ",\n  {\"domain\": " : "\n  {\"domain\": ", f);
		json_domain(f, &w->d[i]);
	}
	fputs(w->n ? "\n ]}\n" : "]}\n", f);
}
