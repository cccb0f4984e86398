/* SPDX-License-Identifier: MIT */
/* stream.c: the pull byte stream, with peek, a byte cap and a sticky error. */
#include "stream.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Largest single read asked of the ops (read(2) takes at most SSIZE_MAX). */
#define STREAM_MAX_CHUNK ((size_t)1 << 30)

int
stream_fail(struct stream *s, const char *fmt, ...)
{
	va_list ap;

	if (s->failed)		/* the first reason is the one that counts */
		return -1;
	va_start(ap, fmt);
	vsnprintf(s->err, sizeof s->err, fmt, ap);
	va_end(ap);
	s->failed = 1;
	return -1;
}

const char *
stream_error(const struct stream *s)
{
	return s->failed ? s->err : NULL;
}

void
stream_set_cap(struct stream *s, uint64_t cap, const char *limit_name)
{
	s->cap = cap;
	s->cap_name = limit_name;
}

/* One read through the ops, turning a silent -1 into a generic reason. */
static ssize_t
ops_read(struct stream *s, void *buf, size_t n)
{
	ssize_t r;

	if (n > STREAM_MAX_CHUNK)
		n = STREAM_MAX_CHUNK;
	r = s->ops->read(s, buf, n);
	if (r < 0) {
		stream_fail(s, "read error");
		return -1;
	}
	return r;
}

static int
cap_fail(struct stream *s)
{
	return stream_fail(s, "limit %s exceeded (more than %" PRIu64 " bytes)",
	    s->cap_name ? s->cap_name : "size", s->cap);
}

ssize_t
stream_read(struct stream *s, void *buf, size_t n)
{
	ssize_t r;
	size_t avail;

	if (s->failed)
		return -1;
	if (n == 0)
		return 0;
	/* Ask for at most one byte past the cap, so that crossing it is seen
	 * in the read that crosses it. */
	if (s->cap != 0) {
		if (s->total > s->cap)	/* a cap set below what was read */
			return cap_fail(s);
		if (s->cap - s->total < n)
			n = (size_t)(s->cap - s->total) + 1;
	}
	if (s->peekpos < s->peeklen) {
		avail = s->peeklen - s->peekpos;
		if (avail > n)
			avail = n;
		memcpy(buf, s->peekbuf + s->peekpos, avail);
		s->peekpos += avail;
		r = (ssize_t)avail;
	} else {
		r = ops_read(s, buf, n);
		if (r <= 0)
			return r;
	}
	s->total += (uint64_t)r;
	if (s->cap != 0 && s->total > s->cap)
		return cap_fail(s);
	return r;
}

ssize_t
stream_peek(struct stream *s, unsigned char *buf, size_t n)
{
	size_t have;
	unsigned char *nb;
	ssize_t r;

	if (s->failed)
		return -1;
	have = s->peeklen - s->peekpos;
	if (have < n) {
		/* Keep the unread peeked bytes at the front of a buffer of n. */
		if (s->peekpos > 0 && have > 0)
			memmove(s->peekbuf, s->peekbuf + s->peekpos, have);
		s->peekpos = 0;
		s->peeklen = have;
		nb = realloc(s->peekbuf, n);
		if (nb == NULL)
			return stream_fail(s, "out of memory");
		s->peekbuf = nb;
		while (s->peeklen < n) {
			r = ops_read(s, s->peekbuf + s->peeklen, n - s->peeklen);
			if (r < 0)
				return -1;
			if (r == 0)
				break;
			s->peeklen += (size_t)r;
		}
		have = s->peeklen;
	}
	if (have > n)
		have = n;
	memcpy(buf, s->peekbuf + s->peekpos, have);
	return (ssize_t)have;
}

int
stream_slurp(struct stream *s, uint64_t max, unsigned char **out, size_t *len)
{
	unsigned char *buf = NULL, *nb;
	size_t size = 0, used = 0, want;
	ssize_t r;

	*out = NULL;
	*len = 0;
	if (max >= SIZE_MAX - 1)
		max = SIZE_MAX - 2;
	for (;;) {
		if (used == size) {
			if (size > max) {	/* read max + 1 bytes: too many */
				free(buf);
				return stream_fail(s, "input larger than %" PRIu64
				    " bytes", max);
			}
			size = size == 0 ? 64 * 1024 : size * 2;
			if (size > max + 1 || size < used)
				size = (size_t)max + 1;
			nb = realloc(buf, size + 1);
			if (nb == NULL) {
				free(buf);
				return stream_fail(s, "out of memory");
			}
			buf = nb;
		}
		want = size - used;
		r = stream_read(s, buf + used, want);
		if (r < 0) {
			free(buf);
			return -1;
		}
		if (r == 0)
			break;
		used += (size_t)r;
	}
	buf[used] = '\0';	/* a convenience for text; not counted in len */
	*out = buf;
	*len = used;
	return 0;
}

void
stream_close(struct stream *s)
{
	if (s == NULL)
		return;
	if (s->ops != NULL && s->ops->close != NULL)
		s->ops->close(s);
	free(s->peekbuf);
	free(s);
}

struct stream *
stream_new(const struct stream_ops *ops, void *impl)
{
	struct stream *s = calloc(1, sizeof *s);

	if (s == NULL)
		return NULL;
	s->ops = ops;
	s->impl = impl;
	return s;
}

/* File descriptors. */

struct fd_impl {
	int fd;
	int close_fd;
};

static ssize_t
fd_read(struct stream *s, void *buf, size_t n)
{
	struct fd_impl *f = s->impl;
	ssize_t r;

	do
		r = read(f->fd, buf, n);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return stream_fail(s, "read error: %s", strerror(errno));
	return r;
}

static void
fd_close(struct stream *s)
{
	struct fd_impl *f = s->impl;

	if (f->close_fd)
		close(f->fd);
	free(f);
}

static const struct stream_ops fd_ops = { fd_read, fd_close };

/* On failure (out of memory) the descriptor is still closed when close_fd
 * says the stream was to own it. */
struct stream *
stream_from_fd(int fd, int close_fd)
{
	struct fd_impl *f = malloc(sizeof *f);
	struct stream *s;

	if (f == NULL || (s = stream_new(&fd_ops, f)) == NULL) {
		free(f);
		if (close_fd)
			close(fd);
		return NULL;
	}
	f->fd = fd;
	f->close_fd = close_fd;
	return s;
}

/* Memory. */

struct mem_impl {
	const unsigned char *buf;
	size_t len, pos;
};

static ssize_t
mem_read(struct stream *s, void *buf, size_t n)
{
	struct mem_impl *m = s->impl;

	if (n > m->len - m->pos)
		n = m->len - m->pos;
	if (n > 0)
		memcpy(buf, m->buf + m->pos, n);
	m->pos += n;
	return (ssize_t)n;
}

static void
mem_close(struct stream *s)
{
	free(s->impl);
}

static const struct stream_ops mem_ops = { mem_read, mem_close };

struct stream *
stream_from_mem(const void *buf, size_t len)
{
	struct mem_impl *m = malloc(sizeof *m);
	struct stream *s;

	if (m == NULL || (s = stream_new(&mem_ops, m)) == NULL) {
		free(m);
		return NULL;
	}
	m->buf = buf;
	m->len = len;
	m->pos = 0;
	return s;
}
