/* SPDX-License-Identifier: MIT */
/*
 * writer.h: runs the store on a thread of its own, so that writing one
 * report's records to SQLite overlaps with parsing the next ones (the two
 * take about the same time; on two cores this nearly halves the ingest).
 * The pipeline queues commands; each queued struct is deep-copied, so the
 * caller's data may go away at once.  The writer owns its queue and thread,
 * not the store; but from writer_new to writer_free the store belongs to
 * the writer's thread (store_release/store_adopt hand it over), so no other
 * thread may call it: what the caller needs from the store in between, it
 * asks through writer_call.  Outcomes of reports are counted in
 * writer_stats; a database error stops the writer, and every later call
 * returns -1.
 */
#ifndef DM_WRITER_H
#define DM_WRITER_H

#include <stdint.h>

#include "provenance.h"
#include "report.h"

struct store;
struct writer;

struct writer_stats {
	uint64_t reports_new;
	uint64_t reports_duplicate;
	uint64_t records_new;
	uint64_t messages_new;
	uint64_t records_skipped;	/* of new reports */
};

/* Starts the thread and hands the store over to it: the caller must own
 * the store, and gets it back from writer_free.  NULL when out of memory
 * or threads (the caller keeps the store). */
struct writer *writer_new(struct store *st);

/* Queue a command; 0, or -1 once the writer has failed. */
int writer_begin(struct writer *w) __attribute__((warn_unused_result));
int writer_commit(struct writer *w) __attribute__((warn_unused_result));
int writer_report_start(struct writer *w, const struct store_provenance *prov)
    __attribute__((warn_unused_result));
/* `so_far` is copied only for the report's first record (the store needs
 * it only there). */
int writer_record(struct writer *w, const struct dm_report *so_far,
    const struct dm_record *rec) __attribute__((warn_unused_result));
/* `skipped`: records of this report the parser skipped, counted when the
 * report is new. */
int writer_report_end(struct writer *w, const struct dm_report *r,
    const char *xml_sha256, uint64_t skipped)
    __attribute__((warn_unused_result));
int writer_report_abort(struct writer *w) __attribute__((warn_unused_result));

/* Waits until every queued command has run.  0 or -1. */
int writer_sync(struct writer *w) __attribute__((warn_unused_result));

/*
 * Runs fn(store, arg) on the writer's thread after what is queued, and
 * waits for it: how the caller reads or writes the store while the writer
 * owns it.  Returns what fn returned, or -1 when the writer had failed.  A
 * negative return of fn is a database error: it stops the writer (with
 * store_error as writer_error).
 */
int writer_call(struct writer *w, int (*fn)(struct store *st, void *arg),
    void *arg) __attribute__((warn_unused_result));

/* Counts so far (call after writer_sync for exact figures). */
void writer_get_stats(struct writer *w, struct writer_stats *s);

/* The database error that stopped the writer, or "". */
const char *writer_error(struct writer *w);

/* Runs what is queued, stops the thread, frees; the store is the
 * caller's again. */
void writer_free(struct writer *w);

#endif
