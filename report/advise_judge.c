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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
		"legitimate", "forwarded", "unauthenticated",
	};

	return (unsigned)b < ADV_B_N ? names[b] : "?";
}

enum advise_bucket
advise_bucket_of(enum advise_class k)
{
	return k == ADV_FORWARDED ? ADV_B_FORWARDED :
	    k == ADV_UNAUTH ? ADV_B_UNAUTH : ADV_B_LEGIT;
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
		}
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

		if (r->dkim != dkim || (pass && strcmp(r->res, "pass") != 0))
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

		if (strcmp(r->res, "pass") != 0 || !r->dom[0])
			continue;
		org_domain(r->dom, od, sizeof od);
		org_domain(d->name, pd, sizeof pd);
		n = strlen(why);
		snprintf(why + n, len - n, " (%s%s is not under %s)",
		    r->dkim ? "d=" : "", od, pd);
		return;
	}
}

/* The why and the fix of a blocker, in a postmaster's words. */
static int
explain(const struct adv_domain *d, struct adv_source *s)
{
	char why[1024], fix[512], spf[384], dkim[384];
	const char *r1, *r2;
	size_t nspf, ndkim;

	if (s->cls == ADV_MISALIGNED) {
		nspf = result_names(s, 0, 1, spf, sizeof spf, &r1);
		ndkim = result_names(s, 1, 1, dkim, sizeof dkim, &r2);
		if (nspf && ndkim)
			snprintf(why, sizeof why, "SPF pass for %s, DKIM pass for "
			    "%s: neither aligned with %s", spf, dkim, d->name);
		else if (nspf)
			snprintf(why, sizeof why, "SPF pass for %s, no DKIM pass: "
			    "not aligned with %s", spf, d->name);
		else
			snprintf(why, sizeof why, "DKIM pass for %s, no SPF pass: "
			    "not aligned with %s", dkim, d->name);
		not_under(d, s, why, sizeof why);
		snprintf(fix, sizeof fix, "sign with DKIM d=%s at this sender, "
		    "or use a return-path under %s", d->name, d->name);
	} else {
		size_t i;
		int spf_ok = 0, dkim_ok = 0;

		/* partial, or an aligned source that fails now and then */
		nspf = result_names(s, 0, 0, spf, sizeof spf, &r1);
		ndkim = result_names(s, 1, 0, dkim, sizeof dkim, &r2);
		snprintf(why, sizeof why, "DMARC passes for some of its mail but "
		    "not all; the failing rows show SPF %s; DKIM %s",
		    nspf ? spf : "none", ndkim ? dkim : "none (unsigned)");
		for (i = 0; i < s->nres; i++) {
			const struct adv_result *r = &s->res[i];
			if (strcmp(r->res, "pass") == 0 && related(r->dom, d->name)) {
				if (r->dkim)
					dkim_ok = 1;
				else
					spf_ok = 1;
			}
		}
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
	if ((s->reason = strdup(why)) == NULL || (s->fix = strdup(fix)) == NULL)
		return -1;
	return 0;
}

static const struct adv_domain *sort_dom;
static int sort_step;

/* Blockers: most messages hit first, then by IP. */
static int
by_hit(const void *x, const void *y)
{
	const struct adv_source *a = &sort_dom->src[*(const size_t *)x];
	const struct adv_source *b = &sort_dom->src[*(const size_t *)y];

	if (a->hit[sort_step] != b->hit[sort_step])
		return a->hit[sort_step] > b->hit[sort_step] ? -1 : 1;
	return strcmp(a->ip, b->ip);
}

int
advise_judge(struct advice *a, struct adv_domain *d)
{
	const struct advise_thresholds *t = &a->t;
	double vol = (double)d->messages;
	size_t i;
	int k, legit_over, source_over = 0;

	current_policy(a, d);
	advise_raise(&d->now, ADV_QUARANTINE, &d->scen[0]);
	advise_raise(&d->now, ADV_REJECT, &d->scen[1]);
	d->step = d->now.p == ADV_NONE ? 0 : 1;
	d->next = d->scen[d->step];

	for (i = 0; i < d->nsrc; i++) {
		struct adv_source *s = &d->src[i];
		int64_t fail = s->messages - s->pass;
		enum advise_bucket b;

		s->cls = advise_classify(t, s->messages, s->pass, s->overridden,
		    s->authenticated);
		b = advise_bucket_of(s->cls);
		d->by_class[s->cls][0]++;
		d->by_class[s->cls][1] += s->messages;
		d->by_class[s->cls][2] += fail;
		for (k = 0; k < 2; k++) {
			/* p is never none in a scenario */
			s->hit[k] = fail - s->fail_sub +
			    (d->scen[k].sp != ADV_NONE ? s->fail_sub : 0);
			d->impact[k][b] += s->hit[k];
		}
	}

	/* the blockers: partial and misaligned sources over max-source */
	if ((d->blk = calloc(d->nsrc + 1, sizeof *d->blk)) == NULL)
		return -1;
	for (i = 0; i < d->nsrc; i++) {
		const struct adv_source *s = &d->src[i];

		if ((s->cls == ADV_PARTIAL || s->cls == ADV_MISALIGNED) &&
		    (double)s->hit[d->step] > t->max_source * vol)
			d->blk[d->nblk++] = i;
	}
	source_over = d->nblk > 0;
	legit_over = (double)d->impact[d->step][ADV_B_LEGIT] > t->max_legitimate * vol;
	if (legit_over) {
		/* too much legitimate mail fails: every partial or misaligned
		 * source that adds to it blocks, and when there is none, the
		 * aligned sources that fail now and then */
		int any = 0;

		d->nblk = 0;
		for (i = 0; i < d->nsrc; i++) {
			const struct adv_source *s = &d->src[i];
			if ((s->cls == ADV_PARTIAL || s->cls == ADV_MISALIGNED) &&
			    s->hit[d->step] > 0)
				d->blk[d->nblk++] = i, any = 1;
		}
		for (i = 0; i < d->nsrc && !any; i++)
			if (d->src[i].cls == ADV_ALIGNED && d->src[i].hit[d->step] > 0)
				d->blk[d->nblk++] = i;
	}
	sort_dom = d;
	sort_step = d->step;
	if (d->nblk > 1)	/* qsort wants a non-NULL base */
		qsort(d->blk, d->nblk, sizeof *d->blk, by_hit);
	for (i = 0; i < d->nblk; i++)
		if (explain(d, &d->src[d->blk[i]]) != 0)
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

/* The subdomains named in words: "news.example.com, shop.example.com +2". */
static void
subdomain_names(const struct adv_domain *d, char *buf, size_t len)
{
	size_t i, used;

	buf[0] = '\0';
	for (i = 0; i < d->nsub && i < 2; i++) {
		used = strlen(buf);
		snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
		    d->sub[i].name);
	}
	if (d->nsub > 2) {
		used = strlen(buf);
		snprintf(buf + used, len - used, " +%zu", d->nsub - 2);
	}
}

void
advise_words(const struct adv_domain *d, char *sub, size_t sublen,
    char *ramp, size_t ramplen)
{
	const struct advise_policy *n = &d->next;
	const char *np = advise_policy_name(n->p);
	char names[256];

	subdomain_names(d, names, sizeof names);
	if (n->sp == n->p && n->np == n->p && d->now.sp != n->sp &&
	    d->verdict != ADV_V_AT_REJECT)
		snprintf(sub, sublen, "No sp or np: subdomains%s%s%s get p=%s too. "
		    "Today's sp=%s followed p; to keep subdomains at %s instead, "
		    "add sp=%s (they stay unprotected).", d->nsub ? " (" : "",
		    names, d->nsub ? ")" : "", np, advise_policy_name(d->now.sp),
		    advise_policy_name(d->now.sp), advise_policy_name(d->now.sp));
	else if (n->sp == n->p && n->np == n->p)
		snprintf(sub, sublen, "No sp or np: subdomains%s%s%s get p=%s too.",
		    d->nsub ? " (" : "", names, d->nsub ? ")" : "", np);
	else
		snprintf(sub, sublen, "sp=%s%s%s: subdomains%s%s%s get %s instead "
		    "of p=%s (np: subdomains that do not exist in DNS; reports "
		    "cannot tell them apart, advise treats every subdomain by sp).",
		    advise_policy_name(n->sp),
		    n->np != n->p ? " np=" : "", n->np != n->p ?
		    advise_policy_name(n->np) : "", d->nsub ? " (" : "", names,
		    d->nsub ? ")" : "", advise_policy_name(n->sp), np);
	ramp[0] = '\0';
	if (d->verdict == ADV_V_AT_REJECT) {
		if (n->pct < 100 || n->testing)
			snprintf(ramp, ramplen, "To finish the ramp, remove %s%s%s: "
			    "then reject applies to all failing mail.",
			    n->pct < 100 ? "pct" : "", n->pct < 100 && n->testing ?
			    " and " : "", n->testing ? "t=y" : "");
		return;
	}
	if (n->testing)
		snprintf(ramp, ramplen, "The record keeps t=y (testing): receivers "
		    "following RFC 9989 apply one step less (quarantine as none, "
		    "reject as quarantine). Keep it a week or two while the reports "
		    "stay clean, then remove t=y.");
	else if (n->pct < 100)
		snprintf(ramp, ramplen, "The record keeps pct=%d: RFC 7489 receivers "
		    "apply p=%s to %d%% of failing mail (RFC 9989 receivers ignore "
		    "pct). Raise pct step by step (25, 50, 100) a week or two apart "
		    "while the reports stay clean, then remove it.", n->pct, np,
		    n->pct);
	else if (d->verdict == ADV_V_READY)
		snprintf(ramp, ramplen, "To go gently, publish it first with t=y "
		    "(RFC 9989 receivers then apply one step less) or pct=25 (RFC "
		    "7489 receivers), watch the reports for a week or two, then "
		    "publish it as shown.");
}
