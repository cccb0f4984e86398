# SPDX-License-Identifier: MIT
# lib.sh: helpers for the end-to-end tests, which run the real dmarc-ingest
# binary and check its exit status, its output and the database it wrote.
# Each test script sources this file; ctest passes DMARC_INGEST, DMARC_GEN
# and DM_TEST_DATA in the environment.
set -u

: "${DMARC_INGEST:?DMARC_INGEST must name the dmarc-ingest binary}"
: "${DMARC_GEN:?DMARC_GEN must name the dmarc-gen binary}"
: "${DM_TEST_DATA:?DM_TEST_DATA must name tests/data}"

T=$(mktemp -d "${TMPDIR:-/tmp}/dm-e2e.XXXXXX")
trap 'rm -rf "$T"' EXIT
DB="$T/test.db"
# no test may touch the network: reverse DNS comes from a fixture file
# (empty unless a test writes names into it)
: >"$T/dns-fixture"
export DMARC_DNS_FIXTURE="$T/dns-fixture"
FAILS=0
CHECKS=0

fail() {
	FAILS=$((FAILS + 1))
	echo "FAIL: $*" >&2
}

# ingest ARGS...: runs dmarc-ingest on $DB; sets RC, OUT, ERR.
ingest() {
	set +e
	"$DMARC_INGEST" --db "$DB" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	set -e
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}

# q SQL: one query on $DB, values separated by '|'.
q() {
	sqlite3 -batch -noheader "$DB" "$1"
}

# json KEY: a number from the --json output in $OUT.
json() {
	printf '%s\n' "$OUT" | sed -n "s/.*\"$1\": \([0-9-]*\).*/\1/p"
}

# expect_eq WHAT GOT WANT
expect_eq() {
	CHECKS=$((CHECKS + 1))
	if [ "$2" != "$3" ]; then
		fail "$1: got '$2', want '$3'"
	fi
}

# expect_match WHAT TEXT REGEX (extended)
expect_match() {
	CHECKS=$((CHECKS + 1))
	if ! printf '%s\n' "$2" | grep -Eq -- "$3"; then
		fail "$1: '$2' does not match /$3/"
	fi
}

expect_rc() {
	expect_eq "$1: exit status (stderr: $(printf '%s' "$ERR" | head -3))" "$RC" "$2"
}

# report ARGS...: runs dmarc-report on $DB; sets RC, OUT, ERR (the output
# also stays in $T/out).
report() {
	set +e
	"$DMARC_REPORT" --db "$DB" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	set -e
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}

# jget LINE KEY: the first value of KEY in a one-line JSON object
jget() {
	printf '%s\n' "$1" | sed 's/"'"$2"'": /\n/; s/^[^\n]*\n//; s/[],}].*//; s/"//g'
}

# row PATTERN: the line of $OUT that contains PATTERN
row() {
	printf '%s\n' "$OUT" | grep -F -- "$1" || true
}

# widths_ok WHAT: every line of $OUT fits 100 columns
widths_ok() {
	expect_eq "$1: fits 100 columns" "$(printf '%s\n' "$OUT" | awk '{ if (length($0) > 100) n++ } END { print n + 0 }')" 0
}

fresh_db() {
	rm -f "$DB" "$DB-wal" "$DB-shm"
}

# done_tests: closing line for ctest, exit status from the failures.
done_tests() {
	echo "$((CHECKS - FAILS)) passed, $FAILS failed"
	[ "$FAILS" -eq 0 ] && [ "$CHECKS" -gt 0 ]
}
