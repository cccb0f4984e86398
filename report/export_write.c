/* SPDX-License-Identifier: MIT */
/* export_write.c: export rows as CSV or NDJSON (see export_write.h). */
#include "export_write.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "json_out.h"

/* Bytes gathered before a write: a few hundred rows. */
#define WRITER_BUF (256 * 1024)

/* The report's columns come first (xml_schema to discovery_method): their
 * text is kept per report (by export_row.report_seq) and copied, not
 * formatted again, for each of its rows.  A fixed number of slots, like
 * the query's report memo; a longer prefix is not kept. */
#define PREFIX_COLS 19
#define PREFIX_SLOTS 8192
#define PREFIX_MAX 4096

struct prefix {
	uint64_t seq;		/* 0: empty */
	size_t len;
	char *text;
};

const char *const export_columns[] = {
	"xml_schema", "org_name", "org_email", "org_extra_contact_info",
	"report_id", "begin_date", "end_date", "normalized_timespan", "errors",
	"domain", "adkim", "aspf", "p", "sp", "np", "pct", "fo", "testing",
	"discovery_method", "source_ip_address", "source_country",
	"source_reverse_dns", "source_base_domain", "source_name", "source_type",
	"source_asn", "source_as_name", "source_as_domain", "count",
	"spf_aligned", "dkim_aligned", "dmarc_aligned", "disposition",
	"policy_override_reasons", "policy_override_comments", "envelope_from",
	"header_from", "envelope_to", "dkim_domains", "dkim_selectors",
	"dkim_results", "spf_domains", "spf_scopes", "spf_results",
	/* ours */
	"record_id", "sender", "input_name", "message_id",
};
const size_t export_ncolumns = sizeof export_columns /
    sizeof export_columns[0];

struct export_writer {
	FILE *f;
	enum export_format fmt;
	int failed;		/* a write failed: errno kept */
	int saved_errno;
	size_t col;		/* the next column of the row */
	/* NDJSON: ',"name":' for each column (the first with '{') */
	char keys[sizeof export_columns / sizeof export_columns[0]][40];
	unsigned char keylen[sizeof export_columns / sizeof export_columns[0]];
	uint64_t drains;	/* times buf was handed to the stream */
	struct prefix *prefix;	/* PREFIX_SLOTS */
	size_t len;
	char buf[WRITER_BUF];
};

/* Bytes that CSV quotes, and bytes NDJSON writes as they are. */
static unsigned char csv_special[256], json_plain[256];

struct export_writer *
export_writer_new(FILE *f, enum export_format fmt)
{
	struct export_writer *w;
	int i;

	if ((w = malloc(sizeof *w)) == NULL)
		return NULL;
	if ((w->prefix = calloc(PREFIX_SLOTS, sizeof *w->prefix)) == NULL) {
		free(w);
		return NULL;
	}
	w->drains = 0;
	w->f = f;
	w->fmt = fmt;
	w->failed = 0;
	w->saved_errno = 0;
	w->col = 0;
	w->len = 0;
	csv_special[','] = csv_special['"'] = csv_special['\r'] =
	    csv_special['\n'] = 1;
	for (i = 0x20; i < 0x7f; i++)
		json_plain[i] = i != '"' && i != '\\';
	for (i = 0; i < (int)export_ncolumns; i++)
		w->keylen[i] = (unsigned char)snprintf(w->keys[i],
		    sizeof w->keys[i], "%c\"%s\":", i ? ',' : '{',
		    export_columns[i]);
	return w;
}

static void
drain(struct export_writer *w)
{
	w->drains++;
	if (w->len > 0 && !w->failed &&
	    fwrite(w->buf, 1, w->len, w->f) != w->len) {
		w->failed = 1;
		w->saved_errno = errno;
	}
	w->len = 0;
}

static void
put(struct export_writer *w, const char *s, size_t n)
{
	if (n > sizeof w->buf - w->len) {
		drain(w);
		if (n > sizeof w->buf) {
			if (!w->failed && fwrite(s, 1, n, w->f) != n) {
				w->failed = 1;
				w->saved_errno = errno;
			}
			return;
		}
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static void
putch(struct export_writer *w, char ch)
{
	if (w->len == sizeof w->buf)
		drain(w);
	w->buf[w->len++] = ch;
}

#define PUTS(w, lit) put((w), (lit), sizeof(lit) - 1)

/* The separator and, in NDJSON, the key of the next column. */
static void
next(struct export_writer *w)
{
	size_t i = w->col++;

	if (w->fmt == EXPORT_CSV) {
		if (i > 0)
			putch(w, ',');
		return;
	}
	put(w, w->keys[i], w->keylen[i]);
}

static void
csv_text(struct export_writer *w, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p && !csv_special[*p]; p++)
		;
	if (*p == '\0') {
		put(w, s, (size_t)(p - (const unsigned char *)s));
		return;
	}
	putch(w, '"');
	for (; *s; s++) {
		if (*s == '"')
			putch(w, '"');
		putch(w, *s);
	}
	putch(w, '"');
}

/* JSON text: printable ASCII copied, anything else through json_out (on
 * the stream, after what is buffered). */
static void
json_text(struct export_writer *w, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p && json_plain[*p]; p++)
		;
	if (*p != '\0') {
		drain(w);
		json_string(w->f, s);
		return;
	}
	putch(w, '"');
	put(w, s, (size_t)(p - (const unsigned char *)s));
	putch(w, '"');
}

/* A text column; NULL is absent (empty in CSV, null in NDJSON). */
static void
text(struct export_writer *w, const char *s)
{
	next(w);
	if (w->fmt == EXPORT_CSV) {
		if (s != NULL)
			csv_text(w, s);
	} else if (s == NULL)
		PUTS(w, "null");
	else
		json_text(w, s);
}

/* "" as absent: what the IP database left unknown. */
static void
text_or_null(struct export_writer *w, const char *s)
{
	text(w, s != NULL && *s != '\0' ? s : NULL);
}

static void
number(struct export_writer *w, int has, int64_t v)
{
	char buf[24], *p = buf + sizeof buf;
	uint64_t u;

	next(w);
	if (!has) {
		if (w->fmt == EXPORT_NDJSON)
			PUTS(w, "null");
		return;
	}
	u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	put(w, p, (size_t)(buf + sizeof buf - p));
}

static void
boolean(struct export_writer *w, int v)
{
	next(w);
	if (w->fmt == EXPORT_CSV) {
		if (v)
			PUTS(w, "True");
		else
			PUTS(w, "False");
	} else if (v)
		PUTS(w, "true");
	else
		PUTS(w, "false");
}

void
export_write_header(struct export_writer *w)
{
	size_t i;

	if (w->fmt != EXPORT_CSV)
		return;
	for (i = 0; i < export_ncolumns; i++) {
		if (i)
			putch(w, ',');
		put(w, export_columns[i], strlen(export_columns[i]));
	}
	PUTS(w, "\r\n");
}

int
export_write_row(struct export_writer *w, const struct export_row *r,
    const struct export_source *s)
{
	const struct ipdb_info *g = s->geo;
	struct prefix *pf = &w->prefix[r->report_seq % PREFIX_SLOTS];
	size_t start = w->len;
	uint64_t drains = w->drains;

	w->col = 0;
	if (pf->seq == r->report_seq && pf->seq != 0) {
		put(w, pf->text, pf->len);
		w->col = PREFIX_COLS;
		goto record;
	}
	text(w, r->xml_schema);
	text(w, r->org_name);
	text(w, r->org_email);
	text(w, r->org_extra_contact_info);
	text(w, r->report_id);
	text(w, r->begin_date);
	text(w, r->end_date);
	boolean(w, r->normalized_timespan);
	text(w, r->errors);
	text(w, r->domain);
	text(w, r->adkim);
	text(w, r->aspf);
	text(w, r->p);
	text(w, r->sp);
	text(w, r->np);
	number(w, r->has_pct, r->pct);
	text(w, r->fo);
	text(w, r->testing);
	text(w, r->discovery_method);
	/* keep the prefix when it is whole in buf */
	if (w->drains == drains && w->len - start <= PREFIX_MAX &&
	    r->report_seq != 0) {
		char *t = realloc(pf->text, w->len - start);
		if (t != NULL) {
			memcpy(t, w->buf + start, w->len - start);
			pf->text = t;
			pf->len = w->len - start;
			pf->seq = r->report_seq;
		}
	}
record:
	text(w, r->source_ip);
	text_or_null(w, g ? g->country : NULL);
	text(w, s->reverse_dns);
	text(w, s->base_domain);
	text(w, s->name);
	text(w, s->type);
	number(w, g != NULL && g->asn >= 0, g ? g->asn : 0);
	text_or_null(w, g ? g->as_name : NULL);
	text_or_null(w, g ? g->as_domain : NULL);
	number(w, 1, r->count);
	boolean(w, r->spf_aligned);
	boolean(w, r->dkim_aligned);
	boolean(w, r->dmarc_aligned);
	text(w, r->disposition);
	text(w, r->reasons);
	text(w, r->comments);
	text(w, r->envelope_from);
	text(w, r->header_from);
	text(w, r->envelope_to);
	text(w, r->dkim_domains);
	text(w, r->dkim_selectors);
	text(w, r->dkim_results);
	text(w, r->spf_domains);
	text(w, r->spf_scopes);
	text(w, r->spf_results);
	number(w, 1, r->record_id);
	text(w, s->sender);
	text(w, r->input_name);
	text(w, r->message_id);
	if (w->fmt == EXPORT_CSV)
		PUTS(w, "\r\n");
	else
		PUTS(w, "}\n");
	return w->failed ? -1 : 0;
}

int
export_writer_flush(struct export_writer *w)
{
	drain(w);
	if (!w->failed && fflush(w->f) != 0) {
		w->failed = 1;
		w->saved_errno = errno;
	}
	if (w->failed)
		errno = w->saved_errno;
	return w->failed ? -1 : 0;
}

void
export_writer_free(struct export_writer *w)
{
	size_t i;

	if (w == NULL)
		return;
	for (i = 0; i < PREFIX_SLOTS; i++)
		free(w->prefix[i].text);
	free(w->prefix);
	free(w);
}
