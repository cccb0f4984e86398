#!/bin/bash
# SPDX-License-Identifier: MIT
# Schema migrations end to end: a version-1 database (tests/data/migrate/
# v1.sql: mixed-case and trailing-dot domains, a re-send that differs only in
# case, dates in milliseconds) opened by dmarc-ingest is brought to version
# 2: domains in their stored form, dates in seconds, the copies of one report
# merged (the first stored kept), the per-day source totals right; then to
# version 3: the per-source authentication outcomes (source_auth) filled
# from the records kept, and kept up by the next ingest; then to version 4: imap_seen
# (004-imap.sql) added empty; then to version 5: the record(source_ip) index
# gone (005-record-ip-index.sql), the schema then that of a new database.  The expected
# figures are worked out by hand from v1.sql.
. "$(dirname "$0")/lib.sh"
set -e

sqlite3 "$DB" <"$DM_TEST_DATA/migrate/v1.sql"
expect_eq "v1 fixture" "$(q 'PRAGMA user_version')|$(q 'SELECT count(*) FROM report')" "1|7"
report summary --since 2025-01-01
expect_rc "dmarc-report never migrates" 2
expect_match "dmarc-report names the version" "$ERR" "schema version 1, this program reads 5"

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
expect_eq "schema version 5" "$(q 'PRAGMA user_version')" 5
expect_eq "004-imap: the table of messages read by IMAP" "$(q "SELECT count(*) FROM imap_seen")" 0
expect_eq "005: no index of the records by source IP" "$(q "SELECT count(*) FROM sqlite_master WHERE name = 'record_source_ip'")" 0
# the migrated schema is a new database's (tables, indexes, columns)
schema_of() { sqlite3 -batch -noheader "$1" "SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY 1, 2; SELECT m.name, p.name, p.type, p.pk FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY 1, 2"; }
"$DMARC_INGEST" --db "$T/fresh.db" "$T/resend.xml" >/dev/null 2>&1
expect_eq "migrated schema = a new database's" "$(schema_of "$DB")" "$(schema_of "$T/fresh.db")"
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

# source_auth (version 3) from the records kept: records 1, 2 (Rep A), 5
# (Rep B), 6 (Rep C), 7 (Rep D), 9 (Rep E); 1 and 5 differ in SPF aligned,
# so one IP and day has two outcomes; columns: domain day ip header_from
# disposition dkim spf overridden reasons spf dkim records messages
# reporters
sa_rows() {
	q "SELECT group_concat(domain || ' ' || day || ' ' || source_ip || ' ' || header_from || ' ' || disposition || ' ' || dkim_aligned || ' ' || spf_aligned || ' ' || overridden || ' ' || reasons || ' ' || spf || ' ' || dkim || ' ' || records || ' ' || messages || ' ' || reporters, '; ') FROM (SELECT * FROM source_auth ORDER BY domain, day, source_ip, messages)"
}
expect_eq "per-source outcomes" "$(sa_rows)" \
    'example.com 20241 192.0.2.1 example.com none pass fail 0 [] [] [] 1 3 {"Rep B":3}; example.com 20241 192.0.2.1 example.com none pass pass 0 [] [["bounce.example.com","mfrom","pass"]] [["example.com","Sel1","pass"]] 1 10 {"Rep A":10}; example.com 20241 192.0.2.2 spoof.example.com reject fail fail 0 [] [] [] 1 5 {"Rep A":5}; keep.example 20200 203.0.113.1 keep.example none pass pass 0 [] [] [] 1 4 {"Rep E":4}; other.example 20242 198.51.100.7 other.example none pass pass 0 [] [] [] 1 2 {"Rep D":2}; other.example 20242 198.51.100.7 other.example quarantine fail fail 0 [] [] [] 1 8 {"Rep C":8}'

# dmarc-report reads it: one domain, whatever the case asked
report summary --domain EXAMPLE.COM. --since 2025-06-01 --until 2025-06-04 --format csv
expect_rc "report after the migration" 0
expect_match "example.com: reports 1 and 3" "$OUT" "^example.com,2,2,18,13,5,"

# a new report after the migration adds to the row of its outcome and
# reporter list: Rep F, 7 more spoofed messages from 192.0.2.2
cat >"$T/more.xml" <<'XML'
<?xml version="1.0"?>
<feedback><report_metadata><org_name>Rep F</org_name><email>f@rep.example</email><report_id>f1</report_id><date_range><begin>1748822400</begin><end>1748908799</end></date_range></report_metadata>
<policy_published><domain>example.com</domain><p>reject</p></policy_published>
<record><row><source_ip>192.0.2.2</source_ip><count>7</count><policy_evaluated><disposition>reject</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated></row><identifiers><header_from>spoof.example.com</header_from></identifiers></record>
</feedback>
XML
ingest --json "$T/more.xml"
expect_rc "a new report" 0
expect_eq "its outcome added" "$(q "SELECT records || ' ' || messages || ' ' || reporters FROM source_auth WHERE source_ip = '192.0.2.2'")" \
    '2 12 {"Rep A":5,"Rep F":7}'

# an empty version-1 database migrates too
rm -f "$DB" "$DB-wal" "$DB-shm"
sed '/^-- ---- the data/,$d' "$DM_TEST_DATA/migrate/v1.sql" | sqlite3 "$DB"
sqlite3 "$DB" 'PRAGMA user_version = 1'
ingest --json "$T/resend.xml"
expect_rc "empty v1: migrated and stored" 0
expect_eq "empty v1: version 5, one report" "$(q 'PRAGMA user_version')|$(json reports_new)" "5|1"
expect_eq "empty v1: its outcomes" "$(q "SELECT domain || ' ' || source_ip || ' ' || records || ' ' || messages || ' ' || reporters FROM source_auth")" \
    'example.com 192.0.2.1 1 10 {"Rep A":10}'

done_tests
