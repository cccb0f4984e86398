/* SPDX-License-Identifier: MIT */
/* advise.c: thresholds, source classes, timelines and the next record (see
 * advise.h). */
#include "advise.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lint.h"

void
advise_thresholds_default(struct advise_thresholds *t)
{
	t->aligned = 0.98;
	t->partial = 0.02;
	t->max_legitimate = 0.005;
	t->max_source = 0.001;
	t->min_days = 14;
	t->min_reporters = 2;
	t->min_messages = 100;
	t->settled_days = 7;
}

static const char threshold_names[] = "aligned, partial, min-days, "
    "min-reporters, min-messages, max-legitimate, max-source, settled-days";

/* A fraction 0..1, written "0.98" or "98%". */
static int
parse_fraction(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno != 0 || !isfinite(v))
		return -1;
	if (*end == '%') {
		v /= 100;
		end++;
	}
	if (*end != '\0' || v < 0 || v > 1)
		return -1;
	*out = v;
	return 0;
}

static int
parse_count(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0)
		return -1;
	*out = (int64_t)v;
	return 0;
}

int
advise_threshold_set(struct advise_thresholds *t, const char *spec,
    char *err, size_t errlen)
{
	const char *eq = strchr(spec, '=');
	const char *v;
	size_t n;
	static const struct {
		const char *name;
		size_t off;
		int count;
	} names[] = {
		{ "aligned", offsetof(struct advise_thresholds, aligned), 0 },
		{ "partial", offsetof(struct advise_thresholds, partial), 0 },
		{ "max-legitimate", offsetof(struct advise_thresholds, max_legitimate), 0 },
		{ "max-source", offsetof(struct advise_thresholds, max_source), 0 },
		{ "min-days", offsetof(struct advise_thresholds, min_days), 1 },
		{ "min-reporters", offsetof(struct advise_thresholds, min_reporters), 1 },
		{ "min-messages", offsetof(struct advise_thresholds, min_messages), 1 },
		{ "settled-days", offsetof(struct advise_thresholds, settled_days), 1 },
	};
	size_t i;

	if (eq == NULL) {
		snprintf(err, errlen, "--threshold wants NAME=VALUE, got '%s' "
		    "(names: %s)", spec, threshold_names);
		return -1;
	}
	n = (size_t)(eq - spec);
	v = eq + 1;
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		char *field = (char *)t + names[i].off;

		if (strlen(names[i].name) != n ||
		    strncmp(names[i].name, spec, n) != 0)
			continue;
		if (names[i].count) {
			int64_t x;
			if (parse_count(v, &x) != 0) {
				snprintf(err, errlen, "--threshold %.*s wants a "
				    "whole number, got '%s'", (int)n, spec, v);
				return -1;
			}
			memcpy(field, &x, sizeof x);
		} else {
			double x;
			if (parse_fraction(v, &x) != 0) {
				snprintf(err, errlen, "--threshold %.*s wants a "
				    "fraction from 0 to 1 (or N%%), got '%s'",
				    (int)n, spec, v);
				return -1;
			}
			memcpy(field, &x, sizeof x);
		}
		return 0;
	}
	snprintf(err, errlen, "unknown threshold '%.*s' (names: %s)", (int)n,
	    spec, threshold_names);
	return -1;
}

const char *
advise_class_name(enum advise_class k)
{
	static const char *const names[ADV_NCLASS] = {
		"aligned", "fixed", "forwarded", "partial", "misaligned",
		"unknown", "unauthenticated",
	};

	return (unsigned)k < ADV_NCLASS ? names[k] : "?";
}

enum advise_class
advise_classify(const struct advise_thresholds *t,
    const struct advise_facts *f)
{
	int64_t fail = f->messages - f->pass;
	int evidence = f->named == ADV_NAMED_USER ||
	    f->named == ADV_NAMED_PTR || f->named == ADV_NAMED_SERVICE ||
	    f->own_dkim > 0 || f->own_spf > 0;

	if (f->messages <= 0 ||
	    (double)f->pass >= t->aligned * (double)f->messages)
		return ADV_ALIGNED;
	if (f->overridden > fail - f->overridden)
		return ADV_FORWARDED;
	if (f->dkim_aligned > 0 && f->spf_aligned == 0 && f->own_spf == 0 &&
	    !f->esp && f->named != ADV_NAMED_USER)
		return ADV_FORWARDED;
	if (f->pass > 0)
		return (double)fail > t->partial * (double)f->messages ?
		    ADV_PARTIAL : ADV_ALIGNED;
	if (f->authenticated > fail - f->authenticated)
		return evidence ? ADV_MISALIGNED : ADV_UNKNOWN;
	return f->named == ADV_NAMED_USER ? ADV_MISALIGNED : ADV_UNAUTH;
}

static int
day_aligned(const struct advise_thresholds *t, const struct advise_day *d)
{
	return d->messages > 0 &&
	    (double)d->pass >= t->aligned * (double)d->messages;
}

void
advise_timeline(const struct advise_thresholds *t,
    const struct advise_day *days, size_t n, struct advise_timeline *out)
{
	size_t k = n, j, i;

	out->trend = ADV_T_STEADY;
	out->since = n ? days[0].day : 0;
	out->run_days = n ? days[n - 1].day - days[0].day + 1 : 0;
	if (n == 0)
		return;
	while (k > 0 && day_aligned(t, &days[k - 1]))
		k--;
	if (k < n) {
		/* it ends aligned: since when, after a failing day? */
		if (k == 0)
			return;
		out->since = days[k].day;
		out->run_days = days[n - 1].day - days[k].day + 1;
		out->trend = out->run_days >= t->settled_days ? ADV_T_FIXED :
		    ADV_T_SETTLING;
		return;
	}
	/* it ends failing: after an aligned run that had settled? */
	for (j = n; j > 0 && !day_aligned(t, &days[j - 1]); j--)
		;
	if (j == 0)
		return;
	for (i = j; i > 0 && day_aligned(t, &days[i - 1]); i--)
		;
	if (days[j - 1].day - days[i].day + 1 < t->settled_days)
		return;
	out->trend = ADV_T_BROKEN;
	out->since = days[j].day;
	out->run_days = days[n - 1].day - days[j].day + 1;
}

const char *
advise_trend_name(enum advise_trend k)
{
	static const char *const names[] = {
		"steady", "settling", "fixed", "broken",
	};

	return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

const char *
advise_policy_name(enum advise_policy_value v)
{
	switch (v) {
	case ADV_QUARANTINE: return "quarantine";
	case ADV_REJECT: return "reject";
	default: return "none";
	}
}

int
advise_policy_parse(const char *s)
{
	if (s == NULL)
		return -1;
	if (strcasecmp(s, "none") == 0)
		return ADV_NONE;
	if (strcasecmp(s, "quarantine") == 0)
		return ADV_QUARANTINE;
	if (strcasecmp(s, "reject") == 0)
		return ADV_REJECT;
	return -1;
}

void
advise_raise(const struct advise_policy *cur, enum advise_policy_value to,
    struct advise_policy *next)
{
	*next = *cur;
	next->p = to;
	next->sp = cur->sp == cur->p ? to : cur->sp;
	next->np = cur->np == cur->sp ? next->sp : cur->np;
}

/* Appends "; name=value" (or the first "name=value"); -1 when full. */
static int
add_tag(char *buf, size_t len, const char *name, const char *value)
{
	size_t n = strlen(buf);
	int w = snprintf(buf + n, len - n, "%s%s=%s", n ? "; " : "", name,
	    value);

	return w < 0 || (size_t)w >= len - n ? -1 : 0;
}

int
advise_record(const struct advise_policy *next, const struct lint_result *pub,
    char *buf, size_t len)
{
	static const char *const own[] = {
		"v", "p", "sp", "np", "adkim", "aspf", "pct", "t", "rua", "fo",
	};
	const char *rua = pub != NULL ? lint_tag(pub, "rua") : NULL;
	char pct[16];
	size_t i, k;
	int rc = 0;

	if (len == 0)
		return -1;
	buf[0] = '\0';
	rc |= add_tag(buf, len, "v", "DMARC1");
	rc |= add_tag(buf, len, "p", advise_policy_name(next->p));
	if (next->sp != next->p)
		rc |= add_tag(buf, len, "sp", advise_policy_name(next->sp));
	if (next->np != next->p)
		rc |= add_tag(buf, len, "np", advise_policy_name(next->np));
	if (next->adkim_strict)
		rc |= add_tag(buf, len, "adkim", "s");
	if (next->aspf_strict)
		rc |= add_tag(buf, len, "aspf", "s");
	if (next->pct >= 0 && next->pct < 100) {
		snprintf(pct, sizeof pct, "%d", next->pct);
		rc |= add_tag(buf, len, "pct", pct);
	}
	if (next->testing)
		rc |= add_tag(buf, len, "t", "y");
	rc |= add_tag(buf, len, "rua", rua != NULL && *rua != '\0' ? rua :
	    ADVISE_RUA_PLACEHOLDER);
	if (pub != NULL) {
		const char *ruf = lint_tag(pub, "ruf");

		for (i = 0; i < pub->ntags; i++) {
			const struct lint_tag *tg = &pub->tags[i];

			for (k = 0; k < sizeof own / sizeof own[0]; k++)
				if (strcmp(tg->name, own[k]) == 0)
					break;
			if (k < sizeof own / sizeof own[0] &&
			    !(strcmp(tg->name, "fo") == 0 && ruf != NULL))
				continue;
			rc |= add_tag(buf, len, tg->name,
			    tg->value != NULL ? tg->value : "");
		}
	}
	return rc ? -1 : 0;
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
