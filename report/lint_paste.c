/* SPDX-License-Identifier: MIT */
/*
 * lint_paste.c: a DMARC record as a person pastes it (lint.h's
 * lint_pasted): written as in a zone file, in quoted strings, it is read
 * as the TXT value they stand for, and linted by lint_record.
 */
#include "lint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static int
is_dig(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* The TXT value that zone-file strings stand for: `s` is one or more
 * "..." separated by whitespace (with \" \\ and \DDD escapes), joined
 * without their quotes as receivers join the strings of one record.
 * Returns a malloc'd value and the number of strings in *nstr; NULL with
 * *nstr 0 when s is not in that form, NULL with *nstr 1 without memory. */
static char *
unquote_zone(const char *s, size_t *nstr)
{
	size_t n = strlen(s), o = 0, k;
	char *d;

	*nstr = 0;
	while (is_space(*s))
		s++;
	if (*s != '"')
		return NULL;
	if ((d = malloc(n + 1)) == NULL) {
		*nstr = 1;
		return NULL;
	}
	while (*s == '"') {
		for (s++; *s != '"'; s++) {
			if (*s == '\0')
				goto not_zone;
			if (*s != '\\') {
				d[o++] = *s;
				continue;
			}
			s++;
			if (is_dig(s[0]) && is_dig(s[1]) && is_dig(s[2])) {
				k = (size_t)((s[0] - '0') * 100 + (s[1] - '0') * 10 +
				    (s[2] - '0'));
				if (k > 255 || k == 0)
					goto not_zone;
				d[o++] = (char)k;
				s += 2;
			} else if (*s != '\0')
				d[o++] = *s;
			else
				goto not_zone;
		}
		s++;
		(*nstr)++;
		while (is_space(*s))
			s++;
	}
	if (*s != '\0')
		goto not_zone;
	d[o] = '\0';
	return d;
not_zone:
	free(d);
	*nstr = 0;
	return NULL;
}

int
lint_pasted(const char *record, const char *owner, struct lint_result *out)
{
	size_t nstr, i;
	char *value = record ? unquote_zone(record, &nstr) : NULL;
	char buf[512], *msg;

	if (value == NULL && record != NULL && nstr == 1)
		return -1;
	if (lint_record(value ? value : record, owner, out) != 0) {
		free(value);
		return -1;
	}
	free(value);
	if (value == NULL)
		return 0;
	if (nstr == 1)
		snprintf(buf, sizeof buf, "record: read without its zone-file "
		    "quotes; the TXT value is what is inside them (where a "
		    "form asks for the value, leave them out)");
	else
		snprintf(buf, sizeof buf, "record: read as its %zu zone-file "
		    "strings joined without their quotes, as receivers join "
		    "the strings of one TXT record (where a form asks for the "
		    "value, give it whole, without quotes)", nstr);
	/* first among the warnings: it says how the rest were read */
	if (out->nwarnings == LINT_MAX_MSGS) {
		free(out->warnings[LINT_MAX_MSGS - 1]);
		out->nwarnings--;
	}
	if ((msg = strdup(buf)) == NULL) {
		lint_free(out);
		return -1;
	}
	for (i = out->nwarnings; i > 0; i--)
		out->warnings[i] = out->warnings[i - 1];
	out->warnings[0] = msg;
	out->nwarnings++;
	return 0;
}
