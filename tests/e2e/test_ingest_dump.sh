#!/bin/bash
# SPDX-License-Identifier: MIT
# What dmarc-ingest stores, to the byte: a corpus of generated reports (files
# of every format, the same reports again as one mbox, a second run for the
# duplicates) and every parser fixture of tests/data/parse (the bad ones end
# in ingest_failure) is ingested, and every table is dumped ordered by its
# natural key, without the row ids and the times of the run, and compared
# with tests/data/ingest-dump/golden.txt.  The golden dump was made by the
# code before the ingest was made faster (issue 13), so any change to what
# is stored shows here.  The per-day source totals are also checked against
# plain SQL over the stored records, here and for one report of more source
# IPs than the store sums in memory at once.
# After a deliberate change: DM_UPDATE_GOLDEN=1 writes the golden file.
. "$(dirname "$0")/lib.sh"
set -e

GOLDEN="$DM_TEST_DATA/ingest-dump/golden.txt"

# names are relative to $T, so that input_name does not depend on it
cd "$T"
mkdir -p corpus/files corpus/parse
"$DMARC_GEN" --out corpus/files --reports 24 --records 12 --seed 13 \
    --domain example.com --domain example.org --format mixed --schema mixed \
    --start 2025-03-30 2>/dev/null
"$DMARC_GEN" --out corpus/gz --reports 6 --records 20 --seed 14 --format gz \
    --policy reject --start 2025-04-02 2>/dev/null
find corpus/gz -type f | sort | "$DMARC_GEN" --wrap mbox corpus/mail.mbox -
cp "$DM_TEST_DATA"/parse/*.xml corpus/parse/
# the generated files again: all duplicates
cp -r corpus/files corpus/again

ingest --json corpus/files corpus/mail.mbox corpus/parse
ingest --json corpus/again
expect_eq "second run: nothing new" "$(json reports_new)" 0

# dump: every table, ids and run times aside, rows in key order.  A report
# is named by its identity (org_name, report_id, domain, date_begin), a
# record by its report and position.
dump() {
	sqlite3 -batch -header "$DB" <<'SQL'
.mode list
.nullvalue NULL
CREATE TEMP VIEW rk AS SELECT id, quote(org_name) || ',' || quote(report_id)
    || ',' || quote(domain) || ',' || date_begin AS k FROM report;
SELECT org_name, email, extra_contact_info, report_id, date_begin, date_end,
    generator, schema, xml_version, xml_namespace, domain, domain_source,
    adkim, aspf, p, sp, np, pct, fo, testing, discovery_method, input_name,
    xml_sha256, message_id, message_date, message_from, message_subject,
    mbox_path, mbox_offset, record_count, message_count, dmarc_pass,
    spf_aligned_pass, dkim_aligned_pass, disp_none, disp_quarantine,
    disp_reject
FROM report ORDER BY ifnull(org_name, ''), report_id, domain, date_begin;
SELECT rk.k AS report, e.position, e.message FROM report_error e
    JOIN rk ON rk.id = e.report ORDER BY 1, 2;
SELECT rk.k AS report, r.position, r.source_ip, r.ip_family, r.count,
    r.disposition, r.dkim_aligned, r.spf_aligned, r.header_from,
    r.envelope_from, r.envelope_to
FROM record r JOIN rk ON rk.id = r.report ORDER BY 1, 2;
SELECT rk.k AS report, r.position AS record, x.position, x.type, x.comment
FROM record_reason x JOIN record r ON r.id = x.record JOIN rk ON rk.id = r.report
ORDER BY 1, 2, 3;
SELECT rk.k AS report, r.position AS record, x.position, x.domain,
    x.selector, x.result, x.human_result
FROM record_dkim x JOIN record r ON r.id = x.record JOIN rk ON rk.id = r.report
ORDER BY 1, 2, 3;
SELECT rk.k AS report, r.position AS record, x.position, x.domain, x.scope,
    x.result, x.human_result
FROM record_spf x JOIN record r ON r.id = x.record JOIN rk ON rk.id = r.report
ORDER BY 1, 2, 3;
SELECT * FROM source_day ORDER BY domain, day, source_ip;
SELECT input_name, payload_sha256, payload_size, payload IS NOT NULL AS kept,
    reason, attempts, message_id, message_date, message_from,
    message_subject, mbox_path, mbox_offset, resolved_at IS NOT NULL AS resolved
FROM ingest_failure ORDER BY payload_sha256;
SQL
}

# source_day against the records, summed with plain SQL
sd_check() {
	local what=$1 diff
	diff=$(sqlite3 -batch "$DB" "
	    WITH want AS (
	      SELECT r.domain, $UTC_DAY AS day, c.source_ip, c.ip_family,
	        count(*) AS records, sum(c.count) AS messages,
	        sum(CASE WHEN c.dkim_aligned = 'pass' OR c.spf_aligned = 'pass'
	            THEN c.count ELSE 0 END) AS dmarc_pass,
	        sum(CASE WHEN c.spf_aligned = 'pass' THEN c.count ELSE 0 END) AS spf,
	        sum(CASE WHEN c.dkim_aligned = 'pass' THEN c.count ELSE 0 END) AS dkim,
	        sum(CASE WHEN c.disposition = 'none' THEN c.count ELSE 0 END) AS dn,
	        sum(CASE WHEN c.disposition = 'quarantine' THEN c.count ELSE 0 END) AS dq,
	        sum(CASE WHEN c.disposition = 'reject' THEN c.count ELSE 0 END) AS dr
	      FROM record c JOIN report r ON r.id = c.report
	      GROUP BY 1, 2, 3, 4),
	    have AS (SELECT domain, day, source_ip, ip_family, records, messages,
	        dmarc_pass, spf_aligned_pass, dkim_aligned_pass, disp_none,
	        disp_quarantine, disp_reject FROM source_day)
	    SELECT count(*) FROM (SELECT * FROM want EXCEPT SELECT * FROM have
	        UNION ALL SELECT * FROM have EXCEPT SELECT * FROM want);
	    SELECT count(*) FROM source_day;")
	expect_eq "$what: source_day rows that differ from the records" \
	    "$(echo "$diff" | head -1)" 0
	expect_match "$what: source_day has rows" "$(echo "$diff" | tail -1)" '^[1-9]'
}
UTC_DAY="CASE WHEN r.date_begin >= 0 THEN r.date_begin / 86400 ELSE -((-r.date_begin + 86399) / 86400) END"

dump >dump.txt
if [ "${DM_UPDATE_GOLDEN:-0}" = 1 ]; then
	cp dump.txt "$GOLDEN"
	echo "wrote $GOLDEN"
fi
if ! cmp -s dump.txt "$GOLDEN"; then
	fail "the database differs from $GOLDEN:"
	diff "$GOLDEN" dump.txt | head -20 >&2
fi
CHECKS=$((CHECKS + 1))
expect_match "golden dump has records" "$(grep -c '^' "$GOLDEN")" '^[0-9]{4,}$'
sd_check corpus

# one report of many source IPs whose policy domain and date come after
# its records, and another report of the same domain and day
fresh_db
{
	echo '<?xml version="1.0"?><feedback><report_metadata><org_name>X</org_name>'
	echo '<email>x@x</email><report_id>many</report_id></report_metadata>'
	awk 'BEGIN { for (i = 0; i < 30000; i++) {
	    d = (i % 3 == 0) ? "pass" : "fail"; s = (i % 5 == 0) ? "pass" : "fail";
	    disp = (i % 7 == 0) ? "reject" : ((i % 7 == 1) ? "quarantine" : "none");
	    printf "<record><row><source_ip>10.%d.%d.%d</source_ip><count>%d</count>", \
	        int(i / 65536) % 256, int(i / 256) % 256, i % 256, i % 13 + 1;
	    printf "<policy_evaluated><disposition>%s</disposition><dkim>%s</dkim>", disp, d;
	    printf "<spf>%s</spf></policy_evaluated></row><identifiers><header_from>", s;
	    printf "example.net</header_from></identifiers><auth_results><spf><domain>";
	    printf "example.net</domain><result>%s</result></spf></auth_results></record>\n", s } }'
	echo '<report_metadata><date_range><begin>1700000000</begin><end>1700086399</end>'
	echo '</date_range></report_metadata><policy_published><domain>example.net</domain>'
	echo '<p>none</p></policy_published></feedback>'
} >many.xml
sed -e 's/<report_id>many</<report_id>many2</' many.xml >many2.xml
ingest --json many.xml many2.xml
expect_rc "many source IPs" 0
expect_eq "many source IPs: records" "$(q 'SELECT count(*) FROM record')" 60000
sd_check "many source IPs"
expect_eq "many source IPs: one row per IP" "$(q 'SELECT count(*), sum(records) FROM source_day')" "30000|60000"

# one generated report of 8,635 source IPs (over four times the 2,048 that
# store_sourceday.c sums in memory at once), its key known from
# the start, and the same records again in a second report of that day
fresh_db
mkdir big
"$DMARC_GEN" --out big --big 30000 --format xml 2>/dev/null
sed -e 's/<report_id>\([^<]*\)</<report_id>\1-again</' big/* >again.xml
ingest --json big again.xml
expect_rc "big report" 0
expect_match "big report: over 8,200 source IPs" \
    "$(q 'SELECT count(DISTINCT source_ip) FROM record')" '^(8[2-9][0-9]{2}|9[0-9]{3}|[1-9][0-9]{4})$'
expect_eq "big report: twice" "$(q "SELECT count(*) FROM report")" 2
sd_check "big report"
done_tests
