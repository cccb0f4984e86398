/* SPDX-License-Identifier: MIT */
/*
 * store.h: the one owner of the database in dmarc-ingest.  Opens it
 * (schema/db.c: create, migrate, refuse a database that is not ours) and
 * runs every SQL statement of the program: reports, records and ingest
 * failures written with prepared statements (store.c), and the maintenance
 * commands, listing, forgetting and retrying failures, pruning, statistics
 * (store_admin.c).  Reports arrive record by record from the streaming
 * parser; each report sits in its own savepoint inside a batch
 * transaction, so it is stored whole or not at all.  The kept bytes of a
 * failure are compressed here and uncompressed here: their format is the
 * store's alone.  Knows SQLite and the structs of report.h, nothing of
 * libxml2; no SQLite type appears in this header.  A report known whole
 * before it is stored (store_report_start_whole) goes without a savepoint.
 *
 * One thread at a time: the store belongs to the thread that opened it
 * until that thread calls store_release; then to the thread that calls
 * store_adopt.  Debug and sanitizer builds check the owner at every entry
 * point and abort on a call from another thread.
 */
#ifndef DM_STORE_H
#define DM_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "provenance.h"
#include "report.h"

struct store;

enum store_outcome {
	STORE_NEW,
	STORE_DUPLICATE
};

enum store_mode {
	STORE_CREATE,		/* ingest: create the database when there is none */
	STORE_EXISTING		/* a maintenance command: never create one */
};

/*
 * Opens the database at `path` (NULL: $DMARC_DB, else ./dmarc.db) and
 * prepares the statements.  NULL with a one-line reason in err: the
 * database cannot be opened, is not a dmarc-tools database (left
 * untouched), or (STORE_EXISTING) does not exist: "no database at 'PATH'",
 * and nothing is created.
 */
struct store *store_open(const char *path, enum store_mode mode, char *err,
    size_t errlen) __attribute__((warn_unused_result));
/* Closes the database too. */
void store_close(struct store *st);

/* Ownership: the owner gives the store up, and another thread takes it
 * (see above).  A hand-over needs a happens-before between the two calls
 * (thread creation or join, a mutex). */
void store_release(struct store *st);
void store_adopt(struct store *st);

/* The batch transaction: store_begin opens one, store_commit ends it.
 * Reports and failures must be written inside one. */
int store_begin(struct store *st) __attribute__((warn_unused_result));
int store_commit(struct store *st) __attribute__((warn_unused_result));

/* One report: start, then records, then end (or abort).  Returns 0 or -1
 * on a database error (store_error says why; such errors are fatal to the
 * run, unlike a bad payload). */
int store_report_start(struct store *st, const struct store_provenance *prov)
    __attribute__((warn_unused_result));
/* The same for a report whose end is known: `whole` is the report that
 * store_report_end will get (it must stay valid until then), and the
 * caller will not abort it.  The store can then write it without a
 * savepoint; it is still stored whole or not at all (a database error is
 * fatal to the batch, which is not committed). */
int store_report_start_whole(struct store *st,
    const struct store_provenance *prov, const struct dm_report *whole)
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
 * and reason are updated (and it is unresolved again) and *failed_before is
 * set to 1.  Returns the failure id, or -1 on a database error.
 */
int64_t store_failure(struct store *st, const struct store_provenance *prov,
    const char *reason, const unsigned char *payload, size_t len,
    uint64_t size, const char *sha256_hex, int *failed_before);

/* Marks a failure as resolved (a retry stored it). */
int store_failure_resolve(struct store *st, int64_t id)
    __attribute__((warn_unused_result));

/* --- retrying failures -------------------------------------------------- */

/* A failure's kept payload, uncompressed, with its provenance. */
struct store_kept {
	int64_t id;
	struct store_provenance prov;	/* strings owned by the struct */
	unsigned char *payload;		/* NULL unless STORE_KEPT_OK */
	size_t len;
};

enum store_kept_status {
	STORE_KEPT_OK,
	STORE_KEPT_NONE,	/* too large to keep when it failed */
	STORE_KEPT_DAMAGED,	/* the kept bytes do not uncompress */
	STORE_KEPT_GONE		/* no such failure, or resolved */
};

/* The ids of the unresolved failures, oldest first, in *ids (malloc'd,
 * the caller frees).  0 or -1. */
int store_failure_ids(struct store *st, int64_t **ids, size_t *n)
    __attribute__((warn_unused_result));
/* Loads failure `id` into *k (freed with store_kept_free, also after an
 * error).  Returns a store_kept_status, or -1 on a database error. */
int store_failure_load(struct store *st, int64_t id, struct store_kept *k)
    __attribute__((warn_unused_result));
void store_kept_free(struct store_kept *k);
/* A retry stored part of failure `id`: one more attempt, and `reason`.
 * With `resolved`, the rest is recorded as failures of its own, so the
 * failure is resolved; else it stays open.  0 or -1. */
int store_failure_retried(struct store *st, int64_t id, const char *reason,
    int resolved) __attribute__((warn_unused_result));

/* --- maintenance commands (store_admin.c) ------------------------------- */

/* One unresolved failure, as --list-failed shows it (strings borrowed for
 * the callback's duration). */
struct store_failure_row {
	int64_t id;
	int64_t first_seen, last_seen;	/* epoch seconds */
	int64_t attempts;
	int64_t bytes;			/* the payload's full size */
	int kept;			/* its bytes are in the database */
	const char *input_name;
	const char *reason;
};

/* Calls `row` for each unresolved failure, oldest first; a non-zero return
 * stops.  0, or -1 on a database error. */
int store_list_failures(struct store *st,
    int (*row)(void *ctx, const struct store_failure_row *r), void *ctx)
    __attribute__((warn_unused_result));

/* Deletes failure `id`: 0, 1 when there is no such failure, -1. */
int store_forget_failure(struct store *st, int64_t id)
    __attribute__((warn_unused_result));

/* Deletes the reports that begin before `before` (epoch seconds), their
 * records and the per-day source totals of those days, in one
 * transaction.  0 or -1. */
int store_prune(struct store *st, int64_t before, uint64_t *reports,
    uint64_t *records) __attribute__((warn_unused_result));

/* What the database holds for one policy domain. */
struct store_domain_stats {
	const char *domain;		/* borrowed for the callback */
	uint64_t reports, reporters, records, messages;
	int64_t first, last;		/* the earliest begin, latest end */
};

/* Calls `row` per policy domain, most messages first.  0 or -1. */
int store_domain_stats(struct store *st,
    int (*row)(void *ctx, const struct store_domain_stats *s), void *ctx)
    __attribute__((warn_unused_result));

/* The last error (database or memory). */
const char *store_error(const struct store *st);

#endif
