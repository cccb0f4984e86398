/* SPDX-License-Identifier: MIT */
/*
 * fuzz_mbox.c: libFuzzer harness over the mbox splitter (mbox.h): the split
 * of a buffer read whole must equal its split through a small window (the
 * first byte picks its size), every separator found obeys the rule, and
 * a line that would be a separator but for the blank line is inside its
 * message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mbox.h"

/* The window's bytes at the end of its allocation, so that a read past
 * them is out of bounds for the sanitizer. */
static const unsigned char *
window_read(void *ctx, uint64_t off, size_t n, unsigned char *buf)
{
	const unsigned char *data = ctx;
	size_t cap = MBOX_WINDOW_MIN + 255 * 7;

	memcpy(buf + cap - n, data + off, n);
	return buf + cap - n;
}

static const unsigned char *
whole_read(void *ctx, uint64_t off, size_t n, unsigned char *buf)
{
	(void)n, (void)buf;
	return (const unsigned char *)ctx + off;
}

/* The message starts in out, and where each may join two messages in
 * joined (room for size each); their count, or -1. */
static long
split(struct mbox_input *in, uint64_t *out, uint64_t *joined)
{
	uint64_t pos, next;
	long k = 0;

	if (mbox_first(in, &pos) != 0)
		return -1;
	while (pos < in->size) {
		out[k] = pos;
		if (mbox_next(in, pos, &next, &joined[k]) != 0 ||
		    next <= pos || next > in->size ||
		    (joined[k] != UINT64_MAX &&
		    (joined[k] <= pos || joined[k] >= next)))
			abort();
		k++;
		pos = next;
	}
	return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mbox_input whole, win;
	uint64_t *a, *b, *ja, *jb;
	size_t cap = MBOX_WINDOW_MIN + 255 * 7, i, j;
	long na, nb;

	if (size < 1)
		return 0;
	memset(&whole, 0, sizeof whole);
	whole.read = whole_read;
	whole.ctx = (void *)(uintptr_t)(data + 1);
	whole.size = size - 1;
	whole.bufsize = size > MBOX_WINDOW_MIN ? size : MBOX_WINDOW_MIN;
	win = whole;
	win.read = window_read;
	win.bufsize = MBOX_WINDOW_MIN + (size_t)data[0] * 7;
	a = malloc(size * sizeof *a);
	b = malloc(size * sizeof *b);
	ja = malloc(size * sizeof *ja);
	jb = malloc(size * sizeof *jb);
	win.buf = malloc(cap);
	if (a == NULL || b == NULL || ja == NULL || jb == NULL ||
	    win.buf == NULL)
		abort();
	na = split(&whole, a, ja);
	nb = split(&win, b, jb);
	if (na != nb || (na > 0 && (memcmp(a, b, (size_t)na * sizeof *a) != 0 ||
	    memcmp(ja, jb, (size_t)na * sizeof *ja) != 0)))
		abort();
	for (i = 1; i < (size_t)(na > 0 ? na : 0); i++)
		if (mbox_separator_at(data + 1, size - 1, (size_t)a[i], 1) != 1)
			abort();
	/* each line alone, as a postmark and as a header */
	for (i = 1; i < size; i = j + 1) {
		for (j = i; j < size && data[j] != '\n'; j++)
			;
		(void)mbox_postmark(data + i, j - i);
		(void)mbox_header_start(data + i, j - i);
	}
	free(a);
	free(b);
	free(ja);
	free(jb);
	free(win.buf);
	return 0;
}
