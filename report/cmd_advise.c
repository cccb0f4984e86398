/* SPDX-License-Identifier: MIT */
/*
 * cmd_advise.c: the advise command: per policy domain over the window
 * (default the last 30 days ending today), whether it is safe to tighten
 * the policy.  Glue: advise_load.c reads (advise_query.c), names (names.c,
 * senders.c) and judges (advise_judge.c); advise_text.c and advise_json.c
 * print.  Also the verdicts and the ATTENTION reasons of the weekly mail.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "advise.h"
#include "advise_query.h"
#include "advise_render.h"
#include "fmt.h"
#include "lint.h"

/* One domain judged over the 30 days that end with `last_day` (epoch of
 * its midnight), from the DNS cache alone.  0 or 2 with c->err set. */
static int
judge_at(struct report_ctx *c, const char *domain, int64_t last_day,
    struct advice *a)
{
	struct report_ctx w = *c;
	const char *doms[1] = { domain };
	int rc;

	memset(a, 0, sizeof *a);
	advise_thresholds_default(&a->t);
	w.domains = doms;
	w.ndomains = 1;
	w.windowed = 0;
	w.today = last_day;
	w.no_dns = 1;
	w.err[0] = '\0';
	rc = advise_load(&w, &w, a);
	if (rc == 2 && !c->err[0])
		memcpy(c->err, w.err, sizeof c->err);
	return rc;
}

/* "NOT READY for p=quarantine" */
static void
verdict_words(const struct adv_domain *d, char *buf, size_t len)
{
	static const char *const words[] = {
		"AT REJECT", "INSUFFICIENT DATA", "NOT READY", "READY",
	};

	if (d->verdict == ADV_V_AT_REJECT)
		snprintf(buf, len, "%s", words[d->verdict]);
	else
		snprintf(buf, len, "%s for p=%s", words[d->verdict],
		    advise_policy_name(d->next.p));
}

int
advise_attention(struct report_ctx *c, const char *domain, int64_t start,
    int64_t end, void (*add)(void *arg, const char *reason), void *arg)
{
	struct advice now, before;
	const struct adv_domain *d, *p;
	char line[320], x[FMT_NUM], y[128], x2[128];
	int64_t first = utc_day(start), last = utc_day(end - 1), blocked = 0;
	int64_t most = 0;
	size_t i, k, worst = 0;
	int rc;

	/* both freed at out:, also when the first judgement fails */
	memset(&now, 0, sizeof now);
	memset(&before, 0, sizeof before);
	if ((rc = judge_at(c, domain, last * UTC_DAY_SECONDS, &now)) != 0 ||
	    (rc = judge_at(c, domain, (last - 7) * UTC_DAY_SECONDS, &before)) != 0)
		goto out;
	if (now.n == 0)
		goto out;
	d = &now.d[0];
	p = before.n ? &before.d[0] : NULL;
	/* a verdict that changed since the week before */
	if (p != NULL && (p->verdict != d->verdict || p->next.p != d->next.p)) {
		verdict_words(p, y, sizeof y);
		verdict_words(d, x2, sizeof x2);
		snprintf(line, sizeof line, "advise verdict changed: %s -> %s", y,
		    x2);
		add(arg, line);
	}
	for (i = 0; i < d->nsnd; i++) {
		const struct adv_sender *g = &d->snd[i];
		int64_t fail = 0;

		if (advise_bucket_of(g->cls) != ADV_B_LEGIT)
			continue;
		/* a legitimate sender broken since a day */
		if (g->tl.trend == ADV_T_BROKEN) {
			snprintf(line, sizeof line, "%s broken since %s", g->name,
			    fmt_day(g->tl.since * UTC_DAY_SECONDS, x, sizeof x));
			add(arg, line);
			continue;
		}
		/* a new legitimate sender that fails: first seen this week */
		if (g->ndays == 0 || g->days[0].day < first ||
		    (g->cls != ADV_PARTIAL && g->cls != ADV_MISALIGNED))
			continue;
		for (k = 0; k < g->ndays; k++)
			fail += g->days[k].messages - g->days[k].pass;
		if (fail > 0) {
			snprintf(line, sizeof line, "new sender %s fails for %s "
			    "messages", g->name, fmt_int(fail, x, sizeof x));
			add(arg, line);
		}
	}
	/* legitimate mail quarantined or rejected this week */
	for (i = 0; i < d->nsrc; i++) {
		const struct adv_source *s = &d->src[i];
		int64_t n = 0;

		if (advise_bucket_of(s->cls) != ADV_B_LEGIT)
			continue;
		for (k = 0; k < s->ndays; k++)
			if (s->days[k].day >= first && s->days[k].day <= last &&
			    (s->cls != ADV_FIXED ||
			    s->days[k].day >= d->snd[s->snd].tl.since))
				n += s->days[k].blocked;
		if (n > most)
			worst = i, most = n;
		blocked += n;
	}
	if (blocked > 0) {
		const struct adv_source *s = &d->src[worst];

		snprintf(line, sizeof line, "%s legitimate messages quarantined or "
		    "rejected (most: %s)", fmt_int(blocked, x, sizeof x),
		    s->sender != NULL ? s->sender : s->ip);
		add(arg, line);
	}
out:
	advice_free(&now);
	advice_free(&before);
	return rc;
}

int
advise_verdicts(struct report_ctx *c, const char *const *domains, size_t n)
{
	struct report_ctx w = *c;
	struct advice a;
	char line[512];
	size_t i;
	int rc;

	if (n == 0)
		return 0;
	memset(&a, 0, sizeof a);
	advise_thresholds_default(&a.t);
	w.domains = domains;
	w.ndomains = n;
	w.windowed = 0;
	w.since = INT64_MIN;
	w.until = INT64_MAX;
	w.err[0] = '\0';
	w.no_dns = 1;	/* the cron mail never waits for DNS: the cache alone */
	rc = advise_load(&w, &w, &a);
	for (i = 0; rc == 0 && i < a.n; i++) {
		advise_verdict_line(&a, &a.d[i], line, sizeof line);
		advise_wrap(c->out, "", line, 2);
	}
	if (rc == 2 && !c->err[0])
		memcpy(c->err, w.err, sizeof c->err);
	advice_free(&a);
	return rc;
}

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
