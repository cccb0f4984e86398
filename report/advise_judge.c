/* SPDX-License-Identifier: MIT */
/*
 * advise_judge.c: the judgement of one policy domain for `dmarc-report
 * advise` (see advise.h): the policy in force, each source's class, what
 * the next step would hit, the blockers with their why and fix, the
 * verdict and the record to publish.  No SQL, no output: it reads and
 * fills the plain structs of advise.h.
 *
 * Subdomains: mail whose header From is below the policy domain is
 * judged by sp.  np (non-existent subdomains) cannot be told apart in
 * reports, so every subdomain is treated as existing.
 */
#include "advise.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "lint.h"
#include "orgdomain.h"

const char *
advise_verdict_name(enum advise_verdict v)
{
	static const char *const names[] = {
		"at-reject", "insufficient-data", "not-ready", "ready",
	};

	return (unsigned)v < sizeof names / sizeof names[0] ? names[v] : "?";
}

const char *
advise_bucket_name(enum advise_bucket b)
{
	static const char *const names[ADV_B_N] = {
		"legitimate", "forwarded", "unknown", "unauthenticated",
	};

	return (unsigned)b < ADV_B_N ? names[b] : "?";
}

enum advise_bucket
advise_bucket_of(enum advise_class k)
{
	return k == ADV_FORWARDED ? ADV_B_FORWARDED :
	    k == ADV_UNKNOWN ? ADV_B_UNKNOWN :
	    k == ADV_UNAUTH ? ADV_B_UNAUTH : ADV_B_LEGIT;
}

int64_t
advise_impact_total(const int64_t *m)
{
	int64_t t = 0;
	int b;

	for (b = 0; b < ADV_B_N; b++)
		t += m[b];
	return t;
}

void
advice_free(struct advice *a)
{
	size_t i, j, k;

	for (i = 0; i < a->n; i++) {
		struct adv_domain *d = &a->d[i];

		for (j = 0; j < d->nsrc; j++) {
			for (k = 0; k < d->src[j].nres; k++) {
				free(d->src[j].res[k].res);
				free(d->src[j].res[k].dom);
			}
			free(d->src[j].res);
			free(d->src[j].ip);
			free(d->src[j].reason);
			free(d->src[j].fix);
			free(d->src[j].days);
			for (k = 0; k < d->src[j].nsels; k++) {
				free(d->src[j].sels[k].dom);
				free(d->src[j].sels[k].sel);
			}
			free(d->src[j].sels);
			free(d->src[j].sender);
		}
		for (j = 0; j < d->nsnd; j++)
			free(d->snd[j].days);
		free(d->snd);
		free(d->blocked);
		for (j = 0; j < d->nsub; j++)
			free(d->sub[j].name);
		free(d->src);
		free(d->sub);
		free(d->blk);
		free(d->name);
	}
	free(a->d);
	if (a->has_lint)
		lint_free(&a->lint);
}

/* The policy published now: --record's when it names a valid p, else the
 * latest report's. */
static void
current_policy(struct advice *a, struct adv_domain *d)
{
	const struct lint_result *l = &a->lint;
	const char *v;
	int p;

	d->now = d->seen;
	if (!d->has_seen)
		memset(&d->now, 0, sizeof d->now), d->now.pct = 100;
	if (!a->has_lint || (p = advise_policy_parse(lint_tag(l, "p"))) < 0)
		return;
	d->from_record = 1;
	d->now.p = (enum advise_policy_value)p;
	p = advise_policy_parse(lint_tag(l, "sp"));
	d->now.sp = p < 0 ? d->now.p : (enum advise_policy_value)p;
	p = advise_policy_parse(lint_tag(l, "np"));
	d->now.np = p < 0 ? d->now.sp : (enum advise_policy_value)p;
	v = lint_tag(l, "pct");
	d->now.pct = v != NULL ? atoi(v) : 100;
	if (d->now.pct < 0 || d->now.pct > 100)
		d->now.pct = 100;
	v = lint_tag(l, "t");
	d->now.testing = v != NULL && (v[0] == 'y' || v[0] == 'Y');
	v = lint_tag(l, "adkim");
	d->now.adkim_strict = v != NULL && (v[0] == 's' || v[0] == 'S');
	v = lint_tag(l, "aspf");
	d->now.aspf_strict = v != NULL && (v[0] == 's' || v[0] == 'S');
}

/* Is `dom` the policy domain, below it, or above it (relaxed alignment,
 * without the public suffix list: for wording only)? */
static int
related(const char *dom, const char *policy)
{
	/* relaxed alignment: the same organizational domain (libpsl) */
	return org_aligned(dom, policy);
}

/* "a, b +2": up to two names of a source's results of one kind, `pass`
 * only or all; returns how many there were. */
static size_t
result_names(const struct adv_source *s, int dkim, int pass, char *buf,
    size_t len, const char **first_res)
{
	size_t i, n = 0, used;

	buf[0] = '\0';
	*first_res = NULL;
	for (i = 0; i < s->nres; i++) {
		const struct adv_result *r = &s->res[i];

		if (!r->failing || r->dkim != dkim ||
		    (pass && strcmp(r->res, "pass") != 0))
			continue;
		if (n == 0)
			*first_res = r->res;
		if (n < 2) {
			used = strlen(buf);
			snprintf(buf + used, len - used, "%s%s%s%s", n ? ", " : "",
			    pass ? "" : r->res, pass ? "" : " for ",
			    r->dom[0] ? r->dom : "(no domain)");
		}
		n++;
	}
	if (n > 2) {
		used = strlen(buf);
		snprintf(buf + used, len - used, " +%zu", n - 2);
	}
	return n;
}

/* Appends why the first passing domain does not align: "(d=mailjet.com is
 * not under example.com)", by organizational domains. */
static void
not_under(const struct adv_domain *d, const struct adv_source *s, char *why,
    size_t len)
{
	char od[256], pd[256];
	size_t i, n;

	for (i = 0; i < s->nres; i++) {
		const struct adv_result *r = &s->res[i];

		if (!r->failing || strcmp(r->res, "pass") != 0 || !r->dom[0] ||
		    related(r->dom, d->name))
			continue;
		org_domain(r->dom, od, sizeof od);
		org_domain(d->name, pd, sizeof pd);
		n = strlen(why);
		snprintf(why + n, len - n, " (%s%s is not under %s)",
		    r->dkim ? "d=" : "", od, pd);
		return;
	}
}

/* The sender's name in a fix, or NULL when it is just an IP or a domain
 * that named itself. */
static const char *
service_name(const struct adv_source *s)
{
	if (s->sender == NULL || (s->named != ADV_NAMED_USER &&
	    s->named != ADV_NAMED_PTR && s->named != ADV_NAMED_SERVICE))
		return NULL;
	return s->sender;
}

/* Does any failing row pass SPF / DKIM for the policy domain's
 * organization? */
static void
own_passes(const struct adv_domain *d, const struct adv_source *s,
    int failing_only, int *spf_ok, int *dkim_ok)
{
	size_t i;

	*spf_ok = *dkim_ok = 0;
	for (i = 0; i < s->nres; i++) {
		const struct adv_result *r = &s->res[i];

		if ((failing_only && !r->failing) || strcmp(r->res, "pass") != 0 ||
		    !related(r->dom, d->name))
			continue;
		if (r->dkim)
			*dkim_ok = 1;
		else
			*spf_ok = 1;
	}
}

/* The why and the fix of a legitimate source that fails, in a
 * postmaster's words, fitting the cause. */
static int
explain(const struct advise_thresholds *t, const struct adv_domain *d,
    struct adv_source *s)
{
	char why[1024], fix[512], spf[384], dkim[384], day[FMT_NUM];
	const struct adv_sender *snd = &d->snd[s->snd];
	const char *svc = service_name(s), *r1, *r2;
	size_t nspf, ndkim, n;
	int spf_ok, dkim_ok;

	free(s->reason);
	free(s->fix);
	s->reason = s->fix = NULL;
	nspf = result_names(s, 0, 0, spf, sizeof spf, &r1);
	ndkim = result_names(s, 1, 0, dkim, sizeof dkim, &r2);
	own_passes(d, s, 1, &spf_ok, &dkim_ok);
	if (snd->tl.trend == ADV_T_SETTLING) {
		/* fixed, it seems, but not for long enough to trust it */
		fmt_day(snd->tl.since * UTC_DAY_SECONDS, day, sizeof day);
		snprintf(why, sizeof why, "it failed before %s and has passed "
		    "since, for %" PRId64 " day%s of the %" PRId64 " that make a "
		    "fix settled; the failing rows show SPF %s; DKIM %s", day,
		    snd->tl.run_days, snd->tl.run_days == 1 ? "" : "s",
		    t->settled_days, nspf ? spf : "none",
		    ndkim ? dkim : "none (unsigned)");
		snprintf(fix, sizeof fix, "nothing more if the change of %s "
		    "covers all its mail: its earlier failures stop counting "
		    "once it has passed for %" PRId64 " days; run advise again "
		    "then", day, t->settled_days);
	} else if (s->regression) {
		fmt_day(snd->tl.since * UTC_DAY_SECONDS, day, sizeof day);
		snprintf(why, sizeof why, "a regression: aligned until %s, "
		    "failing since; the failing rows show SPF %s; DKIM %s", day,
		    nspf ? spf : "none", ndkim ? dkim : "none (unsigned)");
		snprintf(fix, sizeof fix, "check the DKIM key or SPF record "
		    "changed around %s (a rotated or expired key, a lost "
		    "include:, a new server or relay)", day);
	} else if (s->cls == ADV_MISALIGNED) {
		nspf = result_names(s, 0, 1, spf, sizeof spf, &r1);
		ndkim = result_names(s, 1, 1, dkim, sizeof dkim, &r2);
		if (nspf && ndkim)
			snprintf(why, sizeof why, "SPF pass for %s, DKIM pass for "
			    "%s: neither aligned with %s", spf, dkim, d->name);
		else if (nspf)
			snprintf(why, sizeof why, "SPF pass for %s, no DKIM pass: "
			    "not aligned with %s", spf, d->name);
		else if (ndkim)
			snprintf(why, sizeof why, "DKIM pass for %s, no SPF pass: "
			    "not aligned with %s", dkim, d->name);
		else
			snprintf(why, sizeof why, "neither SPF nor DKIM passes "
			    "for any domain (named in your senders file)");
		not_under(d, s, why, sizeof why);
		if (svc != NULL && s->named != ADV_NAMED_USER)
			snprintf(fix, sizeof fix, "set up DKIM signing with d=%s "
			    "in %s, or a custom return-path under %s", d->name, svc,
			    d->name);
		else if (nspf || ndkim)
			snprintf(fix, sizeof fix, "sign with DKIM d=%s at this "
			    "sender, or use a return-path under %s", d->name,
			    d->name);
		else
			snprintf(fix, sizeof fix, "add this server to the SPF "
			    "record of %s and sign its mail with DKIM d=%s", d->name,
			    d->name);
	} else if (s->esp || (svc != NULL && s->named == ADV_NAMED_SERVICE)) {
		/* a service that signs part of the mail for the domain */
		snprintf(why, sizeof why, "DMARC passes for part of its mail; "
		    "the failing rows show SPF %s; DKIM %s",
		    nspf ? spf : "none", ndkim ? dkim : "none (unsigned)");
		snprintf(fix, sizeof fix, "set up DKIM signing with d=%s in %s "
		    "for all the mail it sends for you (every account, stream "
		    "or sub-account), or a custom return-path under %s",
		    d->name, svc != NULL ? svc : "this service", d->name);
	} else {
		/* the domain's own server (or a relay) failing part of the
		 * time, or an aligned or fixed source that fails now and then */
		snprintf(why, sizeof why, "DMARC passes for some of its mail but "
		    "not all; the failing rows show SPF %s; DKIM %s",
		    nspf ? spf : "none", ndkim ? dkim : "none (unsigned)");
		if (!spf_ok && !dkim_ok)
			snprintf(fix, sizeof fix, "add this server to the SPF record "
			    "of %s's return-path and check its DKIM key for %s "
			    "(missing, expired, rotated?)", d->name, d->name);
		else if (!dkim_ok)
			snprintf(fix, sizeof fix, "check its DKIM signing for %s "
			    "(a missing, expired or rotated key?)", d->name);
		else
			snprintf(fix, sizeof fix, "check that this server is in the "
			    "SPF record of %s", d->name);
	}
	if (s->cls == ADV_FIXED) {
		n = strlen(why);
		snprintf(why + n, sizeof why - n, " (its sender is fixed since "
		    "%s; these failures came after)", fmt_day(snd->tl.since *
		    UTC_DAY_SECONDS, day, sizeof day));
	}
	if ((s->reason = strdup(why)) == NULL || (s->fix = strdup(fix)) == NULL)
		return -1;
	return 0;
}

static const struct adv_domain *sort_dom;
static int sort_step;

/* Blockers: most messages hit now first, then by IP. */
static int
by_hit_now(const void *x, const void *y)
{
	const struct adv_source *a = &sort_dom->src[*(const size_t *)x];
	const struct adv_source *b = &sort_dom->src[*(const size_t *)y];

	if (a->hit_now[sort_step] != b->hit_now[sort_step])
		return a->hit_now[sort_step] > b->hit_now[sort_step] ? -1 : 1;
	return strcmp(a->ip, b->ip);
}

/* Impact lists: most messages hit over the window first, then by IP. */
static int
by_hit(const void *x, const void *y)
{
	const struct adv_source *a = &sort_dom->src[*(const size_t *)x];
	const struct adv_source *b = &sort_dom->src[*(const size_t *)y];

	if (a->hit[sort_step] != b->hit[sort_step])
		return a->hit[sort_step] > b->hit[sort_step] ? -1 : 1;
	return strcmp(a->ip, b->ip);
}

static int
by_blocked(const void *x, const void *y)
{
	const struct adv_source *a = &sort_dom->src[*(const size_t *)x];
	const struct adv_source *b = &sort_dom->src[*(const size_t *)y];

	if (a->blocked_now != b->blocked_now)
		return a->blocked_now > b->blocked_now ? -1 : 1;
	return strcmp(a->ip, b->ip);
}

static const char *
sender_key(const struct adv_source *s)
{
	return s->sender != NULL ? s->sender : s->ip;
}

static int
by_sender_key(const void *x, const void *y)
{
	const struct adv_source *a = &sort_dom->src[*(const size_t *)x];
	const struct adv_source *b = &sort_dom->src[*(const size_t *)y];
	int c = strcmp(sender_key(a), sender_key(b));

	return c ? c : strcmp(a->ip, b->ip);
}

/* Adds a source's days into a sender's (both ascending); -1 out of memory. */
static int
merge_days(struct adv_sender *g, const struct adv_source *s)
{
	struct advise_day *m;
	size_t i = 0, j = 0, n = 0;

	if ((m = calloc(g->ndays + s->ndays + 1, sizeof *m)) == NULL)
		return -1;
	while (i < g->ndays || j < s->ndays) {
		if (j == s->ndays || (i < g->ndays &&
		    g->days[i].day < s->days[j].day))
			m[n++] = g->days[i++];
		else if (i == g->ndays || s->days[j].day < g->days[i].day)
			m[n++] = s->days[j++];
		else {
			m[n] = g->days[i++];
			m[n].messages += s->days[j].messages;
			m[n].pass += s->days[j].pass;
			m[n].fail_sub += s->days[j].fail_sub;
			m[n++].blocked += s->days[j++].blocked;
		}
	}
	free(g->days);
	g->days = m;
	g->ndays = n;
	return 0;
}

/* The sources grouped by sender name (an unnamed source alone, by IP). */
static int
group_senders(struct adv_domain *d)
{
	size_t *idx, i;

	if ((idx = calloc(d->nsrc + 1, sizeof *idx)) == NULL ||
	    (d->snd = calloc(d->nsrc + 1, sizeof *d->snd)) == NULL) {
		free(idx);
		return -1;
	}
	for (i = 0; i < d->nsrc; i++)
		idx[i] = i;
	sort_dom = d;
	if (d->nsrc > 1)
		qsort(idx, d->nsrc, sizeof *idx, by_sender_key);
	for (i = 0; i < d->nsrc; i++) {
		struct adv_source *s = &d->src[idx[i]];
		struct adv_sender *g;

		if (d->nsnd == 0 || strcmp(d->snd[d->nsnd - 1].name,
		    sender_key(s)) != 0) {
			g = &d->snd[d->nsnd++];
			g->name = sender_key(s);
			g->named = s->sender != NULL ? s->named : ADV_NAMED_NONE;
			g->esp = s->esp;
		}
		g = &d->snd[d->nsnd - 1];
		s->snd = (size_t)(g - d->snd);
		g->messages += s->messages;
		g->pass += s->pass;
		g->failing += s->messages - s->pass;
		if (merge_days(g, s) != 0) {
			free(idx);
			return -1;
		}
	}
	free(idx);
	return 0;
}

/* A source's weight in its sender's class: failing mail first. */
static int64_t
weight(const struct adv_source *s)
{
	int64_t fail = s->messages - s->pass;

	return fail > 0 ? fail : -1 - (INT64_MAX - s->messages) / 2;
}

/* What the reports say of a source, for advise_classify. */
static void
facts_of(const struct adv_domain *d, const struct adv_source *s,
    struct advise_facts *f)
{
	int spf_ok, dkim_ok;

	memset(f, 0, sizeof *f);
	f->messages = s->messages;
	f->pass = s->pass;
	f->spf_aligned = s->spf_aligned;
	f->dkim_aligned = s->dkim_aligned;
	f->overridden = s->overridden;
	f->authenticated = s->authenticated;
	own_passes(d, s, 0, &spf_ok, &dkim_ok);
	f->own_spf = spf_ok;
	f->own_dkim = dkim_ok;
	f->named = s->sender != NULL ? s->named : ADV_NAMED_NONE;
	f->esp = s->esp;
}

/* The sender's timeline, and each source's class in its light. */
static void
classify_sources(const struct advise_thresholds *t, struct adv_domain *d)
{
	size_t i;

	for (i = 0; i < d->nsnd; i++) {
		struct adv_sender *g = &d->snd[i];
		size_t k;

		advise_timeline(t, g->days, g->ndays, &g->tl);
		/* a sender aligned over the window has nothing to fix: a bad
		 * day of it is no "fix" afterwards */
		if (g->tl.trend != ADV_T_BROKEN && (double)g->pass >=
		    t->aligned * (double)g->messages)
			g->tl.trend = ADV_T_STEADY;
		for (k = 0; k < g->ndays; k++) {
			if (g->tl.trend == ADV_T_STEADY ||
			    g->days[k].day < g->tl.since) {
				g->failing_before += g->days[k].messages -
				    g->days[k].pass;
				continue;
			}
			g->messages_since += g->days[k].messages;
			g->pass_since += g->days[k].pass;
		}
	}
	for (i = 0; i < d->nsrc; i++) {
		struct adv_source *s = &d->src[i];
		const struct adv_sender *g = &d->snd[s->snd];
		struct advise_facts f;
		int by_reason;

		facts_of(d, s, &f);
		s->cls = advise_classify(t, &f);
		by_reason = s->overridden > (s->messages - s->pass) - s->overridden;
		if (by_reason || s->cls == ADV_ALIGNED || s->cls == ADV_UNKNOWN ||
		    s->cls == ADV_UNAUTH)
			continue;
		/* a change over time tells a fix or a break from a list,
		 * whose mail passes and fails all along */
		if (g->tl.trend == ADV_T_FIXED)
			s->cls = ADV_FIXED;
		else if (g->tl.trend == ADV_T_BROKEN) {
			if (s->cls == ADV_FORWARDED)
				s->cls = ADV_PARTIAL;
			s->regression = 1;
		}
	}
	/* the sender's class: fixed, else that of its source with the most
	 * failing messages (the most messages when none fails) */
	for (i = 0; i < d->nsnd; i++)
		d->snd[i].cls = ADV_NCLASS;
	for (i = 0; i < d->nsrc; i++) {
		const struct adv_source *s = &d->src[i];
		struct adv_sender *g = &d->snd[s->snd];

		if (g->cls == ADV_FIXED)
			continue;
		if (g->cls == ADV_NCLASS || s->cls == ADV_FIXED ||
		    weight(s) > weight(&d->src[g->top])) {
			g->cls = s->cls;
			g->top = i;
		}
	}
}

/* The failing messages of a day hit under scenario k. */
static int64_t
day_hit(const struct adv_domain *d, const struct advise_day *y, int k)
{
	int64_t fail = y->messages - y->pass;

	/* p is never none in a scenario */
	return fail - y->fail_sub + (d->scen[k].sp != ADV_NONE ? y->fail_sub : 0);
}

/* The hits of each source over the window, of its current state and since
 * the domain's latest change; the impacts; the class table. */
static void
count_hits(const struct advice *a, struct adv_domain *d)
{
	size_t i, k;
	int j;

	d->changed = utc_day(a->since);
	for (i = 0; i < d->nsnd; i++)
		if ((d->snd[i].tl.trend == ADV_T_FIXED ||
		    d->snd[i].tl.trend == ADV_T_BROKEN) &&
		    d->snd[i].tl.since > d->changed)
			d->changed = d->snd[i].tl.since;
	for (i = 0; i < d->nsrc; i++) {
		struct adv_source *s = &d->src[i];
		const struct adv_sender *g = &d->snd[s->snd];
		enum advise_bucket b = advise_bucket_of(s->cls);
		int64_t from = s->cls == ADV_FIXED ? g->tl.since : INT64_MIN;

		for (k = 0; k < s->ndays; k++) {
			const struct advise_day *y = &s->days[k];

			for (j = 0; j < 2; j++) {
				int64_t h = day_hit(d, y, j);

				s->hit[j] += h;
				if (y->day >= from)
					s->hit_now[j] += h;
				if (y->day >= d->changed)
					s->hit_cur[j] += h;
			}
			if (y->day >= from)
				s->blocked_now += y->blocked;
		}
		d->by_class[s->cls][0]++;
		d->by_class[s->cls][1] += s->messages;
		d->by_class[s->cls][2] += s->messages - s->pass;
		for (j = 0; j < 2; j++) {
			d->impact[j][b] += s->hit[j];
			d->impact_cur[j][b] += s->hit_cur[j];
		}
		if (b == ADV_B_LEGIT)
			d->legit_now += s->hit_now[d->step];
	}
}

/* Blockers: the partial and misaligned sources over max-source; when the
 * legitimate mail failing now is over max-legitimate, every partial or
 * misaligned source that adds to it, and when there is none, the aligned
 * (or fixed) sources that fail now and then.  Returns whether any source
 * was over max-source. */
static int
find_blockers(const struct advise_thresholds *t, struct adv_domain *d,
    int legit_over)
{
	double vol = (double)d->messages;
	size_t i;
	int any = 0, source_over;

	for (i = 0; i < d->nsrc; i++) {
		const struct adv_source *s = &d->src[i];

		if ((s->cls == ADV_PARTIAL || s->cls == ADV_MISALIGNED) &&
		    (double)s->hit_now[d->step] > t->max_source * vol)
			d->blk[d->nblk++] = i;
	}
	source_over = d->nblk > 0;
	if (legit_over) {
		d->nblk = 0;
		for (i = 0; i < d->nsrc; i++) {
			const struct adv_source *s = &d->src[i];

			if ((s->cls == ADV_PARTIAL || s->cls == ADV_MISALIGNED) &&
			    s->hit_now[d->step] > 0)
				d->blk[d->nblk++] = i, any = 1;
		}
		for (i = 0; i < d->nsrc && !any; i++)
			if ((d->src[i].cls == ADV_ALIGNED ||
			    d->src[i].cls == ADV_FIXED) &&
			    d->src[i].hit_now[d->step] > 0)
				d->blk[d->nblk++] = i;
	}
	sort_dom = d;
	sort_step = d->step;
	if (d->nblk > 1)	/* qsort wants a non-NULL base */
		qsort(d->blk, d->nblk, sizeof *d->blk, by_hit_now);
	return source_over;
}

int
advise_judge(struct advice *a, struct adv_domain *d)
{
	const struct advise_thresholds *t = &a->t;
	size_t i;
	int legit_over, source_over;

	current_policy(a, d);
	advise_raise(&d->now, ADV_QUARANTINE, &d->scen[0]);
	advise_raise(&d->now, ADV_REJECT, &d->scen[1]);
	d->step = d->now.p == ADV_NONE ? 0 : 1;
	d->next = d->scen[d->step];

	if (group_senders(d) != 0)
		return -1;
	classify_sources(t, d);
	count_hits(a, d);
	if ((d->blk = calloc(d->nsrc + 1, sizeof *d->blk)) == NULL ||
	    (d->blocked = calloc(d->nsrc + 1, sizeof *d->blocked)) == NULL)
		return -1;
	legit_over = (double)d->legit_now > t->max_legitimate *
	    (double)d->messages;
	source_over = find_blockers(t, d, legit_over);
	for (i = 0; i < d->nblk; i++)
		if (explain(t, d, &d->src[d->blk[i]]) != 0)
			return -1;

	/* the legitimate mail receivers quarantine or reject now */
	for (i = 0; i < d->nsrc; i++)
		if (advise_bucket_of(d->src[i].cls) == ADV_B_LEGIT &&
		    d->src[i].blocked_now > 0)
			d->blocked[d->nblocked++] = i;
	sort_dom = d;
	if (d->nblocked > 1)
		qsort(d->blocked, d->nblocked, sizeof *d->blocked, by_blocked);
	for (i = 0; i < d->nblocked; i++)
		if (d->src[d->blocked[i]].reason == NULL &&
		    explain(t, d, &d->src[d->blocked[i]]) != 0)
			return -1;

	if (d->now.p == ADV_REJECT) {
		d->verdict = ADV_V_AT_REJECT;
		d->next = d->now;
		d->nblk = 0;
	} else if (d->days < t->min_days || d->reporters < t->min_reporters ||
	    d->messages < t->min_messages)
		d->verdict = ADV_V_INSUFFICIENT;
	else if (legit_over || source_over)
		d->verdict = ADV_V_NOT_READY;
	else
		d->verdict = ADV_V_READY;
	if (advise_record(&d->next, a->has_lint ? &a->lint : NULL, d->record,
	    sizeof d->record) != 0)
		return -2;
	return 0;
}

static int
by_messages(const void *x, const void *y)
{
	const struct adv_source *a = &sort_dom->src[*(const size_t *)x];
	const struct adv_source *b = &sort_dom->src[*(const size_t *)y];

	if (a->messages != b->messages)
		return a->messages > b->messages ? -1 : 1;
	return strcmp(a->ip, b->ip);
}

size_t
advise_collect(const struct adv_domain *d, int cls, int bucket, int step,
    size_t *idx)
{
	size_t i, n = 0;

	for (i = 0; i < d->nsrc; i++) {
		const struct adv_source *s = &d->src[i];

		if (cls >= 0 && (int)s->cls != cls)
			continue;
		if (bucket >= 0 && ((int)advise_bucket_of(s->cls) != bucket ||
		    s->hit[step] == 0))
			continue;
		idx[n++] = i;
	}
	sort_dom = d;
	sort_step = step;
	if (n > 1)	/* qsort wants a non-NULL base */
		qsort(idx, n, sizeof *idx, bucket >= 0 ? by_hit : by_messages);
	return n;
}
