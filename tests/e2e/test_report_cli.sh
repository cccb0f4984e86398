#!/bin/bash
# SPDX-License-Identifier: MIT
# The dmarc-report command line: help, usage errors (exit 2), a missing or
# empty database (exit 3, with a hint to run dmarc-ingest), and that every
# command runs in every format on a real database.
. "$(dirname "$0")/lib.sh"
set -e

report --help
expect_rc "--help" 0
expect_match "--help usage" "$OUT" "^Usage: dmarc-report"
for cmd in summary sources policy reporters weekly advise check-record; do
	expect_match "--help lists $cmd" "$OUT" "^  $cmd( |$)"
done
# every exit status of the README, 1 included
help_exit=$(printf '%s\n' "$OUT" | sed -n '/^Exit status/,/^$/p' | tr '\n' ' ')
expect_match "--help exit 0" "$help_exit" "0 success"
expect_match "--help exit 1" "$help_exit" "1 weekly: a domain needs attention \(stale data, .*\), advise: a domain is not ready or its reports stopped, check-record and check-dns: errors found; .* 4 check-dns: DNS could not be asked"
expect_match "--help exit 2" "$help_exit" "2 usage error"
expect_match "--help exit 3" "$help_exit" "3 no database"
# without a command: every command named (none missing, none stale)
set +e; "$DMARC_REPORT" >/dev/null 2>"$T/err"; RC=$?; set -e
ERR=$(cat "$T/err")
expect_rc "no command" 2
expect_eq "no command lists every command" "$(head -1 "$T/err")" \
    "dmarc-report: no command: give one of summary, sources, policy, reporters, weekly, advise, senders, check-record, check-dns, export"
report --version
expect_match "--version" "$OUT" "^dmarc-report [0-9]"

# a missing database, an empty one
report summary
expect_rc "missing database" 3
expect_match "missing database hint" "$ERR" "run dmarc-ingest first"
mkdir -p "$T/nothing"
"$DMARC_INGEST" --db "$DB" --quiet "$T/nothing"	# the schema, no report
report summary
expect_rc "empty database" 3
expect_match "empty database hint" "$ERR" "no reports yet: run dmarc-ingest first"
: >"$T/zero.db"
set +e; "$DMARC_REPORT" --db "$T/zero.db" summary >/dev/null 2>"$T/err"; RC=$?; set -e
ERR=$(cat "$T/err")
expect_rc "zero-byte database" 3

"$DMARC_GEN" --out "$T/r" --reports 10 --records 10 --seed 4 --start 2025-01-01 2>/dev/null
"$DMARC_INGEST" --db "$DB" --quiet "$T/r"

# usage errors
for args in "" "nosuch" "summary extra" "--format xml summary" "--last 7x summary" \
    "--last 0d summary" "--since 2025-01-10 --until 2025-01-01 summary" \
    "--last 7d --since 2025-01-01 summary" "--since 2025-13-01 summary" \
    "--top 0 sources" "--sort size sources" "--no-such summary"; do
	# shellcheck disable=SC2086
	report $args
	expect_rc "usage error: '$args'" 2
	expect_match "usage error hint: '$args'" "$ERR" "Try 'dmarc-report --help'"
done
set +e; DMARC_NOW=soon "$DMARC_REPORT" --db "$DB" summary >/dev/null 2>&1; RC=$?; set -e
expect_rc "bad DMARC_NOW" 2

# a newer schema is refused
cp "$DB" "$T/newer.db"
sqlite3 "$T/newer.db" 'PRAGMA user_version = 99'
set +e; "$DMARC_REPORT" --db "$T/newer.db" summary >/dev/null 2>"$T/err"; RC=$?; set -e
expect_rc "newer schema" 2

# every command in every format; the option may come before or after it;
# $DMARC_DB is the default database.  weekly: the fixtures' reports are
# long past today, stale data: exit 1
for cmd in summary sources policy reporters weekly; do
	want=0
	[ "$cmd" = weekly ] && want=1
	for fmt in text csv json; do
		report "$cmd" --format "$fmt"
		expect_rc "$cmd --format $fmt" "$want"
		expect_match "$cmd --format $fmt prints" "$OUT" '.'
	done
	report --format json "$cmd"
	expect_match "$cmd json is one document" "$(printf '%s' "$OUT" | head -c 1)" '^[[{]$'
	set +e; DMARC_DB="$DB" "$DMARC_REPORT" "$cmd" >/dev/null 2>&1; RC=$?; set -e
	expect_rc "$cmd with DMARC_DB" "$want"
done

# every status a command returns has its documented exit status and a
# one-line reason: a failed query (a table gone) and a failed write are 2
cp "$DB" "$T/broken.db"
sqlite3 "$T/broken.db" 'DROP TABLE source_day'
for cmd in summary sources weekly; do
	set +e; "$DMARC_REPORT" --db "$T/broken.db" "$cmd" >/dev/null 2>"$T/err"; RC=$?; set -e
	ERR=$(cat "$T/err")
	expect_rc "$cmd on a broken database" 2
	expect_match "$cmd on a broken database says why" "$ERR" \
	    "^dmarc-report: database query failed: no such table: source_day$"
done
cp "$DB" "$T/broken2.db"
sqlite3 "$T/broken2.db" 'DROP TABLE source_auth'
for cmd in advise weekly senders; do
	set +e; "$DMARC_REPORT" --db "$T/broken2.db" "$cmd" --no-dns >/dev/null 2>"$T/err"; RC=$?; set -e
	ERR=$(cat "$T/err")
	expect_rc "$cmd on a broken database" 2
	expect_match "$cmd on a broken database says why" "$ERR" \
	    "^dmarc-report: database query failed: no such table: source_auth$"
done
if [ -w /dev/full ]; then
	for cmd in summary policy; do
		set +e; "$DMARC_REPORT" --db "$DB" "$cmd" >/dev/full 2>"$T/err"; RC=$?; set -e
		ERR=$(cat "$T/err")
		expect_rc "$cmd to a full disk" 2
		expect_match "$cmd to a full disk says why" "$ERR" "cannot write the output"
	done
	# a write error wins over "needs attention": cron must not see a
	# truncated mail as a plain alert
	set +e; "$DMARC_REPORT" check-record 'v=DMARC1' >/dev/full 2>"$T/err"; RC=$?; set -e
	ERR=$(cat "$T/err")
	expect_rc "check-record with errors to a full disk" 2
fi
report advise --format csv
expect_rc "advise --format csv" 2
expect_match "advise --format csv says why" "$ERR" "^dmarc-report: advise: --format wants text or json"
report check-record 'v=DMARC1; p=none' --format csv
expect_rc "check-record --format csv" 2
expect_match "check-record --format csv says why" "$ERR" "^dmarc-report: check-record: --format csv"
report check-record 'v=DMARC1'
expect_rc "check-record with errors" 1
expect_eq "check-record with errors: nothing on stderr" "$ERR" ""

# an unknown domain and an empty window: exit 0, an empty result (no bare
# header in text; the empty document in CSV and JSON), and stderr says so
for cmd in summary sources policy reporters; do
	report "$cmd" --domain nosuch.example --format json
	expect_rc "$cmd unknown domain" 0
	expect_eq "$cmd unknown domain json" "$(printf '%s' "$OUT" | tr -d ' \n')" "[]"
	expect_eq "$cmd unknown domain json: stderr" "$ERR" "dmarc-report: no reports for nosuch.example"
	report "$cmd" --since 2001-01-01 --until 2001-02-01 --format csv
	expect_rc "$cmd empty window" 0
	expect_eq "$cmd empty window csv is the header" "$(printf '%s\n' "$OUT" | wc -l)" 1
	expect_eq "$cmd empty window csv: stderr" "$ERR" "dmarc-report: no reports from 2001-01-01 to 2001-01-31"
	report "$cmd" --domain nosuch.example
	expect_rc "$cmd unknown domain text" 0
	expect_eq "$cmd unknown domain text: nothing on stdout" "$OUT" ""
	expect_eq "$cmd unknown domain text: stderr" "$ERR" "dmarc-report: no reports for nosuch.example"
	report "$cmd" --domain nosuch.example --domain other.example --since 2030-01-01
	expect_rc "$cmd two unknown domains, open window" 0
	expect_eq "$cmd two unknown domains: nothing on stdout" "$OUT" ""
	expect_eq "$cmd two unknown domains: stderr" "$ERR" "dmarc-report: no reports for nosuch.example, other.example since 2030-01-01"
	set +e; DMARC_NOW=2001-01-10 "$DMARC_REPORT" --db "$DB" "$cmd" --last 7d >"$T/out" 2>"$T/err"; RC=$?; set -e
	ERR=$(cat "$T/err")
	expect_rc "$cmd --last 7d, no reports" 0
	expect_eq "$cmd --last 7d: nothing on stdout" "$(cat "$T/out")" ""
	expect_eq "$cmd --last 7d: stderr" "$ERR" "dmarc-report: no reports from 2001-01-04 to 2001-01-10"
	report "$cmd" --until 2001-01-01
	expect_eq "$cmd --until: stderr" "$ERR" "dmarc-report: no reports before 2001-01-01"
	# a known and an unknown domain: the known one shown, the other named
	report "$cmd" --domain example.com --domain nosuch.example --format csv
	expect_rc "$cmd known and unknown domain" 0
	expect_match "$cmd known and unknown domain: rows" "$(printf '%s\n' "$OUT" | sed -n 2p)" '.'
	expect_eq "$cmd known and unknown domain: stderr" "$ERR" "dmarc-report: no reports for nosuch.example"
	# and a domain with reports says nothing on stderr
	report "$cmd" --domain example.com
	expect_eq "$cmd known domain: stderr" "$ERR" ""
done
# advise and senders (their own default windows, ending today): the same
# note, naming the domain and the window; text prints nothing, JSON [],
# the known domain is still shown
for cmd in advise senders; do
	days=29; [ "$cmd" = senders ] && days=55
	from=$(date -u -d "2025-02-01 - $days days" +%F)
	for fmt in text json; do
		set +e; DMARC_NOW=2025-02-01 "$DMARC_REPORT" --db "$DB" "$cmd" --no-dns --domain nosuch.example --format $fmt >"$T/out" 2>"$T/err"; RC=$?; set -e
		ERR=$(cat "$T/err")
		expect_rc "$cmd unknown domain $fmt" 0
		expect_eq "$cmd unknown domain $fmt: stderr" "$ERR" "dmarc-report: no reports for nosuch.example from $from to 2025-02-01"
		expect_eq "$cmd unknown domain $fmt: stdout" "$(tr -d ' \n' <"$T/out")" "$([ $fmt = json ] && echo '[]')"
	done
	report "$cmd" --no-dns --since 2001-01-01 --until 2001-02-01
	expect_rc "$cmd empty window" 0
	expect_eq "$cmd empty window: nothing on stdout" "$OUT" ""
	expect_eq "$cmd empty window: stderr" "$ERR" "dmarc-report: no reports from 2001-01-01 to 2001-01-31"
	set +e; DMARC_NOW=2025-02-01 "$DMARC_REPORT" --db "$DB" "$cmd" --no-dns --domain example.com --domain nosuch.example >"$T/out" 2>"$T/err"; RC=$?; set -e
	ERR=$(cat "$T/err")
	expect_eq "$cmd known and unknown domain: stderr" "$ERR" "dmarc-report: no reports for nosuch.example from $from to 2025-02-01"
	expect_match "$cmd known and unknown domain: the known one shown" "$(cat "$T/out")" "^example\.com"
done

# reports without a single record: sources has no row to show, and says why
cp "$DB" "$T/norecords.db"
sqlite3 "$T/norecords.db" 'DELETE FROM record; DELETE FROM source_day'
set +e; "$DMARC_REPORT" --db "$T/norecords.db" sources --domain example.com >"$T/out" 2>"$T/err"; RC=$?; set -e
ERR=$(cat "$T/err")
expect_rc "sources, reports without records" 0
expect_eq "sources, reports without records: nothing on stdout" "$(cat "$T/out")" ""
expect_eq "sources, reports without records: stderr" "$ERR" "dmarc-report: no records in the reports for example.com"
report sources --by sender --domain nosuch.example
expect_eq "sources --by sender unknown domain: nothing on stdout" "$OUT" ""
expect_eq "sources --by sender unknown domain: stderr" "$ERR" "dmarc-report: no reports for nosuch.example"

done_tests
