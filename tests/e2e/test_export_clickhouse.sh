#!/bin/bash
# SPDX-License-Identifier: MIT
# dmarc-report export into a real engine: a private ClickHouse server (the
# Debian clickhouse-server package that scripts/deps.sh installs; its own
# config with data, tmp and log paths under the test's directory, listening
# on 127.0.0.1 on free ports, started in the foreground as a background
# process and stopped by its PID) gets the table of docs/dmarc-report.1 and
# the NDJSON rows, shipped in two runs of the manual's cursor recipe
# (--last-id, --after, --upto) around a second ingest.  Per policy domain,
# its row counts must match the records (raw SQL) and its message,
# DMARC-pass, SPF- and DKIM-aligned sums what `dmarc-report summary
# --format json` says.  Skipped (77) only when ClickHouse is not installed.
. "$(dirname "$0")/lib.sh"
set -e

: "${FREE_PORT:?FREE_PORT must name the free-port tool}"
SERVER=$(command -v clickhouse-server || true)
CLIENT=$(command -v clickhouse-client || true)
if [ -z "$SERVER" ] || [ -z "$CLIENT" ]; then
	echo "SKIP: clickhouse-server or clickhouse-client is not installed (scripts/deps.sh installs them)"
	exit 77
fi
MAN="$(dirname "$0")/../../docs/dmarc-report.1"

CH="$T/ch"
mkdir -p "$CH/data" "$CH/tmp" "$CH/log" "$CH/user_files" "$CH/format_schemas"
CH_PID=""
stop_server() {
	if [ -n "$CH_PID" ]; then
		kill "$CH_PID" 2>/dev/null || true
		wait "$CH_PID" 2>/dev/null || true
		CH_PID=""
	fi
}
trap 'stop_server; rm -rf "$T"' EXIT

cat >"$CH/users.xml" <<'XML'
<?xml version="1.0"?>
<yandex>
  <profiles><default></default></profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas><default></default></quotas>
</yandex>
XML

# start SERVER on free ports; a port taken in between makes it exit: retry
start_server() {
	local try i
	for try in 1 2 3; do
		{ read -r TCP; read -r HTTP; } < <("$FREE_PORT" 2)
		cat >"$CH/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>$CH/log/server.log</log>
    <errorlog>$CH/log/error.log</errorlog>
    <console>0</console>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <tcp_port>$TCP</tcp_port>
  <http_port>$HTTP</http_port>
  <path>$CH/data/</path>
  <tmp_path>$CH/tmp/</tmp_path>
  <user_files_path>$CH/user_files/</user_files_path>
  <format_schema_path>$CH/format_schemas/</format_schema_path>
  <users_config>$CH/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>67108864</mark_cache_size>
</yandex>
XML
		"$SERVER" --config-file="$CH/config.xml" >"$CH/log/stdout" 2>&1 &
		CH_PID=$!
		# up to 60 s on a loaded machine (it starts in about a second)
		for i in $(seq 1 300); do
			if "$CLIENT" --port "$TCP" --query "SELECT 1" >/dev/null 2>&1; then
				return 0
			fi
			kill -0 "$CH_PID" 2>/dev/null || break
			sleep 0.2
		done
		stop_server
	done
	echo "ClickHouse did not start:" >&2
	cat "$CH/log/stdout" "$CH/log/error.log" >&2 2>/dev/null || true
	return 1
}
ch() {
	"$CLIENT" --port "$TCP" "$@"
}

start_server
CHECKS=$((CHECKS + 1))

# the table exactly as the manual documents it
sed -n '/^CREATE TABLE dmarc (/,/^) ENGINE/p' "$MAN" >"$T/table.sql"
expect_match "the manual's table" "$(head -1 "$T/table.sql")" '^CREATE TABLE dmarc \($'
ch --multiquery <"$T/table.sql"

# the manual's recipe: rows after the cursor up to the last id, then the
# cursor moves (only when the load succeeded)
CURSOR="$T/export.cursor"
ship() {
	local after upto
	after=$(cat "$CURSOR" 2>/dev/null || echo 0)
	upto=$("$DMARC_REPORT" --db "$DB" export --last-id)
	[ "$upto" -gt "$after" ] || return 0
	set -o pipefail
	"$DMARC_REPORT" --db "$DB" export --format ndjson --after "$after" \
	    --upto "$upto" --no-dns |
	    ch --input_format_skip_unknown_fields=1 \
	    --query "INSERT INTO dmarc FORMAT JSONEachRow"
	set +o pipefail
	echo "$upto" >"$CURSOR"
}

# two domains of generated reports, then the hand-made ones of both schema
# versions (nulls, lists, quotes) in a second run
"$DMARC_GEN" --out "$T/gen" --reports 24 --records 20 --seed 5 \
    --domain example.com --domain example.net 2>/dev/null
ingest --quiet "$T/gen"
expect_rc "ingest generated" 0
ship
ingest --quiet "$DM_TEST_DATA/export/rfc7489.xml" "$DM_TEST_DATA/export/dmarc2.xml"
expect_rc "ingest hand-made" 0
ship
ship	# nothing new: nothing shipped twice

expect_eq "rows in ClickHouse = records" "$(ch --query 'SELECT count() FROM dmarc')" \
    "$(q 'SELECT count(*) FROM record')"
expect_eq "no record shipped twice" "$(ch --query 'SELECT count() - uniqExact(record_id) FROM dmarc')" 0
expect_eq "the cursor is the last id" "$(cat "$CURSOR")" "$(q 'SELECT max(id) FROM record')"

# per domain: rows from raw SQL; sums from summary --format json
report summary --format json
expect_rc "summary json" 0
printf '%s\n' "$OUT" | grep '"domain"' | sed 's/.*"domain": "\([^"]*\)".*"messages": \([0-9]*\), "dmarc_pass": \([0-9]*\),.*"spf_aligned_pass": \([0-9]*\), "dkim_aligned_pass": \([0-9]*\),.*/\1 \2 \3 \4 \5/' |
    sort >"$T/summary"
q "SELECT p.domain, count(*) FROM record r JOIN report p ON p.id = r.report GROUP BY p.domain ORDER BY p.domain" |
    tr '|' ' ' >"$T/rows"
join "$T/rows" "$T/summary" | awk '{ print $1, $2, $3, $4, $5, $6 }' >"$T/want"
ch --query "SELECT domain, count(), sum(count), sumIf(count, dmarc_aligned),
    sumIf(count, spf_aligned), sumIf(count, dkim_aligned) FROM dmarc
    GROUP BY domain ORDER BY domain FORMAT TabSeparated" | tr '\t' ' ' >"$T/got"
expect_eq "domains" "$(wc -l <"$T/want")" 3
expect_eq "per domain: rows, messages, DMARC pass, SPF aligned, DKIM aligned" \
    "$(cat "$T/got")" "$(cat "$T/want")"

# the typed columns arrived as types: null stays null, numbers are numbers
expect_eq "pct null for dmarc-2.0" "$(ch --query "SELECT isNull(pct) FROM dmarc WHERE report_id = 'r-42'")" 1
expect_eq "quotes and commas kept" "$(ch --query "SELECT DISTINCT org_name FROM dmarc WHERE domain = 'example.com' AND report_id = '<abc@rep.example>'")" 'Rep, "Quoted" Inc.'
expect_eq "dates in UTC" "$(ch --query "SELECT toUnixTimestamp(begin_date) FROM dmarc WHERE report_id = 'r-42'")" 1735776000

pid=$CH_PID
stop_server
expect_eq "server stopped" "$(kill -0 "$pid" 2>/dev/null && echo running || echo stopped)" stopped
done_tests
