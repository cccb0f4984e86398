-- SPDX-License-Identifier: MIT
-- 003-source-auth.sql: schema version 2 -> 3.  The per-source
-- authentication outcomes (source_auth, schema.sql) that dmarc-ingest now
-- keeps with each report (ingest/store_sourceauth.c), computed here from the
-- records already stored, the same way, summed over the reports: per
-- policy domain, UTC day of the report's date_begin (fmt.c's utc_day():
-- floor(date / 86400)), source IP and outcome, with the messages of each
-- reporter (org_name, '' when the report has none).  The override reasons
-- are schema/derived.h's SQL_OVERRIDE_REASON.  And source_day_ip holds
-- every total of source_day, so that `sources` ranks IPs from it alone.

DROP INDEX source_day_ip;
CREATE INDEX source_day_ip ON source_day (domain, source_ip, day, messages,
    dmarc_pass, spf_aligned_pass, dkim_aligned_pass, disp_none,
    disp_quarantine, disp_reject);

CREATE TABLE source_auth (
    domain              TEXT NOT NULL,
    day                 INTEGER NOT NULL,
    source_ip           TEXT NOT NULL,
    ip_family           INTEGER NOT NULL,
    header_from         TEXT NOT NULL,
    disposition         TEXT NOT NULL,
    dkim_aligned        TEXT NOT NULL,
    spf_aligned         TEXT NOT NULL,
    overridden          INTEGER NOT NULL,
    reasons             TEXT NOT NULL,
    spf                 TEXT NOT NULL,
    dkim                TEXT NOT NULL,
    records             INTEGER NOT NULL,
    messages            INTEGER NOT NULL CHECK (typeof(messages) = 'integer'),
    reporters           TEXT NOT NULL,
    PRIMARY KEY (domain, day, source_ip, header_from, disposition,
        dkim_aligned, spf_aligned, overridden, reasons, spf, dkim)
) WITHOUT ROWID;

INSERT INTO source_auth (domain, day, source_ip, ip_family, header_from,
        disposition, dkim_aligned, spf_aligned, overridden, reasons, spf,
        dkim, records, messages, reporters)
    SELECT domain, day, source_ip, min(ip_family), hf, disp, dkim_al, spf_al,
        ov, rs, spf, dkim, sum(n), sum(m), json_group_object(org, m)
    FROM (
        SELECT domain, day, source_ip, min(ip_family) AS ip_family, hf, disp,
            dkim_al, spf_al, ov, rs, spf, dkim, org, count(*) AS n,
            sum(count) AS m
        FROM (
            SELECT r.domain AS domain,
                CASE WHEN r.date_begin >= 0 THEN r.date_begin / 86400
                    ELSE -((-r.date_begin + 86399) / 86400) END AS day,
                ifnull(r.org_name, '') AS org,
                rec.source_ip AS source_ip, rec.ip_family AS ip_family,
                ifnull(rec.header_from, '') AS hf,
                ifnull(rec.disposition, '') AS disp,
                ifnull(rec.dkim_aligned, '') AS dkim_al,
                ifnull(rec.spf_aligned, '') AS spf_al,
                EXISTS (SELECT 1 FROM record_reason x WHERE x.record = rec.id
                    AND (x.type IN ('forwarded', 'mailing_list',
                        'trusted_forwarder', 'local_policy')
                    OR x.comment LIKE '%arc=pass%')) AS ov,
                (SELECT json_group_array(type) FROM (SELECT * FROM
                    record_reason x WHERE x.record = rec.id
                    ORDER BY x.position)) AS rs,
                (SELECT json_group_array(json_array(domain, scope, result))
                    FROM (SELECT * FROM record_spf x WHERE x.record = rec.id
                    ORDER BY x.position)) AS spf,
                (SELECT json_group_array(json_array(domain, selector, result))
                    FROM (SELECT * FROM record_dkim x WHERE x.record = rec.id
                    ORDER BY x.position)) AS dkim,
                rec.count AS count
            FROM record rec JOIN report r ON r.id = rec.report)
        GROUP BY domain, day, source_ip, hf, disp, dkim_al, spf_al, ov, rs,
            spf, dkim, org
        ORDER BY domain, day, source_ip, hf, disp, dkim_al, spf_al, ov, rs,
            spf, dkim, org)
    GROUP BY domain, day, source_ip, hf, disp, dkim_al, spf_al, ov, rs, spf,
        dkim;
