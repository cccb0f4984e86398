/* SPDX-License-Identifier: MIT */
/*
 * store_priv.h: what store.c and store_admin.c share and nothing else
 * sees: the store's struct, the owner check and the error helper.
 */
#ifndef DM_STORE_PRIV_H
#define DM_STORE_PRIV_H

#include <pthread.h>
#include <sqlite3.h>

#include "store.h"

/* The owner check is compiled into debug and sanitizer builds. */
#if !defined(NDEBUG) || defined(DM_SANITIZE)
#define STORE_CHECK_OWNER 1
#endif

enum stmt_id {
	S_INS_REPORT, S_UPD_REPORT, S_INS_ERROR, S_INS_RECORD, S_INS_REASON,
	S_INS_DKIM, S_INS_SPF, S_SEL_FAILURE, S_INS_FAILURE, S_UPD_FAILURE,
	S_RESOLVE_FAILURE, S_COUNT
};

/*
 * A per-day summary the store keeps at ingest (store_sourceday.c: the
 * table source_day; store_sourceauth.c: source_auth), fed as the records of a report are stored: record()
 * for every record stored, end() when the report is complete (its final
 * domain and dates in r) to write what is left to write, reset() at every
 * report's start and abort.  A summary sums in memory (daytotals.h) and
 * writes inside the report's savepoint, so it is stored with the report
 * or not at all.  open() prepares its statements and returns its state
 * (NULL: st->err says why); close(NULL) is a no-op.  record() and end()
 * return 0, or -1 with st->err set (fatal to the report).  store.c calls
 * every summary of its `summaries` table in order: adding one is a line
 * there and a file of its own.
 */
struct store_summary {
	const char *name;
	void *(*open)(struct store *st);
	void (*close)(void *state);
	void (*reset)(void *state);
	int (*record)(struct store *st, void *state,
	    const struct dm_report *so_far, const struct dm_record *rec);
	int (*end)(struct store *st, void *state, const struct dm_report *r);
};
#define STORE_SUMMARIES_MAX 4

extern const struct store_summary store_summary_source_day;	/* store_sourceday.c */
extern const struct store_summary store_summary_source_auth;	/* store_sourceauth.c */

struct store {
	sqlite3 *db;
	sqlite3_stmt *st[S_COUNT];
	char err[512];
	/* the thread that may use the store (owned == 0: none, handed over) */
	pthread_t owner;
	int owned;
	/* the report in progress */
	const struct store_provenance *prov;
	int in_report;
	int savepoint;			/* the report's savepoint is open */
	const struct dm_report *whole;	/* store_report_start_whole's */
	int64_t report_rowid;		/* 0 until the row exists */
	int duplicate;			/* known early to be a duplicate */
	uint64_t records, messages;
	/* messages by verdict, for the report's totals */
	uint64_t pass, spf_pass, dkim_pass, d_none, d_quar, d_reject;
	int64_t placeholder_seq;
	/* the state of each summary, by its place in store.c's table */
	void *summary[STORE_SUMMARIES_MAX];
};

/* Aborts when the calling thread does not own the store (checking builds). */
void store_check_owner(const struct store *st, const char *func);
#ifdef STORE_CHECK_OWNER
#define STORE_OWNED(st) store_check_owner((st), __func__)
#else
#define STORE_OWNED(st) ((void)0)
#endif

/* Prepares the n statements of text[] into q[] (persistent): 0, or -1
 * with st->err set ("database error (prepare what): ...") and every one
 * of them finalized (NULL).  store_finalize_all finalizes n of them. */
int store_prepare_all(struct store *st, const char *const *text, int n,
    sqlite3_stmt **q, const char *what);
void store_finalize_all(sqlite3_stmt **q, int n);

/* "database error (what): message" into st->err; returns -1. */
int store_fail_db(struct store *st, const char *what);

#endif
