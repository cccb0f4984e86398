#!/bin/bash
# SPDX-License-Identifier: MIT
# source_auth, the per-source authentication outcomes dmarc-ingest keeps
# (schema.sql, ingest/store_sourceauth.c, grouped in memory by
# ingest/authtotals.c), agrees with the raw records: the
# records grouped here by plain SQL (per policy domain, UTC day, source IP
# and what advise, senders and sources read of a record: header From,
# disposition, aligned verdicts, override reasons, raw SPF and DKIM
# results in order), with their records, messages and messages per
# reporter, equal the table row for row, after an ingest over several
# runs, after a re-ingest, after --prune-before, and when migration
# 003-source-auth.sql computes it again from the records: then byte for
# byte, JSON text included, also for text that JSON must escape and for
# reports with more outcomes than dmarc-ingest groups in memory (put aside
# in a temporary table), one of them with its policy domain and dates after
# its records.
. "$(dirname "$0")/lib.sh"
set -e

# the records' outcomes, computed here, as text: one line per group, the
# messages of each reporter last
raw() {
	q "SELECT domain, day, source_ip, hf, disp, da, sa, ov, rs, spf, dkim,
	    sum(n), sum(m), group_concat(org || '=' || m, ',')
	FROM (SELECT domain, day, source_ip, hf, disp, da, sa, ov, rs, spf, dkim,
	    org, count(*) AS n, sum(count) AS m
	FROM (SELECT r.domain AS domain,
	    CASE WHEN r.date_begin >= 0 THEN r.date_begin / 86400
	        ELSE -((-r.date_begin + 86399) / 86400) END AS day,
	    c.source_ip AS source_ip, ifnull(c.header_from, '') AS hf,
	    ifnull(c.disposition, '') AS disp, ifnull(c.dkim_aligned, '') AS da,
	    ifnull(c.spf_aligned, '') AS sa,
	    (SELECT count(*) > 0 FROM record_reason x WHERE x.record = c.id AND
	        (x.type IN ('forwarded', 'mailing_list', 'trusted_forwarder',
	        'local_policy') OR instr(lower(x.comment), 'arc=pass') > 0)) AS ov,
	    ifnull((SELECT group_concat(ifnull(type, '~'), '/') FROM (SELECT type
	        FROM record_reason x WHERE x.record = c.id ORDER BY position)), '') AS rs,
	    ifnull((SELECT group_concat(ifnull(domain, '~') || ' ' || ifnull(scope, '~')
	        || ' ' || ifnull(result, '~'), '/') FROM (SELECT * FROM record_spf x
	        WHERE x.record = c.id ORDER BY position)), '') AS spf,
	    ifnull((SELECT group_concat(ifnull(domain, '~') || ' ' || ifnull(selector, '~')
	        || ' ' || ifnull(result, '~'), '/') FROM (SELECT * FROM record_dkim x
	        WHERE x.record = c.id ORDER BY position)), '') AS dkim,
	    c.count AS count, ifnull(r.org_name, '') AS org
	    FROM record c JOIN report r ON r.id = c.report)
	GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
	ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)
	GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11"
}

# the table, read back the same way (its JSON lists opened)
table() {
	q "SELECT domain, day, source_ip, header_from, disposition, dkim_aligned,
	    spf_aligned, overridden,
	    ifnull((SELECT group_concat(ifnull(value, '~'), '/') FROM json_each(s.reasons)), ''),
	    ifnull((SELECT group_concat(ifnull(value ->> 0, '~') || ' ' || ifnull(value ->> 1, '~')
	        || ' ' || ifnull(value ->> 2, '~'), '/') FROM json_each(s.spf)), ''),
	    ifnull((SELECT group_concat(ifnull(value ->> 0, '~') || ' ' || ifnull(value ->> 1, '~')
	        || ' ' || ifnull(value ->> 2, '~'), '/') FROM json_each(s.dkim)), ''),
	    records, messages,
	    (SELECT group_concat(key || '=' || value, ',') FROM (SELECT key, value
	        FROM json_each(s.reporters) ORDER BY key))
	FROM source_auth s ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11"
}

# a few reports per run, several reporters, forwarded and arc=pass mail,
# two domains, some days apart
"$DMARC_GEN" --out "$T/a" --reports 30 --records 25 --seed 21 --format mixed \
    --domain example.com --domain example.org --start 2025-03-01 2>/dev/null
"$DMARC_GEN" --out "$T/b" --reports 30 --records 25 --seed 22 --format mixed \
    --domain example.com --start 2025-03-03 2>/dev/null
ingest "$T/a"
expect_rc "first run" 0
ingest "$T/b"
expect_rc "second run" 0
expect_match "the fixtures have override reasons" "$(q 'SELECT sum(overridden) FROM source_auth')" '^[1-9]'
expect_match "rows added up across reporters" "$(q "SELECT count(*) FROM source_auth WHERE reporters LIKE '%,%'")" '^[1-9]'
want=$(raw)
expect_match "the records have outcomes" "$(printf '%s\n' "$want" | wc -l)" '^ *[1-9][0-9]'
expect_eq "source_auth = the records" "$(table)" "$want"
expect_eq "messages = source_day's" "$(q 'SELECT sum(messages) FROM source_auth')" "$(q 'SELECT sum(messages) FROM source_day')"

# hand-made reports: text JSON must escape (quotes, backslashes, a tab,
# non-ASCII), override reasons in every spelling, and two reports with more
# outcomes than fit in memory (4,096): one in the usual order, one with
# report_metadata's dates and policy_published after its 5,000 records
mkdir "$T/hand"
# esc_record COUNT: one record of 192.0.2.77 with the awkward text
esc_record() {
	cat <<XML
<record><row><source_ip>192.0.2.77</source_ip><count>$1</count><policy_evaluated>
<disposition>none</disposition><dkim>fail</dkim><spf>fail</spf>
<reason><type>forwarded</type></reason><reason><type>other</type><comment>ARC=Pass seen</comment></reason>
</policy_evaluated></row><identifiers><header_from>example.com</header_from></identifiers>
<auth_results><dkim><domain>example.com</domain><selector>s"el\\ect&#9;or</selector><result>fail</result></dkim>
<dkim><domain>caf&#xe9;.example</domain><result>pass</result></dkim>
<spf><domain>b&#xfc;ro.example</domain><result>softfail</result></spf></auth_results></record>
XML
}
{
	cat <<'XML'
<?xml version="1.0"?>
<feedback><report_metadata><org_name>Quote "Q" \ Org</org_name>
<email>a@b.example</email><report_id>esc-1</report_id>
<date_range><begin>1741046400</begin><end>1741132799</end></date_range></report_metadata>
<policy_published><domain>example.com</domain><p>none</p></policy_published>
XML
	esc_record 4
	esc_record 6
	echo '</feedback>'
} >"$T/hand/esc.xml"
# NAME ID ORDER: a report of 5,000 records; records 4,501.. repeat the
# outcomes of the first 500 (so a group put aside meets itself again)
big_report() {
	local meta="<report_metadata><org_name>big.example</org_name><email>a@b.example</email><report_id>$2</report_id><date_range><begin>1741219200</begin><end>1741305599</end></date_range></report_metadata>"
	local pol="<policy_published><domain>example.net</domain><p>reject</p></policy_published>"
	{
		echo '<?xml version="1.0"?><feedback>'
		[ "$3" = usual ] && echo "$meta$pol"
		local i res=(pass fail fail)
		for ((i = 0; i < 5000; i++)); do
			local j=$((i < 4500 ? i : i - 4500))
			printf '<record><row><source_ip>10.%d.%d.%d</source_ip><count>%d</count><policy_evaluated><disposition>reject</disposition><dkim>%s</dkim><spf>fail</spf></policy_evaluated></row><identifiers><header_from>example.net</header_from></identifiers><auth_results><dkim><domain>example.net</domain><selector>s%d</selector><result>%s</result></dkim></auth_results></record>\n' \
			    $((j / 65536)) $((j / 256 % 256)) $((j % 256)) $((i % 7 + 1)) \
			    "${res[j % 3]}" $((j % 5)) \
			    "${res[j % 3]}"
		done
		[ "$3" = usual ] || echo "$meta$pol"
		echo '</feedback>'
	} >"$T/hand/$1.xml"
}
big_report big-usual big-1 usual
big_report big-late big-2 late
ingest "$T/hand"
expect_rc "hand-made reports" 0
expect_eq "the odd-order report stored" "$(q "SELECT domain || ' ' || date_begin FROM report WHERE report_id = 'big-2'")" "example.net 1741219200"
expect_eq "big reports: 4,500 outcomes each, added up" "$(q "SELECT count(*), sum(records), sum(messages) FROM source_auth WHERE domain = 'example.net' AND day = 1741219200 / 86400")" \
    "4500|10000|$(q "SELECT sum(count) FROM record c JOIN report r ON r.id = c.report WHERE r.report_id LIKE 'big-%'")"
expect_eq "big reports: both reporters' messages in the repeated rows" "$(q "SELECT reporters FROM source_auth WHERE domain = 'example.net' AND source_ip = '10.0.0.1'")" \
    '{"big.example":'"$(q "SELECT sum(count) FROM record WHERE source_ip = '10.0.0.1'")"'}'
expect_eq "escaped text: one row of two records" "$(q "SELECT records, messages, overridden, reasons FROM source_auth WHERE source_ip = '192.0.2.77'")" \
    '2|10|1|["forwarded","other"]'
expect_eq "escaped text: as SQLite writes it" "$(q "SELECT dkim = (SELECT json_group_array(json_array(domain, selector, result)) FROM (SELECT * FROM record_dkim WHERE record = (SELECT min(id) FROM record WHERE source_ip = '192.0.2.77') ORDER BY position)) FROM source_auth WHERE source_ip = '192.0.2.77'")" 1
expect_eq "escaped text: reporter name" "$(q "SELECT reporters FROM source_auth WHERE source_ip = '192.0.2.77'")" '{"Quote \"Q\" \\ Org":10}'
want=$(raw)
expect_eq "hand-made: source_auth = the records" "$(table)" "$want"

# a re-ingest adds nothing
ingest "$T/a"
expect_rc "re-ingest" 0
expect_eq "re-ingest: unchanged" "$(table)" "$want"

# migration 003 computes it again from the records: the same rows
before=$(table)
bytes_before=$(q 'SELECT * FROM source_auth ORDER BY 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12')
sqlite3 "$DB" 'DROP TABLE source_auth; DROP TABLE imap_seen; PRAGMA user_version = 2'
ingest --stats
expect_rc "migrated" 0
expect_eq "migrated: version 5" "$(q 'PRAGMA user_version')" 5
expect_eq "migration = ingest" "$(table)" "$before"
expect_eq "migration = ingest, byte for byte" "$(q 'SELECT * FROM source_auth ORDER BY 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12')" "$bytes_before"

# pruning removes whole days and keeps the rest equal to the records
ingest --prune-before 2025-03-04
expect_rc "prune" 0
expect_eq "pruned days gone" "$(q "SELECT count(*) FROM source_auth WHERE day < strftime('%s', '2025-03-04') / 86400")" 0
expect_match "some days left" "$(q 'SELECT count(*) FROM source_auth')" '^[1-9]'
expect_eq "pruned: source_auth = the records" "$(table)" "$(raw)"

done_tests
