/* SPDX-License-Identifier: MIT */
/*
 * cmd_weekly.c: the weekly command, the cron mail to the postmaster: glue
 * over weekly.h's layers.  weekly_query reads the week ending today,
 * weekly_judge decides what needs attention (the status: RPT_ATTENTION,
 * exit 1, when any domain does), then one renderer prints: text, CSV,
 * JSON, HTML (--format html) or the whole MIME message (--mail).
 */
#include "weekly.h"

#include <string.h>
#include <time.h>

#include "fmt.h"

/* A --domain asked for that has no report before the week's end: RPT_OK
 * when none, else RPT_NO_REPORTS with c->err naming them. */
static enum report_status
unknown_domains(struct report_ctx *c, const struct weekly *w)
{
	char names[256] = "", day[FMT_NUM];
	size_t i, k, n = 0, len;

	for (i = 0; i < c->ndomains; i++) {
		for (k = 0; k < w->n; k++)
			if (strcmp(c->domains[i], w->d[k].name) == 0)
				break;
		if (k < w->n)
			continue;
		len = strlen(names);
		snprintf(names + len, sizeof names - len, "%s%s", n++ ? ", " : "",
		    c->domains[i]);
	}
	if (n == 0)
		return RPT_OK;
	snprintf(c->err, sizeof c->err, "no reports for %s before %s", names,
	    fmt_day(w->end, day, sizeof day));
	return RPT_NO_REPORTS;
}

enum report_status
cmd_weekly(struct report_ctx *c)
{
	struct weekly w;
	enum report_status rs, status;

	if ((rs = weekly_query(c, &w)) != RPT_OK)
		goto out;
	status = weekly_judge(&w);
	if (c->mail) {
		rs = weekly_mail(c->out, &w, c->mail_to, c->mail_from,
		    c->now_pinned ? c->today : (int64_t)time(NULL),
		    c->now_pinned, c->err, sizeof c->err);
		if (rs != RPT_OK)
			goto out;
	} else if (c->html) {
		weekly_print_html(c->out, &w);
	} else {
		switch (c->format) {
		case OUT_TEXT: weekly_print_text(c->out, &w); break;
		case OUT_CSV: weekly_print_csv(c->out, &w); break;
		case OUT_JSON: weekly_print_json(c->out, &w); break;
		}
	}
	rs = status;
	if (rs == RPT_OK)
		rs = unknown_domains(c, &w);
out:
	weekly_free(&w);
	return rs;
}
