#!/bin/bash
# SPDX-License-Identifier: MIT
# dmarc-report weekly: the window (the 7 days before today, against the 7
# before those, whatever days have data), the figures and their changes,
# new and failing sources, policy changes, silent reporters, stale data and
# the status rules with the exit status (1: a domain needs attention), in
# text, CSV and JSON; --domain, an unknown domain, no data, 64-bit
# overflow.  Fixtures: tests/data/report-policy, today
# pinned at 2025-04-20 (a report that day is left out): the week is
# 2025-04-13..19, the previous week 2025-04-06..12.  Expected figures are
# worked out by hand and checked with sqlite3 over the raw record table.
. "$(dirname "$0")/lib.sh"
set -e
: "${DMARC_REPORT:?DMARC_REPORT must name the dmarc-report binary}"
export DMARC_NOW=2025-04-20

# jq PATH: a value of the JSON document in $T/out (sqlite3's JSON parser).
jq() {
	sqlite3 -batch -noheader :memory: "SELECT json_extract(readfile('$T/out'), '$1')"
}

# raw FIELD DOMAIN FROM UNTIL [IP]: messages or passes of the records of
# the reports that begin in [FROM, UNTIL) (days), from the record table.
raw() {
	local what='count' ip=''
	[ "$1" = pass ] && what="CASE WHEN d.dkim_aligned = 'pass' OR d.spf_aligned = 'pass' THEN d.count ELSE 0 END"
	[ $# -ge 5 ] && ip="AND d.source_ip = '$5'"
	q "SELECT ifnull(sum($what), 0) FROM record d JOIN report r ON r.id = d.report
	   WHERE r.domain = '$2' AND r.date_begin >= strftime('%s', '$3')
	   AND r.date_begin < strftime('%s', '$4') $ip"
}

ingest "$DM_TEST_DATA/report-policy"
expect_rc "ingest the fixtures" 0

# by hand: weekly.example, week: 04-13 Alpha 200 pass, Beta 100 pass + 10
# fail (198.51.100.7), 04-19 (22:00) Alpha 100 pass + 20 fail (203.0.113.9,
# new) + 5 pass (198.51.100.99, seen 04-05: not new) = 435, 405 pass
# (93.1%); previous: 04-06 Beta 100, Gamma 50, 04-12 Alpha 150 + 30 fail
# = 330, 300 (90.9%); 04-05 and 04-20 are outside both weeks.
expect_eq "raw week" "$(raw messages weekly.example 2025-04-13 2025-04-20)/$(raw pass weekly.example 2025-04-13 2025-04-20)" "435/405"
expect_eq "raw previous" "$(raw messages weekly.example 2025-04-06 2025-04-13)/$(raw pass weekly.example 2025-04-06 2025-04-13)" "330/300"

# text: the mail body
report weekly
expect_rc "text: domains need attention" 1
expect_eq "title" "$(head -1 "$T/out")" \
    "DMARC weekly report: 2025-04-13 to 2025-04-19 (UTC), against 2025-04-06 to 2025-04-12"
expect_eq "fits 100 columns (but the status lines)" "$(grep -Ev ': (OK|ATTENTION) |^  ' "$T/out" | awk 'length > 100')" ""
# every domain with a report before today, also policy.example whose
# reports stopped on 2025-03-27
expect_eq "domains: all, also the stale one" "$(grep -E '^[a-z]+\.example$' "$T/out" | tr '\n' ' ')" \
    "drop.example ok.example policy.example weekly.example "
sed -n '/^weekly.example$/,/^[a-z.]*: /p' "$T/out" >"$T/wk"
WK=$(cat "$T/wk")
expect_match "messages" "$WK" "^  Messages +435   previous week 330, \+31\.8%$"
expect_match "pass rate" "$WK" "^  DMARC pass +93\.1%   previous week 90\.9%, \+2\.2 pt$"
expect_match "reports" "$WK" "^  Reports +3   from 2 reporters; previous week 3 from 3$"
expect_match "new sources" "$WK" "^  New source IPs \(first seen this week\): 1 IP, 20 messages$"
expect_match "new source row" "$WK" "^    203\.0\.113\.9  2025-04-19        20  0\.0%$"
expect_eq "seen before the previous week: not new" "$(grep -c '198.51.100.99' "$T/wk")" 0
expect_match "failing sources" "$WK" "^  Top failing sources: 2 IPs, 30 failing messages$"
expect_eq "failing rows" "$(grep -A4 'Top failing' "$T/wk" | sed -n '4,5p')" \
"    203.0.113.9        20        20  0.0%
    198.51.100.7       10        10  0.0%"
expect_match "policy change" "$WK" "^    2025-04-13  p none -> quarantine \(2 reporters\)$"
expect_match "silent reporter" "$WK" "^    Gamma Mail: last report 2025-04-06, 1 report with 50 messages the week before$"
# the status lines come before the advice block
status() { sed '/^Advice (dmarc-report advise/,$d' "$T/out" | sed '/^$/d'; }
expect_eq "advice block, one verdict per domain" \
    "$(sed -n '/^Advice (dmarc-report advise, the 30 days to 2025-04-19):$/,$p' "$T/out" | sed 1d | grep -v '^ ' | cut -d: -f1 | tr '\n' ' ')" \
    "drop.example ok.example policy.example weekly.example "
expect_match "advice verdict words" "$(sed -n '/^Advice/,$p' "$T/out")" \
    "^ok.example: (READY|NOT READY|INSUFFICIENT DATA|AT REJECT)"
# ATTENTION only for what needs action (issue 11): drop.example's fall of
# 2.1 pt (97.9% after 100.0%), ok.example's new failing source and
# weekly.example's new spoofer 203.0.113.9 (20 failing, never
# authenticated), silent reporter and policy change are shown above but
# need nothing.  weekly.example's advise verdict did change: over the 30
# days to 2025-04-12 the latest policy was p=none (next: quarantine), over
# the 30 days to 2025-04-19 it is p=quarantine (next: reject); both with
# too few days covered.
# drop.example's and policy.example's reports stopped: the last day they
# cover is 2025-04-15 (5 days before today) and 2025-03-27 (24 days), more
# than 3: stale.  weekly.example's report of 2025-04-19 22:00 runs into
# today, which counts up to yesterday (1 day).
expect_eq "raw newest" "$(q "SELECT group_concat(d, ' ') FROM (SELECT date(max(min(date_end - 1, strftime('%s', '2025-04-20') - 1)), 'unixepoch') d FROM report WHERE date_begin < strftime('%s', '2025-04-20') GROUP BY domain ORDER BY domain)")" \
    "2025-04-15 2025-04-19 2025-03-27 2025-04-19"
expect_eq "stale in the body, under the domain" "$(sed -n '/^policy\.example$/{n;p}' "$T/out")" \
    "  no reports since 2025-03-27 (24 days)"
expect_eq "status lines, last" "$(status | tail -4)" \
"drop.example: ATTENTION no reports since 2025-04-15 (5 days)
ok.example: OK 98.5% pass
policy.example: ATTENTION no reports since 2025-03-27 (24 days)
weekly.example: ATTENTION advise verdict changed: INSUFFICIENT DATA for p=quarantine -> INSUFFICIENT DATA for p=reject"
expect_eq "raw ok.example" "$(raw messages ok.example 2025-04-13 2025-04-20)/$(raw pass ok.example 2025-04-13 2025-04-20)/$(raw messages ok.example 2025-04-13 2025-04-20 192.0.2.20)" "200/197/2"
expect_eq "raw drop.example" "$(raw pass drop.example 2025-04-13 2025-04-20)/$(raw messages drop.example 2025-04-13 2025-04-20)" "979/1000"

# CSV: a row per domain
report weekly --format csv
expect_rc "csv" 1
expect_eq "csv" "$OUT" "domain,status,week_start,week_end,reports,reporters,messages,previous_messages,messages_change,dmarc_pass,pass_rate,previous_pass_rate,pass_rate_change,new_sources,new_source_messages,failing_sources,failing_messages,policy_changes,silent_reporters,reasons,newest_report,days_since_report
drop.example,attention,2025-04-13,2025-04-19,1,1,1000,1000,0.0000,979,0.9790,1.0000,-0.0210,0,0,1,21,,,no reports since 2025-04-15 (5 days),2025-04-15,5
ok.example,ok,2025-04-13,2025-04-19,2,1,200,100,1.0000,197,0.9850,1.0000,-0.0150,1,2,2,3,,,,2025-04-19,1
policy.example,attention,2025-04-13,2025-04-19,0,0,0,0,,0,,,,0,0,0,0,,,no reports since 2025-03-27 (24 days),2025-03-27,24
weekly.example,attention,2025-04-13,2025-04-19,3,2,435,330,0.3182,405,0.9310,0.9091,0.0219,1,20,2,30,2025-04-13 p none -> quarantine,Gamma Mail,advise verdict changed: INSUFFICIENT DATA for p=quarantine -> INSUFFICIENT DATA for p=reject,2025-04-19,1"

# JSON: one object
report weekly --format json
expect_rc "json" 1
expect_eq "json valid" "$(sqlite3 :memory: "SELECT json_valid(readfile('$T/out'))")" 1
expect_eq "json week" "$(jq '$.week.start') $(jq '$.week.end') $(jq '$.previous.start') $(jq '$.previous.end')" \
    "2025-04-13 2025-04-19 2025-04-06 2025-04-12"
expect_eq "json domains" "$(sqlite3 :memory: "SELECT json_array_length(readfile('$T/out'), '\$.domains')")" 4
W='$.domains[3]'
expect_eq "json weekly.example" "$(jq "$W.domain")|$(jq "$W.status")|$(jq "$W.reports")|$(jq "$W.reporters")|$(jq "$W.messages")|$(jq "$W.dmarc_pass")|$(jq "$W.pass_rate")" \
    "weekly.example|attention|3|2|435|405|0.931"
expect_eq "json previous" "$(jq "$W.previous.messages")|$(jq "$W.previous.dmarc_pass")|$(jq "$W.previous.reporters")|$(jq "$W.messages_change")|$(jq "$W.pass_rate_change")" \
    "330|300|3|0.3182|0.0219"
expect_eq "json new source" "$(jq "$W.new_sources[0].source_ip")|$(jq "$W.new_sources[0].first_seen")|$(jq "$W.new_sources[0].messages")|$(jq "$W.new_sources[0].dmarc_fail")|$(jq "$W.new_sources_total")" \
    "203.0.113.9|2025-04-19|20|20|1"
expect_eq "json failing" "$(jq "$W.failing_sources[1].source_ip")|$(jq "$W.failing_sources[1].new")|$(jq "$W.failing_sources_total")|$(jq "$W.failing_messages")" \
    "198.51.100.7|0|2|30"
expect_eq "json policy change" "$(jq "$W.policy_changes[0].date")|$(jq "$W.policy_changes[0].reporters")|$(jq "$W.policy_changes[0].from.p")|$(jq "$W.policy_changes[0].to.p")|$(jq "$W.policy_changes[0].to.pct")" \
    "2025-04-13|2|none|quarantine|100"
expect_eq "json silent" "$(jq "$W.silent_reporters[0].reporter")|$(jq "$W.silent_reporters[0].reports")|$(jq "$W.silent_reporters[0].messages")|$(jq "$W.silent_reporters[0].last_report")" \
    "Gamma Mail|1|50|2025-04-06"
expect_eq "json ok.example" "$(jq '$.domains[1].status')|$(sqlite3 :memory: "SELECT json_array_length(readfile('$T/out'), '\$.domains[1].reasons')")" "ok|0"

# --domain: the week still ends today: policy.example's reports stopped
report weekly --domain policy.example
expect_rc "--domain, stale" 1
expect_eq "--domain title" "$(head -1 "$T/out")" \
    "DMARC weekly report: 2025-04-13 to 2025-04-19 (UTC), against 2025-04-06 to 2025-04-12"
expect_eq "--domain: stale, the only reason" "$(status | tail -1)" \
    "policy.example: ATTENTION no reports since 2025-03-27 (24 days)"
expect_match "--domain: empty week" "$OUT" "^  Messages +0   previous week 0$"
expect_eq "--domain: one domain" "$(grep -cE '^[a-z]+\.example$' "$T/out")" 1
report weekly --domain policy.example --format json
expect_eq "--domain json: stale" "$(jq '$.domains[0].stale')|$(jq '$.domains[0].newest_report')|$(jq '$.domains[0].days_since_report')|$(jq '$.domains[0].reasons[0]')" \
    "1|2025-03-27|24|no reports since 2025-03-27 (24 days)"
# the day after its last report: p back to none on 2025-03-25, the next
# step is quarantine again (to 2025-03-20 the latest report, Gamma's, said
# quarantine: next reject)
DMARC_NOW=2025-03-28 report weekly --domain policy.example
expect_rc "--domain, a day after" 1
expect_eq "--domain title, a day after" "$(head -1 "$T/out")" \
    "DMARC weekly report: 2025-03-21 to 2025-03-27 (UTC), against 2025-03-14 to 2025-03-20"
expect_match "--domain: p back to none" "$(status | tail -1)" \
    "^policy.example: ATTENTION advise verdict changed: INSUFFICIENT DATA for p=reject -> INSUFFICIENT DATA for p=quarantine$"
# nothing that needs attention: exit 0
DMARC_NOW=2025-04-20 report weekly --domain ok.example
expect_rc "ok.example alone" 0
expect_eq "ok.example alone: status" "$(status | tail -1)" "ok.example: OK 98.5% pass"

# tomorrow: the report of 2025-04-20 is in, the week moves by one day
DMARC_NOW=2025-04-21 report weekly --domain weekly.example --format csv
expect_eq "next day: window and volume" "$(sed -n 2p "$T/out" | cut -d, -f3,4,7,8)" \
    "2025-04-14,2025-04-20,$(raw messages weekly.example 2025-04-14 2025-04-21),$(raw messages weekly.example 2025-04-07 2025-04-14)"

# an unknown domain, nothing before today: exit 0, an empty result, and
# stderr says so
report weekly --domain nosuch.example
expect_rc "unknown domain text" 0
expect_eq "unknown domain text" "$OUT" "DMARC weekly report: no reports before 2025-04-20"
expect_eq "unknown domain named" "$ERR" "dmarc-report: no reports for nosuch.example before 2025-04-20"
DMARC_NOW=2025-02-01 report weekly
expect_rc "nothing before today" 0
expect_eq "nothing before today" "$OUT" "DMARC weekly report: no reports before 2025-02-01"
report weekly --domain nosuch.example --format json
expect_rc "unknown domain json" 0
expect_eq "unknown domain json" "$(sqlite3 :memory: "SELECT json_array_length(readfile('$T/out'), '\$.domains') || ' ' || json_extract(readfile('$T/out'), '\$.week.end')")" "0 2025-04-19"
report weekly --domain nosuch.example --format csv
expect_rc "unknown domain csv" 0
expect_eq "unknown domain csv: the header" "$(wc -l <"$T/out")" 1

# totals past 64 bits: exit 2 with a message, never a wrong number
fresh_db
mkdir "$T/big"
for day in 14 15; do
	sed -e 's/<count>100</<count>9223372036854775807</' -e "s/2025-04-08/big-$day/" \
	    "$DM_TEST_DATA/report-policy/ok.example!2025-04-08!alpha.xml" |
	    sed -e "s/<begin>1744070400</<begin>$(date -u -d 2025-04-$day +%s)</" >"$T/big/$day.xml"
done
ingest "$T/big"
for fmt in text csv; do
	report weekly --format "$fmt"
	expect_rc "overflow $fmt" 2
	expect_match "overflow message" "$ERR" "message totals overflow 64 bits"
	expect_eq "overflow: nothing printed" "$OUT" ""
done

done_tests
