/* SPDX-License-Identifier: MIT */
/* test_table.c: text tables never cut a list item; CSV lists are ';'-joined with escapes. */
#define _GNU_SOURCE	/* open_memstream */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "table.h"

/* The table printed as text `width` wide, or as CSV when width is 0. */
static char *
render(const struct table *t, size_t width)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return NULL;
	if (width)
		table_print_text(t, f, width);
	else
		table_print_csv(t, f);
	fclose(f);
	return buf;
}

static void
test_whole_items(void)
{
	static const char *const spf[] = { "pass bnc3.mailjet.com",
	    "fail other.example", "pass x.example" };
	static const char *const dkim[] = { "pass mailjet.com" };
	struct table *t = table_new();
	char *out;

	table_col(t, "IP", TABLE_LEFT, 0);
	table_col(t, "SPF", TABLE_LEFT, 1);
	table_col(t, "DKIM", TABLE_LEFT, 1);
	table_row(t);
	table_cell(t, "192.0.2.1");
	table_list(t, spf, 3);
	table_list(t, dkim, 1);
	/* 30 columns: the SPF list keeps its first item and "+2" whole */
	out = render(t, 30);
	CHECK_STR(out, "IP         SPF                       DKIM\n"
	    "---------  ------------------------  ----------------\n"
	    "192.0.2.1  pass bnc3.mailjet.com +2  pass mailjet.com\n");
	free(out);
	/* wide enough for every item */
	out = render(t, 90);
	CHECK_STR(out, "IP         SPF                                                        DKIM\n"
	    "---------  ---------------------------------------------------------  ----------------\n"
	    "192.0.2.1  pass bnc3.mailjet.com, fail other.example, pass x.example  pass mailjet.com\n");
	free(out);
	/* 46 columns for SPF: two items and "+1" */
	out = render(t, 75);
	CHECK_STR(out, "IP         SPF                                             DKIM\n"
	    "---------  ----------------------------------------------  ----------------\n"
	    "192.0.2.1  pass bnc3.mailjet.com, fail other.example +1    pass mailjet.com\n");
	free(out);
	table_free(t);
}

static void
test_csv_lists(void)
{
	static const char *const names[] = { "Yahoo:171", "A;B 100%:2",
	    "pass:example.com:22927" };
	struct table *t = table_new();
	char *out;

	table_col(t, "ip", TABLE_LEFT, 0);
	table_col(t, "items", TABLE_LEFT, 0);
	table_row(t);
	table_cell(t, "192.0.2.1");
	table_list(t, names, 3);
	out = render(t, 0);
	CHECK_STR(out, "ip,items\n"
	    "192.0.2.1,Yahoo:171;A%3BB 100%25:2;pass:example.com:22927\n");
	free(out);
	table_free(t);
}

int
main(void)
{
	test_whole_items();
	test_csv_lists();
	CHECK_DONE();
}
