-- SPDX-License-Identifier: MIT
-- 005-record-ip-index.sql: schema version 4 -> 5.  The index of the records
-- by source IP goes: no command reads the records by IP any more (sources,
-- advise, senders and weekly read source_day and source_auth; export and
-- check-dns walk the records by id), and keeping it up was 7-9% of the
-- ingest (bench/README.md).
DROP INDEX IF EXISTS record_source_ip;
