/* SPDX-License-Identifier: MIT */
/*
 * mail.h: finds the report attachments in mail, with GMime 3: one RFC 5322
 * message or an mbox (scanned message by message through a persistent
 * stream, never loaded whole; where messages begin is mbox.h's rule).
 * Every MIME part whose decoded bytes are gzip or zip, or XML whose root
 * element is <feedback>, or that claims to be a report by its name or type,
 * is handed to the caller, and so is every such attachment of a TNEF
 * winmail.dat; a message's own text or HTML body never is.  SMTP TLS
 * reports (RFC 8460) and DMARC failure reports (message/feedback-report)
 * are counted as other reports.  A message that yields nothing is an error
 * when it announces a report in its Subject (RFC 7489 7.2.1.1) or hides
 * its content (encrypted S/MIME or PGP/MIME).
 * Knows nothing of XML parsing or SQLite.  Data passed to callbacks is
 * owned by the module and valid only during the call.
 */
#ifndef DM_MAIL_H
#define DM_MAIL_H

#include <stddef.h>
#include <stdint.h>

#include "dm_limits.h"

/* What the caller needs to name a message and find it again. */
struct mail_message {
	const char *message_id;	/* without <>, or NULL */
	const char *date;	/* the Date header as written, or NULL */
	const char *from;	/* the From header, RFC 2047 decoded, or NULL */
	const char *subject;	/* RFC 2047 decoded (UTF-8), or NULL */
	int64_t offset;		/* mbox: byte offset of its "From " line; -1 otherwise */
	uint64_t index;		/* 1-based position in the mbox (1 for a message file) */
	uint64_t size;		/* bytes of the message as stored (mbox: to the next "From ") */
};

struct mail_part {
	const unsigned char *data;	/* decoded bytes (base64, quoted-printable undone) */
	size_t len;
	const char *name;		/* filename (RFC 2047/2231 decoded) or NULL */
	const char *content_type;	/* "type/subtype", lowercase */
	unsigned index;			/* 1-based among the message's leaf parts */
	int claims_report;		/* its name or type says report, whatever its bytes */
};

struct mail_callbacks {
	void *ctx;
	/* A report candidate.  Return 0 to go on, -1 to stop the scan. */
	int (*report_part)(void *ctx, const struct mail_message *m,
	    const struct mail_part *p);
	/*
	 * The message is done.  `reports`: candidates handed over; `other`:
	 * TLS or failure reports seen.  `error` is NULL, or why the message
	 * itself could not be read (over the message-bytes limit, a part over
	 * the input-bytes limit, not parseable as mail, a broken TNEF part,
	 * encrypted, a report announced and none found): one line, naming the
	 * limit when one was hit.  Return 0 to go on, -1 to stop.
	 */
	int (*message_done)(void *ctx, const struct mail_message *m,
	    unsigned reports, unsigned other, const char *error);
};

/* Once per process, before any scan (g_mime_init). */
void mail_global_init(void);

/*
 * Scans a message file (mbox = 0) or an mbox file (mbox = 1), or the same
 * from memory.  Returns 0 when the whole input was read (message-level
 * problems go to message_done and do not stop the scan), -1 when it could
 * not be opened or read at all, or a callback stopped it, with a reason in
 * err.  Memory stays bounded by the message-bytes limit whatever the size
 * of the mbox.
 */
int mail_scan_file(const char *path, int mbox, const struct dm_limits *l,
    const struct mail_callbacks *cb, char *err, size_t errlen)
    __attribute__((warn_unused_result));
int mail_scan_mem(const unsigned char *buf, size_t len, int mbox,
    const struct dm_limits *l, const struct mail_callbacks *cb, char *err,
    size_t errlen) __attribute__((warn_unused_result));

#endif
