#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench-report.sh: dmarc-report over a year of a large sender.  Builds a
# database of R record rows straight with SQL (not through the ingester):
# a dozen reporters, a year of daily reports, a few thousand source IPs,
# one SPF and one DKIM result per record, and the totals dmarc-ingest keeps
# (report totals, source_day, source_auth) computed from them.  Then times
# summary, sources --top 50 (both sorts), policy, reporters, weekly, advise
# and senders (median of 3 runs each, DMARC_NOW=2026-01-01, --no-dns) and
# prints each next to its target (issue 13: under 1 s and 64 MiB each).
# Run by hand, never in CI: the default 10,000,000 rows take a few minutes
# to build and about 3 GB of disk.
set -euo pipefail

usage() {
	cat <<USAGE
Usage: bench/bench-report.sh [-r RECORDS] [-b BUILD_DIR] [-k DB] [-B]
  -r RECORDS   record rows (default 10000000)
  -b DIR       where dmarc-report and dmarc-ingest were built (default: build)
  -k DB        build the database at DB and keep it (reused when it exists)
  -B           only build the database (with -k; bench-export.sh uses it)
Prints the seconds each command takes (median of 3), its CPU seconds and
peak RSS, next to the targets.
Needs sqlite3 and /usr/bin/time.
USAGE
}

records=10000000
build=build
keep=""
build_only=0
while [ $# -gt 0 ]; do
	case $1 in
	-r) records=$2; shift 2 ;;
	-b) build=$2; shift 2 ;;
	-k) keep=$2; shift 2 ;;
	-B) build_only=1; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
here=$(cd "$(dirname "$0")/.." && pwd)
report=$build/dmarc-report
ingest=$build/dmarc-ingest
[ -x "$report" ] && [ -x "$ingest" ] || { echo "bench-report: build dmarc-report and dmarc-ingest first" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db=${keep:-$tmp/year.db}

reporters=12
days=365
ips=3000
nreports=$((reporters * days))
per_report=$(( (records + nreports - 1) / nreports ))
start=$(date -u -d 2025-01-01 +%s)

# source_auth as dmarc-ingest keeps it (ingest/store_sourceauth.c): the
# records per policy domain, day, source IP and outcome, with the messages
# of each reporter; here every record has one SPF and one DKIM result and no
# reason, so the JSON lists are built from the one row of each
fill_source_auth() {
	sqlite3 "$db" <<SQL
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -262144;
BEGIN;
DELETE FROM source_auth;
INSERT INTO source_auth (domain, day, source_ip, ip_family, header_from,
    disposition, dkim_aligned, spf_aligned, overridden, reasons, spf, dkim,
    records, messages, reporters)
SELECT domain, day, source_ip, 4, hf, disp, da, sa, 0, '[]', spf, dkim,
    sum(n), sum(m), json_group_object(org, m)
FROM (SELECT r.domain AS domain, r.date_begin / 86400 AS day, c.source_ip AS source_ip,
    ifnull(c.header_from, '') AS hf, ifnull(c.disposition, '') AS disp,
    ifnull(c.dkim_aligned, '') AS da, ifnull(c.spf_aligned, '') AS sa,
    json_array(json_array(s.domain, s.scope, s.result)) AS spf,
    json_array(json_array(d.domain, d.selector, d.result)) AS dkim,
    ifnull(r.org_name, '') AS org, count(*) AS n, sum(c.count) AS m
  FROM record c JOIN report r ON r.id = c.report
  JOIN record_spf s ON s.record = c.id JOIN record_dkim d ON d.record = c.id
  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
GROUP BY 1, 2, 3, 5, 6, 7, 8, 11, 12;
COMMIT;
SQL
}

if [ -s "$db" ] && [ "$(sqlite3 "$db" 'PRAGMA user_version')" = 2 ]; then
	# a database kept by an older bench-report.sh: schema version 3 adds
	# source_auth, filled here as for a new one (dmarc-ingest's migration
	# would do it from the records too, more slowly)
	echo "bringing $db to schema version 3: per-source outcomes..." >&2
	sqlite3 "$db" <<SQL
CREATE TABLE source_auth (
    domain TEXT NOT NULL, day INTEGER NOT NULL, source_ip TEXT NOT NULL,
    ip_family INTEGER NOT NULL, header_from TEXT NOT NULL,
    disposition TEXT NOT NULL, dkim_aligned TEXT NOT NULL,
    spf_aligned TEXT NOT NULL, overridden INTEGER NOT NULL,
    reasons TEXT NOT NULL, spf TEXT NOT NULL, dkim TEXT NOT NULL,
    records INTEGER NOT NULL,
    messages INTEGER NOT NULL CHECK (typeof(messages) = 'integer'),
    reporters TEXT NOT NULL,
    PRIMARY KEY (domain, day, source_ip, header_from, disposition,
        dkim_aligned, spf_aligned, overridden, reasons, spf, dkim)
) WITHOUT ROWID;
SQL
	fill_source_auth
	sqlite3 "$db" "DROP INDEX source_day_ip; CREATE INDEX source_day_ip ON source_day (domain, source_ip, day, messages, dmarc_pass, spf_aligned_pass, dkim_aligned_pass, disp_none, disp_quarantine, disp_reject); ANALYZE; PRAGMA user_version = 3"
fi
if [ -s "$db" ] && [ -n "$ingest" ]; then
	# a database kept by an older bench-report.sh: dmarc-ingest brings it to
	# the current schema (dmarc-report never migrates)
	"$ingest" --db "$db" --stats >/dev/null
fi
if [ ! -s "$db" ]; then
	echo "building $db: $nreports reports x $per_report records ($ips source IPs)..." >&2
	t0=$(date +%s)
	# the schema, exactly as dmarc-ingest makes it
	mkdir -p "$db.empty.d"
	"$ingest" --db "$db" --quiet "$db.empty.d"
	rmdir "$db.empty.d"
	sqlite3 "$db" <<SQL
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -262144;
PRAGMA temp_store = MEMORY;
BEGIN;
-- a dozen reporters, a year of daily reports; the policy tightens from
-- none to quarantine on day 200
WITH RECURSIVE d(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM d WHERE i < $days - 1),
     o(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM o WHERE j < $reporters - 1)
INSERT INTO report (org_name, email, report_id, date_begin, date_end, schema,
    domain, adkim, aspf, p, sp, np, pct, fo, testing, input_name, xml_sha256,
    ingested_at)
SELECT 'reporter' || j || '.example', 'dmarc@reporter' || j || '.example',
    'r' || j || '-' || i, $start + i * 86400, $start + i * 86400 + 86399, 'rfc7489',
    'example.com', 'r', 'r', CASE WHEN i < 200 THEN 'none' ELSE 'quarantine' END,
    'none', 'none', 100, '0', 'n', 'bench', 'bench', $start
FROM d, o;
-- the records: source IPs skewed (a few send most), counts 1..200, both
-- from a hash of (report, position) so that every use agrees
WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < $per_report),
pick AS (
  SELECT r.id AS rid, r.p AS p, k.n AS n,
         ((r.id * 1103515245 + k.n * 12345 + r.id * k.n * 7) % 2147483647) AS h
  FROM report r, k)
INSERT INTO record (report, position, source_ip, ip_family, count, disposition,
    dkim_aligned, spf_aligned, header_from, envelope_from)
SELECT rid, n, '10.' || (ip / 65536) || '.' || (ip / 256 % 256) || '.' || (ip % 256), 4,
    1 + (h / 7) % 200,
    CASE WHEN p = 'none' THEN 'none' WHEN ip % 17 = 0 THEN 'quarantine' ELSE 'none' END,
    CASE WHEN ip % 10 < 8 THEN 'pass' ELSE 'fail' END,
    CASE WHEN ip % 10 < 7 OR ip % 10 = 9 THEN 'pass' ELSE 'fail' END,
    'example.com', CASE WHEN ip % 10 = 8 THEN 'bounce.esp.example' ELSE 'example.com' END
FROM (SELECT rid, p, n, h, (h % $ips) * ((h / $ips) % $ips) / $ips AS ip FROM pick);
COMMIT;
SQL
	t1=$(date +%s)
	echo "records built in $((t1 - t0)) s; raw results and totals..." >&2
	sqlite3 "$db" <<SQL
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -262144;
PRAGMA temp_store = MEMORY;
BEGIN;
INSERT INTO record_spf (record, position, domain, scope, result)
SELECT id, 1, envelope_from, 'mfrom', CASE WHEN spf_aligned = 'pass' OR envelope_from <> 'example.com' THEN 'pass' ELSE 'fail' END FROM record;
INSERT INTO record_dkim (record, position, domain, selector, result)
SELECT id, 1, CASE WHEN envelope_from <> 'example.com' THEN 'esp.example' ELSE 'example.com' END, 's1', dkim_aligned FROM record;
UPDATE report SET (record_count, message_count, dmarc_pass, spf_aligned_pass,
    dkim_aligned_pass, disp_none, disp_quarantine, disp_reject) = (
  SELECT count(*), sum(count),
    sum(CASE WHEN dkim_aligned = 'pass' OR spf_aligned = 'pass' THEN count ELSE 0 END),
    sum(CASE WHEN spf_aligned = 'pass' THEN count ELSE 0 END),
    sum(CASE WHEN dkim_aligned = 'pass' THEN count ELSE 0 END),
    sum(CASE WHEN disposition = 'none' THEN count ELSE 0 END),
    sum(CASE WHEN disposition = 'quarantine' THEN count ELSE 0 END),
    sum(CASE WHEN disposition = 'reject' THEN count ELSE 0 END)
  FROM record WHERE record.report = report.id);
INSERT INTO source_day
SELECT r.domain, r.date_begin / 86400, c.source_ip, c.ip_family, count(*), sum(c.count),
    sum(CASE WHEN c.dkim_aligned = 'pass' OR c.spf_aligned = 'pass' THEN c.count ELSE 0 END),
    sum(CASE WHEN c.spf_aligned = 'pass' THEN c.count ELSE 0 END),
    sum(CASE WHEN c.dkim_aligned = 'pass' THEN c.count ELSE 0 END),
    sum(CASE WHEN c.disposition = 'none' THEN c.count ELSE 0 END),
    sum(CASE WHEN c.disposition = 'quarantine' THEN c.count ELSE 0 END),
    sum(CASE WHEN c.disposition = 'reject' THEN c.count ELSE 0 END)
FROM record c JOIN report r ON r.id = c.report GROUP BY 1, 2, 3, 4;
COMMIT;
SQL
	echo "per-source outcomes..." >&2
	fill_source_auth
	sqlite3 "$db" ANALYZE
	echo "database built in $(( $(date +%s) - t0 )) s" >&2
fi
[ "$build_only" -eq 1 ] && exit 0
n=$(sqlite3 "$db" "SELECT count(*) FROM record")
nip=$(sqlite3 "$db" "SELECT count(DISTINCT source_ip) FROM source_day")
nsd=$(sqlite3 "$db" "SELECT count(*) FROM source_day")
nsa=$(sqlite3 "$db" "SELECT count(*) FROM source_auth")
echo "database: $n records, $nreports reports, $nip source IPs, $nsd source_day rows, $nsa source_auth rows, $(du -h "$db" | cut -f1)" >&2

# time CMD...: median seconds of 3 runs, the peak RSS and CPU seconds
# (user + system) of that run
time_cmd() {
	local i t0 t1
	: >"$tmp/times"
	for i in 1 2 3; do
		t0=$(date +%s.%N)
		/usr/bin/time -f '%M %U %S' -o "$tmp/rss" "$@" >"$tmp/out" 2>"$tmp/err" || {
			echo "bench-report: $* failed:" >&2; cat "$tmp/err" >&2; return 1; }
		t1=$(date +%s.%N)
		read -r rss u sy < <(tail -1 "$tmp/rss")
		echo "$(echo "$t1 - $t0" | bc -l) $rss $(echo "$u + $sy" | bc -l)" >>"$tmp/times"
	done
	sort -g "$tmp/times" | sed -n 2p
}

# the targets of issue 13, each command under both
max_s=1.0
max_mib=64
export DMARC_NOW=2026-01-01
cat /dev/null "$db" >/dev/null	# warm the page cache
# on a loaded machine the wall clock says more about the neighbours: the
# CPU seconds are printed too
printf '%-34s %8s %8s %8s %8s %8s  %s\n' command seconds cpu_s target rss_MiB target ok
for cmd in "summary" "sources --top 50" "sources --top 50 --sort failures" "policy" "reporters" "weekly" "advise" "senders" "summary --last 30d"; do
	# shellcheck disable=SC2086
	read -r s rss cpu < <(time_cmd "$report" --db "$db" --no-dns $cmd)
	mib=$(echo "$rss / 1024" | bc -l)
	ok=$(echo "$s < $max_s && $mib <= $max_mib" | bc -l)
	LC_NUMERIC=C printf '%-34s %8.3f %8.2f %8s %8.1f %8s  %s\n' "$cmd" "$s" "$cpu" "< $max_s" "$mib" "<= $max_mib" \
	    "$([ "$ok" = 1 ] && echo yes || echo NO)"
done
