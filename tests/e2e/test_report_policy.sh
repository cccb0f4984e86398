#!/bin/bash
# SPDX-License-Identifier: MIT
# dmarc-report policy: the policy history per domain in runs of days, the
# moves of p= flagged with the 14 days before and after, in text, CSV and
# JSON; an unknown domain, an empty window, a window, 64-bit overflow.
# Fixtures: tests/data/report-policy (policy.example goes none ->
# quarantine on 2025-03-10, Beta Mail still showing none that day, and back
# to none on 2025-03-25; Gamma Mail sends dmarc-2.0 reports without pct),
# and dmarc-gen output.  Expected figures are worked out by hand (see the
# comments) and checked again with sqlite3 over the raw record table.
. "$(dirname "$0")/lib.sh"
set -e
: "${DMARC_REPORT:?DMARC_REPORT must name the dmarc-report binary}"

# jq PATH: a value of the JSON document in $T/out (sqlite3's JSON parser).
jq() {
	sqlite3 -batch -noheader :memory: "SELECT json_extract(readfile('$T/out'), '$1')"
}

# raw FIELD DOMAIN FROM UNTIL: messages or passes of the records of the
# reports that begin in [FROM, UNTIL) (days), straight from the record table.
raw() {
	local what='count'
	[ "$1" = pass ] && what="CASE WHEN d.dkim_aligned = 'pass' OR d.spf_aligned = 'pass' THEN d.count ELSE 0 END"
	q "SELECT ifnull(sum($what), 0) FROM record d JOIN report r ON r.id = d.report
	   WHERE r.domain = '$2' AND r.date_begin >= strftime('%s', '$3')
	   AND r.date_begin < strftime('%s', '$4')"
}

ingest "$DM_TEST_DATA/report-policy"
expect_rc "ingest the fixtures" 0

# the figures by hand, checked against the raw records
#   none        03-01..03-05: 4 reports, 300 messages, 270 pass
#   quarantine  03-10..03-20: 6 reports (1 showing none), 415, 370
#   none        03-25..03-27: 3 reports, 200, 170
#   change 03-10: before 02-24..03-09 300/270, after 03-10..03-23 415/370
#   change 03-25: before 03-11..03-24 200/160, after 03-25..04-07 200/170
expect_eq "raw run 1" "$(raw messages policy.example 2025-03-01 2025-03-06)/$(raw pass policy.example 2025-03-01 2025-03-06)" "300/270"
expect_eq "raw run 2" "$(raw messages policy.example 2025-03-10 2025-03-21)/$(raw pass policy.example 2025-03-10 2025-03-21)" "415/370"
expect_eq "raw run 3" "$(raw messages policy.example 2025-03-25 2025-03-28)/$(raw pass policy.example 2025-03-25 2025-03-28)" "200/170"
expect_eq "raw before 2" "$(raw messages policy.example 2025-03-11 2025-03-25)/$(raw pass policy.example 2025-03-11 2025-03-25)" "200/160"

# text
report policy --domain policy.example
expect_rc "text" 0
expect_eq "text lines" "$(sed -n '1,5p' "$T/out")" "DOMAIN          POLICY        FIRST SEEN  LAST SEEN   REPORTS  MESSAGES   PASS  CHANGE
--------------  ------------  ----------  ----------  -------  --------  -----  ---------
policy.example  p=none        2025-03-01  2025-03-05        4       300  90.0%  -
policy.example  p=quarantine  2025-03-10  2025-03-20        6       415  89.2%  tightened
policy.example  p=none        2025-03-25  2025-03-27        3       200  85.0%  loosened"
expect_match "text change 1" "$OUT" "^policy.example  2025-03-10  tightened: p=none -> p=quarantine$"
expect_match "text change 1 before" "$OUT" "^  before  2025-02-24 to 2025-03-09 +300 messages +90.0% pass$"
expect_match "text change 1 after" "$OUT" "^  after   2025-03-10 to 2025-03-23 +415 messages +89.2% pass  -0.8 pt$"
expect_match "text change 2" "$OUT" "^policy.example  2025-03-25  loosened: p=quarantine -> p=none$"
expect_match "text change 2 before" "$OUT" "^  before  2025-03-11 to 2025-03-24 +200 messages +80.0% pass$"
expect_match "text change 2 after" "$OUT" "^  after   2025-03-25 to 2025-04-07 +200 messages +85.0% pass  \+5.0 pt$"
report policy
expect_eq "text fits 100 columns" "$(awk 'length > 100' "$T/out")" ""
expect_eq "text: a row per run, all domains" "$(grep -Ec '^[a-z]+\.example +p=' "$T/out")" 7

# CSV
report policy --domain policy.example --format csv
expect_rc "csv" 0
expect_eq "csv" "$OUT" "domain,first_seen,last_seen,p,sp,np,pct,adkim,aspf,testing,reports,other_policy_reports,messages,dmarc_pass,pass_rate,change,before_messages,before_pass_rate,after_messages,after_pass_rate
policy.example,2025-03-01,2025-03-05,none,none,none,100,r,r,n,4,0,300,270,0.9000,,,,,
policy.example,2025-03-10,2025-03-20,quarantine,quarantine,quarantine,100,r,r,n,6,1,415,370,0.8916,tightened,300,0.9000,415,0.8916
policy.example,2025-03-25,2025-03-27,none,none,none,100,r,r,n,3,0,200,170,0.8500,loosened,200,0.8000,200,0.8500"

# JSON
report policy --domain policy.example --format json
expect_rc "json" 0
expect_eq "json valid" "$(sqlite3 :memory: "SELECT json_valid(readfile('$T/out'))")" 1
expect_eq "json domains" "$(sqlite3 :memory: "SELECT json_array_length(readfile('$T/out'))")" 1
expect_eq "json domain" "$(jq '$[0].domain')" policy.example
expect_eq "json runs" "$(sqlite3 :memory: "SELECT json_array_length(readfile('$T/out'), '\$[0].history')")" 3
expect_eq "json run 2" "$(jq '$[0].history[1].p')|$(jq '$[0].history[1].first_seen')|$(jq '$[0].history[1].last_seen')|$(jq '$[0].history[1].reports')|$(jq '$[0].history[1].other_policy_reports')|$(jq '$[0].history[1].messages')|$(jq '$[0].history[1].dmarc_pass')|$(jq '$[0].history[1].pass_rate')|$(jq '$[0].history[1].change')" \
    "quarantine|2025-03-10|2025-03-20|6|1|415|370|0.8916|tightened"
expect_eq "json run 1 change is null" "$(jq '$[0].history[0].change')" ""
expect_eq "json pct of a run with dmarc-2.0 reports" "$(jq '$[0].history[1].pct')" 100
expect_eq "json changes" "$(sqlite3 :memory: "SELECT json_array_length(readfile('$T/out'), '\$[0].changes')")" 2
expect_eq "json change 1" "$(jq '$[0].changes[0].date')|$(jq '$[0].changes[0].direction')|$(jq '$[0].changes[0].from')|$(jq '$[0].changes[0].to')" \
    "2025-03-10|tightened|none|quarantine"
expect_eq "json change 1 before" "$(jq '$[0].changes[0].before.start')|$(jq '$[0].changes[0].before.end')|$(jq '$[0].changes[0].before.reports')|$(jq '$[0].changes[0].before.messages')|$(jq '$[0].changes[0].before.dmarc_pass')|$(jq '$[0].changes[0].before.pass_rate')" \
    "2025-02-24|2025-03-09|4|300|270|0.9"
expect_eq "json change 2 before" "$(jq '$[0].changes[1].before.messages')|$(jq '$[0].changes[1].before.dmarc_pass')" \
    "$(raw messages policy.example 2025-03-11 2025-03-25)|$(raw pass policy.example 2025-03-11 2025-03-25)"
expect_eq "json change 2 after" "$(jq '$[0].changes[1].after.messages')|$(jq '$[0].changes[1].after.dmarc_pass')" \
    "$(raw messages policy.example 2025-03-25 2025-04-08)|$(raw pass policy.example 2025-03-25 2025-04-08)"

# a window: only the reports that begin inside it
report policy --domain policy.example --since 2025-03-10 --until 2025-03-25 --format csv
expect_eq "window: one run, no change" "$(sed -n 2,9p "$T/out")" \
    "policy.example,2025-03-10,2025-03-20,quarantine,quarantine,quarantine,100,r,r,n,6,1,415,370,0.8916,,,,,"

# an unknown domain, an empty window: exit 0, an empty result
for fmt in text csv json; do
	report policy --domain nosuch.example --format "$fmt"
	expect_rc "unknown domain $fmt" 0
	report policy --since 2001-01-01 --until 2001-02-01 --format "$fmt"
	expect_rc "empty window $fmt" 0
	case $fmt in
	text) expect_eq "empty window text: no bare header" "$(wc -c <"$T/out")" 0
	      expect_eq "empty window text: stderr" "$ERR" "dmarc-report: no reports from 2001-01-01 to 2001-01-31" ;;
	csv) expect_eq "empty window csv: the header" "$(wc -l <"$T/out")" 1 ;;
	json) expect_eq "empty window json" "$(tr -d ' \n' <"$T/out")" "[]" ;;
	esac
done

# generated reports: p=none from 2025-01-01, then p=quarantine from 2025-01-10
fresh_db
"$DMARC_GEN" --out "$T/none" --reports 12 --records 6 --seed 11 --start 2025-01-01 --policy none --format xml 2>/dev/null
"$DMARC_GEN" --out "$T/quar" --reports 12 --records 6 --seed 12 --start 2025-01-10 --policy quarantine --format xml 2>/dev/null
ingest "$T/none" "$T/quar"
expect_rc "ingest generated" 0
report policy --format csv
last1=$(q "SELECT date(max(date_begin), 'unixepoch') FROM report WHERE p = 'none'")
last2=$(q "SELECT date(max(date_begin), 'unixepoch') FROM report WHERE p = 'quarantine'")
m1=$(raw messages example.com 2025-01-01 2025-01-10); p1=$(raw pass example.com 2025-01-01 2025-01-10)
m2=$(raw messages example.com 2025-01-10 2025-01-24); p2=$(raw pass example.com 2025-01-10 2025-01-24)
expect_eq "generated: two runs" "$(sed 1d "$T/out" | cut -d, -f1-4,11-14,16,17,19)" \
    "example.com,2025-01-01,$last1,none,12,0,$m1,$p1,,,
example.com,2025-01-10,$last2,quarantine,12,0,$m2,$p2,tightened,$m1,$m2"

# totals past 64 bits: exit 2 with a message, never a wrong number
fresh_db
mkdir "$T/big"
for day in 08 13; do
	sed -e 's/<count>100</<count>9223372036854775807</' -e "s/2025-04-08/big-$day/" \
	    "$DM_TEST_DATA/report-policy/ok.example!2025-04-08!alpha.xml" |
	    sed -e "s/<begin>1744070400</<begin>$(date -u -d 2025-04-$day +%s)</" >"$T/big/$day.xml"
done
ingest "$T/big"
expect_rc "ingest the huge reports" 0
for fmt in text json; do
	report policy --format "$fmt"
	expect_rc "overflow $fmt" 2
	expect_match "overflow message" "$ERR" "message totals overflow 64 bits"
	expect_eq "overflow: nothing printed" "$OUT" ""
done

done_tests
