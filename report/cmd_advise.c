/* SPDX-License-Identifier: MIT */
/*
 * cmd_advise.c: the advise command: per policy domain over the window
 * (default the last 30 days ending today), whether it is safe to tighten
 * the policy.  Glue: advise_query.c reads, names.c names the blockers,
 * advise_judge.c judges, advise_text.c and advise_json.c print.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "advise.h"
#include "advise_query.h"
#include "advise_render.h"
#include "lint.h"
#include "names.h"

/* Loads and judges; 0 or 2 with the error in w->err. */
static int
advise_load(const struct report_ctx *c, struct report_ctx *w, struct advice *a)
{
	size_t i;
	int rc;

	if ((rc = advise_query(c, w, a)) != 0)
		return rc;
	for (i = 0; i < a->n; i++) {
		if ((rc = advise_judge(a, &a->d[i])) == -1)
			return report_oom(w);
		if (rc != 0) {
			snprintf(w->err, sizeof w->err, "advise: the record is "
			    "too long");
			return 2;
		}
	}
	return 0;
}

/*
 * The reverse DNS and sender names of every blocker (one batch, within the
 * DNS budget), and a fix that names the sender: "set up DKIM for
 * example.com in Mailjet (ESP)".
 */
static int
blocker_names(struct report_ctx *c, struct advice *a)
{
	struct rdns_result *q;
	size_t i, j, n = 0, k = 0;
	int rc;

	for (i = 0; i < a->n; i++)
		n += a->d[i].nblk;
	if (n == 0)
		return 0;
	if ((q = calloc(n, sizeof *q)) == NULL)
		return report_oom(c);
	for (i = 0; i < a->n; i++)
		for (j = 0; j < a->d[i].nblk; j++)
			snprintf(q[k++].ip, sizeof q[0].ip, "%s",
			    a->d[i].src[a->d[i].blk[j]].ip);
	rc = names_ptr(c, q, n);
	for (i = 0, k = 0; rc == 0 && i < a->n; i++) {
		struct adv_domain *d = &a->d[i];

		for (j = 0; j < d->nblk; j++, k++) {
			struct adv_source *s = &d->src[d->blk[j]];
			char fix[512];

			if (q[k].status == RDNS_OK)
				snprintf(s->ptr, sizeof s->ptr, "%s", q[k].name);
			s->sender = names_sender(c, s->ip, s->ptr);
			if (s->sender != NULL && s->cls == ADV_MISALIGNED) {
				snprintf(fix, sizeof fix, "set up DKIM signing with "
				    "d=%s in %s (or a return-path under %s)",
				    d->name, s->sender, d->name);
				free(s->fix);
				if ((s->fix = strdup(fix)) == NULL) {
					rc = report_oom(c);
					break;
				}
			}
		}
	}
	free(q);
	return rc;
}

int
advise_verdicts(struct report_ctx *c, const char *const *domains, size_t n)
{
	struct report_ctx w = *c;
	struct advice a;
	char line[512];
	size_t i;
	int rc;

	if (n == 0)
		return 0;
	memset(&a, 0, sizeof a);
	advise_thresholds_default(&a.t);
	w.domains = domains;
	w.ndomains = n;
	w.windowed = 0;
	w.since = INT64_MIN;
	w.until = INT64_MAX;
	w.err[0] = '\0';
	rc = advise_load(c, &w, &a);
	for (i = 0; rc == 0 && i < a.n; i++) {
		advise_verdict_line(&a, &a.d[i], line, sizeof line);
		advise_wrap(c->out, "", line, 2);
	}
	if (rc == 2 && !c->err[0])
		memcpy(c->err, w.err, sizeof c->err);
	advice_free(&a);
	return rc;
}

int
cmd_advise(struct report_ctx *c)
{
	struct report_ctx w = *c;
	struct advice a;
	size_t i;
	int rc = 0;

	memset(&a, 0, sizeof a);
	advise_thresholds_default(&a.t);
	for (i = 0; i < c->nthresholds; i++)
		if (advise_threshold_set(&a.t, c->thresholds[i], c->err,
		    sizeof c->err) != 0)
			return 2;
	if (c->format == OUT_CSV) {
		snprintf(c->err, sizeof c->err, "advise: --format wants text or "
		    "json (its blocks do not fit one CSV table)");
		return 2;
	}
	if (c->record != NULL) {
		if (c->ndomains != 1) {
			snprintf(c->err, sizeof c->err, "--record is the record of "
			    "one domain: give exactly one --domain with it");
			return 2;
		}
		if (lint_record(c->record, NULL, &a.lint) != 0)
			return report_oom(c);
		a.has_lint = 1;
	}
	if ((rc = advise_load(c, &w, &a)) != 0 ||
	    (rc = blocker_names(c, &a)) != 0)	/* c: it keeps the resolver */
		goto out;
	if (c->format == OUT_JSON)
		advise_print_json(c->out, &a);
	else
		advise_print_text(c->out, &a);
	for (i = 0; i < a.n; i++)
		if (a.d[i].verdict != ADV_V_READY && a.d[i].verdict != ADV_V_AT_REJECT)
			rc = 1;
out:
	if (rc == 2 && w.err[0] && !c->err[0])
		memcpy(c->err, w.err, sizeof c->err);
	advice_free(&a);
	return rc;
}
