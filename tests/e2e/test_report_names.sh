#!/bin/bash
# SPDX-License-Identifier: MIT
# Names of source IPs in dmarc-report: reverse DNS (from a fixture resolver:
# no network), its cache (--no-dns, the TTL), sender names (built-in PTR
# suffixes, a user file by CIDR, suffix or @domain, $DMARC_SENDERS, and
# authentication domains without DNS) and --by sender.
. "$(dirname "$0")/lib.sh"
set -e

cat >"$T/r.xml" <<'XML'
<?xml version="1.0"?>
<feedback><report_metadata><org_name>Rep</org_name><email>r@r</email><report_id>n1</report_id>
<date_range><begin>1735689600</begin><end>1735775999</end></date_range></report_metadata>
<policy_published><domain>example.com</domain><p>none</p></policy_published>
<record><row><source_ip>87.253.232.71</source_ip><count>40</count><policy_evaluated><disposition>none</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated></row><identifiers><header_from>example.com</header_from></identifiers><auth_results><dkim><domain>mailjet.com</domain><result>pass</result></dkim><spf><domain>bnc3.mailjet.com</domain><result>pass</result></spf></auth_results></record>
<record><row><source_ip>87.253.232.72</source_ip><count>10</count><policy_evaluated><disposition>none</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated></row><identifiers><header_from>example.com</header_from></identifiers><auth_results><spf><domain>bnc3.mailjet.com</domain><result>pass</result></spf></auth_results></record>
<record><row><source_ip>192.0.2.25</source_ip><count>30</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf></policy_evaluated></row><identifiers><header_from>example.com</header_from></identifiers><auth_results><spf><domain>example.com</domain><result>pass</result></spf></auth_results></record>
<record><row><source_ip>40.107.4.216</source_ip><count>20</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf></policy_evaluated></row><identifiers><header_from>example.com</header_from></identifiers><auth_results><spf><domain>example.com</domain><result>pass</result></spf></auth_results></record>
<record><row><source_ip>203.0.113.5</source_ip><count>5</count><policy_evaluated><disposition>none</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated></row><identifiers><header_from>example.com</header_from></identifiers><auth_results><spf><domain>spoof.example</domain><result>fail</result></spf></auth_results></record>
</feedback>
XML
ingest --quiet "$T/r.xml"
cat >"$DMARC_DNS_FIXTURE" <<'FIX'
87.253.232.71 mta71.bnc3.mailjet.com
87.253.232.72 mta72.bnc3.mailjet.com
192.0.2.25 mail.example.com
40.107.4.216 mail-db8eur05.outbound.protection.outlook.com unconfirmed
FIX

# names from the resolver; built-in senders by PTR suffix
report sources --format json
expect_rc "sources json" 0
expect_eq "Mailjet by PTR suffix" "$(jget "$(row '"87.253.232.71"')" sender)" "Mailjet (ESP)"
expect_eq "PTR name" "$(jget "$(row '"87.253.232.71"')" ptr)" "mta71.bnc3.mailjet.com"
expect_eq "confirmed" "$(jget "$(row '"87.253.232.71"')" ptr_confirmed)" "true"
expect_eq "Microsoft 365, unconfirmed" "$(jget "$(row '"40.107.4.216"')" sender)/$(jget "$(row '"40.107.4.216"')" ptr_confirmed)" "Microsoft 365/false"
expect_eq "no PTR: null" "$(jget "$(row '"203.0.113.5"')" ptr)/$(jget "$(row '"203.0.113.5"')" sender)" "null/null"
report sources
expect_match "text: the sender column" "$(row 87.253.232.71)" '^87\.253\.232\.71 +Mailjet \(ESP\) +40 '
expect_match "text: a PTR that does not resolve back is marked" "$(row 40.107.4.216)" 'Microsoft 365'
report sources --format csv
expect_match "csv: ptr and sender" "$(row 192.0.2.25)" '^192\.0\.2\.25,mail\.example\.com,,30,'

# the cache: every name looked up is kept with its time
expect_eq "cached answers" "$(q 'SELECT count(*) FROM dns_cache')" 5
expect_eq "cached no-name" "$(q "SELECT status, name IS NULL FROM dns_cache WHERE ip = '203.0.113.5'")" "1|1"
# --no-dns: the cache alone (the fixture now knows nothing)
: >"$DMARC_DNS_FIXTURE"
report sources --no-dns --format json
expect_eq "--no-dns uses the cache" "$(jget "$(row '"87.253.232.71"')" ptr)" "mta71.bnc3.mailjet.com"
# past the TTL an entry is not used (and --no-dns looks nothing up)
sqlite3 "$DB" "UPDATE dns_cache SET looked_up_at = looked_up_at - 8 * 86400 WHERE ip = '87.253.232.71'"
report sources --no-dns --format json
expect_eq "stale entry ignored" "$(jget "$(row '"87.253.232.71"')" ptr)" "null"
report sources --no-dns --dns-ttl 30 --format json
expect_eq "--dns-ttl 30 keeps it" "$(jget "$(row '"87.253.232.71"')" ptr)" "mta71.bnc3.mailjet.com"
# without --no-dns the stale entry is looked up again and refreshed
printf '87.253.232.71 new71.bnc3.mailjet.com\n' >"$DMARC_DNS_FIXTURE"
report sources --format json
expect_eq "re-resolved after the TTL" "$(jget "$(row '"87.253.232.71"')" ptr)" "new71.bnc3.mailjet.com"
expect_eq "cache refreshed" "$(q "SELECT name FROM dns_cache WHERE ip = '87.253.232.71'")" "new71.bnc3.mailjet.com"

# a user file: a CIDR wins over the PTR suffix; $DMARC_SENDERS too
cat >"$T/senders" <<'S'
# our own
192.0.2.25        Our mail server
87.253.232.0/24   CRM newsletters (Mailjet)
.example.com      Example hosts
S
report sources --senders "$T/senders" --format json
expect_eq "CIDR from the user file" "$(jget "$(row '"87.253.232.72"')" sender)" "CRM newsletters (Mailjet)"
expect_eq "user /32 over the suffix" "$(jget "$(row '"192.0.2.25"')" sender)" "Our mail server"
set +e
DMARC_SENDERS="$T/senders" "$DMARC_REPORT" --db "$DB" sources --format json >"$T/out" 2>"$T/err"; RC=$?
set -e
OUT=$(cat "$T/out")
expect_eq "\$DMARC_SENDERS" "$(jget "$(row '"192.0.2.25"')" sender)" "Our mail server"
printf '300.1.1.1/8 Broken\n' >"$T/bad"
report sources --senders "$T/bad"
expect_rc "bad senders file" 2
expect_match "bad senders file message" "$ERR" "$T/bad:1: bad address"

# --by sender: messages per sender, unknown ones together
report sources --by sender --senders "$T/senders" --format json
expect_eq "by sender: CRM (two IPs)" "$(jget "$(row '"CRM newsletters')" messages)/$(jget "$(row '"CRM newsletters')" source_ips)" "50/2"
expect_eq "by sender: unknown" "$(jget "$(row '"sender": null')" messages)" 5
report sources --by sender --senders "$T/senders" --top 1
expect_eq "by sender text, top 1" "$(printf '%s\n' "$OUT" | sed -n 3p | awk '{print $1, $2, $3}')" "CRM newsletters (Mailjet)"
report sources --by nonsense
expect_rc "bad --by" 2

# advise names its blockers and says where to fix them
printf '87.253.232.71 mta71.bnc3.mailjet.com\n' >"$DMARC_DNS_FIXTURE"
sqlite3 "$DB" "DELETE FROM dns_cache"
set +e
DMARC_NOW=2025-01-05 "$DMARC_REPORT" --db "$DB" advise --format json >"$T/out" 2>"$T/err"; RC=$?
set -e
OUT=$(cat "$T/out")
expect_match "advise: the Mailjet blocker is named" "$OUT" '"source_ip": "87.253.232.71", [^}]*"ptr": "mta71.bnc3.mailjet.com", "sender": "Mailjet \(ESP\)"'
expect_match "advise: the fix names the sender" "$OUT" '"fix": "set up DKIM signing with d=example.com in Mailjet \(ESP\)'
expect_match "advise: why, by organizational domain" "$OUT" 'mailjet.com is not under example.com'

# Without DNS (an empty cache, --no-dns): the authentication domains that
# passed name the sender.  87.253.232.71: DKIM mailjet.com and SPF
# bnc3.mailjet.com; .72: SPF bnc3.mailjet.com; 192.0.2.25 and 40.107.4.216
# pass only for example.com itself (ignored); 203.0.113.5's SPF failed.
# A new report adds 198.51.100.99, passing SPF for mail.bulk.example.net
# (unknown: its organizational domain) and DKIM for news.example.com (the
# policy domain's own: ignored).
cat >"$T/r2.xml" <<'XML'
<?xml version="1.0"?>
<feedback><report_metadata><org_name>Rep</org_name><email>r@r</email><report_id>n2</report_id>
<date_range><begin>1735776000</begin><end>1735862399</end></date_range></report_metadata>
<policy_published><domain>example.com</domain><p>none</p></policy_published>
<record><row><source_ip>198.51.100.99</source_ip><count>3</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated></row><identifiers><header_from>example.com</header_from></identifiers><auth_results><dkim><domain>news.example.com</domain><result>pass</result></dkim><spf><domain>mail.bulk.example.net</domain><result>pass</result></spf></auth_results></record>
</feedback>
XML
ingest --quiet "$T/r2.xml"
sqlite3 "$DB" "DELETE FROM dns_cache"
report sources --no-dns --format json
expect_rc "sources --no-dns" 0
expect_eq "--no-dns: Mailjet by DKIM/SPF domain" "$(jget "$(row '"87.253.232.71"')" ptr)/$(jget "$(row '"87.253.232.71"')" sender)" "null/Mailjet (ESP)"
expect_eq "--no-dns: Mailjet by SPF domain alone" "$(jget "$(row '"87.253.232.72"')" sender)" "Mailjet (ESP)"
expect_eq "own domain says nothing" "$(jget "$(row '"192.0.2.25"')" sender)" "null"
expect_eq "a failed SPF says nothing" "$(jget "$(row '"203.0.113.5"')" sender)" "null"
expect_eq "unknown domain: its organizational domain" "$(jget "$(row '"198.51.100.99"')" sender)" "example.net"
report sources --no-dns
expect_match "--no-dns text" "$(row 87.253.232.72)" '^87\.253\.232\.72 +Mailjet \(ESP\) +10 '
report sources --no-dns --by sender --format csv
expect_eq "--no-dns --by sender: one Mailjet sender" "$(row 'Mailjet (ESP)')" "Mailjet (ESP),2,50,0.0000,50,87.253.232.71;87.253.232.72"
expect_eq "--no-dns --by sender: unknown" "$(row '(unknown)')" "(unknown),3,55,0.9091,5,192.0.2.25;40.107.4.216;203.0.113.5"
# with DNS the PTR table names the same sender: one row still
printf '87.253.232.71 mta71.bnc3.mailjet.com\n' >"$DMARC_DNS_FIXTURE"
report sources --by sender --format csv
expect_eq "PTR and domain: one Mailjet sender" "$(row 'Mailjet (ESP)')" "Mailjet (ESP),2,50,0.0000,50,87.253.232.71;87.253.232.72"
# the user's @domain line wins over the built-in tables, with DNS or not
printf '@bnc3.mailjet.com  Newsletters (Mailjet)\n@Bulk.Example.NET Bulk mail\n' >"$T/senders-at"
report sources --senders "$T/senders-at" --format json
expect_eq "@domain over the PTR table" "$(jget "$(row '"87.253.232.71"')" sender)" "Newsletters (Mailjet)"
expect_eq "@domain, subdomain" "$(jget "$(row '"198.51.100.99"')" sender)" "Bulk mail"
report sources --no-dns --senders "$T/senders-at" --format json
expect_eq "@domain without DNS" "$(jget "$(row '"87.253.232.72"')" sender)" "Newsletters (Mailjet)"
printf '@ Nothing\n' >"$T/bad-at"
report sources --senders "$T/bad-at"
expect_rc "bad @domain line" 2
expect_match "bad @domain line message" "$ERR" "$T/bad-at:1: empty domain \"@\""

done_tests
