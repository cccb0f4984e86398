/* SPDX-License-Identifier: MIT */
/*
 * test_authtotals.c: authtotals.c groups records by outcome, in order, up
 * to its limits; its JSON is SQLite's byte for byte (every byte value, and
 * random strings, against json_quote/json_array/json_group_array of the
 * SQLite this is linked with); and its override verdict is
 * SQL_OVERRIDE_REASON's (schema/derived.h) on every edge case.
 */
#include <stdint.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authtotals.h"
#include "check.h"
#include "derived.h"

/* SQLite's answer to `q` with text parameters (NULL: SQL NULL). */
static char *
sql_text(sqlite3 *db, const char *q, const char *a, const char *b,
    const char *c)
{
	const char *v[3] = { a, b, c };
	sqlite3_stmt *st;
	char *out = NULL;
	int i;

	if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	for (i = 0; i < 3 && i < sqlite3_bind_parameter_count(st); i++)
		if (v[i] != NULL)
			sqlite3_bind_text(st, i + 1, v[i], -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		out = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out;
}

static void
test_json_bytes(sqlite3 *db)
{
	struct dm_buf b;
	char s[4], *want;
	unsigned seed = 7;
	int c, i, k;

	dm_buf_init(&b, 1 << 20);
	for (c = 1; c < 256; c++) {
		s[0] = 'x';
		s[1] = (char)c;
		s[2] = 'y';
		s[3] = '\0';
		dm_buf_reset(&b);
		CHECK(authtotals_json_string(&b, s) == 0);
		want = sql_text(db, "SELECT json_quote(?1)", s, NULL, NULL);
		CHECK(want != NULL);
		if (want != NULL && strcmp((char *)b.data, want) != 0) {
			fprintf(stderr, "byte %d: ours %s, SQLite's %s\n", c,
			    (char *)b.data, want);
			CHECK(0);
		}
		free(want);
	}
	dm_buf_reset(&b);
	CHECK(authtotals_json_string(&b, NULL) == 0);
	CHECK_STR((char *)b.data, "null");
	dm_buf_reset(&b);
	CHECK(authtotals_json_string(&b, "") == 0);
	CHECK_STR((char *)b.data, "\"\"");
	/* random strings of awkward bytes */
	for (i = 0; i < 2000; i++) {
		char r[40];
		int n = 1 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 38;

		for (k = 0; k < n; k++) {
			static const char pool[] = "a\"\\\x01\x1f\t\n\r\b\f/\x7f"
			    "\xc3\xa9\xe2\x80\x9c <>&'";
			seed = seed * 1103515245u + 12345u;
			r[k] = pool[(seed >> 16) % (sizeof pool - 1)];
		}
		r[n] = '\0';
		dm_buf_reset(&b);
		CHECK(authtotals_json_string(&b, r) == 0);
		want = sql_text(db, "SELECT json_quote(?1)", r, NULL, NULL);
		CHECK(want != NULL && strcmp((char *)b.data, want) == 0);
		free(want);
	}
	dm_buf_free(&b);
}

/* The groups seen by authtotals_each, copied. */
struct seen {
	size_t n;
	struct authtotals_group g[8];
	char text[8][6][512];
};

static int
collect(void *ctx, const struct authtotals_group *g)
{
	struct seen *sn = ctx;
	const char *f[6] = { g->source_ip, g->header_from, g->disposition,
		g->reasons, g->spf, g->dkim };
	int k;

	if (sn->n == 8)
		return 9;
	sn->g[sn->n] = *g;
	for (k = 0; k < 6; k++)
		snprintf(sn->text[sn->n][k], sizeof sn->text[0][0], "%s", f[k]);
	sn->n++;
	return 0;
}

static struct dm_record
rec(const char *ip, int64_t count, const char *hf, const char *dkim_al)
{
	struct dm_record r;

	memset(&r, 0, sizeof r);
	snprintf(r.source_ip, sizeof r.source_ip, "%s", ip);
	r.ip_family = strchr(ip, ':') ? 6 : 4;
	r.count = count;
	r.header_from = (char *)hf;
	r.disposition = (char *)"none";
	r.dkim_aligned = (char *)dkim_al;
	r.spf_aligned = (char *)"fail";
	return r;
}

static void
test_groups(sqlite3 *db)
{
	struct dm_reason reasons[2] = {
		{ (char *)"local_policy", NULL }, { NULL, (char *)"x\"y" } };
	struct dm_spf spf[2] = {
		{ (char *)"Ex\\ample.com", (char *)"mfrom", (char *)"pass", NULL },
		{ NULL, NULL, (char *)"none", NULL } };
	struct dm_dkim dkim[1] = {
		{ (char *)"example.com", (char *)"s\t1", NULL, (char *)"no" } };
	struct authtotals *at = authtotals_new(3, 1 << 20);
	struct dm_record r;
	struct seen sn;
	char *want;

	CHECK(at != NULL);
	if (at == NULL)
		return;
	r = rec("192.0.2.1", 5, "example.com", "pass");
	r.reasons = reasons;
	r.n_reasons = 2;
	r.spf = spf;
	r.n_spf = 2;
	r.dkim = dkim;
	r.n_dkim = 1;
	CHECK_INT(authtotals_add(at, &r), 0);
	/* the same outcome: the same group */
	r.count = 7;
	CHECK_INT(authtotals_add(at, &r), 0);
	/* a different DKIM list: another group */
	r.n_dkim = 0;
	CHECK_INT(authtotals_add(at, &r), 0);
	/* absent header From and "" are one group (the table's ifnull) */
	r = rec("2001:db8::1", 3, NULL, NULL);
	CHECK_INT(authtotals_add(at, &r), 0);
	r = rec("2001:db8::1", 4, "", NULL);
	CHECK_INT(authtotals_add(at, &r), 0);
	CHECK_INT(authtotals_count(at), 3);
	/* full: a new group is refused, a known one still added */
	r = rec("192.0.2.9", 1, "example.com", NULL);
	CHECK_INT(authtotals_add(at, &r), 1);
	r = rec("2001:db8::1", 1, NULL, NULL);
	CHECK_INT(authtotals_add(at, &r), 0);

	memset(&sn, 0, sizeof sn);
	CHECK_INT(authtotals_each(at, collect, &sn), 0);
	CHECK_INT(sn.n, 3);
	CHECK_STR(sn.text[0][0], "192.0.2.1");
	CHECK_INT(sn.g[0].ip_family, 4);
	CHECK_INT(sn.g[0].records, 2);
	CHECK_INT(sn.g[0].messages, 12);
	CHECK_INT(sn.g[0].overridden, 1);
	CHECK_STR(sn.text[0][1], "example.com");
	CHECK_STR(sn.text[0][2], "none");
	/* the lists as SQLite writes them */
	want = sql_text(db, "SELECT json_array(?1, ?2)", "local_policy", NULL,
	    NULL);
	CHECK(want != NULL);
	CHECK_STR(sn.text[0][3], want);
	free(want);
	want = sql_text(db, "SELECT json_group_array(json_array(d, s, r)) FROM "
	    "(SELECT ?1 AS d, 'mfrom' AS s, 'pass' AS r UNION ALL "
	    "SELECT NULL, NULL, 'none')", "Ex\\ample.com", NULL, NULL);
	CHECK(want != NULL);
	CHECK_STR(sn.text[0][4], want);
	free(want);
	want = sql_text(db, "SELECT json_group_array(json_array(?1, ?2, ?3))",
	    "example.com", "s\t1", NULL);
	CHECK(want != NULL);
	CHECK_STR(sn.text[0][5], want);
	free(want);
	CHECK_STR(sn.text[1][5], "[]");
	CHECK_INT(sn.g[1].records, 1);
	CHECK_INT(sn.g[1].messages, 7);
	CHECK_STR(sn.text[2][0], "2001:db8::1");
	CHECK_INT(sn.g[2].ip_family, 6);
	CHECK_STR(sn.text[2][1], "");
	CHECK_STR(sn.text[2][3], "[]");
	CHECK_INT(sn.g[2].overridden, 0);
	CHECK_INT(sn.g[2].records, 3);
	CHECK_INT(sn.g[2].messages, 8);

	/* cleared: room again; the callback's return stops the walk */
	authtotals_clear(at);
	CHECK_INT(authtotals_count(at), 0);
	r = rec("192.0.2.9", 1, "example.com", NULL);
	CHECK_INT(authtotals_add(at, &r), 0);
	CHECK_INT(authtotals_count(at), 1);
	authtotals_free(at);

	/* the byte limit: a key that would pass it is refused unless the
	 * accumulator is empty */
	at = authtotals_new(100, 64);
	CHECK(at != NULL);
	if (at == NULL)
		return;
	r = rec("192.0.2.1", 1, "a-rather-long-header-from.example.com", NULL);
	CHECK_INT(authtotals_add(at, &r), 0);
	r = rec("192.0.2.2", 1, "a-rather-long-header-from.example.com", NULL);
	CHECK_INT(authtotals_add(at, &r), 1);
	authtotals_clear(at);
	CHECK_INT(authtotals_add(at, &r), 0);
	authtotals_free(at);

	/* growing past the first allocation up to the group limit */
	at = authtotals_new(1000, 1 << 20);
	CHECK(at != NULL);
	if (at != NULL) {
		char ip[32];
		int i, ok = 1;

		for (i = 0; i < 1000; i++) {
			snprintf(ip, sizeof ip, "10.0.%d.%d", i / 256, i % 256);
			r = rec(ip, i, "example.com", NULL);
			ok &= authtotals_add(at, &r) == 0;
			ok &= authtotals_add(at, &r) == 0;
		}
		CHECK(ok);
		r = rec("10.9.9.9", 1, "example.com", NULL);
		CHECK_INT(authtotals_add(at, &r), 1);
		memset(&sn, 0, sizeof sn);
		CHECK_INT(authtotals_each(at, collect, &sn), 9);
		CHECK_STR(sn.text[7][0], "10.0.0.7");
		CHECK_INT(sn.g[7].messages, 14);
		CHECK_INT(sn.g[7].records, 2);
	}
	authtotals_free(at);
	authtotals_free(NULL);
	CHECK(authtotals_new(0, 10) == NULL);
}

/* derived_override_reason against SQL_OVERRIDE_REASON. */
static void
test_override(sqlite3 *db)
{
	static const char *const types[] = { NULL, "forwarded", "mailing_list",
		"trusted_forwarder", "local_policy", "other", "sampled_out",
		"Forwarded", "forwarded ", "" };
	static const char *const comments[] = { NULL, "", "arc=pass",
		"ARC=PASS by x", "arc=fail", "x arc=pas", "arc= pass",
		"hello Arc=Pass", "arc=passed", "aarc=pass", "\xc3\xa9" "arc=pass" };
	sqlite3_stmt *st;
	size_t i, k;

	CHECK(sqlite3_prepare_v2(db, "SELECT ifnull(" SQL_OVERRIDE_REASON("t.")
	    ", 0) FROM (SELECT ?1 AS type, ?2 AS comment) t", -1, &st, NULL) ==
	    SQLITE_OK);
	for (i = 0; i < sizeof types / sizeof types[0]; i++)
		for (k = 0; k < sizeof comments / sizeof comments[0]; k++) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			if (types[i] != NULL)
				sqlite3_bind_text(st, 1, types[i], -1,
				    SQLITE_STATIC);
			if (comments[k] != NULL)
				sqlite3_bind_text(st, 2, comments[k], -1,
				    SQLITE_STATIC);
			CHECK(sqlite3_step(st) == SQLITE_ROW);
			CHECK_INT(derived_override_reason(types[i],
			    comments[k]), sqlite3_column_int(st, 0));
		}
	sqlite3_finalize(st);
}

int
main(void)
{
	sqlite3 *db;

	CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
	test_json_bytes(db);
	test_groups(db);
	test_override(db);
	sqlite3_close(db);
	CHECK_DONE();
}
