/* SPDX-License-Identifier: MIT */
/*
 * advise_load.c: one advise run up to the judged structs: read the window
 * (advise_query.c), name every source (reverse DNS through names.c, then
 * senders_identify over the user's file, the PTR name and the domains it
 * authenticated for), judge each domain (advise_judge.c).  Shared by
 * advise, weekly and senders.
 */
#include "advise_query.h"

#include <stdlib.h>
#include <string.h>

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

int
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
