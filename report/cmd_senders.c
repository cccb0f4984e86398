/* SPDX-License-Identifier: MIT */
/*
 * cmd_senders.c: the senders command: per policy domain, every sender (the
 * sources one name covers, see advise_load.c) with its state over the
 * window (aligned, fixed since, broken since, ...), its aligned share per
 * week and per day, its DKIM selectors and SPF domains.  Glue: advise_load
 * reads, names and judges; senders_out.c prints.  Default window: the last
 * 8 weeks, today included.
 */
#include "report.h"

#include <stdint.h>
#include <string.h>

#include "advise.h"
#include "advise_query.h"
#include "fmt.h"
#include "senders_out.h"

#define SENDERS_DEFAULT_DAYS 56

enum report_status
cmd_senders(struct report_ctx *c)
{
	struct report_ctx w = *c;
	struct advice a;
	size_t i, top;
	enum report_status missing = RPT_OK;

	memset(&a, 0, sizeof a);
	advise_thresholds_default(&a.t);
	for (i = 0; i < c->nthresholds; i++)
		if (advise_threshold_set(&a.t, c->thresholds[i], c->err,
		    sizeof c->err) != 0)
			return RPT_USAGE;
	if (!w.windowed) {
		w.until = c->today + UTC_DAY_SECONDS;
		w.since = w.until - (int64_t)SENDERS_DEFAULT_DAYS * UTC_DAY_SECONDS;
		w.windowed = 1;
	}
	a.want_selectors = 1;
	if (advise_load(c, &w, &a) != 0 ||
	    (missing = report_missing(&w)) == RPT_ERROR) {
		if (w.err[0] && !c->err[0])
			memcpy(c->err, w.err, sizeof c->err);
		advice_free(&a);
		return RPT_ERROR;
	}
	top = c->top > 0 ? (size_t)c->top : SIZE_MAX;
	switch (c->format) {
	case OUT_TEXT:
		if (a.n > 0)	/* none: main says why */
			senders_print_text(c->out, &a, top);
		break;
	case OUT_CSV: senders_print_csv(c->out, &a, top); break;
	case OUT_JSON: senders_print_json(c->out, &a, top); break;
	}
	advice_free(&a);
	/* a domain asked for without reports in the window is named */
	if (missing == RPT_NO_REPORTS)
		memcpy(c->err, w.err, sizeof c->err);
	return missing;
}
