#!/bin/bash
# SPDX-License-Identifier: MIT
# dmarc-report sources: per source IP figures and detail lists in every
# format against the hand-counted fixtures (tests/data/report) and against
# the raw record rows of generated reports; --top, --sort failures,
# windows, --domain, an unknown domain, an empty window.
. "$(dirname "$0")/lib.sh"
set -e

ingest --quiet "$DM_TEST_DATA/report"
expect_rc "ingest fixtures" 0

# by messages: 192.0.2.1 (100 + 50 + 5, all pass), 198.51.100.7 (40 + 30,
# all fail), 203.0.113.9 (7, rejected)
report sources --format json
expect_eq "json order" "$(printf '%s\n' "$OUT" | sed -n 's/^  {"source_ip": "\([^"]*\)".*/\1/p' | tr '\n' ' ')" "192.0.2.1 198.51.100.7 203.0.113.9 "
a=$(row '"source_ip": "192.0.2.1"')
expect_match "192.0.2.1 figures" "$a" '"messages": 155, "dmarc_pass": 155, "dmarc_fail": 0, "pass_rate": 1.0000, "spf_aligned_pass": 105, "dkim_aligned_pass": 155,'
expect_match "192.0.2.1 spf" "$a" '"spf_results": \[\{"result": "pass", "domain": "a.example", "messages": 100\}, \{"result": "fail", "domain": "a.example", "messages": 50\}, \{"result": "pass", "domain": "b.example", "messages": 5\}\]'
expect_match "192.0.2.1 lists" "$a" '"header_from": \["a.example", "b.example"\], "reporters": \["Alpha", "Beta", null\], "domains": \["a.example", "b.example"\], "reasons": \[\], "first_seen": "2025-02-28", "last_seen": "2025-03-02"'
b=$(row '"source_ip": "198.51.100.7"')
expect_match "198.51.100.7" "$b" '"messages": 70, "dmarc_pass": 0, "dmarc_fail": 70, "pass_rate": 0.0000, "spf_aligned_pass": 0, "dkim_aligned_pass": 0, "spf_results": \[\{"result": "pass", "domain": "esp.example", "messages": 70\}\], "dkim_results": \[\{"result": "pass", "domain": "esp.example", "messages": 70\}\], "header_from": \["a.example", "news.a.example"\], "reporters": \["Alpha", "Beta"\], "domains": \["a.example"\], "reasons": \[\{"type": "forwarded", "messages": 40\}\], "first_seen": "2025-03-01", "last_seen": "2025-03-02", "disposition": \{"none": 40, "quarantine": 30, "reject": 0\}'
c=$(row '"source_ip": "203.0.113.9"')
expect_match "203.0.113.9" "$c" '"messages": 7, .*"dkim_results": \[\], .*"disposition": \{"none": 0, "quarantine": 0, "reject": 7\}'

# 198.51.100.7 has no PTR but passes DKIM and SPF for esp.example (not
# a.example's): named by that organizational domain
report sources --sort failures --top 2 --format csv
expect_eq "csv, failures first, top 2" "$OUT" "source_ip,ptr,sender,messages,dmarc_pass,dmarc_fail,pass_rate,spf_aligned_pass,dkim_aligned_pass,spf_results,dkim_results,header_from,reporters,domains,first_seen,last_seen,disposition_none,disposition_quarantine,disposition_reject,reasons
198.51.100.7,,esp.example,70,0,70,0.0000,0,0,pass:esp.example:70,pass:esp.example:70,a.example:40;news.a.example:30,Alpha:40;Beta:30,a.example:70,2025-03-01,2025-03-02,40,30,0,forwarded:40
203.0.113.9,,,7,0,7,0.0000,0,0,softfail:a.example:7,,a.example:7,Alpha:7,a.example:7,2025-03-01,2025-03-01,0,0,7,"

report sources --top 1
expect_match "text header" "$(printf '%s\n' "$OUT" | head -1)" '^SOURCE IP +SENDER +MESSAGES +PASS % +FAILED +SPF RESULTS +DKIM RESULTS +HEADER FROM$'
expect_match "text row" "$(row 192.0.2.1)" '^192\.0\.2\.1 +- +155 +100\.0% +0 +pass a\.'
expect_eq "text --top 1" "$(printf '%s\n' "$OUT" | wc -l)" 3
widths_ok text

# --domain: b.example's only source; window: its report began on 02-28
report sources --domain b.example --format csv
expect_eq "--domain b.example" "$(printf '%s\n' "$OUT" | sed -n 2p | cut -d, -f1,4-6,13)" "192.0.2.1,5,5,0,(unnamed):5"
report sources --domain b.example --domain a.example --format csv
expect_eq "--domain repeated" "$(printf '%s\n' "$OUT" | wc -l)" 4
report sources --since 2025-03-01 --format csv
expect_eq "window drops b.example's 5" "$(row 192.0.2.1 | cut -d, -f4,14,15)" "150,a.example:150,2025-03-01"
for fmt in text csv json; do
	report sources --domain nosuch.example --format $fmt
	expect_rc "unknown domain $fmt" 0
	expect_eq "unknown domain $fmt: one line" "$(printf '%s\n' "$OUT" | wc -l)" 1
	report sources --until 2020-01-01 --format $fmt
	expect_eq "empty window $fmt: one line" "$(printf '%s\n' "$OUT" | wc -l)" 1
done
expect_eq "empty json" "$OUT" "[]"

# generated reports: every row against the raw records
fresh_db
"$DMARC_GEN" --out "$T/g" --reports 12 --records 15 --seed 5 --start 2025-01-01 --format mixed 2>/dev/null
ingest --quiet "$T/g"
report sources --format json
raw=$(q "SELECT c.source_ip || ',' || sum(c.count) || ',' ||
    sum(CASE WHEN c.dkim_aligned = 'pass' OR c.spf_aligned = 'pass' THEN c.count ELSE 0 END) || ',' ||
    date(min(r.date_begin), 'unixepoch') || ',' || date(max(r.date_begin), 'unixepoch')
    FROM record c JOIN report r ON r.id = c.report GROUP BY c.source_ip ORDER BY sum(c.count) DESC, c.source_ip")
got=$(printf '%s\n' "$OUT" | grep '^  {' | while IFS= read -r l; do
	echo "$(jget "$l" source_ip),$(jget "$l" messages),$(jget "$l" dmarc_pass),$(jget "$l" first_seen),$(jget "$l" last_seen)"
done)
expect_eq "all sources from the raw records" "$(printf '%s\n' "$got" | sort)" "$(printf '%s\n' "$raw" | sort)"
report sources --format csv
expect_eq "ordered by messages" "$(printf '%s\n' "$OUT" | sed 1d | cut -d, -f4 | sort -c -r -n && echo sorted)" sorted
report sources --sort failures --top 5 --format json
raw=$(q "SELECT c.source_ip FROM record c GROUP BY c.source_ip
    ORDER BY sum(CASE WHEN c.dkim_aligned = 'pass' OR c.spf_aligned = 'pass' THEN 0 ELSE c.count END) DESC, sum(c.count) DESC, c.source_ip LIMIT 5")
expect_eq "top 5 failures" "$(printf '%s\n' "$OUT" | sed -n 's/^  {"source_ip": "\([^"]*\)".*/\1/p')" "$raw"
top=$(printf '%s\n' "$raw" | head -1)
line=$(row "\"source_ip\": \"$top\"")
expect_eq "worst source: header_from" "$(printf '%s' "$line" | sed 's/.*"header_from": \[\([^]]*\)\].*/\1/; s/"//g; s/, /,/g')" \
    "$(q "SELECT group_concat(h, ',') FROM (SELECT header_from AS h FROM record WHERE source_ip = '$top' GROUP BY 1 ORDER BY sum(count) DESC, 1)")"
expect_eq "worst source: spf messages" "$(printf '%s' "$line" | grep -o '"spf_results": \[[^]]*\]' | grep -o '"messages": [0-9]*' | awk '{ s += $2 } END { print s }')" \
    "$(q "SELECT sum(c.count) FROM record c JOIN record_spf s ON s.record = c.id WHERE c.source_ip = '$top'")"
# text never cuts an item (the generator's long domains make this table
# pass 100 columns): each row shows its busiest SPF and DKIM results whole
report sources --top 10 --no-dns
expect_eq "generated text: nothing cut" "$(printf '%s\n' "$OUT" | grep -c '~' || true)" 0
for ip in $(printf '%s\n' "$OUT" | sed '1,2d' | awk '{ print $1 }'); do
	for t in spf dkim; do
		want=$(q "SELECT x.result || ' ' || x.domain FROM record c JOIN record_$t x ON x.record = c.id
		    WHERE c.source_ip = '$ip' GROUP BY x.result, x.domain ORDER BY sum(c.count) DESC, 1 LIMIT 1")
		[ -n "$want" ] || continue
		expect_match "generated text: $ip $t whole" "$(row "$ip ")" "  $want( +\+[0-9]+)?  "
	done
done

done_tests
