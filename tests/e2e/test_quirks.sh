#!/bin/bash
# SPDX-License-Identifier: MIT
# SPEC.md E quirks end to end: what the database holds after ingesting the
# parser's fixtures (tests/data/parse) with the real binary.
. "$(dirname "$0")/lib.sh"
set -e

P="$DM_TEST_DATA/parse"
mkdir -p "$T/fn"
cp "$P/no_domain.xml" "$T/fn/rcv!derived.example!1700000000!1700086399.xml"
ingest --json "$P/numbers_enums_ips.xml" "$P/no_domain.xml" "$P/dmarc2_full.xml" \
    "$P/empty_and_invalid.xml" "$P/defaults.xml" "$P/any_order.xml" "$P/xs_schema.xml" \
    "$P/windows1252.xml" "$P/invalid_utf8.xml" "$P/repeats.xml" "$P/bom_junk.xml" \
    "$P/version2_nons.xml" "$P/ns01_prefixed.xml" "$T/fn"
expect_rc "quirky fixtures all stored" 0
expect_eq "reports" "$(json reports_new)" 14
expect_eq "failed" "$(json failed)" 0
expect_eq "records skipped (E.5, empty or invalid source_ip and count)" "$(json records_skipped)" 6

r() { q "SELECT $1 FROM report WHERE report_id = '$2' AND domain_source = '${3:-report}'"; }
rec() { q "SELECT $1 FROM record JOIN report ON report.id = record.report WHERE report_id = '$2' AND position = $3"; }

# E.7 numbers: '+', leading zeros, decimals, 64-bit counts
expect_eq "begin with + and decimals" "$(r date_begin num-1)" 1700000000
expect_eq "end with decimals" "$(r date_end num-1)" 1700086399
expect_eq "pct +0100" "$(r pct num-1)" 100
expect_eq "64-bit count" "$(rec count num-1 1)" 9000000000
expect_eq "count +007" "$(rec count num-1 2)" 7
expect_eq "message total" "$(r message_count num-1)" 9000000007
# E.8 enums lowercased, free text kept
expect_eq "policy enums lowercased" "$(r "p || ',' || sp || ',' || adkim || ',' || aspf" num-1)" "reject,none,r,s"
expect_eq "aligned verdicts lowercased" "$(rec "disposition || ',' || dkim_aligned || ',' || spf_aligned" num-1 1)" "quarantine,pass,fail"
expect_eq "reason type lowercased, comment kept" "$(q "SELECT type || '|' || comment FROM record_reason WHERE comment = 'Keep Case'")" "trusted_forwarder|Keep Case"
expect_eq "out-of-spec result kept raw" "$(q "SELECT result FROM record_spf WHERE result = 'hardfail'")" "hardfail"
expect_eq "dkim temperror" "$(q "SELECT count(*) FROM record_dkim WHERE result = 'temperror'")" 1
# E.9 IP forms
expect_eq "IPv6 uppercase, uncompressed" "$(rec "source_ip || ' ' || ip_family" num-1 1)" "2001:db8::1 6"
expect_eq "IPv4-mapped IPv6" "$(rec "source_ip || ' ' || ip_family" num-1 2)" "192.0.2.44 4"
expect_eq "IPv6 leading zeros" "$(rec source_ip num-1 3)" "2001:db8::ff00:42:8329"
# E.12 derived policy domain
expect_eq "domain from header_from" "$(r domain nd-1 header_from)" "from.example"
expect_eq "domain from the file name" "$(r domain nd-1 filename)" "derived.example"
# E.6 defaults
expect_eq "defaults sp=p np=p adkim aspf fo testing" \
    "$(r "sp || np || adkim || aspf || fo || testing" def-1)" "quarantinequarantinerr0n"
expect_eq "SPF scope default" "$(q "SELECT DISTINCT s.scope FROM record_spf s JOIN record c ON c.id = s.record JOIN report r ON r.id = c.report WHERE r.report_id = 'def-1'")" "mfrom"
# RFC 9990 fields
expect_eq "dmarc-2.0 fields" "$(q "SELECT schema || '|' || generator || '|' || np || '|' || testing || '|' || discovery_method || '|' || ifnull(pct, 'null') FROM report WHERE schema = 'dmarc-2.0' AND generator IS NOT NULL")" \
    "dmarc-2.0|TwoMTA 3.1|reject|y|treewalk|null"
expect_match "version 2.0 without namespace is dmarc-2.0" "$(q "SELECT count(*) FROM report WHERE schema = 'dmarc-2.0'")" '^[2-9]$'
# E.5 empty elements are NULL
expect_eq "empty org_name is NULL" "$(q "SELECT count(*) FROM report WHERE report_id = 'empty-1' AND org_name IS NULL")" 1
# E.2 encodings: stored as UTF-8
expect_match "windows-1252 converted" "$(q "SELECT org_name FROM report WHERE org_name LIKE 'Caf%€%'")" "Café € Ltd"
expect_eq "invalid UTF-8 stored as valid UTF-8" "$(q "SELECT count(*) FROM report WHERE org_name = 'Café é'")" 1
# warnings name the input and the record
expect_match "skipped record warning" "$ERR" "warning: $P/empty_and_invalid.xml: record 2: invalid source_ip '' \(skipped\)"
expect_match "recovered XML warning" "$ERR" "warning: $P/xs_schema.xml: XML not well-formed, recovered"
expect_match "derived domain warning" "$ERR" "policy domain missing, derived from filename: derived.example"

done_tests
