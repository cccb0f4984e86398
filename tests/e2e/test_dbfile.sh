#!/bin/bash
# SPDX-License-Identifier: MIT
# The database file: the commands never create one (exit 2, "no database
# at 'PATH'", no file, no -wal or -shm); a database that is not ours is
# refused by both binaries with exit 2 and left byte for byte as it was;
# ours carry PRAGMA application_id 'DMRC', also an older one once
# dmarc-ingest opens it; a new one has 8 KiB pages, an existing one keeps
# its own.
. "$(dirname "$0")/lib.sh"
set -e
: "${DMARC_REPORT:?DMARC_REPORT must name the dmarc-report binary}"

"$DMARC_GEN" --stdout --records 5 --seed 3 >"$T/good.xml" 2>/dev/null

# no_files WHAT PATH: neither PATH nor its -wal and -shm exist
no_files() {
	expect_eq "$1: nothing created" "$(ls -d "$2" "$2-wal" "$2-shm" 2>/dev/null | wc -l)" 0
}

# --- the commands on a path without a database -----------------------------
none="$T/none.db"
for cmd in --stats --list-failed "--forget-failed 1" --retry-failed "--prune-before 2025-01-01"; do
	# shellcheck disable=SC2086
	set +e; "$DMARC_INGEST" --db "$none" $cmd >"$T/out" 2>"$T/err"; RC=$?; set -e
	ERR=$(cat "$T/err")
	expect_rc "$cmd without a database" 2
	expect_eq "$cmd says so" "$ERR" "dmarc-ingest: no database at '$none'"
	no_files "$cmd" "$none"
done
# through $DMARC_DB too
set +e; DMARC_DB="$none" "$DMARC_INGEST" --stats >"$T/out" 2>"$T/err"; RC=$?; set -e
ERR=$(cat "$T/err")
expect_rc "--stats, \$DMARC_DB without a database" 2
no_files "\$DMARC_DB" "$none"
# an empty file is no database either; the commands leave it empty
: >"$T/zero.db"
set +e; "$DMARC_INGEST" --db "$T/zero.db" --list-failed >"$T/out" 2>"$T/err"; RC=$?; set -e
ERR=$(cat "$T/err")
expect_rc "--list-failed on an empty file" 2
expect_match "empty file: says so" "$ERR" "^dmarc-ingest: no database at '$T/zero.db'"
expect_eq "empty file: still empty" "$(stat -c %s "$T/zero.db")" 0
expect_eq "empty file: no -wal, -shm" "$(ls "$T/zero.db-wal" "$T/zero.db-shm" 2>/dev/null | wc -l)" 0
# ... and ingest makes it a database
set +e; "$DMARC_INGEST" --db "$T/zero.db" --quiet "$T/good.xml"; RC=$?; set -e
ERR=
expect_rc "ingest into an empty file" 0
expect_eq "empty file: now a database" "$(sqlite3 "$T/zero.db" 'SELECT count(*) FROM report')" 1

# --- application_id --------------------------------------------------------
# 'DMRC' = 0x444D5243 = 68*2^24 + 77*2^16 + 82*2^8 + 67 = 1145918019
ingest --quiet "$T/good.xml"
expect_rc "new database" 0
expect_eq "a new database has our application_id" "$(q 'PRAGMA application_id')" 1145918019
expect_eq "a new database has 8 KiB pages" "$(q 'PRAGMA page_size')" 8192
# an existing database keeps its page size (here SQLite's default 4 KiB)
"$DMARC_INGEST" --db "$T/small-pages.db" "$T/good.xml" >/dev/null 2>&1
sqlite3 "$T/small-pages.db" 'PRAGMA journal_mode = DELETE; PRAGMA page_size = 4096; VACUUM' >/dev/null
"$DMARC_INGEST" --db "$T/small-pages.db" --stats >/dev/null 2>&1
expect_eq "an existing database keeps its pages" "$(sqlite3 "$T/small-pages.db" 'PRAGMA page_size')" 4096
# a database of an older release: our tables and user_version, id 0
q 'PRAGMA application_id = 0' >/dev/null
report summary
expect_rc "dmarc-report reads an older database" 0
expect_eq "dmarc-report does not write it" "$(q 'PRAGMA application_id')" 0
ingest --stats
expect_rc "--stats on an older database" 0
expect_eq "dmarc-ingest marks it" "$(q 'PRAGMA application_id')" 1145918019

# --- databases that are not ours -------------------------------------------
foreign="$T/foreign.db"
sqlite3 "$foreign" "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);
INSERT INTO notes (body) VALUES ('the only copy of something');"
other="$T/other-app.db"
sqlite3 "$other" "PRAGMA application_id = 42; PRAGMA user_version = 3;"
for f in "$foreign" "$other"; do
	if [ "$f" = "$foreign" ]; then why="it holds other tables"; else why="application_id 0x0000002a"; fi
	before=$(sha256sum <"$f")
	for args in "$T/good.xml" --stats --list-failed --retry-failed "--prune-before 2030-01-01" "--forget-failed 1"; do
		# shellcheck disable=SC2086
		set +e; "$DMARC_INGEST" --db "$f" $args >"$T/out" 2>"$T/err"; RC=$?; set -e
		ERR=$(cat "$T/err")
		expect_rc "$(basename "$f"), dmarc-ingest $args" 2
		expect_eq "$(basename "$f"), $args: says so" "$ERR" "dmarc-ingest: database '$f' is not a dmarc-tools database ($why): left untouched"
	done
	set +e; "$DMARC_REPORT" --db "$f" summary >"$T/out" 2>"$T/err"; RC=$?; set -e
	ERR=$(cat "$T/err")
	expect_rc "$(basename "$f"), dmarc-report" 2
	expect_match "$(basename "$f"), dmarc-report says so" "$ERR" "not a dmarc-tools database"
	expect_eq "$(basename "$f"): byte for byte as it was" "$(sha256sum <"$f")" "$before"
	expect_eq "$(basename "$f"): no -wal, -shm" "$(ls "$f-wal" "$f-shm" 2>/dev/null | wc -l)" 0
done
expect_eq "foreign: still a rollback journal" "$(sqlite3 "$foreign" 'PRAGMA journal_mode')" delete
expect_eq "foreign: no table of ours" "$(sqlite3 "$foreign" "SELECT group_concat(name) FROM sqlite_master")" notes

done_tests
