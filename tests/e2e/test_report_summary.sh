#!/bin/bash
# SPDX-License-Identifier: MIT
# dmarc-report summary: exact per-domain figures in every format, against
# hand-counted fixtures (tests/data/report) and against sums computed here
# from the raw record and report rows of generated reports (never from the
# totals dmarc-ingest keeps, which are what the command reads); windows,
# --domain, an unknown domain, an empty window, 64-bit overflow.
. "$(dirname "$0")/lib.sh"
set -e

# --- hand-counted fixtures ------------------------------------------------
# a.example: Alpha a1 (2025-03-01, 192.0.2.1 x100 pass, 198.51.100.7 x40
# fail), Beta b2 (2025-03-02..04, p=quarantine, 192.0.2.1 x50 dkim-only
# pass, 198.51.100.7 x30 quarantined), Alpha a3 (2025-03-01 12:00,
# p=reject pct=50, 203.0.113.9 x7 rejected); b.example: an unnamed reporter
# (2025-02-28 23:00, 192.0.2.1 x5 pass).
ingest --quiet "$DM_TEST_DATA/report"
expect_rc "ingest fixtures" 0

report summary --format json
expect_rc "json" 0
a=$(row '"domain": "a.example"')
expect_eq "a reports" "$(jget "$a" reports)" 3
expect_eq "a reporters" "$(jget "$a" reporters)" 2
expect_eq "a messages" "$(jget "$a" messages)" 227
expect_eq "a dmarc_pass" "$(jget "$a" dmarc_pass)" 150
expect_eq "a dmarc_fail" "$(jget "$a" dmarc_fail)" 77
expect_eq "a pass_rate" "$(jget "$a" pass_rate)" 0.6608
expect_eq "a spf aligned" "$(jget "$a" spf_aligned_pass)" 100
expect_eq "a dkim aligned" "$(jget "$a" dkim_aligned_pass)" 150
expect_eq "a disposition none" "$(jget "$a" none)" 190
expect_eq "a disposition quarantine" "$(jget "$a" quarantine)" 30
expect_eq "a disposition reject" "$(jget "$a" reject)" 7
expect_eq "a source ips" "$(jget "$a" source_ips)" 3
expect_match "a policy: the latest date_begin (Beta's)" "$a" '"policy": \{"p": "quarantine", "sp": "quarantine", "np": "quarantine", "pct": 100, "testing": "n"\}'
b=$(row '"domain": "b.example"')
expect_match "b row" "$b" '"reports": 1, "reporters": 1, "messages": 5, "dmarc_pass": 5, "dmarc_fail": 0, "pass_rate": 1.0000, "spf_aligned_pass": 5, "dkim_aligned_pass": 5, "disposition": \{"none": 5, "quarantine": 0, "reject": 0\}, "source_ips": 1'
expect_eq "json: an array of 2 rows" "$(printf '%s\n' "$OUT" | grep -c '^  {')" 2
expect_eq "json: an array" "$(printf '%s\n' "$OUT" | head -1)$(printf '%s\n' "$OUT" | tail -1)" "[]"

report summary --format csv
expect_eq "csv" "$OUT" "domain,reports,reporters,messages,dmarc_pass,dmarc_fail,pass_rate,spf_aligned_pass,dkim_aligned_pass,disposition_none,disposition_quarantine,disposition_reject,source_ips,p,sp,np,pct,testing,last_report
a.example,3,2,227,150,77,0.6608,100,150,190,30,7,3,quarantine,quarantine,quarantine,100,n,2025-03-02
b.example,1,1,5,5,0,1.0000,5,5,5,0,0,1,none,none,none,,n,2025-02-28"

report summary
expect_rc "text" 0
expect_match "text header" "$(printf '%s\n' "$OUT" | head -1)" '^DOMAIN +REPORTERS +MESSAGES +PASS +FAIL +SPF ALIGNED +DKIM ALIGNED +IPS +POLICY$'
expect_match "text a.example" "$(row a.example)" '^a\.example +2 +227 +66\.1% +77 +44\.1% +66\.1% +3 +p=quarantine$'
expect_match "text b.example" "$(row b.example)" '^b\.example +1 +5 +100\.0% +0 +100\.0% +100\.0% +1 +p=none$'
widths_ok text

# window: a report belongs to the window its range begins in
report summary --since 2025-03-01 --format csv
expect_eq "since: b.example's report began the day before" "$(printf '%s\n' "$OUT" | cut -d, -f1 | tr '\n' ' ')" "domain a.example "
report summary --until 2025-03-01 --format csv
expect_eq "until is exclusive" "$(printf '%s\n' "$OUT" | cut -d, -f1 | tr '\n' ' ')" "domain b.example "
report summary --since 2025-03-02 --format json
expect_match "only Beta's report" "$OUT" '"reports": 1, "reporters": 1, "messages": 80, "dmarc_pass": 50, "dmarc_fail": 30'
report summary --until 2025-03-02 --domain a.example --format json
expect_match "Alpha's two reports" "$OUT" '"reports": 2, "reporters": 1, "messages": 147, "dmarc_pass": 100, "dmarc_fail": 47'
expect_match "policy of the latest inside the window" "$OUT" '"policy": \{"p": "reject", "sp": "none", "np": "none", "pct": 50'
report summary --until 2025-03-02 --domain a.example
expect_match "text policy shows what differs" "$(row a.example)" 'p=reject sp=none pct=50$'
report summary --last 2d --until 2025-03-03 --format json
expect_eq "--last 2d: a.example only" "$(printf '%s\n' "$OUT" | grep -c '"domain"')" 1
report summary --domain b.example --domain A.EXAMPLE --format csv
expect_eq "--domain repeated (any case)" "$(printf '%s\n' "$OUT" | wc -l)" 3
report summary --domain b.example --format csv
expect_eq "--domain b.example" "$(printf '%s\n' "$OUT" | sed -n 2p | cut -d, -f1,4)" "b.example,5"

# an unknown domain, an empty window: exit 0, a header and nothing else
for fmt in text csv json; do
	report summary --domain nosuch.example --format $fmt
	expect_rc "unknown domain $fmt" 0
	expect_eq "unknown domain $fmt: one line" "$(printf '%s\n' "$OUT" | wc -l)" 1
	report summary --since 2030-01-01 --format $fmt
	expect_rc "empty window $fmt" 0
	expect_eq "empty window $fmt: one line" "$(printf '%s\n' "$OUT" | wc -l)" 1
done
expect_eq "empty json" "$OUT" "[]"
report summary --since 2030-01-01
expect_eq "empty text: no bare header" "$OUT" ""
expect_eq "empty text: stderr says so" "$ERR" "dmarc-report: no reports since 2030-01-01"

# --- generated reports: figures from the raw rows ----------------------
fresh_db
"$DMARC_GEN" --out "$T/g" --reports 40 --records 25 --seed 11 --start 2025-01-01 \
    --format mixed --domain example.com --domain example.org 2>/dev/null
ingest --quiet "$T/g"
expect_rc "ingest generated" 0
report summary --format json
expect_eq "generated: two domains" "$(printf '%s\n' "$OUT" | grep -c '"domain"')" 2
for d in example.com example.org; do
	line=$(row "\"domain\": \"$d\"")
	raw=$(q "SELECT count(*), count(DISTINCT ifnull(org_name, '')) FROM report WHERE domain = '$d'")
	expect_eq "$d reports|reporters" "$(jget "$line" reports)|$(jget "$line" reporters)" "$raw"
	raw=$(q "SELECT sum(c.count),
	    sum(CASE WHEN c.dkim_aligned = 'pass' OR c.spf_aligned = 'pass' THEN c.count ELSE 0 END),
	    sum(CASE WHEN c.spf_aligned = 'pass' THEN c.count ELSE 0 END),
	    sum(CASE WHEN c.dkim_aligned = 'pass' THEN c.count ELSE 0 END),
	    sum(CASE WHEN c.disposition = 'none' THEN c.count ELSE 0 END),
	    sum(CASE WHEN c.disposition = 'quarantine' THEN c.count ELSE 0 END),
	    sum(CASE WHEN c.disposition = 'reject' THEN c.count ELSE 0 END),
	    count(DISTINCT c.source_ip)
	    FROM record c JOIN report r ON r.id = c.report WHERE r.domain = '$d'")
	got="$(jget "$line" messages)|$(jget "$line" dmarc_pass)|$(jget "$line" spf_aligned_pass)|$(jget "$line" dkim_aligned_pass)|$(jget "$line" none)|$(jget "$line" quarantine)|$(jget "$line" reject)|$(jget "$line" source_ips)"
	expect_eq "$d figures from the raw records" "$got" "$raw"
	m=${raw%%|*}
	p=$(printf '%s' "$raw" | cut -d'|' -f2)
	expect_eq "$d fail" "$(jget "$line" dmarc_fail)" "$((m - p))"
	expect_eq "$d pass_rate" "$(jget "$line" pass_rate)" "$(awk -v p="$p" -v m="$m" 'BEGIN { printf "%.4f", p / m }')"
	pol=$(q "SELECT p || ',' || sp FROM report WHERE domain = '$d' ORDER BY date_begin DESC, id DESC LIMIT 1")
	expect_eq "$d latest policy" "$(jget "$line" p),$(jget "$line" sp)" "$pol"
	# CSV and text agree with it
	report summary --format csv --domain $d
	expect_eq "$d csv" "$(printf '%s\n' "$OUT" | sed -n 2p | cut -d, -f1,4,5,6)" "$d,$m,$p,$((m - p))"
	report summary --domain $d
	mt=$(printf '%s' "$m" | sed ':a; s/\B[0-9]\{3\}\>/,&/; ta')
	expect_match "$d text" "$(row "$d")" "^$d +[0-9]+ +$mt +[0-9.]+% +"
	widths_ok "$d text"
	report summary --format json
done
# a window in the middle of the generated days, from the raw rows
report summary --since 2025-01-05 --until 2025-01-09 --domain example.com --format json
raw=$(q "SELECT count(DISTINCT r.id) || '|' || sum(c.count) FROM record c JOIN report r ON r.id = c.report
    WHERE r.domain = 'example.com' AND r.date_begin >= strftime('%s', '2025-01-05') AND r.date_begin < strftime('%s', '2025-01-09')")
line=$(row '"domain"')
expect_eq "window from the raw rows" "$(jget "$line" reports)|$(jget "$line" messages)" "$raw"

# totals that overflow 64 bits are an error, not a wrong number
sqlite3 "$DB" "UPDATE report SET message_count = 9223372036854775000 WHERE domain = 'example.com'"
report summary
expect_rc "overflow" 2
expect_match "overflow message" "$ERR" "message totals overflow 64 bits"
expect_eq "overflow: nothing printed" "$OUT" ""

done_tests
