#!/bin/bash
# SPDX-License-Identifier: MIT
# dmarc-report reporters: per reporting organisation in every format
# against hand-counted fixtures (tests/data/report: overlapping ranges, a
# range ending exactly at midnight, one crossing midnight, an unnamed
# reporter) and days covered computed here day by day from the raw date
# ranges of generated reports; windows, --domain, empty results.
. "$(dirname "$0")/lib.sh"
set -e

ingest --quiet "$DM_TEST_DATA/report"
expect_rc "ingest fixtures" 0

# Alpha: 03-01 00:00..23:59:59 and 03-01 12:00..03-02 12:00 -> 2 days;
# Beta: 03-02 00:00..03-04 00:00 -> 2 days (not 3); unnamed: 02-28
# 23:00..03-01 01:00 -> 2 days.
report reporters --format csv
expect_eq "csv" "$OUT" "reporter,reports,messages,days_covered,first_report,last_report,domains
Alpha,2,147,2,2025-03-01,2025-03-01,a.example
Beta,1,80,2,2025-03-02,2025-03-02,a.example
(unnamed),1,5,2,2025-02-28,2025-02-28,b.example"
report reporters --format json
expect_match "json Alpha" "$(row '"Alpha"')" '^  \{"reporter": "Alpha", "reports": 2, "messages": 147, "days_covered": 2, "first_report": "2025-03-01", "last_report": "2025-03-01", "domains": \["a.example"\]\},$'
expect_match "json unnamed" "$(row '"reporter": null')" '"reports": 1, "messages": 5, "days_covered": 2'
report reporters
expect_match "text header" "$(printf '%s\n' "$OUT" | head -1)" '^REPORTER +REPORTS +MESSAGES +DAYS COVERED +FIRST REPORT +LAST REPORT +DOMAINS$'
expect_match "text Beta" "$(row Beta)" '^Beta +1 +80 +2 +2025-03-02 +2025-03-02 +a\.example$'
expect_match "text unnamed" "$(row unnamed)" '^\(unnamed\) +1 +5 +2 '
widths_ok text
report reporters --since 2025-03-01 --until 2025-03-02 --format csv
expect_eq "window: reports that begin on 03-01" "$(printf '%s\n' "$OUT" | sed 1d)" "Alpha,2,147,2,2025-03-01,2025-03-01,a.example"
report reporters --domain b.example --domain nosuch.example --format csv
expect_eq "--domain" "$(printf '%s\n' "$OUT" | sed 1d | cut -d, -f1)" "(unnamed)"
for fmt in text csv json; do
	report reporters --domain nosuch.example --format $fmt
	expect_rc "unknown domain $fmt" 0
	expect_eq "unknown domain $fmt: one line" "$(printf '%s\n' "$OUT" | wc -l)" 1
	report reporters --since 2031-01-01 --format $fmt
	expect_eq "empty window $fmt: one line" "$(printf '%s\n' "$OUT" | wc -l)" 1
	expect_eq "empty window $fmt: stderr" "$ERR" "dmarc-report: no reports since 2031-01-01"
	if [ "$fmt" = text ]; then
		expect_eq "empty window text: no bare header" "$OUT" ""
	fi
done

# generated reports, plus copies stretched over several days: days covered
# counted day by day in SQL from the raw ranges
fresh_db
"$DMARC_GEN" --out "$T/g" --reports 40 --records 5 --seed 9 --start 2025-01-01 --format mixed 2>/dev/null
ingest --quiet "$T/g"
sqlite3 "$DB" "UPDATE report SET date_end = date_end + 3 * 86400 WHERE id % 5 = 0"
report reporters --format json
raw=$(q "WITH RECURSIVE d(org, day, last) AS (
    SELECT ifnull(org_name, '(unnamed)'), date_begin / 86400,
        CASE WHEN date_end > date_begin THEN (date_end - 1) / 86400 ELSE date_begin / 86400 END FROM report
    UNION ALL SELECT org, day + 1, last FROM d WHERE day < last)
  SELECT org || ',' || count(DISTINCT day) FROM d GROUP BY org ORDER BY org")
got=$(printf '%s\n' "$OUT" | grep '^  {' | while IFS= read -r l; do
	echo "$(jget "$l" reporter),$(jget "$l" days_covered)"; done | sort)
expect_eq "days covered, day by day" "$got" "$(printf '%s\n' "$raw" | sort)"
raw=$(q "SELECT ifnull(r.org_name, '(unnamed)') || ',' || count(DISTINCT r.id) || ',' || ifnull(sum(c.count), 0) || ',' || date(max(r.date_begin), 'unixepoch')
    FROM report r LEFT JOIN record c ON c.report = r.id GROUP BY r.org_name")
got=$(printf '%s\n' "$OUT" | grep '^  {' | while IFS= read -r l; do
	echo "$(jget "$l" reporter),$(jget "$l" reports),$(jget "$l" messages),$(jget "$l" last_report)"; done | sort)
expect_eq "reports, messages, last report from the raw rows" "$got" "$(printf '%s\n' "$raw" | sort)"

# totals that overflow 64 bits are an error
sqlite3 "$DB" "UPDATE report SET message_count = 9223372036854775000"
report reporters
expect_rc "overflow" 2
expect_match "overflow message" "$ERR" "message totals overflow 64 bits"

done_tests
