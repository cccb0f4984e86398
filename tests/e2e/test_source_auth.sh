#!/bin/bash
# SPDX-License-Identifier: MIT
# source_auth, the per-source authentication outcomes dmarc-ingest keeps
# (schema.sql, ingest/store_summary.c), agrees with the raw records: the
# records grouped here by plain SQL (per policy domain, UTC day, source IP
# and what advise, senders and sources read of a record: header From,
# disposition, aligned verdicts, override reasons, raw SPF and DKIM
# results in order), with their records, messages and messages per
# reporter, equal the table row for row, after an ingest over several
# runs, after a re-ingest, after --prune-before, and when migration
# 003-source-auth.sql computes it again from the records.
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

# a re-ingest adds nothing
ingest "$T/a"
expect_rc "re-ingest" 0
expect_eq "re-ingest: unchanged" "$(table)" "$want"

# migration 003 computes it again from the records: the same rows
before=$(table)
sqlite3 "$DB" 'DROP TABLE source_auth; DROP TABLE imap_seen; PRAGMA user_version = 2'
ingest --stats
expect_rc "migrated" 0
expect_eq "migrated: version 4" "$(q 'PRAGMA user_version')" 4
expect_eq "migration = ingest" "$(table)" "$before"

# pruning removes whole days and keeps the rest equal to the records
ingest --prune-before 2025-03-04
expect_rc "prune" 0
expect_eq "pruned days gone" "$(q "SELECT count(*) FROM source_auth WHERE day < strftime('%s', '2025-03-04') / 86400")" 0
expect_match "some days left" "$(q 'SELECT count(*) FROM source_auth')" '^[1-9]'
expect_eq "pruned: source_auth = the records" "$(table)" "$(raw)"

done_tests
