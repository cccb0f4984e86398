#!/bin/bash
# SPDX-License-Identifier: MIT
# The EXAMPLES of docs/dmarc-ingest.1 run as written (with the binary, a
# scratch database and sample files put in for the paths), so the manual
# cannot drift from the program; also --help mentions every option the
# manual lists.
. "$(dirname "$0")/lib.sh"
set -e

MAN="$(dirname "$0")/../../docs/dmarc-ingest.1"
mkdir -p "$T/attachments"
"$DMARC_GEN" --out "$T/attachments" --reports 4 --records 5 --seed 8 2>/dev/null
"$DMARC_GEN" --stdout --records 5 --seed 9 --format gz >"$T/report.xml.gz" 2>/dev/null
mkdir -p "$T/mail"
"$DMARC_GEN" --wrap mbox "$T/mail/dmarc.mbox" "$T/attachments"/*

n=0
while IFS= read -r line; do
	cmd=${line#.Dl \$ }
	cmd=${cmd//\\-/-}
	cmd=${cmd//reports.db/$DB}
	cmd=${cmd//\~\/dmarc\/attachments\//$T/attachments/}
	cmd=${cmd//report.xml.gz/$T/report.xml.gz}
	cmd=${cmd//\~\/mail\//$T/mail/}
	cmd=${cmd//dmarc-ingest /$DMARC_INGEST }
	set +e
	(cd "$T" && eval "$cmd") >"$T/out" 2>"$T/err"
	RC=$?
	set -e
	ERR=$(cat "$T/err")
	expect_rc "man page example: ${line#.Dl }" 0
	n=$((n + 1))
done < <(grep '^\.Dl \$ ' "$MAN")
expect_match "examples found" "$n" '^[5-9]$'

# the same for dmarc-report (the prune example above emptied the database)
"$DMARC_INGEST" --db "$DB" --quiet "$T/attachments"
RMAN="$(dirname "$0")/../../docs/dmarc-report.1"
n=0
while IFS= read -r line; do
	cmd=${line#.Dl \$ }
	cmd=${cmd//\\-/-}
	cmd=${cmd//reports.db/$DB}
	cmd=${cmd//dmarc-report /$DMARC_REPORT }
	set +e
	(cd "$T" && DMARC_NOW=2026-01-01 eval "$cmd") >"$T/out" 2>"$T/err"
	RC=$?
	set -e
	ERR=$(cat "$T/err")
	expect_rc "dmarc-report man page example: ${line#.Dl }" 0
	n=$((n + 1))
done < <(grep '^\.Dl \$ ' "$RMAN")
expect_match "dmarc-report examples found" "$n" '^[4-9]$'

# every long option of the manual is in --help, and the reverse
ingest --help
PLAIN=$(sed 's/\\//g' "$MAN")	# the manual without roff escapes
for opt in $(printf '%s\n' "$PLAIN" | grep -o '^\.It Fl -[a-z-]*' | sed 's/.*Fl -//'); do
	expect_match "--help lists --$opt" "$OUT" "--$opt"
done
for opt in $(printf '%s\n' "$OUT" | grep -o '^  \(-., \)\?--[a-z-]*' | sed 's/.*--//'); do
	expect_match "the manual lists --$opt" "$PLAIN" "Fl -$opt"
done

done_tests
