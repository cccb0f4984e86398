/* SPDX-License-Identifier: MIT */
/*
 * policy_query.h: a published DMARC policy as one report shows it
 * (policy_published: p, sp, np, pct, adkim, aspf, testing), the one
 * representation the policy, weekly and summary commands share: read from
 * a query's columns, compared, and described as text and JSON.  A plain
 * value: no allocation, copied freely.
 *
 * fo is left out on purpose: it asks for failure reports and changes
 * nothing that happens to mail, so no command shows or compares it.
 */
#ifndef DM_POLICY_QUERY_H
#define DM_POLICY_QUERY_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define POLICY_TAG_LEN 64	/* a tag value longer than this is cut */

/* Each text tag as stored, "" for NULL (the report left it out). */
struct policy {
	char p[POLICY_TAG_LEN], sp[POLICY_TAG_LEN], np[POLICY_TAG_LEN];
	char adkim[POLICY_TAG_LEN], aspf[POLICY_TAG_LEN];
	char testing[POLICY_TAG_LEN];
	int has_pct;		/* 0: not published (dmarc-2.0 removed it) */
	int64_t pct;
};

/* The report columns policy_read reads, in its order, for a table alias
 * given with its dot ("r.") or "". */
#define POLICY_SQL_COLS(alias) alias "p, " alias "sp, " alias "np, " \
	alias "pct, " alias "adkim, " alias "aspf, " alias "testing"
#define POLICY_NCOLS 7

/* Reads POLICY_SQL_COLS from column `first` of the current row. */
void policy_read(struct policy *pol, sqlite3_stmt *st, int first);

/* The same policy; a missing pct agrees with any. */
int policy_same(const struct policy *a, const struct policy *b);

/* `into`, the same policy as `from`, learns from's pct when it has none. */
void policy_merge(struct policy *into, const struct policy *from);

/* p= as a strength: none 0, quarantine 1, reject 2; -1 for anything else. */
int policy_strength(const char *p);

/*
 * The policy as the shortest record that means the same: "p=none sp=reject
 * pct=50": sp only when it differs from p, np when it differs from sp, pct
 * when not 100, adkim and aspf when not r, t when not n; "?" for a tag left
 * out.  Returns buf.
 */
const char *policy_text(const struct policy *pol, char *buf, size_t len);

/*
 * The policy in a few words for a table column, "p=reject sp=none pct=50
 * testing": sp when published and not p, np when published and not sp (or
 * p), pct when not 100, "testing" for t=y; adkim and aspf left out.
 */
const char *policy_brief(const struct policy *pol, char *buf, size_t len);

/*
 * What changed from a to b: "p none -> quarantine, pct 50 -> 100", "-" for
 * a tag left out; not sp (np) when it follows p (sp) on both sides, as an
 * unpublished one does; a missing pct is no change.  Returns buf ("" when
 * policy_same).
 */
const char *policy_diff(const struct policy *a, const struct policy *b,
    char *buf, size_t len);

/* The tags as JSON members, without braces: "p": "none", ..., "testing":
 * null (null for a tag left out; pct a number). */
void policy_json_members(FILE *f, const struct policy *pol);

#endif
