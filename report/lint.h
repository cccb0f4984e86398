/* SPDX-License-Identifier: MIT */
/*
 * lint.h: reads and checks a DMARC record (the TXT value at _dmarc.<domain>)
 * by RFC 7489 and RFC 9989 (SPEC.md C).  An error is whatever makes
 * receivers under either RFC ignore the record or read it otherwise than
 * written; everything else is a warning.  Pure string work: no DNS, no SQL.
 * A lint_result owns its strings; free it with lint_free.
 */
#ifndef DM_LINT_H
#define DM_LINT_H

#include <stddef.h>

#define LINT_MAX_TAGS 32
#define LINT_MAX_MSGS 64

struct lint_tag {
	char *name;	/* lowercase */
	char *value;	/* as written, trimmed */
};

struct lint_result {
	int valid;			/* no error */
	struct lint_tag tags[LINT_MAX_TAGS];	/* in record order, first of duplicates */
	size_t ntags;
	char *errors[LINT_MAX_MSGS];	/* one line each: "tag p: ..." */
	size_t nerrors;
	char *warnings[LINT_MAX_MSGS];
	size_t nwarnings;
};

/* Lints `record`; with `owner` (may be NULL) also the owner name (must be
 * _dmarc.<domain>).  Returns 0, or -1 when out of memory. */
int lint_record(const char *record, const char *owner, struct lint_result *out);

/* lint_record for a record a person pasted: one written as in a zone file,
 * in quoted strings ("v=DMARC1; p=none", or split: "v=DMARC1; " "p=none"),
 * is read as the TXT value they stand for, with a warning first.  A DNS
 * answer goes to lint_record: quotes there are part of the value. */
int lint_pasted(const char *record, const char *owner, struct lint_result *out);

/* The value of a tag (lowercase name), or NULL. */
const char *lint_tag(const struct lint_result *r, const char *name);

void lint_free(struct lint_result *r);

#endif
