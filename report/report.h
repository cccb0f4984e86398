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

/*
 * What a command, and each report module it calls, returns.  Only main.c
 * turns a status into an exit status (exit_status(); dmarc-report(1) lists
 * them); RPT_USAGE and RPT_ERROR leave c->err set.  The values are not exit
 * statuses: RPT_ERROR is 2 only so that code still written with "return 2"
 * (cmd_advise.c) reads right until it returns these names.
 */
enum report_status {
	RPT_OK = 0,	/* done: exit 0 */
	RPT_ATTENTION,	/* done, and the postmaster must act: exit 1 */
	RPT_ERROR,	/* the database, memory or output failed: exit 2 */
	RPT_NODATA,	/* no database or nothing ingested yet: exit 3 */
	RPT_USAGE,	/* the command's options do not fit: exit 2 */
	RPT_NO_REPORTS,	/* done, but a domain asked for or the window has no
			 * reports; c->err says so (stderr): exit 0 */
	RPT_NO_DNS	/* check-dns: DNS could not be asked at all: exit 4 */
};
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
	char err[512];			/* why a command failed (a status) */
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
	/* check-dns */
	const char *dns_domain;		/* its argument */
	int no_reports;			/* --no-reports */
	/* export */
	const char *format_name;	/* --format as given, NULL when absent */
	int64_t after, upto;		/* record ids (after, upto]: --after, --upto */
	int last_id;			/* --last-id: print the greatest id */
	const char *ip_db;		/* --ip-db FILE.mmdb */
	/* weekly */
	int html;			/* --format html */
	int mail;			/* --mail: the whole MIME message */
	const char *mail_to, *mail_from;	/* --to, --from; NULL: defaults */
	int now_pinned;			/* today came from DMARC_NOW */
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
 * "message totals overflow 64 bits": never a wrong number) and returns
 * RPT_ERROR. */
enum report_status report_db_error(struct report_ctx *c);
/* After a step loop: RPT_OK when rc is SQLITE_DONE, else report_db_error. */
enum report_status report_step_done(struct report_ctx *c, int rc);
/* A text column as a malloc'd string; NULL for SQL NULL (and no memory). */
char *report_dup_col(sqlite3_stmt *st, int i);
/* Records "out of memory" and returns RPT_ERROR. */
enum report_status report_oom(struct report_ctx *c);

/*
 * Whether the domains asked for (each one), or the window when none was,
 * have reports: RPT_OK when they all have some; RPT_NO_REPORTS with c->err
 * "no reports for nosuch.org from 2025-01-01 to 2025-01-31" naming those
 * without; or RPT_ERROR.  A command shows what the others have, and
 * returns this status when it had nothing worse.
 */
enum report_status report_missing(struct report_ctx *c);
/* Sets c->err to "WHAT for DOMAINS from DAY to DAY" for the domains and
 * window asked for ("no records in the reports") and returns
 * RPT_NO_REPORTS. */
enum report_status report_nothing(struct report_ctx *c, const char *what);

/* Prepares SQL, recording SQLite's message in c->err on failure. */
sqlite3_stmt *report_prepare(struct report_ctx *c, const char *sql);

/* The commands: each prints its result to c->out and returns RPT_OK, or
 * another status with c->err set. */
enum report_status cmd_summary(struct report_ctx *c);
enum report_status cmd_sources(struct report_ctx *c);
enum report_status cmd_policy(struct report_ctx *c);
enum report_status cmd_reporters(struct report_ctx *c);
enum report_status cmd_weekly(struct report_ctx *c);
/* check-record: RPT_ATTENTION when the record has errors (no c->err). */
enum report_status cmd_check_record(struct report_ctx *c);
/* advise: RPT_ATTENTION when a domain shown is not ready (cron alerts on
 * it; no c->err). */
enum report_status cmd_advise(struct report_ctx *c);
/* Per domain, its senders: state over time, weekly and daily aligned
 * share, DKIM selectors, SPF domains.  0 or 2. */
enum report_status cmd_senders(struct report_ctx *c);
/* check-dns: RPT_OK nothing wrong, RPT_ATTENTION an error found, RPT_USAGE
 * (c->err set), RPT_NO_DNS DNS could not be asked at all (c->err set).
 * c->db may be NULL. */
enum report_status cmd_check_dns(struct report_ctx *c);
/* export: every record as a row (parsedmarc's columns), CSV or NDJSON. */
enum report_status cmd_export(struct report_ctx *c);

#endif
