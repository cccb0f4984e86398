/* SPDX-License-Identifier: MIT */
/*
 * mail.c: report attachments of a message or an mbox, found with GMime 3.
 * Just over 800 lines: the walk over MIME parts, the mbox driver and the
 * failure bookkeeping share static state; what says "report" is in claim.c,
 * where mbox messages begin in mbox.c, TNEF in tnef.c.
 */
#include "mail.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gmime/gmime.h>

#include "claim.h"
#include "mbox.h"
#include "tnef.h"

/* Raw (transfer-encoded) bytes read from a part at a time. */
#define MAIL_CHUNK (64 * 1024)

/* ">From " unquoting holds back at most this many bytes of a line start. */
#define MAIL_UNQUOTE_HOLD 5

/* MIME nesting (multiparts and attached messages) walked.  Real report mails
 * are three levels deep (Google's forward: mixed, rfc822, mixed). */
#define MAIL_MAX_DEPTH 32

/* Bytes of a message over the message-bytes limit parsed for its headers
 * (so that it can still be named). */
#define MAIL_HEAD_BYTES (64 * 1024)
/* A message whose header block runs past this is refused: GMime holds about
 * ten times the size of a header block while parsing it, so a message of
 * 60 MB of headers (under message-bytes) would cost 600 MB. */
#define MAIL_MAX_HEADER_BYTES (1024 * 1024)

/* One scan: the input, the limits and the caller's callbacks. */
struct scan {
	const struct dm_limits *l;
	const struct mail_callbacks *cb;
	int mbox;		/* undo ">From " quoting of the mbox */
	int stopped;		/* a callback returned -1 */
	uint64_t joined;	/* mbox: where the message may hold another
				 * (see mbox_next), or UINT64_MAX */
	unsigned char *raw;	/* MAIL_CHUNK raw bytes */
	unsigned char *unq;	/* raw bytes unquoted */
	unsigned char *dec;	/* decoded bytes of one chunk */
	size_t declen;
};

/* One message being walked. */
struct msg {
	struct scan *s;
	struct mail_message m;
	unsigned leaf;		/* leaf parts seen */
	unsigned reports;
	unsigned other;
	char error[512];	/* "" or why the message failed */
	char hidden[256];	/* "" or why some content could not be read
				 * (encrypted, a broken TNEF): a failure when
				 * no report is found */
};

/* A decoded part, capped. */
struct buf {
	unsigned char *p;
	size_t len, cap;
};

/* ">From " unquoting state across chunks (mboxo and mboxrd: one '>' is
 * taken off a line that is '>'s then "From "). */
struct unquote {
	enum { UQ_BOL, UQ_MID, UQ_PREFIX } state;
	size_t from;		/* chars of "From " matched after the '>' */
};

static int mail_initialized;

void
mail_global_init(void)
{
	if (mail_initialized)
		return;
	g_mime_init();
	mail_initialized = 1;
}

/* Appends n bytes unless the total would pass max.  Returns 0, 1 when over
 * max (b is freed), -1 when out of memory (b is freed). */
static int
buf_add(struct buf *b, const unsigned char *d, size_t n, uint64_t max)
{
	size_t ncap;
	unsigned char *np;

	if (n == 0)
		return 0;
	if (n > SIZE_MAX - b->len || (uint64_t)(b->len + n) > max) {
		free(b->p);
		memset(b, 0, sizeof *b);
		return 1;
	}
	if (b->len + n > b->cap) {
		ncap = b->cap ? b->cap : 4096;
		while (ncap < b->len + n)
			ncap = ncap > SIZE_MAX / 2 ? b->len + n : ncap * 2;
		if ((uint64_t)ncap > max)
			ncap = (size_t)max;
		if ((np = realloc(b->p, ncap)) == NULL) {
			free(b->p);
			memset(b, 0, sizeof *b);
			return -1;
		}
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, d, n);
	b->len += n;
	return 0;
}

/* Unquotes n bytes of in into out (room for n + MAIL_UNQUOTE_HOLD bytes);
 * returns the bytes written.  With last, a held line start is let out. */
static size_t
unquote_step(struct unquote *u, const unsigned char *in, size_t n,
    unsigned char *out, int last)
{
	static const char from[] = "From ";
	size_t i, o = 0;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = in[i];
		switch (u->state) {
		case UQ_BOL:
			if (c == '>') {
				u->state = UQ_PREFIX;
				u->from = 0;
				continue;
			}
			break;
		case UQ_PREFIX:
			if (c == '>' && u->from == 0) {
				out[o++] = '>';	/* all but the first stay */
				continue;
			}
			if (c == (unsigned char)from[u->from]) {
				if (++u->from == sizeof from - 1) {
					memcpy(out + o, from, u->from);
					o += u->from;
					u->state = UQ_MID;
				}
				continue;
			}
			out[o++] = '>';
			memcpy(out + o, from, u->from);
			o += u->from;
			break;
		case UQ_MID:
			break;
		}
		out[o++] = c;
		u->state = c == '\n' ? UQ_BOL : UQ_MID;
	}
	if (last && u->state == UQ_PREFIX) {
		out[o++] = '>';
		memcpy(out + o, from, u->from);
		o += u->from;
		u->state = UQ_MID;
	}
	return o;
}

/*
 * Decodes a part's content (undoing ">From " quoting in an mbox, then the
 * transfer encoding) into out, at most max bytes.  Returns 0, 1 when the
 * part decodes to more than max, -1 on a read error or no memory (reason
 * in err).  With `sample`, decoding stops quietly after the first max
 * bytes (returns 0): enough to sniff a part without holding all of it.
 */
static int
decode_part(struct scan *s, GMimePart *part, uint64_t max, int sample,
    struct buf *out, char *err, size_t errlen)
{
	GMimeDataWrapper *w = g_mime_part_get_content(part);
	GMimeContentEncoding enc;
	GMimeEncoding state;
	GMimeStream *raw;
	struct unquote uq = { UQ_BOL, 0 };
	const unsigned char *in;
	size_t inlen, n;
	ssize_t r;
	int decode, last = 0, rc;

	memset(out, 0, sizeof *out);
	if (w == NULL || (raw = g_mime_data_wrapper_get_stream(w)) == NULL)
		return 0;
	enc = g_mime_data_wrapper_get_encoding(w);
	decode = enc == GMIME_CONTENT_ENCODING_BASE64 ||
	    enc == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ||
	    enc == GMIME_CONTENT_ENCODING_UUENCODE;
	if (decode)
		g_mime_encoding_init_decode(&state, enc);
	if (g_mime_stream_reset(raw) == -1) {
		snprintf(err, errlen, "cannot read the message: %s",
		    strerror(errno));
		return -1;
	}
	while (!last) {
		/* A bounded GMime stream fails a read at its end: ask first. */
		r = g_mime_stream_eos(raw) ? 0 :
		    g_mime_stream_read(raw, (char *)s->raw, MAIL_CHUNK);
		if (r < 0) {
			snprintf(err, errlen, "cannot read the message: %s",
			    strerror(errno));
			free(out->p);
			memset(out, 0, sizeof *out);
			return -1;
		}
		last = r == 0;
		in = s->raw;
		inlen = (size_t)r;
		if (s->mbox) {
			inlen = unquote_step(&uq, s->raw, inlen, s->unq, last);
			in = s->unq;
		}
		if (decode) {
			n = last ? g_mime_encoding_flush(&state,
			    (const char *)in, inlen, (char *)s->dec) :
			    g_mime_encoding_step(&state, (const char *)in,
			    inlen, (char *)s->dec);
			in = s->dec;
			inlen = n;
		}
		if (sample && (uint64_t)out->len + inlen >= max) {
			inlen = (size_t)(max - out->len);
			last = 1;
		}
		if ((rc = buf_add(out, in, inlen, max)) != 0) {
			if (rc < 0)
				snprintf(err, errlen, "out of memory");
			return rc;
		}
	}
	return 0;
}

/* "type/subtype" in lowercase (g_free it). */
static char *
lower_mime_type(GMimeObject *o)
{
	GMimeContentType *ct = g_mime_object_get_content_type(o);
	char *t, *p;

	t = ct ? g_mime_content_type_get_mime_type(ct) : NULL;
	if (t == NULL)
		t = g_strdup("text/plain");
	for (p = t; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return t;
}

/* Unfolds s in place: GMime keeps the line breaks of a folded display
 * name ("Reports,\n Receiver"). */
static void
unfold(char *s)
{
	char *d = s;

	for (; *s != '\0'; s++)
		if (*s != '\r' && *s != '\n')
			*d++ = *s;
	*d = '\0';
}

/* A DMARC failure report anywhere in o: a multipart/report with
 * report-type=feedback-report, or a message/feedback-report part. */
static int
has_failure_report(GMimeObject *o, int depth)
{
	GMimeContentType *ct;
	GMimeMessage *inner;
	const char *rt;
	int i, n;

	if (o == NULL || depth > MAIL_MAX_DEPTH)
		return 0;
	if ((ct = g_mime_object_get_content_type(o)) != NULL) {
		if (g_mime_content_type_is_type(ct, "message", "feedback-report"))
			return 1;
		if (g_mime_content_type_is_type(ct, "multipart", "report") &&
		    (rt = g_mime_content_type_get_parameter(ct,
		    "report-type")) != NULL &&
		    strcasecmp(rt, "feedback-report") == 0)
			return 1;
	}
	if (GMIME_IS_MULTIPART(o)) {
		n = g_mime_multipart_get_count(GMIME_MULTIPART(o));
		for (i = 0; i < n; i++)
			if (has_failure_report(g_mime_multipart_get_part(
			    GMIME_MULTIPART(o), i), depth + 1))
				return 1;
	} else if (GMIME_IS_MESSAGE_PART(o)) {
		inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(o));
		if (inner != NULL)
			return has_failure_report(
			    g_mime_message_get_mime_part(inner), depth + 1);
	}
	return 0;
}

/* Hands a report candidate to the caller.  Returns 0, or -1 when the
 * callback stopped the scan. */
static int
offer(struct msg *ms, const unsigned char *data, size_t len,
    const char *name, const char *type, int claims)
{
	struct scan *s = ms->s;
	struct mail_part mp;

	mp.data = data != NULL ? data : (const unsigned char *)"";
	mp.len = len;
	mp.name = name;
	mp.content_type = type;
	mp.index = ms->leaf;
	mp.claims_report = claims;
	ms->reports++;
	if (s->cb->report_part != NULL &&
	    s->cb->report_part(s->cb->ctx, &ms->m, &mp) != 0) {
		s->stopped = 1;
		return -1;
	}
	return 0;
}

/* A TNEF container (winmail.dat): its attachments are offered like MIME
 * parts.  A malformed container fails the message.  Returns 0 or -1. */
static int
walk_tnef(struct msg *ms, const unsigned char *p, size_t len,
    const char *name)
{
	static const char type[] = "application/octet-stream";
	struct tnef_reader r;
	struct tnef_attachment a;
	const char *an;
	int rc, claims;

	if (tnef_open(&r, p, len) == 0) {
		while ((rc = tnef_next(&r, &a)) == 1) {
			an = a.name[0] != '\0' ? a.name : NULL;
			claims = claim_by_name(type, an);
			if ((claims || claim_by_bytes(a.data, a.len, 0)) &&
			    offer(ms, a.data, a.len, an, type, claims) == -1)
				return -1;
		}
		if (rc == 0)
			return 0;
	}
	snprintf(ms->error, sizeof ms->error, "TNEF part '%s': %s",
	    name != NULL ? name : "winmail.dat", r.error);
	return -1;
}

/* Why an S/MIME part (application/pkcs7-mime, smime.p7m) cannot be read:
 * its smime-type, encrypted when none is given. */
static const char *
smime_hidden(GMimePart *part)
{
	GMimeContentType *ct = g_mime_object_get_content_type(
	    GMIME_OBJECT(part));
	const char *st = ct != NULL ?
	    g_mime_content_type_get_parameter(ct, "smime-type") : NULL;

	if (st != NULL && strcasecmp(st, "signed-data") == 0)
		return "opaque-signed S/MIME message: the report inside the "
		    "signature is not extracted";
	if (st != NULL && strcasecmp(st, "compressed-data") == 0)
		return "compressed S/MIME message: the report inside is not "
		    "extracted";
	return "encrypted S/MIME message: cannot read the report without "
	    "the key";
}

/* One leaf part: handed over, counted as other, or passed by.  Returns 0,
 * or -1 when the message failed (ms->error) or a callback stopped. */
static int
walk_leaf(struct msg *ms, GMimePart *part)
{
	struct scan *s = ms->s;
	GMimeContentDisposition *disp;
	GMimeDataWrapper *w;
	struct buf b;
	const char *name;
	char *type, err[256];
	int body, claims, tnef, rc = 0;

	ms->leaf++;
	type = lower_mime_type(GMIME_OBJECT(part));
	name = g_mime_part_get_filename(part);
	if (name != NULL && *name == '\0')
		name = NULL;
	if (claim_tls(type, name)) {
		ms->other++;
		goto out;
	}
	if (strcmp(type, "application/pkcs7-mime") == 0 ||
	    strcmp(type, "application/x-pkcs7-mime") == 0 ||
	    (name != NULL && claim_has_suffix(name, ".p7m"))) {
		snprintf(ms->hidden, sizeof ms->hidden, "%s",
		    smime_hidden(part));
		goto out;
	}
	tnef = strcmp(type, "application/ms-tnef") == 0 ||
	    strcmp(type, "application/vnd.ms-tnef") == 0 ||
	    (name != NULL && strcasecmp(name, "winmail.dat") == 0);
	disp = g_mime_object_get_content_disposition(GMIME_OBJECT(part));
	body = !tnef && (strcmp(type, "text/plain") == 0 ||
	    strcmp(type, "text/html") == 0) && name == NULL &&
	    (disp == NULL || !g_mime_content_disposition_is_attachment(disp));
	if (body) {
		/* Only a base64 body can hide a payload (Mimecast-like). */
		w = g_mime_part_get_content(part);
		if (w == NULL || g_mime_data_wrapper_get_encoding(w) !=
		    GMIME_CONTENT_ENCODING_BASE64)
			goto out;
	}
	claims = !body && !tnef && claim_by_name(type, name);
	if (!claims && !tnef) {
		/* sniff the first bytes before decoding a part that may be
		 * any attachment (a 20 MB PDF need not be held whole) */
		rc = decode_part(s, part, CLAIM_SAMPLE_BYTES, 1, &b, err,
		    sizeof err);
		if (rc < 0) {
			snprintf(ms->error, sizeof ms->error, "%s", err);
			goto out;
		}
		rc = claim_by_bytes(b.p, b.len, body);
		free(b.p);
		if (!rc)
			goto out;
	}
	rc = decode_part(s, part, s->l->input_bytes, 0, &b, err, sizeof err);
	if (rc == 1) {
		if (name != NULL)
			snprintf(ms->error, sizeof ms->error, "limit %s "
			    "exceeded (part '%s' decodes to more than %" PRIu64
			    " bytes)", DM_LIMIT_INPUT_BYTES, name,
			    s->l->input_bytes);
		else
			snprintf(ms->error, sizeof ms->error, "limit %s "
			    "exceeded (part %u, %s, decodes to more than %"
			    PRIu64 " bytes)", DM_LIMIT_INPUT_BYTES, ms->leaf,
			    type, s->l->input_bytes);
		rc = -1;
		goto out;
	}
	if (rc < 0) {
		snprintf(ms->error, sizeof ms->error, "%s", err);
		goto out;
	}
	if (tnef)
		rc = walk_tnef(ms, b.p, b.len, name);
	else if (claims || claim_by_bytes(b.p, b.len, body))
		rc = offer(ms, b.p, b.len, name, type, claims);
	free(b.p);
out:
	g_free(type);
	return rc;
}

/* Walks every part under o.  Returns 0, or -1 to stop the message. */
static int
walk(struct msg *ms, GMimeObject *o, int depth)
{
	GMimeMessage *inner;
	int i, n;

	if (o == NULL)
		return 0;
	if (depth > MAIL_MAX_DEPTH) {
		snprintf(ms->error, sizeof ms->error, "MIME parts nested more "
		    "than %d deep", MAIL_MAX_DEPTH);
		return -1;
	}
	if (GMIME_IS_MULTIPART_ENCRYPTED(o)) {
		snprintf(ms->hidden, sizeof ms->hidden, "encrypted PGP/MIME "
		    "message: cannot read the report without the key");
	} else if (GMIME_IS_MULTIPART(o)) {
		n = g_mime_multipart_get_count(GMIME_MULTIPART(o));
		for (i = 0; i < n; i++)
			if (walk(ms, g_mime_multipart_get_part(
			    GMIME_MULTIPART(o), i), depth + 1) == -1)
				return -1;
	} else if (GMIME_IS_MESSAGE_PART(o)) {
		inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(o));
		if (inner != NULL)
			return walk(ms, g_mime_message_get_mime_part(inner),
			    depth + 1);
	} else if (GMIME_IS_PART(o))
		return walk_leaf(ms, GMIME_PART(o));
	return 0;
}

/*
 * One message (NULL when GMime could not parse it): its parts to
 * report_part, then message_done.  Returns 0, or -1 when a callback
 * stopped the scan.
 */
static int
scan_message(struct scan *s, GMimeMessage *msg, int64_t offset,
    uint64_t index, uint64_t size, const char *error)
{
	struct msg ms;
	InternetAddressList *from;
	GMimeObject *top;
	char *fromstr = NULL;
	int rc;

	memset(&ms, 0, sizeof ms);
	ms.s = s;
	ms.m.offset = offset;
	ms.m.index = index;
	ms.m.size = size;
	if (msg != NULL) {
		top = GMIME_OBJECT(msg);
		ms.m.message_id = g_mime_message_get_message_id(msg);
		if (ms.m.message_id != NULL && *ms.m.message_id == '\0')
			ms.m.message_id = NULL;
		ms.m.date = g_mime_object_get_header(top, "Date");
		ms.m.subject = g_mime_message_get_subject(msg);
		from = g_mime_message_get_from(msg);
		if (from != NULL && internet_address_list_length(from) > 0)
			fromstr = internet_address_list_to_string(from, NULL,
			    FALSE);
		if (fromstr != NULL)
			unfold(fromstr);
		ms.m.from = fromstr;
	}
	if (error != NULL)
		snprintf(ms.error, sizeof ms.error, "%s", error);
	else if (size > s->l->message_bytes)
		snprintf(ms.error, sizeof ms.error, "limit %s exceeded (%"
		    PRIu64 " bytes, at most %" PRIu64 ")",
		    DM_LIMIT_MESSAGE_BYTES, size, s->l->message_bytes);
	else if (msg == NULL)
		snprintf(ms.error, sizeof ms.error, "not a mail message");
	else if (g_mime_object_get_header(GMIME_OBJECT(msg),
	    "TLS-Report-Domain") != NULL ||
	    g_mime_object_get_header(GMIME_OBJECT(msg),
	    "TLS-Report-Submitter") != NULL ||
	    has_failure_report(g_mime_message_get_mime_part(msg), 0))
		ms.other = 1;
	else if (walk(&ms, g_mime_message_get_mime_part(msg), 0) == 0 &&
	    ms.reports == 0 && ms.other == 0) {
		/* nothing found: say so when the message hid its content or
		 * announced a report */
		if (ms.hidden[0] != '\0')
			snprintf(ms.error, sizeof ms.error, "%s", ms.hidden);
		else if (claim_by_subject(ms.m.subject))
			snprintf(ms.error, sizeof ms.error, "no report file "
			    "in a mail whose Subject announces one");
	}
	if (ms.error[0] == '\0' && s->joined != UINT64_MAX)
		snprintf(ms.error, sizeof ms.error, "the line at byte %" PRIu64
		    " starts like a message (a \"From \" postmark, then "
		    "headers) without a blank line before it: not split "
		    "there, two messages may be joined", s->joined);
	rc = 0;
	if (!s->stopped && s->cb->message_done != NULL &&
	    s->cb->message_done(s->cb->ctx, &ms.m, ms.reports, ms.other,
	    ms.error[0] != '\0' ? ms.error : NULL) != 0)
		s->stopped = 1;
	if (s->stopped)
		rc = -1;
	g_free(fromstr);
	return rc;
}

/* Where the bytes are: a file (read with pread, so GMime's use of the same
 * descriptor is undisturbed) or the caller's memory. */
struct src {
	int fd;
	const unsigned char *mem;
	uint64_t size;
};

/* n bytes at off (n <= MAIL_CHUNK, within size): a pointer into memory, or
 * into buf after a read.  NULL on a read error (errno set). */
static const unsigned char *
src_at(void *ctx, uint64_t off, size_t n, unsigned char *buf)
{
	const struct src *src = ctx;
	size_t got = 0;
	ssize_t r;

	if (src->mem != NULL)
		return src->mem + off;
	while (got < n) {
		r = pread(src->fd, buf + got, n - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = EIO;	/* the file shrank */
			return NULL;
		}
		got += (size_t)r;
	}
	return buf;
}

/*
 * Parses bytes [start, end) of stream as one message (in an mbox, from the
 * line after its "From " line: GMime's own mbox format would end a message
 * at any "From " line of its body).  NULL when GMime cannot.
 */
static GMimeMessage *
parse_message(GMimeStream *stream, int64_t start, int64_t end)
{
	GMimeStream *sub;
	GMimeParser *parser;
	GMimeMessage *msg;

	sub = g_mime_stream_substream(stream, start, end);
	if (sub == NULL)
		return NULL;
	if (g_mime_stream_reset(sub) == -1) {
		g_object_unref(sub);
		return NULL;
	}
	parser = g_mime_parser_new_with_stream(sub);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	g_mime_parser_set_persist_stream(parser, TRUE);
	msg = g_mime_parser_construct_message(parser, NULL);
	g_object_unref(parser);
	g_object_unref(sub);	/* the message keeps what it needs */
	return msg;
}

/* Does the header block of the message at [start, start + size) end (in a
 * blank line) within MAIL_MAX_HEADER_BYTES? */
static int
header_block_fits(struct scan *s, GMimeStream *stream, uint64_t start,
    uint64_t size)
{
	uint64_t pos = 0;
	ssize_t n, i;
	int nl = 0;	/* 1 after '\n', 2 after "\n\r" */

	if (size <= MAIL_MAX_HEADER_BYTES)
		return 1;
	if (g_mime_stream_seek(stream, (gint64)start, GMIME_STREAM_SEEK_SET) < 0)
		return 1;	/* let GMime report what is wrong */
	while (pos < MAIL_MAX_HEADER_BYTES) {
		n = g_mime_stream_read(stream, (char *)s->raw, MAIL_CHUNK);
		if (n <= 0)
			return 1;
		for (i = 0; i < n; i++) {
			if (s->raw[i] == '\n') {
				if (nl)
					return 1;
				nl = 1;
			} else if (s->raw[i] == '\r' && nl == 1) {
				nl = 2;
			} else {
				nl = 0;
			}
		}
		pos += (uint64_t)n;
	}
	return 0;
}

/*
 * One message at [start, start + size) of stream, its header block at
 * hstart (after the "From " line of an mbox): parsed, walked, freed.  A
 * message over the message-bytes limit is given only its first
 * MAIL_HEAD_BYTES, for its headers.  Returns 0, or -1 when a callback
 * stopped the scan.
 */
static int
scan_one(struct scan *s, GMimeStream *stream, uint64_t start, uint64_t hstart,
    uint64_t size, int64_t offset, uint64_t index)
{
	GMimeMessage *msg;
	uint64_t end = start + size, len = end - hstart;
	const char *error = NULL;
	int rc;

	if (!header_block_fits(s, stream, hstart, len))
		error = "header block larger than 1 MiB (refused: parsing it "
		    "would take ten times that in memory)";
	if ((error != NULL || size > s->l->message_bytes) &&
	    len > MAIL_HEAD_BYTES)
		len = MAIL_HEAD_BYTES;
	msg = parse_message(stream, (int64_t)hstart, (int64_t)(hstart + len));
	rc = scan_message(s, msg, offset, index, size, error);
	if (msg != NULL)
		g_object_unref(msg);
	return rc;
}

static void
mbox_read_error(char *err, size_t errlen)
{
	snprintf(err, errlen, "cannot read the mbox: %s", strerror(errno));
}

/* Scans src through stream (taken over). */
static int
scan_src(const struct src *src, GMimeStream *stream, int mbox,
    const struct dm_limits *l, const struct mail_callbacks *cb, char *err,
    size_t errlen)
{
	struct scan s;
	GMimeEncoding probe;
	static const GMimeContentEncoding encs[] = {
		GMIME_CONTENT_ENCODING_BASE64,
		GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE,
		GMIME_CONTENT_ENCODING_UUENCODE,
	};
	struct mbox_input in = { src_at, NULL, src->size, NULL, MAIL_CHUNK };
	uint64_t start, hstart, next, index = 0;
	size_t i, n;
	int rc = -1;

	memset(&s, 0, sizeof s);
	s.joined = UINT64_MAX;
	s.l = l;
	s.cb = cb;
	s.mbox = mbox;
	for (i = 0; i < sizeof encs / sizeof *encs; i++) {
		g_mime_encoding_init_decode(&probe, encs[i]);
		n = g_mime_encoding_outlen(&probe, MAIL_CHUNK + MAIL_UNQUOTE_HOLD);
		if (n > s.declen)
			s.declen = n;
	}
	s.raw = malloc(MAIL_CHUNK);
	s.unq = malloc(MAIL_CHUNK + MAIL_UNQUOTE_HOLD);
	s.dec = malloc(s.declen);
	if (s.raw == NULL || s.unq == NULL || s.dec == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (!mbox) {
		if ((rc = scan_one(&s, stream, 0, 0, src->size, -1, 1)) == -1)
			snprintf(err, errlen, "stopped by the caller");
		goto out;
	}
	/* The separators are found first, so that a message's size is known
	 * before GMime parses it. */
	in.ctx = (void *)(uintptr_t)src;
	in.buf = s.raw;
	if ((rc = mbox_first(&in, &start)) < 0) {
		if (rc == -2)
			snprintf(err, errlen, "not an mbox (no \"From \" line "
			    "at the start)");
		else
			mbox_read_error(err, errlen);
		rc = -1;
		goto out;
	}
	rc = -1;
	while (start < src->size) {
		if (mbox_next(&in, start, &next, &s.joined) == -1 ||
		    mbox_line_end(&in, start, next, &hstart) == -1) {
			mbox_read_error(err, errlen);
			goto out;
		}
		if (scan_one(&s, stream, start, hstart, next - start,
		    (int64_t)start, ++index) == -1) {
			snprintf(err, errlen, "stopped by the caller");
			goto out;
		}
		start = next;
	}
	rc = 0;
out:
	g_object_unref(stream);
	free(s.raw);
	free(s.unq);
	free(s.dec);
	return rc;
}

int
mail_scan_file(const char *path, int mbox, const struct dm_limits *l,
    const struct mail_callbacks *cb, char *err, size_t errlen)
{
	struct src src = { -1, NULL, 0 };
	struct stat st;

	if ((src.fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "cannot open %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (fstat(src.fd, &st) == -1) {
		snprintf(err, errlen, "cannot read %s: %s", path,
		    strerror(errno));
		close(src.fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		/* GMime must seek back to parts: no pipes. */
		snprintf(err, errlen, "cannot read %s: not a regular file",
		    path);
		close(src.fd);
		return -1;
	}
	src.size = (uint64_t)st.st_size;
	return scan_src(&src, g_mime_stream_fs_new(src.fd), mbox, l, cb, err,
	    errlen);
}

int
mail_scan_mem(const unsigned char *buf, size_t len, int mbox,
    const struct dm_limits *l, const struct mail_callbacks *cb, char *err,
    size_t errlen)
{
	struct src src = { -1, buf, (uint64_t)len };
	FILE *fp;

	if (len == 0)
		return scan_src(&src, g_mime_stream_mem_new(), mbox, l, cb, err,
		    errlen);
	/* fmemopen reads the caller's bytes in place ("r" never writes). */
	if ((fp = fmemopen((void *)(uintptr_t)buf, len, "r")) == NULL) {
		snprintf(err, errlen, "cannot read the message: %s",
		    strerror(errno));
		return -1;
	}
	return scan_src(&src, g_mime_stream_file_new(fp), mbox, l, cb, err,
	    errlen);
}
