/* SPDX-License-Identifier: MIT */
/*
 * weekly_svg.c: one domain's chart of the weekly mail as an inline <svg>
 * element (weekly.h): messages per UTC day over the last 8 weeks, stacked
 * as passing (blue) and failing (orange) DMARC, the pass rate as a line on
 * a 0-100% axis on the right, each policy change a dashed line on its day
 * labelled with the new policy, the week under review shaded.  Well-formed
 * XML (a test parses it with libxml2); every text escaped.  The same
 * figures are in the HTML's tables: the chart is never the only place a
 * number is.  No SQL, no judgement.
 */
#include "weekly.h"

#include <inttypes.h>

#include "fmt.h"
#include "html_out.h"

#define DAY UTC_DAY_SECONDS

/* The drawing, in SVG user units (= CSS pixels). */
#define SVG_W 640
#define SVG_H 240
#define PLOT_L 56		/* left edge of the plot: the messages axis */
#define PLOT_R 596		/* right edge: the pass rate axis */
#define PLOT_T 28
#define PLOT_B 196
#define SLOT ((double)(PLOT_R - PLOT_L) / WEEKLY_CHART_DAYS)

/* A round maximum for the messages axis, at least max: four steps of 1,
 * 2, 2.5 or 5 times a power of ten (2.5 only from 10 on: the labels are
 * whole numbers). */
static int64_t
axis_max(int64_t max)
{
	static const int k[] = { 4, 8, 10, 20 };	/* four steps of p*k/4 */
	int64_t p = 1;
	size_t i;

	for (;;) {
		for (i = 0; i < sizeof k / sizeof k[0]; i++)
			if ((k[i] != 10 || p >= 10) && k[i] * p >= max)
				return k[i] * p;
		if (p > INT64_MAX / 100)
			return max;
		p *= 10;
	}
}

static double
y_of(int64_t v, int64_t max)
{
	return PLOT_B - (double)(PLOT_B - PLOT_T) * (double)v / (double)max;
}

static void
bars(FILE *f, const struct weekly_domain *d, int64_t first, int64_t max)
{
	char b1[FMT_NUM], b2[FMT_NUM], b3[FMT_NUM], b4[FMT_NUM];
	int k;

	for (k = 0; k < WEEKLY_CHART_DAYS; k++) {
		const struct weekly_day *x = &d->days[k];
		int64_t fail = x->messages - x->pass;
		double xl = PLOT_L + k * SLOT + 1, w = SLOT - 2;
		double yp = y_of(x->pass, max), yt = y_of(x->messages, max);

		if (x->messages <= 0)
			continue;
		fprintf(f, "<g><title>%s: %s messages, %s passing, %s failing"
		    "</title>", fmt_day((first + k) * DAY, b1, sizeof b1),
		    fmt_int(x->messages, b2, sizeof b2),
		    fmt_int(x->pass, b3, sizeof b3), fmt_int(fail, b4, sizeof b4));
		if (x->pass > 0)
			fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			    "height=\"%.1f\" fill=\"" WEEKLY_COLOR_PASS "\"/>", xl,
			    yp, w, PLOT_B - yp);
		if (fail > 0)
			fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			    "height=\"%.1f\" fill=\"" WEEKLY_COLOR_FAIL "\"/>", xl,
			    yt, w, yp - yt);
		fputs("</g>\n", f);
	}
}

/* The pass rate: a line through the days with mail, broken by days
 * without any, and a dot on each (a lone day is a dot). */
static void
rate_line(FILE *f, const struct weekly_domain *d)
{
	int k, open = 0;

	for (k = 0; k <= WEEKLY_CHART_DAYS; k++) {
		const struct weekly_day *x = &d->days[k < WEEKLY_CHART_DAYS ? k : 0];

		if (k == WEEKLY_CHART_DAYS || x->messages <= 0) {
			if (open)
				fputs("\"/>\n", f);
			open = 0;
			continue;
		}
		if (!open)
			fputs("<polyline fill=\"none\" stroke=\"" WEEKLY_COLOR_RATE
			    "\" stroke-width=\"2\" stroke-linejoin=\"round\" "
			    "points=\"", f);
		fprintf(f, "%s%.1f,%.1f", open ? " " : "",
		    PLOT_L + (k + 0.5) * SLOT, PLOT_B - (double)(PLOT_B - PLOT_T) *
		    (double)x->pass / (double)x->messages);
		open = 1;
	}
	for (k = 0; k < WEEKLY_CHART_DAYS; k++)
		if (d->days[k].messages > 0)
			fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" "
			    "fill=\"" WEEKLY_COLOR_RATE "\"/>", PLOT_L + (k + 0.5) *
			    SLOT, PLOT_B - (double)(PLOT_B - PLOT_T) *
			    (double)d->days[k].pass / (double)d->days[k].messages);
	fputc('\n', f);
}

static void
marks(FILE *f, const struct weekly_domain *d, int64_t first)
{
	char b[FMT_NUM], pol[192];
	size_t i;

	for (i = 0; i < d->nmarks; i++) {
		int64_t k = utc_day(d->marks[i].date) - first;
		double x = PLOT_L + (double)k * SLOT;

		if (k < 0 || k >= WEEKLY_CHART_DAYS)
			continue;
		fprintf(f, "<g><title>%s: ", fmt_day(d->marks[i].date, b,
		    sizeof b));
		html_text(f, policy_diff(&d->marks[i].from, &d->marks[i].to,
		    pol, sizeof pol));
		fprintf(f, "</title><line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" "
		    "y2=\"%d\" stroke=\"" WEEKLY_COLOR_MARK "\" stroke-width=\"2\" "
		    "stroke-dasharray=\"4 3\"/>", x, PLOT_T - 12, x, PLOT_B);
		fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" "
		    "fill=\"#000000\" text-anchor=\"%s\">", x + (k < 40 ? 3 : -3),
		    PLOT_T - 14 + (int)(i % 2) * 10, k < 40 ? "start" : "end");
		html_text(f, policy_brief(&d->marks[i].to, pol, sizeof pol));
		fputs("</text></g>\n", f);
	}
}

void
weekly_svg_chart(FILE *f, const struct weekly *w,
    const struct weekly_domain *d)
{
	int64_t first = utc_day(w->chart_start), max = 0, top;
	char b[FMT_NUM];
	int k;

	for (k = 0; k < WEEKLY_CHART_DAYS; k++)
		if (d->days[k].messages > max)
			max = d->days[k].messages;
	top = axis_max(max);
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
	    "font-family=\"Arial, Helvetica, sans-serif\" "
	    "style=\"display:block;max-width:100%%;height:auto\">\n",
	    SVG_W, SVG_H, SVG_W, SVG_H);
	fputs("<title>Messages per day for ", f);
	html_text(f, d->name);
	fputs(", passing and failing DMARC, with the pass rate</title>\n", f);
	fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" "
	    "fill=\"#ffffff\"/>\n", SVG_W, SVG_H);
	/* the week under review */
	fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
	    "fill=\"#f0f0f0\"/>\n", PLOT_L + (WEEKLY_CHART_DAYS - WEEK_DAYS) *
	    SLOT, PLOT_T, WEEK_DAYS * SLOT, PLOT_B - PLOT_T);
	/* grid and axes: messages on the left, pass rate on the right */
	for (k = 0; k <= 4; k++) {
		double y = PLOT_T + (double)(PLOT_B - PLOT_T) * k / 4;

		fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
		    "stroke=\"#dddddd\" stroke-width=\"1\"/>", PLOT_L, y, PLOT_R,
		    y);
		fprintf(f, "<text x=\"%d\" y=\"%.1f\" font-size=\"10\" "
		    "fill=\"#333333\" text-anchor=\"end\">%s</text>", PLOT_L - 4,
		    y + 3, fmt_int(top / 4 * (4 - k), b, sizeof b));
		fprintf(f, "<text x=\"%d\" y=\"%.1f\" font-size=\"10\" "
		    "fill=\"#333333\">%d%%</text>\n", PLOT_R + 4, y + 3,
		    25 * (4 - k));
	}
	bars(f, d, first, top);
	rate_line(f, d);
	marks(f, d, first);
	/* the days: the first day of each week */
	for (k = 0; k < WEEKLY_CHART_DAYS; k += WEEK_DAYS) {
		fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
		    "stroke=\"#333333\" stroke-width=\"1\"/>", PLOT_L + k * SLOT,
		    PLOT_B, PLOT_L + k * SLOT, PLOT_B + 4);
		fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" "
		    "fill=\"#333333\">%s</text>\n", PLOT_L + k * SLOT, PLOT_B + 16,
		    fmt_day((first + k) * DAY, b, sizeof b) + 5);
	}
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
	    "stroke=\"#333333\" stroke-width=\"1\"/>\n", PLOT_L, PLOT_B, PLOT_R,
	    PLOT_B);
	fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"10\" fill=\"#333333\">"
	    "messages</text><text x=\"%d\" y=\"%d\" font-size=\"10\" "
	    "fill=\"#333333\" text-anchor=\"end\">pass rate</text>\n", 4,
	    PLOT_T - 16, SVG_W - 4, PLOT_T - 16);
	fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"10\" fill=\"#333333\">"
	    "UTC days, %s to %s; the week under review shaded</text>\n",
	    PLOT_L, SVG_H - 8, fmt_day(w->chart_start, b, sizeof b),
	    fmt_day(w->end - DAY, (char[FMT_NUM]){ 0 }, FMT_NUM));
	fputs("</svg>\n", f);
}
