#!/bin/bash
# SPDX-License-Identifier: MIT
# dmarc-report export: every column of parsedmarc's aggregate CSV (and ours)
# on hand-made reports of both schema versions, against golden files worked
# out by hand from the XML (tests/data/export); CSV quoting, NDJSON types,
# the names from the DNS cache (--no-dns), --ip-db with a database the test
# writes, --after/--upto/--last-id, the filters, and the errors.
. "$(dirname "$0")/lib.sh"
set -e

: "${MMDB_WRITE:?MMDB_WRITE must name the mmdb-write tool}"
DATA="$DM_TEST_DATA/export"
# relative names: the input_name column is what dmarc-ingest was given
(cd "$DATA" && "$DMARC_INGEST" --db "$DB" --quiet rfc7489.xml dmarc2.xml)
"$MMDB_WRITE" "$T/ip.mmdb" "$DATA/ipdb.spec"
printf '192.0.2.1 mta1.bnc3.mailjet.com\n' >"$DMARC_DNS_FIXTURE"

# --no-dns on an empty cache: no names, nothing looked up
report export --no-dns
expect_rc "export --no-dns" 0
expect_eq "no lookup with --no-dns" "$(q 'SELECT count(*) FROM dns_cache')" 0
expect_eq "rows: a header and the 3 records" "$(printf '%s\n' "$OUT" | wc -l)" 4
expect_eq "no PTR nor sender from an empty cache" "$(printf '%s\n' "$OUT" |
    grep -ci mailjet || true)" 0

# every column, CSV: the names looked up (fixture resolver) and cached
report export --ip-db "$T/ip.mmdb"
expect_rc "export csv" 0
CHECKS=$((CHECKS + 1))
cmp -s "$T/out" "$DATA/expected.csv" || {
	fail "CSV differs from tests/data/export/expected.csv:"
	diff "$DATA/expected.csv" "$T/out" >&2 || true; }
expect_eq "lookups cached (names and no-names)" "$(q 'SELECT count(*) FROM dns_cache')" 3
expect_eq "CRLF line ends (RFC 4180, as parsedmarc)" "$(tr -cd '\r' <"$T/out" | wc -c)" 4

# every column, NDJSON, now from the cache alone
: >"$DMARC_DNS_FIXTURE"
report export --ip-db "$T/ip.mmdb" --format ndjson --no-dns
expect_rc "export ndjson" 0
CHECKS=$((CHECKS + 1))
cmp -s "$T/out" "$DATA/expected.ndjson" || {
	fail "NDJSON differs from tests/data/export/expected.ndjson:"
	diff "$DATA/expected.ndjson" "$T/out" >&2 || true; }
# typed: a JSON parser agrees on numbers, booleans and nulls
if command -v python3 >/dev/null; then
	CHECKS=$((CHECKS + 1))
	python3 - "$T/out" <<'PY' || fail "NDJSON types"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 3
r1, r2, r3 = rows
assert r1["count"] == 12 and type(r1["count"]) is int
assert r1["pct"] == 50 and r3["pct"] is None
assert r1["spf_aligned"] is True and r1["dkim_aligned"] is False
assert r1["normalized_timespan"] is True and r3["normalized_timespan"] is False
assert r2["source_asn"] == 64501 and r1["source_asn"] is None
assert r1["org_name"] == 'Rep, "Quoted" Inc.'
assert r2["envelope_from"] is None and r1["discovery_method"] is None
assert [r["record_id"] for r in rows] == [1, 2, 3]
assert list(r1) == list(r3) and len(r1) == 48
PY
fi


# njget LINE KEY: a value of an NDJSON row, as written
njget() {
	printf '%s\n' "$1" | sed -n 's/.*"'"$2"'":\("[^"]*"\|[^,}]*\).*/\1/p'
}

# incremental: --after, --upto, --last-id
ids() { printf '%s\n' "$OUT" | sed -n 's/.*"record_id":\([0-9]*\).*/\1/p' | tr '\n' ' '; }
# without --ip-db the geo columns are empty
report export --format ndjson --no-dns
expect_eq "no --ip-db: no country" "$(njget "$(printf '%s\n' "$OUT" | sed -n 3p)" source_country)" "null"
expect_eq "no --ip-db: no AS name for source_name" "$(njget "$(printf '%s\n' "$OUT" | sed -n 3p)" source_name)" "null"
expect_eq "the cache still names 192.0.2.1" "$(njget "$(printf '%s\n' "$OUT" | sed -n 1p)" source_reverse_dns)" '"mta1.bnc3.mailjet.com"'

report export --last-id
expect_eq "--last-id" "$OUT" "$(q 'SELECT max(id) FROM record')"
report export --format ndjson --no-dns --after 1
expect_eq "--after 1" "$(ids)" "2 3 "
report export --format ndjson --no-dns --after 3
expect_rc "--after the last id" 0
expect_eq "--after the last id: nothing" "$OUT" ""
report export --no-dns --after 3
expect_eq "--after the last id, CSV: the header alone" "$(wc -l <"$T/out")" 1
report export --format ndjson --no-dns --upto 2
expect_eq "--upto 2" "$(ids)" "1 2 "
report export --format ndjson --no-dns --after 1 --upto 2
expect_eq "--after 1 --upto 2" "$(ids)" "2 "

# filters: the report's domain and the window (a report belongs to a window
# when its range begins inside it: rfc7489.xml on 2025-01-01, dmarc2.xml
# on 2025-01-02)
report export --format ndjson --no-dns --domain example.org
expect_eq "--domain example.org" "$(ids)" "3 "
report export --format ndjson --no-dns --domain EXAMPLE.COM --after 1
expect_eq "--domain example.com --after 1" "$(ids)" "2 "
report export --format ndjson --no-dns --since 2025-01-02
expect_eq "--since" "$(ids)" "3 "
report export --format ndjson --no-dns --until 2025-01-02
expect_eq "--until" "$(ids)" "1 2 "
DMARC_NOW=2025-01-02 report export --format ndjson --no-dns --last 1d
expect_eq "--last 1d" "$(ids)" "3 "
report export --format ndjson --no-dns --domain nowhere.example
expect_rc "unknown domain" 0
expect_eq "unknown domain: no rows" "$OUT" ""

# the memos past their size: 9,000 reports (more than the report memo's
# 8,192 slots) with their records interleaved, as when reports are stored
# side by side, and 20,000 source IPs (more than the IP memo's 8,192): every
# row must still carry its own report's values and its own IP's sender
fresh_db
mkdir -p "$T/none"	# a run over no input creates the schema
"$DMARC_INGEST" --db "$DB" "$T/none" >/dev/null
sqlite3 "$DB" <<'SQL'
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 9000)
INSERT INTO report (id, org_name, report_id, date_begin, date_end, schema, domain,
    input_name, xml_sha256, ingested_at)
SELECT i, 'org' || i, 'rid-' || i, 1735689600 + i, 1735689600 + i + 86399, 'rfc7489',
    'd' || (i % 7) || '.example', 'in-' || i, 'x', 0 FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 26999)
INSERT INTO record (id, report, position, source_ip, ip_family, count)
SELECT i + 1, 1 + i % 9000, 1 + i / 9000,
    '10.' || (i % 2) || '.' || ((i / 2) % 10000 / 100) || '.' || ((i / 2) % 100), 4, 1 + i % 5 FROM n;
COMMIT;
SQL
printf '10.0.0.0/16 Net zero\n10.1.0.0/16 Net one\n' >"$T/senders"
report export --no-dns --senders "$T/senders"
expect_rc "export of 27,000 interleaved records" 0
# report_id, domain, source IP, count, record_id, sender, input_name
printf '%s\n' "$OUT" | tail -n +2 | tr -d '\r' |
    awk -F, '{ print $5 "|" $10 "|" $20 "|" $29 "|" $45 "|" $46 "|" $47 }' >"$T/got"
q "SELECT p.report_id, p.domain, r.source_ip, r.count, r.id,
    CASE WHEN r.source_ip LIKE '10.0.%' THEN 'Net zero' ELSE 'Net one' END, p.input_name
    FROM record r JOIN report p ON p.id = r.report ORDER BY r.id" >"$T/want"
expect_eq "rows" "$(wc -l <"$T/got")" 27000
CHECKS=$((CHECKS + 1))
cmp -s "$T/got" "$T/want" || { fail "rows past the memo sizes differ from SQL:";
	diff "$T/want" "$T/got" | head -5 >&2; }

# text that needs escaping: UTF-8, a quote, a backslash, a tab, a line break
sqlite3 "$DB" "UPDATE report SET org_name = 'Ré \"q\" \\ ' || char(9) || 'x' || char(10) || 'y' WHERE id = 1"
report export --no-dns --format ndjson --upto 1
expect_eq "NDJSON escapes" "$(printf '%s\n' "$OUT" | sed 's/.*"org_name":\(.*\),"org_email".*/\1/')" \
    '"Ré \"q\" \\ \tx\ny"'
report export --no-dns --upto 1
expect_eq "CSV quotes a line break" "$(printf '%s\n' "$OUT" | sed -n 2,3p | tr -d '\r' | cut -d, -f1-4)" \
    "$(printf 'draft,"Ré ""q"" \\ \tx\ny",,,rid-1')"

# errors
report export --format text
expect_rc "--format text" 2
expect_match "--format text message" "$ERR" "export wants --format csv or ndjson"
report export --after x
expect_rc "--after x" 2
expect_match "--after x message" "$ERR" "--after wants a record id"
report summary --after 1
expect_rc "--after outside export" 2
report summary --format ndjson
expect_rc "--format ndjson outside export" 2
report export --ip-db "$T/missing.mmdb"
expect_rc "missing --ip-db" 2
expect_match "missing --ip-db message" "$ERR" "missing.mmdb: cannot read the IP database"
report export --ip-db "$DATA/rfc7489.xml"
expect_rc "not an MMDB" 2
set +e
"$DMARC_REPORT" --db "$DB" export --no-dns >/dev/full 2>"$T/err"
RC=$?
set -e
ERR=$(cat "$T/err")
expect_rc "a full disk" 2
expect_match "a full disk: message" "$ERR" "cannot write the output"

done_tests
