/* SPDX-License-Identifier: MIT */
/*
 * main.c: the dmarc-ingest command line.  Parses options, walks the inputs,
 * runs each through the pipeline, prints diagnostics, progress and the
 * summary, and maps the outcome to the exit status.  The only place that
 * prints or exits.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "db.h"
#include "dm_limits.h"
#include "fmt.h"
#include "json_out.h"
#include "mail.h"
#include "parse.h"
#include "pipeline.h"
#include "store.h"
#include "walk.h"

#ifndef DM_VERSION
#define DM_VERSION "0.1.0"
#endif

enum exit_status {
	EXIT_OK = 0,		/* every input stored or a duplicate */
	EXIT_FAILED = 1,	/* at least one payload newly failed */
	EXIT_USAGE = 2		/* usage error, or the database cannot be used */
};

static const char usage_text[] =
"Usage: dmarc-ingest [OPTIONS] PATH... | -\n"
"       dmarc-ingest [--db FILE] --retry-failed | --list-failed | --forget-failed ID\n"
"       dmarc-ingest [--db FILE] --prune-before YYYY-MM-DD | --stats\n"
"\n"
"Store DMARC aggregate reports (rua) in an SQLite database.\n"
"\n"
"Each PATH is a mail file (one message, or an mbox), a Maildir, a report\n"
"file or a directory, walked recursively (hidden files skipped); '-' reads\n"
"one input from standard input.  What an input is comes from its bytes,\n"
"not its name.  In mail, every attachment holding a report is read (MIME at\n"
"any depth, forwarded messages included).  Report files: XML, gzip (also\n"
"gzip in gzip and raw zlib) or zip (every member holding a report).  Both\n"
"RFC 7489 and RFC 9990 (DMARCbis, dmarc-2.0) reports are read.\n"
"\n"
"A report already stored (same reporter, report ID, policy domain and\n"
"start) is counted as a duplicate and changes nothing, so running twice is\n"
"safe.  A payload that cannot be stored is recorded in the database with\n"
"its bytes, to be retried after a fix; other inputs go on.\n"
"\n"
"Options:\n"
"  --db FILE              database (default: $DMARC_DB, else ./dmarc.db)\n"
"  --json                 print one JSON object with the counts on stdout\n"
"  -q, --quiet            print nothing but errors\n"
"  --limit NAME=VALUE     change an input limit (K, M, G suffixes); NAME is\n"
"                         input-bytes, xml-bytes, ratio, ratio-floor,\n"
"                         zip-entries, nesting, xml-depth, field-bytes,\n"
"                         records, repeats, keep-failed-bytes, message-bytes\n"
"                         (see dmarc-ingest(1))\n"
"  --list-failed          list the recorded failures not yet resolved\n"
"  --retry-failed         parse the recorded failures again; those that now\n"
"                         succeed are stored and marked resolved\n"
"  --forget-failed ID     delete one recorded failure\n"
"  --prune-before DATE    delete the reports that begin before DATE (UTC)\n"
"  --stats                show what the database holds, per policy domain\n"
"  -h, --help             show this help\n"
"  -V, --version          show the version\n"
"\n"
"Exit status: 0 every input was stored or was a duplicate (or the command\n"
"succeeded); 1 at least one payload newly failed (the others were stored),\n"
"or a retry still fails; 2 usage error, or the database cannot be opened\n"
"or written.\n"
"\n"
"Examples:\n"
"  dmarc-ingest --db reports.db ~/Maildir/.DMARC ~/dmarc/attachments/\n"
"  zcat report.xml.gz | dmarc-ingest --db reports.db -\n"
"  dmarc-ingest --db reports.db --list-failed\n";

struct opts {
	const char *db;
	int json, quiet;
	int list_failed, retry_failed, stats;
	long long forget_id;
	const char *prune_before;
	struct dm_limits limits;
};

struct run {
	struct opts *o;
	int progress;			/* stderr is a terminal */
	int progress_shown;
	unsigned long long done, total;
	struct timespec last;
	unsigned long long unreadable;
	char **files;
	size_t nfiles, capfiles;
};

static void
clear_progress(struct run *r)
{
	if (r->progress_shown) {
		fputs("\r\033[K", stderr);
		r->progress_shown = 0;
	}
}

static void
show_progress(struct run *r, const char *name)
{
	struct timespec now;
	double dt;

	if (!r->progress)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	dt = (double)(now.tv_sec - r->last.tv_sec) +
	    (double)(now.tv_nsec - r->last.tv_nsec) / 1e9;
	if (dt < 0.1 && r->done != 0)
		return;
	r->last = now;
	fprintf(stderr, "\r\033[K[%llu/%llu] %.60s", r->done + 1, r->total, name);
	r->progress_shown = 1;
}

static void
on_diag(void *ctx, enum pipeline_level lv, const char *input, const char *msg)
{
	struct run *r = ctx;

	if (lv != PIPE_ERROR && r->o->quiet)
		return;
	clear_progress(r);
	fprintf(stderr, "dmarc-ingest: %s%s: %s\n",
	    lv == PIPE_WARNING ? "warning: " : lv == PIPE_NOTE ? "note: " : "",
	    input, msg);
}

static void
on_walk_error(void *ctx, const char *path, const char *reason)
{
	struct run *r = ctx;

	clear_progress(r);
	fprintf(stderr, "dmarc-ingest: %s: %s\n", path, reason);
	r->unreadable++;
}

static int
on_walk_file(void *ctx, const char *path)
{
	struct run *r = ctx;

	if (r->nfiles == r->capfiles) {
		size_t nc = r->capfiles ? r->capfiles * 2 : 64;
		char **nf = realloc(r->files, nc * sizeof *nf);
		if (nf == NULL)
			return -1;
		r->files = nf;
		r->capfiles = nc;
	}
	if ((r->files[r->nfiles] = strdup(path)) == NULL)
		return -1;
	r->nfiles++;
	return 0;
}

/* 1 -> "1 report", 1234 -> "1,234 reports" */
static const char *
counted(uint64_t v, const char *one, const char *many, char *buf, size_t len)
{
	char n[32];

	snprintf(buf, len, "%s %s", fmt_uint(v, n, sizeof n), v == 1 ? one : many);
	return buf;
}

static void
usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("dmarc-ingest: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'dmarc-ingest --help' for more information.\n", stderr);
}

static void
print_summary(const struct run *r, const struct pipeline_stats *s)
{
	char a[64];

	if (r->o->json) {
		printf("{\"inputs\": %llu, \"reports_new\": %" PRIu64
		    ", \"reports_duplicate\": %" PRIu64 ", \"records_new\": %" PRIu64
		    ", \"messages_new\": %" PRIu64 ", \"records_skipped\": %" PRIu64
		    ", \"failed\": %" PRIu64 ", \"failed_before\": %" PRIu64
		    ", \"unreadable\": %llu, \"warnings\": %" PRIu64
		    ", \"messages_scanned\": %" PRIu64 ", \"messages_without_report\": %"
		    PRIu64 ", \"other_reports\": %" PRIu64 "}\n",
		    r->total, s->reports_new, s->reports_duplicate, s->records_new,
		    s->messages_new, s->records_skipped, s->failed,
		    s->failed_before, r->unreadable, s->warnings,
		    s->messages_scanned, s->messages_without_report,
		    s->other_reports);
		return;
	}
	if (r->o->quiet)
		return;
	printf("%s: ", counted(r->total, "input", "inputs", a, sizeof a));
	printf("%s ", counted(s->reports_new, "new report", "new reports", a,
	    sizeof a));
	printf("(%s, ", counted(s->records_new, "record", "records", a, sizeof a));
	printf("%s), ", counted(s->messages_new, "message", "messages", a,
	    sizeof a));
	printf("%s, ", counted(s->reports_duplicate, "duplicate", "duplicates",
	    a, sizeof a));
	printf("%s failed", fmt_uint(s->failed, a, sizeof a));
	if (s->failed_before)
		printf(", %s failed before", fmt_uint(s->failed_before, a,
		    sizeof a));
	if (r->unreadable)
		printf(", %llu unreadable", r->unreadable);
	if (s->records_skipped)
		printf(", %s", counted(s->records_skipped, "record skipped",
		    "records skipped", a, sizeof a));
	if (s->warnings)
		printf(", %s", counted(s->warnings, "warning", "warnings", a,
		    sizeof a));
	if (s->messages_scanned) {
		printf("; %s ", counted(s->messages_scanned, "mail message",
		    "mail messages", a, sizeof a));
		printf("(%s without report, ", fmt_uint(
		    s->messages_without_report, a, sizeof a));
		printf("%s)", counted(s->other_reports, "other report",
		    "other reports", a, sizeof a));
	}
	putchar('\n');
}

/* --- maintenance commands --------------------------------------------------- */


static int
cmd_list_failed(sqlite3 *db, const struct opts *o)
{
	sqlite3_stmt *st = NULL;
	char when[32], sz[32];
	int n = 0;

	if (sqlite3_prepare_v2(db, "SELECT id, first_seen, last_seen, attempts, "
	    "payload_size, payload IS NOT NULL, input_name, reason FROM "
	    "ingest_failure WHERE resolved_at IS NULL ORDER BY id", -1, &st,
	    NULL) != SQLITE_OK) {
		fprintf(stderr, "dmarc-ingest: %s\n", sqlite3_errmsg(db));
		return EXIT_USAGE;
	}
	if (o->json)
		fputs("[", stdout);
	else
		printf("%6s  %-10s  %-10s  %8s  %12s  %s\n", "ID", "FIRST SEEN",
		    "LAST SEEN", "ATTEMPTS", "BYTES", "INPUT: REASON");
	while (sqlite3_step(st) == SQLITE_ROW) {
		char last[32];
		const char *name = (const char *)sqlite3_column_text(st, 6);
		const char *why = (const char *)sqlite3_column_text(st, 7);

		fmt_day(sqlite3_column_int64(st, 1), when, sizeof when);
		fmt_day(sqlite3_column_int64(st, 2), last, sizeof last);
		if (o->json) {
			printf("%s\n  {\"id\": %lld, \"first_seen\": \"%s\", "
			    "\"last_seen\": \"%s\", \"attempts\": %d, \"bytes\": %lld, "
			    "\"payload_kept\": %s, \"input\": ",
			    n ? "," : "", (long long)sqlite3_column_int64(st, 0),
			    when, last, sqlite3_column_int(st, 3),
			    (long long)sqlite3_column_int64(st, 4),
			    sqlite3_column_int(st, 5) ? "true" : "false");
			json_string(stdout, name ? name : "");
			fputs(", \"reason\": ", stdout);
			json_string(stdout, why ? why : "");
			putchar('}');
		} else {
			printf("%6lld  %-10s  %-10s  %8d  %12s  %s: %s%s\n",
			    (long long)sqlite3_column_int64(st, 0), when, last,
			    sqlite3_column_int(st, 3),
			    fmt_uint((uint64_t)sqlite3_column_int64(st, 4), sz, sizeof sz),
			    name ? name : "", why ? why : "",
			    sqlite3_column_int(st, 5) ? "" : " (payload not kept)");
		}
		n++;
	}
	sqlite3_finalize(st);
	if (o->json)
		fputs(n ? "\n]\n" : "]\n", stdout);
	else if (!o->quiet)
		printf("%d unresolved failure%s\n", n, n == 1 ? "" : "s");
	return EXIT_OK;
}

static int
cmd_forget_failed(sqlite3 *db, const struct opts *o)
{
	sqlite3_stmt *st = NULL;
	int changed;

	if (sqlite3_prepare_v2(db, "DELETE FROM ingest_failure WHERE id = ?", -1,
	    &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "dmarc-ingest: %s\n", sqlite3_errmsg(db));
		return EXIT_USAGE;
	}
	sqlite3_bind_int64(st, 1, o->forget_id);
	if (sqlite3_step(st) != SQLITE_DONE) {
		fprintf(stderr, "dmarc-ingest: cannot delete failure: %s\n",
		    sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return EXIT_USAGE;
	}
	sqlite3_finalize(st);
	changed = sqlite3_changes(db);
	if (changed == 0) {
		fprintf(stderr, "dmarc-ingest: no failure #%lld\n", o->forget_id);
		return EXIT_FAILED;
	}
	if (!o->quiet)
		printf("forgot failure #%lld\n", o->forget_id);
	return EXIT_OK;
}

static int
cmd_prune(sqlite3 *db, const struct opts *o)
{
	char err[512], a[32], b[32];
	sqlite3_stmt *st = NULL;
	int64_t before, records = 0;
	int reports;

	if (parse_day(o->prune_before, &before) != 0) {
		usage_error("--prune-before wants a date YYYY-MM-DD, got '%s'",
		    o->prune_before);
		return EXIT_USAGE;
	}
	if (db_exec(db, "BEGIN IMMEDIATE", err, sizeof err) != 0)
		goto fail;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM record JOIN report ON "
	    "report.id = record.report WHERE report.date_begin < ?", -1, &st,
	    NULL) != SQLITE_OK)
		goto fail_sql;
	sqlite3_bind_int64(st, 1, before);
	if (sqlite3_step(st) == SQLITE_ROW)
		records = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(db, "DELETE FROM report WHERE date_begin < ?", -1,
	    &st, NULL) != SQLITE_OK)
		goto fail_sql;
	sqlite3_bind_int64(st, 1, before);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto fail_sql;
	sqlite3_finalize(st);
	st = NULL;
	reports = sqlite3_changes(db);
	/* the per-day source totals of those days go with them */
	if (sqlite3_prepare_v2(db, "DELETE FROM source_day WHERE day < ?", -1,
	    &st, NULL) != SQLITE_OK)
		goto fail_sql;
	sqlite3_bind_int64(st, 1, before / 86400);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto fail_sql;
	sqlite3_finalize(st);
	st = NULL;
	if (db_exec(db, "COMMIT", err, sizeof err) != 0)
		goto fail;
	if (o->json)
		printf("{\"reports_deleted\": %d, \"records_deleted\": %lld}\n",
		    reports, (long long)records);
	else if (!o->quiet)
		printf("pruned %s reports (%s records) that begin before %s\n",
		    fmt_uint((uint64_t)reports, a, sizeof a),
		    fmt_uint((uint64_t)records, b, sizeof b), o->prune_before);
	return EXIT_OK;
fail_sql:
	snprintf(err, sizeof err, "%s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
fail:
	fprintf(stderr, "dmarc-ingest: cannot prune: %s\n", err);
	return EXIT_USAGE;
}

static int
cmd_stats(sqlite3 *db, const struct opts *o)
{
	sqlite3_stmt *st = NULL;
	char a[32], b[32], c[32], first[16], last[16];
	int n = 0;

	if (sqlite3_prepare_v2(db, "SELECT domain, count(*), count(DISTINCT "
	    "ifnull(org_name, '')), sum(record_count), sum(message_count), "
	    "min(date_begin), max(date_end) FROM report GROUP BY domain ORDER BY "
	    "sum(message_count) DESC, domain", -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "dmarc-ingest: %s\n", sqlite3_errmsg(db));
		return EXIT_USAGE;
	}
	if (o->json)
		fputs("[", stdout);
	else
		printf("%-30s %8s %9s %10s %12s  %-10s  %-10s\n", "POLICY DOMAIN",
		    "REPORTS", "REPORTERS", "RECORDS", "MESSAGES", "FIRST", "LAST");
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *dom = (const char *)sqlite3_column_text(st, 0);

		fmt_day(sqlite3_column_int64(st, 5), first, sizeof first);
		fmt_day(sqlite3_column_int64(st, 6), last, sizeof last);
		if (o->json) {
			printf("%s\n  {\"domain\": ", n ? "," : "");
			json_string(stdout, dom ? dom : "");
			printf(", \"reports\": %lld, "
			    "\"reporters\": %lld, \"records\": %lld, \"messages\": %lld, "
			    "\"first\": \"%s\", \"last\": \"%s\"}",
			    (long long)sqlite3_column_int64(st, 1),
			    (long long)sqlite3_column_int64(st, 2),
			    (long long)sqlite3_column_int64(st, 3),
			    (long long)sqlite3_column_int64(st, 4), first, last);
		} else {
			printf("%-30.30s %8s %9lld %10s %12s  %-10s  %-10s\n",
			    dom ? dom : "",
			    fmt_uint((uint64_t)sqlite3_column_int64(st, 1), a, sizeof a),
			    (long long)sqlite3_column_int64(st, 2),
			    fmt_uint((uint64_t)sqlite3_column_int64(st, 3), b, sizeof b),
			    fmt_uint((uint64_t)sqlite3_column_int64(st, 4), c, sizeof c),
			    first, last);
		}
		n++;
	}
	sqlite3_finalize(st);
	if (o->json)
		fputs(n ? "\n]\n" : "]\n", stdout);
	return EXIT_OK;
}

/* Re-reads each unresolved failure's kept bytes through the pipeline. */
static int
cmd_retry(sqlite3 *db, struct pipeline *pl, struct store *store,
    const struct opts *o, unsigned long long *resolved,
    unsigned long long *still)
{
	sqlite3_stmt *ids = NULL, *get = NULL;
	int64_t *list = NULL;
	size_t n = 0, cap = 0, i;
	int rc = EXIT_OK;

	if (sqlite3_prepare_v2(db, "SELECT id FROM ingest_failure WHERE "
	    "resolved_at IS NULL ORDER BY id", -1, &ids, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT input_name, payload, payload_size, "
	    "message_id, message_date, message_from, message_subject, mbox_path, "
	    "ifnull(mbox_offset, -1) FROM ingest_failure WHERE id = ?", -1, &get,
	    NULL) != SQLITE_OK) {
		fprintf(stderr, "dmarc-ingest: %s\n", sqlite3_errmsg(db));
		rc = EXIT_USAGE;
		goto out;
	}
	while (sqlite3_step(ids) == SQLITE_ROW) {
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			int64_t *nl = realloc(list, nc * sizeof *nl);
			if (nl == NULL) {
				rc = EXIT_USAGE;
				goto out;
			}
			list = nl;
			cap = nc;
		}
		list[n++] = sqlite3_column_int64(ids, 0);
	}
	for (i = 0; i < n; i++) {
		struct store_provenance prov;
		const unsigned char *z;
		unsigned char *raw = NULL;
		uLongf rawlen;
		int zlen, ok = 0;
		char *name;

		sqlite3_bind_int64(get, 1, list[i]);
		if (sqlite3_step(get) != SQLITE_ROW) {
			sqlite3_reset(get);
			continue;
		}
		memset(&prov, 0, sizeof prov);
		name = strdup((const char *)sqlite3_column_text(get, 0));
		prov.input_name = name;
		prov.message_id = (const char *)sqlite3_column_text(get, 3);
		prov.message_date = (const char *)sqlite3_column_text(get, 4);
		prov.message_from = (const char *)sqlite3_column_text(get, 5);
		prov.message_subject = (const char *)sqlite3_column_text(get, 6);
		prov.mbox_path = (const char *)sqlite3_column_text(get, 7);
		prov.mbox_offset = sqlite3_column_int64(get, 8);
		z = sqlite3_column_blob(get, 1);
		zlen = sqlite3_column_bytes(get, 1);
		rawlen = (uLongf)sqlite3_column_int64(get, 2);
		if (z == NULL) {
			fprintf(stderr, "dmarc-ingest: %s: payload was too large to "
			    "keep (failure #%lld): run dmarc-ingest on the original "
			    "input again\n", name, (long long)list[i]);
			(*still)++;
		} else if ((raw = malloc(rawlen ? rawlen : 1)) == NULL ||
		    (rawlen > 0 && uncompress(raw, &rawlen, z, (uLong)zlen) != Z_OK)) {
			fprintf(stderr, "dmarc-ingest: %s: kept payload of failure "
			    "#%lld is damaged\n", name, (long long)list[i]);
			(*still)++;
		} else {
			/* the provenance strings live in `get` until its reset */
			if (pipeline_mem(pl, raw, rawlen, &prov, &ok) != 0) {
				free(raw);
				free(name);
				sqlite3_reset(get);
				rc = EXIT_USAGE;
				goto out;
			}
			if (ok) {
				if (pipeline_flush(pl) != 0 ||
				    store_begin(store) != 0 ||
				    store_failure_resolve(store, list[i]) != 0 ||
				    store_commit(store) != 0) {
					fprintf(stderr, "dmarc-ingest: %s\n",
					    store_error(store));
					free(raw);
					free(name);
					sqlite3_reset(get);
					rc = EXIT_USAGE;
					goto out;
				}
				(*resolved)++;
				if (!o->quiet && !o->json)
					printf("failure #%lld (%s): now stored\n",
					    (long long)list[i], name);
			} else {
				(*still)++;
			}
		}
		free(raw);
		free(name);
		sqlite3_reset(get);
	}
out:
	sqlite3_finalize(ids);
	sqlite3_finalize(get);
	free(list);
	return rc;
}

/* --- main ------------------------------------------------------------------- */

enum { OPT_DB = 256, OPT_JSON, OPT_LIMIT, OPT_LIST, OPT_RETRY, OPT_FORGET,
	OPT_PRUNE, OPT_STATS };

static const struct option long_opts[] = {
	{ "db", required_argument, NULL, OPT_DB },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "quiet", no_argument, NULL, 'q' },
	{ "limit", required_argument, NULL, OPT_LIMIT },
	{ "list-failed", no_argument, NULL, OPT_LIST },
	{ "retry-failed", no_argument, NULL, OPT_RETRY },
	{ "forget-failed", required_argument, NULL, OPT_FORGET },
	{ "prune-before", required_argument, NULL, OPT_PRUNE },
	{ "stats", no_argument, NULL, OPT_STATS },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

int
main(int argc, char **argv)
{
	struct opts o;
	struct run r;
	struct pipeline_callbacks pcb;
	struct walk_callbacks wcb;
	struct pipeline_stats stats;
	struct pipeline *pl = NULL;
	struct store *store = NULL;
	sqlite3 *db = NULL;
	char err[1024], *end;
	int c, i, commands, rc = EXIT_OK, use_stdin = 0;
	size_t k;

	/* Over a file size limit (ulimit -f), a write fails with EFBIG and
	 * SQLite reports it, instead of the signal killing us mid-batch. */
	signal(SIGXFSZ, SIG_IGN);
	memset(&o, 0, sizeof o);
	memset(&r, 0, sizeof r);
	o.forget_id = -1;
	dm_limits_default(&o.limits);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "qhV", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_DB: o.db = optarg; break;
		case OPT_JSON: o.json = 1; break;
		case 'q': o.quiet = 1; break;
		case OPT_LIMIT:
			if (dm_limits_set(&o.limits, optarg, err, sizeof err) != 0) {
				usage_error("%s", err);
				return EXIT_USAGE;
			}
			break;
		case OPT_LIST: o.list_failed = 1; break;
		case OPT_RETRY: o.retry_failed = 1; break;
		case OPT_FORGET:
			errno = 0;
			o.forget_id = strtoll(optarg, &end, 10);
			if (errno || *end || end == optarg || o.forget_id < 0) {
				usage_error("--forget-failed wants a failure ID "
				    "(see --list-failed), got '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_PRUNE: o.prune_before = optarg; break;
		case OPT_STATS: o.stats = 1; break;
		case 'h': fputs(usage_text, stdout); return EXIT_OK;
		case 'V': printf("dmarc-ingest %s\n", DM_VERSION); return EXIT_OK;
		default:
			if (optopt && optopt < 256)
				usage_error("unknown or incomplete option '-%c'", optopt);
			else
				usage_error("unknown or incomplete option '%s'",
				    argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	commands = o.list_failed + o.retry_failed + (o.forget_id >= 0) +
	    (o.prune_before != NULL) + o.stats;
	if (commands > 1) {
		usage_error("give one of --list-failed, --retry-failed, "
		    "--forget-failed, --prune-before, --stats at a time");
		return EXIT_USAGE;
	}
	if (commands == 1 && optind < argc) {
		usage_error("no PATH goes with this command");
		return EXIT_USAGE;
	}
	if (commands == 0 && optind == argc) {
		usage_error("no input: give report files or directories, or '-' "
		    "for standard input");
		return EXIT_USAGE;
	}
	for (i = optind; i < argc; i++) {
		if (strcmp(argv[i], "-") == 0 && use_stdin++) {
			usage_error("'-' (standard input) given twice");
			return EXIT_USAGE;
		}
	}

	if ((db = db_open(db_default_path(o.db), DB_READ_WRITE_CREATE, err,
	    sizeof err)) == NULL) {
		fprintf(stderr, "dmarc-ingest: %s\n", err);
		return EXIT_USAGE;
	}
	if (o.list_failed) {
		rc = cmd_list_failed(db, &o);
		goto out;
	}
	if (o.forget_id >= 0) {
		rc = cmd_forget_failed(db, &o);
		goto out;
	}
	if (o.prune_before != NULL) {
		rc = cmd_prune(db, &o);
		goto out;
	}
	if (o.stats) {
		rc = cmd_stats(db, &o);
		goto out;
	}

	parse_global_init();
	mail_global_init();
	r.o = &o;
	r.progress = !o.quiet && isatty(STDERR_FILENO);
	if ((store = store_open(db, err, sizeof err)) == NULL) {
		fprintf(stderr, "dmarc-ingest: %s\n", err);
		rc = EXIT_USAGE;
		goto out;
	}
	pcb.ctx = &r;
	pcb.diag = on_diag;
	if ((pl = pipeline_new(store, &o.limits, &pcb)) == NULL) {
		fprintf(stderr, "dmarc-ingest: out of memory\n");
		rc = EXIT_USAGE;
		goto out;
	}

	if (o.retry_failed) {
		unsigned long long resolved = 0, still = 0;

		rc = cmd_retry(db, pl, store, &o, &resolved, &still);
		if (rc == EXIT_OK && pipeline_flush(pl) != 0)
			rc = EXIT_USAGE;
		if (rc != EXIT_OK) {
			if (*pipeline_error(pl))
				fprintf(stderr, "dmarc-ingest: %s\n",
				    pipeline_error(pl));
			goto out;
		}
		pipeline_get_stats(pl, &stats);
		if (o.json)
			printf("{\"retried\": %llu, \"resolved\": %llu, "
			    "\"still_failing\": %llu, \"reports_new\": %" PRIu64
			    ", \"records_new\": %" PRIu64 ", \"messages_new\": %"
			    PRIu64 "}\n", resolved + still, resolved, still,
			    stats.reports_new, stats.records_new,
			    stats.messages_new);
		else if (!o.quiet)
			printf("retried %llu failures: %llu now stored, %llu still "
			    "failing\n", resolved + still, resolved, still);
		rc = still ? EXIT_FAILED : EXIT_OK;
		goto out;
	}

	/* Walk first, so that progress can show how far along the run is. */
	wcb.ctx = &r;
	wcb.file = on_walk_file;
	wcb.error = on_walk_error;
	for (i = optind; i < argc; i++) {
		if (strcmp(argv[i], "-") == 0)
			continue;
		if (walk_path(argv[i], &wcb) != 0) {
			fprintf(stderr, "dmarc-ingest: out of memory\n");
			rc = EXIT_USAGE;
			goto out;
		}
	}
	r.total = r.nfiles + (use_stdin ? 1 : 0);
	clock_gettime(CLOCK_MONOTONIC, &r.last);
	for (k = 0; k < r.nfiles; k++) {
		show_progress(&r, r.files[k]);
		if (pipeline_file(pl, r.files[k], NULL) != 0)
			break;
		r.done++;
	}
	if (!*pipeline_error(pl) && use_stdin) {
		show_progress(&r, "(standard input)");
		if (pipeline_stdin(pl) == 0)
			r.done++;
	}
	if (!*pipeline_error(pl))
		(void)(pipeline_flush(pl) == 0);
	clear_progress(&r);
	if (*pipeline_error(pl)) {
		fprintf(stderr, "dmarc-ingest: %s; stopped after %llu of %llu "
		    "inputs (what was committed before is kept; run again for the rest)\n",
		    pipeline_error(pl), r.done, r.total);
		rc = EXIT_USAGE;
		goto out;
	}
	pipeline_get_stats(pl, &stats);
	print_summary(&r, &stats);
	rc = stats.failed || r.unreadable ? EXIT_FAILED : EXIT_OK;
out:
	pipeline_free(pl);
	store_close(store);
	db_close(db);
	for (k = 0; k < r.nfiles; k++)
		free(r.files[k]);
	free(r.files);
	if (fflush(stdout) != 0 && rc == EXIT_OK)
		rc = EXIT_USAGE;
	return rc;
}
