#!/bin/bash
# SPDX-License-Identifier: MIT
# Report files as real reporters send them (issue 10): dates in
# milliseconds, domains in any case and with a trailing dot, UTF-16
# documents, zips with other members beside the report, very compressible
# reports, a bare '<' or '&' in a value.  Each case fails on a parser that
# takes the file literally.
. "$(dirname "$0")/lib.sh"
set -e

P="$DM_TEST_DATA/parse"

# ---- dates in milliseconds (SPEC.md E.15) ----
fresh_db
ingest "$P/millis.xml"
expect_rc "ms dates: stored" 0
expect_eq "ms dates: read as seconds" "$(q 'SELECT date_begin || "|" || date_end FROM report')" "1748822400|1748908799"
expect_match "ms dates: warning" "$ERR" "warning: $P/millis.xml: date_range begin 1748822400000 is in milliseconds, read as 1748822400 seconds"
expect_eq "ms dates: source totals on 2025-06-02" "$(q 'SELECT DISTINCT day FROM source_day')" "$((1748822400 / 86400))"
report reporters --format csv
expect_match "ms dates: the reporter's day is 2025-06-02" "$OUT" "^Example Mail,1,3,1,2025-06-02,2025-06-02,example.com$"

# ---- a very compressible real report (issue 10) ----
# 40,000 identical rows, 21 MB of XML: gzip makes it over 200:1, which is
# not a bomb; the ratio is only checked past ratio-floor (64 MiB)
{
	printf '<?xml version="1.0" encoding="UTF-8"?>\n<feedback>\n  <report_metadata>\n'
	printf '    <org_name>Bulk Mail</org_name>\n    <email>noreply@bulk.example</email>\n'
	printf '    <report_id>bulk-1</report_id>\n'
	printf '    <date_range><begin>1748822400</begin><end>1748908799</end></date_range>\n'
	printf '  </report_metadata>\n  <policy_published><domain>example.com</domain><p>none</p></policy_published>\n'
	yes '  <record>
    <row>
      <source_ip>192.0.2.25</source_ip>
      <count>1</count>
      <policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf></policy_evaluated>
    </row>
    <identifiers><header_from>example.com</header_from><envelope_from>example.com</envelope_from></identifiers>
    <auth_results>
      <dkim><domain>example.com</domain><selector>s1</selector><result>pass</result></dkim>
      <spf><domain>example.com</domain><scope>mfrom</scope><result>pass</result></spf>
    </auth_results>
  </record>' | head -n $((12 * 40000)) || true
	printf '</feedback>\n'
} >"$T/bulk.xml"
gzip -9nc "$T/bulk.xml" >"$T/bulk.xml.gz"
(cd "$T" && zip -q -9 bulk.zip bulk.xml)
xml_size=$(stat -c %s "$T/bulk.xml")
expect_eq "bulk: over 16 MiB, under 64 MiB" "$((xml_size > 16 * 1048576 && xml_size < 64 * 1048576))" 1
expect_eq "bulk: gzip over 200:1" "$((xml_size / $(stat -c %s "$T/bulk.xml.gz") > 200))" 1
expect_eq "bulk: zip over 200:1" "$((xml_size / $(stat -c %s "$T/bulk.zip") > 200))" 1
rm -f "$T/bulk.xml"
fresh_db
ingest --json "$T/bulk.xml.gz"
expect_rc "bulk gzip: stored with the default limits" 0
expect_eq "bulk gzip: 40,000 records" "$(json records_new)" 40000
expect_eq "bulk gzip: messages" "$(q 'SELECT message_count FROM report')" 40000
fresh_db
ingest --json "$T/bulk.zip"
expect_rc "bulk zip: stored with the default limits" 0
expect_eq "bulk zip: 40,000 records" "$(json records_new)" 40000
# the ratio still holds past the floor
fresh_db
ingest --limit ratio-floor=8M "$T/bulk.xml.gz"
expect_rc "bulk gzip, floor 8M: refused" 1
expect_match "bulk gzip, floor 8M: ratio named" "$ERR" "limit ratio exceeded \(decompressed [0-9]+ bytes from [0-9]+: more than 200:1\)"
ingest --limit ratio-floor=8M "$T/bulk.zip"
expect_rc "bulk zip, floor 8M: refused" 1
expect_match "bulk zip, floor 8M: ratio named" "$ERR" "limit ratio exceeded \(declared [0-9]+ bytes from [0-9]+: more than 200:1\)"
rm -f "$T/bulk.xml.gz" "$T/bulk.zip"

# ---- a zip with a report and other members (issue 10) ----
mkdir -p "$T/zip"
"$DMARC_GEN" --stdout --records 5 --seed 31 >"$T/zip/report.xml" 2>/dev/null
printf '%%PDF-1.4\n%%\342\343\317\323\n1 0 obj << /Type /Catalog >> endobj\n%%%%EOF\n' >"$T/zip/summary.pdf"
printf '\211PNG\r\n\032\n\000\000\000\rIHDR\000\000\000\001' >"$T/zip/logo.png"
printf '0\202\003\000\006\011*\206H\206\367\015\001\007\002' >"$T/zip/report.xml.p7s"
: >"$T/zip/empty.txt"
(cd "$T/zip" && zip -q "$T/mixed.zip" summary.pdf report.xml logo.png report.xml.p7s empty.txt)
fresh_db
ingest --json "$T/mixed.zip"
expect_rc "zip with other members: exit 0" 0
expect_eq "zip with other members: the report stored" "$(json reports_new)" 1
expect_eq "zip with other members: nothing failed" "$(q 'SELECT count(*) FROM ingest_failure')" 0
expect_eq "zip with other members: 4 warnings" "$(json warnings)" 4
expect_match "zip: the PDF skipped" "$ERR" "warning: $T/mixed.zip:summary.pdf: not a report, skipped \(content starting with \"%PDF-1.4"
expect_match "zip: the image skipped" "$ERR" "warning: $T/mixed.zip:logo.png: not a report, skipped"
expect_match "zip: the signature skipped" "$ERR" "warning: $T/mixed.zip:report.xml.p7s: not a report, skipped"
expect_match "zip: the empty member skipped" "$ERR" "warning: $T/mixed.zip:empty.txt: not a report, skipped \(empty\)"
# a zip with no report at all still fails, as one failure of the archive
(cd "$T/zip" && zip -q "$T/noreport.zip" summary.pdf logo.png)
ingest --json "$T/noreport.zip"
expect_rc "zip without a report: exit 1" 1
expect_eq "zip without a report: one failure" "$(json failed)" 1
expect_match "zip without a report: reason" "$ERR" "$T/noreport.zip: zip archive holds no report: summary.pdf \(content starting with \"%PDF-1.4.*\), logo.png \(content starting with"
expect_eq "zip without a report: the archive is kept" "$(q "SELECT input_name FROM ingest_failure")" "$T/noreport.zip"

# ---- UTF-16 reports (SPEC.md E.16), with a BOM or not, gzipped or not ----
mkdir -p "$T/u16"
n=0
for enc in UTF-16LE UTF-16BE; do
	for bom in bom nobom; do
		n=$((n + 1))
		"$DMARC_GEN" --stdout --records 3 --seed $((50 + n)) 2>/dev/null |
		    sed "s/encoding=\"UTF-8\"/encoding=\"UTF-16\"/; s|<org_name>[^<]*</org_name>|<org_name>Bücher € $enc $bom</org_name>|" >"$T/u16/r.xml"
		{ [ $bom = bom ] && printf '\357\273\277'; cat "$T/u16/r.xml"; } | iconv -f UTF-8 -t $enc >"$T/u16/$enc-$bom.xml"
		gzip -nc "$T/u16/$enc-$bom.xml" >"$T/u16/$enc-$bom.xml.gz"
		# gzip made from the other seed of the same shape
		"$DMARC_GEN" --stdout --records 3 --seed $((60 + n)) 2>/dev/null |
		    sed "s/encoding=\"UTF-8\"/encoding=\"UTF-16\"/; s|<org_name>[^<]*</org_name>|<org_name>Bücher € $enc $bom gz</org_name>|" |
		    { [ $bom = bom ] && printf '\357\273\277'; cat; } | iconv -f UTF-8 -t $enc | gzip -n >"$T/u16/$enc-$bom.xml.gz"
	done
done
rm -f "$T/u16/r.xml"
expect_eq "UTF-16 fixtures: LE BOM" "$(head -c 4 "$T/u16/UTF-16LE-bom.xml" | od -An -tx1 | tr -d ' ')" "fffe3c00"
expect_eq "UTF-16 fixtures: BE, no BOM" "$(head -c 4 "$T/u16/UTF-16BE-nobom.xml" | od -An -tx1 | tr -d ' ')" "003c003f"
fresh_db
ingest --json "$T/u16"
expect_rc "UTF-16: all stored" 0
expect_eq "UTF-16: 8 reports" "$(json reports_new)" 8
expect_eq "UTF-16: 24 records" "$(json records_new)" 24
expect_eq "UTF-16: no warning" "$(json warnings)" 0
expect_eq "UTF-16: names decoded" "$(q "SELECT count(*) FROM report WHERE org_name LIKE 'Bücher € UTF-16__ %'")" 8
expect_eq "UTF-16: BE without BOM, gzipped" "$(q "SELECT count(*) FROM report WHERE org_name = 'Bücher € UTF-16BE nobom gz'")" 1

# ---- a bare '<' or '&' in a value (SPEC.md E.13) ----
fresh_db
ingest --json "$P/bare_markup.xml"
expect_rc "bare < and &: stored" 0
expect_eq "bare < and &: every record kept" "$(json records_new)" 4
expect_eq "bare < and &: <email><noreply@...></email>" "$(q 'SELECT email FROM report')" "<noreply@mail.example>"
expect_eq "bare < and &: AT&T" "$(q 'SELECT org_name FROM report')" "AT&T Mail & Co"
expect_eq "bare < and &: messages" "$(q 'SELECT message_count FROM report')" 22
expect_match "bare < and &: recovered, with a warning" "$ERR" "warning: $P/bare_markup.xml: XML not well-formed, recovered: line 3: bare '&' in text"
# the recovery rule still decides: cut before </feedback>, it fails
head -n 6 "$P/bare_markup.xml" >"$T/bare_cut.xml"
ingest "$T/bare_cut.xml"
expect_rc "bare < and &, truncated: fails" 1
expect_match "bare < and &, truncated: reason" "$ERR" "not well-formed XML: line 3: bare '&' in text \(read as '&#38;'\) \(document ends before </feedback>\)"

# ---- domains compared as domains (SPEC.md E.17) ----
# domains.xml publishes ATTACK.DK.; a second report of the same reporter for
# attack.dk, and a re-send of the first that writes Attack.Dk
sed 's/<report_id>dom-1/<report_id>dom-2/; s|<domain>ATTACK.DK.</domain><p>|<domain>attack.dk</domain><p>|' "$P/domains.xml" >"$T/dom2.xml"
sed 's|<policy_published><domain>ATTACK.DK.<|<policy_published><domain>Attack.Dk<|' "$P/domains.xml" >"$T/dom1-again.xml"
fresh_db
ingest --json "$P/domains.xml" "$T/dom2.xml" "$T/dom1-again.xml"
expect_rc "domains: stored" 0
expect_eq "domains: the re-send is a duplicate" "$(json reports_new)|$(json reports_duplicate)" "2|1"
expect_eq "domains: one policy domain" "$(q 'SELECT group_concat(DISTINCT domain) FROM report')" "attack.dk"
expect_eq "domains: per-day totals under one domain" "$(q 'SELECT group_concat(DISTINCT domain) || "|" || sum(messages) FROM source_day')" "attack.dk|10"
expect_eq "domains: header_from" "$(q 'SELECT group_concat(DISTINCT header_from) FROM (SELECT header_from FROM record ORDER BY position)')" "attack.dk,xn--bcher-kva.example"
expect_eq "domains: envelope_from, envelope_to" "$(q "SELECT envelope_from || ' ' || envelope_to FROM record WHERE envelope_to IS NOT NULL LIMIT 1")" "bounce.attack.dk rcpt.example"
expect_eq "domains: DKIM and SPF domains" "$(q "SELECT group_concat(DISTINCT d) FROM (SELECT domain AS d FROM record_dkim UNION ALL SELECT domain FROM record_spf)")" "attack.dk,😀.example,bounce.attack.dk,☃-⌘.example"
expect_match "domains: invalid names warned about" "$ERR" "warning: $P/domains.xml: record 2: DKIM domain '😀.Example' is not a valid domain name \(.*\): kept as written"
ingest --stats
expect_eq "domains: --stats shows one domain" "$(printf '%s\n' "$OUT" | grep -c -i 'attack.dk')" 1
for d in ATTACK.DK. attack.dk Attack.Dk; do
	report summary --domain "$d" --since 2025-06-01 --until 2025-06-03 --format csv
	expect_match "domains: summary --domain $d" "$OUT" "^attack.dk,2,1,10,4,6,"
done
report sources --domain 'ATTACK.DK.' --since 2025-06-01 --until 2025-06-03 --format csv
expect_match "domains: sources --domain ATTACK.DK." "$OUT" "^192.0.2.2,.*,xn--bcher-kva.example:6,"
sed 's/<report_id>dom-1/<report_id>dom-3/; s|<domain>ATTACK.DK.</domain><p>|<domain>Bücher.Example.</domain><p>|' "$P/domains.xml" >"$T/dom3.xml"
ingest "$T/dom3.xml"
expect_eq "domains: a U-label policy domain" "$(q "SELECT domain FROM report WHERE report_id = 'dom-3'")" "xn--bcher-kva.example"
report summary --domain 'BÜCHER.example.' --since 2025-06-01 --until 2025-06-03 --format csv
expect_match "domains: --domain takes a U-label" "$OUT" "^xn--bcher-kva.example,1,1,5,"

done_tests
