/* SPDX-License-Identifier: MIT */
/* names.c: reverse DNS through the cache and sender names (see names.h). */
#include "names.h"
#include "fmt.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "senders.h"

/*
 * The cache keeps definite answers only: a name (confirmed or not) and
 * "no name" (NXDOMAIN, or no PTR record), each for the TTL.  A timeout, a
 * server failure, a refusal or a bad reply says nothing about the IP: it
 * is never written, and the error rows older versions wrote are ignored
 * on read (then replaced by the next definite answer, or deleted).
 */
static int
definite(enum rdns_status st)
{
	return st == RDNS_OK || st == RDNS_NONAME;
}

/* Reads the definite cache rows younger than the TTL into out. */
static int
cache_read(struct report_ctx *c, struct rdns_result *out, size_t n,
    char *hit)
{
	sqlite3_stmt *st;
	int64_t oldest = (int64_t)time(NULL) - (int64_t)c->dns_ttl_days * UTC_DAY_SECONDS;
	size_t i;

	if ((st = report_prepare(c, "SELECT name, confirmed, status FROM "
	    "dns_cache WHERE ip = ? AND looked_up_at >= ? AND status IN (?, ?)"))
	    == NULL)
		return 2;
	for (i = 0; i < n; i++) {
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, out[i].ip, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, oldest);
		sqlite3_bind_int(st, 3, (int)RDNS_OK);
		sqlite3_bind_int(st, 4, (int)RDNS_NONAME);
		if (sqlite3_step(st) != SQLITE_ROW)
			continue;
		hit[i] = 1;
		out[i].status = (enum rdns_status)sqlite3_column_int(st, 2);
		out[i].confirmed = sqlite3_column_int(st, 1);
		snprintf(out[i].name, sizeof out[i].name, "%s",
		    sqlite3_column_text(st, 0) ? (const char *)
		    sqlite3_column_text(st, 0) : "");
	}
	sqlite3_finalize(st);
	return 0;
}

/* Writes fresh definite answers through a read-write handle, and drops
 * the error rows of the IPs still without one; a database this user may
 * not write just gets no cache. */
static void
cache_write(struct report_ctx *c, const struct rdns_result *out, size_t n,
    const char *hit)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL, *del = NULL;
	int64_t now = (int64_t)time(NULL);
	size_t i;

	if (sqlite3_open_v2(c->db_path, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK || sqlite3_db_readonly(db,
	    "main") == 1)
		goto out;
	sqlite3_busy_timeout(db, 2000);
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		goto out;
	if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO dns_cache (ip, name, "
	    "confirmed, status, looked_up_at) VALUES (?,?,?,?,?)", -1, &st,
	    NULL) != SQLITE_OK || sqlite3_prepare_v2(db, "DELETE FROM dns_cache "
	    "WHERE ip = ? AND status NOT IN (?, ?)", -1, &del, NULL) !=
	    SQLITE_OK) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (hit[i])
			continue;
		if (!definite(out[i].status)) {
			sqlite3_bind_text(del, 1, out[i].ip, -1, SQLITE_STATIC);
			sqlite3_bind_int(del, 2, (int)RDNS_OK);
			sqlite3_bind_int(del, 3, (int)RDNS_NONAME);
			(void)sqlite3_step(del);
			sqlite3_reset(del);
			continue;
		}
		sqlite3_bind_text(st, 1, out[i].ip, -1, SQLITE_STATIC);
		if (out[i].status == RDNS_OK)
			sqlite3_bind_text(st, 2, out[i].name, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 2);
		sqlite3_bind_int(st, 3, out[i].confirmed);
		sqlite3_bind_int(st, 4, (int)out[i].status);
		sqlite3_bind_int64(st, 5, now);
		(void)sqlite3_step(st);
		sqlite3_reset(st);
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
out:
	sqlite3_finalize(st);
	sqlite3_finalize(del);
	sqlite3_close(db);
}

static int
resolver(struct report_ctx *c)
{
	const char *fixture = getenv("DMARC_DNS_FIXTURE");
	char err[256];

	if (c->rdns != NULL)
		return 0;
	if (fixture != NULL && *fixture != '\0')
		c->rdns = rdns_fixture_new(fixture, err, sizeof err);
	else
		c->rdns = rdns_cares_new(c->dns_server, c->dns_timeout_ms, err,
		    sizeof err);
	if (c->rdns == NULL) {
		snprintf(c->err, sizeof c->err, "reverse DNS: %s (use --no-dns "
		    "to work from the cache alone)", err);
		return 2;
	}
	return 0;
}

int
names_ptr(struct report_ctx *c, struct rdns_result *out, size_t n)
{
	char *hit;
	size_t i, miss = 0;
	int rc = 0;

	for (i = 0; i < n; i++) {
		out[i].status = RDNS_TIMEOUT;
		out[i].name[0] = '\0';
		out[i].confirmed = 0;
	}
	if (n == 0)
		return 0;
	if ((hit = calloc(n, 1)) == NULL)
		return report_oom(c);
	if ((rc = cache_read(c, out, n, hit)) != 0)
		goto out;
	for (i = 0; i < n; i++)
		miss += !hit[i];
	if (miss == 0 || c->no_dns)
		goto out;
	{
		/* resolve only the misses, in one parallel batch */
		struct rdns_result *q = calloc(miss, sizeof *q);
		size_t k = 0;

		if (q == NULL) {
			rc = report_oom(c);
			goto out;
		}
		for (i = 0; i < n; i++)
			if (!hit[i])
				q[k++] = out[i];
		if ((rc = resolver(c)) == 0 &&
		    rdns_resolve(c->rdns, q, miss, c->dns_budget_ms) != 0) {
			snprintf(c->err, sizeof c->err, "reverse DNS failed");
			rc = 2;
		}
		for (i = 0, k = 0; rc == 0 && i < n; i++)
			if (!hit[i])
				out[i] = q[k++];
		free(q);
		if (rc == 0)
			cache_write(c, out, n, hit);
	}
out:
	free(hit);
	return rc;
}

const char *
names_sender(const struct report_ctx *c, const char *ip, const char *ptr)
{
	if (c->senders == NULL)
		return NULL;
	return senders_name(c->senders, ip, ptr && *ptr ? ptr : NULL);
}

int
names_warning(const struct report_ctx *c, char *buf, size_t len)
{
	size_t n = rdns_silent(c->rdns);

	if (n == 0)
		return 0;
	snprintf(buf, len, "reverse DNS: the DNS server answered none of the "
	    "first %zu lookup%s (timed out after %g s, or refused); no more "
	    "lookups this run, names from the cache alone (check --dns-server, "
	    "or use --no-dns)", n, n == 1 ? "" : "s",
	    c->dns_timeout_ms / 1000.0);
	return 1;
}

void
names_identify(const struct report_ctx *c, const char *ip, const char *ptr,
    const char *policy_domain, const char *const *auth, size_t n,
    struct sender_id *out, char *buf, size_t buflen)
{
	senders_identify(c->senders, ip, ptr && *ptr ? ptr : NULL,
	    policy_domain, auth, n, out, buf, buflen);
}

void
names_close(struct report_ctx *c)
{
	rdns_free(c->rdns);
	c->rdns = NULL;
	senders_free(c->senders);
	c->senders = NULL;
}
