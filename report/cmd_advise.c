/* SPDX-License-Identifier: MIT */
/*
 * cmd_advise.c: the advise command: per policy domain over the window
 * (default the last 30 days ending today), whether it is safe to tighten
 * the policy.  Glue: advise_load.c reads (advise_query.c), names (names.c,
 * senders.c) and judges (advise_judge.c); advise_text.c and advise_json.c
 * print.  A domain whose reports stopped is stale (stale.h), which needs
 * attention like a domain that is not ready.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "advise.h"
#include "advise_query.h"
#include "advise_render.h"
#include "fmt.h"
#include "lint.h"
#include "stale.h"

enum report_status
cmd_advise(struct report_ctx *c)
{
	struct report_ctx w = *c;
	struct advice a;
	size_t i;
	enum report_status rs = RPT_OK, missing = RPT_OK;

	memset(&a, 0, sizeof a);
	advise_thresholds_default(&a.t);
	for (i = 0; i < c->nthresholds; i++)
		if (advise_threshold_set(&a.t, c->thresholds[i], c->err,
		    sizeof c->err) != 0)
			return RPT_USAGE;
	if (c->format == OUT_CSV) {
		snprintf(c->err, sizeof c->err, "advise: --format wants text or "
		    "json (its blocks do not fit one CSV table)");
		return RPT_USAGE;
	}
	if (c->record != NULL) {
		if (c->ndomains != 1) {
			snprintf(c->err, sizeof c->err, "--record is the record of "
			    "one domain: give exactly one --domain with it");
			return RPT_USAGE;
		}
		if (lint_pasted(c->record, NULL, &a.lint) != 0)
			return report_oom(c);
		a.has_lint = 1;
	}
	if (advise_load(c, &w, &a) != 0 ||
	    (missing = report_missing(&w)) == RPT_ERROR) {
		rs = RPT_ERROR;
		goto out;
	}
	/* stale data: the newest report against today, when the window ends
	 * today (a window in the past is history, not news) */
	for (i = 0; (!c->windowed || c->until > c->today) && i < a.n; i++) {
		struct adv_domain *d = &a.d[i];
		struct stale s;
		int has;
		int64_t newest;

		if (stale_query(c, d->name, c->today + UTC_DAY_SECONDS, &has,
		    &newest) != RPT_OK) {
			rs = RPT_ERROR;
			goto out;
		}
		stale_judge(has, newest, utc_day(c->today), &s);
		d->has_newest = has;
		d->newest_day = newest;
		d->stale_days = s.stale ? s.days : 0;
		if (s.stale)
			rs = RPT_ATTENTION;
	}
	if (c->format == OUT_JSON)
		advise_print_json(c->out, &a);
	else if (a.n > 0)	/* none: main says why */
		advise_print_text(c->out, &a);
	for (i = 0; i < a.n; i++)
		if (a.d[i].verdict != ADV_V_READY && a.d[i].verdict != ADV_V_AT_REJECT)
			rs = RPT_ATTENTION;
	/* a domain asked for without reports in the window is named */
	if (missing == RPT_NO_REPORTS) {
		memcpy(c->err, w.err, sizeof c->err);
		if (rs == RPT_OK)
			rs = RPT_NO_REPORTS;
	}
out:
	if (rs == RPT_ERROR && w.err[0] && !c->err[0])
		memcpy(c->err, w.err, sizeof c->err);
	advice_free(&a);
	return rs;
}
