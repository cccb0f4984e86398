#!/bin/bash
# SPDX-License-Identifier: MIT
# dmarc-report advise over time: senders named without DNS, fixed since a
# day, broken since a day, unknown and forwarded sources, the legitimate
# mail blocked at p=reject; every figure worked out by hand below.  The
# reports are written here, one per reporter (Google, Microsoft) and UTC
# day, both reporters with the same records; --no-dns throughout.
#
# company.dk, p=none, six weeks 2025-08-18 .. 2025-09-28 (42 days); per
# reporter and day:
#   192.0.2.25     100  the company's own server: DKIM and SPF company.dk;
#                       its DKIM selector s1 until 2025-09-14, s2 from 09-15
#   40.107.1.1      50  Office 365: DKIM company.dk and companydk.onmicrosoft.com
#   87.253.232.10   20  Mailjet: until 2025-09-07 DKIM mailjet.com, SPF
#                       bnc3.mailjet.com (misaligned); from 2025-09-08 DKIM
#                       d=company.dk (aligned), SPF still bnc3.mailjet.com
#   198.51.100.77   10  a mailing list: 6 keep the DKIM of company.dk
#                       (aligned), 4 with it broken; SPF pass for
#                       lists.example.org; no override reason (Microsoft-like)
#   203.0.113.9      5  a spammer passing SPF for its own domain spamvendor.org
#   198.51.100.200   3  a spoofer: SPF fail for company.dk, no DKIM
# A day: 188 per reporter, 376 in all; Mailjet 40, the list 8 failing, the
# spammer 10, the spoofer 6.
#
# broken.example, p=none, 2025-08-18 .. 2025-09-11 (25 days): 192.0.2.50,
# 100 per reporter and day, aligned until 2025-09-06; from 2025-09-07 its
# DKIM fails (a new key) and SPF fails (a new relay): broken since
# 2025-09-07.
#
# blocked.example, p=reject, 2025-09-01 .. 2025-09-14 (14 days): own server
# 192.0.2.60 100 aligned; Mailjet 87.253.232.20 10 misaligned, rejected.
. "$(dirname "$0")/lib.sh"
set -e
: "${DMARC_REPORT:?DMARC_REPORT must name the dmarc-report binary}"

jq() {
	sqlite3 -batch -noheader :memory: "SELECT json_extract(readfile('$T/out'), '$1')"
}
jlen() {
	sqlite3 -batch -noheader :memory: "SELECT json_array_length(json_extract(readfile('$T/out'), '$1'))"
}

# rec IP COUNT DKIM_ALIGNED SPF_ALIGNED DISPOSITION "DOM:RESULT[:SELECTOR]..." "DOM:RESULT..."
rec() {
	local d s dd dr ds
	printf '<record><row><source_ip>%s</source_ip><count>%s</count><policy_evaluated><disposition>%s</disposition><dkim>%s</dkim><spf>%s</spf></policy_evaluated></row>' "$1" "$2" "$5" "$3" "$4"
	printf '<identifiers><header_from>%s</header_from></identifiers><auth_results>' "$DOM"
	for d in $6; do
		IFS=: read -r dd dr ds <<<"$d"
		printf '<dkim><domain>%s</domain><selector>%s</selector><result>%s</result></dkim>' "$dd" "${ds:-s1}" "$dr"
	done
	for s in $7; do
		printf '<spf><domain>%s</domain><result>%s</result></spf>' "${s%%:*}" "${s##*:}"
	done
	printf '</auth_results></record>\n'
}

# report ORG DAY POLICY RECORDS: one report file for $DOM.
mkreport() {
	local b
	b=$(date -u -d "$2" +%s)
	{
		printf '<?xml version="1.0"?>\n<feedback><report_metadata><org_name>%s</org_name><email>d@%s</email>' "$1" "$1"
		printf '<report_id>%s-%s-%s</report_id><date_range><begin>%s</begin><end>%s</end></date_range></report_metadata>\n' "$DOM" "$1" "$2" "$b" $((b + 86400))
		printf '<policy_published><domain>%s</domain><p>%s</p><pct>100</pct></policy_published>\n' "$DOM" "$3"
		printf '%s\n</feedback>\n' "$4"
	} >"$T/reports/$DOM-$1-$2.xml"
}

mkdir -p "$T/reports"
day() { date -u -d "$1 + $2 days" +%F; }

DOM=company.dk
for i in $(seq 0 41); do
	D=$(day 2025-08-18 "$i")
	# the own server's DKIM key rotates from s1 to s2 on 2025-09-15
	SEL=s1
	[ "$i" -ge 28 ] && SEL=s2
	R="$(rec 192.0.2.25 100 pass pass none "company.dk:pass:$SEL" "company.dk:pass")"
	R="$R$(rec 40.107.1.1 50 pass pass none "company.dk:pass companydk.onmicrosoft.com:pass" "company.dk:pass")"
	if [ "$i" -lt 21 ]; then
		R="$R$(rec 87.253.232.10 20 fail fail none "mailjet.com:pass" "bnc3.mailjet.com:pass")"
	else
		R="$R$(rec 87.253.232.10 20 pass fail none "company.dk:pass" "bnc3.mailjet.com:pass")"
	fi
	R="$R$(rec 198.51.100.77 6 pass fail none "company.dk:pass" "lists.example.org:pass")"
	R="$R$(rec 198.51.100.77 4 fail fail none "company.dk:fail" "lists.example.org:pass")"
	R="$R$(rec 203.0.113.9 5 fail fail none "" "spamvendor.org:pass")"
	R="$R$(rec 198.51.100.200 3 fail fail none "" "company.dk:fail")"
	mkreport google.com "$D" none "$R"
	mkreport Microsoft "$D" none "$R"
done
DOM=broken.example
for i in $(seq 0 24); do
	D=$(day 2025-08-18 "$i")
	if [ "$i" -lt 20 ]; then
		R="$(rec 192.0.2.50 100 pass pass none "broken.example:pass" "broken.example:pass")"
	else
		R="$(rec 192.0.2.50 100 fail fail none "broken.example:fail" "broken.example:fail")"
	fi
	mkreport google.com "$D" none "$R"
	mkreport Microsoft "$D" none "$R"
done
DOM=blocked.example
for i in $(seq 0 13); do
	D=$(day 2025-09-01 "$i")
	R="$(rec 192.0.2.60 100 pass pass none "blocked.example:pass" "blocked.example:pass")"
	R="$R$(rec 87.253.232.20 10 fail fail reject "mailjet.com:pass" "bnc3.mailjet.com:pass")"
	mkreport google.com "$D" reject "$R"
	mkreport Microsoft "$D" reject "$R"
done
ingest "$T/reports"
expect_rc "ingest the story" 0
expect_eq "raw: company.dk volume" "$(q "SELECT sum(count) FROM record d JOIN report r ON r.id = d.report WHERE r.domain = 'company.dk'")" 15792  # 42*376
expect_eq "raw: Mailjet failing" "$(q "SELECT sum(count) FROM record WHERE source_ip = '87.253.232.10' AND dkim_aligned = 'fail' AND spf_aligned = 'fail'")" 840  # 21*40

# ---- 2025-09-07, the day before the fix.  Window 2025-08-09..2025-09-07:
# data 2025-08-18..09-07, 21 days, 21*376 = 7,896 messages.  Legitimate
# failing: Mailjet 21*40 = 840 = 10.64% > 0.5%: NOT READY, Mailjet named
# without DNS from its DKIM domain mailjet.com.  Forwarded 21*8 = 168,
# unknown 21*10 = 210, unauthenticated 21*6 = 126.
export DMARC_NOW=2025-09-07
report advise --domain company.dk --no-dns --format json
expect_rc "before the fix: not ready" 1
expect_eq "before: verdict" "$(jq '$[0].verdict')/$(jq '$[0].messages')/$(jq '$[0].legitimate_failing_now')" "not-ready/7896/840"
expect_eq "before: blocker" "$(jq '$[0].blockers[0].source_ip')/$(jq '$[0].blockers[0].sender')/$(jq '$[0].blockers[0].class')/$(jq '$[0].blockers[0].messages')" "87.253.232.10/Mailjet (ESP)/misaligned/840"
expect_eq "before: one blocker" "$(jlen '$[0].blockers')" 1
expect_eq "before: fix" "$(jq '$[0].blockers[0].fix')" "set up DKIM signing with d=company.dk in Mailjet (ESP), or a custom return-path under company.dk"
expect_eq "before: impact q" "$(jq '$[0].impact.quarantine.messages')/$(jq '$[0].impact.quarantine.legitimate')/$(jq '$[0].impact.quarantine.forwarded')/$(jq '$[0].impact.quarantine.unknown')/$(jq '$[0].impact.quarantine.unauthenticated')" "1344/840/168/210/126"
expect_eq "before: classes" "$(jq '$[0].sources_by_class')" '{"aligned":2,"fixed":0,"forwarded":1,"partial":0,"misaligned":1,"unknown":1,"unauthenticated":1}'
expect_eq "before: the list is forwarded" "$(jq '$[0].sources.forwarded[0].source_ip')" "198.51.100.77"
expect_eq "before: the spammer is unknown" "$(jq '$[0].sources.unknown[0].source_ip')" "203.0.113.9"
expect_eq "before: nothing fixed yet" "$(jlen '$[0].fixed')/$(jlen '$[0].settling')/$(jlen '$[0].broken')" "0/0/0"
expect_eq "before: Office 365 named" "$(sqlite3 -batch -noheader :memory: "SELECT json_extract(value, '\$.class') FROM json_each(json_extract(readfile('$T/out'), '\$[0].senders')) WHERE json_extract(value, '\$.sender') = 'Microsoft 365'")" aligned
report advise --domain company.dk --no-dns
expect_match "before: text verdict" "$(head -1 "$T/out")" "^company.dk: NOT READY for p=quarantine: 840 legitimate messages would fail \(10.64%, limit 0.50%\)$"
expect_match "before: text blocker names Mailjet" "$OUT" "^  \* Mailjet \(ESP\): misaligned, 1 source, 840 failing messages"
expect_match "before: text review of the spammer" "$OUT" "FOR REVIEW: 1 unknown source, 210 messages"
expect_match "before: text, the list" "$OUT" "^Forwarded: 1 source, 168 failing messages: mailing lists"
expect_eq "before: no SPF advice for the list" "$(grep -c 'add this server' "$T/out")" 0
expect_eq "before: text fits 100 columns" "$(awk 'length > 100' "$T/out")" ""

# ---- 2025-09-10: Mailjet aligned since 2025-09-08, 3 days of 7: its 840
# earlier failures still count (window 2025-08-12..09-10, 24 days).
export DMARC_NOW=2025-09-10
report advise --domain company.dk --no-dns --format json
expect_rc "settling: not ready" 1
expect_eq "settling: verdict" "$(jq '$[0].verdict')/$(jq '$[0].legitimate_failing_now')" "not-ready/840"
expect_eq "settling: sender" "$(jq '$[0].settling[0].sender')/$(jq '$[0].settling[0].since')/$(jq '$[0].settling[0].days')/$(jq '$[0].settling[0].failing_before')" "Mailjet (ESP)/2025-09-08/3/840"
expect_match "settling: the blocker's fix says to wait" "$(jq '$[0].blockers[0].fix')" \
    "^nothing more if the change of 2025-09-08 covers all its mail: its earlier failures stop counting once it has passed for 7 days"
report advise --domain company.dk --no-dns
expect_match "settling: text" "$OUT" "Mailjet \(ESP\): aligned since 2025-09-08, for 3 days: not settled yet"

# ---- 2025-09-14: aligned 2025-09-08..09-14, 7 days: fixed since
# 2025-09-08; window 2025-08-16..09-14: all 840 failing came before; 7*40 =
# 280 messages since, all passing.  Legitimate failing now: 0: READY.
export DMARC_NOW=2025-09-14
report advise --domain company.dk --no-dns --format json
expect_rc "settled: ready" 0
expect_eq "settled: verdict" "$(jq '$[0].verdict')/$(jq '$[0].legitimate_failing_now')/$(jlen '$[0].blockers')" "ready/0/0"
expect_eq "settled: fixed" "$(jq '$[0].fixed[0].sender')/$(jq '$[0].fixed[0].since')/$(jq '$[0].fixed[0].messages_since')/$(jq '$[0].fixed[0].failing_before')" "Mailjet (ESP)/2025-09-08/280/840"
expect_eq "settled: Mailjet's source is fixed" "$(jq '$[0].sources.fixed[0].source_ip')" "87.253.232.10"
# the window's impact keeps the 840; since the change (2025-09-08, 7
# days): forwarded 56, unknown 70, unauthenticated 42
expect_eq "settled: impact over the window" "$(jq '$[0].impact.quarantine.legitimate')" 840
expect_eq "settled: impact_current" "$(jq '$[0].impact_current.since')/$(jq '$[0].impact_current.quarantine.messages')/$(jq '$[0].impact_current.quarantine.legitimate')/$(jq '$[0].impact_current.quarantine.forwarded')/$(jq '$[0].impact_current.quarantine.unknown')/$(jq '$[0].impact_current.quarantine.unauthenticated')" "2025-09-08/168/0/56/70/42"

# ---- 2025-09-28, six weeks: window 2025-08-30..09-28 (30 days, 11,280
# messages); 9 days of Mailjet failures in it (9*40 = 360), fixed since
# 2025-09-08 for 21 days, 21*40 = 840 messages since.
export DMARC_NOW=2025-09-28
report advise --domain company.dk --no-dns --format json
expect_rc "six weeks: ready" 0
expect_eq "six weeks: verdict" "$(jq '$[0].verdict')/$(jq '$[0].messages')/$(jq '$[0].next')" "ready/11280/quarantine"
expect_eq "six weeks: fixed" "$(jq '$[0].fixed[0].since')/$(jq '$[0].fixed[0].days')/$(jq '$[0].fixed[0].messages_since')/$(jq '$[0].fixed[0].failing_before')" "2025-09-08/21/840/360"
report advise --domain company.dk --no-dns
expect_match "six weeks: text verdict" "$(head -1 "$T/out")" "^company.dk: READY for p=quarantine: 0 legitimate messages would fail"
expect_match "six weeks: text history" "$OUT" "Mailjet \(ESP\): fixed since 2025-09-08, aligned 100.0% for 21 days; 360 failing"
expect_eq "six weeks: text fits 100 columns" "$(awk 'length > 100' "$T/out")" ""
# a longer settled-days: 21 days are not 30: still counted
report advise --domain company.dk --no-dns --threshold settled-days=30 --format json
expect_eq "settled-days=30" "$(jq '$[0].verdict')/$(jq '$[0].legitimate_failing_now')" "not-ready/360"

# ---- broken.example on 2025-09-11: aligned 2025-08-18..09-06 (20 days),
# failing 2025-09-07..09-11: 5*200 = 1,000 failing of 25*200 = 5,000 =
# 20% > 0.5%: NOT READY, a regression since 2025-09-07.
export DMARC_NOW=2025-09-11
report advise --domain broken.example --no-dns --format json
expect_rc "broken: not ready" 1
expect_eq "broken: verdict" "$(jq '$[0].verdict')/$(jq '$[0].legitimate_failing_now')" "not-ready/1000"
expect_eq "broken: blocker" "$(jq '$[0].blockers[0].source_ip')/$(jq '$[0].blockers[0].regression')/$(jq '$[0].blockers[0].since')/$(jq '$[0].blockers[0].class')" "192.0.2.50/1/2025-09-07/partial"
expect_match "broken: fix" "$(jq '$[0].blockers[0].fix')" "^check the DKIM key or SPF record changed around 2025-09-07"
expect_eq "broken: listed" "$(jq '$[0].broken[0].sender')/$(jq '$[0].broken[0].since')" "192.0.2.50/2025-09-07"
report advise --domain broken.example --no-dns
expect_match "broken: text" "$OUT" "192.0.2.50: broken since 2025-09-07"
expect_match "broken: text blocker" "$OUT" "partial, a regression, 1 source, 1,000 failing messages"

# ---- blocked.example on 2025-09-14, p=reject: Mailjet's 14*20 = 280
# messages were rejected: legitimate mail blocked now.
export DMARC_NOW=2025-09-14
report advise --domain blocked.example --no-dns --format json
expect_rc "at reject" 0
expect_eq "at reject: verdict" "$(jq '$[0].verdict')" "at-reject"
expect_eq "at reject: blocked" "$(jlen '$[0].blocked_legitimate')/$(jq '$[0].blocked_legitimate[0].source_ip')/$(jq '$[0].blocked_legitimate[0].sender')/$(jq '$[0].blocked_legitimate[0].messages')" "1/87.253.232.20/Mailjet (ESP)/280"
expect_eq "at reject: fix" "$(jq '$[0].blocked_legitimate[0].fix')" "set up DKIM signing with d=blocked.example in Mailjet (ESP), or a custom return-path under blocked.example"
report advise --domain blocked.example --no-dns
expect_match "at reject: text" "$OUT" "^BLOCKED NOW under p=reject: 280 legitimate messages quarantined or rejected"

# ---- senders on 2025-09-28: the default window is 8 weeks, 2025-08-04 ..
# 2025-09-28 (weeks from 08-04; data from 08-18: two weeks without mail)
export DMARC_NOW=2025-09-28
report senders --domain company.dk --no-dns --format json
expect_rc "senders json" 0
expect_eq "senders: window" "$(jq '$[0].window.since')/$(jq '$[0].window.until')/$(jlen '$[0].senders')" "2025-08-04/2025-09-28/6"
# most messages first: the own server 42*200 = 8,400, Office 365 4,200,
# Mailjet 1,680 (840 passing), the list 840, the spammer 420, the spoofer 252
S='$[0].senders'
expect_eq "senders: order" "$(sqlite3 -batch -noheader :memory: "SELECT group_concat(json_extract(value, '\$.sender'), '|') FROM json_each(json_extract(readfile('$T/out'), '$S'))")" \
    "192.0.2.25|Microsoft 365|Mailjet (ESP)|example.org|spamvendor.org|198.51.100.200"
expect_eq "senders: Mailjet" "$(jq "$S[2].state")/$(jq "$S[2].since")/$(jq "$S[2].messages")/$(jq "$S[2].dmarc_pass")" "fixed since 2025-09-08/2025-09-08/1680/840"
# 8 weeks; week 3 (2025-08-25..31): 7*40 failing; week 6 (09-15..21): 280 passing
expect_eq "senders: Mailjet weeks" "$(jlen "$S[2].weeks")/$(jq "$S[2].weeks[0].messages")/$(jq "$S[2].weeks[3].start")/$(jq "$S[2].weeks[3].dmarc_pass")/$(jq "$S[2].weeks[6].dmarc_pass")" "8/0/2025-08-25/0/280"
expect_eq "senders: Mailjet days" "$(jlen "$S[2].days")/$(jq "$S[2].days[21].day")/$(jq "$S[2].days[21].dmarc_pass")/$(jq "$S[2].days[20].dmarc_pass")" "42/2025-09-08/40/0"
expect_eq "senders: Mailjet per source IP" "$(jq "$S[2].source_days[0].source_ip")/$(jq "$S[2].source_days[0].class")/$(jlen "$S[2].source_days[0].days")/$(jq "$S[2].source_days[0].days[0].day")/$(jq "$S[2].source_days[0].days[0].messages")" "87.253.232.10/fixed/42/2025-08-18/40"
# its DKIM: mailjet.com until 09-07, company.dk from 09-08
expect_eq "senders: Mailjet DKIM" "$(jq "$S[2].dkim[0].domain")/$(jq "$S[2].dkim[0].last")/$(jq "$S[2].dkim[1].domain")/$(jq "$S[2].dkim[1].first")/$(jq "$S[2].spf[0].domain")" "mailjet.com/2025-09-07/company.dk/2025-09-08/bnc3.mailjet.com"
# the key rotation of the own server: s1 08-18..09-14 (28 days), s2 09-15..09-28
expect_eq "senders: key rotation" "$(jq "$S[0].dkim[0].selector")/$(jq "$S[0].dkim[0].first")/$(jq "$S[0].dkim[0].last")/$(jq "$S[0].dkim[0].messages")/$(jq "$S[0].dkim[1].selector")/$(jq "$S[0].dkim[1].first")/$(jq "$S[0].dkim[1].last")" "s1/2025-08-18/2025-09-14/5600/s2/2025-09-15/2025-09-28"
expect_eq "senders: states" "$(jq "$S[3].state")/$(jq "$S[4].state")/$(jq "$S[5].state")" "forwarded/unknown/unauthenticated"
report senders --domain company.dk --no-dns
expect_rc "senders text" 0
expect_match "senders: text row" "$OUT" "^Mailjet \(ESP\) +fixed since 2025-09-08 +1 +1,680 +50.0% +··▁▁▁███$"
expect_match "senders: text rotation" "$OUT" "^  192.0.2.25: DKIM company.dk s1 08-18..09-14, company.dk s2 09-15..09-28; SPF company.dk$"
expect_eq "senders: text fits 100 columns" "$(awk 'length > 100' "$T/out")" ""
report senders --domain company.dk --no-dns --top 2
expect_match "senders --top" "$OUT" "^  \+4 more \(--top\)$"
expect_eq "senders --top: two rows" "$(grep -cE '^(192.0.2.25|Microsoft 365) ' "$T/out")" 2
report senders --domain broken.example --no-dns --format csv
expect_eq "senders csv header" "$(head -1 "$T/out")" "domain,sender,state,class,since,sources,source_ips,messages,dmarc_pass,pass_rate,week_start,weekly_pass_rate,dkim_selectors,spf_domains"
# broken.example to 2025-09-28: 08-18..09-06 aligned (20*200), 09-07..09-11 failing
expect_eq "senders csv: broken" "$(sed -n 2p "$T/out" | cut -d, -f1-10)" "broken.example,192.0.2.50,broken since 2025-09-07,partial,2025-09-07,1,192.0.2.50,5000,4000,0.8000"

# ---- weekly: ATTENTION only for what needs action
wstatus() { grep -E "^$1: (OK|ATTENTION)" "$T/out"; }
# the week 2025-09-08..14: over the 30 days to 09-07 NOT READY (Mailjet),
# to 09-14 READY (Mailjet fixed since 09-08)
DMARC_NOW=2025-09-15 report weekly --domain company.dk --no-dns
expect_eq "weekly: the verdict changed" "$(wstatus company.dk)" \
    "company.dk: ATTENTION advise verdict changed: NOT READY for p=quarantine -> READY for p=quarantine"
# the week 2025-09-22..28: READY both weeks; the spammer, the spoofer and
# the list fail every day (24 of 376): not news.  Pass 352/376 = 93.6%
DMARC_NOW=2025-09-29 report weekly --domain company.dk --no-dns
expect_rc "weekly: nothing to do" 0
expect_eq "weekly: nothing to do" "$(wstatus company.dk)" "company.dk: OK 93.6% pass"
# the week 2025-09-05..11: READY to 09-04 (18 days, all aligned), NOT
# READY to 09-11; the own server broken since 09-07; the pass rate fell
# from 100% (08-29..09-04) to 2*200/7*200 = 400/1400 = 28.6%
DMARC_NOW=2025-09-12 report weekly --domain broken.example --no-dns
expect_rc "weekly: a broken sender" 1
expect_eq "weekly: a broken sender" "$(wstatus broken.example)" \
    "broken.example: ATTENTION DMARC pass rate fell from 100.0% to 28.6%; advise verdict changed: READY for p=quarantine -> NOT READY for p=quarantine; 192.0.2.50 broken since 2025-09-07"
# the week 2025-09-08..14 at p=reject: Mailjet's 7*20 = 140 rejected
DMARC_NOW=2025-09-15 report weekly --domain blocked.example --no-dns
expect_eq "weekly: legitimate mail rejected" "$(wstatus blocked.example)" \
    "blocked.example: ATTENTION 140 legitimate messages quarantined or rejected (most: Mailjet (ESP))"

done_tests
