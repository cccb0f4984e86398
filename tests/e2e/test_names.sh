#!/bin/bash
# SPDX-License-Identifier: MIT
# Names from strangers (files in a mailbox export, zip members) may hold a
# newline or a terminal escape.  Every line dmarc-ingest prints shows them
# escaped (\n, \t, \x1b, \\ for a backslash): errors, warnings, notes,
# --list-failed, progress; JSON escapes them its own way.  The database
# keeps the names as they are.
. "$(dirname "$0")/lib.sh"
set -e

ESC=$'\033'
mkdir -p "$T/in" "$T/zip"
"$DMARC_GEN" --stdout --records 3 --seed 7 >"$T/good.xml" 2>/dev/null
# a report with one unusable record: stored, with a warning naming it
sed '0,/<source_ip>/s|<source_ip>[^<]*</source_ip>|<source_ip>999.1.1.1</source_ip>|' "$T/good.xml" >"$T/warn.xml"

bad=$'bad\nname\033[31m.xml'			# newline and ESC
tab=$'tab\there.xml'
back='back\slash.xml'
printf 'not a report\n' >"$T/in/$bad"
printf 'not a report either\n' >"$T/in/$tab"
printf 'still not a report\n' >"$T/in/$back"
cp "$T/warn.xml" "$T/in/"$'warn\033]0;title\007.xml'
# libzip gives a member name with a newline, tab or carriage return as it
# is; one with other control characters it reads as CP437 (ESC is then
# U+2190, an arrow), so no ESC can come from a member name
member=$'m\nx\ty\rz.xml'
esc_member=$'e\033[1m.xml'
printf 'junk in a zip\n' >"$T/zip/$member"
printf 'more junk in a zip\n' >"$T/zip/$esc_member"
cp "$T/good.xml" "$T/zip/good.xml"
(cd "$T/zip" && zip -q "$T/in/archive.zip" "$member" "$esc_member" good.xml)

ingest "$T/in"
expect_rc "run" 1
expect_eq "no raw ESC in any line" "$(printf '%s' "$ERR$OUT" | grep -c "$ESC" || true)" 0
expect_eq "no raw tab in any line" "$(printf '%s' "$ERR$OUT" | grep -c $'\t' || true)" 0
# one line per failure, in the one-line form
expect_eq "error: newline and ESC" \
    "$(printf '%s\n' "$ERR" | grep -F "bad\\nname\\x1b[31m.xml: " | sed 's/: not a DMARC.*//')" \
    "dmarc-ingest: $T/in/bad\\nname\\x1b[31m.xml"
expect_eq "error: tab" "$(printf '%s\n' "$ERR" | grep -cF "dmarc-ingest: $T/in/tab\\there.xml: not a DMARC report")" 1
expect_eq "error: backslash doubled" "$(printf '%s\n' "$ERR" | grep -cF "dmarc-ingest: $T/in/back\\\\slash.xml: not a DMARC report")" 1
expect_eq "error: zip member" "$(printf '%s\n' "$ERR" | grep -cF "dmarc-ingest: $T/in/archive.zip:m\\nx\\ty\\rz.xml: not a DMARC report")" 1
expect_eq "error: zip member with ESC, as libzip reads it" \
    "$(printf '%s\n' "$ERR" | grep -cF "dmarc-ingest: $T/in/archive.zip:e"$'\xe2\x86\x90'"[1m.xml: not a DMARC report")" 1
expect_eq "warning: OSC title escape and BEL" \
    "$(printf '%s\n' "$ERR" | grep -cF "dmarc-ingest: warning: $T/in/warn\\x1b]0;title\\x07.xml: ")" 1
expect_eq "every line starts with the program's name" "$(printf '%s\n' "$ERR" | grep -vc '^dmarc-ingest: ' || true)" 0
expect_eq "the database keeps the names as they are" \
    "$(q "SELECT count(*) FROM ingest_failure WHERE input_name IN ('$T/in/$bad', '$T/in/$tab', '$T/in/$back', '$T/in/archive.zip:$member')")" 4
expect_eq "good member stored" "$(q "SELECT count(*) FROM report WHERE input_name = '$T/in/archive.zip:good.xml'")" 1

# the next run: notes (failed before) escape the same way
ingest "$T/in"
expect_eq "note: newline and ESC" "$(printf '%s\n' "$ERR" | grep -cF "dmarc-ingest: note: $T/in/bad\\nname\\x1b[31m.xml: not a DMARC report")" 1
expect_eq "note: no raw ESC" "$(printf '%s' "$ERR" | grep -c "$ESC" || true)" 0

# --list-failed: one line per failure
ingest --list-failed
expect_eq "list: lines (header, 5 failures, total)" "$(printf '%s\n' "$OUT" | wc -l)" 7
expect_eq "list: no raw ESC" "$(printf '%s' "$OUT" | grep -c "$ESC" || true)" 0
expect_match "list: the file" "$OUT" "  $T/in/bad\\\\nname\\\\x1b\\[31m\\.xml: not a DMARC report"
expect_eq "list: the member" "$(printf '%s\n' "$OUT" | grep -cF "  $T/in/archive.zip:m\\nx\\ty\\rz.xml: not a DMARC report")" 1
# JSON: the JSON escapes
ingest --json --list-failed
expect_eq "json: no raw ESC" "$(printf '%s' "$OUT" | grep -c "$ESC" || true)" 0
expect_eq "json: the file" "$(printf '%s\n' "$OUT" | grep -cF "\"input\": \"$T/in/bad\\nname\\u001b[31m.xml\"")" 1
expect_eq "json: the member" "$(printf '%s\n' "$OUT" | grep -cF "\"input\": \"$T/in/archive.zip:m\\nx\\ty\\rz.xml\"")" 1

# retry: the names it prints, escaped too
ingest --retry-failed
expect_eq "retry: no raw ESC" "$(printf '%s' "$ERR$OUT" | grep -c "$ESC" || true)" 0
expect_eq "retry: the member's note" "$(printf '%s\n' "$ERR" | grep -cF "dmarc-ingest: note: $T/in/archive.zip:m\\nx\\ty\\rz.xml: not a DMARC report")" 1

# a path that cannot be read
ln -s "$T/nowhere" "$T/in/"$'dangling\033[2J'
ingest "$T/in/"$'dangling\033[2J'
expect_rc "unreadable path" 1
expect_match "unreadable: escaped" "$ERR" "^dmarc-ingest: $T/in/dangling\\\\x1b\\[2J: "
expect_eq "unreadable: no raw ESC" "$(printf '%s' "$ERR" | grep -c "$ESC" || true)" 0

# progress, shown when stderr is a terminal: the name escaped, the only
# escapes the progress line's own (carriage return, erase line)
if command -v script >/dev/null 2>&1; then
	fresh_db
	mkdir -p "$T/one"
	cp "$T/good.xml" "$T/one/"$'p\033[31mq.xml'
	script -qec "'$DMARC_INGEST' --db '$DB' '$T/one' >/dev/null" /dev/null >"$T/tty" 2>&1 || true
	expect_eq "progress: the name escaped" "$(grep -cF 'p\x1b[31mq.xml' "$T/tty")" 1
	expect_eq "progress: no raw name" "$(grep -c "p${ESC}\\[31mq" "$T/tty" || true)" 0
fi

done_tests
