/* SPDX-License-Identifier: MIT */
/* mbox.c: which "From " lines of an mbox start a message (see mbox.h). */
#include "mbox.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

/* A cursor over one line. */
struct cur {
	const unsigned char *p;
	size_t n, i;
};

static int
is_wsp(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* Skips blanks; returns how many. */
static size_t
blanks(struct cur *c)
{
	size_t start = c->i;

	while (c->i < c->n && is_wsp(c->p[c->i]))
		c->i++;
	return c->i - start;
}

/* One of the 3-letter words of list (any case); its index, or -1. */
static int
word3(struct cur *c, const char *const *list, int count)
{
	int k;

	if (c->n - c->i < 3)
		return -1;
	for (k = 0; k < count; k++)
		if (strncasecmp((const char *)c->p + c->i, list[k], 3) == 0) {
			c->i += 3;
			return k;
		}
	return -1;
}

/* min to max digits, their value in *v (at most 4 digits: no overflow). */
static int
digits(struct cur *c, size_t min, size_t max, int *v)
{
	size_t k = 0;

	*v = 0;
	while (k < max && c->i < c->n && c->p[c->i] >= '0' &&
	    c->p[c->i] <= '9') {
		*v = *v * 10 + (c->p[c->i] - '0');
		c->i++;
		k++;
	}
	return k >= min;
}

/* The end of a token: the line's end or a blank. */
static int
token_end(const struct cur *c)
{
	return c->i == c->n || is_wsp(c->p[c->i]);
}

/* A time zone: +hhmm, -hhmm, or 1 to 5 letters (UTC, EST, CEST). */
static int
zone(struct cur *c)
{
	size_t start = c->i;
	int v;

	if (c->i < c->n && (c->p[c->i] == '+' || c->p[c->i] == '-')) {
		c->i++;
		if (digits(c, 4, 4, &v) && token_end(c))
			return 1;
	} else {
		while (c->i < c->n && c->i - start < 6 &&
		    ((c->p[c->i] >= 'A' && c->p[c->i] <= 'Z') ||
		    (c->p[c->i] >= 'a' && c->p[c->i] <= 'z')))
			c->i++;
		if (c->i > start && c->i - start <= 5 && token_end(c))
			return 1;
	}
	c->i = start;
	return 0;
}

/* A four-digit year. */
static int
year(struct cur *c)
{
	size_t start = c->i;
	int v;

	if (digits(c, 4, 4, &v) && token_end(c))
		return 1;
	c->i = start;
	return 0;
}

/*
 * An asctime-style date that runs to the end of the line: weekday, month,
 * day, hh:mm[:ss], then the year with a zone before or after it, or none.
 */
static int
date(struct cur *c)
{
	static const char *const wdays[] = {
		"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun",
	};
	static const char *const months[] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
	};
	int v;

	if (word3(c, wdays, 7) < 0 || blanks(c) == 0 ||
	    word3(c, months, 12) < 0 || blanks(c) == 0 ||
	    !digits(c, 1, 2, &v) || v < 1 || v > 31 || blanks(c) == 0 ||
	    !digits(c, 1, 2, &v) || v > 23 ||
	    c->i == c->n || c->p[c->i++] != ':' ||
	    !digits(c, 2, 2, &v) || v > 59)
		return 0;
	if (c->i < c->n && c->p[c->i] == ':') {
		c->i++;
		if (!digits(c, 2, 2, &v) || v > 60)
			return 0;
	}
	if (blanks(c) == 0)
		return 0;
	if (year(c)) {
		if (blanks(c) > 0 && c->i < c->n && !zone(c))
			return 0;
	} else if (!zone(c) || blanks(c) == 0 || !year(c))
		return 0;
	blanks(c);
	return c->i == c->n;
}

int
mbox_postmark(const unsigned char *line, size_t len)
{
	struct cur c = { line, len, 5 };

	if (len > MBOX_LINE_MAX || len < 5 || memcmp(line, "From ", 5) != 0)
		return 0;
	blanks(&c);
	/* no sender at all ("From  Fri Jul  8 ...") */
	if (date(&c))
		return 1;
	c.i = 5;
	blanks(&c);
	while (c.i < c.n && !is_wsp(c.p[c.i]))
		c.i++;
	return blanks(&c) > 0 && date(&c);
}

int
mbox_header_start(const unsigned char *line, size_t len)
{
	size_t i = 0;
	unsigned char ch;

	/* the field name: printable US-ASCII but ':' */
	for (; i < len && i < MBOX_LINE_MAX; i++) {
		ch = line[i];
		if (ch == ':' || ch < 33 || ch > 126)
			break;
	}
	if (i == 0 && len > 0)
		return 0;
	/* obsolete syntax allows blanks before the colon */
	for (; i < len && i < MBOX_LINE_MAX && is_wsp(line[i]); i++)
		;
	if (i < len && i < MBOX_LINE_MAX)
		return line[i] == ':' && i > 0 && !is_wsp(line[0]);
	return i >= MBOX_LINE_MAX ? 0 : -1;
}

/* The line at i of buf[0, len) is a postmark followed by a header line,
 * whatever comes before it: 1, 0, or -1 when the bytes cannot tell. */
static int
postmark_block_at(const unsigned char *buf, size_t len, size_t i, int eof)
{
	const unsigned char *nl;
	size_t avail = len - i, end, ll;
	int r;

	if (memcmp(buf + i, "From ", avail < 5 ? avail : 5) != 0)
		return 0;
	if (avail < 5)
		return eof ? 0 : -1;
	nl = memchr(buf + i, '\n', avail < MBOX_LINE_MAX + 2 ? avail :
	    MBOX_LINE_MAX + 2);
	if (nl == NULL)
		return eof || avail >= MBOX_LINE_MAX + 2 ? 0 : -1;
	end = (size_t)(nl - buf);
	ll = end - i;
	if (ll > 0 && buf[end - 1] == '\r')
		ll--;
	if (!mbox_postmark(buf + i, ll))
		return 0;
	r = mbox_header_start(buf + end + 1, len - end - 1);
	if (r == -1 && eof)
		return 0;
	return r;
}

/* The line before i is empty (LF or CRLF), or there is none. */
static int
after_blank(const unsigned char *buf, size_t i)
{
	size_t start;

	if (i == 0)
		return 1;
	if (buf[i - 1] != '\n')
		return 0;
	start = i - 1;
	if (start > 0 && buf[start - 1] == '\r')
		start--;
	return start == 0 || buf[start - 1] == '\n';
}

int
mbox_separator_at(const unsigned char *buf, size_t len, size_t i, int eof)
{
	if (i > len || !after_blank(buf, i))
		return 0;
	return postmark_block_at(buf, len, i, eof);
}

/* The window at off: n bytes (at most bufsize, never past size). */
static const unsigned char *
window(const struct mbox_input *in, uint64_t off, size_t *n)
{
	*n = in->size - off < in->bufsize ? (size_t)(in->size - off) :
	    in->bufsize;
	return in->read(in->ctx, off, *n, in->buf);
}

int
mbox_first(const struct mbox_input *in, uint64_t *first)
{
	const unsigned char *p;
	uint64_t pos = 0;
	size_t i, n;
	int bol = 1;

	while (pos < in->size) {
		if ((p = window(in, pos, &n)) == NULL)
			return -1;
		for (i = 0; i < n && (is_wsp(p[i]) || p[i] == '\r' ||
		    p[i] == '\n'); i++)
			bol = p[i] == '\n';
		if (i < n) {
			pos += i;
			if (!bol)
				return -2;
			if ((p = window(in, pos, &n)) == NULL)
				return -1;
			if (n < 5 || memcmp(p, "From ", 5) != 0)
				return -2;
			*first = pos;
			return 0;
		}
		pos += n;
	}
	*first = in->size;
	return 0;
}

int
mbox_next(const struct mbox_input *in, uint64_t pos, uint64_t *next,
    uint64_t *joined)
{
	const unsigned char *p, *nl;
	uint64_t base = pos, from = pos + 1, resume;
	size_t n, k, i;
	int eof, v;

	if (joined != NULL)
		*joined = UINT64_MAX;
	if (in->bufsize < MBOX_WINDOW_MIN) {
		errno = EINVAL;
		return -1;
	}
	/* Candidates are the line starts at from or after; the window holds
	 * the three bytes before from (the blank line), or starts a line. */
	while (from < in->size) {
		if ((p = window(in, base, &n)) == NULL)
			return -1;
		eof = base + n == in->size;
		resume = base + n;
		for (k = (size_t)(from - base) - 1;
		    k < n && (nl = memchr(p + k, '\n', n - k)) != NULL;
		    k = i) {
			i = (size_t)(nl - p) + 1;
			if (i == n) {
				if (!eof)
					resume = base + i;
				break;
			}
			if (p[i] != 'F')
				continue;
			if ((v = postmark_block_at(p, n, i, eof)) == -1) {
				resume = base + i;
				break;
			}
			if (v == 1 && after_blank(p, i)) {
				*next = base + i;
				return 0;
			}
			if (v == 1 && joined != NULL &&
			    *joined == UINT64_MAX)
				*joined = base + i;
		}
		if (eof)
			break;
		from = resume;
		base = resume - pos >= 3 ? resume - 3 : pos;
	}
	*next = in->size;
	return 0;
}

int
mbox_line_end(const struct mbox_input *in, uint64_t pos, uint64_t end,
    uint64_t *after)
{
	const unsigned char *p, *nl;
	size_t n;

	while (pos < end) {
		if ((p = window(in, pos, &n)) == NULL)
			return -1;
		if ((uint64_t)n > end - pos)
			n = (size_t)(end - pos);
		if ((nl = memchr(p, '\n', n)) != NULL) {
			*after = pos + (uint64_t)(nl - p) + 1;
			return 0;
		}
		pos += n;
	}
	*after = end;
	return 0;
}
