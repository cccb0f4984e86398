/* SPDX-License-Identifier: MIT */
/* export_source.c: source IP attributes for export, remembered per IP (see
 * export_source.h). */
#include "export_source.h"
#include "clock.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "names.h"
#include "orgdomain.h"

/* Slots of the table, a power of two: twice the distinct IPs of a large
 * sender's year (a few thousand), about 8 MiB in all.  An IP is looked
 * for in MEMO_PROBE slots from its hash; when all are taken, the first is
 * replaced. */
#define MEMO_SLOTS 8192
#define MEMO_PROBE 8

/* The mark senders.c puts on a third-party sending service's name. */
#define ESP_MARK " (ESP)"

/* A slot's strings; the lookup touches only the compact entries, and the
 * writer these strings only when they are not empty. */
struct slot {
	int has_ptr;
	char ptr[256];
	char base[256];
	char name[128];
	const char *type;
	const char *sender;
	struct ipdb_info geo;
};

/* The key and the answer of a slot, together in 96 bytes. */
struct entry {
	char ip[48];			/* "" = empty */
	struct export_source view;	/* pointing into the slot */
};

struct source_memo {
	struct report_ctx *c;
	struct ipdb *ipdb;
	struct entry *keys;
	struct slot *slots;
};

struct source_memo *
source_memo_new(struct report_ctx *c, struct ipdb *ipdb)
{
	struct source_memo *m;

	if ((m = calloc(1, sizeof *m)) == NULL)
		return NULL;
	if ((m->slots = calloc(MEMO_SLOTS, sizeof *m->slots)) == NULL ||
	    (m->keys = calloc(MEMO_SLOTS, sizeof *m->keys)) == NULL) {
		free(m->slots);
		free(m);
		return NULL;
	}
	m->c = c;
	m->ipdb = ipdb;
	return m;
}

/* FNV-1a of the IP text. */
static size_t
slot_of(const char *ip)
{
	uint32_t h = 2166136261u;

	for (; *ip; ip++)
		h = (h ^ (unsigned char)*ip) * 16777619u;
	return h & (MEMO_SLOTS - 1);
}

static int
fill(struct source_memo *m, struct export_query *q, const char *ip,
    size_t k)
{
	struct slot *s = &m->slots[k];
	size_t n;
	int rc;

	memset(s, 0, sizeof *s);
	m->keys[k].ip[0] = '\0';
	if ((rc = export_query_ptr(q, ip, s->ptr, sizeof s->ptr)) == 2)
		return 2;
	s->has_ptr = rc == 1 && s->ptr[0] != '\0';
	if (s->has_ptr)
		org_domain(s->ptr, s->base, sizeof s->base);
	if (m->ipdb != NULL && ipdb_lookup(m->ipdb, ip, &s->geo, m->c->err,
	    sizeof m->c->err) != 0)
		return 2;
	s->sender = names_sender(m->c, ip, s->has_ptr ? s->ptr : NULL);
	if (s->sender != NULL) {
		/* "Mailjet (ESP)": name Mailjet, type ESP */
		snprintf(s->name, sizeof s->name, "%s", s->sender);
		n = strlen(s->name);
		if (n > strlen(ESP_MARK) &&
		    strcmp(s->name + n - strlen(ESP_MARK), ESP_MARK) == 0) {
			s->name[n - strlen(ESP_MARK)] = '\0';
			s->type = "ESP";
		}
	} else if (!s->has_ptr && s->geo.as_name[0] != '\0') {
		/* as parsedmarc: without a PTR name, the AS names the source */
		snprintf(s->name, sizeof s->name, "%s", s->geo.as_name);
	}
	m->keys[k].view.reverse_dns = s->has_ptr ? s->ptr : NULL;
	m->keys[k].view.base_domain = s->has_ptr ? s->base : NULL;
	m->keys[k].view.name = s->name[0] ? s->name : NULL;
	m->keys[k].view.type = s->type;
	m->keys[k].view.geo = m->ipdb != NULL ? &s->geo : NULL;
	m->keys[k].view.sender = s->sender;
	snprintf(m->keys[k].ip, sizeof m->keys[k].ip, "%s", ip);
	return 0;
}

int
source_memo_get(struct source_memo *m, struct export_query *q,
    const char *ip, struct export_source *out)
{
	size_t h = slot_of(ip), i, k = h;

	for (i = 0; i < MEMO_PROBE; i++) {
		k = (h + i) & (MEMO_SLOTS - 1);
		if (m->keys[k].ip[0] == '\0' || strcmp(m->keys[k].ip, ip) == 0)
			break;
	}
	if (i == MEMO_PROBE)
		k = h;
	if (strcmp(m->keys[k].ip, ip) != 0 && fill(m, q, ip, k) != 0)
		return 2;
	*out = m->keys[k].view;
	return 0;
}

void
source_memo_free(struct source_memo *m)
{
	if (m == NULL)
		return;
	free(m->keys);
	free(m->slots);
	free(m);
}

/* IPs resolved in one parallel batch. */
#define RESOLVE_BATCH 256

/* One batch within what is left of the budget. */
static int
resolve_batch(struct report_ctx *c, struct rdns_result *batch, size_t n,
    int64_t deadline)
{
	int budget = c->dns_budget_ms, rc;
	int64_t left = deadline - dm_now_ms();

	if (n == 0 || left <= 0)
		return 0;
	c->dns_budget_ms = (int)left;
	rc = names_ptr(c, batch, n);
	c->dns_budget_ms = budget;
	return rc;
}

int
export_resolve(struct report_ctx *c, int64_t after, int64_t upto)
{
	struct rdns_result *batch;
	struct export_ips *it;
	int64_t deadline = dm_now_ms() + c->dns_budget_ms;
	size_t n = 0;
	int rc = 0;

	if ((batch = calloc(RESOLVE_BATCH, sizeof *batch)) == NULL)
		return report_oom(c);
	if ((it = export_ips_open(c, after, upto)) == NULL) {
		free(batch);
		return 2;
	}
	while (dm_now_ms() < deadline && (rc = export_ips_next(it,
	    batch[n].ip)) == 1)
		if (++n == RESOLVE_BATCH) {
			if ((rc = resolve_batch(c, batch, n, deadline)) != 0)
				goto out;
			n = 0;
		}
	if (rc != 2)
		rc = resolve_batch(c, batch, n, deadline);
out:
	export_ips_close(it);
	free(batch);
	return rc;
}
