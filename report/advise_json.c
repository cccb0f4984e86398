/* SPDX-License-Identifier: MIT */
/*
 * advise_json.c: `dmarc-report advise --format json` (see advise_render.h):
 * one array, an object per domain; the keys are documented in
 * dmarc-report(1).
 */
#include "advise_render.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "json_out.h"

static const char *
share_frac(int64_t part, int64_t whole, char *buf, size_t len)
{
	if (whole <= 0)
		snprintf(buf, len, "null");
	else
		snprintf(buf, len, "%.4f", (double)part / (double)whole);
	return buf;
}

/* ---- JSON ---- */

static void
json_sources(FILE *f, const struct adv_domain *d, const size_t *idx, size_t n,
    int step, int hits)
{
	size_t i;

	fputc('[', f);
	for (i = 0; i < n; i++) {
		const struct adv_source *s = &d->src[idx[i]];

		fputs(i ? ", {\"source_ip\": " : "{\"source_ip\": ", f);
		json_string(f, s->ip);
		if (hits)
			fprintf(f, ", \"class\": \"%s\", \"messages\": %" PRId64 "}",
			    advise_class_name(s->cls), s->hit[step]);
		else
			fprintf(f, ", \"messages\": %" PRId64 ", \"dmarc_pass\": %"
			    PRId64 ", \"failing\": %" PRId64 "}", s->messages,
			    s->pass, s->messages - s->pass);
	}
	fputc(']', f);
}

static void
json_strings(FILE *f, char *const *v, size_t n)
{
	size_t i;

	fputc('[', f);
	for (i = 0; i < n; i++) {
		if (i)
			fputs(", ", f);
		json_string(f, v[i]);
	}
	fputc(']', f);
}

static void
json_day(FILE *f, int64_t day)
{
	char x[FMT_NUM];

	fprintf(f, "\"%s\"", fmt_day(day * UTC_DAY_SECONDS, x, sizeof x));
}

static void
json_blockers(FILE *f, const struct adv_domain *d)
{
	char x[FMT_NUM];
	size_t j;

	fputs(",\n   \"blockers\": [", f);
	for (j = 0; j < d->nblk; j++) {
		const struct adv_source *s = &d->src[d->blk[j]];

		fputs(j ? ",\n     {\"source_ip\": " : "\n     {\"source_ip\": ", f);
		json_string(f, s->ip);
		fprintf(f, ", \"messages\": %" PRId64 ", \"share\": %s, "
		    "\"class\": \"%s\", \"regression\": %s, \"since\": ",
		    s->hit_now[d->step], share_frac(s->hit_now[d->step],
		    d->messages, x, sizeof x), advise_class_name(s->cls),
		    s->regression ? "true" : "false");
		if (s->regression)
			json_day(f, d->snd[s->snd].tl.since);
		else
			fputs("null", f);
		fputs(", \"reason\": ", f);
		json_string(f, s->reason);
		fputs(", \"fix\": ", f);
		json_string(f, s->fix);
		fputs(", \"ptr\": ", f);
		json_string(f, s->ptr[0] ? s->ptr : NULL);
		fputs(", \"sender\": ", f);
		json_string(f, s->sender);
		fprintf(f, ", \"source_messages\": %" PRId64 ", \"dmarc_pass\": %"
		    PRId64 "}", s->messages, s->pass);
	}
	fputc(']', f);
}

/* The impact over the window, with the sources, and since the change. */
static void
json_impact(FILE *f, const struct adv_domain *d, size_t *idx)
{
	size_t n;
	int k, b;

	fputs(",\n   \"impact\": {", f);
	for (k = 0; k < 2; k++) {
		const int64_t *m = d->impact[k];

		fprintf(f, "%s\"%s\": {\"messages\": %" PRId64, k ? ",\n    " :
		    "", advise_policy_name(d->scen[k].p), advise_impact_total(m));
		for (b = 0; b < ADV_B_N; b++)
			fprintf(f, ", \"%s\": %" PRId64,
			    advise_bucket_name((enum advise_bucket)b), m[b]);
		fprintf(f, ", \"sp\": \"%s\", \"sources\": {",
		    advise_policy_name(d->scen[k].sp));
		for (b = 0; b < ADV_B_N; b++) {
			n = advise_collect(d, -1, b, k, idx);
			fprintf(f, "%s\"%s\": ", b ? ", " : "",
			    advise_bucket_name((enum advise_bucket)b));
			json_sources(f, d, idx, n, k, 1);
		}
		fputs("}}", f);
	}
	fputs("},\n   \"impact_current\": {\"since\": ", f);
	json_day(f, d->changed);
	for (k = 0; k < 2; k++) {
		const int64_t *m = d->impact_cur[k];

		fprintf(f, ", \"%s\": {\"messages\": %" PRId64,
		    advise_policy_name(d->scen[k].p), advise_impact_total(m));
		for (b = 0; b < ADV_B_N; b++)
			fprintf(f, ", \"%s\": %" PRId64,
			    advise_bucket_name((enum advise_bucket)b), m[b]);
		fputc('}', f);
	}
	fputc('}', f);
}

/* Senders fixed, settling or broken in the window. */
static void
json_changes(FILE *f, const struct advice *a, const struct adv_domain *d)
{
	size_t i;
	int n;
	enum advise_trend tr[3] = { ADV_T_FIXED, ADV_T_SETTLING, ADV_T_BROKEN };
	const char *key[3] = { "fixed", "settling", "broken" };
	int k;

	(void)a;
	for (k = 0; k < 3; k++) {
		fprintf(f, ",\n   \"%s\": [", key[k]);
		for (i = 0, n = 0; i < d->nsnd; i++) {
			const struct adv_sender *g = &d->snd[i];

			if (g->tl.trend != tr[k] ||
			    advise_bucket_of(g->cls) != ADV_B_LEGIT)
				continue;
			fputs(n++ ? ", {\"sender\": " : "{\"sender\": ", f);
			json_string(f, g->name);
			fputs(", \"since\": ", f);
			json_day(f, g->tl.since);
			fprintf(f, ", \"days\": %" PRId64 ", \"messages_since\": %"
			    PRId64 ", \"dmarc_pass_since\": %" PRId64
			    ", \"failing_before\": %" PRId64 "}", g->tl.run_days,
			    g->messages_since, g->pass_since, g->failing_before);
		}
		fputc(']', f);
	}
}

static void
json_blocked(FILE *f, const struct adv_domain *d)
{
	size_t i;

	fputs(",\n   \"blocked_legitimate\": [", f);
	for (i = 0; i < d->nblocked; i++) {
		const struct adv_source *s = &d->src[d->blocked[i]];

		fputs(i ? ",\n     {\"source_ip\": " : "\n     {\"source_ip\": ", f);
		json_string(f, s->ip);
		fputs(", \"sender\": ", f);
		json_string(f, s->sender);
		fprintf(f, ", \"messages\": %" PRId64 ", \"class\": \"%s\", "
		    "\"reason\": ", s->blocked_now, advise_class_name(s->cls));
		json_string(f, s->reason);
		fputs(", \"fix\": ", f);
		json_string(f, s->fix);
		fputc('}', f);
	}
	fputc(']', f);
}

/* Every sender: its class, state over time, sources and messages. */
static void
json_senders(FILE *f, const struct adv_domain *d)
{
	size_t i, k, n;

	fputs(",\n   \"senders\": [", f);
	for (i = 0; i < d->nsnd; i++) {
		const struct adv_sender *g = &d->snd[i];

		for (k = 0, n = 0; k < d->nsrc; k++)
			n += d->src[k].snd == i;
		fputs(i ? ",\n     {\"sender\": " : "\n     {\"sender\": ", f);
		json_string(f, g->name);
		fprintf(f, ", \"class\": \"%s\", \"trend\": \"%s\", \"since\": ",
		    advise_class_name(g->cls), advise_trend_name(g->tl.trend));
		if (g->tl.trend != ADV_T_STEADY)
			json_day(f, g->tl.since);
		else
			fputs("null", f);
		fprintf(f, ", \"sources\": %zu, \"messages\": %" PRId64
		    ", \"dmarc_pass\": %" PRId64 "}", n, g->messages, g->pass);
	}
	fputc(']', f);
}

void
advise_print_json(FILE *f, const struct advice *a)
{
	const struct advise_thresholds *t = &a->t;
	char x[FMT_NUM], y[FMT_NUM], sub[512], ramp[512];
	size_t i, n, max = 0, *idx;
	int k;

	if (a->n == 0) {
		fputs("[]\n", f);
		return;
	}
	for (i = 0; i < a->n; i++)
		if (a->d[i].nsrc > max)
			max = a->d[i].nsrc;
	if ((idx = calloc(max + 1, sizeof *idx)) == NULL)
		return;
	fputs("[\n", f);
	for (i = 0; i < a->n; i++) {
		const struct adv_domain *d = &a->d[i];
		const struct advise_policy *p = &d->now;

		fputs("  {\"domain\": ", f);
		json_string(f, d->name);
		fprintf(f, ", \"window\": {\"since\": \"%s\", \"until\": \"%s\"}",
		    fmt_day(a->since, x, sizeof x),
		    fmt_day(a->until - UTC_DAY_SECONDS, y, sizeof y));
		fprintf(f, ", \"days_covered\": %" PRId64 ", \"reporters\": %" PRId64
		    ", \"messages\": %" PRId64 ", \"dmarc_pass\": %" PRId64,
		    d->days, d->reporters, d->messages, d->pass);
		fputs(", \"newest_report\": ", f);
		if (d->has_newest)
			fprintf(f, "\"%s\"", fmt_day(d->newest_day *
			    UTC_DAY_SECONDS, x, sizeof x));
		else
			fputs("null", f);
		fprintf(f, ", \"stale\": %s", d->stale_days > 0 ? "true" :
		    "false");
		fprintf(f, ",\n   \"current\": {\"p\": \"%s\", \"sp\": \"%s\", "
		    "\"np\": \"%s\", \"pct\": ", advise_policy_name(p->p),
		    advise_policy_name(p->sp), advise_policy_name(p->np));
		if (d->from_record || d->seen_has_pct)
			fprintf(f, "%d", p->pct);
		else
			fputs("null", f);
		fprintf(f, ", \"testing\": \"%s\", \"adkim\": \"%s\", \"aspf\": "
		    "\"%s\", \"from\": \"%s\"}", p->testing ? "y" : "n",
		    p->adkim_strict ? "s" : "r", p->aspf_strict ? "s" : "r",
		    d->from_record ? "record" : "reports");
		fprintf(f, ",\n   \"verdict\": \"%s\", \"ready\": %s, \"next\": ",
		    advise_verdict_name(d->verdict), d->verdict == ADV_V_READY ? "true" :
		    "false");
		if (d->verdict == ADV_V_AT_REJECT)
			fputs("null", f);
		else
			fprintf(f, "\"%s\"", advise_policy_name(d->next.p));
		fprintf(f, ",\n   \"legitimate_failing_now\": %" PRId64,
		    d->legit_now);
		json_blockers(f, d);
		json_impact(f, d, idx);
		json_changes(f, a, d);
		json_blocked(f, d);
		json_senders(f, d);
		fputs(",\n   \"sources_by_class\": {", f);
		for (k = 0; k < ADV_NCLASS; k++)
			fprintf(f, "%s\"%s\": %" PRId64, k ? ", " : "",
			    advise_class_name((enum advise_class)k), d->by_class[k][0]);
		fputs("},\n   \"sources\": {", f);
		for (k = 0; k < ADV_NCLASS; k++) {
			n = advise_collect(d, k, -1, 0, idx);
			fprintf(f, "%s\"%s\": ", k ? ",\n    " : "",
			    advise_class_name((enum advise_class)k));
			json_sources(f, d, idx, n, 0, 0);
		}
		fputs("},\n   \"record_name\": ", f);
		snprintf(sub, sizeof sub, "_dmarc.%s", d->name);
		json_string(f, sub);
		fputs(", \"record\": ", f);
		json_string(f, d->record);
		advise_words(d, sub, sizeof sub, ramp, sizeof ramp);
		fputs(",\n   \"subdomains\": ", f);
		json_string(f, sub);
		fputs(", \"ramp\": ", f);
		json_string(f, ramp[0] ? ramp : NULL);
		if (a->has_lint) {
			fprintf(f, ",\n   \"record_lint\": {\"valid\": %s, \"errors\": ",
			    a->lint.valid ? "true" : "false");
			json_strings(f, a->lint.errors, a->lint.nerrors);
			fputs(", \"warnings\": ", f);
			json_strings(f, a->lint.warnings, a->lint.nwarnings);
			fputc('}', f);
		}
		fprintf(f, ",\n   \"thresholds\": {\"aligned\": %g, \"partial\": %g, "
		    "\"min-days\": %" PRId64 ", \"min-reporters\": %" PRId64
		    ", \"min-messages\": %" PRId64 ", \"max-legitimate\": %g, "
		    "\"max-source\": %g, \"settled-days\": %" PRId64 "}}%s\n",
		    t->aligned, t->partial, t->min_days, t->min_reporters,
		    t->min_messages, t->max_legitimate, t->max_source,
		    t->settled_days, i + 1 < a->n ? "," : "");
	}
	fputs("]\n", f);
	free(idx);
}
