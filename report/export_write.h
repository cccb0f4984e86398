/* SPDX-License-Identifier: MIT */
/*
 * export_write.h: export rows as parsedmarc's aggregate CSV columns, in its
 * order and spelling, then ours (record_id, sender, input_name,
 * message_id): as CSV (RFC 4180: CRLF line ends, a field quoted when it
 * holds a comma, a quote or a line break; booleans True/False, absent
 * values empty) or NDJSON (one object per line, the same keys in the same
 * order; count, pct, source_asn and record_id numbers, booleans true/false,
 * absent values null).  Knows nothing of SQL; the writer owns its buffer.
 */
#ifndef DM_EXPORT_WRITE_H
#define DM_EXPORT_WRITE_H

#include <stdint.h>
#include <stdio.h>

#include "export_query.h"
#include "ipdb.h"

enum export_format { EXPORT_CSV, EXPORT_NDJSON };

struct export_writer;

/* What is known of a row's source IP beyond the report. */
struct export_source {
	const char *reverse_dns;	/* PTR name from the cache, or NULL */
	const char *base_domain;	/* its organizational domain, or NULL */
	const char *name;		/* source_name, or NULL */
	const char *type;		/* source_type, or NULL */
	const struct ipdb_info *geo;	/* NULL without --ip-db */
	const char *sender;		/* dmarc-report's sender name, or NULL */
};

/* The column names, in order (also for the documentation's table). */
extern const char *const export_columns[];
extern const size_t export_ncolumns;

/* A writer to `f`, with its own output buffer (stdio's per-call cost is
 * most of a row's).  NULL when out of memory. */
struct export_writer *export_writer_new(FILE *f, enum export_format fmt);

/* The CSV header line (nothing for NDJSON). */
void export_write_header(struct export_writer *w);
/* 0, or -1 once a write failed (the rest is dropped; flush tells why). */
int export_write_row(struct export_writer *w, const struct export_row *r,
    const struct export_source *s);

/* Hands what is buffered to the stream and flushes it: 0, or -1 when the
 * output could not be written (errno says why). */
int export_writer_flush(struct export_writer *w);

/* Frees the writer (without flushing). */
void export_writer_free(struct export_writer *w);

#endif
