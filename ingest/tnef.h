/* SPDX-License-Identifier: MIT */
/*
 * tnef.h: the attachments of a TNEF stream (the winmail.dat that Outlook
 * and Exchange send as application/ms-tnef, MS-OXTNEF): each attachment's
 * title (attAttachTitle) and bytes (attAttachData), in order.  Only these
 * legacy attributes are read; the MAPI properties, the message body and
 * the checksums are passed by.  Works over the caller's bytes, which it
 * never copies or frees; an attachment's data points into them.
 */
#ifndef DM_TNEF_H
#define DM_TNEF_H

#include <stddef.h>

#define TNEF_SIGNATURE 0x223E9F78u

/* Attribute ids (type in the high word) and levels. */
#define TNEF_LVL_MESSAGE 1
#define TNEF_LVL_ATTACHMENT 2
#define TNEF_ATT_ATTACH_RENDDATA 0x00069002u	/* starts an attachment */
#define TNEF_ATT_ATTACH_TITLE 0x00018010u	/* its file name */
#define TNEF_ATT_ATTACH_DATA 0x0006800Fu	/* its bytes */

struct tnef_reader {
	const unsigned char *p;
	size_t len, pos;
	int started;		/* an attachment's attributes are being read */
	char error[128];	/* why tnef_open or tnef_next failed */
};

struct tnef_attachment {
	char name[256];			/* "" when it has no title */
	const unsigned char *data;	/* NULL and 0 when it has no data */
	size_t len;
};

/* Checks the signature.  0, or -1 with r->error. */
int tnef_open(struct tnef_reader *r, const unsigned char *p, size_t len)
    __attribute__((warn_unused_result));

/* The next attachment: 1, 0 at the end, -1 when the stream is cut or
 * malformed (r->error). */
int tnef_next(struct tnef_reader *r, struct tnef_attachment *a)
    __attribute__((warn_unused_result));

#endif
