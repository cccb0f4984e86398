/* SPDX-License-Identifier: MIT */
/*
 * dm_buf.h: a growable byte buffer with a hard cap.  It owns its bytes;
 * an append that would pass the cap (or cannot get memory) frees them and
 * leaves the buffer failed, so a caller that forgets a check still cannot
 * grow it past the cap.  The bytes are always followed by a NUL, not
 * counted in len, so text can be read as a C string.
 */
#ifndef DM_BUF_H
#define DM_BUF_H

#include <stddef.h>

enum dm_buf_state {
	DM_BUF_OK,
	DM_BUF_OVER,		/* an append passed the cap */
	DM_BUF_NOMEM
};

struct dm_buf {
	unsigned char *data;	/* NULL until the first append */
	size_t len, alloc;
	size_t cap;		/* most bytes it may hold */
	enum dm_buf_state state;
};

/* An empty buffer that may hold up to `cap` bytes. */
void dm_buf_init(struct dm_buf *b, size_t cap);
/* Appends n bytes: 0, or -1 (the buffer is freed and failed: state says
 * why, and every later append fails too). */
int dm_buf_add(struct dm_buf *b, const void *p, size_t n)
    __attribute__((warn_unused_result));
/* Empties it (keeps the memory and the cap; clears a failure). */
void dm_buf_reset(struct dm_buf *b);
void dm_buf_free(struct dm_buf *b);

#endif
