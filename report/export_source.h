/* SPDX-License-Identifier: MIT */
/*
 * export_source.h: what export says of a source IP beyond the report: the
 * PTR name the DNS cache holds, its organizational domain, the sender name
 * (names.h) split into parsedmarc's source_name and source_type, and the
 * country and AS from --ip-db.  Remembered for the last few thousand IPs
 * (a fixed table: memory does not grow with the export), since a
 * database holds far fewer IPs than records.  Owns its table.
 */
#ifndef DM_EXPORT_SOURCE_H
#define DM_EXPORT_SOURCE_H

#include "export_query.h"
#include "export_write.h"
#include "ipdb.h"
#include "report.h"

struct source_memo;

/* ipdb may be NULL (no --ip-db).  NULL when out of memory. */
struct source_memo *source_memo_new(struct report_ctx *c, struct ipdb *ipdb);

/* The attributes of `ip` into *out (valid until the next call).  0, or 2
 * with c->err set. */
int source_memo_get(struct source_memo *m, struct export_query *q,
    const char *ip, struct export_source *out);

void source_memo_free(struct source_memo *m);

/* Looks up the PTR names of the rows' source IPs that the DNS cache lacks
 * (names.h: cached as they come), in batches, until c->dns_budget_ms is
 * spent in all; what is left stays unnamed until a later run.  0, or 2
 * with c->err set. */
int export_resolve(struct report_ctx *c, int64_t after, int64_t upto);

#endif
