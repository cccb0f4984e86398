/* SPDX-License-Identifier: MIT */
/*
 * export_query.h: the records of the database as export rows, streamed in
 * record id order (ingest order) from one statement over record and report,
 * with each record's lists (reasons, DKIM and SPF results) read by ordered
 * cursors that advance beside it (a merge join: no query per record) and
 * the report's errors read once per report.  Memory does not grow with the
 * number of rows: the cursor owns one row at a time, which stays valid
 * until the next call.  Also the PTR names the dns_cache table holds.
 */
#ifndef DM_EXPORT_QUERY_H
#define DM_EXPORT_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "report.h"

/* The bytes of one record's joined lists (or a report's errors); a record
 * past this is refused with its id.  Real lists are well under 1 KiB; the
 * ingest limits allow 100 items of 64 KiB. */
#define EXPORT_LIST_MAX (8 * 1024 * 1024)

/* One row.  Text is NULL when the report left the value out; lists are
 * joined ("" when empty), a missing item written as parsedmarc does
 * ("none"; an SPF scope "mfrom"). */
struct export_row {
	int64_t record_id;
	/* the report: report_seq is the same for rows whose report values
	 * below are the same, and differs otherwise (a writer may reuse what
	 * it made of them) */
	uint64_t report_seq;
	const char *xml_schema;		/* <version>, "draft" when absent */
	const char *org_name, *org_email, *org_extra_contact_info;
	const char *report_id;
	const char *begin_date, *end_date;	/* "YYYY-MM-DD HH:MM:SS" UTC */
	int normalized_timespan;	/* the range is longer than 24 hours */
	const char *errors;		/* joined with '|' */
	const char *domain, *adkim, *aspf, *p, *sp, *np;
	int has_pct;
	int64_t pct;
	const char *fo, *testing, *discovery_method;
	/* the record */
	const char *source_ip;
	int64_t count;
	int spf_aligned, dkim_aligned, dmarc_aligned;
	const char *disposition;	/* "none" when absent */
	const char *reasons;		/* types joined with ',' */
	const char *comments;		/* comments joined with '|' */
	const char *envelope_from, *header_from, *envelope_to;
	const char *dkim_domains, *dkim_selectors, *dkim_results;
	const char *spf_domains, *spf_scopes, *spf_results;
	/* provenance */
	const char *input_name, *message_id;
};

struct export_query;

/* The rows with a record id in (after, upto] (0 and INT64_MAX: all) that
 * c's domain and window filters keep.  NULL with c->err set. */
struct export_query *export_query_open(struct report_ctx *c, int64_t after,
    int64_t upto);

/* 1 with *row set, 0 at the end, 2 with c->err set. */
int export_query_next(struct export_query *q, const struct export_row **row);

/* The PTR name the DNS cache holds for ip (whatever its age) into buf;
 * 1 when there is one, 0 when not, 2 with c->err set. */
int export_query_ptr(struct export_query *q, const char *ip, char *buf,
    size_t len);

void export_query_close(struct export_query *q);

/* The distinct source IPs of the same rows that the DNS cache holds no
 * entry for younger than c->dns_ttl_days: what a lookup could add.  Each
 * call of export_ips_next sets ip (48 bytes) and returns 1, then 0 at the
 * end, or 2 with c->err set. */
struct export_ips;
struct export_ips *export_ips_open(struct report_ctx *c, int64_t after,
    int64_t upto);
int export_ips_next(struct export_ips *it, char *ip);
void export_ips_close(struct export_ips *it);

/* The greatest record id (0 when there are none) into *out: the cursor
 * for the next --after.  0, or 2 with c->err set. */
int export_last_id(struct report_ctx *c, int64_t *out);

#endif
