/* SPDX-License-Identifier: MIT */
/*
 * cmd_advise.c: the advise command: per policy domain over the window
 * (default the last 30 days ending today), whether it is safe to tighten
 * the policy.  Glue: advise_query.c reads, names.c and senders.c name the
 * sources, advise_judge.c judges, advise_text.c and advise_json.c print.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "advise.h"
#include "advise_query.h"
#include "advise_render.h"
#include "lint.h"
#include "names.h"
#include "senders.h"

#define AUTH_MAX 16	/* authentication domains weighed per source */

static const struct adv_source *auth_src;

static int
by_auth_messages(const void *x, const void *y)
{
	const struct adv_result *a = &auth_src->res[*(const size_t *)x];
	const struct adv_result *b = &auth_src->res[*(const size_t *)y];

	if (a->messages != b->messages)
		return a->messages > b->messages ? -1 : 1;
	return strcmp(a->dom, b->dom);
}

/* Names one source: senders_identify over the user's file, its PTR name
 * and the domains it authenticated for (most messages first). */
static int
name_source(const struct report_ctx *c, const struct adv_domain *d,
    struct adv_source *s)
{
	const char *auth[AUTH_MAX];
	size_t idx[AUTH_MAX], i, n = 0;
	struct sender_id id;
	char buf[SENDERS_BUF_MIN];

	for (i = 0; i < s->nres && n < AUTH_MAX; i++)
		if (strcmp(s->res[i].res, "pass") == 0 && s->res[i].dom[0] &&
		    (n == 0 || strcmp(s->res[idx[n - 1]].dom, s->res[i].dom) != 0))
			idx[n++] = i;
	auth_src = s;
	if (n > 1)
		qsort(idx, n, sizeof *idx, by_auth_messages);
	for (i = 0; i < n; i++)
		auth[i] = s->res[idx[i]].dom;
	senders_identify(c->senders, s->ip, s->ptr[0] ? s->ptr : NULL, d->name,
	    auth, n, &id, buf, sizeof buf);
	if (id.name == NULL || id.how == SENDER_UNKNOWN)
		return 0;
	if ((s->sender = strdup(id.name)) == NULL)
		return -1;
	s->named = id.how == SENDER_USER ? ADV_NAMED_USER :
	    id.how == SENDER_PTR ? ADV_NAMED_PTR :
	    id.how == SENDER_SERVICE ? ADV_NAMED_SERVICE : ADV_NAMED_AUTH_DOMAIN;
	s->esp = id.esp;
	return 0;
}

/*
 * The reverse DNS (one batch, within the DNS budget; the cache alone with
 * --no-dns) and the sender of every source, before the judge: the sender
 * groups sources and is evidence that they send for the domain.
 */
static int
name_sources(struct report_ctx *c, struct advice *a)
{
	struct rdns_result *q;
	size_t i, j, n = 0, k = 0;
	int rc;

	for (i = 0; i < a->n; i++)
		n += a->d[i].nsrc;
	if (n == 0)
		return 0;
	if ((q = calloc(n, sizeof *q)) == NULL)
		return report_oom(c);
	for (i = 0; i < a->n; i++)
		for (j = 0; j < a->d[i].nsrc; j++)
			snprintf(q[k++].ip, sizeof q[0].ip, "%s", a->d[i].src[j].ip);
	rc = names_ptr(c, q, n);
	for (i = 0, k = 0; rc == 0 && i < a->n; i++) {
		struct adv_domain *d = &a->d[i];

		for (j = 0; j < d->nsrc; j++, k++) {
			struct adv_source *s = &d->src[j];

			if (q[k].status == RDNS_OK)
				snprintf(s->ptr, sizeof s->ptr, "%s", q[k].name);
			if (name_source(c, d, s) != 0) {
				rc = report_oom(c);
				break;
			}
		}
	}
	free(q);
	return rc;
}

/* Loads, names and judges.  c keeps the resolver; w is the window.  0 or 2
 * with the error in c->err or w->err. */
static int
advise_load(struct report_ctx *c, struct report_ctx *w, struct advice *a)
{
	size_t i;
	int rc;

	if ((rc = advise_query(c, w, a)) != 0 || (rc = name_sources(c, a)) != 0)
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
	w.no_dns = 1;	/* the cron mail never waits for DNS: the cache alone */
	rc = advise_load(&w, &w, &a);
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
	if ((rc = advise_load(c, &w, &a)) != 0)
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
