/* SPDX-License-Identifier: MIT */
/* senders_out.c: `dmarc-report senders` as text, CSV and JSON (see
 * senders_out.h). */
#include "senders_out.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "advise_render.h"
#include "fmt.h"
#include "json_out.h"
#include "report.h"
#include "table.h"

#define DAY UTC_DAY_SECONDS

/* One DKIM selector or SPF domain of a sender, its sources merged. */
struct auth_item {
	const char *dom, *sel;	/* sel NULL for SPF */
	int64_t first, last, messages, pass;
};

/* What one sender shows, gathered from its sources. */
struct view {
	const struct adv_sender *g;
	const char **ips;
	size_t nips;
	struct auth_item *dkim, *spf;
	size_t ndkim, nspf;
	int64_t week_first;		/* UTC day the first week begins */
	size_t nweeks;
	int64_t *wmsg, *wpass;		/* per week */
};

static void
view_free(struct view *v)
{
	free(v->ips);
	free(v->dkim);
	free(v->spf);
	free(v->wmsg);
	free(v->wpass);
	memset(v, 0, sizeof *v);
}

/* Adds to the item of (dom, sel), or appends one; items has room. */
static void
add_item(struct auth_item *items, size_t *n, const char *dom, const char *sel,
    int64_t first, int64_t last, int64_t messages, int64_t pass)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp(items[i].dom, dom) == 0 && (sel == NULL ||
		    strcmp(items[i].sel, sel) == 0))
			break;
	if (i == *n) {
		items[i].dom = dom;
		items[i].sel = sel;
		items[i].first = first;
		items[i].last = last;
		(*n)++;
	}
	if (first < items[i].first)
		items[i].first = first;
	if (last > items[i].last)
		items[i].last = last;
	items[i].messages += messages;
	items[i].pass += pass;
}

static int
by_first(const void *x, const void *y)
{
	const struct auth_item *a = x, *b = y;
	int c;

	if (a->first != b->first)
		return a->first < b->first ? -1 : 1;
	if ((c = strcmp(a->dom, b->dom)) != 0)
		return c;
	return strcmp(a->sel ? a->sel : "", b->sel ? b->sel : "");
}

static int
by_item_messages(const void *x, const void *y)
{
	const struct auth_item *a = x, *b = y;

	if (a->messages != b->messages)
		return a->messages > b->messages ? -1 : 1;
	return strcmp(a->dom, b->dom);
}

/* Gathers sender `k` of d; -1 out of memory. */
static int
view_of(const struct advice *a, const struct adv_domain *d, size_t k,
    struct view *v)
{
	const struct adv_sender *g = &d->snd[k];
	size_t i, j, nd = 0, ns = 0;
	int64_t last = utc_day(a->until - 1);

	memset(v, 0, sizeof *v);
	v->g = g;
	for (i = 0; i < d->nsrc; i++)
		if (d->src[i].snd == k) {
			nd += d->src[i].nsels;
			ns += d->src[i].nres;
			v->nips++;
		}
	v->week_first = utc_day(a->since);
	v->nweeks = last >= v->week_first ?
	    (size_t)((last - v->week_first) / 7 + 1) : 0;
	if ((v->ips = calloc(v->nips + 1, sizeof *v->ips)) == NULL ||
	    (v->dkim = calloc(nd + 1, sizeof *v->dkim)) == NULL ||
	    (v->spf = calloc(ns + 1, sizeof *v->spf)) == NULL ||
	    (v->wmsg = calloc(v->nweeks + 1, sizeof *v->wmsg)) == NULL ||
	    (v->wpass = calloc(v->nweeks + 1, sizeof *v->wpass)) == NULL)
		return -1;
	v->nips = 0;
	for (i = 0; i < d->nsrc; i++) {
		const struct adv_source *s = &d->src[i];

		if (s->snd != k)
			continue;
		v->ips[v->nips++] = s->ip;
		for (j = 0; j < s->nsels; j++)
			add_item(v->dkim, &v->ndkim, s->sels[j].dom, s->sels[j].sel,
			    s->sels[j].first, s->sels[j].last, s->sels[j].messages,
			    s->sels[j].pass);
		for (j = 0; j < s->nres; j++)
			if (!s->res[j].dkim && s->res[j].dom[0])
				add_item(v->spf, &v->nspf, s->res[j].dom, NULL, 0, 0,
				    s->res[j].messages, strcmp(s->res[j].res,
				    "pass") == 0 ? s->res[j].messages : 0);
	}
	if (v->ndkim > 1)
		qsort(v->dkim, v->ndkim, sizeof *v->dkim, by_first);
	if (v->nspf > 1)
		qsort(v->spf, v->nspf, sizeof *v->spf, by_item_messages);
	for (i = 0; i < g->ndays; i++) {
		int64_t w = (g->days[i].day - v->week_first) / 7;

		if (g->days[i].day < v->week_first || w < 0 ||
		    (size_t)w >= v->nweeks)
			continue;
		v->wmsg[w] += g->days[i].messages;
		v->wpass[w] += g->days[i].pass;
	}
	return 0;
}

const char *
senders_state_text(const struct adv_sender *g, char *buf, size_t len)
{
	char day[FMT_NUM];

	fmt_day(g->tl.since * DAY, day, sizeof day);
	switch (g->tl.trend) {
	case ADV_T_FIXED:
		if (advise_bucket_of(g->cls) == ADV_B_LEGIT) {
			snprintf(buf, len, "fixed since %s", day);
			return buf;
		}
		break;
	case ADV_T_SETTLING:
		snprintf(buf, len, "aligned since %s (settling)", day);
		return buf;
	case ADV_T_BROKEN:
		snprintf(buf, len, "broken since %s", day);
		return buf;
	default:
		break;
	}
	snprintf(buf, len, "%s", advise_class_name(g->cls));
	return buf;
}

/* The aligned share of a week as one of ▁▂▃▄▅▆▇█ (eighths), or · */
static const char *
spark(int64_t pass, int64_t messages)
{
	static const char *const bars[8] = {
		"\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586",
		"\u2587", "\u2588",
	};
	int k;

	if (messages <= 0)
		return "\u00b7";
	k = (int)(8.0 * (double)pass / (double)messages);
	return bars[k < 0 ? 0 : k > 7 ? 7 : k];
}

/* The senders of d, most messages first. */
static const struct adv_domain *sort_d;

static int
by_sender_messages(const void *x, const void *y)
{
	const struct adv_sender *a = &sort_d->snd[*(const size_t *)x];
	const struct adv_sender *b = &sort_d->snd[*(const size_t *)y];

	if (a->messages != b->messages)
		return a->messages > b->messages ? -1 : 1;
	return strcmp(a->name, b->name);
}

static size_t *
sender_order(const struct adv_domain *d)
{
	size_t *idx = calloc(d->nsnd + 1, sizeof *idx), i;

	if (idx == NULL)
		return NULL;
	for (i = 0; i < d->nsnd; i++)
		idx[i] = i;
	sort_d = d;
	if (d->nsnd > 1)
		qsort(idx, d->nsnd, sizeof *idx, by_sender_messages);
	return idx;
}

/* "company.dk s1 2025-09-08..2025-09-28" (text: "...09-08..09-28") */
static void
selector_text(const struct auth_item *x, int text, char *buf, size_t len)
{
	char a[FMT_NUM], b[FMT_NUM];

	fmt_day(x->first * DAY, a, sizeof a);
	fmt_day(x->last * DAY, b, sizeof b);
	snprintf(buf, len, "%s %s %s..%s", x->dom[0] ? x->dom : "(no domain)",
	    x->sel[0] ? x->sel : "(no selector)", text ? a + 5 : a,
	    text ? b + 5 : b);
}

/* The list cells of a view: DKIM selectors, SPF domains, as strings. */
static int
cells(const struct view *v, int text, char ***dk, char ***sp)
{
	char buf[600];
	size_t i;

	*dk = calloc(v->ndkim + 1, sizeof **dk);
	*sp = calloc(v->nspf + 1, sizeof **sp);
	if (*dk == NULL || *sp == NULL)
		return -1;
	for (i = 0; i < v->ndkim; i++) {
		selector_text(&v->dkim[i], text, buf, sizeof buf);
		if (((*dk)[i] = strdup(buf)) == NULL)
			return -1;
	}
	for (i = 0; i < v->nspf; i++)
		if (((*sp)[i] = strdup(v->spf[i].dom)) == NULL)
			return -1;
	return 0;
}

static void
free_cells(char **v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Appends "a, b, c" (or "none") to buf. */
static void
join(char *buf, size_t len, char *const *v, size_t n)
{
	size_t i;

	if (n == 0)
		strncat(buf, "none", len - strlen(buf) - 1);
	for (i = 0; i < n; i++) {
		if (i)
			strncat(buf, ", ", len - strlen(buf) - 1);
		strncat(buf, v[i], len - strlen(buf) - 1);
	}
}

static void
text_domain(FILE *f, const struct advice *a, const struct adv_domain *d,
    size_t top)
{
	static const struct table_coldef cols[] = {
		{ "SENDER", TABLE_LEFT, 1 },
		{ "STATE", TABLE_LEFT, 0 },
		{ "SOURCES", TABLE_RIGHT, 0 },
		{ "MESSAGES", TABLE_RIGHT, 0 },
		{ "PASS", TABLE_RIGHT, 0 },
		{ "BY WEEK", TABLE_LEFT, 0 },
	};
	struct table *t = table_new();
	size_t *idx = sender_order(d), i, w;
	char x[FMT_NUM], y[FMT_NUM], st[64], line[256], auth[1024];
	FILE *mem;
	char *detail = NULL;
	size_t dlen = 0;

	if (t == NULL || idx == NULL ||
	    (mem = open_memstream(&detail, &dlen)) == NULL) {
		table_free(t);
		free(idx);
		return;
	}
	fprintf(f, "%s: %zu sender%s, %s to %s (UTC)\n", d->name, d->nsnd,
	    d->nsnd == 1 ? "" : "s", fmt_day(a->since, x, sizeof x),
	    fmt_day(a->until - DAY, y, sizeof y));
	table_cols(t, cols, sizeof cols / sizeof cols[0]);
	for (i = 0; i < d->nsnd && i < top; i++) {
		struct view v;
		char **dk = NULL, **sp = NULL;

		if (view_of(a, d, idx[i], &v) != 0 ||
		    cells(&v, 1, &dk, &sp) != 0) {
			free_cells(dk, v.ndkim);
			free_cells(sp, v.nspf);
			view_free(&v);
			break;
		}
		line[0] = '\0';
		for (w = 0; w < v.nweeks && strlen(line) + 4 < sizeof line; w++)
			strcat(line, spark(v.wpass[w], v.wmsg[w]));
		table_row(t);
		table_cell(t, v.g->name);
		table_cell(t, senders_state_text(v.g, st, sizeof st));
		table_cell(t, fmt_int((int64_t)v.nips, x, sizeof x));
		table_cell(t, fmt_int(v.g->messages, x, sizeof x));
		table_cell(t, fmt_pct(v.g->pass, v.g->messages, x, sizeof x));
		table_cell(t, line);
		/* the authentication details, a line each below the table */
		snprintf(auth, sizeof auth, "%s: DKIM ", v.g->name);
		join(auth, sizeof auth, dk, v.ndkim);
		strncat(auth, "; SPF ", sizeof auth - strlen(auth) - 1);
		join(auth, sizeof auth, sp, v.nspf);
		advise_wrap(mem, "  ", auth, 4);
		free_cells(dk, v.ndkim);
		free_cells(sp, v.nspf);
		view_free(&v);
	}
	table_print_text(t, f, REPORT_WIDTH);
	if (d->nsnd > top)
		fprintf(f, "  +%zu more (--top)\n", d->nsnd - top);
	fprintf(f, "  BY WEEK: the DMARC pass share of each week from %s, in "
	    "eighths: \u2581 under 12.5%%,\n  \u2582 \u2583 \u2584 \u2585 "
	    "\u2586 \u2587, \u2588 87.5%% or more; \u00b7 no mail.\n",
	    fmt_day(utc_day(a->since) * DAY, x, sizeof x));
	fclose(mem);
	fputs("\nDKIM selectors (domain, selector, first..last day seen) and SPF "
	    "domains:\n", f);
	if (detail != NULL)
		fputs(detail, f);
	free(detail);
	table_free(t);
	free(idx);
}

void
senders_print_text(FILE *f, const struct advice *a, size_t top)
{
	char x[FMT_NUM], y[FMT_NUM];
	size_t i;

	if (a->n == 0) {
		fprintf(f, "No reports in the window %s to %s (UTC).\n",
		    fmt_day(a->since, x, sizeof x),
		    fmt_day(a->until - DAY, y, sizeof y));
		return;
	}
	for (i = 0; i < a->n; i++) {
		if (i)
			fputc('\n', f);
		text_domain(f, a, &a->d[i], top);
	}
}

void
senders_print_csv(FILE *f, const struct advice *a, size_t top)
{
	static const struct table_coldef cols[] = {
		{ "domain", TABLE_LEFT, 0 }, { "sender", TABLE_LEFT, 0 },
		{ "state", TABLE_LEFT, 0 }, { "class", TABLE_LEFT, 0 },
		{ "since", TABLE_LEFT, 0 }, { "sources", TABLE_RIGHT, 0 },
		{ "source_ips", TABLE_LEFT, 0 }, { "messages", TABLE_RIGHT, 0 },
		{ "dmarc_pass", TABLE_RIGHT, 0 }, { "pass_rate", TABLE_RIGHT, 0 },
		{ "week_start", TABLE_LEFT, 0 }, { "weekly_pass_rate", TABLE_LEFT, 0 },
		{ "dkim_selectors", TABLE_LEFT, 0 }, { "spf_domains", TABLE_LEFT, 0 },
	};
	struct table *t = table_new();
	char x[FMT_NUM], st[64];
	size_t i, k, w;

	if (t == NULL)
		return;
	table_cols(t, cols, sizeof cols / sizeof cols[0]);
	for (i = 0; i < a->n; i++) {
		const struct adv_domain *d = &a->d[i];
		size_t *idx = sender_order(d);

		for (k = 0; idx != NULL && k < d->nsnd && k < top; k++) {
			struct view v;
			char **dk = NULL, **sp = NULL, **wk = NULL;

			if (view_of(a, d, idx[k], &v) != 0 ||
			    cells(&v, 0, &dk, &sp) != 0 ||
			    (wk = calloc(v.nweeks + 1, sizeof *wk)) == NULL) {
				free_cells(dk, v.ndkim);
				free_cells(sp, v.nspf);
				view_free(&v);
				break;
			}
			for (w = 0; w < v.nweeks; w++)
				wk[w] = strdup(v.wmsg[w] ? fmt_fraction(v.wpass[w],
				    v.wmsg[w], x, sizeof x) : "");
			table_row(t);
			table_cell(t, d->name);
			table_cell(t, v.g->name);
			table_cell(t, senders_state_text(v.g, st, sizeof st));
			table_cell(t, advise_class_name(v.g->cls));
			table_cell(t, v.g->tl.trend == ADV_T_STEADY ? "" :
			    fmt_day(v.g->tl.since * DAY, x, sizeof x));
			table_cell(t, fmt_uint(v.nips, x, sizeof x));
			table_list(t, v.ips, v.nips);
			table_cellf(t, "%" PRId64, v.g->messages);
			table_cellf(t, "%" PRId64, v.g->pass);
			table_cell(t, fmt_fraction(v.g->pass, v.g->messages, x,
			    sizeof x));
			table_cell(t, fmt_day(v.week_first * DAY, x, sizeof x));
			table_list(t, (const char *const *)wk, v.nweeks);
			table_list(t, (const char *const *)dk, v.ndkim);
			table_list(t, (const char *const *)sp, v.nspf);
			free_cells(wk, v.nweeks);
			free_cells(dk, v.ndkim);
			free_cells(sp, v.nspf);
			view_free(&v);
		}
		free(idx);
	}
	table_print_csv(t, f);
	table_free(t);
}

static void
json_sender(FILE *f, const struct advice *a, const struct adv_domain *d,
    size_t k)
{
	struct view v;
	char x[FMT_NUM], st[64];
	size_t i, j, n;

	if (view_of(a, d, k, &v) != 0) {
		view_free(&v);
		fputs("null", f);
		return;
	}
	fputs("{\"sender\": ", f);
	json_string(f, v.g->name);
	fprintf(f, ", \"state\": \"%s\", \"class\": \"%s\", \"trend\": \"%s\", "
	    "\"since\": ", senders_state_text(v.g, st, sizeof st),
	    advise_class_name(v.g->cls), advise_trend_name(v.g->tl.trend));
	if (v.g->tl.trend == ADV_T_STEADY)
		fputs("null", f);
	else
		fprintf(f, "\"%s\"", fmt_day(v.g->tl.since * DAY, x, sizeof x));
	fprintf(f, ", \"messages\": %" PRId64 ", \"dmarc_pass\": %" PRId64
	    ", \"sources\": [", v.g->messages, v.g->pass);
	for (i = 0; i < v.nips; i++) {
		if (i)
			fputs(", ", f);
		json_string(f, v.ips[i]);
	}
	fputs("],\n      \"weeks\": [", f);
	for (i = 0; i < v.nweeks; i++)
		fprintf(f, "%s{\"start\": \"%s\", \"messages\": %" PRId64
		    ", \"dmarc_pass\": %" PRId64 "}", i ? ", " : "",
		    fmt_day((v.week_first + 7 * (int64_t)i) * DAY, x, sizeof x),
		    v.wmsg[i], v.wpass[i]);
	fputs("],\n      \"days\": [", f);
	for (i = 0; i < v.g->ndays; i++)
		fprintf(f, "%s{\"day\": \"%s\", \"messages\": %" PRId64
		    ", \"dmarc_pass\": %" PRId64 "}", i ? ", " : "",
		    fmt_day(v.g->days[i].day * DAY, x, sizeof x),
		    v.g->days[i].messages, v.g->days[i].pass);
	fputs("],\n      \"source_days\": [", f);
	for (i = 0, n = 0; i < d->nsrc; i++) {
		const struct adv_source *s = &d->src[i];

		if (s->snd != k)
			continue;
		fputs(n++ ? ", {\"source_ip\": " : "{\"source_ip\": ", f);
		json_string(f, s->ip);
		fprintf(f, ", \"class\": \"%s\", \"days\": [",
		    advise_class_name(s->cls));
		for (j = 0; j < s->ndays; j++)
			fprintf(f, "%s{\"day\": \"%s\", \"messages\": %" PRId64
			    ", \"dmarc_pass\": %" PRId64 "}", j ? ", " : "",
			    fmt_day(s->days[j].day * DAY, x, sizeof x),
			    s->days[j].messages, s->days[j].pass);
		fputs("]}", f);
	}
	fputs("],\n      \"dkim\": [", f);
	for (i = 0; i < v.ndkim; i++) {
		fputs(i ? ", {\"domain\": " : "{\"domain\": ", f);
		json_string(f, v.dkim[i].dom);
		fputs(", \"selector\": ", f);
		json_string(f, v.dkim[i].sel);
		fprintf(f, ", \"first\": \"%s\"", fmt_day(v.dkim[i].first * DAY, x,
		    sizeof x));
		fprintf(f, ", \"last\": \"%s\", \"messages\": %" PRId64
		    ", \"pass\": %" PRId64 "}", fmt_day(v.dkim[i].last * DAY, x,
		    sizeof x), v.dkim[i].messages, v.dkim[i].pass);
	}
	fputs("],\n      \"spf\": [", f);
	for (i = 0; i < v.nspf; i++) {
		fputs(i ? ", {\"domain\": " : "{\"domain\": ", f);
		json_string(f, v.spf[i].dom);
		fprintf(f, ", \"messages\": %" PRId64 ", \"pass\": %" PRId64 "}",
		    v.spf[i].messages, v.spf[i].pass);
	}
	fputs("]}", f);
	view_free(&v);
}

void
senders_print_json(FILE *f, const struct advice *a, size_t top)
{
	char x[FMT_NUM], y[FMT_NUM];
	size_t i, k;

	fputs("[", f);
	for (i = 0; i < a->n; i++) {
		const struct adv_domain *d = &a->d[i];
		size_t *idx = sender_order(d);

		fputs(i ? ",\n  {\"domain\": " : "\n  {\"domain\": ", f);
		json_string(f, d->name);
		fprintf(f, ", \"window\": {\"since\": \"%s\", \"until\": \"%s\"},"
		    "\n   \"senders\": [", fmt_day(a->since, x, sizeof x),
		    fmt_day(a->until - DAY, y, sizeof y));
		for (k = 0; idx != NULL && k < d->nsnd && k < top; k++) {
			fputs(k ? ",\n     " : "\n     ", f);
			json_sender(f, a, d, idx[k]);
		}
		fputs("]}", f);
		free(idx);
	}
	fputs(a->n ? "\n]\n" : "]\n", f);
}
