/* SPDX-License-Identifier: MIT */
/*
 * store_imap.h: the store's side of reading an IMAP mailbox exactly once:
 * the table of the messages read (imap_seen), per server, login, mailbox
 * and UIDVALIDITY.  Part of the store (store.h: one thread at a time, the
 * owner's); a message's row is written inside the batch transaction that
 * holds what was stored from it, so both are committed or neither is.
 */
#ifndef DM_STORE_IMAP_H
#define DM_STORE_IMAP_H

#include <stdint.h>

struct store;

/* Which mailbox; the strings are borrowed. */
struct store_imap_box {
	const char *server;		/* "host:port", host lowercase */
	const char *user;
	const char *mailbox;
	uint32_t uidvalidity;
};

/* What became of a message read (the table's outcome column). */
enum store_imap_outcome {
	STORE_IMAP_STORED,		/* a report in it was new */
	STORE_IMAP_DUPLICATE,		/* every report in it was stored before */
	STORE_IMAP_NO_REPORT,		/* no DMARC aggregate report in it */
	STORE_IMAP_FAILED		/* recorded as a failure (ingest_failure) */
};

/* Calls `row` for each message of the mailbox read before (UIDVALIDITY
 * included), by UID; a non-zero return stops.  0, or -1 on a database
 * error (store_error). */
int store_imap_seen(struct store *st, const struct store_imap_box *box,
    int (*row)(void *ctx, uint32_t uid, enum store_imap_outcome o), void *ctx)
    __attribute__((warn_unused_result));

/* Records message `uid` as read, with its outcome, in the open batch
 * transaction (store_begin).  0 or -1. */
int store_imap_mark(struct store *st, const struct store_imap_box *box,
    uint32_t uid, enum store_imap_outcome o)
    __attribute__((warn_unused_result));

#endif
