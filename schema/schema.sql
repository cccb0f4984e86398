-- SPDX-License-Identifier: MIT
-- schema.sql: the dmarc-tools database, the contract between dmarc-ingest
-- (which writes it) and dmarc-report (which reads it).  Embedded into the
-- binaries at build time; schema/db.c runs it on a new database and sets
-- PRAGMA user_version.  Later changes go in schema/migrations/, never here
-- alone.  Times are UTC epoch seconds; counts are 64-bit; a NULL text means
-- the report left the element out or empty.  Domain names (the policy
-- domain, header_from, envelope_from, envelope_to, DKIM and SPF domains)
-- are in the form of common/domain.c: lowercase, without a trailing dot,
-- internationalized labels as A-labels (SPEC.md E.17; version 2).

-- One aggregate report: report_metadata, policy_published and provenance.
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
    domain              TEXT NOT NULL,         -- common/domain.c form
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
    dmarc_pass          INTEGER NOT NULL DEFAULT 0,   -- SQL_DMARC_PASS (schema/derived.h)
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
    day                 INTEGER NOT NULL,      -- SQL_UTC_DAY(date_begin) (schema/derived.h)
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
-- By IP, with every total (version 3): `sources` ranks a year of IPs
-- from this index alone, in its order, without sorting the table's rows.
CREATE INDEX source_day_ip ON source_day (domain, source_ip, day, messages,
    dmarc_pass, spf_aligned_pass, dkim_aligned_pass, disp_none,
    disp_quarantine, disp_reject);

-- Messages per policy domain, UTC day, source IP and authentication
-- outcome, over all reporters (version 3): the records of a source that
-- read alike, added up, so that `sources` lists and the sender timelines of
-- `advise`, `senders` and `weekly` read a few rows per source and day
-- instead of its records.  Kept by dmarc-ingest with each report
-- (ingest/store_sourceauth.c, in the same savepoint as source_day); pruning
-- removes whole days.  The outcome is what those commands read of a record
-- other than its count and report: header From, disposition, the two
-- aligned verdicts, whether an override reason excuses a failure (a reason
-- type forwarded, mailing_list, trusted_forwarder or local_policy, or a
-- comment with arc=pass), the reason types, and the raw SPF and DKIM
-- results in document order.  A NULL text of the record is '' here (a
-- record never holds ''), so that the key has no NULL.  No index of its
-- own: a source IP's rows are found through source_day_ip, whose (domain,
-- day, source_ip) are the first columns of this key (an index by IP would
-- copy the whole key, the table's size again).
CREATE TABLE source_auth (
    domain              TEXT NOT NULL,
    day                 INTEGER NOT NULL,      -- as source_day's
    source_ip           TEXT NOT NULL,
    ip_family           INTEGER NOT NULL,
    header_from         TEXT NOT NULL,         -- record.header_from or ''
    disposition         TEXT NOT NULL,         -- record.disposition or ''
    dkim_aligned        TEXT NOT NULL,         -- record.dkim_aligned or ''
    spf_aligned         TEXT NOT NULL,         -- record.spf_aligned or ''
    overridden          INTEGER NOT NULL,      -- 1: an override reason
    reasons             TEXT NOT NULL,         -- JSON [type, ...] of record_reason
    spf                 TEXT NOT NULL,         -- JSON [[domain, scope, result], ...]
    dkim                TEXT NOT NULL,         -- JSON [[domain, selector, result], ...]
    records             INTEGER NOT NULL,
    messages            INTEGER NOT NULL CHECK (typeof(messages) = 'integer'),
    -- messages per reporter: JSON {org_name or '': messages, ...}
    reporters           TEXT NOT NULL,
    PRIMARY KEY (domain, day, source_ip, header_from, disposition,
        dkim_aligned, spf_aligned, overridden, reasons, spf, dkim)
) WITHOUT ROWID;
-- Reverse DNS of source IPs: a cache that dmarc-report fills (its only
-- write), never report data.  status: 0 a name, 1 no name (NXDOMAIN or no
-- PTR); errors and timeouts are never cached (rows with status 3 from older
-- versions are ignored).  Re-resolved after a TTL (default 7 days).
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

-- The messages read from IMAP mailboxes (version 4), each written in the
-- same transaction as what was stored from it, so that every message is
-- read exactly once: per server, login, mailbox and UIDVALIDITY (a new
-- UIDVALIDITY means the mailbox was rebuilt, and it is read again), the
-- UIDs read and what became of each.  'failed': recorded in
-- ingest_failure; the others may be moved away (--imap-move).
CREATE TABLE imap_seen (
    server              TEXT NOT NULL,         -- host:port, host lowercase
    user                TEXT NOT NULL,         -- the login name
    mailbox             TEXT NOT NULL,         -- as in the URL, decoded
    uidvalidity         INTEGER NOT NULL,
    uid                 INTEGER NOT NULL,
    outcome             TEXT NOT NULL CHECK (outcome IN
                            ('stored', 'duplicate', 'no-report', 'failed')),
    seen_at             INTEGER NOT NULL,
    PRIMARY KEY (server, user, mailbox, uidvalidity, uid)
) WITHOUT ROWID;
