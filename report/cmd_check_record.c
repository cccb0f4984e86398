/* SPDX-License-Identifier: MIT */
/*
 * cmd_check_record.c: the check-record command: lints c->record (and the
 * owner name c->name) with lint_record and prints the verdict.
 *
 * Text: "valid" or "invalid: N error(s)", then one "error: ..." line per
 * error and one "warning: ..." line per warning, then "tags: " and the
 * record normalized (tag names in lowercase, values trimmed, "; " between,
 * the first of duplicate tags).  JSON: {"valid", "errors", "warnings",
 * "tags": {name: value}}.  CSV has no meaning for one record: exit 2.
 * Returns 0 when the record is valid (warnings allowed), 1 when not.
 */
#include "report.h"

#include <string.h>

#include "json_out.h"
#include "lint.h"

/* s with control bytes as '?': one line whatever the record holds. */
static void
put_line_safe(FILE *f, const char *s)
{
	for (; *s != '\0'; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

static void
print_text(FILE *f, const struct lint_result *r)
{
	size_t i;

	if (r->valid)
		fputs("valid\n", f);
	else
		fprintf(f, "invalid: %zu error%s\n", r->nerrors,
		    r->nerrors == 1 ? "" : "s");
	for (i = 0; i < r->nerrors; i++)
		fprintf(f, "error: %s\n", r->errors[i]);
	for (i = 0; i < r->nwarnings; i++)
		fprintf(f, "warning: %s\n", r->warnings[i]);
	fputs("tags:", f);
	for (i = 0; i < r->ntags; i++) {
		fprintf(f, "%s%s=", i ? "; " : " ", r->tags[i].name);
		put_line_safe(f, r->tags[i].value);
	}
	fputc('\n', f);
}

static void
json_list(FILE *f, char *const *list, size_t n)
{
	size_t i;

	fputc('[', f);
	for (i = 0; i < n; i++) {
		if (i)
			fputs(", ", f);
		json_string(f, list[i]);
	}
	fputc(']', f);
}

static void
print_json(FILE *f, const struct lint_result *r)
{
	size_t i;

	fprintf(f, "{\n  \"valid\": %s,\n  \"errors\": ",
	    r->valid ? "true" : "false");
	json_list(f, r->errors, r->nerrors);
	fputs(",\n  \"warnings\": ", f);
	json_list(f, r->warnings, r->nwarnings);
	fputs(",\n  \"tags\": {", f);
	for (i = 0; i < r->ntags; i++) {
		if (i)
			fputs(", ", f);
		json_string(f, r->tags[i].name);
		fputs(": ", f);
		json_string(f, r->tags[i].value);
	}
	fputs("}\n}\n", f);
}

enum report_status
cmd_check_record(struct report_ctx *c)
{
	struct lint_result r;
	enum report_status rc;

	if (c->format == OUT_CSV) {
		snprintf(c->err, sizeof c->err, "check-record: --format csv "
		    "has no meaning for one record; use text or json");
		return RPT_USAGE;
	}
	if (lint_pasted(c->record, c->name, &r) != 0)
		return report_oom(c);
	if (c->format == OUT_JSON)
		print_json(c->out, &r);
	else
		print_text(c->out, &r);
	rc = r.valid ? RPT_OK : RPT_ATTENTION;
	lint_free(&r);
	return rc;
}
