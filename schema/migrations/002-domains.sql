-- SPDX-License-Identifier: MIT
-- 002-domains.sql: schema version 1 -> 2.  Domains compared as domains
-- (SPEC.md E.17) and dates in seconds (E.15), for the reports stored before
-- dmarc-ingest normalized them:
--  * every domain column in its stored form: lowercase, without a trailing
--    dot, A-labels (dm_domain(), the C function of common/domain.c that
--    schema/db.c registers on the connection that migrates);
--  * a date_begin or date_end of 13 digits (milliseconds) in seconds;
--  * the reports that thereby become one report under the idempotence key
--    (org_name, report_id, domain, date_begin) are merged: the first stored
--    (lowest id) stays, the later ones go with their records (ON DELETE
--    CASCADE); the per-report totals of the one kept are its own already;
--  * the per-day source totals (source_day) of every domain and day touched
--    are computed again from the records, the way dmarc-ingest adds each
--    report's (ingest/store.c, S_SOURCE_DAY), summed over the reports.
-- The UTC day of a date is fmt.c's utc_day(): floor(date / 86400).

CREATE TEMP TABLE m2_report AS
    SELECT id, ifnull(org_name, '') AS org, report_id,
        domain AS old_domain, date_begin AS old_begin, date_end AS old_end,
        dm_domain(domain) AS new_domain,
        CASE WHEN date_begin BETWEEN 1000000000000 AND 9999999999999
            THEN date_begin / 1000 ELSE date_begin END AS new_begin,
        CASE WHEN date_end BETWEEN 1000000000000 AND 9999999999999
            THEN date_end / 1000 ELSE date_end END AS new_end
    FROM report;

-- the later copies of one report
CREATE TEMP TABLE m2_drop AS
    SELECT id FROM (
        SELECT id, row_number() OVER (PARTITION BY org, report_id, new_domain,
            new_begin ORDER BY id) AS n
        FROM m2_report)
    WHERE n > 1;

-- the (domain, day) pairs whose source totals change: before and after
CREATE TEMP TABLE m2_days (
    domain TEXT NOT NULL,
    day INTEGER NOT NULL,
    PRIMARY KEY (domain, day)
) WITHOUT ROWID;
CREATE TEMP VIEW m2_changed AS
    SELECT * FROM m2_report
    WHERE old_domain IS NOT new_domain OR old_begin <> new_begin
        OR id IN (SELECT id FROM m2_drop);
INSERT OR IGNORE INTO m2_days
    SELECT old_domain, CASE WHEN old_begin >= 0 THEN old_begin / 86400
        ELSE -((-old_begin + 86399) / 86400) END
    FROM m2_changed;
INSERT OR IGNORE INTO m2_days
    SELECT new_domain, CASE WHEN new_begin >= 0 THEN new_begin / 86400
        ELSE -((-new_begin + 86399) / 86400) END
    FROM m2_changed;
INSERT OR IGNORE INTO m2_days
    SELECT domain, day FROM source_day WHERE domain IS NOT dm_domain(domain);
INSERT OR IGNORE INTO m2_days
    SELECT dm_domain(domain), day FROM source_day
    WHERE domain IS NOT dm_domain(domain);

DELETE FROM report WHERE id IN (SELECT id FROM m2_drop);

UPDATE report
    SET domain = m.new_domain, date_begin = m.new_begin, date_end = m.new_end
    FROM m2_report AS m
    WHERE m.id = report.id AND (m.old_domain IS NOT m.new_domain OR
        m.old_begin <> m.new_begin OR m.old_end <> m.new_end);

UPDATE record
    SET header_from = dm_domain(header_from),
        envelope_from = dm_domain(envelope_from),
        envelope_to = dm_domain(envelope_to)
    WHERE header_from IS NOT dm_domain(header_from)
        OR envelope_from IS NOT dm_domain(envelope_from)
        OR envelope_to IS NOT dm_domain(envelope_to);
UPDATE record_dkim SET domain = dm_domain(domain)
    WHERE domain IS NOT dm_domain(domain);
UPDATE record_spf SET domain = dm_domain(domain)
    WHERE domain IS NOT dm_domain(domain);

DELETE FROM source_day WHERE (domain, day) IN (SELECT domain, day FROM m2_days);
INSERT INTO source_day (domain, day, source_ip, ip_family, records, messages,
        dmarc_pass, spf_aligned_pass, dkim_aligned_pass, disp_none,
        disp_quarantine, disp_reject)
    SELECT r.domain, d.day, rec.source_ip, rec.ip_family, count(*),
        sum(rec.count),
        sum(CASE WHEN rec.dkim_aligned = 'pass' OR rec.spf_aligned = 'pass'
            THEN rec.count ELSE 0 END),
        sum(CASE WHEN rec.spf_aligned = 'pass' THEN rec.count ELSE 0 END),
        sum(CASE WHEN rec.dkim_aligned = 'pass' THEN rec.count ELSE 0 END),
        sum(CASE WHEN rec.disposition = 'none' THEN rec.count ELSE 0 END),
        sum(CASE WHEN rec.disposition = 'quarantine' THEN rec.count ELSE 0 END),
        sum(CASE WHEN rec.disposition = 'reject' THEN rec.count ELSE 0 END)
    FROM m2_days AS d
    JOIN report AS r ON r.domain = d.domain
        AND r.date_begin >= d.day * 86400 AND r.date_begin < (d.day + 1) * 86400
    JOIN record AS rec ON rec.report = r.id
    GROUP BY r.domain, d.day, rec.source_ip, rec.ip_family;

DROP VIEW m2_changed;
DROP TABLE m2_days;
DROP TABLE m2_drop;
DROP TABLE m2_report;
