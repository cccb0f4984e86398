/* SPDX-License-Identifier: MIT */
/*
 * checkdns_render.c: check-dns output (see checkdns.h).  Text: one section
 * per record (DMARC, SPF with its tree of includes, each DKIM selector)
 * with the name, the published value, the verdict, then one line per
 * error and warning, each ending with what to do; then the hints from the
 * reports and a closing line.  JSON: one object, keys as documented in
 * dmarc-report(1).  Values from DNS are shown with control bytes as '?'.
 */
#include "checkdns.h"

#include <stdio.h>
#include <string.h>

#include "fmt.h"
#include "json_out.h"

/* A DKIM key record longer than this is cut in text ("... (N bytes)"). */
#define SHOW_KEY 120
/* Continuation lines of a message or record start at this column. */
#define INDENT 11

static int
safe(char ch)
{
	return (unsigned char)ch < 0x20 || ch == 0x7f ? '?' : ch;
}

/* Writes prefix, then s (its first max bytes) word-wrapped to
 * REPORT_WIDTH with continuation lines indented by `indent`, then a
 * newline; a word longer than a line is broken. */
static void
put_wrapped(FILE *f, const char *prefix, const char *s, size_t max,
    int indent)
{
	size_t n = strlen(s), col = strlen(prefix), i = 0, wl, k;
	char tail[48] = "";
	int space = 0;

	fputs(prefix, f);
	if (n > max) {
		snprintf(tail, sizeof tail, "... (%zu bytes)", n);
		n = max;
	}
	for (;;) {
		while (i < n && s[i] == ' ')
			i++;
		if (i == n)
			break;
		for (wl = 0; i + wl < n && s[i + wl] != ' '; wl++)
			;
		if (space && col + 1 + wl > REPORT_WIDTH) {
			fprintf(f, "\n%*s", indent, "");
			col = (size_t)indent;
			space = 0;
		}
		if (space) {
			fputc(' ', f);
			col++;
		}
		for (k = 0; k < wl; k++, col++) {
			if (col == REPORT_WIDTH) {
				fprintf(f, "\n%*s", indent, "");
				col = (size_t)indent;
			}
			fputc(safe(s[i + k]), f);
		}
		i += wl;
		space = 1;
	}
	if (tail[0] != '\0') {
		if (col + strlen(tail) > REPORT_WIDTH)
			fprintf(f, "\n%*s", indent, "");
		fputs(tail, f);
	}
	fputc('\n', f);
}

static void
verdict(FILE *f, size_t nerr, size_t nwarn, const char *ok)
{
	fputs("  verdict: ", f);
	if (nerr == 0 && nwarn == 0)
		fprintf(f, "%s\n", ok);
	else if (nerr == 0)
		fprintf(f, "OK, %zu warning%s\n", nwarn, nwarn == 1 ? "" : "s");
	else if (nwarn == 0)
		fprintf(f, "%zu error%s\n", nerr, nerr == 1 ? "" : "s");
	else
		fprintf(f, "%zu error%s, %zu warning%s\n", nerr, nerr == 1 ?
		    "" : "s", nwarn, nwarn == 1 ? "" : "s");
}

static void
messages(FILE *f, const struct msglist *e, const struct msglist *w)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		put_wrapped(f, "  error:   ", e->v[i], (size_t)-1, INDENT);
	for (i = 0; i < w->n; i++)
		put_wrapped(f, "  warning: ", w->v[i], (size_t)-1, INDENT);
	if (e->dropped + w->dropped > 0)
		fprintf(f, "  (%zu more not shown)\n", e->dropped + w->dropped);
}

static void
text_dmarc(FILE *f, const struct dmarc_dns *d)
{
	size_t i;

	fprintf(f, "DMARC  %s\n", d->name);
	put_wrapped(f, "  record:  ", d->record ? d->record : "(none)",
	    (size_t)-1, INDENT);
	if (d->from_org)
		fputs("  (no record at the domain itself: receivers use the "
		    "organizational domain's, with its sp=)\n", f);
	for (i = 0; i < d->next; i++)
		fprintf(f, "  reports to %s: %s\n", d->ext[i].host,
		    d->ext[i].authorized ? "authorized" : "NOT authorized");
	verdict(f, d->errors.n, d->warnings.n, "OK");
	messages(f, &d->errors, &d->warnings);
}

static void
text_spf(FILE *f, const struct spf_result *s, const char *domain)
{
	size_t i;

	fprintf(f, "\nSPF  %s\n", domain);
	put_wrapped(f, "  record:  ", s->record ? s->record : "(none)",
	    (size_t)-1, INDENT);
	fprintf(f, "  lookups: %d of %d, void lookups %d of %d\n",
	    s->lookups, SPF_MAX_LOOKUPS, s->void_lookups, SPF_MAX_VOID);
	verdict(f, s->errors.n, s->warnings.n, "OK");
	messages(f, &s->errors, &s->warnings);
	if (s->nnodes <= 1)
		return;
	fputs("  tree (DNS lookups: each include or redirect with all below "
	    "it):\n", f);
	for (i = 0; i < s->nnodes; i++) {
		const struct spf_node *n = &s->nodes[i];
		char label[DNSQ_NAME_LEN + 16];
		int pad = 2 * n->depth;

		if (n->depth == 0)
			snprintf(label, sizeof label, "%s", n->domain);
		else
			snprintf(label, sizeof label, "%s%s%s", n->via,
			    strcmp(n->via, "include") == 0 ? ":" : "=", n->domain);
		fprintf(f, "    %*s%-*s %3d%s%s\n", pad, "", 48 - pad, label,
		    n->lookups, n->problem ? "  " : "",
		    n->problem ? n->problem : "");
	}
}

static void
text_dkim(FILE *f, const struct dkim_key *k, const struct checkdns_selector *s)
{
	char num[FMT_NUM], num2[FMT_NUM], day[FMT_NUM];

	fprintf(f, "\nDKIM  %s", k->name);
	if (k->target[0] != '\0')
		fprintf(f, " (CNAME to %s)", k->target);
	fputc('\n', f);
	put_wrapped(f, "  record:  ", k->record ? k->record : "(none)",
	    SHOW_KEY, INDENT);
	if (k->bits > 0)
		fprintf(f, "  key:     RSA, %d bits\n", k->bits);
	else if (k->type[0] != '\0' && !k->revoked)
		fprintf(f, "  key:     %s\n", k->type);
	if (s != NULL) {
		char line[600];

		snprintf(line, sizeof line, "%s messages signed, %s passed%s%s%s%s"
		    "%s%s%s", fmt_int(s->messages, num, sizeof num),
		    fmt_int(s->passed, num2, sizeof num2),
		    s->last_pass >= 0 ? ", the last on " : "",
		    s->last_pass >= 0 ? fmt_day(s->last_pass, day, sizeof day) : "",
		    s->ip[0] ? ", mostly from " : "", s->ip,
		    s->sender ? " (" : "", s->sender ? s->sender : "",
		    s->sender ? ")" : "");
		put_wrapped(f, "  reports: ", line, (size_t)-1, INDENT);
	}
	verdict(f, k->errors.n, k->warnings.n, k->missing ? "MISSING" : "OK");
	messages(f, &k->errors, &k->warnings);
}

static void
render_text(FILE *f, const struct checkdns *cd,
    const struct checkdns_facts *facts)
{
	size_t i, nwarn;
	char a[FMT_NUM], b[FMT_NUM];

	text_dmarc(f, &cd->dmarc);
	text_spf(f, &cd->spf, cd->domain);
	for (i = 0; i < cd->ndkim; i++)
		text_dkim(f, &cd->dkim[i], facts ? &facts->sel[i] : NULL);
	if (cd->ndkim == 0 && (facts == NULL || !facts->have))
		fputs("\nDKIM  not checked: the selectors come from the reports, "
		    "which were not read\n", f);
	else if (cd->ndkim == 0)
		fprintf(f, "\nDKIM  not checked: no signature with d=%s in the "
		    "reports' window\n", cd->domain);
	if (facts != NULL && facts->have) {
		fprintf(f, "\nAgainst the reports of %s to %s (UTC):\n",
		    fmt_day(facts->since, a, sizeof a),
		    fmt_day(facts->until - UTC_DAY_SECONDS, b, sizeof b));
		if (cd->hints.n == 0)
			fputs("  nothing to add\n", f);
		for (i = 0; i < cd->hints.n; i++)
			put_wrapped(f, "  * ", cd->hints.v[i], (size_t)-1, 4);
	}
	nwarn = cd->dmarc.warnings.n + cd->spf.warnings.n;
	for (i = 0; i < cd->ndkim; i++)
		nwarn += cd->dkim[i].warnings.n;
	fprintf(f, "\n%s: %s%d error%s, %zu warning%s\n", cd->domain,
	    cd->errors ? "NEEDS ATTENTION, " : "OK, ", cd->errors,
	    cd->errors == 1 ? "" : "s", nwarn, nwarn == 1 ? "" : "s");
}

static void
json_list(FILE *f, const struct msglist *l)
{
	size_t i;

	fputc('[', f);
	for (i = 0; i < l->n; i++) {
		if (i)
			fputs(", ", f);
		json_string(f, l->v[i]);
	}
	fputc(']', f);
}

static void
render_json(FILE *f, const struct checkdns *cd,
    const struct checkdns_facts *facts)
{
	const struct dmarc_dns *d = &cd->dmarc;
	const struct spf_result *s = &cd->spf;
	char day[FMT_NUM];
	size_t i;

	fputs("{\n  \"domain\": ", f);
	json_string(f, cd->domain);
	fputs(",\n  \"dmarc\": {\"name\": ", f);
	json_string(f, d->name);
	fputs(", \"record\": ", f);
	json_string(f, d->record);
	fprintf(f, ", \"found\": %s, \"from_org\": %s, \"errors\": ",
	    d->found ? "true" : "false", d->from_org ? "true" : "false");
	json_list(f, &d->errors);
	fputs(", \"warnings\": ", f);
	json_list(f, &d->warnings);
	fputs(", \"misplaced\": ", f);
	json_list(f, &d->misplaced);
	fputs(", \"external\": [", f);
	for (i = 0; i < d->next; i++) {
		fputs(i ? ", {\"host\": " : "{\"host\": ", f);
		json_string(f, d->ext[i].host);
		fprintf(f, ", \"authorized\": %s}", d->ext[i].authorized ?
		    "true" : "false");
	}
	fputs("]},\n  \"spf\": {\"record\": ", f);
	json_string(f, s->record);
	fprintf(f, ", \"lookups\": %d, \"void_lookups\": %d, \"errors\": ",
	    s->lookups, s->void_lookups);
	json_list(f, &s->errors);
	fputs(", \"warnings\": ", f);
	json_list(f, &s->warnings);
	fputs(", \"includes\": [", f);
	for (i = 1; i < s->nnodes; i++) {
		const struct spf_node *n = &s->nodes[i];

		fputs(i > 1 ? ",\n    {\"via\": " : "\n    {\"via\": ", f);
		json_string(f, n->via);
		fputs(", \"domain\": ", f);
		json_string(f, n->domain);
		fprintf(f, ", \"depth\": %d, \"lookups\": %d, \"record\": ",
		    n->depth, n->lookups);
		json_string(f, n->record);
		fputs(", \"problem\": ", f);
		json_string(f, n->problem);
		fputc('}', f);
	}
	fputs("]},\n  \"dkim\": [", f);
	for (i = 0; i < cd->ndkim; i++) {
		const struct dkim_key *k = &cd->dkim[i];
		const struct checkdns_selector *sel = facts ? &facts->sel[i] :
		    NULL;

		fputs(i ? ",\n    {\"selector\": " : "\n    {\"selector\": ", f);
		json_string(f, k->selector);
		fputs(", \"name\": ", f);
		json_string(f, k->name);
		fputs(", \"cname\": ", f);
		json_string(f, k->target[0] ? k->target : NULL);
		fprintf(f, ", \"found\": %s, \"revoked\": %s, \"type\": ",
		    k->found ? "true" : "false", k->revoked ? "true" : "false");
		json_string(f, k->type[0] ? k->type : NULL);
		if (k->bits > 0)
			fprintf(f, ", \"bits\": %d", k->bits);
		else
			fputs(", \"bits\": null", f);
		fputs(", \"errors\": ", f);
		json_list(f, &k->errors);
		fputs(", \"warnings\": ", f);
		json_list(f, &k->warnings);
		if (sel != NULL) {
			fprintf(f, ", \"messages\": %lld, \"passed\": %lld, "
			    "\"last_pass\": ", (long long)sel->messages,
			    (long long)sel->passed);
			json_string(f, sel->last_pass >= 0 ? fmt_day(sel->last_pass,
			    day, sizeof day) : NULL);
			fputs(", \"source_ip\": ", f);
			json_string(f, sel->ip[0] ? sel->ip : NULL);
			fputs(", \"sender\": ", f);
			json_string(f, sel->sender);
		}
		fputc('}', f);
	}
	fputs("],\n  \"hints\": ", f);
	json_list(f, &cd->hints);
	fprintf(f, ",\n  \"error_count\": %d\n}\n", cd->errors);
}

void
checkdns_render(FILE *f, const struct checkdns *cd,
    const struct checkdns_facts *facts, enum out_format format)
{
	if (format == OUT_JSON)
		render_json(f, cd, facts);
	else
		render_text(f, cd, facts);
}
