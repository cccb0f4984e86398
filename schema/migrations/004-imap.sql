-- SPDX-License-Identifier: MIT
-- 004-imap.sql: schema version 3 -> 4.  The messages dmarc-ingest has read
-- from IMAP mailboxes (imap_seen), so that each is read exactly once.  Self-
-- contained: it only adds a table, so it can be renumbered as it is.
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
