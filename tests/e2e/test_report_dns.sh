#!/bin/bash
# SPDX-License-Identifier: MIT
# Reverse DNS that never stalls or lies, against tests/tools/dns-responder
# on 127.0.0.1 (no network): a server that answers nothing stops the run's
# lookups after the first wave of timeouts, with one warning, well under
# --dns-budget; only definite answers (a name, NXDOMAIN) are cached, so a
# later run with a working server names the IPs; error rows that older
# versions cached are ignored and replaced.
. "$(dirname "$0")/lib.sh"
set -e
: "${DNS_RESPONDER:?DNS_RESPONDER must name the dns-responder binary}"

PIDS=""
# the servers are stopped by their PIDs (a killed one's wait fails: no -e)
trap 'set +e; for p in $PIDS; do kill "$p"; wait "$p"; done 2>/dev/null; rm -rf "$T"' EXIT

# responder NAME ZONE|--silent: starts a private server; its port in PORT
responder() {
	"$DNS_RESPONDER" --max-seconds 300 "$T/$1.port" "$2" &
	PIDS="$PIDS $!"
	for _ in $(seq 200); do
		[ -s "$T/$1.port" ] && break
		sleep 0.05
	done
	PORT=$(cat "$T/$1.port")
}

# dns ARGS...: dmarc-report with the c-ares resolver (no fixture); the
# wall time in MS
dns() {
	local t0 t1
	t0=$(date +%s%N)
	DMARC_DNS_FIXTURE= report "$@"
	t1=$(date +%s%N)
	MS=$(((t1 - t0) / 1000000))
}

# 4 named cases and 400 IPs without a PTR: 404 lookups are 7 waves of 64,
# about 7 s against a silent server if each wave waited its timeout (the
# bound below, 5 s, fails then)
{
	printf '<?xml version="1.0"?>\n<feedback><report_metadata><org_name>Rep</org_name><email>r@r</email><report_id>d1</report_id>'
	printf '<date_range><begin>1735689600</begin><end>1735775999</end></date_range></report_metadata>'
	printf '<policy_published><domain>example.com</domain><p>none</p></policy_published>\n'
	for ip in 192.0.2.1 192.0.2.4 192.0.2.7 87.253.232.71; do
		printf '<record><row><source_ip>%s</source_ip><count>1000</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf></policy_evaluated></row><identifiers><header_from>example.com</header_from></identifiers></record>\n' "$ip"
	done
	for i in $(seq 0 399); do
		printf '<record><row><source_ip>198.18.%d.%d</source_ip><count>1</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf></policy_evaluated></row><identifiers><header_from>example.com</header_from></identifiers></record>\n' $((i / 200)) $((i % 200 + 1))
	done
	printf '</feedback>\n'
} >"$T/d.xml"
ingest --quiet "$T/d.xml"
expect_rc "ingest" 0

cat >"$T/zone" <<'Z'
PTR 1.2.0.192.in-addr.arpa mail.example.com
A mail.example.com 192.0.2.1
# 192.0.2.4: NXDOMAIN
SERVFAIL 7.2.0.192.in-addr.arpa
PTR 71.232.253.87.in-addr.arpa mta71.bnc3.mailjet.com
A mta71.bnc3.mailjet.com 87.253.232.71
Z
responder silent --silent
SILENT=$PORT
responder zone "$T/zone"
WORKING=$PORT

# the same command without DNS, for scale (under sanitizers on a loaded
# machine the queries alone take a while): --by sender names every IP;
# the busiest first, ties by IP text
dns sources --no-dns --by sender --format csv
BASE=$MS
expect_eq "without DNS: all unknown" "$OUT" "sender,source_ips,messages,pass_rate,dmarc_fail,busiest_ips
(unknown),404,4400,1.0000,0,192.0.2.1;192.0.2.4;192.0.2.7;87.253.232.71;198.18.0.1;198.18.0.10;198.18.0.100;198.18.0.101"

# a silent server: one wave of 1 s timeouts, then no more lookups
dns sources --by sender --dns-server "127.0.0.1:$SILENT" --dns-timeout 1 --dns-budget 20 --format csv
expect_rc "silent server" 0
expect_eq "silent server: every IP counted" "$(printf '%s\n' "$OUT" | sed -n 2p | cut -d, -f1-3)" "(unknown),404,4400"
expect_eq "silent server: well under the budget ($MS ms < 5000; $BASE ms without DNS)" "$((MS < 5000))" 1
expect_eq "silent server: one line on stderr, a warning" "$(printf '%s\n' "$ERR" | wc -l)/$(printf '%s\n' "$ERR" | grep -c warning)" 1/1
expect_match "silent server: the warning" "$ERR" '^dmarc-report: warning: reverse DNS: the DNS server answered none of the first 64 lookups \(timed out after 1 s, or refused\); no more lookups this run'
expect_eq "silent server: nothing cached" "$(q 'SELECT count(*) FROM dns_cache')" 0

# error rows an older version cached (status 3), fresh: ignored
q "INSERT INTO dns_cache VALUES ('192.0.2.1', NULL, 0, 3, strftime('%s', 'now')), ('192.0.2.7', NULL, 0, 3, strftime('%s', 'now'))"

# a working server: the names come, the definite answers are cached
dns sources --dns-server "127.0.0.1:$WORKING" --dns-timeout 2 --format json
expect_rc "working server" 0
expect_eq "working server: no warning" "$ERR" ""
expect_eq "a name despite the old error row" "$(jget "$(row '"192.0.2.1"')" ptr)/$(jget "$(row '"192.0.2.1"')" ptr_confirmed)" "mail.example.com/true"
expect_eq "Mailjet by PTR" "$(jget "$(row '"87.253.232.71"')" sender)" "Mailjet (ESP)"
expect_eq "NXDOMAIN: no name" "$(jget "$(row '"192.0.2.4"')" ptr)" "null"
expect_eq "SERVFAIL: no name" "$(jget "$(row '"192.0.2.7"')" ptr)" "null"
expect_eq "the old error row replaced" "$(q "SELECT status, name FROM dns_cache WHERE ip = '192.0.2.1'")" "0|mail.example.com"
expect_eq "NXDOMAIN cached as no name" "$(q "SELECT status, name IS NULL FROM dns_cache WHERE ip = '192.0.2.4'")" "1|1"
expect_eq "SERVFAIL not cached (old error row gone)" "$(q "SELECT count(*) FROM dns_cache WHERE ip = '192.0.2.7'")" 0
# 404 IPs less the SERVFAIL one
expect_eq "cached: definite answers only" "$(q 'SELECT count(*) FROM dns_cache')" 403
expect_eq "no error rows" "$(q 'SELECT count(*) FROM dns_cache WHERE status NOT IN (0, 1)')" 0

# the silent server again: the cache names what it knows; the one IP left
# (SERVFAIL before) is looked up, times out, and stops the lookups
dns sources --by sender --dns-server "127.0.0.1:$SILENT" --dns-timeout 1 --dns-budget 20 --format csv
expect_rc "silent again" 0
# (here and below: what the DNS added to the run, MS - BASE, so that a
# sanitizer build on a loaded machine does not count its queries)
expect_eq "silent again: DNS within the timeout ($MS - $BASE ms < 5000)" "$((MS - BASE < 5000))" 1
expect_eq "silent again: names from the cache" "$(row 'Mailjet' | cut -d, -f1-3)" "Mailjet (ESP),1,1000"
expect_match "silent again: the warning counts one lookup" "$ERR" 'none of the first 1 lookup \(timed out after 1 s'
expect_eq "silent again: the cache kept" "$(q 'SELECT count(*) FROM dns_cache')" 403

# a port where nobody listens (a stopped server's): refused at once, the
# same warning, nothing cached
responder gone --silent
GONE=$PORT
kill "${PIDS##* }"
wait "${PIDS##* }" || true
q "DELETE FROM dns_cache"
dns sources --by sender --dns-server "127.0.0.1:$GONE" --dns-timeout 1 --dns-budget 20 --format csv
expect_rc "refused" 0
expect_eq "refused: DNS within the timeout ($MS - $BASE ms < 5000)" "$((MS - BASE < 5000))" 1
expect_match "refused: the warning" "$ERR" 'answered none of the first 64 lookups'
expect_eq "refused: nothing cached" "$(q 'SELECT count(*) FROM dns_cache')" 0

done_tests
