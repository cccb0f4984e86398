/* SPDX-License-Identifier: MIT */
/*
 * cmd_export.c: the export command: every record as a parsedmarc-style row
 * (CSV or NDJSON) for an engine such as ClickHouse, OpenSearch or Splunk,
 * streamed in record id order; --after/--upto for incremental shipping and
 * --last-id for the cursor.  Glue between export_query (rows),
 * export_source (what is known of the IP) and export_write (the format).
 */
#include "report.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "export_query.h"
#include "export_source.h"
#include "export_write.h"
#include "ipdb.h"
#include "names.h"

/* 0, or 2 with c->err set. */
static int
export_run(struct report_ctx *c)
{
	enum export_format fmt;
	struct export_writer *w = NULL;
	struct export_query *q = NULL;
	struct source_memo *memo = NULL;
	struct ipdb *ipdb = NULL;
	const struct export_row *row;
	struct export_source src;
	int64_t last;
	int rc;

	if (c->last_id) {
		if ((rc = export_last_id(c, &last)) != 0)
			return rc;
		fprintf(c->out, "%" PRId64 "\n", last);
		return 0;
	}
	if (c->format_name == NULL || strcmp(c->format_name, "csv") == 0)
		fmt = EXPORT_CSV;
	else if (strcmp(c->format_name, "ndjson") == 0)
		fmt = EXPORT_NDJSON;
	else {
		snprintf(c->err, sizeof c->err, "export writes --format csv or "
		    "ndjson, not '%s'", c->format_name);
		return 2;
	}
	if (c->ip_db != NULL &&
	    (ipdb = ipdb_open(c->ip_db, c->err, sizeof c->err)) == NULL)
		return 2;
	if (!c->no_dns && (rc = export_resolve(c, c->after, c->upto)) != 0)
		goto out;
	rc = 2;
	if ((q = export_query_open(c, c->after, c->upto)) == NULL)
		goto out;
	if ((memo = source_memo_new(c, ipdb)) == NULL ||
	    (w = export_writer_new(c->out, fmt)) == NULL) {
		rc = report_oom(c);
		goto out;
	}
	export_write_header(w);
	while ((rc = export_query_next(q, &row)) == 1) {
		if ((rc = source_memo_get(memo, q, row->source_ip, &src)) != 0)
			goto out;
		if (export_write_row(w, row, &src) != 0)
			break;
	}
	if (export_writer_flush(w) != 0 && rc != 2) {
		snprintf(c->err, sizeof c->err, "cannot write the output: %s",
		    strerror(errno));
		rc = 2;
	}
out:
	export_writer_free(w);
	source_memo_free(memo);
	export_query_close(q);
	ipdb_close(ipdb);
	return rc;
}

enum report_status
cmd_export(struct report_ctx *c)
{
	return export_run(c) == 0 ? RPT_OK : RPT_ERROR;
}
