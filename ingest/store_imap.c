/* SPDX-License-Identifier: MIT */
/* store_imap.c: the imap_seen table of the store (see store_imap.h). */
#include "store_imap.h"

#include <string.h>
#include <time.h>

#include "store_priv.h"

static const char *const outcome_name[] = {
	[STORE_IMAP_STORED] = "stored",
	[STORE_IMAP_DUPLICATE] = "duplicate",
	[STORE_IMAP_NO_REPORT] = "no-report",
	[STORE_IMAP_FAILED] = "failed"
};

static void
bind_box(sqlite3_stmt *s, const struct store_imap_box *box)
{
	sqlite3_bind_text(s, 1, box->server, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, box->user, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, box->mailbox, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)box->uidvalidity);
}

int
store_imap_seen(struct store *st, const struct store_imap_box *box,
    int (*row)(void *ctx, uint32_t uid, enum store_imap_outcome o), void *ctx)
{
	sqlite3_stmt *s = NULL;
	const char *name;
	int rc, i, o;

	STORE_OWNED(st);
	if (sqlite3_prepare_v2(st->db, "SELECT uid, outcome FROM imap_seen "
	    "WHERE server = ? AND user = ? AND mailbox = ? AND uidvalidity = ? "
	    "ORDER BY uid", -1, &s, NULL) != SQLITE_OK)
		return store_fail_db(st, "read imap_seen");
	bind_box(s, box);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		name = (const char *)sqlite3_column_text(s, 1);
		o = STORE_IMAP_FAILED;
		for (i = 0; name != NULL && i <= STORE_IMAP_FAILED; i++)
			if (strcmp(name, outcome_name[i]) == 0)
				o = i;
		if (row(ctx, (uint32_t)sqlite3_column_int64(s, 0),
		    (enum store_imap_outcome)o) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE) {
		store_fail_db(st, "read imap_seen");
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_finalize(s);
	return 0;
}

int
store_imap_mark(struct store *st, const struct store_imap_box *box,
    uint32_t uid, enum store_imap_outcome o)
{
	sqlite3_stmt *s = NULL;
	int rc;

	STORE_OWNED(st);
	if (sqlite3_prepare_v2(st->db, "INSERT INTO imap_seen (server, user, "
	    "mailbox, uidvalidity, uid, outcome, seen_at) VALUES (?, ?, ?, ?, "
	    "?, ?, ?) ON CONFLICT DO UPDATE SET outcome = excluded.outcome, "
	    "seen_at = excluded.seen_at", -1, &s, NULL) != SQLITE_OK)
		return store_fail_db(st, "insert imap_seen");
	bind_box(s, box);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)uid);
	sqlite3_bind_text(s, 6, outcome_name[o], -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)time(NULL));
	if ((rc = sqlite3_step(s)) != SQLITE_DONE)
		store_fail_db(st, "insert imap_seen");
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}
