/* SPDX-License-Identifier: MIT */
/*
 * stream.h: a pull byte stream, the one type that carries payload bytes
 * between walk, sniff, unpack and parse.  A stream owns what it wraps
 * (closing an inflate stream closes its source) unless said otherwise.
 * Errors are sticky: once read returns -1, stream_error says why and every
 * later read returns -1.
 */
#ifndef DM_STREAM_H
#define DM_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct stream;

struct stream_ops {
	/* Reads up to n bytes: >0 bytes read, 0 at the end, -1 on error (with
	 * the reason set through stream_fail). */
	ssize_t (*read)(struct stream *s, void *buf, size_t n);
	void (*close)(struct stream *s);
};

struct stream {
	const struct stream_ops *ops;
	void *impl;
	uint64_t total;		/* bytes returned so far */
	uint64_t cap;		/* fail once more than this was read; 0 = none */
	const char *cap_name;	/* the limit named in that failure */
	int failed;
	char err[256];
	/* peek buffer used by stream_peek */
	unsigned char *peekbuf;
	size_t peeklen, peekpos;
};

/* Reads through the stream's ops, honouring peeked bytes, the cap and the
 * sticky error. */
ssize_t stream_read(struct stream *s, void *buf, size_t n)
    __attribute__((warn_unused_result));

/* Fills buf with up to n leading bytes without consuming them (only before
 * the first stream_read).  Returns the count available (less than n only at
 * the end of the stream), or -1. */
ssize_t stream_peek(struct stream *s, unsigned char *buf, size_t n);

/* Makes the stream fail once more than `cap` bytes were read from it, with
 * the message "limit NAME exceeded (more than CAP bytes)". */
void stream_set_cap(struct stream *s, uint64_t cap, const char *limit_name);

/* Sets the sticky error (printf-style) and returns -1. */
int stream_fail(struct stream *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

const char *stream_error(const struct stream *s);

/* Reads the rest of the stream into a malloc'd buffer, failing past `max`
 * bytes.  Returns 0 with *out and *len set, or -1 (stream error set). */
int stream_slurp(struct stream *s, uint64_t max, unsigned char **out,
    size_t *len) __attribute__((warn_unused_result));

/* Closes and frees; NULL-safe. */
void stream_close(struct stream *s);

/* Constructors; each returns NULL only when out of memory. */
struct stream *stream_from_fd(int fd, int close_fd);
/* Reads `len` bytes at `buf`; the buffer is borrowed, not copied. */
struct stream *stream_from_mem(const void *buf, size_t len);
/* Allocates a stream with the given ops and implementation pointer. */
struct stream *stream_new(const struct stream_ops *ops, void *impl);

#endif
