/* SPDX-License-Identifier: MIT */
/*
 * imap_ingest.h: reads an IMAP mailbox into the database exactly once.
 * Lists the mailbox (imap.h), skips the UIDs the store has seen under the
 * mailbox's UIDVALIDITY (store_imap.h), fetches each other message and
 * runs it through the pipeline like a message file, with the mailbox URL
 * and the UID as its provenance; each message's row in imap_seen is
 * committed with what was stored from it (pipeline_message).  Then, with
 * a folder to move to, moves the messages read (in this run or before)
 * away.  Owns nothing beyond the call; prints nothing.
 *
 * For the test of a server lost in the middle of a run,
 * DMARC_IMAP_TEST_HOLD=N:FILE makes the run, after N messages committed,
 * create FILE and wait (up to 60 s) until FILE is removed.
 */
#ifndef DM_IMAP_INGEST_H
#define DM_IMAP_INGEST_H

#include <stddef.h>
#include <stdint.h>

struct imap;
struct pipeline;

struct imap_ingest_opts {
	const char *move_to;		/* --imap-move FOLDER, or NULL */
	const char *failed_to;		/* --imap-failed FOLDER, or NULL */
	uint64_t message_bytes;		/* the message-bytes limit */
};

struct imap_ingest_callbacks {
	void *ctx;
	/* before fetching message `done + 1` of `total` to read */
	void (*progress)(void *ctx, const char *url, uint64_t done,
	    uint64_t total);
};

struct imap_ingest_stats {
	uint64_t fetched;		/* messages downloaded */
	uint64_t moved;			/* messages moved to either folder */
};

enum imap_ingest_status {
	IMAP_INGEST_OK = 0,
	IMAP_INGEST_IMAP = -1,		/* the server or the connection: imap_error */
	IMAP_INGEST_FATAL = -2		/* the database: pipeline_error */
};

/* Reads the mailbox of `im` (not yet connected) through `p`.  Counts go
 * to *st (added to) also on an error: what was committed stays. */
enum imap_ingest_status imap_ingest_run(struct pipeline *p, struct imap *im,
    const struct imap_ingest_opts *o, const struct imap_ingest_callbacks *cb,
    struct imap_ingest_stats *st) __attribute__((warn_unused_result));

#endif
