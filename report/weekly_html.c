/* SPDX-License-Identifier: MIT */
/*
 * weekly_html.c: the weekly mail as one self-contained HTML document
 * (weekly.h): inline styles, tables for the layout (mail clients ignore
 * style sheets and flex boxes), the charts as inline SVG (weekly_svg.c), no
 * script, no external resource.  Per domain: the status with its reasons,
 * the week's figures against the previous week, the chart of the last 8
 * weeks with every one of its figures also in a table (clients that drop
 * SVG, such as Gmail and Outlook, still show the numbers), the policy
 * changes, the senders with their state, new and failing sources, silent
 * reporters, the advise verdict and its blockers.  Colours from the
 * Okabe-Ito palette, never the only carrier of a meaning.  Every text
 * escaped (html_out.h).  No SQL, no judgement.
 */
#include "weekly.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "advise_render.h"
#include "fmt.h"
#include "html_out.h"
#include "senders_out.h"

#define DAY UTC_DAY_SECONDS
#define SENDERS_SHOWN 10
#define BLOCKERS_SHOWN 10	/* blocker groups */
#define BLOCKER_IPS 5		/* source IPs named per group */

#define FONT "font-family:Arial,Helvetica,sans-serif;"
#define TD "padding:3px 8px;border-bottom:1px solid #e4e4e4;"
#define TDR TD "text-align:right;"
#define TH "padding:3px 8px;border-bottom:2px solid #999999;" \
	"text-align:left;font-weight:bold;"
#define THR "padding:3px 8px;border-bottom:2px solid #999999;" \
	"text-align:right;font-weight:bold;"
#define H2 "font-size:18px;margin:24px 0 6px 0;"
#define H3 "font-size:15px;margin:18px 0 6px 0;"
#define TABLE "<table role=\"presentation\" cellpadding=\"0\" " \
	"cellspacing=\"0\" style=\"border-collapse:collapse;font-size:13px;" \
	FONT "\">"

/* <td style=...>text</td>, escaped */
static void
td(FILE *f, const char *style, const char *text)
{
	fprintf(f, "<td style=\"%s\">", style);
	html_text(f, text);
	fputs("</td>", f);
}

static void
th(FILE *f, const char *style, const char *text)
{
	fprintf(f, "<th style=\"%s\">", style);
	html_text(f, text);
	fputs("</th>", f);
}

static void
status_badge(FILE *f, const struct weekly_domain *d)
{
	/* words first, colour second: ATTENTION reads without the colour */
	if (d->nreasons)
		fputs("<span style=\"background:#F0E442;color:#000000;"
		    "padding:2px 6px;font-weight:bold\">ATTENTION</span>", f);
	else
		fputs("<span style=\"background:#56B4E9;color:#000000;"
		    "padding:2px 6px;font-weight:bold\">OK</span>", f);
}

static void
summary(FILE *f, const struct weekly *w)
{
	char b[FMT_NUM];
	size_t i, k;

	fputs(TABLE "<tr>", f);
	th(f, TH, "Domain");
	th(f, TH, "Status");
	th(f, THR, "Messages");
	th(f, THR, "DMARC pass");
	th(f, TH, "Why");
	fputs("</tr>\n", f);
	for (i = 0; i < w->n; i++) {
		const struct weekly_domain *d = &w->d[i];

		fputs("<tr>", f);
		td(f, TD "font-weight:bold;", d->name);
		fprintf(f, "<td style=\"%s\">", TD);
		status_badge(f, d);
		fputs("</td>", f);
		td(f, TDR, fmt_int(d->week.messages, b, sizeof b));
		td(f, TDR, fmt_pct(d->week.pass, d->week.messages, b, sizeof b));
		fprintf(f, "<td style=\"%s\">", TD);
		for (k = 0; k < d->nreasons; k++) {
			if (k)
				fputs("<br/>", f);
			html_text(f, d->reasons[k]);
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void
figures(FILE *f, const struct weekly_domain *d)
{
	char b[FMT_NUM];
	double pt;
	int ok;

	fputs(TABLE "<tr>", f);
	th(f, TH, "");
	th(f, THR, "This week");
	th(f, THR, "Previous week");
	th(f, THR, "Change");
	fputs("</tr>\n<tr>", f);
	td(f, TD, "Messages");
	td(f, TDR, fmt_int(d->week.messages, b, sizeof b));
	td(f, TDR, fmt_int(d->prev.messages, b, sizeof b));
	if (d->prev.messages > 0)
		snprintf(b, sizeof b, "%+.1f%%", 100.0 * ((double)d->week.messages -
		    (double)d->prev.messages) / (double)d->prev.messages);
	else
		snprintf(b, sizeof b, "%s", d->week.messages > 0 ? "new" : "");
	td(f, TDR, b);
	fputs("</tr>\n<tr>", f);
	td(f, TD, "DMARC pass");
	td(f, TDR, fmt_pct(d->week.pass, d->week.messages, b, sizeof b));
	td(f, TDR, fmt_pct(d->prev.pass, d->prev.messages, b, sizeof b));
	pt = weekly_rate_change(&d->week, &d->prev, &ok);
	td(f, TDR, ok ? fmt_pt(pt, b, sizeof b) : "");
	fputs("</tr>\n<tr>", f);
	td(f, TD, "DMARC fail");
	td(f, TDR, fmt_int(d->week.messages - d->week.pass, b, sizeof b));
	td(f, TDR, fmt_int(d->prev.messages - d->prev.pass, b, sizeof b));
	td(f, TDR, "");
	fputs("</tr>\n<tr>", f);
	td(f, TD, "Reports");
	snprintf(b, sizeof b, "%" PRId64, d->week.reports);
	td(f, TDR, b);
	snprintf(b, sizeof b, "%" PRId64, d->prev.reports);
	td(f, TDR, b);
	td(f, TDR, "");
	fputs("</tr>\n<tr>", f);
	td(f, TD, "Reporters");
	snprintf(b, sizeof b, "%" PRId64, d->week.reporters);
	td(f, TDR, b);
	snprintf(b, sizeof b, "%" PRId64, d->prev.reporters);
	td(f, TDR, b);
	td(f, TDR, "");
	fputs("</tr>\n</table>\n", f);
}

static void
legend(FILE *f)
{
	static const struct { const char *color, *text; } items[] = {
		{ WEEKLY_COLOR_PASS, "passing DMARC (bars, bottom)" },
		{ WEEKLY_COLOR_FAIL, "failing DMARC (bars, top)" },
		{ WEEKLY_COLOR_RATE, "pass rate (line, right axis)" },
		{ WEEKLY_COLOR_MARK, "policy change (dashed)" },
	};
	size_t i;

	fputs("<table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" "
	    "style=\"font-size:12px;" FONT "\"><tr>", f);
	for (i = 0; i < sizeof items / sizeof items[0]; i++)
		fprintf(f, "<td style=\"padding:2px 4px 2px 0\"><span style=\""
		    "display:inline-block;width:12px;height:12px;background:%s\">"
		    "</span></td><td style=\"padding:2px 14px 2px 0\">%s</td>",
		    items[i].color, items[i].text);
	fputs("</tr></table>\n", f);
}

/* The chart's figures: a row per week, a cell per day. */
static void
day_table(FILE *f, const struct weekly *w, const struct weekly_domain *d)
{
	char b[FMT_NUM], p[FMT_NUM];
	int64_t first = utc_day(w->chart_start);
	int r, k;

	fputs("<p style=\"margin:8px 0 4px 0;font-size:12px\">Messages per UTC "
	    "day, with the DMARC pass rate:</p>\n", f);
	fputs("<table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" "
	    "style=\"border-collapse:collapse;font-size:11px;" FONT "\"><tr>", f);
	th(f, TH, "Week of");
	for (k = 0; k < WEEK_DAYS; k++) {
		static const char *const wd[] = { "Thu", "Fri", "Sat", "Sun",
			"Mon", "Tue", "Wed" };	/* 1970-01-01 was a Thursday */
		int64_t x = (first + k) % 7;

		th(f, THR, wd[x < 0 ? x + 7 : x]);
	}
	fputs("</tr>\n", f);
	for (r = 0; r < WEEKLY_CHART_DAYS / WEEK_DAYS; r++) {
		fputs("<tr>", f);
		td(f, TD "white-space:nowrap;", fmt_day((first + r * WEEK_DAYS) *
		    DAY, b, sizeof b));
		for (k = 0; k < WEEK_DAYS; k++) {
			const struct weekly_day *x = &d->days[r * WEEK_DAYS + k];

			if (x->messages <= 0) {
				td(f, TDR "color:#666666;", "-");
				continue;
			}
			fprintf(f, "<td style=\"%s\">%s<br/>%s</td>", TDR,
			    fmt_int(x->messages, b, sizeof b),
			    fmt_pct(x->pass, x->messages, p, sizeof p));
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void
changes(FILE *f, const struct weekly_domain *d)
{
	char b[FMT_NUM], diff[192];
	size_t k;

	fputs("<h3 style=\"" H3 "\">Policy changes in these 8 weeks</h3>\n", f);
	if (d->nmarks == 0) {
		fputs("<p style=\"margin:0\">None.</p>\n", f);
		return;
	}
	fputs("<ul style=\"margin:0;padding-left:20px\">\n", f);
	for (k = 0; k < d->nmarks; k++) {
		fprintf(f, "<li>%s: ", fmt_day(d->marks[k].date, b, sizeof b));
		html_text(f, policy_diff(&d->marks[k].from, &d->marks[k].to, diff,
		    sizeof diff));
		fprintf(f, " (%" PRId64 " reporter%s)</li>\n",
		    d->marks[k].reporters, d->marks[k].reporters == 1 ? "" : "s");
	}
	fputs("</ul>\n", f);
}

static int
by_sender_messages(const void *x, const void *y)
{
	const struct adv_sender *a = *(const struct adv_sender *const *)x;
	const struct adv_sender *b = *(const struct adv_sender *const *)y;

	if (a->messages != b->messages)
		return a->messages > b->messages ? -1 : 1;
	return strcmp(a->name, b->name);
}

static void
senders(FILE *f, const struct adv_domain *a)
{
	const struct adv_sender **v;
	char b[FMT_NUM];
	size_t i, n;

	fputs("<h3 style=\"" H3 "\">Senders (the 30 days to the week's end)"
	    "</h3>\n", f);
	if (a == NULL || a->nsnd == 0) {
		fputs("<p style=\"margin:0\">None.</p>\n", f);
		return;
	}
	if ((v = calloc(a->nsnd, sizeof *v)) == NULL)
		return;
	for (i = 0; i < a->nsnd; i++)
		v[i] = &a->snd[i];
	qsort(v, a->nsnd, sizeof *v, by_sender_messages);
	n = a->nsnd < SENDERS_SHOWN ? a->nsnd : SENDERS_SHOWN;
	fputs(TABLE "<tr>", f);
	th(f, TH, "Sender");
	th(f, TH, "State");
	th(f, THR, "Messages");
	th(f, THR, "DMARC pass");
	fputs("</tr>\n", f);
	for (i = 0; i < n; i++) {
		char state[128];

		fputs("<tr>", f);
		td(f, TD, v[i]->name);
		td(f, TD, senders_state_text(v[i], state, sizeof state));
		td(f, TDR, fmt_int(v[i]->messages, b, sizeof b));
		td(f, TDR, fmt_pct(v[i]->pass, v[i]->messages, b, sizeof b));
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
	if (a->nsnd > n)
		fprintf(f, "<p style=\"margin:4px 0\">+%zu more (dmarc-report "
		    "senders lists every one)</p>\n", a->nsnd - n);
	free(v);
}

static void
sources(FILE *f, const char *title, const struct weekly_source *s, size_t n,
    int failing)
{
	size_t shown = n < WEEKLY_TOP ? n : WEEKLY_TOP, i;
	char b[FMT_NUM];

	fputs("<h3 style=\"" H3 "\">", f);
	html_text(f, title);
	fprintf(f, ": %zu</h3>\n", n);
	if (n == 0)
		return;
	fputs(TABLE "<tr>", f);
	th(f, TH, "Source IP");
	th(f, failing ? THR : TH, failing ? "Failing" : "First seen");
	th(f, THR, "Messages");
	th(f, THR, "DMARC pass");
	fputs("</tr>\n", f);
	for (i = 0; i < shown; i++) {
		fputs("<tr>", f);
		td(f, TD, s[i].ip);
		if (failing)
			td(f, TDR, fmt_int(s[i].messages - s[i].pass, b, sizeof b));
		else
			td(f, TD, fmt_day(s[i].first_day * DAY, b, sizeof b));
		td(f, TDR, fmt_int(s[i].messages, b, sizeof b));
		td(f, TDR, fmt_pct(s[i].pass, s[i].messages, b, sizeof b));
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
	if (n > shown)
		fprintf(f, "<p style=\"margin:4px 0\">+%zu more</p>\n", n - shown);
}

static void
silents(FILE *f, const struct weekly_domain *d)
{
	char b[FMT_NUM], m[FMT_NUM];
	size_t k;

	fputs("<h3 style=\"" H3 "\">Reporters gone silent</h3>\n", f);
	if (d->nsilents == 0) {
		fputs("<p style=\"margin:0\">None.</p>\n", f);
		return;
	}
	fputs("<ul style=\"margin:0;padding-left:20px\">\n", f);
	for (k = 0; k < d->nsilents && k < WEEKLY_TOP; k++) {
		fputs("<li>", f);
		html_text(f, d->silents[k].name);
		fprintf(f, ": last report %s, %" PRId64 " report%s with %s "
		    "messages the week before</li>\n",
		    fmt_day(d->silents[k].last, b, sizeof b),
		    d->silents[k].reports, d->silents[k].reports == 1 ? "" : "s",
		    fmt_int(d->silents[k].messages, m, sizeof m));
	}
	if (d->nsilents > WEEKLY_TOP)
		fprintf(f, "<li>+%zu more</li>\n", d->nsilents - WEEKLY_TOP);
	fputs("</ul>\n", f);
}

/* Blockers shown together: same sender, class, why and fix. */
static int
same_group(const struct adv_source *a, const struct adv_source *b)
{
	if ((a->sender == NULL) != (b->sender == NULL) ||
	    (a->sender != NULL && strcmp(a->sender, b->sender) != 0))
		return 0;
	return a->cls == b->cls && strcmp(a->reason, b->reason) == 0 &&
	    strcmp(a->fix, b->fix) == 0;
}

static void
advice(FILE *f, const struct weekly *w, const struct weekly_domain *d)
{
	const struct adv_domain *a = d->adv;
	char line[512], b[FMT_NUM], *done;
	size_t i, groups = 0, rest = 0;

	fputs("<h3 style=\"" H3 "\">Advice (dmarc-report advise)</h3>\n", f);
	if (a == NULL) {
		fputs("<p style=\"margin:0\">No reports in the 30 days to the "
		    "week's end.</p>\n", f);
		return;
	}
	advise_verdict_line(&w->now, a, line, sizeof line);
	fputs("<p style=\"margin:0 0 6px 0\">", f);
	html_text(f, line);
	fputs("</p>\n", f);
	if (a->nblk == 0 || (done = calloc(a->nblk, 1)) == NULL)
		return;
	/* grouped as advise's text groups them: same sender, class, why and
	 * fix */
	fputs(TABLE "<tr>", f);
	th(f, TH, "Blocker");
	th(f, TH, "Class");
	th(f, THR, "Failing");
	th(f, TH, "Why / fix");
	fputs("</tr>\n", f);
	for (i = 0; i < a->nblk; i++) {
		const struct adv_source *s = &a->src[a->blk[i]];
		size_t n = 0, j;
		int64_t sum = 0;

		if (done[i])
			continue;
		if (groups++ == BLOCKERS_SHOWN) {
			for (j = i; j < a->nblk; j++)
				rest += !done[j];
			break;
		}
		fprintf(f, "<tr><td style=\"%s\">", TD);
		html_text(f, s->sender != NULL ? s->sender : "no sender name");
		for (j = i; j < a->nblk; j++) {
			const struct adv_source *o = &a->src[a->blk[j]];

			if (done[j] || !same_group(o, s))
				continue;
			done[j] = 1;
			sum += o->hit_now[a->step];
			if (n++ < BLOCKER_IPS) {
				fputs("<br/>", f);
				html_text(f, o->ip);
			}
		}
		if (n > BLOCKER_IPS)
			fprintf(f, "<br/>+%zu more", n - BLOCKER_IPS);
		fputs("</td>", f);
		td(f, TD, advise_class_name(s->cls));
		td(f, TDR, fmt_int(sum, b, sizeof b));
		fprintf(f, "<td style=\"%s\">why: ", TD);
		html_text(f, s->reason);
		fputs("<br/>fix: ", f);
		html_text(f, s->fix);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
	if (rest > 0)
		fprintf(f, "<p style=\"margin:4px 0\">+%zu more source%s, each "
		    "with its own why (dmarc-report advise lists every one)</p>\n",
		    rest, rest == 1 ? "" : "s");
	free(done);
}

static void
domain(FILE *f, const struct weekly *w, const struct weekly_domain *d)
{
	size_t k;

	fputs("<tr><td style=\"padding:0 20px 16px 20px\">\n", f);
	fputs("<h2 style=\"" H2 "\">", f);
	html_text(f, d->name);
	fputs(" ", f);
	status_badge(f, d);
	fputs("</h2>\n", f);
	if (d->nreasons > 0) {
		fputs("<ul style=\"margin:0 0 8px 0;padding-left:20px\">\n", f);
		for (k = 0; k < d->nreasons; k++) {
			fputs("<li>", f);
			html_text(f, d->reasons[k]);
			fputs("</li>\n", f);
		}
		fputs("</ul>\n", f);
	}
	figures(f, d);
	fputs("<div style=\"margin:12px 0 4px 0\">\n", f);
	weekly_svg_chart(f, w, d);
	fputs("</div>\n", f);
	legend(f);
	day_table(f, w, d);
	changes(f, d);
	senders(f, d->adv);
	sources(f, "New source IPs (first seen this week)", d->new_src, d->n_new,
	    0);
	sources(f, "Failing source IPs", d->fail_src, d->n_fail, 1);
	silents(f, d);
	advice(f, w, d);
	fputs("</td></tr>\n", f);
}

void
weekly_print_html(FILE *f, const struct weekly *w)
{
	char b1[FMT_NUM], b2[FMT_NUM], b3[FMT_NUM], b4[FMT_NUM];
	size_t i;

	fmt_day(w->start, b1, sizeof b1);
	fmt_day(w->end - DAY, b2, sizeof b2);
	fmt_day(w->start - WEEK_DAYS * DAY, b3, sizeof b3);
	fmt_day(w->start - DAY, b4, sizeof b4);
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\" />\n", f);
	fprintf(f, "<title>DMARC weekly report %s to %s</title>\n</head>\n", b1,
	    b2);
	fputs("<body style=\"margin:0;padding:0;background:#f2f2f2;color:#111111;"
	    FONT "\">\n<table role=\"presentation\" width=\"100%\" "
	    "cellpadding=\"0\" cellspacing=\"0\" style=\"background:#f2f2f2\">"
	    "<tr><td align=\"center\" style=\"padding:16px 8px\">\n"
	    "<table role=\"presentation\" width=\"680\" cellpadding=\"0\" "
	    "cellspacing=\"0\" style=\"width:680px;max-width:100%;"
	    "background:#ffffff;border:1px solid #dddddd;text-align:left;"
	    "font-size:14px;" FONT "\">\n", f);
	fputs("<tr><td style=\"padding:16px 20px 8px 20px\">\n<h1 style=\""
	    "font-size:22px;margin:0 0 4px 0\">DMARC weekly report</h1>\n", f);
	if (w->n == 0) {
		fprintf(f, "<p style=\"margin:0\">No reports before %s.</p>\n"
		    "</td></tr>\n", fmt_day(w->end, b1, sizeof b1));
	} else {
		fprintf(f, "<p style=\"margin:0 0 12px 0\">%s to %s (UTC), against "
		    "%s to %s</p>\n", b1, b2, b3, b4);
		summary(f, w);
		fputs("</td></tr>\n", f);
		for (i = 0; i < w->n; i++)
			domain(f, w, &w->d[i]);
	}
	fputs("<tr><td style=\"padding:8px 20px 16px 20px;font-size:12px;"
	    "color:#444444\">Made by dmarc-report weekly from the DMARC aggregate "
	    "reports in its database. A message passes DMARC when the receiver "
	    "found SPF or DKIM aligned and passing. ATTENTION: reports stopped "
	    "(more than 3 days old), legitimate mail failing or blocked, an "
	    "advise verdict that changed, or a pass rate down 5 points or more."
	    "</td></tr>\n</table>\n</td></tr></table>\n</body>\n</html>\n", f);
}
