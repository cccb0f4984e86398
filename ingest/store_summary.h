/* SPDX-License-Identifier: MIT */
/*
 * store_summary.h: the store's upkeep of source_auth, the per-source
 * authentication outcomes (store_summary.c); seen by store.c only.
 */
#ifndef DM_STORE_SUMMARY_H
#define DM_STORE_SUMMARY_H

#include <sqlite3.h>
#include <stdint.h>

#include "report.h"

/* The statement store.c prepares with the others (S_SOURCE_AUTH). */
extern const char store_summary_sql[];

/*
 * Adds the outcomes of the records of report row `report` (the report r,
 * whose records are stored) to source_auth with the prepared statement s;
 * resets s.  Returns the SQLite result code, SQLITE_DONE on success.
 */
int store_summary_add(sqlite3_stmt *s, const struct dm_report *r,
    int64_t report);

#endif
