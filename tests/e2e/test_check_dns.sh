#!/bin/bash
# SPDX-License-Identifier: MIT
# dmarc-report check-dns against tests/tools/dns-responder on 127.0.0.1
# serving tests/data/checkdns/zone plus DKIM keys made here with openssl:
# DMARC at the right name (misplaced at dmarc., typed twice, at the apex,
# two records, split, the organizational domain's, outside rua hosts), SPF
# (11 lookups, a redirect loop, void lookups, +all, ptr, two records, a
# record of two strings), DKIM (512 and 2048 bits, a 415-byte record split
# in two strings, revoked, t=y, CNAME, a selector the reports show that is
# gone), the hints from a report, exit statuses 0/1/2/4.  No network.
. "$(dirname "$0")/lib.sh"
set -e
: "${DMARC_REPORT:?DMARC_REPORT must name the dmarc-report binary}"
RESPONDER=${DM_DNS_RESPONDER:-$(dirname "$DMARC_REPORT")/tests/dns-responder}
if ! command -v openssl >/dev/null; then
	echo "SKIP: openssl (scripts/deps.sh installs it) is not installed"
	exit 77
fi

# the zone, with keys generated now
ZONE="$T/zone"
cp "$DM_TEST_DATA/checkdns/zone" "$ZONE"
openssl genrsa -out "$T/k512.pem" 512 2>/dev/null
openssl genrsa -out "$T/k2048.pem" 2048 2>/dev/null
K512=$(openssl rsa -in "$T/k512.pem" -pubout -outform DER 2>/dev/null | base64 -w0)
K2048=$(openssl rsa -in "$T/k2048.pem" -pubout -outform DER 2>/dev/null | base64 -w0)
expect_eq "a 2048-bit key is 392 base64 characters" "${#K2048}" 392
{
	echo "TXT k512._domainkey.keys.test \"v=DKIM1; k=rsa; p=$K512\""
	# 415 bytes in one quoted string: the responder sends 255 + 160
	echo "TXT k2048._domainkey.keys.test \"v=DKIM1; k=rsa; t=y; p=$K2048\""
	echo "TXT kcname.keys.example.net \"v=DKIM1; k=rsa; p=$K2048\""
	echo "TXT mail2024._domainkey.gen.test \"v=DKIM1; k=rsa; p=$K2048\""
	echo "TXT selector1-gen-test._domainkey.gen.onmicrosoft.com \"v=DKIM1; k=rsa; p=$K2048\""
} >>"$ZONE"

# start_responder PORTFILE: a private responder; sets RPID and PORT (all
# are killed at the end, by PID)
PIDS=""
start_responder() {
	"$RESPONDER" --max-seconds 300 "$1" "$ZONE" &
	RPID=$!
	PIDS="$PIDS $RPID"
	for _ in $(seq 1 500); do
		[ -s "$1" ] && break
		sleep 0.01
	done
	PORT=$(cat "$1")
}
start_responder "$T/port"
trap 'for p in $PIDS; do kill -KILL "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$T"' EXIT
SERVER="127.0.0.1:$PORT"

# dns ARGS...: check-dns against the responder; sets RC, OUT (wrapped
# messages joined back into one line each: continuation lines are indented
# 11 columns, 4 among the hints), RAW (as printed), ERR
dns() {
	set +e
	"$DMARC_REPORT" --db "$DB" check-dns --dns-server "$SERVER" "$@" \
	    >"$T/out" 2>"$T/err"
	RC=$?
	set -e
	RAW=$(cat "$T/out")
	OUT=$(awk '/^Against the reports/ { hints = 1 }
	    (/^           [^ ]/ || (hints && /^    [^ ]/)) && NR > 1 {
		sub(/^ +/, ""); line = line " " $0; next }
	    NR > 1 { print line } { line = $0 } END { if (NR) print line }' "$T/out")
	ERR=$(cat "$T/err")
}

# all well, no database: exactly this
dns good.test
expect_rc "good.test" 0
expect_eq "good.test" "$RAW" "DMARC  _dmarc.good.test
  record:  v=DMARC1; p=reject; rua=mailto:dmarc@good.test,mailto:agg@reports.example.net
  reports to reports.example.net: authorized
  verdict: OK

SPF  good.test
  record:  v=spf1 ip4:192.0.2.0/24 include:_spf.good.test -all
  lookups: 1 of 10, void lookups 0 of 2
  verdict: OK
  tree (DNS lookups: each include or redirect with all below it):
    good.test                                          1
      include:_spf.good.test                           1

DKIM  not checked: the selectors come from the reports, which were not read

good.test: OK, 0 errors, 0 warnings"
expect_eq "good.test: no stderr" "$ERR" ""
[ ! -e "$DB" ] || fail "check-dns created a database"
OUT=$RAW widths_ok "good.test"

# a subdomain without a record: the organizational domain's
dns sub.good.test
expect_rc "sub.good.test" 0
expect_match "sub.good.test: found at the org domain" "$OUT" "^DMARC  _dmarc\.good\.test$"
expect_match "sub.good.test: said so" "$OUT" "no record at the domain itself"

# the usual mistakes
dns misplaced.test
expect_rc "misplaced.test" 1
expect_eq "misplaced.test: error" "$(printf '%s\n' "$OUT" | grep -c 'error:')" 1
expect_match "misplaced.test" "$OUT" "error:   a DMARC record is published at dmarc\.misplaced\.test, where no receiver"
expect_match "misplaced.test: the fix" "$OUT" "publish it at _dmarc\.misplaced\.test$"
dns --format json misplaced.test
expect_rc "misplaced.test json" 1
expect_match "misplaced.test json" "$OUT" '"found": false'
expect_match "misplaced.test json" "$OUT" '"misplaced": \["dmarc\.misplaced\.test"\]'
dns twice.test
expect_rc "twice.test" 1
expect_match "twice.test" "$OUT" "published at _dmarc\.twice\.test\.twice\.test, .*typed twice"
dns apex.test
expect_rc "apex.test" 1
expect_match "apex.test" "$OUT" "published at apex\.test, where no receiver looks"
dns two.test
expect_rc "two.test" 1
expect_match "two.test" "$OUT" "error:   _dmarc\.two\.test: 2 DMARC records: receivers ignore them all"
expect_eq "two.test: one error" "$(printf '%s\n' "$OUT" | grep -c 'error:')" 1
dns split.test
expect_rc "split.test" 1
expect_match "split.test: the record read" "$OUT" "record:  v=DMARC1; p=quarantine;$"
expect_match "split.test" "$OUT" "split over 2 TXT records"
dns ext.test
expect_rc "ext.test" 1
expect_match "ext.test" "$OUT" "reports to other\.example\.org: NOT authorized"
expect_match "ext.test" "$OUT" "no v=DMARC1 record at"
expect_match "ext.test" "$OUT" "ext\.test\._report\._dmarc\.other\.example\.org"
dns twospf.test
expect_rc "twospf.test" 1
expect_match "twospf.test: no DMARC" "$OUT" "error:   no DMARC record at _dmarc\.twospf\.test"
expect_match "twospf.test: two SPF" "$OUT" "error:   twospf\.test: 2 SPF records: permerror"

# SPF: 11 lookups (3 at the top, i1 3, i2 2, i3 3: a, a:h1, a:h2)
dns spf11.test
expect_rc "spf11.test" 1
expect_match "spf11.test" "$OUT" "^  lookups: 11 of 10, void lookups 0 of 2$"
expect_match "spf11.test" "$OUT" "error:   11 DNS lookups .*over the limit of 10"
expect_match "spf11.test: tree i1" "$OUT" "^      include:i1\.spf11\.test +4$"
expect_match "spf11.test: tree i2" "$OUT" "^      include:i2\.spf11\.test +3$"
expect_match "spf11.test: tree i3" "$OUT" "^      include:i3\.spf11\.test +4$"
expect_match "spf11.test: tree i8" "$OUT" "^        include:i8\.spf11\.test +1$"
dns --format json spf11.test
expect_match "spf11.test json" "$OUT" '"lookups": 11, "void_lookups": 0'
expect_eq "spf11.test json: 8 includes" "$(printf '%s\n' "$OUT" | grep -c '"via": "include"')" 8
# a redirect loop: loop.test -> r.loop.test -> loop.test
dns loop.test
expect_rc "loop.test" 1
expect_match "loop.test" "$OUT" "error:   redirect=loop\.test: a loop: loop\.test is already being evaluated"
expect_match "loop.test" "$OUT" "^  lookups: 2 of 10"
# ptr, two void a, a void mx, +all, a bad ip4 in an include
dns bad.test
expect_rc "bad.test" 1
expect_match "bad.test" "$OUT" "^  lookups: 5 of 10, void lookups 3 of 2$"
expect_match "bad.test: +all" "$OUT" "error:   bad\.test: \+all lets every server"
expect_match "bad.test: void" "$OUT" "error:   3 void lookups, over the limit of 2"
expect_match "bad.test: ptr" "$OUT" "warning: bad\.test: ptr is slow"
expect_match "bad.test: ip4" "$OUT" "include:inc\.bad\.test: 'ip4:192\.0\.2\.300' is not a valid ip4"
expect_match "bad.test" "$OUT" "^bad\.test: NEEDS ATTENTION, 3 errors, 4 warnings$"
# two character-strings, joined without a space
dns multi.test
expect_rc "multi.test" 0
expect_match "multi.test" "$OUT" "^  record:  v=spf1 ip4:192\.0\.2\.0/24 include:_spf\.good\.test -all$"
# SERVFAIL
dns fail.test
expect_rc "fail.test" 1
expect_match "fail.test" "$OUT" "_dmarc\.fail\.test: the DNS server failed \(SERVFAIL\)"

# DNS that cannot be asked: a port nobody listens on, a server that does
# not answer in time
FIRST=$RPID
start_responder "$T/port2"
kill "$RPID"
wait "$RPID" 2>/dev/null || true
DEAD=$PORT
start_responder "$T/port3"
kill -STOP "$RPID"	# it receives, it never answers
STOPPED=$RPID
SILENT=$PORT
RPID=$FIRST
PORT=$(cat "$T/port")
set +e
"$DMARC_REPORT" --db "$DB" check-dns --dns-server "127.0.0.1:$DEAD" good.test >"$T/out" 2>"$T/err"
RC=$?
set -e
ERR=$(cat "$T/err")
expect_rc "dead server" 4
expect_eq "dead server: no output" "$(cat "$T/out")" ""
expect_match "dead server" "$ERR" "^dmarc-report: check-dns: DNS could not be asked: 127\.0\.0\.1:$DEAD did not answer"
set +e
"$DMARC_REPORT" --db "$DB" check-dns --dns-timeout 1 --dns-server "127.0.0.1:$SILENT" good.test >"$T/out" 2>"$T/err"
RC=$?
set -e
ERR=$(cat "$T/err")
expect_rc "silent server" 4
expect_eq "silent server: no output" "$(cat "$T/out")" ""
expect_match "silent server" "$ERR" "^dmarc-report: check-dns: DNS could not be asked: 127\.0\.0\.1:$SILENT did not answer"
kill -KILL "$STOPPED"
wait "$STOPPED" 2>/dev/null || true
# one name that never gets an answer in time: an error for that record,
# the rest is checked
dns --dns-timeout 1 slow.test
expect_rc "slow name" 1
expect_match "slow name" "$OUT" "error:   _dmarc\.slow\.test: no answer from the DNS server \(timeout\)"
expect_match "slow name: SPF checked" "$OUT" "^SPF  slow\.test$"
dns --dns-server nonsense good.test
expect_rc "a --dns-server c-ares cannot read" 2

# usage
dns
expect_rc "no domain" 2
dns 'exa mple.com'
expect_rc "bad domain" 2
expect_match "bad domain" "$ERR" "'exa mple\.com' is not a domain name"
dns --format csv good.test
expect_rc "csv" 2

# against the reports: one report of keys.test (2026-01-05), names from the
# fixture.  Selectors with d=keys.test, by DKIM-passing messages:
#   k2048 300 passed; selector1 120 + 30 (Selector1) = 150 passed, from
#   Microsoft 365; kcname 7 passed; k512 45 messages, 0 passed; revoked 7, 0
# SPF failing for keys.test: 40.107.4.216 120 + 40.107.4.217 30 = 150
# (Microsoft 365), 87.253.232.71 45 (Mailjet); 192.0.2.x pass.
ingest --quiet "$DM_TEST_DATA/checkdns/keys-report.xml"
expect_rc "ingest the keys report" 0
cat >"$DMARC_DNS_FIXTURE" <<'FIX'
40.107.4.216 mail-am6eur05on2216.outbound.protection.outlook.com
40.107.4.217 mail-am6eur05on2217.outbound.protection.outlook.com
87.253.232.71 o71.bnc3.mailjet.com
FIX
export DMARC_NOW=2026-01-10
dns keys.test
expect_rc "keys.test" 1
OUT=$RAW widths_ok "keys.test"
expect_eq "keys.test: selectors in order" "$(printf '%s\n' "$OUT" | sed -n 's/^DKIM  \([a-z0-9]*\)\._domainkey.*/\1/p' | tr '\n' ' ')" "k2048 selector1 kcname k512 revoked "
expect_match "k2048: joined and read" "$OUT" "^  key:     RSA, 2048 bits$"
expect_match "k2048: reports" "$OUT" "reports: 300 messages signed, 300 passed, the last on 2026-01-05, mostly from 192\.0\.2\.25$"
expect_match "k2048: t=y" "$OUT" "warning: k2048\._domainkey\.keys\.test: t=y"
expect_match "selector1: removed" "$OUT" "error:   the key behind selector1 was removed: Microsoft 365 mail will fail DKIM \(150 messages"
expect_match "kcname: CNAME" "$OUT" "^DKIM  kcname\._domainkey\.keys\.test \(CNAME to kcname\.keys\.example\.net\)$"
expect_match "k512" "$OUT" "error:   k512\._domainkey\.keys\.test: a 512-bit RSA key: receivers ignore keys under 1024 bits"
expect_match "revoked" "$OUT" "error:   revoked\._domainkey\.keys\.test: the key is revoked \(empty p=\)"
expect_match "window" "$OUT" "^Against the reports of 2025-12-12 to 2026-01-10 \(UTC\):$"
expect_match "hint: Office 365" "$OUT" "Microsoft 365 \(40\.107\.4\.216 and 1 other IP\) sent 150 messages that failed SPF for keys\.test"
expect_match "hint: Office 365 include" "$OUT" "add include:spf\.protection\.outlook\.com$"
expect_match "hint: Mailjet" "$OUT" "Mailjet \(ESP\) \(87\.253\.232\.71\) sent 45 messages that failed SPF"
expect_match "hint: Mailjet include" "$OUT" "add include:spf\.mailjet\.com$"
expect_match "keys.test" "$OUT" "^keys\.test: NEEDS ATTENTION, 3 errors, 1 warning$"
expect_eq "keys.test: not our selector" "$(printf '%s\n' "$OUT" | grep -c notours)" 0
dns --format json keys.test
expect_rc "keys.test json" 1
expect_match "json: selector1" "$OUT" '"selector": "selector1", "name": "selector1._domainkey.keys.test", "cname": null, "found": false, "revoked": false, "type": null, "bits": null'
expect_match "json: k512" "$OUT" '"selector": "k512", .*"found": true, "revoked": false, "type": "rsa", "bits": 512'
expect_match "json: revoked" "$OUT" '"selector": "revoked", .*"found": true, "revoked": true'
expect_match "json: messages" "$OUT" '"messages": 150, "passed": 150, "last_pass": "2026-01-05", "source_ip": "40.107.4.216", "sender": "Microsoft 365"'
expect_eq "json: 2 hints" "$(printf '%s\n' "$OUT" | grep -o 'add include:' | wc -l)" 2
if command -v python3 >/dev/null; then
	printf '%s\n' "$OUT" | python3 -m json.tool >/dev/null || fail "keys.test: not JSON"
fi
# the window: the report is outside the last 30 days of 2026-03-01
DMARC_NOW=2026-03-01 dns keys.test
expect_rc "keys.test, old report" 0
expect_match "keys.test, old report" "$OUT" "DKIM  not checked: no signature with d=keys\.test in the reports' window"
# --no-reports: DNS alone
dns --no-reports keys.test
expect_rc "--no-reports" 0
expect_match "--no-reports" "$OUT" "DKIM  not checked: the selectors come from the reports, which were not read"

# reports made by dmarc-gen: selector2 (Office 365) passed and is gone; the
# figures come from the records with SQL
"$DMARC_GEN" --out "$T/gen" --reports 8 --records 30 --seed 3 --domain gen.test \
    --start 2025-12-20 2>/dev/null
ingest --quiet "$T/gen"
expect_rc "ingest the generated reports" 0
SEL="FROM record_dkim d JOIN record r ON r.id = d.record JOIN report rp ON rp.id = r.report WHERE d.domain = 'gen.test'"
ORDER=$(q "SELECT lower(d.selector) $SEL AND d.selector <> '' GROUP BY 1 ORDER BY sum(CASE WHEN d.result = 'pass' THEN r.count ELSE 0 END) DESC, sum(r.count) DESC, 1" | tr '\n' ' ')
expect_eq "gen.test: selectors in the reports" "$ORDER" "selector1 mail2024 selector2 default "
PASS2=$(q "SELECT sum(r.count) $SEL AND d.selector = 'selector2' AND d.result = 'pass'")
IP2=$(q "SELECT r.source_ip $SEL AND d.selector = 'selector2' AND d.result = 'pass' GROUP BY 1 ORDER BY sum(r.count) DESC, 1 LIMIT 1")
DAY2=$(q "SELECT date(max(rp.date_begin), 'unixepoch') $SEL AND d.selector = 'selector2' AND d.result = 'pass'")
DMARC_NOW=2025-12-31 dns gen.test
expect_rc "gen.test" 1
expect_eq "gen.test: selectors shown" "$(printf '%s\n' "$OUT" | sed -n 's/^DKIM  \([a-z0-9]*\)\._domainkey.*/\1/p' | tr '\n' ' ')" "$ORDER"
expect_match "gen.test: selector1 by CNAME" "$OUT" "^DKIM  selector1\._domainkey\.gen\.test \(CNAME to selector1-gen-test\._domainkey\.gen\.onmicrosoft\.com\)$"
expect_match "gen.test: selector2 gone" "$OUT" "error:   the key behind selector2 was removed: mail from $IP2 will fail DKIM \($PASS2 messages passed with it, the last on $DAY2\); publish the key again at selector2\._domainkey\.gen\.test$"
expect_match "gen.test: default never passed" "$OUT" "warning: default\._domainkey\.gen\.test: no key, and no signature with selector default passed"
expect_match "gen.test: SPF" "$OUT" "^  lookups: 1 of 10, void lookups 0 of 2$"
expect_match "gen.test" "$OUT" "^gen\.test: NEEDS ATTENTION, 1 error, 1 warning$"

done_tests
