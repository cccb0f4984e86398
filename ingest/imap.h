/* SPDX-License-Identifier: MIT */
/*
 * imap.h: an IMAP client for one mailbox, on libcurl's IMAP support (no
 * protocol code of ours beyond reading a few untagged responses): log in,
 * list the UIDs, fetch one message whole into a capped buffer, move
 * messages away.  One libcurl handle, so one connection for the whole run.
 * Owns the handle and its copies of the URL parts.  The password never
 * comes from the URL (refused: it would show in ps and in cron mails) but
 * from the caller (DMARC_IMAP_PASSWORD), an OAuth2 bearer token (XOAUTH2),
 * or ~/.netrc, which libcurl reads.  Prints nothing: errors are one line
 * in imap_error, naming the server.
 */
#ifndef DM_IMAP_H
#define DM_IMAP_H

#include <stddef.h>
#include <stdint.h>

#include "dm_buf.h"

struct imap;

struct imap_conf {
	const char *url;		/* imap[s]://USER@HOST[:PORT]/MAILBOX */
	const char *ca_file;		/* a private CA (PEM), or NULL: the system's */
	int require_starttls;		/* imap://: fail without STARTTLS */
	long timeout;			/* seconds: connect, and a stalled transfer */
	const char *password;		/* or NULL: the bearer, else ~/.netrc */
	const char *bearer;		/* an OAuth2 token (XOAUTH2), or NULL */
};

/* Whether an argument names a mailbox (imap:// or imaps://). */
int imap_is_url(const char *arg);

/* libcurl's global init and cleanup: once, while no other thread runs. */
void imap_global_init(void);
void imap_global_cleanup(void);

/*
 * Checks the URL and prepares the handle; no network yet.  NULL with a
 * one-line reason in err: not an IMAP URL, a password in it, no user, a
 * query or parameters in it, out of memory.
 */
struct imap *imap_new(const struct imap_conf *c, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* The mailbox's identity: "host:port" (host lowercase), the login name,
 * the mailbox name (decoded; INBOX when the URL has none), and the URL
 * without the user, for names and provenance ("imaps://host/INBOX"). */
const char *imap_server(const struct imap *im);
const char *imap_user(const struct imap *im);
const char *imap_mailbox(const struct imap *im);
const char *imap_url(const struct imap *im);

/* Connects and logs in, and reads what the server can do (MOVE,
 * UIDPLUS).  0 or -1. */
int imap_connect(struct imap *im) __attribute__((warn_unused_result));

/* Opens the mailbox: its UIDVALIDITY, and the UIDs of its messages not
 * marked \Deleted, ascending, in *uids (malloc'd; the caller frees).  0
 * or -1 (no such mailbox, connection lost). */
int imap_list(struct imap *im, uint32_t *uidvalidity, uint32_t **uids,
    size_t *n) __attribute__((warn_unused_result));

enum imap_fetch_result {
	IMAP_FETCH_ERROR = -1,	/* connection lost, UIDVALIDITY changed... */
	IMAP_FETCH_OK = 0,	/* the whole message is in out */
	IMAP_FETCH_GONE,	/* no such message any more (expunged) */
	IMAP_FETCH_OVER		/* larger than out's cap: out holds the first
				 * cap bytes */
};

/* Fetches message `uid` whole into `out` (emptied first), without
 * setting \Seen.  The mailbox must still have `uidvalidity`. */
enum imap_fetch_result imap_fetch(struct imap *im, uint32_t uidvalidity,
    uint32_t uid, struct dm_buf *out) __attribute__((warn_unused_result));

/* Moves the messages `uids` (ascending) to `folder`, created when
 * missing: UID MOVE where the server has it, else UID COPY, \Deleted and
 * UID EXPUNGE of exactly those UIDs (refused without UIDPLUS).  0 or -1. */
int imap_move(struct imap *im, const uint32_t *uids, size_t n,
    const char *folder) __attribute__((warn_unused_result));

/* The last error, one line, or "". */
const char *imap_error(const struct imap *im);

/* Logs out and frees; NULL is fine. */
void imap_free(struct imap *im);

#endif
