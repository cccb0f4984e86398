/* SPDX-License-Identifier: MIT */
/*
 * weekly.h: the model of `dmarc-report weekly`, the Monday mail, and its
 * three layers: weekly_query.c reads the database into these plain structs
 * (report totals and source_day only, never the record table), the judge
 * (weekly_judge.c) decides what needs attention, and the renderers print:
 * weekly_text.c (text), weekly_data.c (CSV, JSON), weekly_html.c with
 * weekly_svg.c (HTML with inline SVG charts), weekly_mail.c (the MIME
 * message).  struct weekly owns everything in it; weekly_free frees it.
 *
 * The week: the 7 UTC days before today (DMARC_NOW, or --until when that
 * is earlier), never the last week that happens to have data; the previous
 * week the 7 days before.  A report belongs to the day of its date_begin.
 * Domains: every policy domain with a report before today (the --domain
 * ones when given), so that one whose reports stopped long ago still shows,
 * as stale (stale.h).
 */
#ifndef DM_WEEKLY_H
#define DM_WEEKLY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "advise.h"
#include "policy_query.h"
#include "report.h"
#include "stale.h"

#define WEEK_DAYS 7
#define WEEKLY_TOP 10		/* list rows shown before "+N more" */
#define WEEKLY_CHART_DAYS 56	/* the charts: the last 8 weeks */
#define WEEKLY_LOOKBACK_DAYS 28	/* a reporter's previous report, for changes */
#define WEEKLY_MAX_REASONS 8
#define WEEKLY_REASON_LEN 192
/* A pass rate that fell by this many points or more needs attention, when
 * both weeks have WEEKLY_FALL_MIN messages (fewer swing by chance). */
#define WEEKLY_FALL_PT 5.0
#define WEEKLY_FALL_MIN 100

struct weekly_totals {
	int64_t reports, reporters, messages, pass;
};

struct weekly_source {
	char ip[64];
	int64_t first_day, messages, pass;
	int is_new;
};

/* A reporter whose report shows another policy than its previous one. */
struct weekly_change {
	struct policy from, to;
	int64_t date;		/* epoch of the first report showing it */
	int64_t reporters;
};

struct weekly_silent {
	char name[128];
	int64_t reports, messages, last;
};

struct weekly_day {
	int64_t messages, pass;
};

struct weekly_domain {
	char *name;
	struct weekly_totals week, prev;
	struct weekly_source *new_src, *fail_src;	/* the top WEEKLY_TOP */
	size_t n_new, n_fail;				/* how many in all */
	int64_t new_messages, fail_messages;
	struct weekly_change *changes;	/* this week */
	size_t nchanges;
	struct weekly_change *marks;	/* over the chart's 8 weeks */
	size_t nmarks;
	struct weekly_silent *silents;
	size_t nsilents;
	/* messages per UTC day of the chart, days[0] is chart_start's day */
	struct weekly_day days[WEEKLY_CHART_DAYS];
	int has_newest;
	int64_t newest_day;		/* UTC day of the newest report */
	/* advise over the 30 days that end with the week's last day, and a
	 * week earlier: into weekly.now / weekly.before, NULL when it has
	 * no reports there */
	const struct adv_domain *adv, *adv_before;
	/* the judgement */
	struct stale stale;
	char reasons[WEEKLY_MAX_REASONS][WEEKLY_REASON_LEN];
	size_t nreasons;
};

struct weekly {
	int64_t today;			/* epoch of the anchor day's midnight */
	int64_t start, end;		/* the week: [start, end), end = today */
	int64_t chart_start;		/* end - WEEKLY_CHART_DAYS days */
	struct weekly_domain *d;	/* in name order */
	size_t n;
	struct advice now, before;	/* the advise runs behind adv */
};

void weekly_free(struct weekly *w);

/* The query: the week of c (c->today, --until, --domain) and every
 * domain's figures and advise runs.  RPT_OK or RPT_ERROR (c->err). */
enum report_status weekly_query(struct report_ctx *c, struct weekly *w);

/* The judge: each domain's stale data and reasons.  RPT_ATTENTION when a
 * domain needs attention, else RPT_OK.  No SQL, no output. */
enum report_status weekly_judge(struct weekly *w);

/* The pass rate change in points (as fmt_pt shows it); *ok 0 when one of
 * the weeks has no messages (and 0 is returned). */
double weekly_rate_change(const struct weekly_totals *now,
    const struct weekly_totals *before, int *ok);

/* The renderers: no SQL, no judgement. */
void weekly_print_text(FILE *f, const struct weekly *w);
void weekly_print_csv(FILE *f, const struct weekly *w);
void weekly_print_json(FILE *f, const struct weekly *w);
void weekly_print_html(FILE *f, const struct weekly *w);

/* The chart of one domain as an inline <svg> element (weekly_svg.c):
 * messages per day stacked passing/failing, the pass rate line, the
 * policy changes marked on the time axis. */
void weekly_svg_chart(FILE *f, const struct weekly *w,
    const struct weekly_domain *d);

/* The chart colours (Okabe-Ito: told apart with any colour vision); the
 * browser test looks for them in the rendered page. */
#define WEEKLY_COLOR_PASS "#0072B2"	/* blue */
#define WEEKLY_COLOR_FAIL "#E69F00"	/* orange */
#define WEEKLY_COLOR_RATE "#000000"
#define WEEKLY_COLOR_MARK "#CC79A7"	/* reddish purple */

/*
 * The whole weekly mail as an RFC 5322 message (weekly_mail.c, GMime):
 * multipart/alternative of the text and the HTML, UTF-8, Date, Message-ID
 * and a Subject with the status.  to/from NULL: the defaults of
 * dmarc-report(1) (postmaster@ and dmarc-report@ the first domain).
 * `now` is the Date (epoch); `pinned` makes the Message-ID a function of
 * the content (DMARC_NOW: a golden test), else of the time too.  RPT_OK,
 * RPT_USAGE (an address that does not parse, no domain for a default) or
 * RPT_ERROR, with err set.  Calls g_mime_init and g_mime_shutdown around
 * its work (they nest inside a caller's).
 */
enum report_status weekly_mail(FILE *f, const struct weekly *w,
    const char *to, const char *from, int64_t now, int pinned, char *err,
    size_t errlen);

/* "DMARC weekly: example.com needs attention" into buf. */
const char *weekly_subject(const struct weekly *w, char *buf, size_t len);

#endif
