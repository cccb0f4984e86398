/* SPDX-License-Identifier: MIT */
/*
 * test_policy_query.c: the published policy shared by the policy and weekly
 * commands: read from report columns (NULLs, a missing pct), compared, and
 * described as a record, as a change and as JSON.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "policy_query.h"

/* A policy from one row of SQL values for POLICY_SQL_COLS. */
static struct policy
row(sqlite3 *db, const char *values)
{
	char sql[512];
	sqlite3_stmt *st;
	struct policy pol;

	memset(&pol, 0, sizeof pol);
	snprintf(sql, sizeof sql, "SELECT " POLICY_SQL_COLS("t.") " FROM "
	    "(SELECT %s) t", values);
	CHECK(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK);
	CHECK(sqlite3_step(st) == SQLITE_ROW);
	policy_read(&pol, st, 0);
	sqlite3_finalize(st);
	return pol;
}

#define COLS(p, sp, np, pct, adkim, aspf, t) p " AS p, " sp " AS sp, " \
	np " AS np, " pct " AS pct, " adkim " AS adkim, " aspf " AS aspf, " \
	t " AS testing"

static const char *
json(const struct policy *pol)
{
	static char buf[512];
	FILE *f = fmemopen(buf, sizeof buf, "w");

	if (f == NULL)
		return "";
	policy_json_members(f, pol);
	fclose(f);
	return buf;
}

int
main(void)
{
	struct policy none, quar, quar50, nopct, bare, odd, nosp;
	char buf[256];
	sqlite3 *db;

	CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
	none = row(db, COLS("'none'", "'none'", "'none'", "100", "'r'", "'r'",
	    "'n'"));
	quar = row(db, COLS("'quarantine'", "'quarantine'", "'quarantine'",
	    "100", "'r'", "'r'", "'n'"));
	quar50 = row(db, COLS("'quarantine'", "'quarantine'", "'quarantine'",
	    "50", "'r'", "'r'", "'n'"));
	nopct = row(db, COLS("'quarantine'", "'quarantine'", "'quarantine'",
	    "NULL", "'r'", "'r'", "'n'"));
	bare = row(db, COLS("NULL", "NULL", "NULL", "NULL", "NULL", "NULL",
	    "NULL"));
	odd = row(db, COLS("'reject'", "'none'", "'quarantine'", "0", "'s'",
	    "'s'", "'y'"));
	nosp = row(db, COLS("'quarantine'", "NULL", "NULL", "NULL", "'r'",
	    "'r'", "'n'"));

	/* read: NULL is "", a NULL pct is "not published" */
	CHECK_STR(none.p, "none");
	CHECK_INT(none.has_pct, 1);
	CHECK_INT(quar50.pct, 50);
	CHECK_INT(nopct.has_pct, 0);
	CHECK_STR(bare.p, "");
	CHECK_STR(bare.testing, "");

	/* compare: a missing pct agrees with any; everything else counts */
	CHECK(policy_same(&none, &none));
	CHECK(!policy_same(&none, &quar));
	CHECK(!policy_same(&quar, &quar50));
	CHECK(policy_same(&quar, &nopct));
	CHECK(policy_same(&nopct, &quar50));
	CHECK(!policy_same(&odd, &none));
	nopct.has_pct = 0;
	policy_merge(&nopct, &quar50);
	CHECK_INT(nopct.has_pct, 1);
	CHECK_INT(nopct.pct, 50);
	policy_merge(&nopct, &quar);	/* only learns a pct it lacks */
	CHECK_INT(nopct.pct, 50);

	CHECK_INT(policy_strength("none"), 0);
	CHECK_INT(policy_strength("quarantine"), 1);
	CHECK_INT(policy_strength("reject"), 2);
	CHECK_INT(policy_strength(""), -1);
	CHECK_INT(policy_strength("Reject"), -1);

	/* describe as the shortest record */
	CHECK_STR(policy_text(&none, buf, sizeof buf), "p=none");
	CHECK_STR(policy_text(&quar50, buf, sizeof buf), "p=quarantine pct=50");
	CHECK_STR(policy_text(&odd, buf, sizeof buf),
	    "p=reject sp=none np=quarantine pct=0 adkim=s aspf=s t=y");
	CHECK_STR(policy_text(&bare, buf, sizeof buf), "p=? adkim=? aspf=?");
	CHECK_STR(policy_text(&odd, buf, 12), "p=reject sp");	/* cut */

	/* describe briefly, as summary's column: published tags that differ,
	 * "testing" for t=y, no adkim or aspf */
	CHECK_STR(policy_brief(&none, buf, sizeof buf), "p=none");
	CHECK_STR(policy_brief(&quar50, buf, sizeof buf), "p=quarantine pct=50");
	CHECK_STR(policy_brief(&odd, buf, sizeof buf),
	    "p=reject sp=none np=quarantine pct=0 testing");
	CHECK_STR(policy_brief(&bare, buf, sizeof buf), "p=?");
	CHECK_STR(policy_brief(&nosp, buf, sizeof buf), "p=quarantine");
	nosp = row(db, COLS("'reject'", "NULL", "'reject'", "100", "'r'",
	    "'r'", "'n'"));	/* np as p, sp left out: nothing to add */
	CHECK_STR(policy_brief(&nosp, buf, sizeof buf), "p=reject");
	nosp = row(db, COLS("NULL", "'none'", "'none'", "100", "'r'", "'r'",
	    "'y'"));
	CHECK_STR(policy_brief(&nosp, buf, sizeof buf), "p=? sp=none testing");
	nosp = row(db, COLS("'quarantine'", "NULL", "NULL", "NULL", "'r'",
	    "'r'", "'n'"));

	/* describe a change: sp and np follow p unless set apart */
	CHECK_STR(policy_diff(&none, &quar, buf, sizeof buf),
	    "p none -> quarantine");
	CHECK_STR(policy_diff(&quar, &quar50, buf, sizeof buf), "pct 100 -> 50");
	/* np follows sp on both sides: only sp is news */
	CHECK_STR(policy_diff(&quar, &nosp, buf, sizeof buf),
	    "sp quarantine -> -");
	CHECK_STR(policy_diff(&none, &odd, buf, sizeof buf),
	    "p none -> reject, np none -> quarantine, pct 100 -> 0, "
	    "adkim r -> s, aspf r -> s, testing n -> y");
	CHECK_STR(policy_diff(&quar50, &nopct, buf, sizeof buf), "");
	CHECK_STR(policy_diff(&none, &quar, buf, 10), "p none ->");

	/* JSON: null for a tag left out, pct a number */
	CHECK_STR(json(&quar50), "\"p\": \"quarantine\", \"sp\": \"quarantine\", "
	    "\"np\": \"quarantine\", \"pct\": 50, \"adkim\": \"r\", "
	    "\"aspf\": \"r\", \"testing\": \"n\"");
	CHECK_STR(json(&bare), "\"p\": null, \"sp\": null, \"np\": null, "
	    "\"pct\": null, \"adkim\": null, \"aspf\": null, \"testing\": null");

	sqlite3_close(db);
	CHECK_DONE();
}
