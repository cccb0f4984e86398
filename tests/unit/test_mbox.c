/* SPDX-License-Identifier: MIT */
/*
 * test_mbox.c: which "From " lines start a message: the postmark forms met
 * in real mbox files, body lines that look like them, the blank line
 * before and the header block after, and the same split whatever the size
 * of the reader's window.
 */
#include <stdint.h>

#include "check.h"
#include "mbox.h"

static int
pm(const char *line)
{
	return mbox_postmark((const unsigned char *)line, strlen(line));
}

static int
hs(const char *line)
{
	return mbox_header_start((const unsigned char *)line, strlen(line));
}

static void
test_postmark(void)
{
	static char longline[MBOX_LINE_MAX + 40];

	CHECK_INT(pm("From MAILER-DAEMON Fri Jul  8 12:08:34 2011"), 1);
	CHECK_INT(pm("From MAILER-DAEMON Fri Jul 08 12:08:34 2011"), 1);
	CHECK_INT(pm("From MAILER-DAEMON Fri Jul 8 12:08:34 2011"), 1);
	CHECK_INT(pm("From 1700000000123@xxx Fri Jul  8 12:08:34 +0000 2011"), 1);
	CHECK_INT(pm("From a@b.example Fri Jul  8 12:08:34 2011 +0200"), 1);
	CHECK_INT(pm("From a@b.example Tue Mar 18 10:34:27 PST 2003"), 1);
	CHECK_INT(pm("From a@b.example Tue Mar 18 10:34 2003"), 1);
	CHECK_INT(pm("From - Mon Jan  1 00:00:00 2024"), 1);	/* Thunderbird */
	CHECK_INT(pm("From a@b.example  mon JAN  1 00:00:00 2024  "), 1);
	CHECK_INT(pm("From  Mon Jan  1 00:00:00 2024"), 1);	/* no sender */

	CHECK_INT(pm("From now on, reports go to dmarc@example.com."), 0);
	CHECK_INT(pm("From: someone@example.com"), 0);
	CHECK_INT(pm("From a b"), 0);
	CHECK_INT(pm("From"), 0);
	CHECK_INT(pm("From MAILER-DAEMON Fri Jul  8 12:08:34"), 0);
	CHECK_INT(pm("From MAILER-DAEMON Fri Jul 32 12:08:34 2011"), 0);
	CHECK_INT(pm("From MAILER-DAEMON Fri Jul  8 24:08:34 2011"), 0);
	CHECK_INT(pm("From MAILER-DAEMON Fri Jux  8 12:08:34 2011"), 0);
	CHECK_INT(pm("From MAILER-DAEMON Fri Jul  8 12:08:34 2011 and more"), 0);
	CHECK_INT(pm("From MAILER-DAEMON Fri Jul  8 12:08:34 +0000 +0000"), 0);
	CHECK_INT(pm("From two senders Fri Jul  8 12:08:34 2011"), 0);
	CHECK_INT(pm(">From MAILER-DAEMON Fri Jul  8 12:08:34 2011"), 0);

	memset(longline, ' ', sizeof longline - 1);
	memcpy(longline, "From x", 6);
	memcpy(longline + sizeof longline - 1 - 24, "Fri Jul  8 12:08:34 2011", 24);
	CHECK_INT(pm(longline), 0);		/* over MBOX_LINE_MAX */
}

static void
test_header_start(void)
{
	CHECK_INT(hs("Return-Path: <a@b>"), 1);
	CHECK_INT(hs("Subject:"), 1);
	CHECK_INT(hs("Subject  : obsolete"), 1);
	CHECK_INT(hs("X-Mozilla-Status: 0001"), 1);
	CHECK_INT(hs("was the line that began the bounce."), 0);
	CHECK_INT(hs(" folded: no"), 0);
	CHECK_INT(hs(""), -1);
	CHECK_INT(hs("\n"), 0);
	CHECK_INT(hs("\r\n"), 0);
	CHECK_INT(hs("Subje"), -1);		/* more bytes could tell */
	CHECK_INT(hs(":x"), 0);
}

static int
at(const char *buf, size_t i, int eof)
{
	return mbox_separator_at((const unsigned char *)buf, strlen(buf), i,
	    eof);
}

static void
test_separator_at(void)
{
	const char *ok = "x\n\nFrom a Fri Jul  8 12:08:34 2011\nSubject: s\n";
	const char *crlf = "x\r\n\r\nFrom a Fri Jul  8 12:08:34 2011\r\n"
	    "Subject: s\r\n";

	CHECK_INT(at(ok, 3, 1), 1);
	CHECK_INT(at(crlf, 5, 1), 1);
	CHECK_INT(at(ok + 3, 0, 1), 1);		/* the start of the file */
	/* no blank line before */
	CHECK_INT(at("x\nFrom a Fri Jul  8 12:08:34 2011\nSubject: s\n", 2, 1),
	    0);
	CHECK_INT(at("x\r\nFrom a Fri Jul  8 12:08:34 2011\nSubject: s\n", 3,
	    1), 0);
	/* a body line after */
	CHECK_INT(at("x\n\nFrom a Fri Jul  8 12:08:34 2011\nwas quoted\n", 3,
	    1), 0);
	CHECK_INT(at("x\n\nFrom a Fri Jul  8 12:08:34 2011\n\nbody\n", 3, 1),
	    0);
	/* not a postmark */
	CHECK_INT(at("x\n\nFrom now on\nSubject: s\n", 3, 1), 0);
	/* the bytes end too early to tell, unless the file ends there */
	CHECK_INT(at("x\n\nFro", 3, 0), -1);
	CHECK_INT(at("x\n\nFro", 3, 1), 0);
	CHECK_INT(at("x\n\nFrom a Fri Jul  8 12:0", 3, 0), -1);
	CHECK_INT(at("x\n\nFrom a Fri Jul  8 12:08:34 2011\nSubj", 3, 0), -1);
	CHECK_INT(at("x\n\nFrom a Fri Jul  8 12:08:34 2011\nSubj", 3, 1), 0);
	CHECK_INT(at("x\n\nFrom a Fri Jul  8 12:08:34 2011\n", 3, 1), 0);
	CHECK_INT(at("x\n\nFrum", 3, 0), 0);
}

/* A reader over memory that copies into the window, as a file would. */
static const unsigned char *
mem_read(void *ctx, uint64_t off, size_t n, unsigned char *buf)
{
	memcpy(buf, (const unsigned char *)ctx + off, n);
	return buf;
}

/* Where the messages of text may be joined (mbox_next's *joined). */
static uint64_t joined[8];

/* The message starts of text through a window of bufsize bytes, in out
 * (at most max); their count. */
static size_t
split(const char *text, size_t bufsize, uint64_t *out, size_t max)
{
	struct mbox_input in;
	uint64_t pos, next;
	size_t k = 0;

	memset(&in, 0, sizeof in);
	in.read = mem_read;
	in.ctx = (void *)(uintptr_t)text;
	in.size = strlen(text);
	in.bufsize = bufsize;
	if ((in.buf = malloc(bufsize)) == NULL)
		abort();
	if (mbox_first(&in, &pos) != 0)
		pos = in.size + 1;
	while (pos < in.size && k < max) {
		if (mbox_next(&in, pos, &next, &joined[k]) != 0)
			break;
		out[k++] = pos;
		pos = next;
	}
	free(in.buf);
	return k;
}

static void
test_split(void)
{
	static const char pmk[] = "From MAILER-DAEMON Fri Jul  8 12:08:34 2011\n";
	char *text;
	uint64_t a[8], b[8], ja[8];
	size_t na, nb, used = 0, cap = 64 * 1024, i, j, sep2, sep3, join;

	if ((text = malloc(cap)) == NULL)
		abort();
#define ADD(s) (used += (size_t)snprintf(text + used, cap - used, "%s", (s)))
	ADD(pmk);
	ADD("Subject: one\n\nFrom now on, write to us.\n\n");
	ADD("From MAILER-DAEMON Fri Jul  8 12:08:34 2011\n");
	ADD("was the line of your bounce.\n\n");
	ADD("From the postmaster\nSubject: not a postmark\n\n");
	/* a body long enough for windows to end inside the lines above */
	for (i = 0; i < 3000; i++)
		ADD("body line\n");
	ADD("\n");
	sep2 = used;
	ADD(pmk);
	ADD("Subject: two\n\nx\n");
	join = used;
	ADD("From MAILER-DAEMON Fri Jul  8 12:08:34 2011\n"
	    "Subject: no blank line before\n\n");
	sep3 = used;
	ADD("From a@b Sat Jul  9 00:00:00 +0000 2011\r\nReceived: x\r\n\r\n");
#undef ADD
	na = split(text, 1 << 20, a, 8);
	CHECK_INT(na, 3);
	CHECK_INT(a[0], 0);
	CHECK_INT(a[1], sep2);
	CHECK_INT(a[2], sep3);
	/* the postmark without a blank line before it is reported */
	CHECK_INT(joined[0], UINT64_MAX);
	CHECK_INT(joined[1], join);
	CHECK_INT(joined[2], UINT64_MAX);
	memcpy(ja, joined, sizeof ja);
	/* every window size from the smallest gives the same split */
	for (j = MBOX_WINDOW_MIN; j < MBOX_WINDOW_MIN + 200; j += 7) {
		nb = split(text, j, b, 8);
		CHECK(nb == na && memcmp(a, b, na * sizeof *a) == 0 &&
		    memcmp(ja, joined, na * sizeof *ja) == 0);
	}
	free(text);

	/* white space before the first message; not an mbox */
	CHECK_INT(split("\n \nFrom x\nSubject: y\n", MBOX_WINDOW_MIN, a, 8), 1);
	CHECK_INT(a[0], 3);
	CHECK_INT(split("  From x\nSubject: y\n", MBOX_WINDOW_MIN, a, 8), 0);
	CHECK_INT(split("\n\nFrom x\nSubject: y\n", MBOX_WINDOW_MIN, a, 8), 1);
	CHECK_INT(a[0], 2);
	CHECK_INT(split("Subject: y\n", MBOX_WINDOW_MIN, a, 8), 0);
}

int
main(void)
{
	test_postmark();
	test_header_start();
	test_separator_at();
	test_split();
	CHECK_DONE();
}
