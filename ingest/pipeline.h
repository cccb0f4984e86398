/* SPDX-License-Identifier: MIT */
/*
 * pipeline.h: drives one payload through sniff, unpack, parse and store,
 * and records it as a failure when it cannot be stored.  A payload (a
 * file, stdin, a zip member, later a mail part) succeeds or fails as a
 * whole; a zip is a container whose members are payloads of their own.
 * Parsing runs on the caller's thread, storing on a writer thread
 * (writer.h).  Owns the batch transaction of the store it is given
 * (commits every few hundred reports and in pipeline_flush), and the store
 * itself from pipeline_new to pipeline_free: it belongs to the writer's
 * thread then, and the caller must not use it.  Prints nothing:
 * diagnostics go to the caller's callback.
 */
#ifndef DM_PIPELINE_H
#define DM_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "dm_limits.h"
#include "provenance.h"

struct store;
struct pipeline;

struct pipeline_stats {
	uint64_t reports_new;
	uint64_t reports_duplicate;
	uint64_t records_new;
	uint64_t messages_new;
	uint64_t records_skipped;	/* records of stored reports skipped as unusable */
	uint64_t failed;		/* payloads that newly failed */
	uint64_t failed_before;		/* payloads that failed in an earlier run too */
	uint64_t warnings;
	uint64_t messages_scanned;	/* mail messages read */
	uint64_t messages_without_report;
	uint64_t other_reports;		/* TLS reports, DMARC failure reports */
};

enum pipeline_level {
	PIPE_WARNING,	/* the payload was stored, with something odd */
	PIPE_NOTE,	/* a payload that failed before fails again */
	PIPE_ERROR	/* the payload newly failed */
};

struct pipeline_callbacks {
	void *ctx;
	/* One line about a payload: `input` names it ("path", "path:member",
	 * "-"), `msg` says what happened. */
	void (*diag)(void *ctx, enum pipeline_level level, const char *input,
	    const char *msg);
};

/* Takes the store over (see above) until pipeline_free.  NULL when out of
 * memory (the caller keeps the store). */
struct pipeline *pipeline_new(struct store *st, const struct dm_limits *l,
    const struct pipeline_callbacks *cb);

/*
 * Each runs one input and returns 0, or -1 on a fatal error (the database
 * cannot be written: pipeline_error says why, and the run must stop).  A
 * payload that fails is not a fatal error: it is recorded and counted.
 */
/* A file; `name` is how it is reported (NULL: the path). */
int pipeline_file(struct pipeline *p, const char *path, const char *name)
    __attribute__((warn_unused_result));
/* Standard input, spooled to a temporary file (capped by input-bytes). */
int pipeline_stdin(struct pipeline *p) __attribute__((warn_unused_result));
/* Bytes in memory (a failure being retried, a mail part).  `prov` gives
 * the name and the mail provenance.  *ok (may be NULL) is set to 1 when
 * every payload in it was stored or was a duplicate. */
int pipeline_mem(struct pipeline *p, const unsigned char *buf, size_t len,
    const struct store_provenance *prov, int *ok)
    __attribute__((warn_unused_result));

/* What became of a retried failure. */
enum pipeline_retry_outcome {
	PIPE_RETRY_STORED,	/* all of it stored (or duplicates): resolved */
	PIPE_RETRY_SPLIT,	/* part stored, and what still fails recorded as
				 * failures of their own, with their bytes: resolved */
	PIPE_RETRY_PARTLY,	/* part stored, but what still fails could not
				 * keep its bytes: this failure stays open */
	PIPE_RETRY_FAILED,	/* failed again as a whole (the failure is
				 * updated), or its bytes were not kept */
	PIPE_RETRY_GONE		/* no such unresolved failure */
};

struct pipeline_retry {
	enum pipeline_retry_outcome outcome;
	const char *input_name;	/* the failure's; valid until the next call */
	int64_t rest;		/* SPLIT, PARTLY: the first failure of the rest */
	unsigned rest_count;	/* and how many there are */
};

/*
 * Retries failure `id` of the store: its kept bytes go through the
 * pipeline like any input, under the name and provenance they had, and
 * the failure is resolved or updated in the same transaction as what was
 * stored, committed before this returns.  0, or -1 on a fatal error.
 */
int pipeline_retry(struct pipeline *p, int64_t id, struct pipeline_retry *r)
    __attribute__((warn_unused_result));

/* --- a message read from a mailbox (imap_ingest.c) ------------------- */

/* What became of one message: a report in it was new, all were
 * duplicates, it held none, or a payload of it failed (recorded). */
enum pipeline_msg_outcome {
	PIPE_MSG_STORED,
	PIPE_MSG_DUPLICATE,
	PIPE_MSG_NO_REPORT,
	PIPE_MSG_FAILED
};

/*
 * Runs one mail message held in memory like a message file, under `prov`,
 * in a transaction of its own: what was stored from it and seal(st, arg,
 * outcome), called on the writer's thread (a negative return is a database
 * error), are committed together before this returns, or neither is.
 * *o gets the outcome.  0, or -1 on a fatal error.
 */
int pipeline_message(struct pipeline *p, const unsigned char *buf,
    size_t len, const struct store_provenance *prov,
    int (*seal)(struct store *st, void *arg, enum pipeline_msg_outcome o),
    void *arg, enum pipeline_msg_outcome *o)
    __attribute__((warn_unused_result));

/* Runs fn(store, arg) on the writer's thread (writer_call) and returns
 * what it returned; a negative return is fatal (pipeline_error). */
int pipeline_store_call(struct pipeline *p,
    int (*fn)(struct store *st, void *arg), void *arg)
    __attribute__((warn_unused_result));

/* Commits the open batch.  0 or -1 (fatal). */
int pipeline_flush(struct pipeline *p) __attribute__((warn_unused_result));

void pipeline_get_stats(const struct pipeline *p, struct pipeline_stats *s);
const char *pipeline_error(const struct pipeline *p);

/* Frees; an uncommitted batch is committed first when possible.  The
 * store is the caller's again. */
void pipeline_free(struct pipeline *p);

#endif
