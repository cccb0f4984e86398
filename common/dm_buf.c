/* SPDX-License-Identifier: MIT */
/* dm_buf.c: the capped growable byte buffer (see dm_buf.h). */
#include "dm_buf.h"

#include <stdlib.h>
#include <string.h>

void
dm_buf_init(struct dm_buf *b, size_t cap)
{
	memset(b, 0, sizeof *b);
	b->cap = cap;
}

static int
dm_buf_failed(struct dm_buf *b, enum dm_buf_state why)
{
	free(b->data);
	b->data = NULL;
	b->len = b->alloc = 0;
	b->state = why;
	return -1;
}

int
dm_buf_add(struct dm_buf *b, const void *p, size_t n)
{
	unsigned char *nd;
	size_t want;

	if (b->state != DM_BUF_OK)
		return -1;
	if (n > b->cap || b->len > b->cap - n)
		return dm_buf_failed(b, DM_BUF_OVER);
	if (b->len + n + 1 > b->alloc) {
		want = b->alloc ? b->alloc : 4096;
		while (want < b->len + n + 1)
			want = want > (size_t)-1 / 2 ? b->len + n + 1 : want * 2;
		/* never more than the cap (and its NUL) needs */
		if (b->cap < (size_t)-1 && want > b->cap + 1)
			want = b->cap + 1;
		if ((nd = realloc(b->data, want)) == NULL)
			return dm_buf_failed(b, DM_BUF_NOMEM);
		b->data = nd;
		b->alloc = want;
	}
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

void
dm_buf_reset(struct dm_buf *b)
{
	b->len = 0;
	b->state = DM_BUF_OK;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void
dm_buf_free(struct dm_buf *b)
{
	free(b->data);
	dm_buf_init(b, b->cap);
}
