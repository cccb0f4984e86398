/* SPDX-License-Identifier: MIT */
/*
 * parse.h: streaming parser of one DMARC aggregate report (RFC 7489 and
 * RFC 9990), over libxml2's SAX2 push parser.  Bytes are pushed in chunks of
 * any size; each usable <record> is handed to the caller's callback as soon
 * as it closes, so memory does not grow with the report.  No DTD, no entity
 * substitution, no network; every SPEC.md E tolerance applies.  The parser
 * owns the dm_report and dm_record it passes to callbacks: they are valid
 * only during the call (parse_finish's report until parse_free).
 */
#ifndef DM_PARSE_H
#define DM_PARSE_H

#include <stddef.h>

#include "dm_limits.h"
#include "report.h"

struct parser;

struct parse_callbacks {
	void *ctx;
	/*
	 * One usable record.  `so_far` is the report-level data seen so far:
	 * fields may still be missing when a report puts records first.
	 * Return 0 to go on, -1 to stop parsing (parse_push then fails with
	 * the message the callback put in parse_set_error, or a generic one).
	 */
	int (*record)(void *ctx, const struct dm_report *so_far,
	    const struct dm_record *rec);
	/* A warning about this report (a skipped record, an odd value, a
	 * recovered XML error).  `msg` has no input name and no newline. */
	void (*warning)(void *ctx, const char *msg);
};

/*
 * A parser for one document.  `filename` is the payload's own name (a file
 * or zip member; may be NULL) and `subject` the mail subject (may be NULL):
 * both only serve to derive a missing policy domain (SPEC.md E.12).
 * Returns NULL only when out of memory.
 */
struct parser *parse_new(const struct dm_limits *limits,
    const char *filename, const char *subject,
    const struct parse_callbacks *cb);

/* Pushes the next chunk.  Returns 0, or -1 once the document failed (the
 * error is sticky: later pushes fail at once). */
int parse_push(struct parser *p, const void *buf, size_t len)
    __attribute__((warn_unused_result));

/* Ends the document and checks that it is a usable report (report_id, date
 * range, policy domain; recovery rules of E.13).  On success returns 0 and
 * sets *out to the report (owned by the parser); on failure -1. */
int parse_finish(struct parser *p, const struct dm_report **out)
    __attribute__((warn_unused_result));

/* Why the document failed: one line, with the XML line number where there
 * is one ("line 12: ..."), and naming the limit when one was hit. */
const char *parse_error(const struct parser *p);

/* Lets a callback fail the parse with its own reason. */
void parse_set_error(struct parser *p, const char *msg);

/* Counts of the document so far: <record> elements seen, records handed
 * over, records skipped. */
struct parse_stats {
	unsigned long long records_seen;
	unsigned long long records_used;
	unsigned long long records_skipped;
	unsigned long long warnings;
};
void parse_stats(const struct parser *p, struct parse_stats *st);

void parse_free(struct parser *p);

/* Once per process, before any parser: initializes libxml2 and silences its
 * generic error output (errors reach us through the parser). */
void parse_global_init(void);

#endif
