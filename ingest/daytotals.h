/* SPDX-License-Identifier: MIT */
/*
 * daytotals.h: one report's records added up in memory by a short key,
 * while the report streams: how the store keeps a per-day summary (such as
 * source_day, keyed by the source IP) without reading the report back.
 * Each summary the store keeps owns one accumulator; the store feeds it
 * every record it stores and, at the end of the report (or when the
 * accumulator is full), writes the sums out and clears it.  Memory is
 * bounded: at most `max_keys` keys, grown as they come.  The sums are
 * those of schema/derived.h (DMARC pass, aligned passes, dispositions),
 * counted in messages; a report's message total fits 64 bits (the store
 * checks it first), so no sum of one report overflows.  No SQLite here.
 */
#ifndef DM_DAYTOTALS_H
#define DM_DAYTOTALS_H

#include <stddef.h>
#include <stdint.h>

#include "report.h"

/* Longest key, with its NUL: an IP (47 chars) and a few bytes more. */
#define DAYTOTALS_KEY_MAX 64

/* One key's totals: records, and messages (sum of <count>) in all, by
 * verdict and by disposition. */
struct daytotals_sums {
	uint64_t records, messages;
	uint64_t dmarc_pass, spf_aligned_pass, dkim_aligned_pass;
	uint64_t disp_none, disp_quarantine, disp_reject;
};

struct daytotals;

/* NULL when out of memory.  max_keys >= 1. */
struct daytotals *daytotals_new(size_t max_keys);
void daytotals_free(struct daytotals *dt);

/* Forgets every key (keeps the memory for the next report). */
void daytotals_clear(struct daytotals *dt);

/* Adds `rec` to the totals of `key` (truncated to DAYTOTALS_KEY_MAX - 1
 * bytes); `family` (4 or 6) is kept with the key.  0; 1 when the key is
 * new and max_keys are taken: nothing is added, the caller writes the sums
 * out, clears and adds again; -1 when out of memory. */
int daytotals_add(struct daytotals *dt, const char *key, int family,
    const struct dm_record *rec) __attribute__((warn_unused_result));

/* The number of keys held. */
size_t daytotals_count(const struct daytotals *dt);

/* Calls fn for each key, in the order the keys came; a non-zero return of
 * fn stops and is returned. */
int daytotals_each(const struct daytotals *dt, int (*fn)(void *ctx,
    const char *key, int family, const struct daytotals_sums *s), void *ctx);

#endif
