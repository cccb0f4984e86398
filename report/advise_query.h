/* SPDX-License-Identifier: MIT */
/*
 * advise_query.h: the database side of `dmarc-report advise`: reads the
 * window's reports and records into the plain structs of advise.h (which
 * then own what was read; advice_free frees it).  No judgement here.
 */
#ifndef DM_ADVISE_QUERY_H
#define DM_ADVISE_QUERY_H

#include "advise.h"
#include "report.h"

/*
 * Loads every selected domain of w over w's window: the last 30 days up to
 * c->today when w has none (w->since/until are set to it; --until alone
 * starts the window at the first report).  Returns 0, or 2 with the error
 * in w->err.
 */
int advise_query(const struct report_ctx *c, struct report_ctx *w,
    struct advice *a);

/*
 * advise_query, then the names of every source (c keeps the resolver and
 * the DNS settings; the cache alone with c->no_dns), then advise_judge on
 * each domain: what advise, weekly and senders print.  0, or 2 with the
 * error in c->err or w->err.
 */
int advise_load(struct report_ctx *c, struct report_ctx *w, struct advice *a);

#endif
