/* SPDX-License-Identifier: MIT */
/*
 * advise_text.c: `dmarc-report advise` as text for a postmaster (see
 * advise_render.h): the verdict line, the window, the sources by class, the
 * impact, the blockers grouped by sender, why and fix, and the record to
 * publish; every line fits REPORT_WIDTH columns.
 */
#include "advise_render.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "report.h"
#include "table.h"

#define TEXT_BLOCKER_IPS 5	/* text: IPs listed per blocker group */
#define TEXT_LIST_IPS 3		/* text: IPs named per class or impact line */
#define TEXT_BLOCKER_GROUPS 4	/* text: blocker groups (same why and fix) shown */

/* ---- text ---- */

void
advise_wrap(FILE *f, const char *lead, const char *text, size_t indent)
{
	size_t col = strlen(lead);
	const char *p = text;

	fputs(lead, f);
	while (*p) {
		const char *sp = strchr(p, ' ');
		size_t w = sp ? (size_t)(sp - p) : strlen(p);

		if (p != text && col + 1 + w > REPORT_WIDTH) {
			fprintf(f, "\n%*s", (int)indent, "");
			col = indent;
		} else if (p != text) {
			fputc(' ', f);
			col++;
		}
		fwrite(p, 1, w, f);
		col += w;
		p += w;
		while (*p == ' ')
			p++;
	}
	fputc('\n', f);
}

/* "0.50%": a share of the volume with two decimals. */
static const char *
share_pct(int64_t part, int64_t whole, char *buf, size_t len)
{
	if (whole <= 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.2f%%", 100.0 * (double)part / (double)whole);
	return buf;
}

/* "ip (n), ip (n) +k" within `width` columns. */
static void
ip_list(char *buf, size_t len, size_t width, const struct adv_domain *d,
    const size_t *idx, size_t n, int step, int hits)
{
	size_t i, used = 0;
	char num[FMT_NUM], item[128], more[32];

	buf[0] = '\0';
	for (i = 0; i < n && i < TEXT_LIST_IPS; i++) {
		const struct adv_source *s = &d->src[idx[i]];

		snprintf(item, sizeof item, "%s%s (%s)", i ? ", " : "", s->ip,
		    fmt_int(hits ? s->hit[step] : s->messages, num, sizeof num));
		snprintf(more, sizeof more, " +%zu", n - i - 1);
		if (used + strlen(item) + (i + 1 < n ? strlen(more) : 0) > width)
			break;
		snprintf(buf + used, len - used, "%s", item);
		used = strlen(buf);
	}
	if (i < n)
		snprintf(buf + used, len - used, "%s+%zu", i ? " " : "", n - i);
}

static void
policy_text(const struct advise_policy *p, int has_pct, char *buf, size_t len)
{
	snprintf(buf, len, "p=%s sp=%s np=%s%s%s%s",
	    advise_policy_name(p->p), advise_policy_name(p->sp),
	    advise_policy_name(p->np), p->adkim_strict ? " adkim=s" : "",
	    p->aspf_strict ? " aspf=s" : "", p->testing ? " t=y" : "");
	if (has_pct && p->pct != 100) {
		size_t n = strlen(buf);
		snprintf(buf + n, len - n, " pct=%d", p->pct);
	}
}

void
advise_verdict_line(const struct advice *a, const struct adv_domain *d, char *line,
    size_t len)
{
	const struct advise_thresholds *t = &a->t;
	const char *to = advise_policy_name(d->next.p);
	char x[FMT_NUM], y[FMT_NUM];
	int64_t legit = d->legit_now;

	switch (d->verdict) {
	case ADV_V_AT_REJECT:
		snprintf(line, len, "%s: AT REJECT: p=reject is in force; "
		    "over the window it blocks %s messages, %s of them legitimate",
		    d->name, fmt_int(advise_impact_total(d->impact[1]), x, sizeof x),
		    fmt_int(d->impact[1][ADV_B_LEGIT], y, sizeof y));
		break;
	case ADV_V_INSUFFICIENT: {
		char need[256] = "";
		size_t n;

		if (d->days < t->min_days)
			snprintf(need, sizeof need, ", %" PRId64 " day%s covered "
			    "(want %" PRId64 ")", d->days, d->days == 1 ? "" : "s",
			    t->min_days);
		if (d->reporters < t->min_reporters) {
			n = strlen(need);
			snprintf(need + n, sizeof need - n, ", %" PRId64 " reporter%s "
			    "(want %" PRId64 ")", d->reporters,
			    d->reporters == 1 ? "" : "s", t->min_reporters);
		}
		if (d->messages < t->min_messages) {
			n = strlen(need);
			snprintf(need + n, sizeof need - n, ", %s messages (want %"
			    PRId64 ")", fmt_int(d->messages, x, sizeof x),
			    t->min_messages);
		}
		snprintf(line, len, "%s: INSUFFICIENT DATA to judge "
		    "p=%s: %s", d->name, to, need + 2);
		break;
	}
	case ADV_V_NOT_READY:
		snprintf(line, len, "%s: NOT READY for p=%s: %s legitimate "
		    "messages would fail (%s, limit %.2f%%)", d->name, to,
		    fmt_int(legit, x, sizeof x),
		    share_pct(legit, d->messages, y, sizeof y),
		    100 * t->max_legitimate);
		break;
	case ADV_V_READY:
		snprintf(line, len, "%s: READY for p=%s: %s legitimate "
		    "message%s would fail (%s, limit %.2f%%)", d->name,
		    to, fmt_int(legit, x, sizeof x), legit == 1 ? "" : "s",
		    share_pct(legit, d->messages, y, sizeof y),
		    100 * t->max_legitimate);
		break;
	}
}

static void
text_headline(FILE *f, const struct advice *a,
    const struct adv_domain *d)
{
		char x[FMT_NUM], y[FMT_NUM], z[FMT_NUM], w[FMT_NUM], line[512];

	advise_verdict_line(a, d, line, sizeof line);
	advise_wrap(f, "", line, 2);
	if (d->stale_days > 0)
		fprintf(f, "  No reports since %s (%" PRId64 " days): reports "
		    "stopped coming (a broken rua address?)\n",
		    fmt_day(d->newest_day * UTC_DAY_SECONDS, x, sizeof x),
		    d->stale_days);
	policy_text(&d->now, d->from_record || d->seen_has_pct, line,
	    sizeof line);
	fprintf(f, "  Published now: %s (%s)\n", line, d->from_record ?
	    "from --record" : "as the latest report saw it");
	snprintf(line, sizeof line, "Window %s to %s (UTC): %" PRId64 " day%s "
	    "covered, %" PRId64 " reporter%s, %s messages, %s pass",
	    fmt_day(a->since, x, sizeof x), fmt_day(a->until - UTC_DAY_SECONDS, y, sizeof y),
	    d->days, d->days == 1 ? "" : "s", d->reporters,
	    d->reporters == 1 ? "" : "s", fmt_int(d->messages, z, sizeof z),
	    fmt_pct(d->pass, d->messages, w, sizeof w));
	advise_wrap(f, "  ", line, 4);
}

static void
text_classes(FILE *f, const struct adv_domain *d, size_t *idx)
{
	struct table *tb;
	char a[FMT_NUM], list[256];
	int k;

	if ((tb = table_new()) == NULL)
		return;
	table_col(tb, "CLASS", TABLE_LEFT, 0);
	table_col(tb, "SOURCES", TABLE_RIGHT, 0);
	table_col(tb, "MESSAGES", TABLE_RIGHT, 0);
	table_col(tb, "FAILING", TABLE_RIGHT, 0);
	table_col(tb, "LARGEST (MESSAGES)", TABLE_LEFT, 1);
	for (k = 0; k < ADV_NCLASS; k++) {
		size_t n = advise_collect(d, k, -1, 0, idx);

		ip_list(list, sizeof list, 50, d, idx, n, 0, 0);
		table_row(tb);
		table_cell(tb, advise_class_name((enum advise_class)k));
		table_cell(tb, fmt_int(d->by_class[k][0], a, sizeof a));
		table_cell(tb, fmt_int(d->by_class[k][1], a, sizeof a));
		table_cell(tb, fmt_int(d->by_class[k][2], a, sizeof a));
		table_cell(tb, list);
	}
	table_print_text(tb, f, REPORT_WIDTH);
	table_free(tb);
}

static void
text_impact(FILE *f, const struct advice *ad, const struct adv_domain *d,
    size_t *idx)
{
	struct table *tb;
	char a[FMT_NUM], list[256], lead[64], day[FMT_NUM];
	int k, b, changed = d->changed > utc_day(ad->since);

	if ((tb = table_new()) == NULL)
		return;
	table_col(tb, "HAD THIS BEEN IN FORCE", TABLE_LEFT, 0);
	table_col(tb, "MESSAGES HIT", TABLE_RIGHT, 0);
	table_col(tb, "LEGITIMATE", TABLE_RIGHT, 0);
	table_col(tb, "FORWARDED", TABLE_RIGHT, 0);
	table_col(tb, "UNKNOWN", TABLE_RIGHT, 0);
	table_col(tb, "UNAUTHENTICATED", TABLE_RIGHT, 0);
	for (k = 0; k < 4; k++) {
		const int64_t *m = k < 2 ? d->impact[k] : d->impact_cur[k - 2];
		const struct advise_policy *p = &d->scen[k % 2];

		if (k >= 2 && !changed)
			break;
		table_row(tb);
		table_cellf(tb, "p=%s%s%s%s%s", advise_policy_name(p->p),
		    p->sp != p->p ? " sp=" : "", p->sp != p->p ?
		    advise_policy_name(p->sp) : "", k >= 2 ? ", since " : "",
		    k >= 2 ? fmt_day(d->changed * UTC_DAY_SECONDS, day, sizeof day) : "");
		table_cell(tb, fmt_int(advise_impact_total(m), a, sizeof a));
		for (b = 0; b < ADV_B_N; b++)
			table_cell(tb, fmt_int(m[b], a, sizeof a));
	}
	table_print_text(tb, f, REPORT_WIDTH);
	table_free(tb);
	/* the sources behind the next step's figures */
	k = d->verdict == ADV_V_AT_REJECT ? 1 : d->step;
	for (b = 0; b < ADV_B_N; b++) {
		size_t n = advise_collect(d, -1, b, k, idx);

		if (n == 0)
			continue;
		snprintf(lead, sizeof lead, "  %s under p=%s: ", advise_bucket_name((enum advise_bucket)b),
		    advise_policy_name(d->scen[k].p));
		ip_list(list, sizeof list, REPORT_WIDTH - strlen(lead), d, idx, n,
		    k, 1);
		fprintf(f, "%s%s\n", lead, list);
	}
}

/* Blockers shown together: same sender, class, why and fix. */
static int
same_group(const struct adv_source *a, const struct adv_source *b)
{
	if ((a->sender == NULL) != (b->sender == NULL) ||
	    (a->sender != NULL && strcmp(a->sender, b->sender) != 0))
		return 0;
	return a->cls == b->cls && strcmp(a->reason, b->reason) == 0 &&
	    strcmp(a->fix, b->fix) == 0;
}

static void
text_blockers(FILE *f, const struct adv_domain *d)
{
	char a[FMT_NUM], b[FMT_NUM], e[FMT_NUM], g[FMT_NUM], line[512];
	size_t i, j, shown, groups = 0;
	int64_t total = 0;
	char *done;

	if (d->nblk == 0)
		return;
	for (i = 0; i < d->nblk; i++)
		total += d->src[d->blk[i]].hit_now[d->step];
	snprintf(line, sizeof line, "%s before p=%s: %zu source%s, %s failing "
	    "messages, %s of the volume", d->verdict == ADV_V_NOT_READY ? "BLOCKERS"
	    : "Blockers found so far", advise_policy_name(d->next.p), d->nblk,
	    d->nblk == 1 ? "" : "s", fmt_int(total, a, sizeof a),
	    share_pct(total, d->messages, b, sizeof b));
	advise_wrap(f, "", line, 2);
	if ((done = calloc(d->nblk, 1)) == NULL)
		return;
	/* grouped by class, why and fix */
	for (i = 0; i < d->nblk; i++) {
		const struct adv_source *s = &d->src[d->blk[i]];
		size_t n = 0;
		int64_t sum = 0;

		if (done[i])
			continue;
		if (groups++ == TEXT_BLOCKER_GROUPS) {
			size_t rest = 0;
			for (j = i; j < d->nblk; j++)
				rest += !done[j];
			fprintf(f, "  * +%zu more source%s, each with its own why "
			    "(--format json lists every one)\n", rest,
			    rest == 1 ? "" : "s");
			break;
		}
		for (j = i; j < d->nblk; j++) {
			const struct adv_source *o = &d->src[d->blk[j]];
			if (!done[j] && same_group(o, s))
				n++, sum += o->hit_now[d->step];
		}
		snprintf(line, sizeof line, "%s%s%s%s, %zu source%s, %s failing "
		    "message%s (%s)", s->sender ? s->sender : "no sender name",
		    ": ", advise_class_name(s->cls), s->regression ?
		    ", a regression" : "", n, n == 1 ? "" : "s",
		    fmt_int(sum, a, sizeof a), sum == 1 ? "" : "s",
		    share_pct(sum, d->messages, b, sizeof b));
		advise_wrap(f, "  * ", line, 4);
		advise_wrap(f, "    why: ", s->reason, 9);
		advise_wrap(f, "    fix: ", s->fix, 9);
		fprintf(f, "    %-39s  %8s  %8s  %6s  %6s\n", "SOURCE IP", "MESSAGES",
		    "FAILING", "PASS", "SHARE");
		shown = 0;
		for (j = i; j < d->nblk; j++) {
			const struct adv_source *o = &d->src[d->blk[j]];
			if (done[j] || !same_group(o, s))
				continue;
			done[j] = 1;
			if (shown++ >= TEXT_BLOCKER_IPS)
				continue;
			fprintf(f, "    %-39s  %8s  %8s  %6s  %6s\n", o->ip,
			    fmt_int(o->messages, a, sizeof a),
			    fmt_int(o->hit_now[d->step], b, sizeof b),
			    fmt_pct(o->pass, o->messages, e, sizeof e),
			    share_pct(o->hit_now[d->step], d->messages, g, sizeof g));
		}
		if (shown > TEXT_BLOCKER_IPS)
			fprintf(f, "    +%zu more (--format json lists every one)\n",
			    shown - TEXT_BLOCKER_IPS);
	}
	free(done);
}

/* Senders whose state changed in the window: fixed, settling, broken. */
static void
text_changes(FILE *f, const struct adv_domain *d)
{
	char a[FMT_NUM], b[FMT_NUM], day[FMT_NUM], line[512];
	size_t i;
	int any = 0;

	for (i = 0; i < d->nsnd; i++) {
		const struct adv_sender *g = &d->snd[i];

		if (g->tl.trend == ADV_T_STEADY ||
		    advise_bucket_of(g->cls) != ADV_B_LEGIT)
			continue;
		if (!any++)
			fputs("\nCHANGES in the window (a day counts as aligned "
			    "from its DMARC pass share; days without mail\n"
			    "neither break nor extend a run):\n", f);
		fmt_day(g->tl.since * UTC_DAY_SECONDS, day, sizeof day);
		switch (g->tl.trend) {
		case ADV_T_FIXED:
			snprintf(line, sizeof line, "%s: fixed since %s, aligned %s "
			    "for %" PRId64 " days; %s failing messages before, no "
			    "longer counted. Nothing to do.", g->name, day,
			    fmt_pct(g->pass_since, g->messages_since, a, sizeof a),
			    g->tl.run_days, fmt_int(g->failing_before, b, sizeof b));
			break;
		case ADV_T_SETTLING:
			snprintf(line, sizeof line, "%s: aligned since %s, for %"
			    PRId64 " day%s: not settled yet (settled-days); its %s "
			    "earlier failing messages still count until then.",
			    g->name, day, g->tl.run_days, g->tl.run_days == 1 ? "" :
			    "s", fmt_int(g->failing_before, b, sizeof b));
			break;
		default:
			snprintf(line, sizeof line, "%s: broken since %s: aligned "
			    "before, %s failing messages since (a regression, see "
			    "the blockers).", g->name, day,
			    fmt_int(g->failing - g->failing_before, a, sizeof a));
			break;
		}
		advise_wrap(f, "  * ", line, 4);
	}
}

/* Legitimate mail that receivers quarantine or reject now. */
static void
text_blocked(FILE *f, const struct adv_domain *d)
{
	char a[FMT_NUM], line[512];
	size_t i;
	int64_t total = 0;

	if (d->nblocked == 0)
		return;
	for (i = 0; i < d->nblocked; i++)
		total += d->src[d->blocked[i]].blocked_now;
	fputc('\n', f);
	snprintf(line, sizeof line, "BLOCKED NOW under p=%s: %s legitimate "
	    "message%s quarantined or rejected by receivers",
	    advise_policy_name(d->now.p), fmt_int(total, a, sizeof a),
	    total == 1 ? "" : "s");
	advise_wrap(f, "", line, 2);
	for (i = 0; i < d->nblocked && i < TEXT_BLOCKER_IPS; i++) {
		const struct adv_source *s = &d->src[d->blocked[i]];

		snprintf(line, sizeof line, "%s%s%s: %s message%s", s->sender ?
		    s->sender : "", s->sender ? ", " : "", s->ip,
		    fmt_int(s->blocked_now, a, sizeof a),
		    s->blocked_now == 1 ? "" : "s");
		advise_wrap(f, "  * ", line, 4);
		advise_wrap(f, "    why: ", s->reason, 9);
		advise_wrap(f, "    fix: ", s->fix, 9);
	}
	if (d->nblocked > TEXT_BLOCKER_IPS)
		fprintf(f, "  * +%zu more (--format json lists every one)\n",
		    d->nblocked - TEXT_BLOCKER_IPS);
}

/* The sources that never block: unknown ones to review, forwarders. */
static void
text_review(FILE *f, const struct adv_domain *d, size_t *idx)
{
	char a[FMT_NUM], list[256], line[768];
	size_t n;

	n = advise_collect(d, ADV_UNKNOWN, -1, 0, idx);
	if (n > 0) {
		ip_list(list, sizeof list, 60, d, idx, n, 0, 0);
		snprintf(line, sizeof line, "FOR REVIEW: %zu unknown source%s, %s "
		    "messages, authenticate only for domains unrelated to %s"
		    "%s%s%s: no evidence they send for you, so never a blocker; "
		    "spam passing SPF for its own domain looks like this. If one "
		    "is yours, name it in your senders file (--senders).", n,
		    n == 1 ? "" : "s", fmt_int(d->by_class[ADV_UNKNOWN][1], a,
		    sizeof a), d->name, d->src[idx[0]].sender ? " (such as " : "",
		    d->src[idx[0]].sender ? d->src[idx[0]].sender : "",
		    d->src[idx[0]].sender ? ")" : "");
		fputc('\n', f);
		advise_wrap(f, "", line, 2);
		advise_wrap(f, "  ", list, 2);
	}
	n = advise_collect(d, ADV_FORWARDED, -1, 0, idx);
	if (n > 0) {
		ip_list(list, sizeof list, 60, d, idx, n, 0, 0);
		snprintf(line, sizeof line, "Forwarded: %zu source%s, %s failing "
		    "messages: mailing lists and forwarders relaying your own "
		    "signed mail (an override reason, or aligned DKIM on part of "
		    "it while your SPF never covers them). Never a blocker: "
		    "the list breaks your DKIM (subject tag, footer) and SPF "
		    "cannot pass after the hop; ARC at the list and From "
		    "rewriting keep its mail delivered.", n, n == 1 ? "" : "s",
		    fmt_int(d->by_class[ADV_FORWARDED][2], a, sizeof a));
		fputc('\n', f);
		advise_wrap(f, "", line, 2);
		advise_wrap(f, "  ", list, 2);
	}
}

static void
text_next(FILE *f, const struct advice *a,
    const struct adv_domain *d)
{
		char sub[512], ramp[512], line[256];
	size_t i;

	advise_words(d, sub, sizeof sub, ramp, sizeof ramp);
	switch (d->verdict) {
	case ADV_V_AT_REJECT:
		snprintf(line, sizeof line, "Next step: none, p=reject is the "
		    "strictest policy. Your record, as advise would write it:");
		break;
	case ADV_V_READY:
		snprintf(line, sizeof line, "Next step: p=%s. Publish at _dmarc.%s:",
		    advise_policy_name(d->next.p), d->name);
		break;
	default:
		snprintf(line, sizeof line, "Next step: p=%s, once the %s. Then "
		    "publish at _dmarc.%s:", advise_policy_name(d->next.p),
		    d->verdict == ADV_V_NOT_READY ? "blockers are fixed" :
		    "reports cover enough", d->name);
		break;
	}
	advise_wrap(f, "", line, 2);
	fprintf(f, "  %s\n", d->record);
	if (strstr(d->record, ADVISE_RUA_PLACEHOLDER) != NULL)
		advise_wrap(f, "  ", "REPLACE-WITH-YOUR-RUA-ADDRESS: reports do not carry "
		    "your rua address; copy it from your current record (or give "
		    "it with --record).", 4);
	advise_wrap(f, "  ", sub, 4);
	if (ramp[0])
		advise_wrap(f, "  ", ramp, 4);
	if (a->has_lint && (a->lint.nerrors || a->lint.nwarnings)) {
		fputs("  Your current record (--record):\n", f);
		for (i = 0; i < a->lint.nerrors; i++)
			advise_wrap(f, "    error: ", a->lint.errors[i], 11);
		for (i = 0; i < a->lint.nwarnings; i++)
			advise_wrap(f, "    warning: ", a->lint.warnings[i], 13);
	}
}

void
advise_print_text(FILE *f, const struct advice *a)
{
	char x[FMT_NUM], y[FMT_NUM];
	size_t i, *idx;
	size_t max = 0;

	if (a->n == 0) {
		fprintf(f, "No reports in the window %s to %s (UTC).\n",
		    fmt_day(a->since, x, sizeof x),
		    fmt_day(a->until - UTC_DAY_SECONDS, y, sizeof y));
		return;
	}
	for (i = 0; i < a->n; i++)
		if (a->d[i].nsrc > max)
			max = a->d[i].nsrc;
	if ((idx = calloc(max + 1, sizeof *idx)) == NULL)
		return;
	for (i = 0; i < a->n; i++) {
		const struct adv_domain *d = &a->d[i];

		if (i)
			fputc('\n', f);
		text_headline(f, a, d);
		fputc('\n', f);
		text_classes(f, d, idx);
		fputc('\n', f);
		text_impact(f, a, d, idx);
		text_changes(f, d);
		text_blocked(f, d);
		if (d->nblk) {
			fputc('\n', f);
			text_blockers(f, d);
		}
		text_review(f, d, idx);
		fputc('\n', f);
		text_next(f, a, d);
	}
	free(idx);
}
