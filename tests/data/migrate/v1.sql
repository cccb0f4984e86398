-- SPDX-License-Identifier: MIT
-- v1.sql: a dmarc-tools database of schema version 1 (the schema.sql of
-- version 1, verbatim below the data comment) holding what dmarc-ingest
-- stored before it normalized domains and millisecond dates: mixed case,
-- trailing dots, a re-send that differs only in case, a report in
-- milliseconds and its re-send.  test_migrate.sh builds a database from it
-- with sqlite3 and opens it with dmarc-ingest; the figures it expects are
-- worked out by hand in that test.
CREATE TABLE report (
    id                  INTEGER PRIMARY KEY,
    -- report_metadata
    org_name            TEXT,
    email               TEXT,
    extra_contact_info  TEXT,
    report_id           TEXT NOT NULL,
    date_begin          INTEGER NOT NULL,
    date_end            INTEGER NOT NULL,
    generator           TEXT,                  -- dmarc-2.0 only
    -- the XML document
    schema              TEXT NOT NULL CHECK (schema IN ('rfc7489', 'dmarc-2.0')),
    xml_version         TEXT,                  -- <version> as written
    xml_namespace       TEXT,                  -- namespace of <feedback>
    -- policy_published, with the defaults of SPEC.md E.6 applied
    domain              TEXT NOT NULL,         -- lowercase
    domain_source       TEXT NOT NULL DEFAULT 'report'
                        CHECK (domain_source IN ('report', 'filename', 'subject', 'header_from')),
    adkim               TEXT,
    aspf                TEXT,
    p                   TEXT,
    sp                  TEXT,
    np                  TEXT,
    pct                 INTEGER,               -- NULL when not published (dmarc-2.0)
    fo                  TEXT,
    testing             TEXT,
    discovery_method    TEXT,
    -- provenance: where the report came from, so the original can be found
    input_name          TEXT NOT NULL,         -- path, "path:member" or "-"
    xml_sha256          TEXT NOT NULL,         -- hex SHA-256 of the XML bytes
    ingested_at         INTEGER NOT NULL,
    message_id          TEXT,                  -- the mail it came in, if any
    message_date        TEXT,
    message_from        TEXT,
    message_subject     TEXT,
    mbox_path           TEXT,
    mbox_offset         INTEGER,
    -- totals over the stored records, kept by dmarc-ingest so that
    -- dmarc-report need not scan the records (messages = sum of <count>)
    record_count        INTEGER NOT NULL DEFAULT 0,
    message_count       INTEGER NOT NULL DEFAULT 0,
    dmarc_pass          INTEGER NOT NULL DEFAULT 0,   -- policy_evaluated dkim or spf pass
    spf_aligned_pass    INTEGER NOT NULL DEFAULT 0,
    dkim_aligned_pass   INTEGER NOT NULL DEFAULT 0,
    disp_none           INTEGER NOT NULL DEFAULT 0,
    disp_quarantine     INTEGER NOT NULL DEFAULT 0,
    disp_reject         INTEGER NOT NULL DEFAULT 0
);
-- Idempotence: a report is the same report when these match (a missing
-- org_name counts as the empty string).
CREATE UNIQUE INDEX report_identity ON report (ifnull(org_name, ''), report_id, domain, date_begin);
CREATE INDEX report_domain_date ON report (domain, date_begin);
CREATE INDEX report_date ON report (date_begin);

-- report_metadata/error, in document order.
CREATE TABLE report_error (
    report              INTEGER NOT NULL REFERENCES report(id) ON DELETE CASCADE,
    position            INTEGER NOT NULL,
    message             TEXT,
    PRIMARY KEY (report, position)
) WITHOUT ROWID;

-- One <record>: a source IP and what happened to its messages.
CREATE TABLE record (
    id                  INTEGER PRIMARY KEY,
    report              INTEGER NOT NULL REFERENCES report(id) ON DELETE CASCADE,
    position            INTEGER NOT NULL,      -- 1-based among the report's <record>s
    source_ip           TEXT NOT NULL,         -- canonical (inet_ntop) text
    ip_family           INTEGER NOT NULL CHECK (ip_family IN (4, 6)),
    count               INTEGER NOT NULL CHECK (count >= 0),
    disposition         TEXT,                  -- policy_evaluated
    dkim_aligned        TEXT,                  -- policy_evaluated/dkim: the DMARC-aligned verdict
    spf_aligned         TEXT,                  -- policy_evaluated/spf
    header_from         TEXT,
    envelope_from       TEXT,
    envelope_to         TEXT
);
CREATE INDEX record_report ON record (report);
CREATE INDEX record_source_ip ON record (source_ip);

-- policy_evaluated/reason.
CREATE TABLE record_reason (
    record              INTEGER NOT NULL REFERENCES record(id) ON DELETE CASCADE,
    position            INTEGER NOT NULL,
    type                TEXT,
    comment             TEXT,
    PRIMARY KEY (record, position)
) WITHOUT ROWID;

-- auth_results/dkim: the raw DKIM results, before alignment.
CREATE TABLE record_dkim (
    record              INTEGER NOT NULL REFERENCES record(id) ON DELETE CASCADE,
    position            INTEGER NOT NULL,
    domain              TEXT,
    selector            TEXT,
    result              TEXT,
    human_result        TEXT,
    PRIMARY KEY (record, position)
) WITHOUT ROWID;

-- auth_results/spf: the raw SPF results, before alignment.
CREATE TABLE record_spf (
    record              INTEGER NOT NULL REFERENCES record(id) ON DELETE CASCADE,
    position            INTEGER NOT NULL,
    domain              TEXT,
    scope               TEXT,
    result              TEXT,
    human_result        TEXT,
    PRIMARY KEY (record, position)
) WITHOUT ROWID;

-- Messages per policy domain, UTC day (of the reports' date_begin) and
-- source IP, over all reporters: kept by dmarc-ingest with each report, so
-- that dmarc-report can rank and trend sources over a year of records
-- without scanning them.  Pruning removes whole days.
CREATE TABLE source_day (
    domain              TEXT NOT NULL,
    day                 INTEGER NOT NULL,      -- date_begin / 86400
    source_ip           TEXT NOT NULL,
    ip_family           INTEGER NOT NULL,
    records             INTEGER NOT NULL,
    -- SQLite turns an integer sum that overflows into a REAL: refused
    messages            INTEGER NOT NULL CHECK (typeof(messages) = 'integer'),
    dmarc_pass          INTEGER NOT NULL CHECK (typeof(dmarc_pass) = 'integer'),
    spf_aligned_pass    INTEGER NOT NULL CHECK (typeof(spf_aligned_pass) = 'integer'),
    dkim_aligned_pass   INTEGER NOT NULL CHECK (typeof(dkim_aligned_pass) = 'integer'),
    disp_none           INTEGER NOT NULL CHECK (typeof(disp_none) = 'integer'),
    disp_quarantine     INTEGER NOT NULL CHECK (typeof(disp_quarantine) = 'integer'),
    disp_reject         INTEGER NOT NULL CHECK (typeof(disp_reject) = 'integer'),
    PRIMARY KEY (domain, day, source_ip)
) WITHOUT ROWID;
CREATE INDEX source_day_ip ON source_day (domain, source_ip, day);

-- Reverse DNS of source IPs: a cache that dmarc-report fills (its only
-- write), never report data.  status: 0 a name, 1 no name, 3 error (a
-- timeout is not cached).  Re-resolved after a TTL (default 7 days).
CREATE TABLE dns_cache (
    ip                  TEXT PRIMARY KEY,
    name                TEXT,                  -- PTR name, lowercase, or NULL
    confirmed           INTEGER NOT NULL DEFAULT 0,  -- resolves back to ip
    status              INTEGER NOT NULL,
    looked_up_at        INTEGER NOT NULL
) WITHOUT ROWID;

-- A payload that could not be stored: kept with its bytes so that
-- `dmarc-ingest --retry-failed` can try it again after a fix.
CREATE TABLE ingest_failure (
    id                  INTEGER PRIMARY KEY,
    input_name          TEXT NOT NULL,
    payload_sha256      TEXT NOT NULL,         -- hex SHA-256 of the payload bytes
    payload_size        INTEGER NOT NULL,      -- bytes of the payload (known part)
    payload             BLOB,                  -- the bytes, zlib-compressed; NULL when over the keep limit
    reason              TEXT NOT NULL,
    first_seen          INTEGER NOT NULL,
    last_seen           INTEGER NOT NULL,
    attempts            INTEGER NOT NULL DEFAULT 1,
    message_id          TEXT,
    message_date        TEXT,
    message_from        TEXT,
    message_subject     TEXT,
    mbox_path           TEXT,
    mbox_offset         INTEGER,
    resolved_at         INTEGER                -- set when a retry stored it
);
CREATE UNIQUE INDEX ingest_failure_payload ON ingest_failure (payload_sha256);

-- ---- the data (ids fixed, so that "the first stored" is known) ----
-- report 1 and 2: one report (Rep A, r1) stored twice, as Example.COM. and example.com
-- report 3: another reporter for EXAMPLE.com on the same day
-- report 4: Rep C r3 for other.example on 2025-06-03, in seconds
-- report 5: Rep D r4 for Other.Example., dates in milliseconds
-- report 6: Rep C r3 again, in milliseconds and OTHER.EXAMPLE: a re-send of 4
-- report 7: keep.example on another day, already normalized: untouched
INSERT INTO report (id, org_name, report_id, date_begin, date_end, schema, domain, p,
    input_name, xml_sha256, ingested_at, record_count, message_count, dmarc_pass,
    spf_aligned_pass, dkim_aligned_pass, disp_none, disp_quarantine, disp_reject) VALUES
 (1, 'Rep A', 'r1', 1748822400, 1748908799, 'rfc7489', 'Example.COM.', 'none', 'a1.xml', 'aa', 1, 2, 15, 10, 10, 10, 10, 0, 5),
 (2, 'Rep A', 'r1', 1748822400, 1748908799, 'rfc7489', 'example.com', 'none', 'a2.xml', 'ab', 2, 2, 15, 10, 10, 10, 10, 0, 5),
 (3, 'Rep B', 'r2', 1748822400, 1748908799, 'rfc7489', 'EXAMPLE.com', 'none', 'b.xml', 'bb', 3, 1, 3, 3, 0, 3, 3, 0, 0),
 (4, 'Rep C', 'r3', 1748908800, 1748995199, 'rfc7489', 'other.example', 'none', 'c1.xml', 'cc', 4, 1, 8, 0, 0, 0, 0, 8, 0),
 (5, 'Rep D', 'r4', 1748908800000, 1748995199999, 'rfc7489', 'Other.Example.', 'none', 'd.xml', 'dd', 5, 1, 2, 2, 2, 2, 2, 0, 0),
 (6, 'Rep C', 'r3', 1748908800000, 1748995199999, 'rfc7489', 'OTHER.EXAMPLE', 'none', 'c2.xml', 'ce', 6, 1, 8, 0, 0, 0, 0, 8, 0),
 (7, 'Rep E', 'r5', 1745280000, 1745366399, 'rfc7489', 'keep.example', 'none', 'e.xml', 'ee', 7, 1, 4, 4, 4, 4, 4, 0, 0);
INSERT INTO record (id, report, position, source_ip, ip_family, count, disposition,
    dkim_aligned, spf_aligned, header_from, envelope_from, envelope_to) VALUES
 (1, 1, 1, '192.0.2.1', 4, 10, 'none', 'pass', 'pass', 'Example.COM.', 'Bounce.Example.COM', 'RCPT.example.'),
 (2, 1, 2, '192.0.2.2', 4, 5, 'reject', 'fail', 'fail', 'Spoof.Example.COM', NULL, NULL),
 (3, 2, 1, '192.0.2.1', 4, 10, 'none', 'pass', 'pass', 'example.com', 'bounce.example.com', 'rcpt.example'),
 (4, 2, 2, '192.0.2.2', 4, 5, 'reject', 'fail', 'fail', 'spoof.example.com', NULL, NULL),
 (5, 3, 1, '192.0.2.1', 4, 3, 'none', 'pass', 'fail', 'EXAMPLE.COM', 'example.com.', NULL),
 (6, 4, 1, '198.51.100.7', 4, 8, 'quarantine', 'fail', 'fail', 'other.example', NULL, NULL),
 (7, 5, 1, '198.51.100.7', 4, 2, 'none', 'pass', 'pass', 'Other.Example.', NULL, NULL),
 (8, 6, 1, '198.51.100.7', 4, 8, 'quarantine', 'fail', 'fail', 'OTHER.example', NULL, NULL),
 (9, 7, 1, '203.0.113.1', 4, 4, 'none', 'pass', 'pass', 'keep.example', NULL, NULL);
INSERT INTO record_dkim (record, position, domain, selector, result) VALUES
 (1, 1, 'EXAMPLE.COM.', 'Sel1', 'pass'),
 (3, 1, 'example.com', 'Sel1', 'pass');
INSERT INTO record_spf (record, position, domain, scope, result) VALUES
 (1, 1, 'Bounce.EXAMPLE.com.', 'mfrom', 'pass'),
 (3, 1, 'bounce.example.com', 'mfrom', 'pass');
INSERT INTO report_error (report, position, message) VALUES (2, 1, 'from the re-send');
-- source_day as version 1 kept it: per raw domain and day of date_begin
INSERT INTO source_day VALUES
 ('Example.COM.', 20241, '192.0.2.1', 4, 1, 10, 10, 10, 10, 10, 0, 0),
 ('Example.COM.', 20241, '192.0.2.2', 4, 1, 5, 0, 0, 0, 0, 0, 5),
 ('example.com', 20241, '192.0.2.1', 4, 1, 10, 10, 10, 10, 10, 0, 0),
 ('example.com', 20241, '192.0.2.2', 4, 1, 5, 0, 0, 0, 0, 0, 5),
 ('EXAMPLE.com', 20241, '192.0.2.1', 4, 1, 3, 3, 0, 3, 3, 0, 0),
 ('other.example', 20242, '198.51.100.7', 4, 1, 8, 0, 0, 0, 0, 8, 0),
 ('Other.Example.', 20242000, '198.51.100.7', 4, 1, 2, 2, 2, 2, 2, 0, 0),
 ('OTHER.EXAMPLE', 20242000, '198.51.100.7', 4, 1, 8, 0, 0, 0, 0, 8, 0),
 ('keep.example', 20200, '203.0.113.1', 4, 1, 4, 4, 4, 4, 4, 0, 0);
PRAGMA user_version = 1;
