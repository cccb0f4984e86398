/* SPDX-License-Identifier: MIT */
/*
 * main.c: the dmarc-ingest command line.  Parses options, walks the inputs,
 * runs each through the pipeline, prints diagnostics, progress and the
 * summary, and maps the outcome to the exit status.  The only place that
 * prints or exits.  Over 800 lines: the IMAP mailboxes' glue (imap_args,
 * run_imaps, their progress line) prints, so it lives here too.
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

#include "dm_array.h"
#include "dm_limits.h"
#include "fmt.h"
#include "imap.h"
#include "imap_ingest.h"
#include "json_out.h"
#include "mail.h"
#include "parse.h"
#include "pipeline.h"
#include "store.h"
#include "table.h"
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
"Usage: dmarc-ingest [OPTIONS] PATH... | - | imaps://USER@HOST[:PORT]/MAILBOX\n"
"       dmarc-ingest [--db FILE] --retry-failed | --list-failed | --forget-failed ID\n"
"       dmarc-ingest [--db FILE] --prune-before YYYY-MM-DD | --stats\n"
"\n"
"Store DMARC aggregate reports (rua) in an SQLite database.\n"
"\n"
"Each PATH is a mail file (one message, or an mbox), a Maildir, a report\n"
"file or a directory, walked recursively (hidden files skipped); '-' reads\n"
"one input from standard input; imaps://USER@HOST/MAILBOX (or imap://)\n"
"reads an IMAP mailbox, each message once (the password comes from\n"
"$DMARC_IMAP_PASSWORD or ~/.netrc, an OAuth2 token from $DMARC_IMAP_BEARER,\n"
"never from the URL).  What an input is comes from its bytes,\n"
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
"  --imap-move FOLDER     after the commit, move the messages read (stored,\n"
"                         duplicates, no report) to FOLDER\n"
"  --imap-failed FOLDER   move the messages that failed to FOLDER\n"
"  --imap-ca FILE         trust this CA for imaps:// (default: the system's)\n"
"  --imap-starttls        imap://: refuse to go on without STARTTLS\n"
"  --imap-timeout SECS    connect and idle timeout (default 60)\n"
"  -h, --help             show this help\n"
"  -V, --version          show the version\n"
"\n"
"The commands need an existing database and never create one.  A database\n"
"that is not dmarc-tools' (another application's SQLite file) is refused\n"
"and left untouched.  Names are printed with control characters escaped.\n"
"\n"
"Exit status: 0 every input was stored or was a duplicate (or the command\n"
"succeeded); 1 at least one payload newly failed (the others were stored),\n"
"an input is missing or cannot be read, or a retry still fails; 2 usage\n"
"error, the database cannot be opened or written or is not a dmarc-tools\n"
"database, or a command finds no database.\n"
"\n"
"Examples:\n"
"  dmarc-ingest --db reports.db ~/Maildir/.DMARC ~/dmarc/attachments/\n"
"  zcat report.xml.gz | dmarc-ingest --db reports.db -\n"
"  dmarc-ingest --db reports.db --imap-move Archive imaps://dmarc@mail.example.com/INBOX\n"
"  dmarc-ingest --db reports.db --list-failed\n";

struct opts {
	const char *db;
	int json, quiet;
	int list_failed, retry_failed, stats;
	long long forget_id;
	const char *prune_before;
	struct dm_limits limits;
	struct imap_conf imap;
	struct imap_ingest_opts imap_opts;
	int imap_opts_given;
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
	struct imap **imaps;		/* the IMAP mailboxes among the paths */
	size_t nimaps;
	struct imap_ingest_stats imap;
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
	char en[64];
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
	fprintf(stderr, "\r\033[K[%llu/%llu] %s", r->done + 1, r->total,
	    fmt_escape(name, FMT_ESC_NAME, en, 61));
	r->progress_shown = 1;
}

/* "fetching 120 of 4,031 (imaps://host/INBOX)" */
static void
on_imap_progress(void *ctx, const char *url, uint64_t done, uint64_t total)
{
	struct run *r = ctx;
	char a[32], b[32], en[64];
	struct timespec now;
	double dt;

	if (!r->progress)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	dt = (double)(now.tv_sec - r->last.tv_sec) +
	    (double)(now.tv_nsec - r->last.tv_nsec) / 1e9;
	if (dt < 0.1 && done != 0)
		return;
	r->last = now;
	fprintf(stderr, "\r\033[Kfetching %s of %s (%s)", fmt_uint(done + 1, a,
	    sizeof a), fmt_uint(total, b, sizeof b),
	    fmt_escape(url, FMT_ESC_NAME, en, 48));
	r->progress_shown = 1;
}

static void
on_diag(void *ctx, enum pipeline_level lv, const char *input, const char *msg)
{
	struct run *r = ctx;
	char en[FMT_ESC_BYTES], em[FMT_ESC_BYTES];

	if (lv != PIPE_ERROR && r->o->quiet)
		return;
	clear_progress(r);
	fprintf(stderr, "dmarc-ingest: %s%s: %s\n",
	    lv == PIPE_WARNING ? "warning: " : lv == PIPE_NOTE ? "note: " : "",
	    fmt_escape(input, FMT_ESC_NAME, en, sizeof en),
	    fmt_escape(msg, FMT_ESC_TEXT, em, sizeof em));
}

static void
on_walk_error(void *ctx, const char *path, const char *reason)
{
	struct run *r = ctx;
	char en[FMT_ESC_BYTES], em[FMT_ESC_BYTES];

	clear_progress(r);
	fprintf(stderr, "dmarc-ingest: %s: %s\n",
	    fmt_escape(path, FMT_ESC_NAME, en, sizeof en),
	    fmt_escape(reason, FMT_ESC_TEXT, em, sizeof em));
	r->unreadable++;
}

static int
on_walk_file(void *ctx, const char *path)
{
	struct run *r = ctx;

	/* one per input file named or found (a name each) */
	if (dm_array_reserve(&r->files, &r->capfiles, r->nfiles + 1,
	    sizeof *r->files, (size_t)1 << 28) != 0)
		return -1;
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
	char msg[4096], em[FMT_ESC_BYTES];
	va_list ap;

	/* the message may quote an argument: control characters escaped */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "dmarc-ingest: %s\nTry 'dmarc-ingest --help' for more "
	    "information.\n", fmt_escape(msg, FMT_ESC_TEXT, em, sizeof em));
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
		    PRIu64 ", \"other_reports\": %" PRIu64 ", \"imap_fetched\": %"
		    PRIu64 ", \"imap_moved\": %" PRIu64 "}\n",
		    r->total, s->reports_new, s->reports_duplicate, s->records_new,
		    s->messages_new, s->records_skipped, s->failed,
		    s->failed_before, r->unreadable, s->warnings,
		    s->messages_scanned, s->messages_without_report,
		    s->other_reports, r->imap.fetched, r->imap.moved);
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
	if (r->nimaps) {
		printf("; %s fetched by IMAP", counted(r->imap.fetched, "message",
		    "messages", a, sizeof a));
		if (r->o->imap_opts.move_to || r->o->imap_opts.failed_to)
			printf(", %s moved", fmt_uint(r->imap.moved, a, sizeof a));
	}
	putchar('\n');
}

/* --- maintenance commands --------------------------------------------------- */

/* "dmarc-ingest: MSG" on stderr, control characters escaped (a message
 * may hold a path). */
static void
error_line(const char *msg)
{
	char em[FMT_ESC_BYTES];

	fprintf(stderr, "dmarc-ingest: %s\n",
	    fmt_escape(msg, FMT_ESC_TEXT, em, sizeof em));
}

struct list_ctx {
	const struct opts *o;
	int n;
};

static int
list_row(void *ctx, const struct store_failure_row *f)
{
	struct list_ctx *lc = ctx;
	char first[32], last[32], sz[32], en[FMT_ESC_BYTES], er[FMT_ESC_BYTES];

	fmt_day(f->first_seen, first, sizeof first);
	fmt_day(f->last_seen, last, sizeof last);
	if (lc->o->json) {
		printf("%s\n  {\"id\": %lld, \"first_seen\": \"%s\", "
		    "\"last_seen\": \"%s\", \"attempts\": %lld, \"bytes\": %lld, "
		    "\"payload_kept\": %s, \"input\": ", lc->n ? "," : "",
		    (long long)f->id, first, last, (long long)f->attempts,
		    (long long)f->bytes, f->kept ? "true" : "false");
		json_string(stdout, f->input_name);
		fputs(", \"reason\": ", stdout);
		json_string(stdout, f->reason);
		putchar('}');
	} else {
		printf("%6lld  %-10s  %-10s  %8lld  %12s  %s: %s%s\n",
		    (long long)f->id, first, last, (long long)f->attempts,
		    fmt_uint((uint64_t)f->bytes, sz, sizeof sz),
		    fmt_escape(f->input_name, FMT_ESC_NAME, en, sizeof en),
		    fmt_escape(f->reason, FMT_ESC_TEXT, er, sizeof er),
		    f->kept ? "" : " (payload not kept)");
	}
	lc->n++;
	return 0;
}

static int
cmd_list_failed(struct store *st, const struct opts *o)
{
	struct list_ctx lc = { o, 0 };

	if (o->json)
		fputs("[", stdout);
	else
		printf("%6s  %-10s  %-10s  %8s  %12s  %s\n", "ID", "FIRST SEEN",
		    "LAST SEEN", "ATTEMPTS", "BYTES", "INPUT: REASON");
	if (store_list_failures(st, list_row, &lc) != 0) {
		if (o->json)
			fputs("]\n", stdout);
		error_line(store_error(st));
		return EXIT_USAGE;
	}
	if (o->json)
		fputs(lc.n ? "\n]\n" : "]\n", stdout);
	else if (!o->quiet)
		printf("%d unresolved failure%s\n", lc.n, lc.n == 1 ? "" : "s");
	return EXIT_OK;
}

static int
cmd_forget_failed(struct store *st, const struct opts *o)
{
	int rc = store_forget_failure(st, o->forget_id);
	char msg[600];

	if (rc < 0) {
		snprintf(msg, sizeof msg, "cannot delete failure: %s",
		    store_error(st));
		error_line(msg);
		return EXIT_USAGE;
	}
	if (rc == 1) {
		fprintf(stderr, "dmarc-ingest: no failure #%lld\n", o->forget_id);
		return EXIT_FAILED;
	}
	if (!o->quiet)
		printf("forgot failure #%lld\n", o->forget_id);
	return EXIT_OK;
}

static int
cmd_prune(struct store *st, const struct opts *o, int64_t before)
{
	char a[64], b[64], msg[600];
	uint64_t reports, records;

	if (store_prune(st, before, &reports, &records) != 0) {
		snprintf(msg, sizeof msg, "cannot prune: %s", store_error(st));
		error_line(msg);
		return EXIT_USAGE;
	}
	if (o->json)
		printf("{\"reports_deleted\": %llu, \"records_deleted\": %llu}\n",
		    (unsigned long long)reports, (unsigned long long)records);
	else if (!o->quiet)
		printf("pruned %s (%s) that begin%s before %s\n",
		    counted(reports, "report", "reports", a, sizeof a),
		    counted(records, "record", "records", b, sizeof b),
		    reports == 1 ? "s" : "", o->prune_before);
	return EXIT_OK;
}

struct stats_ctx {
	const struct opts *o;
	struct table *t;	/* text: the rows, printed at the end */
	int n;
};

static int
stats_row(void *ctx, const struct store_domain_stats *d)
{
	struct stats_ctx *sc = ctx;
	char a[FMT_NUM], first[16], last[16], ed[FMT_ESC_BYTES];

	fmt_day(d->first, first, sizeof first);
	fmt_day(d->last, last, sizeof last);
	if (sc->o->json) {
		printf("%s\n  {\"domain\": ", sc->n ? "," : "");
		json_string(stdout, d->domain);
		printf(", \"reports\": %llu, \"reporters\": %llu, \"records\": "
		    "%llu, \"messages\": %llu, \"first\": \"%s\", \"last\": \"%s\"}",
		    (unsigned long long)d->reports,
		    (unsigned long long)d->reporters,
		    (unsigned long long)d->records,
		    (unsigned long long)d->messages, first, last);
	} else {
		table_row(sc->t);
		table_cell(sc->t, fmt_escape(d->domain, FMT_ESC_NAME, ed,
		    sizeof ed));
		table_cell(sc->t, fmt_uint(d->reports, a, sizeof a));
		table_cell(sc->t, fmt_uint(d->reporters, a, sizeof a));
		table_cell(sc->t, fmt_uint(d->records, a, sizeof a));
		table_cell(sc->t, fmt_uint(d->messages, a, sizeof a));
		table_cell(sc->t, first);
		table_cell(sc->t, last);
	}
	sc->n++;
	return 0;
}

/* --stats: per policy domain, as dmarc-report's tables look (aligned,
 * thousands separated, within 100 columns); no reports yet: a line on
 * stderr instead of a bare header. */
static int
cmd_stats(struct store *st, const struct opts *o)
{
	static const struct table_coldef cols[] = {
		{ "POLICY DOMAIN", TABLE_LEFT, 1 },
		{ "REPORTS", TABLE_RIGHT, 0 },
		{ "REPORTERS", TABLE_RIGHT, 0 },
		{ "RECORDS", TABLE_RIGHT, 0 },
		{ "MESSAGES", TABLE_RIGHT, 0 },
		{ "FIRST DAY", TABLE_LEFT, 0 },
		{ "LAST DAY", TABLE_LEFT, 0 },
	};
	struct stats_ctx sc = { o, NULL, 0 };
	int rc = EXIT_OK;

	if (o->json)
		fputs("[", stdout);
	else if ((sc.t = table_new()) == NULL) {
		error_line("out of memory");
		return EXIT_USAGE;
	} else
		table_cols(sc.t, cols, sizeof cols / sizeof cols[0]);
	if (store_domain_stats(st, stats_row, &sc) != 0) {
		if (o->json)
			fputs("]\n", stdout);
		error_line(store_error(st));
		rc = EXIT_USAGE;
	} else if (o->json)
		fputs(sc.n ? "\n]\n" : "]\n", stdout);
	else if (sc.n == 0)
		fputs("dmarc-ingest: no reports stored yet\n", stderr);
	else
		table_print_text(sc.t, stdout, 100);
	table_free(sc.t);
	return rc;
}

/*
 * Retries each unresolved failure through the pipeline, which owns the
 * store meanwhile; `ids` were read from the store before it took over.
 */
static int
cmd_retry(struct pipeline *pl, const struct opts *o, const int64_t *ids,
    size_t n)
{
	struct pipeline_retry res;
	struct pipeline_stats stats;
	unsigned long long resolved = 0, partly = 0, still = 0;
	char en[FMT_ESC_BYTES];
	size_t i;

	for (i = 0; i < n; i++) {
		if (pipeline_retry(pl, ids[i], &res) != 0) {
			error_line(pipeline_error(pl));
			return EXIT_USAGE;
		}
		fmt_escape(res.input_name, FMT_ESC_NAME, en, sizeof en);
		switch (res.outcome) {
		case PIPE_RETRY_STORED:
			resolved++;
			if (!o->quiet && !o->json)
				printf("failure #%lld (%s): now stored\n",
				    (long long)ids[i], en);
			break;
		case PIPE_RETRY_SPLIT:
		case PIPE_RETRY_PARTLY:
			partly++;
			if (!o->quiet && !o->json)
				printf("failure #%lld (%s): stored in part; %s "
				    "failure #%lld%s\n", (long long)ids[i], en,
				    res.outcome == PIPE_RETRY_SPLIT ?
				    "the rest is now" : "it stays open, the rest is",
				    (long long)res.rest, res.rest_count > 1 ?
				    " and others" : "");
			break;
		case PIPE_RETRY_FAILED:
			still++;
			break;
		case PIPE_RETRY_GONE:
			break;
		}
	}
	pipeline_get_stats(pl, &stats);
	if (o->json)
		printf("{\"retried\": %llu, \"resolved\": %llu, "
		    "\"still_failing\": %llu, \"partly_stored\": %llu, "
		    "\"reports_new\": %" PRIu64 ", \"records_new\": %" PRIu64
		    ", \"messages_new\": %" PRIu64 ", \"failed\": %" PRIu64 "}\n",
		    resolved + partly + still, resolved, still, partly,
		    stats.reports_new, stats.records_new, stats.messages_new,
		    stats.failed);
	else if (!o->quiet) {
		printf("retried %llu failure%s: %llu now stored, ",
		    resolved + partly + still,
		    resolved + partly + still == 1 ? "" : "s", resolved);
		if (partly)
			printf("%llu stored in part, ", partly);
		printf("%llu still failing\n", still);
	}
	return still || partly || stats.failed ? EXIT_FAILED : EXIT_OK;
}

/* --- IMAP mailboxes ---------------------------------------------------------- */

/* Prepares the mailboxes among the paths (no network yet): a bad URL or a
 * password in it is a usage error, found before any database is opened. */
static int
imap_args(struct opts *o, struct run *r, int argc, char **argv)
{
	char err[1024];
	int i, n = 0;

	o->imap.password = getenv("DMARC_IMAP_PASSWORD");
	o->imap.bearer = getenv("DMARC_IMAP_BEARER");
	if (o->imap.password != NULL && *o->imap.password == '\0')
		o->imap.password = NULL;
	if (o->imap.bearer != NULL && *o->imap.bearer == '\0')
		o->imap.bearer = NULL;
	if (o->imap.timeout == 0)
		o->imap.timeout = 60;
	o->imap_opts.message_bytes = o->limits.message_bytes;
	for (i = optind; i < argc; i++)
		n += imap_is_url(argv[i]);
	if (n == 0) {
		if (o->imap_opts.move_to || o->imap_opts.failed_to ||
		    o->imap.ca_file || o->imap.require_starttls ||
		    o->imap.timeout != 60) {
			usage_error("the --imap-* options go with an IMAP mailbox "
			    "(imaps://USER@HOST/MAILBOX)");
			return EXIT_USAGE;
		}
		return EXIT_OK;
	}
	imap_global_init();	/* before the writer thread starts */
	if ((r->imaps = calloc((size_t)n, sizeof *r->imaps)) == NULL) {
		error_line("out of memory");
		return EXIT_USAGE;
	}
	for (i = optind; i < argc; i++) {
		if (!imap_is_url(argv[i]))
			continue;
		o->imap.url = argv[i];
		if ((r->imaps[r->nimaps] = imap_new(&o->imap, err,
		    sizeof err)) == NULL) {
			usage_error("%s", err);
			return EXIT_USAGE;
		}
		r->nimaps++;
	}
	return EXIT_OK;
}

/* Reads each mailbox; an IMAP or database error stops the run (exit 2),
 * what was committed before stays. */
static int
run_imaps(struct pipeline *pl, const struct opts *o, struct run *r)
{
	struct imap_ingest_callbacks cb = { r, on_imap_progress };
	struct imap_ingest_stats before;
	enum imap_ingest_status st;
	char msg[1400];
	size_t k;

	for (k = 0; k < r->nimaps; k++) {
		before = r->imap;
		st = imap_ingest_run(pl, r->imaps[k], &o->imap_opts, &cb, &r->imap);
		clear_progress(r);
		if (st == IMAP_INGEST_OK) {
			r->done++;
			continue;
		}
		if (st == IMAP_INGEST_FATAL && !*pipeline_error(pl))
			error_line("out of memory");
		else if (r->imap.fetched > before.fetched)
			snprintf(msg, sizeof msg, "%s; stopped after %llu messages "
			    "(what was read is kept; run again for the rest)",
			    st == IMAP_INGEST_FATAL ? pipeline_error(pl) :
			    imap_error(r->imaps[k]), (unsigned long long)
			    (r->imap.fetched - before.fetched));
		else
			snprintf(msg, sizeof msg, "%s", st == IMAP_INGEST_FATAL ?
			    pipeline_error(pl) : imap_error(r->imaps[k]));
		if (st != IMAP_INGEST_FATAL || *pipeline_error(pl))
			error_line(msg);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* --- main ------------------------------------------------------------------- */

enum { OPT_DB = 256, OPT_JSON, OPT_LIMIT, OPT_LIST, OPT_RETRY, OPT_FORGET,
	OPT_PRUNE, OPT_STATS, OPT_IMAP_MOVE, OPT_IMAP_FAILED, OPT_IMAP_CA,
	OPT_IMAP_STARTTLS, OPT_IMAP_TIMEOUT };

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
	{ "imap-move", required_argument, NULL, OPT_IMAP_MOVE },
	{ "imap-failed", required_argument, NULL, OPT_IMAP_FAILED },
	{ "imap-ca", required_argument, NULL, OPT_IMAP_CA },
	{ "imap-starttls", no_argument, NULL, OPT_IMAP_STARTTLS },
	{ "imap-timeout", required_argument, NULL, OPT_IMAP_TIMEOUT },
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
	int64_t prune_at = 0, *retry_ids = NULL;
	size_t k, nretry = 0;
	char err[1024], *end;
	int c, i, commands, rc = EXIT_OK, use_stdin = 0;

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
		case OPT_IMAP_MOVE: o.imap_opts.move_to = optarg; break;
		case OPT_IMAP_FAILED: o.imap_opts.failed_to = optarg; break;
		case OPT_IMAP_CA: o.imap.ca_file = optarg; break;
		case OPT_IMAP_STARTTLS: o.imap.require_starttls = 1; break;
		case OPT_IMAP_TIMEOUT:
			errno = 0;
			o.imap.timeout = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || o.imap.timeout < 1 ||
			    o.imap.timeout > 86400) {
				usage_error("--imap-timeout wants seconds (1 to "
				    "86400), got '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
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
	/* IMAP mailboxes: checked before the database is opened */
	if ((rc = imap_args(&o, &r, argc, argv)) != EXIT_OK)
		goto out;

	if (o.prune_before != NULL && parse_day(o.prune_before, &prune_at) != 0) {
		usage_error("--prune-before wants a date YYYY-MM-DD, got '%s'",
		    o.prune_before);
		return EXIT_USAGE;
	}

	/* the commands work on a database that exists, and never create one */
	if ((store = store_open(o.db, commands ? STORE_EXISTING : STORE_CREATE,
	    err, sizeof err)) == NULL) {
		error_line(err);
		return EXIT_USAGE;
	}
	if (o.list_failed) {
		rc = cmd_list_failed(store, &o);
		goto out;
	}
	if (o.forget_id >= 0) {
		rc = cmd_forget_failed(store, &o);
		goto out;
	}
	if (o.prune_before != NULL) {
		rc = cmd_prune(store, &o, prune_at);
		goto out;
	}
	if (o.stats) {
		rc = cmd_stats(store, &o);
		goto out;
	}
	/* what to retry, read while the store is still this thread's */
	if (o.retry_failed && store_failure_ids(store, &retry_ids, &nretry) != 0) {
		error_line(store_error(store));
		rc = EXIT_USAGE;
		goto out;
	}

	parse_global_init();
	mail_global_init();
	r.o = &o;
	r.progress = !o.quiet && isatty(STDERR_FILENO);
	pcb.ctx = &r;
	pcb.diag = on_diag;
	/* from here to pipeline_free, the store is the writer thread's */
	if ((pl = pipeline_new(store, &o.limits, &pcb)) == NULL) {
		fprintf(stderr, "dmarc-ingest: out of memory\n");
		rc = EXIT_USAGE;
		goto out;
	}

	if (o.retry_failed) {
		rc = cmd_retry(pl, &o, retry_ids, nretry);
		goto out;
	}

	/* Walk first, so that progress can show how far along the run is. */
	wcb.ctx = &r;
	wcb.file = on_walk_file;
	wcb.error = on_walk_error;
	for (i = optind; i < argc; i++) {
		if (strcmp(argv[i], "-") == 0 || imap_is_url(argv[i]))
			continue;
		if (walk_path(argv[i], &wcb) != 0) {
			fprintf(stderr, "dmarc-ingest: out of memory\n");
			rc = EXIT_USAGE;
			goto out;
		}
	}
	r.total = r.nfiles + (use_stdin ? 1 : 0) + r.nimaps;
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
	if (!*pipeline_error(pl) && r.nimaps && (rc = run_imaps(pl, &o, &r)) !=
	    EXIT_OK)
		goto out;
	if (!*pipeline_error(pl))
		(void)(pipeline_flush(pl) == 0);
	clear_progress(&r);
	if (*pipeline_error(pl)) {
		snprintf(err, sizeof err, "%s; stopped after %llu of %llu input%s "
		    "(what was committed before is kept; run again for the rest)",
		    pipeline_error(pl), r.done, r.total, r.total == 1 ? "" : "s");
		error_line(err);
		rc = EXIT_USAGE;
		goto out;
	}
	pipeline_get_stats(pl, &stats);
	print_summary(&r, &stats);
	rc = stats.failed || r.unreadable ? EXIT_FAILED : EXIT_OK;
out:
	pipeline_free(pl);	/* the store is this thread's again */
	store_close(store);
	free(retry_ids);
	for (k = 0; k < r.nfiles; k++)
		free(r.files[k]);
	free(r.files);
	for (k = 0; k < r.nimaps; k++)
		imap_free(r.imaps[k]);
	if (r.imaps != NULL)
		imap_global_cleanup();
	free(r.imaps);
	if (fflush(stdout) != 0 && rc == EXIT_OK)
		rc = EXIT_USAGE;
	return rc;
}
