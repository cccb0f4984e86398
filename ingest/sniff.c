/* SPDX-License-Identifier: MIT */
/* sniff.c: payload kinds from magic bytes and the shape of the first lines. */
#include "sniff.h"

#include <string.h>
#include <strings.h>

#define ZLIB_CONST
#include <zlib.h>

/* Header fields of which one must appear for text to count as a message. */
static const char *const message_fields[] = {
	"Received", "From", "Date", "Subject", "Message-ID", "MIME-Version",
	"Return-Path", "Delivered-To", "To", "Content-Type", "X-Original-To",
	"Reply-To", "Sender", "Content-Transfer-Encoding", "DKIM-Signature",
	"Authentication-Results", "ARC-Seal",
};

/* Lines of a header block looked at. */
#define SNIFF_HEADER_LINES 64

static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
starts_with(const unsigned char *buf, size_t len, const char *lit)
{
	size_t n = strlen(lit);

	return len >= n && memcmp(buf, lit, n) == 0;
}

static const unsigned char *
find(const unsigned char *buf, size_t len, const char *lit)
{
	size_t i, n = strlen(lit);

	for (i = 0; i + n <= len; i++)
		if (buf[i] == (unsigned char)lit[0] && memcmp(buf + i, lit, n) == 0)
			return buf + i;
	return NULL;
}

/* '<' after an optional UTF-8 BOM and whitespace. */
static int
is_xml_start(const unsigned char *buf, size_t len)
{
	size_t i = 0;

	if (starts_with(buf, len, "\xef\xbb\xbf"))
		i = 3;
	while (i < len && is_space(buf[i]))
		i++;
	return i < len && buf[i] == '<';
}

/*
 * UTF-16 XML (SPEC.md E.16): a byte order mark, UTF-16 whitespace, then
 * '<'; or, without a mark, '<' and an ASCII character in UTF-16 ("<?xml",
 * "<feedback").
 */
static int
is_utf16_xml(const unsigned char *buf, size_t len)
{
	size_t i = 2;
	int le;

	if (len >= 4 && buf[0] == '<' && buf[1] == 0 && buf[2] != 0 &&
	    buf[2] < 0x80 && buf[3] == 0)
		return 1;
	if (len >= 4 && buf[0] == 0 && buf[1] == '<' && buf[2] == 0 &&
	    buf[3] != 0 && buf[3] < 0x80)
		return 1;
	if (len < 4 || !((buf[0] == 0xff && buf[1] == 0xfe) ||
	    (buf[0] == 0xfe && buf[1] == 0xff)))
		return 0;
	le = buf[0] == 0xff;
	for (; i + 1 < len; i += 2) {
		unsigned char c = le ? buf[i] : buf[i + 1];
		unsigned char z = le ? buf[i + 1] : buf[i];

		if (z != 0)
			return 0;
		if (c == '<')
			return 1;
		if (!is_space(c))
			return 0;
	}
	return 0;
}

/* "<?xml" or "<feedback" after a little printable junk (a stray line of
 * text some senders put before the document). */
static int
is_xml_after_junk(const unsigned char *buf, size_t len)
{
	const unsigned char *p = find(buf, len, "<?xml"), *q;
	size_t i, end;

	q = find(buf, len, "<feedback");
	if (p == NULL || (q != NULL && q < p))
		p = q;
	if (p == NULL)
		return 0;
	end = (size_t)(p - buf);
	for (i = 0; i < end; i++)
		if (!is_space(buf[i]) && (buf[i] < 0x20 || buf[i] > 0x7e))
			return 0;
	return 1;
}

/* A "From " separator: "From " then something, then the end of the line. */
static int
is_mbox(const unsigned char *buf, size_t len)
{
	size_t i;

	if (!starts_with(buf, len, "From ") || len < 6 || is_space(buf[5]))
		return 0;
	for (i = 5; i < len; i++) {
		if (buf[i] == '\n')
			return 1;
		if (buf[i] < 0x20 && buf[i] != '\t' && buf[i] != '\r')
			return 0;
	}
	return 0;
}

/* Length of the field name when the line starts "name:", else 0. */
static size_t
field_name_len(const unsigned char *line, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (line[i] == ':')
			return i;
		if (line[i] < 33 || line[i] > 126)
			return 0;
	}
	return 0;
}

static int
is_known_field(const unsigned char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof message_fields / sizeof message_fields[0]; i++)
		if (strlen(message_fields[i]) == len &&
		    strncasecmp((const char *)name, message_fields[i], len) == 0)
			return 1;
	return 0;
}

/*
 * An RFC 5322 header block: every line up to a blank line (or the end of
 * what we see) is a field or a folded continuation, the first is a field,
 * and at least one is a field every message has.
 */
static int
is_message(const unsigned char *buf, size_t len)
{
	size_t pos = 0, llen, nlen, lines = 0;
	const unsigned char *nl;
	int known = 0;

	while (pos < len && lines < SNIFF_HEADER_LINES) {
		nl = memchr(buf + pos, '\n', len - pos);
		llen = nl ? (size_t)(nl - (buf + pos)) : len - pos;
		if (llen > 0 && buf[pos + llen - 1] == '\r')
			llen--;
		if (llen == 0)
			break;		/* the end of the header block */
		if (buf[pos] == ' ' || buf[pos] == '\t') {
			if (lines == 0)
				return 0;
		} else if ((nlen = field_name_len(buf + pos, llen)) > 0) {
			if (is_known_field(buf + pos, nlen))
				known = 1;
		} else if (nl != NULL) {
			return 0;	/* a whole line that is not a field */
		}			/* else a field cut by the end of buf */
		lines++;
		if (nl == NULL)
			break;
		pos = (size_t)(nl - buf) + 1;
	}
	return lines > 0 && known;
}

/*
 * An RFC 1950 header (CM 8, CINFO <= 7, FCHECK, no preset dictionary),
 * confirmed by inflating what we have: random bytes pass the header check
 * one time in 31*16, text far less often once inflated.
 */
static int
is_zlib(const unsigned char *buf, size_t len)
{
	unsigned char out[4096];
	z_stream z;
	int ret, rounds, ok = 0;

	if (len < 3 || (buf[0] & 0x0f) != 8 || (buf[0] >> 4) > 7 ||
	    ((unsigned)buf[0] * 256 + buf[1]) % 31 != 0 || (buf[1] & 0x20))
		return 0;
	memset(&z, 0, sizeof z);
	if (inflateInit(&z) != Z_OK)
		return 0;
	z.next_in = buf;
	z.avail_in = (uInt)len;
	for (rounds = 0; rounds < 64; rounds++) {
		z.next_out = out;
		z.avail_out = sizeof out;
		ret = inflate(&z, Z_NO_FLUSH);
		if (ret == Z_STREAM_END || ret == Z_BUF_ERROR ||
		    (ret == Z_OK && z.avail_in == 0)) {
			ok = 1;
			break;
		}
		if (ret != Z_OK)
			break;
	}
	if (rounds == 64)
		ok = 1;		/* still inflating well: good enough */
	inflateEnd(&z);
	return ok;
}

enum sniff_kind
sniff_kind(const unsigned char *buf, size_t len)
{
	if (len == 0)
		return SNIFF_EMPTY;
	if (starts_with(buf, len, "\x1f\x8b"))
		return SNIFF_GZIP;
	if (starts_with(buf, len, "PK\3\4") || starts_with(buf, len, "PK\5\6"))
		return SNIFF_ZIP;
	if (is_xml_start(buf, len) || is_utf16_xml(buf, len))
		return SNIFF_XML;
	if (is_mbox(buf, len))
		return SNIFF_MBOX;
	if (is_message(buf, len))
		return SNIFF_MESSAGE;
	if (is_zlib(buf, len))
		return SNIFF_ZLIB;
	if (is_xml_after_junk(buf, len))
		return SNIFF_XML;
	/* a BOM, then junk, then the declaration */
	if (starts_with(buf, len, "\xef\xbb\xbf") &&
	    is_xml_after_junk(buf + 3, len - 3))
		return SNIFF_XML;
	return SNIFF_OTHER;
}

const char *
sniff_kind_name(enum sniff_kind k)
{
	switch (k) {
	case SNIFF_EMPTY:
		return "empty";
	case SNIFF_XML:
		return "xml";
	case SNIFF_GZIP:
		return "gzip";
	case SNIFF_ZLIB:
		return "zlib";
	case SNIFF_ZIP:
		return "zip";
	case SNIFF_MBOX:
		return "mbox";
	case SNIFF_MESSAGE:
		return "message";
	case SNIFF_OTHER:
		break;
	}
	return "other";
}
