#!/bin/bash
# SPDX-License-Identifier: MIT
# The command line: help, usage errors, exit statuses, --json, --quiet,
# $DMARC_DB, --stats and --prune-before.
. "$(dirname "$0")/lib.sh"
set -e

ingest --help
expect_rc "--help" 0
expect_match "--help text" "$OUT" "^Usage: dmarc-ingest"
expect_match "--help exit statuses" "$OUT" "Exit status"
# every exit status of the README and the manual, the missing input included
help_exit=$(printf '%s\n' "$OUT" | sed -n '/^Exit status/,/^$/p' | tr '\n' ' ')
expect_match "--help exit 0" "$help_exit" "0 every input was stored"
expect_match "--help exit 1" "$help_exit" "1 at least one payload newly failed .*an input is missing or cannot be read"
expect_match "--help exit 2" "$help_exit" "2 usage error"
# which it is: a missing input is exit 1, named on stderr
ingest "$T/no-such-input"
expect_rc "missing input" 1
expect_match "missing input named" "$ERR" "no-such-input: No such file or directory"
fresh_db
ingest --version
expect_match "--version" "$OUT" "^dmarc-ingest [0-9]"
ingest --no-such-option
expect_rc "unknown option" 2
expect_match "unknown option hint" "$ERR" "Try 'dmarc-ingest --help'"
ingest
expect_rc "no input" 2
ingest --list-failed --stats
expect_rc "two commands" 2
ingest --prune-before 2024-13-01
expect_rc "bad date" 2
ingest --prune-before 2024-02-30
expect_rc "impossible date" 2

"$DMARC_GEN" --out "$T/r" --reports 8 --records 10 --seed 2 --start 2025-01-01 --format mixed 2>/dev/null

# --json: exactly one JSON object on stdout
ingest --json "$T/r"
expect_rc "json run" 0
expect_eq "json is one line" "$(printf '%s\n' "$OUT" | wc -l)" 1
expect_match "json keys" "$OUT" '^\{"inputs": 8, "reports_new": 8, "reports_duplicate": 0, "records_new": [0-9]+, "messages_new": [0-9]+, .*"failed": 0'
# text summary
fresh_db
ingest "$T/r"
expect_match "summary line" "$OUT" "^8 inputs: 8 new reports \([0-9,]+ records, [0-9,]+ messages\), 0 duplicates, 0 failed$"
# --quiet
fresh_db
ingest --quiet "$T/r"
expect_eq "quiet" "$OUT$ERR" ""

# $DMARC_DB, and --db over it
fresh_db
set +e
(cd "$T" && DMARC_DB="$T/env.db" "$DMARC_INGEST" --quiet "$T/r") ; RC=$?
set -e
expect_rc "DMARC_DB run" 0
expect_eq "DMARC_DB used" "$(sqlite3 "$T/env.db" 'SELECT count(*) FROM report')" 8
set +e
(cd "$T" && "$DMARC_INGEST" --quiet "$T/r") ; RC=$?
set -e
expect_eq "default ./dmarc.db" "$(sqlite3 "$T/dmarc.db" 'SELECT count(*) FROM report')" 8

# --stats
fresh_db
ingest "$T/r"
ingest --stats
expect_match "stats header" "$OUT" "^POLICY DOMAIN +REPORTS +REPORTERS +RECORDS +MESSAGES +FIRST DAY +LAST DAY$"
expect_match "stats rule" "$(printf '%s\n' "$OUT" | sed -n 2p)" "^-+( +-+){6}$"
recs=$(q "SELECT count(*) FROM record")
msgs=$(q "SELECT sum(count) FROM record")
thousands() { printf '%s' "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }
expect_match "stats row, thousands separated" "$OUT" "^example\.com +8 +4 +$(thousands "$recs") +$(thousands "$msgs") +[0-9-]{10} +[0-9-]{10}$"
expect_match "the generated messages pass 1,000" "$msgs" '^[0-9]{4,}$'
# columns aligned as dmarc-report's: each number ends where its header does
hdr=$(printf '%s\n' "$OUT" | sed -n 1p)
r1=$(printf '%s\n' "$OUT" | sed -n 3p)
end=$(( $(printf '%s' "${hdr%%  FIRST DAY*}" | wc -m) ))
expect_match "stats: MESSAGES right-aligned" "${r1:0:$end}" "[0-9]$"
expect_eq "stats: no stderr" "$ERR" ""
ingest --stats --json
expect_match "stats json" "$OUT" '"domain": "example.com", "reports": 8, "reporters": 4'

# --prune-before: reports beginning before the date go, with their records
total=$(q 'SELECT count(*) FROM report')
old=$(q "SELECT count(*) FROM report WHERE date_begin < strftime('%s', '2025-01-03')")
oldrec=$(q "SELECT count(*) FROM record JOIN report r ON r.id = record.report WHERE r.date_begin < strftime('%s', '2025-01-03')")
expect_match "some reports are old" "$old" '^[1-9]'
ingest --prune-before 2025-01-03
expect_rc "prune" 0
expect_eq "prune says how many" "$OUT" "pruned $old reports ($oldrec records) that begin before 2025-01-03"
expect_eq "pruned reports gone" "$(q 'SELECT count(*) FROM report')" "$((total - old))"
expect_eq "no orphan records" "$(q 'SELECT count(*) FROM record WHERE report NOT IN (SELECT id FROM report)')" 0
expect_eq "no orphan dkim" "$(q 'SELECT count(*) FROM record_dkim WHERE record NOT IN (SELECT id FROM record)')" 0
expect_eq "source_day of pruned days gone" "$(q "SELECT count(*) FROM source_day WHERE day < strftime('%s', '2025-01-03') / 86400")" 0
expect_eq "source_day matches the records left" "$(q 'SELECT sum(messages) FROM source_day')" "$(q 'SELECT sum(count) FROM record')"
# one report: singular (beta-2.xml is one report of 2 records)
fresh_db
ingest --quiet "$DM_TEST_DATA/report/beta-2.xml"
expect_eq "one report stored" "$(q "SELECT count(*) || ' ' || (SELECT count(*) FROM record) FROM report")" "1 2"
ingest --prune-before 2030-01-01
expect_eq "prune one: singular" "$OUT" "pruned 1 report (2 records) that begins before 2030-01-01"
ingest --stats
expect_rc "stats without reports" 0
expect_eq "stats without reports: no bare header" "$OUT" ""
expect_eq "stats without reports: says so" "$ERR" "dmarc-ingest: no reports stored yet"

# a database from a newer version is refused with exit 2
sqlite3 "$DB" 'PRAGMA user_version = 42'
ingest "$T/r"
expect_rc "newer schema" 2
expect_match "newer schema message" "$ERR" "newer than this program"

done_tests
