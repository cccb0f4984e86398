/* SPDX-License-Identifier: MIT */
/*
 * report.h: what every dmarc-report command gets: the database, the
 * domains and the time window asked for, the output format.  The filter
 * helpers turn the window into SQL conditions (a report belongs to a window
 * when its date range begins inside it).  Owned by main.c.
 */
#ifndef DM_REPORT_CTX_H
#define DM_REPORT_CTX_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct rdns;
struct senders;

enum out_format { OUT_TEXT, OUT_CSV, OUT_JSON };
enum sort_by { SORT_MESSAGES, SORT_FAILURES };

/* Text output fits this many columns. */
#define REPORT_WIDTH 100

struct report_ctx {
	sqlite3 *db;
	const char *const *domains;	/* lowercase; none = all domains */
	size_t ndomains;
	int64_t since, until;		/* epoch, [since, until); whole UTC days */
	int windowed;			/* since/until were given */
	int64_t today;			/* epoch of today's UTC midnight (DMARC_NOW) */
	enum out_format format;
	enum sort_by sort;
	long top;			/* 0: all rows */
	int by_sender;			/* sources --by sender */
	FILE *out;
	char err[512];			/* why a command failed (exit 2) */
	/* advise and check-record */
	const char *record;		/* --record, or check-record's argument */
	const char *name;		/* --name: the record's owner name */
	const char *const *thresholds;	/* --threshold NAME=VALUE, as given */
	size_t nthresholds;
	/* names of source IPs (names.h) */
	const char *db_path;		/* for the DNS cache's writes */
	int no_dns;			/* --no-dns: the cache alone */
	const char *dns_server;		/* --dns-server, NULL: the system's */
	int dns_timeout_ms;		/* per lookup */
	int dns_budget_ms;		/* for all lookups of a command */
	int dns_ttl_days;		/* cache entries older are looked up again */
	const char *senders_path;	/* --senders or $DMARC_SENDERS */
	struct rdns *rdns;		/* opened on first use */
	struct senders *senders;	/* loaded by main */
	/* export */
	const char *format_name;	/* --format as given, NULL when absent */
	int64_t after, upto;		/* record ids (after, upto]: --after, --upto */
	int last_id;			/* --last-id: print the greatest id */
	const char *ip_db;		/* --ip-db FILE.mmdb */
};

/*
 * " AND alias.domain IN (?,...) AND alias.date_begin >= ? AND
 * alias.date_begin < ?", each part only when asked for, for the report
 * table under `alias`; filter_bind binds the same parameters from index
 * `first` on and returns the next free index.
 */
void filter_sql(const struct report_ctx *c, const char *alias, char *buf,
    size_t len);
int filter_bind(const struct report_ctx *c, sqlite3_stmt *st, int first);

/* The same for source_day under `alias` (its day column). */
void filter_sql_days(const struct report_ctx *c, const char *alias,
    char *buf, size_t len);
int filter_bind_days(const struct report_ctx *c, sqlite3_stmt *st, int first);

/* Records SQLite's last error in c->err (sum()'s integer overflow as
 * "message totals overflow 64 bits": never a wrong number) and returns 2. */
int report_db_error(struct report_ctx *c);
/* After a step loop: 0 when rc is SQLITE_DONE, else report_db_error. */
int report_step_done(struct report_ctx *c, int rc);
/* A text column as a malloc'd string; NULL for SQL NULL (and no memory). */
char *report_dup_col(sqlite3_stmt *st, int i);
/* Records "out of memory" and returns 2. */
int report_oom(struct report_ctx *c);

/* Prepares SQL, recording SQLite's message in c->err on failure. */
sqlite3_stmt *report_prepare(struct report_ctx *c, const char *sql);

/* The commands: each prints its result to c->out and returns the exit
 * status (0, or 2 with c->err set). */
int cmd_summary(struct report_ctx *c);
int cmd_sources(struct report_ctx *c);
int cmd_policy(struct report_ctx *c);
int cmd_reporters(struct report_ctx *c);
int cmd_weekly(struct report_ctx *c);
/* advise returns 1 when a domain shown is not ready (cron alerts on it);
 * check-record 1 when the record has errors; neither sets c->err then. */
int cmd_advise(struct report_ctx *c);
/* One advise verdict line per domain of `domains` (the last 30 days up to
 * c->today), to c->out: the end of the weekly mail.  0 or 2. */
int advise_verdicts(struct report_ctx *c, const char *const *domains,
    size_t n);
int cmd_check_record(struct report_ctx *c);
int cmd_export(struct report_ctx *c);

#endif
