/* SPDX-License-Identifier: MIT */
/* test_advise.c: thresholds, source classes, raising the policy, the record. */
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
	CHECK(advise_threshold_set(&t, "bogus=1", err, sizeof err) == -1);
	CHECK(strstr(err, "unknown threshold 'bogus'") != NULL);
	CHECK(advise_threshold_set(&t, "aligned=1.5", err, sizeof err) == -1);
	CHECK(advise_threshold_set(&t, "min-days=-1", err, sizeof err) == -1);
	CHECK(advise_threshold_set(&t, "min-days=x", err, sizeof err) == -1);
	CHECK(advise_threshold_set(&t, "aligned", err, sizeof err) == -1);
	CHECK(advise_threshold_set(&t, "alignedx=1", err, sizeof err) == -1);
}

static void
test_classify(void)
{
	struct advise_thresholds t;

	advise_thresholds_default(&t);
	/* messages, pass, overridden, authenticated (failing counts) */
	CHECK_INT(advise_classify(&t, 100, 98, 0, 0), ADV_ALIGNED);
	CHECK_INT(advise_classify(&t, 100, 50, 30, 0), ADV_FORWARDED);	/* 30 of 50 */
	CHECK_INT(advise_classify(&t, 100, 50, 25, 50), ADV_PARTIAL);	/* half: not most */
	CHECK_INT(advise_classify(&t, 100, 0, 0, 100), ADV_MISALIGNED);
	CHECK_INT(advise_classify(&t, 100, 0, 0, 50), ADV_UNAUTH);	/* half: not most */
	CHECK_INT(advise_classify(&t, 100, 0, 0, 0), ADV_UNAUTH);
	t.partial = 0.05;	/* passes 97%, fails 3% <= 5%: aligned */
	CHECK_INT(advise_classify(&t, 100, 97, 0, 0), ADV_ALIGNED);
	CHECK_INT(advise_classify(&t, 0, 0, 0, 0), ADV_ALIGNED);
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

int
main(void)
{
	test_thresholds();
	test_classify();
	test_raise_and_record();
	CHECK_DONE();
}
