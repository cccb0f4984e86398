/* SPDX-License-Identifier: MIT */
/*
 * table.h: the rows a command shows, rendered as an aligned text table
 * that fits a width (list cells show whole items, the rest counted as
 * "a, b +3", and are never cut: a first item wider than its share widens
 * the table; other wide text is cut with "~") or as CSV (RFC 4180; list
 * items joined by ";", a ';' or '%' in an item written %3B or %25).  The
 * table owns copies of everything added to it.  Knows nothing of SQL.
 */
#ifndef DM_TABLE_H
#define DM_TABLE_H

#include <stddef.h>
#include <stdio.h>

enum table_align { TABLE_LEFT, TABLE_RIGHT };

struct table;

struct table *table_new(void);
void table_free(struct table *t);

/* Columns, in order, before any row.  A `shrink` column gives up width
 * first when the table is too wide. */
void table_col(struct table *t, const char *header, enum table_align align,
    int shrink);

/* A command's column list, added in one call. */
struct table_coldef {
	const char *header;
	enum table_align align;
	int shrink;
};
void table_cols(struct table *t, const struct table_coldef *defs, size_t n);

/* Starts a row; cells follow in column order. */
void table_row(struct table *t);
void table_cell(struct table *t, const char *text);
void table_cellf(struct table *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A list cell: items shown "a, b, c", or "a, b +1" when narrow. */
void table_list(struct table *t, const char *const *items, size_t n);

size_t table_rows(const struct table *t);

/* Text: header, a rule, rows; at most `width` columns wide. */
void table_print_text(const struct table *t, FILE *f, size_t width);
/* The header line alone: a text result without rows. */
void table_print_header(const struct table *t, FILE *f);
/* CSV: header row, then rows; CRLF line ends are not used (LF). */
void table_print_csv(const struct table *t, FILE *f);

#endif
