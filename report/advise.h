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
 *   aligned=0.98        a source is aligned when DMARC passes for this share;
 *                       a UTC day of a sender is aligned likewise
 *   partial=0.02        a source that passes sometimes is partial when more
 *                       than this share fails (else it counts as aligned)
 *   min-days=14         fewer distinct UTC days covered: insufficient data
 *   min-reporters=2     fewer reporting organisations: insufficient data
 *   min-messages=100    fewer messages in the window: insufficient data
 *   max-legitimate=0.005  not ready when the legitimate mail the next policy
 *                       would hit exceeds this share of the volume
 *   max-source=0.001    not ready when one partial or misaligned source's
 *                       hit mail exceeds this share of the volume
 *   settled-days=7      a sender that failed, then has been aligned for this
 *                       many calendar days (from the first aligned day of
 *                       the run to its last day with mail) is fixed: its
 *                       earlier failures no longer count
 */
struct advise_thresholds {
	double aligned, partial, max_legitimate, max_source;
	int64_t min_days, min_reporters, min_messages, settled_days;
};

void advise_thresholds_default(struct advise_thresholds *t);
/* Applies one "NAME=VALUE"; -1 with a message in err for an unknown name
 * or a bad value. */
int advise_threshold_set(struct advise_thresholds *t, const char *spec,
    char *err, size_t errlen);

/* The class of a source; the order is the order of the text table. */
enum advise_class {
	ADV_ALIGNED,		/* passes */
	ADV_FIXED,		/* of a sender fixed since a day: see advise_trend */
	ADV_FORWARDED,		/* a forwarder or mailing list */
	ADV_PARTIAL,		/* legitimate, passes sometimes */
	ADV_MISALIGNED,		/* legitimate, authenticates but never aligned */
	ADV_UNKNOWN,		/* authenticates only for an unrelated domain */
	ADV_UNAUTH,		/* authenticates for nothing: spoofers */
	ADV_NCLASS
};

const char *advise_class_name(enum advise_class k);

/* How a sender was named (senders.h's enum sender_evidence, as the judge
 * needs it): only the first three are evidence that it sends for the
 * domain. */
enum advise_named { ADV_NAMED_NONE, ADV_NAMED_USER, ADV_NAMED_PTR,
	ADV_NAMED_SERVICE, ADV_NAMED_AUTH_DOMAIN };

/* What the reports say of one source over the window (counts are
 * messages). */
struct advise_facts {
	int64_t messages, pass;
	int64_t spf_aligned, dkim_aligned;	/* policy_evaluated passes */
	int64_t overridden;	/* failing, with an override reason or arc=pass */
	int64_t authenticated;	/* failing, with an SPF or DKIM pass for any domain */
	int64_t own_spf, own_dkim;	/* an SPF / DKIM pass for the policy
					 * domain's organizational domain */
	enum advise_named named;
	int esp;		/* its sender is a service sending on your behalf */
};

/*
 * The class of a source, first match wins:
 *   aligned     passes >= the aligned share (or no messages);
 *   forwarded   more than half of its failing messages carry an override
 *               reason or arc=pass; or it never passes SPF for the domain
 *               (aligned or not) yet passes aligned DKIM on part of its
 *               mail: the domain's own signed mail relayed by a list or a
 *               forwarder, also without a reason (Microsoft gives none).
 *               Not for an ESP or a sender named in the user's file: their
 *               part-time DKIM is a setup to finish;
 *   partial     passes sometimes, fails for more than the partial share (a
 *               source that fails less counts as aligned);
 *   misaligned  never passes, most failing messages authenticate for some
 *               domain, and there is evidence that it sends for the domain:
 *               a sender named by the user's file, the PTR table or a known
 *               service domain, or a DKIM or SPF pass for the domain's
 *               organization on some of its mail; also a source named in the
 *               user's file that authenticates for nothing;
 *   unknown     the same without evidence: it authenticates only for an
 *               unrelated domain (spam passing SPF for its own domain);
 *   unauthenticated  the rest.
 */
enum advise_class advise_classify(const struct advise_thresholds *t,
    const struct advise_facts *f);

/* A sender's (or a source's) messages on one UTC day. */
struct advise_day {
	int64_t day;		/* days since 1970-01-01 (utc_day) */
	int64_t messages, pass;
	int64_t fail_sub;	/* failing, header From below the policy domain */
	int64_t blocked;	/* failing, disposition quarantine or reject */
};

enum advise_trend {
	ADV_T_STEADY,		/* no change of state in the window */
	ADV_T_SETTLING,		/* failed, aligned since `since`, not yet settled */
	ADV_T_FIXED,		/* failed, aligned since `since` for settled-days */
	ADV_T_BROKEN		/* aligned for settled-days, failing since `since` */
};

struct advise_timeline {
	enum advise_trend trend;
	int64_t since;		/* UTC day the current run began (not STEADY) */
	int64_t run_days;	/* calendar days from since to the last day with mail */
};

/*
 * The state over time of a daily series (ascending days, each with mail):
 * a day is aligned when its pass share >= the aligned threshold.  Days
 * without mail neither break nor extend a run; a run's length is counted
 * in calendar days from its first day to its last day with mail.  The
 * trailing run of aligned days after a failing day is FIXED when it spans
 * settled-days, else SETTLING; a trailing run of failing days after an
 * aligned run that spans settled-days is BROKEN; anything else STEADY.
 */
void advise_timeline(const struct advise_thresholds *t,
    const struct advise_day *days, size_t n, struct advise_timeline *out);

/* "steady", "settling", "fixed", "broken" */
const char *advise_trend_name(enum advise_trend k);

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
enum advise_bucket { ADV_B_LEGIT, ADV_B_FORWARDED, ADV_B_UNKNOWN,
	ADV_B_UNAUTH, ADV_B_N };
/* "legitimate", "forwarded", "unknown", "unauthenticated" */
const char *advise_bucket_name(enum advise_bucket b);

/* The sum of an impact row's buckets. */
int64_t advise_impact_total(const int64_t *m);

/* One raw SPF or DKIM result seen in a source's rows, grouped. */
struct adv_result {
	int dkim;		/* 0: SPF, 1: DKIM */
	int failing;		/* on rows that fail DMARC */
	char *res, *dom;
	int64_t messages;
};

/* A DKIM selector seen on a source's mail (senders command only). */
struct adv_selector {
	char *dom, *sel;	/* d= lowercase; the selector as reported ("" none) */
	int64_t first, last;	/* UTC days */
	int64_t messages, pass;	/* pass: its DKIM result was pass */
};

/* A source IP of one policy domain over the window. */
struct adv_source {
	char *ip;
	int64_t messages, pass, overridden, authenticated, fail_sub;
	int64_t spf_aligned, dkim_aligned, blocked;
	struct adv_result *res;	/* most messages first within a kind */
	size_t nres, capres;
	struct advise_day *days;	/* ascending */
	size_t ndays, capdays;
	struct adv_selector *sels;	/* when advice.want_selectors */
	size_t nsels, capsels;
	/* names, set before the judge (advise_load.c) */
	char ptr[256];		/* reverse DNS, or "" */
	char *sender;		/* the sender's name, or NULL: its IP */
	enum advise_named named;
	int esp;
	/* the judgement */
	enum advise_class cls;
	size_t snd;		/* its sender: index into the domain's senders */
	int64_t hit[2];		/* failing messages hit over the window:
				 * quarantine, reject */
	int64_t hit_now[2];	/* the same, of its current state (a fixed
				 * sender: since the fix) */
	int64_t hit_cur[2];	/* the same, since the domain's latest change */
	int64_t blocked_now;	/* quarantined or rejected, current state */
	int regression;		/* its sender is broken since tl.since */
	char *reason, *fix;	/* blockers and blocked legitimate sources */
};

/* A sender: the sources that one name covers (an unnamed source is its
 * own sender, named by its IP). */
struct adv_sender {
	const char *name;	/* a source's sender or IP */
	enum advise_named named;
	int esp;
	enum advise_class cls;	/* fixed, or that of its source `top`: the
				 * one with the most failing mail */
	size_t top;
	int64_t messages, pass, failing;
	struct advise_day *days;	/* the sum of its sources', ascending */
	size_t ndays;
	struct advise_timeline tl;
	int64_t messages_since, pass_since;	/* days >= tl.since */
	int64_t failing_before;		/* failing on days < tl.since */
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
	/* stale data (stale.h), set by the advise command when its window
	 * ends today (has_newest): the UTC day of the newest report, and the
	 * days since it when more than STALE_DAYS, else 0 */
	int has_newest;
	int64_t newest_day, stale_days;
	struct adv_source *src;
	size_t nsrc, capsrc;
	struct adv_sub *sub;
	size_t nsub, capsub;
	/* the judgement */
	struct adv_sender *snd;
	size_t nsnd;
	struct advise_policy now, scen[2], next;
	int from_record;
	enum advise_verdict verdict;
	int step;			/* scenario of the next step: 0 or 1 */
	int64_t impact[2][ADV_B_N];	/* over the window */
	int64_t changed;		/* UTC day of the latest fix or break,
					 * else the window's first day */
	int64_t impact_cur[2][ADV_B_N];	/* over the days since `changed` */
	int64_t legit_now;		/* legitimate failing mail of the
					 * current state, next step */
	int64_t by_class[ADV_NCLASS][3];	/* sources, messages, failing */
	size_t *blk;			/* blockers: indexes into src */
	size_t nblk;
	size_t *blocked;		/* legitimate sources quarantined or
					 * rejected now, most first */
	size_t nblocked;
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
	int want_selectors;		/* load the DKIM selectors too */
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
