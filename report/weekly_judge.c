/* SPDX-License-Identifier: MIT */
/*
 * weekly_judge.c: what of the week needs the postmaster's attention, per
 * domain, from the figures and the two advise runs of weekly.h: no SQL, no
 * output.  A domain needs attention for:
 *   - stale data: its newest report is more than STALE_DAYS old (stale.h);
 *   - a pass rate that fell by WEEKLY_FALL_PT points or more (both weeks
 *     with WEEKLY_FALL_MIN messages);
 *   - an advise verdict that changed since the 30 days ending a week
 *     earlier;
 *   - a legitimate sender broken since a day, or new this week and
 *     failing;
 *   - legitimate mail quarantined or rejected this week.
 * Spoofers rejected are the policy working: never a reason.  A silent
 * reporter, a policy change or a new spoofer are shown but are not news.
 */
#include "weekly.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fmt.h"

static void
add_reason(struct weekly_domain *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
add_reason(struct weekly_domain *d, const char *fmt, ...)
{
	va_list ap;

	if (d->nreasons == WEEKLY_MAX_REASONS)
		return;
	va_start(ap, fmt);
	vsnprintf(d->reasons[d->nreasons++], sizeof d->reasons[0], fmt, ap);
	va_end(ap);
}

double
weekly_rate_change(const struct weekly_totals *now,
    const struct weekly_totals *before, int *ok)
{
	*ok = now->messages > 0 && before->messages > 0;
	if (!*ok)
		return 0;
	return 100.0 * ((double)now->pass / (double)now->messages -
	    (double)before->pass / (double)before->messages);
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

/* What advise finds that needs action in the week [first, last] (UTC
 * days): a verdict that changed, legitimate senders broken or new and
 * failing, legitimate mail quarantined or rejected. */
static void
judge_advice(struct weekly_domain *wd, int64_t first, int64_t last)
{
	const struct adv_domain *d = wd->adv, *p = wd->adv_before;
	char x[FMT_NUM], y[128], z[128];
	int64_t blocked = 0, most = 0;
	size_t i, k, worst = 0;

	if (d == NULL)
		return;
	if (p != NULL && (p->verdict != d->verdict || p->next.p != d->next.p)) {
		verdict_words(p, y, sizeof y);
		verdict_words(d, z, sizeof z);
		add_reason(wd, "advise verdict changed: %s -> %s", y, z);
	}
	for (i = 0; i < d->nsnd; i++) {
		const struct adv_sender *g = &d->snd[i];
		int64_t fail = 0;

		if (advise_bucket_of(g->cls) != ADV_B_LEGIT)
			continue;
		if (g->tl.trend == ADV_T_BROKEN) {
			add_reason(wd, "%s broken since %s", g->name,
			    fmt_day(g->tl.since * UTC_DAY_SECONDS, x, sizeof x));
			continue;
		}
		/* a new legitimate sender that fails: first seen this week */
		if (g->ndays == 0 || g->days[0].day < first ||
		    (g->cls != ADV_PARTIAL && g->cls != ADV_MISALIGNED))
			continue;
		for (k = 0; k < g->ndays; k++)
			fail += g->days[k].messages - g->days[k].pass;
		if (fail > 0)
			add_reason(wd, "new sender %s fails for %s messages",
			    g->name, fmt_int(fail, x, sizeof x));
	}
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
	if (blocked > 0)
		add_reason(wd, "%s legitimate messages quarantined or rejected "
		    "(most: %s)", fmt_int(blocked, x, sizeof x),
		    d->src[worst].sender != NULL ? d->src[worst].sender :
		    d->src[worst].ip);
}

enum report_status
weekly_judge(struct weekly *w)
{
	int64_t today = utc_day(w->end), first = utc_day(w->start);
	enum report_status rs = RPT_OK;
	char b[FMT_NUM], b2[FMT_NUM], line[WEEKLY_REASON_LEN];
	size_t i;

	for (i = 0; i < w->n; i++) {
		struct weekly_domain *d = &w->d[i];
		double pt;
		int ok;

		d->nreasons = 0;
		stale_judge(d->has_newest, d->newest_day, today, &d->stale);
		if (d->stale.stale)
			add_reason(d, "%s", stale_text(&d->stale, line,
			    sizeof line));
		pt = weekly_rate_change(&d->week, &d->prev, &ok);
		/* as shown: a fall that prints as -5.0 pt is one */
		if (ok && pt <= -(WEEKLY_FALL_PT - 0.05) &&
		    d->week.messages >= WEEKLY_FALL_MIN &&
		    d->prev.messages >= WEEKLY_FALL_MIN)
			add_reason(d, "DMARC pass rate fell from %s to %s",
			    fmt_pct(d->prev.pass, d->prev.messages, b, sizeof b),
			    fmt_pct(d->week.pass, d->week.messages, b2,
			    sizeof b2));
		judge_advice(d, first, today - 1);
		if (d->nreasons > 0)
			rs = RPT_ATTENTION;
	}
	return rs;
}
