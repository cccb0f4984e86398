/* SPDX-License-Identifier: MIT */
/* table.c: aligned text and CSV tables (see table.h). */
#include "table.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "dm_array.h"

#define MAX_COLS 32
#define MIN_WIDTH 6	/* a shrunk column keeps at least this */
/* Rows (the cells' cap, times the columns): 16M stops runaway growth and is
 * past any table the tools print (one row per domain, source or reporter). */
#define TABLE_MAX_ROWS ((size_t)1 << 24)

struct cell {
	char *text;	/* a plain cell, or NULL */
	char **items;	/* a list cell */
	size_t n;
};

struct table {
	struct {
		char *header;
		enum table_align align;
		int shrink;
	} col[MAX_COLS];
	size_t ncols;
	struct cell *cells;	/* rows * ncols */
	size_t nrows, cap, filled;	/* filled: cells of the current row */
};

/* Display width of UTF-8 text: one column per code point. */
static size_t
text_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

/* Byte length of the first `cols` code points of s. */
static size_t
prefix_bytes(const char *s, size_t cols)
{
	size_t i = 0, w = 0;

	while (s[i] && w < cols) {
		i++;
		while (((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		w++;
	}
	return i;
}

struct table *
table_new(void)
{
	return calloc(1, sizeof(struct table));
}

void
table_free(struct table *t)
{
	size_t i, j;

	if (t == NULL)
		return;
	for (i = 0; i < t->nrows * t->ncols; i++) {
		free(t->cells[i].text);
		for (j = 0; j < t->cells[i].n; j++)
			free(t->cells[i].items[j]);
		free(t->cells[i].items);
	}
	for (i = 0; i < t->ncols; i++)
		free(t->col[i].header);
	free(t->cells);
	free(t);
}

void
table_col(struct table *t, const char *header, enum table_align align,
    int shrink)
{
	if (t->ncols == MAX_COLS)
		return;
	t->col[t->ncols].header = strdup(header);
	t->col[t->ncols].align = align;
	t->col[t->ncols].shrink = shrink;
	t->ncols++;
}

void
table_cols(struct table *t, const struct table_coldef *defs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		table_col(t, defs[i].header, defs[i].align, defs[i].shrink);
}

void
table_row(struct table *t)
{
	size_t old = t->cap;

	if (dm_array_reserve(&t->cells, &t->cap, (t->nrows + 1) * t->ncols,
	    sizeof *t->cells, TABLE_MAX_ROWS * t->ncols) != 0)
		return;
	memset(t->cells + old, 0, (t->cap - old) * sizeof *t->cells);
	t->nrows++;
	t->filled = 0;
}

static struct cell *
next_cell(struct table *t)
{
	if (t->nrows == 0 || t->filled >= t->ncols ||
	    t->nrows * t->ncols > t->cap)
		return NULL;
	return &t->cells[(t->nrows - 1) * t->ncols + t->filled++];
}

void
table_cell(struct table *t, const char *text)
{
	struct cell *c = next_cell(t);

	if (c != NULL)
		c->text = strdup(text ? text : "");
}

void
table_cellf(struct table *t, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	table_cell(t, buf);
}

void
table_list(struct table *t, const char *const *items, size_t n)
{
	struct cell *c = next_cell(t);
	size_t i;

	if (c == NULL)
		return;
	if (n == 0) {
		c->text = strdup("-");
		return;
	}
	if ((c->items = calloc(n, sizeof *c->items)) == NULL)
		return;
	for (i = 0; i < n; i++)
		c->items[i] = strdup(items[i] ? items[i] : "");
	c->n = n;
}

size_t
table_rows(const struct table *t)
{
	return t->nrows;
}

/* A list cell within `width` columns: "a, b, c", or "a, b +1" when the
 * rest does not fit, or "aaa~ +2" when not even the first item does. */
static void
list_fit(const struct cell *c, size_t width, char *buf, size_t len)
{
	size_t i, used = 0;
	char more[32];

	buf[0] = '\0';
	for (i = 0; i < c->n; i++) {
		size_t w = text_width(c->items[i]) + (i ? 2 : 0);
		size_t rest = c->n - i - 1, mw;

		more[0] = '\0';
		if (rest)
			snprintf(more, sizeof more, " +%zu", rest);
		mw = strlen(more);
		if (used + w + mw > width) {
			if (i > 0)
				break;
			/* the first item alone is too wide: cut it */
			if (width > mw + 1) {
				size_t b = prefix_bytes(c->items[0], width - mw - 1);
				if (b + 1 < len) {
					memcpy(buf, c->items[0], b);
					buf[b] = '~';
					buf[b + 1] = '\0';
				}
			}
			strncat(buf, more, len - strlen(buf) - 1);
			return;
		}
		if (i)
			strncat(buf, ", ", len - strlen(buf) - 1);
		strncat(buf, c->items[i], len - strlen(buf) - 1);
		used += w;
	}
	if (i < c->n) {
		snprintf(more, sizeof more, " +%zu", c->n - i);
		strncat(buf, more, len - strlen(buf) - 1);
	}
}

/* The narrowest a list cell gets: its first item and the "+N" of the
 * rest (0 for a plain cell). */
static size_t
list_min_width(const struct cell *c)
{
	char more[32] = "";

	if (c->text != NULL || c->n == 0)
		return 0;
	if (c->n > 1)
		snprintf(more, sizeof more, " +%zu", c->n - 1);
	return text_width(c->items[0]) + strlen(more);
}

/* The natural width of a cell. */
static size_t
cell_width(const struct cell *c)
{
	size_t w = 0, i;

	if (c->text != NULL)
		return text_width(c->text);
	for (i = 0; i < c->n; i++)
		w += text_width(c->items[i]) + (i ? 2 : 0);
	return w;
}

void
table_print_text(const struct table *t, FILE *f, size_t width)
{
	size_t w[MAX_COLS], minw[MAX_COLS], total, i, r;
	char buf[4096];

	for (i = 0; i < t->ncols; i++)
		w[i] = text_width(t->col[i].header);
	for (r = 0; r < t->nrows; r++)
		for (i = 0; i < t->ncols; i++) {
			size_t cw = cell_width(&t->cells[r * t->ncols + i]);
			if (cw > w[i])
				w[i] = cw;
		}
	/* too wide: take one column at a time from the widest shrinkable
	 * column, so the excess is shared between them; a list column keeps
	 * room for the first item of each row and its "+N" whole, so items
	 * are dropped, never cut (the table then passes `width`) */
	for (i = 0; i < t->ncols; i++) {
		minw[i] = MIN_WIDTH;
		for (r = 0; r < t->nrows; r++) {
			size_t fw = list_min_width(&t->cells[r * t->ncols + i]);
			if (fw > minw[i])
				minw[i] = fw;
		}
	}
	total = 0;
	for (i = 0; i < t->ncols; i++)
		total += w[i] + (i ? 2 : 0);
	while (total > width) {
		size_t widest = MAX_COLS;
		for (i = 0; i < t->ncols; i++)
			if (t->col[i].shrink && w[i] > minw[i] &&
			    (widest == MAX_COLS || w[i] > w[widest]))
				widest = i;
		if (widest == MAX_COLS)
			break;
		w[widest]--;
		total--;
	}
	for (r = 0; r <= t->nrows + 1; r++) {
		for (i = 0; i < t->ncols; i++) {
			const struct cell *c = r >= 2 ?
			    &t->cells[(r - 2) * t->ncols + i] : NULL;
			const char *s;
			size_t sw, pad;

			if (r == 0) {
				s = t->col[i].header;
			} else if (r == 1) {
				memset(buf, '-', w[i] < sizeof buf ? w[i] : sizeof buf - 1);
				buf[w[i] < sizeof buf ? w[i] : sizeof buf - 1] = '\0';
				s = buf;
			} else if (c->text == NULL && c->n > 0) {
				list_fit(c, w[i], buf, sizeof buf);
				s = buf;
			} else {
				s = c->text ? c->text : "";
			}
			sw = text_width(s);
			if (sw > w[i]) {
				/* cut plain text: keep w - 1 columns and a '~' */
				size_t b = prefix_bytes(s, w[i] > 0 ? w[i] - 1 : 0);
				if (s != buf) {
					memcpy(buf, s, b < sizeof buf - 2 ? b : sizeof buf - 2);
					s = buf;
				}
				buf[b < sizeof buf - 2 ? b : sizeof buf - 2] = '~';
				buf[(b < sizeof buf - 2 ? b : sizeof buf - 2) + 1] = '\0';
				sw = w[i];
			}
			pad = w[i] - sw;
			if (i)
				fputs("  ", f);
			if (t->col[i].align == TABLE_RIGHT)
				fprintf(f, "%*s%s", (int)pad, "", s);
			else if (i + 1 < t->ncols)
				fprintf(f, "%s%*s", s, (int)pad, "");
			else
				fputs(s, f);	/* no trailing blanks */
		}
		putc('\n', f);
	}
}

void
table_print_header(const struct table *t, FILE *f)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		fprintf(f, "%s%s", i ? "  " : "", t->col[i].header);
	putc('\n', f);
}

static void
csv_field(FILE *f, const char *s)
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

void
table_print_csv(const struct table *t, FILE *f)
{
	size_t i, r, k;
	char *joined;

	for (i = 0; i < t->ncols; i++) {
		if (i)
			putc(',', f);
		csv_field(f, t->col[i].header);
	}
	putc('\n', f);
	for (r = 0; r < t->nrows; r++) {
		for (i = 0; i < t->ncols; i++) {
			const struct cell *c = &t->cells[r * t->ncols + i];
			if (i)
				putc(',', f);
			if (c->text != NULL) {
				csv_field(f, c->text);
				continue;
			}
			/* list items joined by ";", with a ';' or '%' inside
			 * an item written %3B or %25 (each byte at most 3) */
			{
				size_t len = 1, o = 0;
				for (k = 0; k < c->n; k++)
					len += 3 * strlen(c->items[k]) + 1;
				if ((joined = malloc(len)) == NULL)
					continue;
				for (k = 0; k < c->n; k++) {
					const char *p = c->items[k];
					if (k)
						joined[o++] = ';';
					for (; *p; p++) {
						if (*p == ';' || *p == '%') {
							snprintf(joined + o, 4, "%%%02X",
							    (unsigned char)*p);
							o += 3;
						} else
							joined[o++] = *p;
					}
				}
				joined[o] = '\0';
				csv_field(f, joined);
				free(joined);
			}
		}
		putc('\n', f);
	}
}
