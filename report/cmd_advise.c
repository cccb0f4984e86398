/* SPDX-License-Identifier: MIT */
/*
 * cmd_advise.c: the advise command: per policy domain over the window
 * (default the last 30 days ending today), whether it is safe to tighten
 * the policy.  Glue: advise_query.c reads, names.c and senders.c name the
 * sources, advise_judge.c judges, advise_text.c and advise_json.c print.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "advise.h"
#include "advise_query.h"
#include "advise_render.h"
#include "fmt.h"
#include "lint.h"
#include "names.h"
#include "senders.h"

#define AUTH_MAX 16	/* authentication domains weighed per source */

static const struct adv_source *auth_src;

static int
by_auth_messages(const void *x, const void *y)
{
	const struct adv_result *a = &auth_src->res[*(const size_t *)x];
	const struct adv_result *b = &auth_src->res[*(const size_t *)y];

	if (a->messages != b->messages)
		return a->messages > b->messages ? -1 : 1;
	return strcmp(a->dom, b->dom);
}

/* Names one source: senders_identify over the user's file, its PTR name
 * and the domains it authenticated for (most messages first). */
static int
name_source(const struct report_ctx *c, const struct adv_domain *d,
    struct adv_source *s)
{
	const char *auth[AUTH_MAX];
	size_t idx[AUTH_MAX], i, n = 0;
	struct sender_id id;
	char buf[SENDERS_BUF_MIN];

	for (i = 0; i < s->nres && n < AUTH_MAX; i++)
		if (strcmp(s->res[i].res, "pass") == 0 && s->res[i].dom[0] &&
		    (n == 0 || strcmp(s->res[idx[n - 1]].dom, s->res[i].dom) != 0))
			idx[n++] = i;
	auth_src = s;
	if (n > 1)
		qsort(idx, n, sizeof *idx, by_auth_messages);
	for (i = 0; i < n; i++)
		auth[i] = s->res[idx[i]].dom;
	senders_identify(c->senders, s->ip, s->ptr[0] ? s->ptr : NULL, d->name,
	    auth, n, &id, buf, sizeof buf);
	if (id.name == NULL || id.how == SENDER_UNKNOWN)
		return 0;
	if ((s->sender = strdup(id.name)) == NULL)
		return -1;
	s->named = id.how == SENDER_USER ? ADV_NAMED_USER :
	    id.how == SENDER_PTR ? ADV_NAMED_PTR :
	    id.how == SENDER_SERVICE ? ADV_NAMED_SERVICE : ADV_NAMED_AUTH_DOMAIN;
	s->esp = id.esp;
	return 0;
}

/*
 * The reverse DNS (one batch, within the DNS budget; the cache alone with
 * --no-dns) and the sender of every source, before the judge: the sender
 * groups sources and is evidence that they send for the domain.
 */
static int
name_sources(struct report_ctx *c, struct advice *a)
{
	struct rdns_result *q;
	size_t i, j, n = 0, k = 0;
	int rc;

	for (i = 0; i < a->n; i++)
		n += a->d[i].nsrc;
	if (n == 0)
		return 0;
	if ((q = calloc(n, sizeof *q)) == NULL)
		return report_oom(c);
	for (i = 0; i < a->n; i++)
		for (j = 0; j < a->d[i].nsrc; j++)
			snprintf(q[k++].ip, sizeof q[0].ip, "%s", a->d[i].src[j].ip);
	rc = names_ptr(c, q, n);
	for (i = 0, k = 0; rc == 0 && i < a->n; i++) {
		struct adv_domain *d = &a->d[i];

		for (j = 0; j < d->nsrc; j++, k++) {
			struct adv_source *s = &d->src[j];

			if (q[k].status == RDNS_OK)
				snprintf(s->ptr, sizeof s->ptr, "%s", q[k].name);
			if (name_source(c, d, s) != 0) {
				rc = report_oom(c);
				break;
			}
		}
	}
	free(q);
	return rc;
}

/* Loads, names and judges.  c keeps the resolver; w is the window.  0 or 2
 * with the error in c->err or w->err. */
static int
advise_load(struct report_ctx *c, struct report_ctx *w, struct advice *a)
{
	size_t i;
	int rc;

	if ((rc = advise_query(c, w, a)) != 0 || (rc = name_sources(c, a)) != 0)
		return rc;
	for (i = 0; i < a->n; i++) {
		if ((rc = advise_judge(a, &a->d[i])) == -1)
			return report_oom(w);
		if (rc != 0) {
			snprintf(w->err, sizeof w->err, "advise: the record is "
			    "too long");
			return 2;
		}
	}
	return 0;
}

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

	if ((rc = judge_at(c, domain, last * 86400, &now)) != 0 ||
	    (rc = judge_at(c, domain, (last - 7) * 86400, &before)) != 0)
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
			    fmt_day(g->tl.since * 86400, x, sizeof x));
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

int
cmd_advise(struct report_ctx *c)
{
	struct report_ctx w = *c;
	struct advice a;
	size_t i;
	int rc = 0;

	memset(&a, 0, sizeof a);
	advise_thresholds_default(&a.t);
	for (i = 0; i < c->nthresholds; i++)
		if (advise_threshold_set(&a.t, c->thresholds[i], c->err,
		    sizeof c->err) != 0)
			return 2;
	if (c->format == OUT_CSV) {
		snprintf(c->err, sizeof c->err, "advise: --format wants text or "
		    "json (its blocks do not fit one CSV table)");
		return 2;
	}
	if (c->record != NULL) {
		if (c->ndomains != 1) {
			snprintf(c->err, sizeof c->err, "--record is the record of "
			    "one domain: give exactly one --domain with it");
			return 2;
		}
		if (lint_record(c->record, NULL, &a.lint) != 0)
			return report_oom(c);
		a.has_lint = 1;
	}
	if ((rc = advise_load(c, &w, &a)) != 0)
		goto out;
	if (c->format == OUT_JSON)
		advise_print_json(c->out, &a);
	else
		advise_print_text(c->out, &a);
	for (i = 0; i < a.n; i++)
		if (a.d[i].verdict != ADV_V_READY && a.d[i].verdict != ADV_V_AT_REJECT)
			rc = 1;
out:
	if (rc == 2 && w.err[0] && !c->err[0])
		memcpy(c->err, w.err, sizeof c->err);
	advice_free(&a);
	return rc;
}
