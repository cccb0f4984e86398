#!/bin/bash
# SPDX-License-Identifier: MIT
# dmarc-report check-record: the DMARC record linter through the real
# binary: exit status (0 valid, 1 errors, 2 usage), the exact text lines,
# JSON, --name, and that it needs no database.
. "$(dirname "$0")/lib.sh"
set -e
: "${DMARC_REPORT:?DMARC_REPORT must name the dmarc-report binary}"

# check ARGS...: runs check-record (no database anywhere); sets RC, OUT, ERR.
check() {
	set +e
	"$DMARC_REPORT" --db "$T/none.db" check-record "$@" >"$T/out" 2>"$T/err"
	RC=$?
	set -e
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}

PCT="warning: tag pct: removed in RFC 9989, whose receivers ignore it (t=y marks a policy in testing)"
NOP="error: tag p: missing, and no valid rua; receivers ignore the record (RFC 7489 6.6.3)"
NOV="error: tag v: missing; a DMARC record begins with v=DMARC1, or receivers ignore it (RFC 7489 6.3)"

# a valid RFC 7489 record: valid with one warning, the normalized tags
check 'v=DMARC1; p=none; pct=100; rua=mailto:dmarc@example.com; sp=none; aspf=r'
expect_rc "7489 record" 0
expect_eq "7489 record" "$OUT" "valid
$PCT
tags: v=DMARC1; p=none; pct=100; rua=mailto:dmarc@example.com; sp=none; aspf=r"
expect_eq "no stderr" "$ERR" ""
[ ! -e "$T/none.db" ] || fail "check-record created a database"

# a valid RFC 9989 record with np and t, with its owner name
check --name _dmarc.example.com 'v=DMARC1; p=quarantine; np=reject; t=y; rua=mailto:dmarc@example.com'
expect_rc "9989 record" 0
expect_eq "9989 record" "$OUT" "valid
tags: v=DMARC1; p=quarantine; np=reject; t=y; rua=mailto:dmarc@example.com"

# p missing: a warning with a valid rua, an error without
check 'v=DMARC1; rua=mailto:dmarc@example.com'
expect_rc "p missing with rua" 0
expect_eq "p missing with rua" "$OUT" "valid
warning: tag p: missing; with a valid rua receivers act as if p=none (RFC 7489 6.6.3)
tags: v=DMARC1; rua=mailto:dmarc@example.com"
check 'v=DMARC1; sp=reject'
expect_rc "p missing" 1
expect_eq "p missing" "$OUT" "invalid: 1 error
$NOP
tags: v=DMARC1; sp=reject"

# v not first, v=dmarc1
check 'p=none; v=DMARC1'
expect_rc "v not first" 1
expect_eq "v not first" "$OUT" "invalid: 1 error
error: tag v: not the first tag; receivers ignore a record that does not begin with v=DMARC1 (RFC 7489 6.3)
tags: p=none; v=DMARC1"
check 'v=dmarc1; p=none'
expect_rc "v=dmarc1" 1
expect_eq "v=dmarc1" "$OUT" "invalid: 1 error
error: tag v: 'dmarc1' must be exactly DMARC1 (the value is case-sensitive); receivers ignore the record (RFC 7489 6.3)
tags: v=dmarc1; p=none"

# a bad p value, a duplicate tag
check 'v=DMARC1; p=block'
expect_rc "bad p" 1
expect_match "bad p" "$OUT" "^error: tag p: 'block' is not none, quarantine or reject \(RFC 7489 6\.3\)$"
check 'v=DMARC1; p=none; p=reject'
expect_rc "duplicate" 1
expect_eq "duplicate" "$OUT" "invalid: 1 error
error: tag p: appears more than once; a tag list with a duplicate tag is invalid (RFC 7489 6.3, RFC 6376 3.2)
tags: v=DMARC1; p=none"

# pct out of range
check 'v=DMARC1; p=none; pct=150'
expect_rc "pct=150" 1
expect_eq "pct=150" "$OUT" "invalid: 1 error
error: tag pct: 150 is outside 0-100 (RFC 7489 6.3)
$PCT
tags: v=DMARC1; p=none; pct=150"
check 'v=DMARC1; p=none; pct=-1'
expect_rc "pct=-1" 1
expect_match "pct=-1" "$OUT" "^error: tag pct: -1 is outside 0-100 \(RFC 7489 6\.3\)$"
check 'v=DMARC1; p=none; pct=abc'
expect_rc "pct=abc" 1
expect_match "pct=abc" "$OUT" "^error: tag pct: 'abc' is not an integer in 0-100 \(RFC 7489 6\.3\)$"

# warnings only: an unknown tag, fo without ruf, three rua URIs
check 'v=DMARC1; p=reject; foo=bar; fo=1; rua=mailto:a@example.com,mailto:b@example.com,mailto:c@example.com'
expect_rc "warnings" 0
expect_eq "warnings" "$OUT" "valid
warning: tag foo: unknown; receivers ignore it (RFC 7489 6.3)
warning: tag rua: 3 URIs; receivers need support only two, so later ones may get no reports (RFC 7489 6.2)
warning: tag fo: has no effect without ruf (RFC 7489 6.3)
tags: v=DMARC1; p=reject; foo=bar; fo=1; rua=mailto:a@example.com,mailto:b@example.com,mailto:c@example.com"

# the owner name: dmarc. and the apex are errors naming the right name
check --name dmarc.example.com 'v=DMARC1; p=none'
expect_rc "dmarc. owner" 1
expect_eq "dmarc. owner" "$OUT" "invalid: 1 error
error: name: dmarc.example.com is not where receivers look; publish the record at _dmarc.example.com (RFC 7489 6.1)
tags: v=DMARC1; p=none"
check --name example.com 'v=DMARC1; p=none'
expect_rc "apex owner" 1
expect_match "apex owner" "$OUT" "^error: name: example.com has no _dmarc label; publish the record at _dmarc.example.com \(RFC 7489 6\.1\)$"
# an external report address needs its authorization record
check --name _dmarc.example.com 'v=DMARC1; p=none; rua=mailto:d@reports.example.net'
expect_rc "external rua" 0
expect_match "external rua" "$OUT" "^warning: tag rua: reports.example.net is outside example.com: the TXT record example.com._report._dmarc.reports.example.net \(v=DMARC1\) must exist, or receivers send it no reports \(RFC 7489 7\.1\)$"

# empty input, only v, whitespace, trailing ';', uppercase names
check ''
expect_rc "empty" 1
expect_eq "empty" "$OUT" "invalid: 2 errors
$NOV
$NOP
tags:"
check 'v=DMARC1'
expect_rc "only v" 1
expect_eq "only v" "$OUT" "invalid: 1 error
$NOP
tags: v=DMARC1"
check ' v=DMARC1; p=none'
expect_rc "leading space" 1
expect_match "leading space" "$OUT" "^error: tag v: whitespace before v=DMARC1; the record must begin with it \(RFC 7489 6\.4\)$"
check "$(printf 'v = DMARC1 ;\tp=reject ;rua= mailto:d@example.com ; ')"
expect_rc "whitespace" 0
expect_eq "whitespace" "$OUT" "valid
tags: v=DMARC1; p=reject; rua=mailto:d@example.com"
check 'v=DMARC1;p=none;'
expect_rc "trailing ;" 0
expect_eq "trailing ;" "$OUT" "valid
tags: v=DMARC1; p=none"
check 'V=DMARC1; P=REJECT'
expect_rc "uppercase names" 0
expect_eq "uppercase names" "$OUT" "valid
warning: tag V: write tag names in lowercase; DMARC takes its tag syntax from DKIM, where names are case-sensitive (RFC 7489 6.3, RFC 6376 3.2)
warning: tag P: write tag names in lowercase; DMARC takes its tag syntax from DKIM, where names are case-sensitive (RFC 7489 6.3, RFC 6376 3.2)
tags: v=DMARC1; p=REJECT"
# a newline in a value stays on one line
check "$(printf 'v=DMARC1; p=no\nne')"
expect_rc "newline" 1
expect_eq "newline" "$OUT" "invalid: 1 error
error: tag p: 'no?ne' is not none, quarantine or reject (RFC 7489 6.3)
tags: v=DMARC1; p=no?ne"

# JSON
check --format json 'v=DMARC1; p=none; pct=150; x="q"'
expect_rc "json" 1
expect_eq "json" "$OUT" '{
  "valid": false,
  "errors": ["tag pct: 150 is outside 0-100 (RFC 7489 6.3)"],
  "warnings": ["tag pct: removed in RFC 9989, whose receivers ignore it (t=y marks a policy in testing)", "tag x: unknown; receivers ignore it (RFC 7489 6.3)"],
  "tags": {"v": "DMARC1", "p": "none", "pct": "150", "x": "\"q\""}
}'
if command -v python3 >/dev/null; then
	printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["valid"] is False and d["tags"]["x"] == "\"q\""' ||
	    fail "json: not valid JSON"
	check --format json "$(printf 'v=DMARC1; p=none; z=\001\xff')"
	expect_rc "json control bytes" 0
	printf '%s' "$OUT" | python3 -c 'import json,sys; json.load(sys.stdin)' ||
	    fail "json control bytes: not valid JSON"
fi
check --format json 'v=DMARC1; p=none'
expect_rc "json valid" 0
expect_eq "json valid" "$OUT" '{
  "valid": true,
  "errors": [],
  "warnings": [],
  "tags": {"v": "DMARC1", "p": "none"}
}'

# usage: CSV has no meaning here; no record, two records
check --format csv 'v=DMARC1; p=none'
expect_rc "csv" 2
expect_eq "csv" "$ERR" "dmarc-report: check-record: --format csv has no meaning for one record; use text or json"
check
expect_rc "no record" 2
check 'v=DMARC1; p=none' 'v=DMARC1; p=reject'
expect_rc "two records" 2
# a write error is exit 2, not a verdict
if [ -w /dev/full ]; then
	set +e
	"$DMARC_REPORT" check-record 'v=DMARC1; p=none' >/dev/full 2>"$T/err"
	RC=$?
	set -e
	ERR=$(cat "$T/err")
	expect_rc "/dev/full" 2
fi

# the cases of tests/data/check-record: pasted zone-file quotes, typographic
# quotes, pct=0 (NAME.record in, NAME.out: "exit N", then the output)
n=0
for rec in "$DM_TEST_DATA"/check-record/*.record; do
	name=$(basename "$rec" .record)
	check "$(cat "$rec")"
	expect_eq "$name: output" "exit $RC
$OUT" "$(cat "${rec%.record}.out")"
	n=$((n + 1))
done
expect_match "check-record cases found" "$n" '^[1-9][0-9]*$'
# advise --record reads a pasted record the same way
ingest --quiet "$DM_TEST_DATA/report"
DMARC_NOW=2025-03-05 report advise --domain a.example --no-dns --format json --record '"v=DMARC1; p=none; " "rua=mailto:dmarc@example.com"'
expect_match "advise --record: zone-file strings read" "$OUT" 'record: read as its 2 zone-file strings'

done_tests
