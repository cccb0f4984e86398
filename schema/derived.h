/* SPDX-License-Identifier: MIT */
/*
 * derived.h: how the database's derived figures are computed, once, for
 * both binaries: what a DMARC pass is and which UTC day a time belongs to,
 * as SQL fragments for queries and as C for code that counts row by row
 * (dmarc-ingest's totals in report and source_day).  tests/unit/test_derived.c
 * checks that each SQL fragment and its C twin agree on every edge case.
 */
#ifndef DM_DERIVED_H
#define DM_DERIVED_H

#include <string.h>

#include "fmt.h"

#define DM_STR_(x) #x
#define DM_STR(x) DM_STR_(x)

/*
 * A DMARC pass: the receiver found DKIM or SPF aligned and passing
 * (policy_evaluated; parse stores the verdicts lowercase).  SQL over the
 * columns of a record row whose names start with `prefix` (a string
 * literal: "rec." or ""); true or false, never NULL.
 */
#define SQL_DMARC_PASS(prefix) \
	"(" prefix "dkim_aligned IS 'pass' OR " prefix "spf_aligned IS 'pass')"

/* The same in C, from the two policy_evaluated verdicts (NULL: absent). */
static inline int
derived_dmarc_pass(const char *dkim_aligned, const char *spf_aligned)
{
	return (dkim_aligned != NULL && strcmp(dkim_aligned, "pass") == 0) ||
	    (spf_aligned != NULL && strcmp(spf_aligned, "pass") == 0);
}

/*
 * A record's failure excused by its receiver: an override reason of type
 * forwarded, mailing_list, trusted_forwarder or local_policy, or a reason
 * comment saying arc=pass.  SQL over the columns of a record_reason row
 * whose names start with `prefix`; kept per record in source_auth.overridden
 * (ingest/authtotals.c through the C twin below; the migration
 * schema/migrations/003-source-auth.sql spells the SQL out again).
 */
#define SQL_OVERRIDE_REASON(prefix) \
	"(" prefix "type IN ('forwarded', 'mailing_list', 'trusted_forwarder'," \
	" 'local_policy') OR " prefix "comment LIKE '%arc=pass%')"

/* The same in C, for one reason (NULL: absent): the type compared as SQL's
 * IN does (exactly), the comment as LIKE does (ASCII case folded). */
static inline int
derived_override_reason(const char *type, const char *comment)
{
	static const char *const types[] = { "forwarded", "mailing_list",
		"trusted_forwarder", "local_policy" };
	static const char want[] = "arc=pass";
	const char *c;
	size_t i;

	if (type != NULL)
		for (i = 0; i < sizeof types / sizeof types[0]; i++)
			if (strcmp(type, types[i]) == 0)
				return 1;
	for (c = comment; c != NULL && *c != '\0'; c++) {
		for (i = 0; want[i] != '\0'; i++) {
			unsigned char ch = (unsigned char)c[i];

			if (ch >= 'A' && ch <= 'Z')
				ch = (unsigned char)(ch - 'A' + 'a');
			if (ch != (unsigned char)want[i])
				break;
		}
		if (want[i] == '\0')
			return 1;
	}
	return 0;
}

/*
 * The UTC day of an epoch column or parameter (tokens, not a string:
 * SQL_UTC_DAY(r.date_begin)), as utc_day() computes it: fmt.h's
 * UTC_DAY_EXPR as SQL text.
 */
#define SQL_UTC_DAY(col) DM_STR(UTC_DAY_EXPR(col))

#endif
