/* SPDX-License-Identifier: MIT */
/*
 * main.c: the dmarc-report command line.  Parses the common options and the
 * command, opens the database read-only, runs the command and maps the
 * outcome to the exit status.  The only place that exits.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "db.h"
#include "domain.h"
#include "fmt.h"
#include "names.h"
#include "report.h"
#include "senders.h"

#ifndef DM_VERSION
#define DM_VERSION "0.1.0"
#endif

/* The exit statuses dmarc-report(1) documents. */
enum exit_status {
	EXIT_OK = 0,
	EXIT_ATTENTION = 1,	/* weekly, advise: needs attention;
				 * check-record, check-dns: errors */
	EXIT_USAGE = 2,		/* usage error, or the database cannot be used */
	EXIT_NO_DATA = 3,	/* no database, or nothing ingested yet */
	EXIT_NO_DNS = 4		/* check-dns: DNS could not be asked at all */
};

/* The one mapping from what a command returns to the exit status. */
static int
exit_status(enum report_status s)
{
	switch (s) {
	case RPT_OK:
	case RPT_NO_REPORTS: return EXIT_OK;
	case RPT_ATTENTION: return EXIT_ATTENTION;
	case RPT_NODATA: return EXIT_NO_DATA;
	case RPT_USAGE:
	case RPT_ERROR: return EXIT_USAGE;
	case RPT_NO_DNS: return EXIT_NO_DNS;
	}
	return EXIT_USAGE;
}

#define MAX_DOMAINS 64

static const char usage_text[] =
"Usage: dmarc-report [--db FILE] COMMAND [OPTIONS]\n"
"\n"
"Summarize the DMARC aggregate reports stored by dmarc-ingest.\n"
"\n"
"Commands:\n"
"  summary      per policy domain: reports, reporters, messages, DMARC pass\n"
"               and fail, pass rate, SPF and DKIM aligned, dispositions,\n"
"               source IPs, the latest published policy\n"
"  sources      per source IP: messages, pass rate, SPF and DKIM aligned, the\n"
"               raw SPF and DKIM results with their domains, header From\n"
"               domains, reporters, first and last seen, dispositions,\n"
"               override reasons\n"
"  policy       per domain, each published policy reporters saw, with dates\n"
"               and volume; changes between none and quarantine/reject are\n"
"               flagged with the pass rate 14 days before and after\n"
"  reporters    per reporting organisation: reports, messages, days covered,\n"
"               last report\n"
"  weekly       the 7 days before today against the 7 before, per domain,\n"
"               with stale data flagged: for a cron mail to the postmaster\n"
"               (text, or --format html, or --mail: a whole MIME message;\n"
"               exit 1 when a domain needs attention)\n"
"  advise       per domain: is it safe to move to quarantine, then reject?\n"
"               sources by class, the impact, the blockers, the next record\n"
"               (exit 1 when a domain is not ready)\n"
"  senders      per domain, each sender (the sources one name covers): its\n"
"               state (aligned, fixed since, broken since, misaligned,\n"
"               unknown, forwarded), aligned share per week, DKIM selectors\n"
"               with first and last day, SPF domains (default: 8 weeks)\n"
"  export       every record as a row for an engine such as ClickHouse,\n"
"               OpenSearch or Splunk: parsedmarc's CSV columns, as CSV or\n"
"               NDJSON, in record id order (--after, --upto, --last-id)\n"
"  check-record 'v=DMARC1; ...'\n"
"               lint a DMARC record (exit 1 when it has errors); needs no\n"
"               database\n"
"  check-dns DOMAIN\n"
"               check the DMARC, SPF and DKIM records DOMAIN publishes now,\n"
"               against what the reports show (exit 1 when one has errors,\n"
"               4 when DNS could not be asked)\n"
"\n";

/* The options, apart: one string would pass C's 4,095-byte minimum. */
static const char usage_options[] =
"Options:\n"
"  --db FILE            database (default: $DMARC_DB, else ./dmarc.db)\n"
"  --domain D           only policy domain D (repeatable; default: all)\n"
"  --since YYYY-MM-DD   reports that begin on or after this day (UTC)\n"
"  --until YYYY-MM-DD   reports that begin before this day (UTC)\n"
"  --last Nd            the N whole days (UTC) ending at --until, or today\n"
"  --format F           text (default), csv or json; weekly: also html;\n"
"                       export: csv (default) or ndjson\n"
"  --top N              sources: only the first N rows; senders: per domain\n"
"  --sort KEY           sources: by messages (default) or failures\n"
"  --by KEY             sources: one row per ip (default) or per sender\n"
"  --record TXT         advise: the record published now (with one --domain)\n"
"  --name OWNER         check-record: the record's owner name, _dmarc.DOMAIN\n"
"  --threshold K=V      advise, senders: change a threshold (see\n"
"                       dmarc-report(1))\n"
"  --after ID           export: only records whose id is greater than ID\n"
"  --upto ID            export: only records whose id is at most ID\n"
"  --last-id            export: print the greatest record id and exit\n"
"  --ip-db FILE         export: source country and AS from this MMDB file\n"
"                       (IPinfo Lite, MaxMind GeoLite2 Country or ASN)\n"
"  --no-dns             reverse DNS from the cache alone (no lookups)\n"
"  --dns-server ADDR    ask this server (IP[:PORT]) instead of the system's\n"
"  --dns-timeout S      seconds per lookup (default 2)\n"
"  --dns-budget S       seconds for all lookups of a command (default 20)\n"
"  --dns-ttl DAYS       look names up again after DAYS (default 7)\n"
"  --senders FILE       sender names by CIDR, PTR suffix or @domain, over the\n"
"                       built-in ones (default: $DMARC_SENDERS)\n"
"  --no-reports         check-dns: DNS alone, without the database\n"
"  --mail               weekly: an RFC 5322 message (text and HTML) for\n"
"                       sendmail -t\n"
"  --to ADDR            weekly --mail: To (default postmaster@ the first\n"
"                       domain)\n"
"  --from ADDR          weekly --mail: From (default dmarc-report@ the\n"
"                       first domain)\n"
"  -h, --help           show this help\n"
"  -V, --version        show the version\n"
"\n"
"Without a window all data is used.  A report belongs to a window when its\n"
"date range begins inside it.  Messages are the sum of the records' counts;\n"
"a message passes DMARC when the receiver found DKIM or SPF aligned and\n"
"passing (policy_evaluated).  DMARC_NOW=YYYY-MM-DD pins \"today\".\n"
"\n"
"Exit status: 0 success (also for an unknown domain or an empty window,\n"
"which stderr names); 1 weekly: a domain needs attention (stale data,\n"
"legitimate mail failing or blocked, a verdict that changed, a pass rate\n"
"that fell), advise: a domain is not ready or its reports stopped,\n"
"check-record and check-dns: errors found; 2 usage error or unusable\n"
"database; 3 no database or nothing ingested yet; 4 check-dns: DNS could\n"
"not be asked.\n"
"\n"
"Examples:\n"
"  dmarc-report summary --last 30d\n"
"  dmarc-report sources --domain example.com --sort failures --top 20\n"
"  dmarc-report weekly --mail --to postmaster@example.com | sendmail -t\n"
"  dmarc-report export --format ndjson --after 1500 --no-dns\n";

static void
usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("dmarc-report: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'dmarc-report --help' for more information.\n", stderr);
}

enum { OPT_DB = 256, OPT_DOMAIN, OPT_SINCE, OPT_UNTIL, OPT_LAST, OPT_FORMAT,
	OPT_TOP, OPT_SORT, OPT_RECORD, OPT_NAME, OPT_THRESHOLD, OPT_NO_DNS,
	OPT_DNS_SERVER, OPT_DNS_TIMEOUT, OPT_DNS_BUDGET, OPT_DNS_TTL, OPT_SENDERS,
	OPT_BY, OPT_NO_REPORTS, OPT_AFTER, OPT_UPTO, OPT_LAST_ID, OPT_IP_DB,
	OPT_MAIL, OPT_TO, OPT_FROM };

#define MAX_THRESHOLDS 32

static const struct option long_opts[] = {
	{ "db", required_argument, NULL, OPT_DB },
	{ "domain", required_argument, NULL, OPT_DOMAIN },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "until", required_argument, NULL, OPT_UNTIL },
	{ "last", required_argument, NULL, OPT_LAST },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "top", required_argument, NULL, OPT_TOP },
	{ "sort", required_argument, NULL, OPT_SORT },
	{ "record", required_argument, NULL, OPT_RECORD },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "threshold", required_argument, NULL, OPT_THRESHOLD },
	{ "no-dns", no_argument, NULL, OPT_NO_DNS },
	{ "dns-server", required_argument, NULL, OPT_DNS_SERVER },
	{ "dns-timeout", required_argument, NULL, OPT_DNS_TIMEOUT },
	{ "dns-budget", required_argument, NULL, OPT_DNS_BUDGET },
	{ "dns-ttl", required_argument, NULL, OPT_DNS_TTL },
	{ "senders", required_argument, NULL, OPT_SENDERS },
	{ "by", required_argument, NULL, OPT_BY },
	{ "no-reports", no_argument, NULL, OPT_NO_REPORTS },
	{ "after", required_argument, NULL, OPT_AFTER },
	{ "upto", required_argument, NULL, OPT_UPTO },
	{ "last-id", no_argument, NULL, OPT_LAST_ID },
	{ "ip-db", required_argument, NULL, OPT_IP_DB },
	{ "mail", no_argument, NULL, OPT_MAIL },
	{ "to", required_argument, NULL, OPT_TO },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static const struct {
	const char *name;
	enum report_status (*run)(struct report_ctx *);
} commands[] = {
	{ "summary", cmd_summary },
	{ "sources", cmd_sources },
	{ "policy", cmd_policy },
	{ "reporters", cmd_reporters },
	{ "weekly", cmd_weekly },
	{ "advise", cmd_advise },
	{ "senders", cmd_senders },
	{ "check-record", cmd_check_record },
	{ "check-dns", cmd_check_dns },
	{ "export", cmd_export },
};

/* The end of every command: its error or note on stderr, the output
 * flushed, the exit status. */
static int
finish(struct report_ctx *c, enum report_status st)
{
	if ((st == RPT_USAGE || st == RPT_ERROR || st == RPT_NO_REPORTS ||
	    st == RPT_NO_DNS || st == RPT_ATTENTION) && c->err[0])
		fprintf(stderr, "dmarc-report: %s\n", c->err);
	if ((fflush(stdout) != 0 || ferror(stdout)) && (st == RPT_OK ||
	    st == RPT_ATTENTION || st == RPT_NO_REPORTS)) {
		fprintf(stderr, "dmarc-report: cannot write the output: %s\n",
		    strerror(errno));
		st = RPT_ERROR;
	}
	return exit_status(st);
}

/* Today's UTC midnight, or DMARC_NOW's. */
static int
today(int64_t *out)
{
	const char *pin = getenv("DMARC_NOW");
	time_t now = time(NULL);

	if (pin != NULL && *pin != '\0')
		return parse_day(pin, out);
	*out = utc_day((int64_t)now) * UTC_DAY_SECONDS;
	return 0;
}

/* A --domain value in the form domains are stored in (SPEC.md E.17), so
 * that "ATTACK.DK." finds attack.dk; it lives as long as the run.  NULL
 * when out of memory. */
static char *
domain_arg(const char *s)
{
	char *n;

	return dm_domain_norm(s, &n, NULL) == DM_DNAME_NOMEM ? NULL : n;
}

/* check-dns without reports (--no-reports, no database or an empty one). */
static int
check_dns_alone(struct report_ctx *c)
{
	return finish(c, cmd_check_dns(c));
}

int
main(int argc, char **argv)
{
	static char *domains[MAX_DOMAINS];
	static const char *thresholds[MAX_THRESHOLDS];
	struct report_ctx c;
	const char *dbopt = NULL, *path, *since = NULL, *until = NULL;
	long last = 0;
	char err[1024], *end;
	int opt;
	enum report_status rc, (*run)(struct report_ctx *) = NULL;
	size_t i;
	struct stat sb;
	sqlite3_stmt *st;

	memset(&c, 0, sizeof c);
	c.out = stdout;
	c.dns_timeout_ms = 2000;
	c.dns_budget_ms = 20000;
	c.dns_ttl_days = 7;
	c.format = OUT_TEXT;
	c.sort = SORT_MESSAGES;
	c.upto = INT64_MAX;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "hV", long_opts, NULL)) != -1) {
		switch (opt) {
		case OPT_DB: dbopt = optarg; break;
		case OPT_DOMAIN:
			if (c.ndomains == MAX_DOMAINS) {
				usage_error("at most %d --domain options", MAX_DOMAINS);
				return EXIT_USAGE;
			}
			if ((domains[c.ndomains++] = domain_arg(optarg)) == NULL) {
				fprintf(stderr, "dmarc-report: out of memory\n");
				return EXIT_USAGE;
			}
			break;
		case OPT_SINCE: since = optarg; break;
		case OPT_UNTIL: until = optarg; break;
		case OPT_LAST:
			errno = 0;
			last = strtol(optarg, &end, 10);
			if (errno || end == optarg || (*end != 'd' && *end != '\0') ||
			    (*end == 'd' && end[1] != '\0') || last < 1 ||
			    last > 36600) {
				usage_error("--last wants a number of days such as 7d "
				    "or 30d, got '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_FORMAT:
			c.format_name = optarg;
			c.html = 0;
			if (strcmp(optarg, "ndjson") == 0)
				c.format = OUT_JSON;
			else if (strcmp(optarg, "text") == 0)
				c.format = OUT_TEXT;
			else if (strcmp(optarg, "csv") == 0)
				c.format = OUT_CSV;
			else if (strcmp(optarg, "json") == 0)
				c.format = OUT_JSON;
			else if (strcmp(optarg, "html") == 0)
				c.format = OUT_TEXT, c.html = 1;
			else {
				usage_error("--format wants text, csv, json, html "
				    "(weekly) or ndjson (export), got '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_TOP:
			errno = 0;
			c.top = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || c.top < 1) {
				usage_error("--top wants a positive number, got '%s'",
				    optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_SORT:
			if (strcmp(optarg, "messages") == 0)
				c.sort = SORT_MESSAGES;
			else if (strcmp(optarg, "failures") == 0)
				c.sort = SORT_FAILURES;
			else {
				usage_error("--sort wants messages or failures, got "
				    "'%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_RECORD: c.record = optarg; break;
		case OPT_NAME: c.name = optarg; break;
		case OPT_THRESHOLD:
			if (c.nthresholds == MAX_THRESHOLDS) {
				usage_error("at most %d --threshold options",
				    MAX_THRESHOLDS);
				return EXIT_USAGE;
			}
			thresholds[c.nthresholds++] = optarg;
			break;
		case OPT_NO_DNS: c.no_dns = 1; break;
		case OPT_NO_REPORTS: c.no_reports = 1; break;
		case OPT_DNS_SERVER: c.dns_server = optarg; break;
		case OPT_DNS_TIMEOUT:
		case OPT_DNS_BUDGET:
		case OPT_DNS_TTL: {
			long v;
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v < 1 || v > 86400) {
				usage_error("--%s wants a positive whole number, got "
				    "'%s'", opt == OPT_DNS_TTL ? "dns-ttl" :
				    opt == OPT_DNS_TIMEOUT ? "dns-timeout" :
				    "dns-budget", optarg);
				return EXIT_USAGE;
			}
			if (opt == OPT_DNS_TIMEOUT)
				c.dns_timeout_ms = (int)v * 1000;
			else if (opt == OPT_DNS_BUDGET)
				c.dns_budget_ms = (int)v * 1000;
			else
				c.dns_ttl_days = (int)v;
			break;
		}
		case OPT_SENDERS: c.senders_path = optarg; break;
		case OPT_BY:
			if (strcmp(optarg, "sender") == 0)
				c.by_sender = 1;
			else if (strcmp(optarg, "ip") != 0) {
				usage_error("--by wants ip or sender, got '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_AFTER:
		case OPT_UPTO: {
			long long v;
			errno = 0;
			v = strtoll(optarg, &end, 10);
			if (errno || *end || end == optarg || v < 0) {
				usage_error("--%s wants a record id (a whole number "
				    "from 0), got '%s'", opt == OPT_AFTER ? "after" :
				    "upto", optarg);
				return EXIT_USAGE;
			}
			if (opt == OPT_AFTER)
				c.after = v;
			else
				c.upto = v;
			break;
		}
		case OPT_LAST_ID: c.last_id = 1; break;
		case OPT_IP_DB: c.ip_db = optarg; break;
		case OPT_MAIL: c.mail = 1; break;
		case OPT_TO: c.mail_to = optarg; break;
		case OPT_FROM: c.mail_from = optarg; break;
		case 'h':
			fputs(usage_text, stdout);
			fputs(usage_options, stdout);
			return EXIT_OK;
		case 'V': printf("dmarc-report %s\n", DM_VERSION); return EXIT_OK;
		default:
			if (optopt && optopt < 256)
				usage_error("unknown or incomplete option '-%c'", optopt);
			else
				usage_error("unknown or incomplete option '%s'",
				    argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		char names[256] = "";

		for (i = 0; i < sizeof commands / sizeof commands[0]; i++) {
			size_t n = strlen(names);
			snprintf(names + n, sizeof names - n, "%s%s", i ? ", " : "",
			    commands[i].name);
		}
		usage_error("no command: give one of %s", names);
		return EXIT_USAGE;
	}
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[optind], commands[i].name) == 0)
			run = commands[i].run;
	if (run == NULL) {
		usage_error("unknown command '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (run == cmd_check_record) {
		/* check-record: the record is its argument; no database */
		if (optind + 2 != argc) {
			usage_error("check-record wants one record: "
			    "dmarc-report check-record 'v=DMARC1; p=none; ...'");
			return EXIT_USAGE;
		}
		c.record = argv[optind + 1];
		return finish(&c, run(&c));
	}
	if (run == cmd_check_dns) {
		/* check-dns: the domain is its argument; the database is
		 * optional */
		if (optind + 2 != argc) {
			usage_error("check-dns wants one domain: "
			    "dmarc-report check-dns example.com");
			return EXIT_USAGE;
		}
		c.dns_domain = argv[++optind];
	}
	if (optind + 1 < argc) {
		usage_error("unexpected argument '%s'", argv[optind + 1]);
		return EXIT_USAGE;
	}
	if (run != cmd_export && (c.after != 0 || c.upto != INT64_MAX ||
	    c.last_id || c.ip_db != NULL || (c.format_name != NULL &&
	    strcmp(c.format_name, "ndjson") == 0))) {
		usage_error("--after, --upto, --last-id, --ip-db and --format "
		    "ndjson are for export");
		return EXIT_USAGE;
	}
	if (run == cmd_export && c.format_name != NULL &&
	    strcmp(c.format_name, "csv") != 0 &&
	    strcmp(c.format_name, "ndjson") != 0) {
		usage_error("export wants --format csv or ndjson, got '%s'",
		    c.format_name);
		return EXIT_USAGE;
	}
	if (run != cmd_weekly && (c.html || c.mail || c.mail_to != NULL ||
	    c.mail_from != NULL)) {
		usage_error("--format html, --mail, --to and --from are for "
		    "weekly");
		return EXIT_USAGE;
	}
	if (!c.mail && (c.mail_to != NULL || c.mail_from != NULL)) {
		usage_error("--to and --from go with --mail");
		return EXIT_USAGE;
	}
	if (c.mail && c.format_name != NULL) {
		usage_error("--mail holds the text and the HTML: leave --format "
		    "out");
		return EXIT_USAGE;
	}
	c.domains = (const char *const *)domains;
	c.thresholds = thresholds;

	/* the window */
	if (today(&c.today) != 0) {
		usage_error("DMARC_NOW wants YYYY-MM-DD, got '%s'",
		    getenv("DMARC_NOW"));
		return EXIT_USAGE;
	}
	c.now_pinned = getenv("DMARC_NOW") != NULL && *getenv("DMARC_NOW");
	c.since = INT64_MIN;
	c.until = INT64_MAX;
	if (since != NULL && parse_day(since, &c.since) != 0) {
		usage_error("--since wants YYYY-MM-DD, got '%s'", since);
		return EXIT_USAGE;
	}
	if (until != NULL && parse_day(until, &c.until) != 0) {
		usage_error("--until wants YYYY-MM-DD, got '%s'", until);
		return EXIT_USAGE;
	}
	if (last > 0) {
		if (since != NULL) {
			usage_error("--last and --since exclude each other");
			return EXIT_USAGE;
		}
		if (until == NULL)
			c.until = c.today + UTC_DAY_SECONDS;
		c.since = c.until - (int64_t)last * UTC_DAY_SECONDS;
	}
	c.windowed = since != NULL || until != NULL || last > 0;
	if (c.windowed && c.since >= c.until) {
		usage_error("the window is empty: --since must be before --until");
		return EXIT_USAGE;
	}

	/* the database: read-only; missing or empty is "no data" */
	path = db_default_path(dbopt);
	if (run == cmd_check_dns && (c.no_reports || stat(path, &sb) != 0))
		return check_dns_alone(&c);
	if (stat(path, &sb) != 0) {
		fprintf(stderr, "dmarc-report: no database at '%s': run "
		    "dmarc-ingest first (or give --db FILE)\n", path);
		return exit_status(RPT_NODATA);
	}
	if ((c.db = db_open(path, DB_READ_ONLY, err, sizeof err)) == NULL) {
		/* an empty database is no data; one that is not ours, or
		 * cannot be read, is an environment error */
		size_t n = strlen(err);
		int empty = n > 9 && strcmp(err + n - 9, " is empty") == 0;

		fprintf(stderr, "dmarc-report: %s%s\n", err,
		    empty ? ": run dmarc-ingest first" : "");
		return exit_status(empty ? RPT_NODATA : RPT_ERROR);
	}
	if ((st = report_prepare(&c, "SELECT EXISTS (SELECT 1 FROM report)")) ==
	    NULL || sqlite3_step(st) != SQLITE_ROW) {
		fprintf(stderr, "dmarc-report: %s\n", c.err[0] ? c.err :
		    sqlite3_errmsg(c.db));
		sqlite3_finalize(st);
		db_close(c.db);
		return EXIT_USAGE;
	}
	if (sqlite3_column_int(st, 0) == 0 && run == cmd_check_dns) {
		sqlite3_finalize(st);
		db_close(c.db);
		c.db = NULL;
		return check_dns_alone(&c);
	}
	if (sqlite3_column_int(st, 0) == 0) {
		sqlite3_finalize(st);
		db_close(c.db);
		fprintf(stderr, "dmarc-report: database '%s' holds no reports yet: "
		    "run dmarc-ingest first\n", path);
		return exit_status(RPT_NODATA);
	}
	sqlite3_finalize(st);

	/* the names of source IPs: built-in senders and the user's file */
	c.db_path = path;
	if (c.senders_path == NULL)
		c.senders_path = getenv("DMARC_SENDERS");
	if (c.senders_path != NULL && *c.senders_path == '\0')
		c.senders_path = NULL;
	if ((c.senders = senders_load(c.senders_path, err, sizeof err)) == NULL) {
		fprintf(stderr, "dmarc-report: %s\n", err);
		db_close(c.db);
		return EXIT_USAGE;
	}
	rc = run(&c);
	if (names_warning(&c, err, sizeof err))
		fprintf(stderr, "dmarc-report: warning: %s\n", err);
	names_close(&c);
	db_close(c.db);
	return finish(&c, rc);
}
