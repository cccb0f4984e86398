/* SPDX-License-Identifier: MIT */
/* test_advise.c: thresholds, source classes, timelines, raising the policy,
 * the record. */
#include <stdlib.h>
#include <string.h>

#include "advise.h"
#include "check.h"

static void
test_thresholds(void)
{
	struct advise_thresholds t;
	char err[256];

	advise_thresholds_default(&t);
	CHECK(t.aligned == 0.98 && t.partial == 0.02 && t.min_days == 14 &&
	    t.min_reporters == 2 && t.min_messages == 100 &&
	    t.max_legitimate == 0.005 && t.max_source == 0.001);
	CHECK(advise_threshold_set(&t, "aligned=0.9", err, sizeof err) == 0);
	CHECK(t.aligned == 0.9);
	CHECK(advise_threshold_set(&t, "max-source=1%", err, sizeof err) == 0);
	CHECK(t.max_source == 0.01);
	CHECK(advise_threshold_set(&t, "min-days=7", err, sizeof err) == 0);
	CHECK_INT(t.min_days, 7);
	CHECK(advise_threshold_set(&t, "settled-days=10", err, sizeof err) == 0);
	CHECK_INT(t.settled_days, 10);
	CHECK(advise_threshold_set(&t, "settled-days=1.5", err, sizeof err) == -1);
	CHECK(advise_threshold_set(&t, "bogus=1", err, sizeof err) == -1);
	CHECK(strstr(err, "unknown threshold 'bogus'") != NULL);
	CHECK(advise_threshold_set(&t, "aligned=1.5", err, sizeof err) == -1);
	CHECK(advise_threshold_set(&t, "min-days=-1", err, sizeof err) == -1);
	CHECK(advise_threshold_set(&t, "min-days=x", err, sizeof err) == -1);
	CHECK(advise_threshold_set(&t, "aligned", err, sizeof err) == -1);
	CHECK(advise_threshold_set(&t, "alignedx=1", err, sizeof err) == -1);
}

/* messages, pass, overridden, authenticated; nothing else known */
static enum advise_class
cls4(const struct advise_thresholds *t, int64_t m, int64_t p, int64_t o,
    int64_t a)
{
	struct advise_facts f;

	memset(&f, 0, sizeof f);
	f.messages = m;
	f.pass = f.spf_aligned = p;	/* passes through SPF: not a list */
	f.own_spf = p;
	f.overridden = o;
	f.authenticated = a;
	return advise_classify(t, &f);
}

static void
test_classify(void)
{
	struct advise_thresholds t;
	struct advise_facts f;

	advise_thresholds_default(&t);
	CHECK_INT(cls4(&t, 100, 98, 0, 0), ADV_ALIGNED);
	CHECK_INT(cls4(&t, 100, 50, 30, 0), ADV_FORWARDED);	/* 30 of 50 */
	CHECK_INT(cls4(&t, 100, 50, 25, 50), ADV_PARTIAL);	/* half: not most */
	CHECK_INT(cls4(&t, 100, 0, 0, 50), ADV_UNAUTH);	/* half: not most */
	CHECK_INT(cls4(&t, 100, 0, 0, 0), ADV_UNAUTH);
	t.partial = 0.05;	/* passes 97%, fails 3% <= 5%: aligned */
	CHECK_INT(cls4(&t, 100, 97, 0, 0), ADV_ALIGNED);
	CHECK_INT(cls4(&t, 0, 0, 0, 0), ADV_ALIGNED);
	advise_thresholds_default(&t);

	/* never aligned, authenticated: legitimate only with evidence */
	memset(&f, 0, sizeof f);
	f.messages = f.authenticated = 100;
	f.named = ADV_NAMED_AUTH_DOMAIN;	/* spam passing SPF for its own */
	CHECK_INT(advise_classify(&t, &f), ADV_UNKNOWN);
	f.named = ADV_NAMED_NONE;
	CHECK_INT(advise_classify(&t, &f), ADV_UNKNOWN);
	f.named = ADV_NAMED_SERVICE;		/* mailjet.com */
	CHECK_INT(advise_classify(&t, &f), ADV_MISALIGNED);
	f.named = ADV_NAMED_PTR;
	CHECK_INT(advise_classify(&t, &f), ADV_MISALIGNED);
	f.named = ADV_NAMED_USER;
	CHECK_INT(advise_classify(&t, &f), ADV_MISALIGNED);
	f.named = ADV_NAMED_NONE;
	f.own_dkim = 5;		/* a DKIM pass of the domain's organization */
	CHECK_INT(advise_classify(&t, &f), ADV_MISALIGNED);
	f.own_dkim = 0;
	f.own_spf = 5;		/* an SPF pass for the domain */
	CHECK_INT(advise_classify(&t, &f), ADV_MISALIGNED);
	/* authenticated for nothing: a spoofer, unless the user named it */
	f.own_spf = 0;
	f.authenticated = 0;
	CHECK_INT(advise_classify(&t, &f), ADV_UNAUTH);
	f.named = ADV_NAMED_USER;
	CHECK_INT(advise_classify(&t, &f), ADV_MISALIGNED);

	/* a list without override reasons: no SPF for the domain at all,
	 * aligned DKIM on part of its mail */
	memset(&f, 0, sizeof f);
	f.messages = 100;
	f.pass = f.dkim_aligned = 40;
	f.own_dkim = 40;
	f.authenticated = 60;
	CHECK_INT(advise_classify(&t, &f), ADV_FORWARDED);
	f.esp = 1;			/* an ESP signing part of it: partial */
	CHECK_INT(advise_classify(&t, &f), ADV_PARTIAL);
	f.esp = 0;
	f.named = ADV_NAMED_USER;	/* the user's own server */
	CHECK_INT(advise_classify(&t, &f), ADV_PARTIAL);
	f.named = ADV_NAMED_NONE;
	f.own_spf = 1;			/* SPF passes for the domain: its own */
	CHECK_INT(advise_classify(&t, &f), ADV_PARTIAL);
}

/* A daily series from a string: one character per calendar day from day
 * 100: 'A' aligned (100 of 100), 'F' failing (0 of 100), 'p' 95 of 100
 * (below aligned=0.98), '.' no mail. */
static size_t
series(const char *s, struct advise_day *out)
{
	size_t n = 0;
	int64_t day;

	for (day = 100; *s; s++, day++) {
		if (*s == '.')
			continue;
		memset(&out[n], 0, sizeof out[n]);
		out[n].day = day;
		out[n].messages = 100;
		out[n].pass = *s == 'A' ? 100 : *s == 'p' ? 95 : 0;
		n++;
	}
	return n;
}

static void
test_timeline(void)
{
	struct advise_thresholds t;
	struct advise_timeline tl;
	struct advise_day d[64];
	size_t n;

	advise_thresholds_default(&t);
	CHECK_INT(t.settled_days, 7);
	n = series("AAAAAAAAAA", d);
	advise_timeline(&t, d, n, &tl);
	CHECK_INT(tl.trend, ADV_T_STEADY);
	n = series("FFFFFFFFFF", d);
	advise_timeline(&t, d, n, &tl);
	CHECK_INT(tl.trend, ADV_T_STEADY);
	/* failing, then aligned from day 104 to 110: 7 days, fixed */
	n = series("FFFFAAAAAAA", d);
	advise_timeline(&t, d, n, &tl);
	CHECK_INT(tl.trend, ADV_T_FIXED);
	CHECK_INT(tl.since, 104);
	CHECK_INT(tl.run_days, 7);
	/* 6 days: settling */
	n = series("FFFFAAAAAA", d);
	advise_timeline(&t, d, n, &tl);
	CHECK_INT(tl.trend, ADV_T_SETTLING);
	CHECK_INT(tl.since, 104);
	CHECK_INT(tl.run_days, 6);
	/* days without mail neither break nor extend: 104..110 with gaps is
	 * 7 calendar days; a weekly newsletter settles after a week */
	n = series("FF.FA..A..A", d);
	advise_timeline(&t, d, n, &tl);
	CHECK_INT(tl.trend, ADV_T_FIXED);	/* 104..110: 7 calendar days */
	CHECK_INT(tl.since, 104);
	CHECK_INT(tl.run_days, 7);
	n = series("F......A......A", d);
	advise_timeline(&t, d, n, &tl);
	CHECK_INT(tl.trend, ADV_T_FIXED);	/* 107..114: 8 days */
	CHECK_INT(tl.since, 107);
	CHECK_INT(tl.run_days, 8);
	/* a day below the aligned share breaks the run */
	n = series("FAAAApAAAAAAA", d);
	advise_timeline(&t, d, n, &tl);
	CHECK_INT(tl.trend, ADV_T_FIXED);
	CHECK_INT(tl.since, 106);
	/* aligned for 7 days, then failing since day 107: broken */
	n = series("AAAAAAAFF", d);
	advise_timeline(&t, d, n, &tl);
	CHECK_INT(tl.trend, ADV_T_BROKEN);
	CHECK_INT(tl.since, 107);
	CHECK_INT(tl.run_days, 2);
	/* aligned for 6 days only: not settled before, so no regression */
	n = series("FAAAAAAFF", d);
	advise_timeline(&t, d, n, &tl);
	CHECK_INT(tl.trend, ADV_T_STEADY);
	/* settled-days=1: a single aligned day is enough */
	t.settled_days = 1;
	n = series("FFA", d);
	advise_timeline(&t, d, n, &tl);
	CHECK_INT(tl.trend, ADV_T_FIXED);
	CHECK_INT(tl.since, 102);
	advise_timeline(&t, d, 0, &tl);
	CHECK_INT(tl.trend, ADV_T_STEADY);
}

static void
test_raise_and_record(void)
{
	struct advise_policy cur = { ADV_NONE, ADV_NONE, ADV_NONE, 100, 0, 0, 0 };
	struct advise_policy next;
	char buf[512];

	advise_raise(&cur, ADV_QUARANTINE, &next);
	CHECK_INT(next.sp, ADV_QUARANTINE);
	CHECK_INT(next.np, ADV_QUARANTINE);
	CHECK(advise_record(&next, NULL, buf, sizeof buf) == 0);
	CHECK_STR(buf, "v=DMARC1; p=quarantine; rua=" ADVISE_RUA_PLACEHOLDER);

	cur.p = ADV_QUARANTINE;		/* sp=none on purpose: kept */
	cur.adkim_strict = 1;
	cur.pct = 50;
	cur.testing = 1;
	advise_raise(&cur, ADV_REJECT, &next);
	CHECK(advise_record(&next, NULL, buf, sizeof buf) == 0);
	CHECK_STR(buf, "v=DMARC1; p=reject; sp=none; np=none; adkim=s; pct=50; "
	    "t=y; rua=" ADVISE_RUA_PLACEHOLDER);

	cur.sp = ADV_REJECT;		/* np followed sp=none before: not now */
	cur.np = ADV_NONE;
	advise_raise(&cur, ADV_REJECT, &next);
	CHECK_INT(next.sp, ADV_REJECT);
	CHECK_INT(next.np, ADV_NONE);
	CHECK(advise_record(&next, NULL, buf, 10) == -1);
}

/* A source for the judge: `pattern` as in series(), `per` messages a day,
 * from day 100; passes through aligned DKIM; failing rows DKIM-pass `dom`. */
static void
add_source(struct adv_domain *d, const char *ip, const char *sender,
    enum advise_named named, int esp, const char *pattern, int64_t per,
    const char *dom)
{
	struct adv_source *s = &d->src[d->nsrc++];
	size_t k;

	memset(s, 0, sizeof *s);
	s->ip = strdup(ip);
	s->sender = sender ? strdup(sender) : NULL;
	s->named = named;
	s->esp = esp;
	s->days = calloc(strlen(pattern) + 1, sizeof *s->days);
	s->ndays = series(pattern, s->days);
	for (k = 0; k < s->ndays; k++) {
		s->days[k].messages = per;
		s->days[k].pass = s->days[k].pass ? per : 0;
		s->messages += per;
		s->pass += s->days[k].pass;
	}
	s->dkim_aligned = s->pass;
	s->authenticated = s->messages - s->pass;
	s->res = calloc(2, sizeof *s->res);
	s->nres = 1;
	s->res[0].dkim = 1;
	s->res[0].failing = 1;
	s->res[0].res = strdup("pass");
	s->res[0].dom = strdup(dom);
	s->res[0].messages = s->authenticated;
	d->messages += s->messages;
	d->pass += s->pass;
}

/* An own server always aligned (12 days of 100) and Mailjet failing for 5
 * days, then aligned for 7 (20 a day): fixed since day 105, ready; with
 * settled-days=8 it is settling, and its 100 failing messages block. */
static void
test_judge(void)
{
	struct advice a;
	struct adv_domain *d;
	int settled;

	for (settled = 7; settled <= 8; settled++) {
		memset(&a, 0, sizeof a);
		advise_thresholds_default(&a.t);
		a.t.settled_days = settled;
		a.since = 100 * 86400;
		a.until = 112 * 86400;
		a.d = calloc(1, sizeof *a.d);
		a.n = a.cap = 1;
		d = &a.d[0];
		d->name = strdup("example.dk");
		d->days = 14;
		d->reporters = 2;
		d->src = calloc(2, sizeof *d->src);
		d->capsrc = 2;
		d->seen.pct = 100;
		d->has_seen = 1;
		add_source(d, "192.0.2.1", NULL, ADV_NAMED_NONE, 0,
		    "AAAAAAAAAAAA", 100, "example.dk");
		add_source(d, "87.253.232.10", "Mailjet (ESP)", ADV_NAMED_SERVICE,
		    1, "FFFFFAAAAAAA", 20, "mailjet.com");
		CHECK_INT(advise_judge(&a, d), 0);
		CHECK_INT(d->nsnd, 2);
		CHECK_INT(d->messages, 1440);
		CHECK_INT(d->impact[0][ADV_B_LEGIT], 100);	/* over the window */
		if (settled == 7) {
			CHECK_INT(d->src[1].cls, ADV_FIXED);
			CHECK_INT(d->snd[d->src[1].snd].tl.trend, ADV_T_FIXED);
			CHECK_INT(d->snd[d->src[1].snd].tl.since, 105);
			CHECK_INT(d->snd[d->src[1].snd].failing_before, 100);
			CHECK_INT(d->snd[d->src[1].snd].messages_since, 140);
			CHECK_INT(d->legit_now, 0);
			CHECK_INT(d->changed, 105);
			CHECK_INT(d->impact_cur[0][ADV_B_LEGIT], 0);
			CHECK_INT(d->verdict, ADV_V_READY);
			CHECK_INT(d->nblk, 0);
		} else {
			CHECK_INT(d->src[1].cls, ADV_PARTIAL);	/* an ESP: not a list */
			CHECK_INT(d->snd[d->src[1].snd].tl.trend, ADV_T_SETTLING);
			CHECK_INT(d->legit_now, 100);	/* 6.9% > 0.5% */
			CHECK_INT(d->verdict, ADV_V_NOT_READY);
			CHECK_INT(d->nblk, 1);
			CHECK(d->src[1].fix != NULL &&
			    strstr(d->src[1].fix, "nothing more") != NULL);
		}
		advice_free(&a);
	}
}

int
main(void)
{
	test_thresholds();
	test_classify();
	test_timeline();
	test_judge();
	test_raise_and_record();
	CHECK_DONE();
}
