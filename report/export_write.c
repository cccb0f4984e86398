/* SPDX-License-Identifier: MIT */
/* export_write.c: export rows as CSV or NDJSON (see export_write.h). */
#include "export_write.h"

#include <inttypes.h>
#include <string.h>

#include "json_out.h"

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

/* The writer's place in a row: which column comes next. */
struct out {
	FILE *f;
	enum export_format fmt;
	size_t i;
};

/* The separator and, in NDJSON, the key of the next column. */
static void
next(struct out *o)
{
	const char *name = export_columns[o->i++];

	if (o->fmt == EXPORT_CSV) {
		if (o->i > 1)
			putc(',', o->f);
		return;
	}
	putc(o->i > 1 ? ',' : '{', o->f);
	putc('"', o->f);
	fputs(name, o->f);
	fputs("\":", o->f);
}

static void
csv_text(FILE *f, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, f);
		return;
	}
	putc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			putc('"', f);
		putc(*s, f);
	}
	putc('"', f);
}

/* JSON text: plain ASCII written as is, anything else through json_out. */
static void
json_text(FILE *f, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\') {
			json_string(f, s);
			return;
		}
	putc('"', f);
	fwrite(s, 1, (size_t)(p - (const unsigned char *)s), f);
	putc('"', f);
}

/* A text column; NULL is absent (empty in CSV, null in NDJSON). */
static void
text(struct out *o, const char *s)
{
	next(o);
	if (o->fmt == EXPORT_CSV) {
		if (s != NULL)
			csv_text(o->f, s);
	} else if (s == NULL)
		fputs("null", o->f);
	else
		json_text(o->f, s);
}

/* "" as absent: what the IP database left unknown. */
static void
text_or_null(struct out *o, const char *s)
{
	text(o, s != NULL && *s != '\0' ? s : NULL);
}

static void
number(struct out *o, int has, int64_t v)
{
	char buf[24];
	int n;

	next(o);
	if (!has) {
		if (o->fmt == EXPORT_NDJSON)
			fputs("null", o->f);
		return;
	}
	n = snprintf(buf, sizeof buf, "%" PRId64, v);
	fwrite(buf, 1, (size_t)n, o->f);
}

static void
boolean(struct out *o, int v)
{
	next(o);
	if (o->fmt == EXPORT_CSV)
		fputs(v ? "True" : "False", o->f);
	else
		fputs(v ? "true" : "false", o->f);
}

void
export_write_header(FILE *f, enum export_format fmt)
{
	size_t i;

	if (fmt != EXPORT_CSV)
		return;
	for (i = 0; i < export_ncolumns; i++) {
		if (i)
			putc(',', f);
		fputs(export_columns[i], f);
	}
	fputs("\r\n", f);
}

void
export_write_row(FILE *f, enum export_format fmt,
    const struct export_row *r, const struct export_source *s)
{
	struct out o = { f, fmt, 0 };
	const struct ipdb_info *g = s->geo;

	text(&o, r->xml_schema);
	text(&o, r->org_name);
	text(&o, r->org_email);
	text(&o, r->org_extra_contact_info);
	text(&o, r->report_id);
	text(&o, r->begin_date);
	text(&o, r->end_date);
	boolean(&o, r->normalized_timespan);
	text(&o, r->errors);
	text(&o, r->domain);
	text(&o, r->adkim);
	text(&o, r->aspf);
	text(&o, r->p);
	text(&o, r->sp);
	text(&o, r->np);
	number(&o, r->has_pct, r->pct);
	text(&o, r->fo);
	text(&o, r->testing);
	text(&o, r->discovery_method);
	text(&o, r->source_ip);
	text_or_null(&o, g ? g->country : NULL);
	text(&o, s->reverse_dns);
	text(&o, s->base_domain);
	text(&o, s->name);
	text(&o, s->type);
	number(&o, g != NULL && g->asn >= 0, g ? g->asn : 0);
	text_or_null(&o, g ? g->as_name : NULL);
	text_or_null(&o, g ? g->as_domain : NULL);
	number(&o, 1, r->count);
	boolean(&o, r->spf_aligned);
	boolean(&o, r->dkim_aligned);
	boolean(&o, r->dmarc_aligned);
	text(&o, r->disposition);
	text(&o, r->reasons);
	text(&o, r->comments);
	text(&o, r->envelope_from);
	text(&o, r->header_from);
	text(&o, r->envelope_to);
	text(&o, r->dkim_domains);
	text(&o, r->dkim_selectors);
	text(&o, r->dkim_results);
	text(&o, r->spf_domains);
	text(&o, r->spf_scopes);
	text(&o, r->spf_results);
	number(&o, 1, r->record_id);
	text(&o, s->sender);
	text(&o, r->input_name);
	text(&o, r->message_id);
	if (fmt == EXPORT_CSV)
		fputs("\r\n", f);
	else
		fputs("}\n", f);
}
