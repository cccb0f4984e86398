#!/bin/bash
# SPDX-License-Identifier: MIT
# Hostile values that real reporters send, kept with a warning: invalid
# UTF-8 and control characters (stored as valid UTF-8), negative and
# out-of-range counts, counts whose sum overflows 64 bits, invalid and
# scoped IPv6 source IPs (records skipped with a warning naming the input
# and the record), dates in 1970 and 9999 and an end before the begin
# (report kept with a warning).  Everything goes in one run with two good
# reports; then dmarc-report must never print a wrapped sum.
. "$(dirname "$0")/lib.sh"
set -e
: "${DMARC_REPORT:?DMARC_REPORT must name the dmarc-report binary}"

mkdir -p "$T/good" "$T/in"
"$DMARC_GEN" --out "$T/good" --reports 2 --records 10 --seed 71 --format gz \
    --reporter microsoft 2>/dev/null

# rec IP COUNT [HEADER_FROM]: one <record>
rec() {
	printf '<record><row><source_ip>%s</source_ip><count>%s</count>' "$1" "$2"
	printf '<policy_evaluated><disposition>none</disposition><dkim>pass</dkim>'
	printf '<spf>fail</spf></policy_evaluated></row><identifiers><header_from>%s' "${3:-example.com}"
	printf '</header_from></identifiers><auth_results><spf><domain>example.com</domain>'
	printf '<result>pass</result></spf></auth_results></record>\n'
}
# report ORG ID BEGIN END: a report around the records on stdin
report() {
	printf '<?xml version="1.0" encoding="UTF-8"?>\n<feedback><report_metadata>'
	printf '<org_name>%s</org_name><email>dmarc@reporter.example</email>' "$1"
	printf '<report_id>%s</report_id><date_range><begin>%s</begin><end>%s</end>' "$2" "$3" "$4"
	printf '</date_range></report_metadata><policy_published><domain>example.com</domain>'
	printf '<p>none</p></policy_published>\n'
	cat
	printf '</feedback>\n'
}
DAY=1748822400		# 2025-06-02
END=$((DAY + 86399))

{ rec 192.0.2.1 5; rec 192.0.2.2 -3; rec 192.0.2.3 9223372036854775808
  rec 192.0.2.4 18446744073709551616; rec 192.0.2.5 7; } |
    report Counts counts "$DAY" "$END" >"$T/in/counts.xml"
{ rec 198.51.100.1 9223372036854775807; rec 198.51.100.2 9223372036854775807
  rec 198.51.100.3 1; } |
    report Overflow overflow "$DAY" "$END" >"$T/in/overflow.xml"
{ rec 192.0.2.1 1; rec 'fe80::1%eth0' 2; rec '2001:db8::zz' 3; rec '2001:DB8:0:0::1' 4
  rec '1.2.3.256' 5; rec '' 6; rec '::ffff:192.0.2.9' 7; rec 'fe80::1%25' 8; } |
    report Addresses ips "$DAY" "$END" >"$T/in/ips.xml"
rec 192.0.2.1 1 | report Epoch d1970 0 86399 >"$T/in/d1970.xml"
rec 192.0.2.1 2 | report Future d9999 253402214400 253402300799 >"$T/in/d9999.xml"
rec 192.0.2.1 3 | report Backwards dswap "$END" "$DAY" >"$T/in/dswap.xml"
# Latin-1 and broken UTF-8, C0 controls and an ANSI escape in text fields
{ rec 192.0.2.1 3; rec 192.0.2.2 4 $'ex\001ample\377.com'; } |
    report $'Bad\377\376UTF \303\050 ctl\001\002\033[31m end' utf8 "$DAY" "$END" >"$T/in/utf8.xml"
# an entity never declared: not expanded, recovered
rec 192.0.2.1 9 | report '&xxe;' entity "$DAY" "$END" >"$T/in/entity.xml"

ingest --json "$T/in" "$T/good"
expect_rc "kept run" 0
expect_eq "reports stored" "$(json reports_new)" 10
expect_eq "none failed" "$(json failed)|$(q 'SELECT count(*) FROM ingest_failure')" "0|0"
expect_eq "records skipped" "$(json records_skipped)" 10
expect_eq "warnings" "$(json warnings)" 15
echo "$ERR"

# warning WHAT LINE: LINE (a fixed string) is one line of stderr
warning() {
	CHECKS=$((CHECKS + 1))
	printf '%s\n' "$ERR" | grep -qxF -- "dmarc-ingest: warning: $T/in/$2" ||
	    fail "$1: no line 'dmarc-ingest: warning: $T/in/$2'"
}
# stored ID: record_count|message_count of the report with that report_id
stored() {
	q "SELECT record_count || '|' || message_count FROM report WHERE report_id = '$1'"
}
# positions ID: the stored records' positions and counts
positions() {
	q "SELECT group_concat(position || '=' || count, ' ') FROM (SELECT r.position, r.count
	    FROM record r JOIN report p ON p.id = r.report WHERE p.report_id = '$1' ORDER BY r.position)"
}

# counts: negative, 2^63 and 2^64 skipped
warning "negative count" "counts.xml: record 2: invalid count '-3' (skipped)"
warning "count 2^63" "counts.xml: record 3: invalid count '9223372036854775808' (skipped)"
warning "count 2^64" "counts.xml: record 4: invalid count '18446744073709551616' (skipped)"
expect_eq "counts stored" "$(stored counts)" "2|12"
expect_eq "counts records" "$(positions counts)" "1=5 5=7"

# a sum over 64 bits: the records that would wrap it are skipped
warning "overflow record 2" "overflow.xml: record 2: count 9223372036854775807 makes the report's message total overflow 64 bits (skipped)"
warning "overflow record 3" "overflow.xml: record 3: count 1 makes the report's message total overflow 64 bits (skipped)"
expect_eq "overflow stored" "$(stored overflow)" "1|9223372036854775807"
expect_eq "overflow records" "$(positions overflow)" "1=9223372036854775807"

# addresses: scoped, invalid, out of range, empty skipped; others canonical
warning "scoped IPv6" "ips.xml: record 2: invalid source_ip 'fe80::1%eth0' (skipped)"
warning "invalid IPv6" "ips.xml: record 3: invalid source_ip '2001:db8::zz' (skipped)"
warning "invalid IPv4" "ips.xml: record 5: invalid source_ip '1.2.3.256' (skipped)"
warning "empty IP" "ips.xml: record 6: invalid source_ip '' (skipped)"
warning "scoped IPv6, numeric" "ips.xml: record 8: invalid source_ip 'fe80::1%25' (skipped)"
expect_eq "ips stored" "$(stored ips)" "3|12"
expect_eq "ips records" "$(q "SELECT group_concat(position || '=' || source_ip || '/' || ip_family, ' ')
    FROM (SELECT r.* FROM record r JOIN report p ON p.id = r.report WHERE p.report_id = 'ips' ORDER BY r.position)")" \
    "1=192.0.2.1/4 4=2001:db8::1/6 7=192.0.2.9/4"

# dates: kept as sent, with a warning
warning "1970" "d1970.xml: date_range 0-86399 is before the year 2000"
warning "9999" "d9999.xml: date_range 253402214400-253402300799 is in the future"
warning "end before begin" "dswap.xml: date_range end $DAY is before begin $END"
expect_eq "dates stored" "$(q "SELECT group_concat(report_id || '=' || date_begin || '-' || date_end || '/' || message_count, ' ')
    FROM (SELECT * FROM report WHERE report_id IN ('d1970', 'd9999', 'dswap') ORDER BY report_id)")" \
    "d1970=0-86399/1 d9999=253402214400-253402300799/2 dswap=$END-$DAY/3"

# text: valid UTF-8 in the database, no C0 control characters
expect_match "utf8 warning" "$ERR" "^dmarc-ingest: warning: $T/in/utf8.xml: XML not well-formed, recovered: line 2: Input is not proper UTF-8"
expect_eq "utf8 stored" "$(stored utf8)" "2|7"
expect_eq "utf8 org_name" "$(q "SELECT hex(org_name) FROM report WHERE report_id = 'utf8'")" \
    "$(printf 'Bad\303\277\303\276UTF \303\203( ctl[31m end' | od -An -tx1 | tr -d ' \n' | tr a-f A-F)"
# the invalid byte read as Latin-1 gives exampleÿ.com, a U-label: stored as
# its A-label (E.17)
expect_eq "utf8 header_from" "$(q "SELECT r.header_from FROM record r JOIN report p ON p.id = r.report WHERE p.report_id = 'utf8' AND r.position = 2")" \
    "xn--example-i3a.com"
CHECKS=$((CHECKS + 1))
q "SELECT org_name FROM report UNION ALL SELECT header_from FROM record" | iconv -f UTF-8 -t UTF-8 >/dev/null ||
    fail "text in the database is not valid UTF-8"
expect_eq "no C0 controls stored" "$(q "SELECT count(*) FROM report WHERE org_name GLOB '*[$(printf '\001-\037')]*'")" 0

# an undeclared entity is left out, not fetched
expect_match "entity warning" "$ERR" "^dmarc-ingest: warning: $T/in/entity.xml: XML not well-formed, recovered: line 2: Entity 'xxe' not defined"
expect_eq "entity stored" "$(stored entity)|$(q "SELECT quote(org_name) FROM report WHERE report_id = 'entity'")" "1|9|NULL"

# the good reports, whole
expect_eq "good stored" "$(q "SELECT count(*) FROM report WHERE input_name LIKE '$T/good/%'")" 2

# dmarc-report: no sum ever wraps.  The overflow report (2^63-1 messages)
# plus any other message of the same day cannot be summed: each command
# fails with a clear error (exit 2) or prints exact numbers.
report_cmd() {
	set +e
	DMARC_NOW=2025-06-04 "$DMARC_REPORT" --db "$DB" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	set -e
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}
for cmd in summary policy weekly; do
	report_cmd "$cmd" --format json
	expect_rc "report $cmd" 2
	expect_eq "report $cmd error" "$ERR" "dmarc-report: message totals overflow 64 bits"
	expect_eq "report $cmd prints nothing" "$OUT" ""
done
# per source IP the sums fit: exact
report_cmd sources --format json
expect_rc "report sources" 0
expect_match "sources: the overflow IP exact" "$OUT" \
    '"source_ip": "198.51.100.1", "ptr": null, "ptr_confirmed": false, "sender": null, "messages": 9223372036854775807, "dmarc_pass": 9223372036854775807, "dmarc_fail": 0,'
expect_match "sources: the next IP exact" "$OUT" '"source_ip": "192.0.2.1", "ptr": null, "ptr_confirmed": false, "sender": null, "messages": 24,'
report_cmd reporters --format json
expect_rc "report reporters" 0
expect_match "reporters: the overflow reporter exact" "$OUT" \
    '"reporter": "Overflow", "reports": 1, "messages": 9223372036854775807,'
# the per-day source totals the report commands read stay integers
expect_eq "source_day exact" "$(q "SELECT typeof(messages) || ' ' || messages FROM source_day WHERE source_ip = '198.51.100.1'")" \
    "integer 9223372036854775807"

# without the overflow report every command prints exact sums
q "DELETE FROM report WHERE report_id = 'overflow'; DELETE FROM source_day WHERE source_ip LIKE '198.51.100.%'; DELETE FROM source_auth WHERE source_ip LIKE '198.51.100.%'"
want=$(q "SELECT sum(message_count) FROM report WHERE domain = 'example.com' AND date_begin >= $DAY AND date_begin < $DAY + 7 * 86400")
# (the overflow report's rows are gone from the report, source_day and
# source_auth tables, which is all the commands read: nothing needs
# attention, so weekly exits 0 too)
for cmd in summary sources policy reporters weekly; do
	report_cmd "$cmd" --format json
	expect_rc "report $cmd without overflow" 0
done
report_cmd summary --format json --since 2025-06-02 --until 2025-06-08
expect_match "summary exact" "$OUT" "\"messages\": $want,"

done_tests
