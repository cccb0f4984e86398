#!/bin/bash
# SPDX-License-Identifier: MIT
# dmarc-report advise: classes, impact, verdicts, blockers, the next record,
# thresholds, exit statuses, JSON keys, 100 columns; and the bundled examples.
# Fixtures: tests/data/advise, one policy domain per scenario, two reports
# (Alpha, Beta) spanning 2025-05-10..2025-05-23 (14 days) unless said:
#   ready.example    p=none adkim=s; 192.0.2.1 901 (1 failing), 198.51.100.9 2
#                    failing without any pass (spoofer)
#   esp.example      p=none sp=none; own server 192.0.2.10 1800 pass; ESP
#                    87.253.232.5 50 failing (30 from news.esp.example), SPF
#                    pass bnc3.mailjet.com, DKIM pass mailjet.com; forwarder
#                    209.85.220.1 10 failing with reason forwarded; spoofer
#                    203.0.113.5 5 failing
#   partial.example  p=quarantine sp=none; 192.0.2.20 1100 pass; 192.0.2.21
#                    90 pass, 10 failing, 30 failing from mail.partial.example
#   small.example    one report (Alpha), one day, 50 messages
#   reject.example   p=reject aspf=s; 192.0.2.40 1000 pass; 198.51.100.40 12
#                    failing; 209.85.220.2 4 failing, reason other "arc=pass"
# DMARC_NOW=2025-05-25: the default window is 2025-04-26..2025-05-25; the
# reports cover up to 2025-05-23, 2 days before: not stale (stale.h) but
# for small.example.
. "$(dirname "$0")/lib.sh"
set -e
: "${DMARC_REPORT:?DMARC_REPORT must name the dmarc-report binary}"
export DMARC_NOW=2025-05-25

# jq PATH: a value of the JSON document in $T/out (sqlite3's JSON parser).
jq() {
	sqlite3 -batch -noheader :memory: "SELECT json_extract(readfile('$T/out'), '$1')"
}

# raw WHAT DOMAIN [IP]: messages (all, or failing) straight from the records.
raw() {
	local what='d.count' ip=''
	[ "$1" = fail ] && what="CASE WHEN d.dkim_aligned = 'pass' OR d.spf_aligned = 'pass' THEN 0 ELSE d.count END"
	[ $# -ge 3 ] && ip="AND d.source_ip = '$3'"
	q "SELECT ifnull(sum($what), 0) FROM record d JOIN report r ON r.id = d.report
	   WHERE r.domain = '$2' $ip"
}

ingest "$DM_TEST_DATA/advise"
expect_rc "ingest the fixtures" 0

# cross-checks of the hand figures against the raw records
expect_eq "raw esp volume" "$(raw all esp.example)" 1865          # 1000+30+800+20+10+5
expect_eq "raw esp failing" "$(raw fail esp.example)" 65          # 30+20+10+5
expect_eq "raw esp ESP failing" "$(raw fail esp.example 87.253.232.5)" 50
expect_eq "raw partial volume" "$(raw all partial.example)" 1230  # 600+90+10+500+30
expect_eq "raw partial failing" "$(raw fail partial.example)" 40  # 10+30
expect_eq "raw ready volume" "$(raw all ready.example)" 903       # 500+400+1+2
expect_eq "raw reject failing" "$(raw fail reject.example)" 16    # 12+4

# ---- ready: 1 legitimate failing of 903 = 0.11% < 0.5%; aligned source only
report advise --domain ready.example --format json
expect_rc "ready" 0
expect_eq "ready verdict" "$(jq '$[0].verdict')/$(jq '$[0].ready')/$(jq '$[0].next')" "ready/1/quarantine"
expect_eq "ready days/reporters/messages" "$(jq '$[0].days_covered')/$(jq '$[0].reporters')/$(jq '$[0].messages')" "14/2/903"
# quarantine: 1 (192.0.2.1, aligned) + 2 (spoofer) = 3
expect_eq "ready impact q" "$(jq '$[0].impact.quarantine.messages')/$(jq '$[0].impact.quarantine.legitimate')/$(jq '$[0].impact.quarantine.forwarded')/$(jq '$[0].impact.quarantine.unauthenticated')" "3/1/0/2"
expect_eq "ready classes" "$(jq '$[0].sources_by_class')" '{"aligned":1,"fixed":0,"forwarded":0,"partial":0,"misaligned":0,"unknown":0,"unauthenticated":1}'
expect_eq "ready no blockers" "$(sqlite3 -batch -noheader :memory: "SELECT json_array_length(json_extract(readfile('$T/out'), '\$[0].blockers'))")" 0
# strict adkim kept, sp=none followed p=none so it rises with p: not written
expect_eq "ready record" "$(jq '$[0].record_name') $(jq '$[0].record')" \
    "_dmarc.ready.example v=DMARC1; p=quarantine; adkim=s; rua=mailto:REPLACE-WITH-YOUR-RUA-ADDRESS"
for k in domain current verdict ready next blockers impact sources_by_class record record_name sources; do
	expect_eq "JSON key $k" "$(sqlite3 -batch -noheader :memory: "SELECT json_type(readfile('$T/out'), '\$[0].$k') IS NOT NULL")" 1
done
for k in p sp np pct testing; do
	expect_eq "JSON key current.$k" "$(sqlite3 -batch -noheader :memory: "SELECT json_type(readfile('$T/out'), '\$[0].current.$k') IS NOT NULL")" 1
done
report advise --domain ready.example
expect_match "ready text verdict first" "$(head -1 "$T/out")" "^ready.example: READY for p=quarantine"

# ---- not-ready, ESP: legitimate 50 of 1865 = 2.68% > 0.5%; the ESP's 50
# failing messages (30 of them from news.esp.example: sp follows p to
# quarantine, so they count) = share 0.0268 > 0.001
report advise --domain esp.example --format json
expect_rc "esp not ready" 1
expect_eq "esp verdict" "$(jq '$[0].verdict')/$(jq '$[0].ready')/$(jq '$[0].next')" "not-ready/0/quarantine"
# quarantine: 50 legitimate + 10 forwarded + 5 unauthenticated = 65
expect_eq "esp impact q" "$(jq '$[0].impact.quarantine.messages')/$(jq '$[0].impact.quarantine.legitimate')/$(jq '$[0].impact.quarantine.forwarded')/$(jq '$[0].impact.quarantine.unauthenticated')" "65/50/10/5"
expect_eq "esp impact r" "$(jq '$[0].impact.reject.messages')/$(jq '$[0].impact.reject.legitimate')" "65/50"
expect_eq "esp impact sources" "$(jq '$[0].impact.quarantine.sources.legitimate[0].source_ip')/$(jq '$[0].impact.quarantine.sources.forwarded[0].source_ip')" "87.253.232.5/209.85.220.1"
expect_eq "esp classes" "$(jq '$[0].sources_by_class')" '{"aligned":1,"fixed":0,"forwarded":1,"partial":0,"misaligned":1,"unknown":0,"unauthenticated":1}'
expect_eq "esp blocker" "$(jq '$[0].blockers[0].source_ip')/$(jq '$[0].blockers[0].messages')/$(jq '$[0].blockers[0].share')/$(jq '$[0].blockers[0].class')" "87.253.232.5/50/0.0268/misaligned"
expect_eq "esp blocker reason" "$(jq '$[0].blockers[0].reason')" "SPF pass for bnc3.mailjet.com, DKIM pass for mailjet.com: neither aligned with esp.example (mailjet.com is not under esp.example)"
# named without DNS by its DKIM domain mailjet.com, a known ESP
expect_eq "esp blocker sender" "$(jq '$[0].blockers[0].sender')" "Mailjet (ESP)"
expect_eq "esp blocker fix" "$(jq '$[0].blockers[0].fix')" "set up DKIM signing with d=esp.example in Mailjet (ESP), or a custom return-path under esp.example"
expect_eq "esp current" "$(jq '$[0].current')" '{"p":"none","sp":"none","np":"none","pct":100,"testing":"n","adkim":"r","aspf":"r","from":"reports"}'
# thresholds raised: 2.68% < 5% legitimate, 2.68% < 5% per source
report advise --domain esp.example --threshold max-legitimate=0.05 --threshold max-source=5% --format json
expect_rc "esp with thresholds" 0
expect_eq "esp with thresholds verdict" "$(jq '$[0].verdict')" ready
report advise --domain esp.example --threshold min-days=15
expect_rc "esp min-days=15" 1
expect_match "esp min-days=15 text" "$(head -1 "$T/out")" "^esp.example: INSUFFICIENT DATA to judge p=quarantine: 14 days covered \(want 15\)"
# --record: its rua, ruf and fo (with ruf) kept, adkim=s kept, aspf=r dropped
report advise --domain esp.example --format json \
    --record 'v=DMARC1; p=none; sp=none; rua=mailto:dmarc@esp.example; ruf=mailto:f@esp.example; fo=1; aspf=r; adkim=s'
expect_eq "esp --record" "$(jq '$[0].record')" \
    "v=DMARC1; p=quarantine; adkim=s; rua=mailto:dmarc@esp.example; ruf=mailto:f@esp.example; fo=1"
expect_eq "esp --record lint" "$(jq '$[0].record_lint.valid')/$(jq '$[0].current.from')" "1/record"
# fo without ruf is not carried; the linter's warning is shown
report advise --domain esp.example --record 'v=DMARC1; p=none; rua=mailto:d@esp.example; fo=1'
expect_match "esp --record fo dropped" "$OUT" "^  v=DMARC1; p=quarantine; rua=mailto:d@esp.example$"
expect_match "esp --record lint warning" "$OUT" "warning: tag fo"
report advise --domain esp.example
expect_match "esp text blocker why" "$OUT" "why: SPF pass for bnc3.mailjet.com, DKIM pass for mailjet.com"
expect_match "esp text blocker row" "$OUT" "^    87.253.232.5 +50 +50 +0.0% +2.68%$"
expect_match "esp text impact" "$OUT" "^p=quarantine +65 +50 +10 +0 +5$"
expect_match "esp text placeholder" "$OUT" "REPLACE-WITH-YOUR-RUA-ADDRESS"

# ---- partial.example's 192.0.2.21 never passes SPF for the domain and
# passes aligned DKIM on 90 of its 130 messages: from the reports alone a
# forwarder (plain forwarding keeps DKIM and breaks SPF), never a blocker
report advise --domain partial.example --format json
expect_rc "partial as a forwarder" 0
expect_eq "partial as a forwarder" "$(jq '$[0].verdict')/$(jq '$[0].sources_by_class.forwarded')/$(jq '$[0].impact.reject.forwarded')" "ready/1/10"
# named in the senders file it is the domain's own server: legitimate.
# not-ready: p=quarantine sp=none, next reject keeps sp=none, so the 30
# failing from mail.partial.example are not hit: legitimate 10 of 1230 =
# 0.81% > 0.5%; share 10/1230 = 0.0081
printf '192.0.2.21 Our app server\n' >"$T/senders"
report advise --domain partial.example --format json --senders "$T/senders"
expect_rc "partial" 1
expect_eq "partial verdict" "$(jq '$[0].verdict')/$(jq '$[0].next')" "not-ready/reject"
expect_eq "partial impact r" "$(jq '$[0].impact.reject.messages')/$(jq '$[0].impact.reject.legitimate')/$(jq '$[0].impact.reject.sp')" "10/10/none"
expect_eq "partial blocker" "$(jq '$[0].blockers[0].source_ip')/$(jq '$[0].blockers[0].messages')/$(jq '$[0].blockers[0].share')/$(jq '$[0].blockers[0].class')" "192.0.2.21/10/0.0081/partial"
expect_eq "partial record (sp, np differ from p)" "$(jq '$[0].record')" \
    "v=DMARC1; p=reject; sp=none; np=none; rua=mailto:REPLACE-WITH-YOUR-RUA-ADDRESS"
# a source passing 90 of 130 (69%) is aligned when aligned=0.6
report advise --domain partial.example --threshold aligned=0.6 --format json --senders "$T/senders"
expect_eq "partial aligned=0.6" "$(jq '$[0].sources_by_class.aligned')/$(jq '$[0].verdict')" "2/not-ready"

# ---- insufficient data: 1 day, 1 reporter, 50 messages
report advise --domain small.example --format json
expect_rc "small" 1
expect_eq "small verdict" "$(jq '$[0].verdict')/$(jq '$[0].days_covered')/$(jq '$[0].reporters')/$(jq '$[0].messages')" "insufficient-data/1/1/50"
report advise --domain small.example --threshold min-days=1 --threshold min-reporters=1 --threshold min-messages=50
expect_rc "small, thresholds lowered: ready, but stale" 1
# ... were it not for its one report, of 2025-05-10: 15 days without one
# is stale (stale.h: more than 3), which needs attention whatever the
# verdict
expect_match "small: ready" "$OUT" "^small\.example: READY for p=quarantine"
expect_match "small: stale" "$OUT" "^  No reports since 2025-05-10 \(15 days\): reports stopped coming"
report advise --domain small.example --format json
expect_eq "small: stale in JSON" "$(jq '$[0].newest_report')/$(jq '$[0].stale')" "2025-05-10/1"
report advise --domain ready.example --format json
expect_eq "ready: fresh (covered to 2025-05-23)" "$(jq '$[0].newest_report')/$(jq '$[0].stale')" "2025-05-23/0"
# a window in the past is history: never stale
report advise --domain small.example --until 2025-05-12 --format json
expect_eq "small, a past window: not judged" "$(jq '$[0].newest_report')/$(jq '$[0].stale')" "/0"

# ---- at-reject: reject blocks 16 = 12 unauthenticated + 4 forwarded (arc=pass)
report advise --domain reject.example --format json
expect_rc "reject" 0
expect_eq "reject verdict" "$(jq '$[0].verdict')/$(jq '$[0].next')/$(jq '$[0].ready')" "at-reject//0"
expect_eq "reject impact" "$(jq '$[0].impact.reject.messages')/$(jq '$[0].impact.reject.legitimate')/$(jq '$[0].impact.reject.forwarded')/$(jq '$[0].impact.reject.unauthenticated')" "16/0/4/12"
expect_eq "reject record (aspf=s kept)" "$(jq '$[0].record')" "v=DMARC1; p=reject; aspf=s; rua=mailto:REPLACE-WITH-YOUR-RUA-ADDRESS"

# ---- all domains: one not ready -> 1; text fits 100 columns
report advise
expect_rc "all domains" 1
expect_eq "text fits 100 columns" "$(awk 'length > 100' "$T/out")" ""
expect_eq "a block per domain" "$(grep -Ec '^[a-z]+\.example: ' "$T/out")" 5
report advise --domain ready.example --domain reject.example
expect_rc "ready and at-reject" 0

# ---- empty results, usage
report advise --domain nosuch.example --format json
expect_rc "unknown domain" 0
expect_eq "unknown domain json" "$OUT" "[]"
report advise --since 2024-01-01 --until 2024-02-01
expect_rc "empty window" 0
expect_eq "empty window text: nothing on stdout" "$OUT" ""
expect_eq "empty window text: stderr says so" "$ERR" "dmarc-report: no reports from 2024-01-01 to 2024-01-31"
report advise --threshold bogus=1
expect_rc "unknown threshold" 2
expect_match "unknown threshold message" "$ERR" "unknown threshold 'bogus'"
report advise --threshold aligned=2
expect_rc "bad threshold value" 2
report advise --record 'v=DMARC1; p=none'
expect_rc "--record without --domain" 2
report advise --domain a.example --domain b.example --record 'v=DMARC1; p=none'
expect_rc "--record with two domains" 2

# ---- the bundled examples: the Mailjet-like ESP blocks quarantine
EX="$(dirname "$0")/../../examples/dmarc-reports.mbox"
if [ -f "$EX" ]; then
	fresh_db
	ingest "$EX"
	DMARC_NOW=2025-06-23 report advise --format json
	expect_rc "examples" 1
	expect_eq "examples verdict" "$(jq '$[0].verdict')" not-ready
	expect_eq "examples: every Mailjet-like blocker is misaligned" \
	    "$(sqlite3 -batch -noheader :memory: "SELECT count(*) FROM json_each(json_extract(readfile('$T/out'), '\$[0].blockers')) WHERE json_extract(value, '\$.source_ip') LIKE '87.253.232.%' AND json_extract(value, '\$.class') <> 'misaligned'")" 0
	expect_eq "examples: the largest blocker" "$(jq '$[0].blockers[0].source_ip')/$(jq '$[0].blockers[0].class')" "87.253.232.71/misaligned"
	expect_match "examples: why" "$(jq '$[0].blockers[0].reason')" "^SPF pass for bnc3.mailjet.com, DKIM pass for mailjet.com"
	# impact: every failing message of the window (p=none sp=none: sp follows)
	expect_eq "examples impact = failing" "$(jq '$[0].impact.quarantine.messages')" "$(q "SELECT sum(CASE WHEN dkim_aligned = 'pass' OR spf_aligned = 'pass' THEN 0 ELSE count END) FROM record")"
	DMARC_NOW=2025-06-23 report advise
	expect_eq "examples text fits 100 columns" "$(awk 'length > 100' "$T/out")" ""
	# every blocker group starts with its sender, "no sender name" when
	# nothing names it, never with a bare class word
	expect_eq "examples: blocker groups are named" \
	    "$(grep -cE '^  \* (aligned|fixed|forwarded|partial|misaligned|unknown|unauthenticated)' "$T/out")" 0
	expect_match "examples: an unnamed group" "$OUT" '^  \* no sender name: misaligned, '
fi

done_tests
