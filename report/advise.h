/* SPDX-License-Identifier: MIT */
/*
 * advise.h: the judgement behind `dmarc-report advise`, as pure functions
 * over plain numbers and strings (no SQL, no output): the thresholds and
 * their --threshold syntax, the class of a source IP, the policy a step up
 * leads to and the TXT record that publishes it.  Owns nothing; the caller
 * owns every buffer.
 */
#ifndef DM_ADVISE_H
#define DM_ADVISE_H

#include <stddef.h>
#include <stdint.h>

#include "lint.h"

/*
 * The thresholds, with their defaults (--threshold NAME=VALUE; fractions
 * also as "N%"):
 *   aligned=0.98        a source is aligned when DMARC passes for this share
 *   partial=0.02        a source that passes sometimes is partial when more
 *                       than this share fails (else it counts as aligned)
 *   min-days=14         fewer distinct UTC days covered: insufficient data
 *   min-reporters=2     fewer reporting organisations: insufficient data
 *   min-messages=100    fewer messages in the window: insufficient data
 *   max-legitimate=0.005  not ready when the legitimate mail the next policy
 *                       would hit exceeds this share of the volume
 *   max-source=0.001    not ready when one partial or misaligned source's
 *                       hit mail exceeds this share of the volume
 */
struct advise_thresholds {
	double aligned, partial, max_legitimate, max_source;
	int64_t min_days, min_reporters, min_messages;
};

void advise_thresholds_default(struct advise_thresholds *t);
/* Applies one "NAME=VALUE"; -1 with a message in err for an unknown name
 * or a bad value. */
int advise_threshold_set(struct advise_thresholds *t, const char *spec,
    char *err, size_t errlen);

enum advise_class {
	ADV_ALIGNED, ADV_FORWARDED, ADV_PARTIAL, ADV_MISALIGNED, ADV_UNAUTH,
	ADV_NCLASS
};

const char *advise_class_name(enum advise_class k);

/*
 * The class of a source from its messages in the window, first match wins:
 * aligned (pass >= aligned share), forwarded (more than half of the failing
 * messages carry an override reason or an arc=pass comment: `overridden`),
 * partial (passes sometimes, fails for more than the partial share; a
 * source that passes sometimes and fails less counts as aligned),
 * misaligned (never passes, but more than half of its failing messages
 * authenticated with SPF or DKIM for some domain: `authenticated`; a
 * sender that authenticates now and then, each time for another made-up
 * domain, is a spoofer), else unauthenticated.
 */
enum advise_class advise_classify(const struct advise_thresholds *t,
    int64_t messages, int64_t pass, int64_t overridden,
    int64_t authenticated);

enum advise_policy_value { ADV_NONE, ADV_QUARANTINE, ADV_REJECT };

/* "none", "quarantine", "reject" */
const char *advise_policy_name(enum advise_policy_value v);
/* The value of a p/sp/np text (case-insensitive); -1 when not one. */
int advise_policy_parse(const char *s);

/* A published policy as far as advise needs it. */
struct advise_policy {
	enum advise_policy_value p, sp, np;
	int pct;		/* 0..100; 100 when not published */
	int testing;		/* t=y */
	int adkim_strict, aspf_strict;
};

/*
 * The policy with p raised to `to`: sp follows p when it equalled the
 * current p (reports fill a missing sp with p, so they cannot tell an
 * sp=none written on purpose from none written at all), else it is kept;
 * np likewise follows the new sp when it equalled the current sp.  pct,
 * t and the alignment modes are kept.
 */
void advise_raise(const struct advise_policy *cur,
    enum advise_policy_value to, struct advise_policy *next);

/*
 * The TXT value of `next`: v, p, sp and np when they differ from p,
 * adkim/aspf when strict, pct when under 100, t=y, then rua, and from the
 * published record `pub` (may be NULL) its other tags in its order (fo only
 * with ruf); without a rua in `pub` the placeholder ADVISE_RUA_PLACEHOLDER.
 * Returns 0, or -1 when buf is too small.
 */
#define ADVISE_RUA_PLACEHOLDER "mailto:REPLACE-WITH-YOUR-RUA-ADDRESS"
int advise_record(const struct advise_policy *next,
    const struct lint_result *pub, char *buf, size_t len);

/* ---- the model the judge works on (filled by advise_query.c) ---- */

enum advise_verdict { ADV_V_AT_REJECT, ADV_V_INSUFFICIENT, ADV_V_NOT_READY,
	ADV_V_READY };
/* "at-reject", "insufficient-data", "not-ready", "ready" */
const char *advise_verdict_name(enum advise_verdict v);

/* The impact buckets, in JSON order. */
enum advise_bucket { ADV_B_LEGIT, ADV_B_FORWARDED, ADV_B_UNAUTH, ADV_B_N };
/* "legitimate", "forwarded", "unauthenticated" */
const char *advise_bucket_name(enum advise_bucket b);

/* One raw SPF or DKIM result seen in a source's failing rows. */
struct adv_result {
	int dkim;		/* 0: SPF, 1: DKIM */
	char *res, *dom;
	int64_t messages;
};

/* A source IP of one policy domain over the window. */
struct adv_source {
	char *ip;
	int64_t messages, pass, overridden, authenticated, fail_sub;
	struct adv_result *res;
	size_t nres, capres;
	/* names, set before rendering */
	char ptr[256];		/* reverse DNS, or "" */
	const char *sender;	/* the sender's name, or NULL */
	/* the judgement */
	enum advise_class cls;
	int64_t hit[2];		/* failing messages hit: quarantine, reject */
	char *reason, *fix;	/* blockers only */
};

/* A header From domain below the policy domain. */
struct adv_sub {
	char *name;
	int64_t messages, fail;
};

struct adv_domain {
	char *name;
	int64_t messages, pass, reporters, days, cover_end, last_begin;
	/* the latest report's policy */
	struct advise_policy seen;
	int has_seen, seen_has_pct;
	struct adv_source *src;
	size_t nsrc, capsrc;
	struct adv_sub *sub;
	size_t nsub, capsub;
	/* the judgement */
	struct advise_policy now, scen[2], next;
	int from_record;
	enum advise_verdict verdict;
	int step;			/* scenario of the next step: 0 or 1 */
	int64_t impact[2][ADV_B_N];
	int64_t by_class[ADV_NCLASS][3];	/* sources, messages, failing */
	size_t *blk;			/* blockers: indexes into src */
	size_t nblk;
	char record[1024];
};

/* Every domain of one advise run, in name order. */
struct advice {
	struct adv_domain *d;
	size_t n, cap;
	struct advise_thresholds t;
	struct lint_result lint;	/* --record, linted, when has_lint */
	int has_lint;
	int64_t since, until;		/* the window: [since, until) epoch */
};

void advice_free(struct advice *a);

/*
 * Judges one domain: the published policy (lint's when it names a valid p,
 * else the latest report's), the classes, impacts, blockers with their why
 * and fix, the verdict and the next record.  0, -1 out of memory, -2 the
 * record does not fit.
 */
int advise_judge(struct advice *a, struct adv_domain *d);

/* The sources of class `cls` (or -1: any) and of impact bucket `bucket`
 * (or -1: any; then only those hit under scenario `step`), into idx:
 * bucket selections most hits first, others most messages first. */
size_t advise_collect(const struct adv_domain *d, int cls, int bucket,
    int step, size_t *idx);
/* The impact bucket of a class. */
enum advise_bucket advise_bucket_of(enum advise_class k);

/* The advice in words on subdomains and on the ramp (pct, t=y); ramp may
 * come back empty. */
void advise_words(const struct adv_domain *d, char *sub, size_t sublen,
    char *ramp, size_t ramplen);

#endif
