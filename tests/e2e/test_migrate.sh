#!/bin/bash
# SPDX-License-Identifier: MIT
# Schema migrations end to end: a version-1 database (tests/data/migrate/
# v1.sql: mixed-case and trailing-dot domains, a re-send that differs only in
# case, dates in milliseconds) opened by dmarc-ingest is brought to version
# 2 (then 3, 003-imap.sql adds imap_seen): domains in their stored form, dates in seconds, the copies of one report
# merged (the first stored kept), the per-day source totals right.  The
# expected figures are worked out by hand from v1.sql.
. "$(dirname "$0")/lib.sh"
set -e

sqlite3 "$DB" <"$DM_TEST_DATA/migrate/v1.sql"
expect_eq "v1 fixture" "$(q 'PRAGMA user_version')|$(q 'SELECT count(*) FROM report')" "1|7"
report summary --since 2025-01-01
expect_rc "dmarc-report never migrates" 2
expect_match "dmarc-report names the version" "$ERR" "schema version 1, this program reads 3"

# the first ingest migrates; then Rep A's r1 for EXAMPLE.COM is a duplicate
cat >"$T/resend.xml" <<'XML'
<?xml version="1.0"?>
<feedback><report_metadata><org_name>Rep A</org_name><email>a@rep.example</email><report_id>r1</report_id><date_range><begin>1748822400</begin><end>1748908799</end></date_range></report_metadata>
<policy_published><domain>EXAMPLE.COM</domain><p>none</p></policy_published>
<record><row><source_ip>192.0.2.1</source_ip><count>10</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf></policy_evaluated></row><identifiers><header_from>example.com</header_from></identifiers></record>
</feedback>
XML
ingest --json "$T/resend.xml"
expect_rc "migrated" 0
expect_eq "schema version 3" "$(q 'PRAGMA user_version')" 3
expect_eq "003-imap: the table of messages read by IMAP" "$(q "SELECT count(*) FROM imap_seen")" 0
expect_eq "the re-send is a duplicate" "$(json reports_new)|$(json reports_duplicate)" "0|1"

# reports 2 (= 1 in other case) and 6 (= 4 in milliseconds) merged away
expect_eq "reports kept, normalized" "$(q "SELECT group_concat(id || ':' || domain || ':' || date_begin || '-' || date_end, ' ') FROM (SELECT * FROM report ORDER BY id)")" \
    "1:example.com:1748822400-1748908799 3:example.com:1748822400-1748908799 4:other.example:1748908800-1748995199 5:other.example:1748908800-1748995199 7:keep.example:1745280000-1745366399"
expect_eq "records of the merged copies gone" "$(q 'SELECT group_concat(id) FROM (SELECT id FROM record ORDER BY id)')" "1,2,5,6,7,9"
expect_eq "their results and errors gone" "$(q 'SELECT (SELECT count(*) FROM record_dkim) || (SELECT count(*) FROM record_spf) || (SELECT count(*) FROM report_error)')" "110"
expect_eq "record domains" "$(q "SELECT group_concat(id || ':' || header_from || ':' || ifnull(envelope_from, '-') || ':' || ifnull(envelope_to, '-'), ' ') FROM (SELECT * FROM record ORDER BY id)")" \
    "1:example.com:bounce.example.com:rcpt.example 2:spoof.example.com:-:- 5:example.com:example.com:- 6:other.example:-:- 7:other.example:-:- 9:keep.example:-:-"
expect_eq "DKIM and SPF domains" "$(q 'SELECT d.domain || " " || s.domain FROM record_dkim d, record_spf s')" "example.com bounce.example.com"
expect_eq "per-report totals kept" "$(q "SELECT group_concat(id || ':' || record_count || '/' || message_count || '/' || dmarc_pass, ' ') FROM (SELECT * FROM report ORDER BY id)")" \
    "1:2/15/10 3:1/3/3 4:1/8/0 5:1/2/2 7:1/4/4"
# source_day: example.com 2025-06-02 (day 20241) from reports 1 and 3,
# other.example 2025-06-03 (20242) from 4 and 5, keep.example untouched;
# columns: records messages dmarc_pass spf dkim none quarantine reject
expect_eq "per-day source totals" "$(q "SELECT group_concat(domain || ' ' || day || ' ' || source_ip || ' ' || records || ' ' || messages || ' ' || dmarc_pass || ' ' || spf_aligned_pass || ' ' || dkim_aligned_pass || ' ' || disp_none || ' ' || disp_quarantine || ' ' || disp_reject, '; ') FROM (SELECT * FROM source_day ORDER BY domain, day, source_ip)")" \
    "example.com 20241 192.0.2.1 2 13 13 10 13 13 0 0; example.com 20241 192.0.2.2 1 5 0 0 0 0 0 5; keep.example 20200 203.0.113.1 1 4 4 4 4 4 0 0; other.example 20242 198.51.100.7 2 10 2 2 2 2 8 0"
# the totals agree with the records, domain by domain and day by day
expect_eq "source_day = records" "$(q "SELECT count(*) FROM (SELECT r.domain, r.date_begin / 86400 AS day, c.source_ip, count(*) AS n, sum(c.count) AS m FROM report r JOIN record c ON c.report = r.id GROUP BY 1, 2, 3) x FULL JOIN source_day s USING (domain, day, source_ip) WHERE x.n IS NOT s.records OR x.m IS NOT s.messages")" 0

# dmarc-report reads it: one domain, whatever the case asked
report summary --domain EXAMPLE.COM. --since 2025-06-01 --until 2025-06-04 --format csv
expect_rc "report after the migration" 0
expect_match "example.com: reports 1 and 3" "$OUT" "^example.com,2,2,18,13,5,"

# an empty version-1 database migrates too
rm -f "$DB" "$DB-wal" "$DB-shm"
sed '/^-- ---- the data/,$d' "$DM_TEST_DATA/migrate/v1.sql" | sqlite3 "$DB"
sqlite3 "$DB" 'PRAGMA user_version = 1'
ingest --json "$T/resend.xml"
expect_rc "empty v1: migrated and stored" 0
expect_eq "empty v1: version 3, one report" "$(q 'PRAGMA user_version')|$(json reports_new)" "3|1"

done_tests
