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

struct lint_result;

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

#endif
