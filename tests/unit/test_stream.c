/* SPDX-License-Identifier: MIT */
/* test_stream.c: the pull stream: peek, caps, sticky errors, slurp, fds. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>

#include "check.h"
#include "stream.h"

static const char text[] = "0123456789abcdefghijklmnopqrstuvwxyz";

static void
test_mem(void)
{
	struct stream *s = stream_from_mem(text, 36);
	char buf[64];
	ssize_t r;

	r = stream_read(s, buf, 10);
	CHECK_INT(r, 10);
	CHECK(memcmp(buf, "0123456789", 10) == 0);
	r = stream_read(s, buf, sizeof buf);
	CHECK_INT(r, 26);
	CHECK(memcmp(buf, text + 10, 26) == 0);
	CHECK_INT(stream_read(s, buf, sizeof buf), 0);
	CHECK_INT(stream_read(s, buf, sizeof buf), 0);
	CHECK_INT(s->total, 36);
	CHECK(stream_error(s) == NULL);
	stream_close(s);
	stream_close(NULL);
}

static void
test_peek(void)
{
	struct stream *s = stream_from_mem(text, 36);
	unsigned char p[64];
	char buf[64];
	ssize_t r;

	CHECK_INT(stream_peek(s, p, 4), 4);
	CHECK(memcmp(p, "0123", 4) == 0);
	/* a larger peek keeps the first one */
	CHECK_INT(stream_peek(s, p, 8), 8);
	CHECK(memcmp(p, "01234567", 8) == 0);
	CHECK_INT(s->total, 0);
	/* replayed by read, then the rest follows */
	CHECK_INT(stream_read(s, buf, 3), 3);
	CHECK(memcmp(buf, "012", 3) == 0);
	/* peek in the middle: the next bytes, not consumed */
	CHECK_INT(stream_peek(s, p, 10), 10);
	CHECK(memcmp(p, "3456789abc", 10) == 0);
	r = stream_read(s, buf, sizeof buf);
	CHECK(r > 0 && r <= 33);
	CHECK(memcmp(buf, text + 3, (size_t)r) == 0);
	stream_close(s);

	/* peek past the end: fewer bytes */
	s = stream_from_mem(text, 5);
	CHECK_INT(stream_peek(s, p, 64), 5);
	CHECK_INT(stream_read(s, buf, sizeof buf), 5);
	CHECK(memcmp(buf, "01234", 5) == 0);
	CHECK_INT(stream_read(s, buf, sizeof buf), 0);
	stream_close(s);

	s = stream_from_mem("", 0);
	CHECK_INT(stream_peek(s, p, 64), 0);
	CHECK_INT(stream_read(s, buf, sizeof buf), 0);
	stream_close(s);
}

static void
test_cap(void)
{
	struct stream *s;
	char buf[64];

	/* exactly the cap: fine */
	s = stream_from_mem(text, 36);
	stream_set_cap(s, 36, "input-bytes");
	CHECK_INT(stream_read(s, buf, sizeof buf), 36);
	CHECK_INT(stream_read(s, buf, sizeof buf), 0);
	CHECK(stream_error(s) == NULL);
	stream_close(s);

	/* one byte over, seen in the same read */
	s = stream_from_mem(text, 36);
	stream_set_cap(s, 35, "input-bytes");
	CHECK_INT(stream_read(s, buf, sizeof buf), -1);
	CHECK_STR(stream_error(s), "limit input-bytes exceeded (more than 35 bytes)");
	CHECK_INT(stream_read(s, buf, sizeof buf), -1);	/* sticky */
	stream_close(s);

	/* cap over peeked bytes */
	s = stream_from_mem(text, 36);
	CHECK_INT(stream_peek(s, (unsigned char *)buf, 20), 20);
	stream_set_cap(s, 10, "xml-bytes");
	CHECK_INT(stream_read(s, buf, 5), 5);
	CHECK_INT(stream_read(s, buf, 5), 5);
	CHECK_INT(stream_read(s, buf, 5), -1);
	CHECK_STR(stream_error(s), "limit xml-bytes exceeded (more than 10 bytes)");
	stream_close(s);

	/* a cap of UINT64_MAX does not wrap */
	s = stream_from_mem(text, 36);
	stream_set_cap(s, UINT64_MAX, "input-bytes");
	CHECK_INT(stream_read(s, buf, sizeof buf), 36);
	stream_close(s);

	/* a cap set below what was already read */
	s = stream_from_mem(text, 36);
	CHECK_INT(stream_read(s, buf, 20), 20);
	stream_set_cap(s, 10, "input-bytes");
	CHECK_INT(stream_read(s, buf, 1), -1);
	stream_close(s);
}

static void
test_fail(void)
{
	struct stream *s = stream_from_mem(text, 36);
	char buf[8];

	CHECK_INT(stream_fail(s, "bad %d", 42), -1);
	CHECK_STR(stream_error(s), "bad 42");
	stream_fail(s, "second");
	CHECK_STR(stream_error(s), "bad 42");	/* the first reason stays */
	CHECK_INT(stream_read(s, buf, sizeof buf), -1);
	CHECK_INT(stream_peek(s, (unsigned char *)buf, 4), -1);
	stream_close(s);
}

/* A stream of `left` bytes 'x' that fails without a reason when `left`
 * runs out, and counts its closes. */
static int closes;

static ssize_t
odd_read(struct stream *s, void *buf, size_t n)
{
	size_t *left = s->impl;

	if (*left == 0)
		return -1;
	if (n > *left)
		n = *left;
	memset(buf, 'x', n);
	*left -= n;
	return (ssize_t)n;
}

static void
odd_close(struct stream *s)
{
	(void)s;
	closes++;
}

static const struct stream_ops odd_ops = { odd_read, odd_close };

static void
test_custom(void)
{
	size_t left = 3;
	struct stream *s = stream_new(&odd_ops, &left);
	char buf[8];

	CHECK_INT(stream_read(s, buf, sizeof buf), 3);
	CHECK_INT(stream_read(s, buf, sizeof buf), -1);
	CHECK_STR(stream_error(s), "read error");
	stream_close(s);
	CHECK_INT(closes, 1);
}

static void
test_slurp(void)
{
	struct stream *s;
	unsigned char *out, *big, head[16];
	size_t len, i, n = 300000;

	s = stream_from_mem(text, 36);
	CHECK_INT(stream_slurp(s, 36, &out, &len), 0);
	CHECK_INT(len, 36);
	CHECK(memcmp(out, text, 36) == 0);
	CHECK_INT(out[36], 0);
	free(out);
	stream_close(s);

	s = stream_from_mem(text, 36);
	CHECK_INT(stream_slurp(s, 35, &out, &len), -1);
	CHECK(out == NULL);
	CHECK_STR(stream_error(s), "input larger than 35 bytes");
	stream_close(s);

	s = stream_from_mem("", 0);
	CHECK_INT(stream_slurp(s, 0, &out, &len), 0);
	CHECK(out != NULL);
	CHECK_INT(len, 0);
	free(out);
	stream_close(s);

	/* several growths, after a peek */
	big = malloc(n);
	for (i = 0; i < n; i++)
		big[i] = (unsigned char)(i * 7);
	s = stream_from_mem(big, n);
	CHECK_INT(stream_peek(s, head, sizeof head), 16);
	CHECK_INT(stream_slurp(s, UINT64_MAX, &out, &len), 0);
	CHECK_INT(len, n);
	CHECK(memcmp(out, big, n) == 0);
	free(out);
	stream_close(s);
	free(big);

	/* the slurp honours the cap */
	s = stream_from_mem(text, 36);
	stream_set_cap(s, 20, "input-bytes");
	CHECK_INT(stream_slurp(s, 1000, &out, &len), -1);
	CHECK_STR(stream_error(s), "limit input-bytes exceeded (more than 20 bytes)");
	stream_close(s);
}

static void
test_fd(void)
{
	int p[2], fd;
	struct stream *s;
	char buf[64];
	unsigned char *out;
	size_t len;

	CHECK(pipe(p) == 0);
	CHECK(write(p[1], "hello", 5) == 5);
	close(p[1]);
	s = stream_from_fd(p[0], 1);
	CHECK_INT(stream_slurp(s, 100, &out, &len), 0);
	CHECK_INT(len, 5);
	CHECK(memcmp(out, "hello", 5) == 0);
	free(out);
	stream_close(s);
	CHECK(fcntl(p[0], F_GETFD) == -1 && errno == EBADF);	/* closed */

	/* a read error is reported with strerror */
	fd = open(".", O_RDONLY);
	CHECK(fd >= 0);
	s = stream_from_fd(fd, 0);
	CHECK_INT(stream_read(s, buf, sizeof buf), -1);
	CHECK_STR(stream_error(s), "read error: Is a directory");
	stream_close(s);
	CHECK(fcntl(fd, F_GETFD) != -1);	/* not ours to close */
	close(fd);
}

int
main(void)
{
	test_mem();
	test_peek();
	test_cap();
	test_fail();
	test_custom();
	test_slurp();
	test_fd();
	CHECK_DONE();
}
