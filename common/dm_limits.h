/* SPDX-License-Identifier: MIT */
/*
 * dm_limits.h: every ceiling dmarc-ingest puts on untrusted input, with the
 * reason for each.  The macros are the defaults; struct dm_limits carries the
 * values in force (main.c lets `--limit NAME=VALUE` change them, which the
 * tests use to hit a ceiling without gigabytes of data).  Hitting a limit
 * fails that input with a message naming the limit (dm_limit_name()).
 */
#ifndef DM_LIMITS_H
#define DM_LIMITS_H

#include <stdint.h>

#define DM_KIB ((uint64_t)1024)
#define DM_MIB (DM_KIB * 1024)

/* Bytes of one input as it arrives (a file, a zip member, stdin).  Receivers
 * cap reports at about 10 MB compressed; 256 MiB leaves room for a raw XML
 * report of several hundred thousand records and still stops /dev/zero. */
#define DM_DEF_INPUT_BYTES (256 * DM_MIB)

/* Decompressed bytes of one report.  The largest real reports are a few tens
 * of MB; 512 MiB is a 1,000-fold margin yet stops a gzip or zip bomb. */
#define DM_DEF_XML_BYTES (512 * DM_MIB)

/* Decompressed/compressed ratio.  Ordinary XML reports compress 10-40x, a
 * bomb 1000x; but a real report of thousands of near-identical rows
 * compresses 200x and more, so the ratio is only checked past
 * DM_DEF_RATIO_FLOOR. */
#define DM_DEF_RATIO 200

/* Decompressed bytes of one stream below which the ratio is not checked.
 * Up to 64 MiB a bomb costs nothing: the parser streams, holding a few
 * pages whatever the size, and xml-bytes still caps the total; past it the
 * time spent reading mostly nothing starts to count. */
#define DM_DEF_RATIO_FLOOR (64 * DM_MIB)

/* Entries in one zip archive.  Google and Microsoft send one member; a zip of
 * thousands is not a report but a way to make us do work. */
#define DM_DEF_ZIP_ENTRIES 1000

/* Compression layers: gzip inside gzip is seen in the wild; more than a few
 * is an attack. */
#define DM_DEF_NESTING 4

/* XML element depth.  A report is 5 levels deep; 64 leaves room for foreign
 * wrappers (IKEA's stray <xs:schema>) and extensions. */
#define DM_DEF_XML_DEPTH 64

/* Bytes of text in one element.  The longest real values are DKIM
 * human_result and reason comments, well under 1 KiB. */
#define DM_DEF_FIELD_BYTES (64 * DM_KIB)

/* Records in one report.  The largest real reports hold tens of thousands
 * of records; 5 million is a 100-fold margin. */
#define DM_DEF_RECORDS 5000000

/* Repeated children of one record (reasons, DKIM and SPF results) and error
 * elements of one report: real records have one to three. */
#define DM_DEF_REPEATS 100

/* Bytes of one mail message (an .eml, or one message of an mbox).  Report
 * mails are a few hundred KB; 64 MiB is what large mail servers accept. */
#define DM_DEF_MESSAGE_BYTES (64 * DM_MIB)

/* Payload bytes kept in the database for a failed input so it can be
 * retried; a larger payload is recorded without its bytes. */
#define DM_DEF_KEEP_FAILED_BYTES (64 * DM_MIB)

struct dm_limits {
	uint64_t input_bytes;
	uint64_t xml_bytes;
	uint64_t ratio;
	uint64_t ratio_floor;
	uint64_t zip_entries;
	uint64_t nesting;
	uint64_t xml_depth;
	uint64_t field_bytes;
	uint64_t records;
	uint64_t repeats;
	uint64_t keep_failed_bytes;
	uint64_t message_bytes;
};

/* The defaults above. */
void dm_limits_default(struct dm_limits *l);

/* Sets one limit from "name=value" (value may end in K, M or G).  Returns 0,
 * or -1 with a reason in err. */
int dm_limits_set(struct dm_limits *l, const char *assignment, char *err,
    unsigned long errlen);

/* The user-facing names, as accepted by dm_limits_set and printed in
 * "limit NAME exceeded" messages: "input-bytes", "xml-bytes", "ratio",
 * "ratio-floor", "zip-entries", "nesting", "xml-depth", "field-bytes", "records",
 * "repeats", "keep-failed-bytes", "message-bytes". */
#define DM_LIMIT_INPUT_BYTES "input-bytes"
#define DM_LIMIT_XML_BYTES "xml-bytes"
#define DM_LIMIT_RATIO "ratio"
#define DM_LIMIT_RATIO_FLOOR "ratio-floor"
#define DM_LIMIT_ZIP_ENTRIES "zip-entries"
#define DM_LIMIT_NESTING "nesting"
#define DM_LIMIT_XML_DEPTH "xml-depth"
#define DM_LIMIT_FIELD_BYTES "field-bytes"
#define DM_LIMIT_RECORDS "records"
#define DM_LIMIT_REPEATS "repeats"
#define DM_LIMIT_KEEP_FAILED "keep-failed-bytes"
#define DM_LIMIT_MESSAGE_BYTES "message-bytes"

#endif
