/* SPDX-License-Identifier: MIT */
/*
 * mbox.h: where the messages of an mbox begin.  Exports in the mboxo format
 * leave body lines that start with "From " unescaped, so such a line is a
 * message separator only when all of these hold:
 *   - it starts the file or follows a blank line;
 *   - it is a postmark, "From SENDER DATE", with an asctime-style date
 *     ("Fri Jul  8 12:08:34 2011", also "Fri Jul 08 12:08:34 2011",
 *     "Fri Jul  8 12:08:34 +0000 2011", "... 2011 +0000", "... EST 2011",
 *     seconds optional);
 *   - the next line starts a header block ("Name: value").
 * Any other line is body.  The first message of a file starts at its first
 * line, whatever that line holds (the sniffer saw "From " there).  The
 * module reads the bytes through the caller's reader and owns no memory.
 */
#ifndef DM_MBOX_H
#define DM_MBOX_H

#include <stddef.h>
#include <stdint.h>

/* A postmark line, or a header field name with its colon, longer than this
 * is body (RFC 5322 lines are at most 998 characters). */
#define MBOX_LINE_MAX 1000

/* The smallest window a reader must offer: the blank line before a
 * postmark, the postmark and the start of the header line after it. */
#define MBOX_WINDOW_MIN (2 * MBOX_LINE_MAX + 16)

/* Is line (len bytes, without its LF or CRLF) a postmark? */
int mbox_postmark(const unsigned char *line, size_t len);

/* Does line (len bytes, maybe more follow) start with a header field name
 * and its colon?  1 yes, 0 no, -1 the len bytes cannot tell. */
int mbox_header_start(const unsigned char *line, size_t len);

/*
 * Is there a separator at offset i of buf[0, len)?  Bytes before i (the
 * blank line) are read from buf: i >= 3, or buf[0] starts a line (i = 0:
 * the start of the file).  eof: buf ends where the file ends.  1 yes, 0
 * no, -1 (only without eof) the bytes after i do not tell: ask again with
 * more.
 */
int mbox_separator_at(const unsigned char *buf, size_t len, size_t i, int eof);

/*
 * The bytes [off, off + n) of the input: a pointer into the caller's memory
 * or into buf (which has room for n bytes); NULL on a read error with errno
 * set.  n never passes the input's end.
 */
typedef const unsigned char *(*mbox_read_fn)(void *ctx, uint64_t off,
    size_t n, unsigned char *buf);

struct mbox_input {
	mbox_read_fn read;
	void *ctx;
	uint64_t size;		/* bytes of input */
	unsigned char *buf;	/* a window for read */
	size_t bufsize;		/* at least MBOX_WINDOW_MIN */
};

/*
 * The offset of the first message (its "From " line; only white space may
 * come before it) in *first, or size when there is only white space.
 * Returns 0, -1 on a read error (errno set), -2 when the input does not
 * start with a "From " line.
 */
int mbox_first(const struct mbox_input *in, uint64_t *first)
    __attribute__((warn_unused_result));

/*
 * The offset of the separator after the message that starts at pos (its
 * end) in *next, or size.  In *joined (unless NULL), the offset of the
 * first line before it that would be a separator but for the blank line
 * (an mbox written without blank lines joins messages there), or
 * UINT64_MAX.  Returns 0, or -1 on a read error (errno set).
 */
int mbox_next(const struct mbox_input *in, uint64_t pos, uint64_t *next,
    uint64_t *joined) __attribute__((warn_unused_result));

/*
 * The offset just after the line that starts at pos (after its LF), no
 * further than end, in *after.  Returns 0, or -1 on a read error.
 */
int mbox_line_end(const struct mbox_input *in, uint64_t pos, uint64_t end,
    uint64_t *after) __attribute__((warn_unused_result));

#endif
