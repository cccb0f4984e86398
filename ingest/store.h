/* SPDX-License-Identifier: MIT */
/*
 * store.h: writes reports, records and ingest failures into the database
 * with prepared statements.  Reports arrive record by record from the
 * streaming parser; each report sits in its own savepoint inside a batch
 * transaction, so it is stored whole or not at all.  Knows SQLite and the
 * structs of report.h, nothing of libxml2.  The store borrows the sqlite3
 * handle; the caller closes it after store_close.
 */
#ifndef DM_STORE_H
#define DM_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "report.h"

struct store;

/* Where a payload came from (all but input_name may be NULL). */
struct store_provenance {
	const char *input_name;		/* path, "path:member", "-" */
	const char *message_id;
	const char *message_date;
	const char *message_from;
	const char *message_subject;
	const char *mbox_path;
	int64_t mbox_offset;		/* -1 when not from an mbox */
};

enum store_outcome {
	STORE_NEW,
	STORE_DUPLICATE
};

/* Prepares the statements.  NULL with a reason in err on failure. */
struct store *store_open(sqlite3 *db, char *err, size_t errlen);
void store_close(struct store *st);

/* The batch transaction: store_begin opens one, store_commit ends it.
 * Reports and failures must be written inside one. */
int store_begin(struct store *st) __attribute__((warn_unused_result));
int store_commit(struct store *st) __attribute__((warn_unused_result));

/* One report: start, then records, then end (or abort).  Returns 0 or -1
 * on a database error (store_error says why; such errors are fatal to the
 * run, unlike a bad payload). */
int store_report_start(struct store *st, const struct store_provenance *prov)
    __attribute__((warn_unused_result));
int store_report_record(struct store *st, const struct dm_report *so_far,
    const struct dm_record *rec) __attribute__((warn_unused_result));
/* Finishes the report: new (committed to the savepoint's parent) or a
 * duplicate of one already stored (rolled back).  *records and *messages
 * get the report's stored totals (0 for a duplicate). */
int store_report_end(struct store *st, const struct dm_report *r,
    const char *xml_sha256, enum store_outcome *outcome, uint64_t *records,
    uint64_t *messages) __attribute__((warn_unused_result));
void store_report_abort(struct store *st);

/*
 * Records a payload that could not be stored.  `payload` (may be NULL when
 * too large to keep) holds `len` bytes; `size` is the payload's full size.
 * When a failure with the same payload hash exists, its last_seen, attempts
 * and reason are updated and *failed_before is set to 1.  Returns the
 * failure id, or -1 on a database error.
 */
int64_t store_failure(struct store *st, const struct store_provenance *prov,
    const char *reason, const unsigned char *payload, size_t len,
    uint64_t size, const char *sha256_hex, int *failed_before);

/* Marks a failure as resolved (a retry stored it). */
int store_failure_resolve(struct store *st, int64_t id)
    __attribute__((warn_unused_result));

/* The last database error. */
const char *store_error(const struct store *st);

#endif
