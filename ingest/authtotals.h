/* SPDX-License-Identifier: MIT */
/*
 * authtotals.h: one report's records grouped in memory by their
 * authentication outcome, while the report streams: how the store keeps
 * source_auth (schema.sql) without reading the report back.  A group is
 * what advise, senders, sources and weekly read of a record: source IP,
 * header From, disposition, the DKIM and SPF aligned verdicts, whether an
 * override reason excused it (schema/derived.h), and the override reason
 * types, raw SPF results and raw DKIM results in document order, as the
 * JSON arrays SQLite's json_group_array/json_array write (byte for byte:
 * rows made here and rows made by SQL, as migration 003 does, must merge).
 * Absent text is "" as in the table (SQL's ifnull); absent list members
 * are JSON null.  Memory is bounded: at most max_groups groups and about
 * max_bytes of their keys (one record's key is always taken into an
 * empty accumulator).  No SQLite here.
 */
#ifndef DM_AUTHTOTALS_H
#define DM_AUTHTOTALS_H

#include <stddef.h>
#include <stdint.h>

#include "dm_buf.h"
#include "report.h"

/* One group of the report, for the caller to store; the strings live in
 * the accumulator until it is cleared. */
struct authtotals_group {
	const char *source_ip;
	int ip_family;
	const char *header_from, *disposition, *dkim_aligned, *spf_aligned;
	int overridden;
	const char *reasons, *spf, *dkim;	/* JSON arrays */
	uint64_t records, messages;		/* messages: sum of <count> */
};

struct authtotals;

/* NULL when out of memory.  max_groups >= 1. */
struct authtotals *authtotals_new(size_t max_groups, size_t max_bytes);
void authtotals_free(struct authtotals *at);

/* Forgets every group (keeps the memory for the next report). */
void authtotals_clear(struct authtotals *at);

/* Adds `rec` to its group.  0; 1 when its group is new and the
 * accumulator is full: nothing is added, the caller writes the groups out,
 * clears and adds again; -1 when out of memory. */
int authtotals_add(struct authtotals *at, const struct dm_record *rec)
    __attribute__((warn_unused_result));

/* The number of groups held. */
size_t authtotals_count(const struct authtotals *at);

/* Calls fn for each group, in the order the groups came; a non-zero return
 * of fn stops and is returned. */
int authtotals_each(const struct authtotals *at,
    int (*fn)(void *ctx, const struct authtotals_group *g), void *ctx);

/* Appends `s` (NULL: null) to b as SQLite's JSON functions write a text
 * value: quoted, '"' and '\\' escaped, \b \t \n \f \r, other bytes below
 * 0x20 as \u00xx; every other byte as it is.  0 or -1 (b failed). */
int authtotals_json_string(struct dm_buf *b, const char *s)
    __attribute__((warn_unused_result));

#endif
