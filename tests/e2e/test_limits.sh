#!/bin/bash
# SPDX-License-Identifier: MIT
# Each input limit of common/dm_limits.h, hit end to end: the input fails
# with a message naming the limit, is recorded, and a good report in the
# same run is still stored.
. "$(dirname "$0")/lib.sh"
set -e

"$DMARC_GEN" --stdout --records 40 --seed 21 >"$T/good.xml" 2>/dev/null
"$DMARC_GEN" --stdout --records 3 --seed 22 --reporter yahoo >"$T/small.xml" 2>/dev/null

# limit_case NAME LIMIT-ARG FILE: FILE must fail naming NAME; small.xml is stored
limit_case() {
	fresh_db
	ingest --json --limit "$2" "$3" "$T/small.xml"
	expect_rc "$1" 1
	expect_match "$1 message" "$ERR" "limit $1 exceeded"
	expect_eq "$1 good one stored" "$(json reports_new)" 1
	expect_eq "$1 recorded" "$(q 'SELECT count(*) FROM ingest_failure')" 1
}

cp "$T/good.xml" "$T/big.xml"
limit_case input-bytes input-bytes=2K "$T/big.xml"

gzip -nc "$T/good.xml" >"$T/good.xml.gz"
limit_case xml-bytes xml-bytes=4K "$T/good.xml.gz"

mkdir -p "$T/many"
for i in 1 2 3 4 5; do printf 'x' >"$T/many/m$i.xml"; done
(cd "$T/many" && zip -q "$T/many.zip" ./*.xml)
limit_case zip-entries zip-entries=3 "$T/many.zip"

gzip -nc "$T/good.xml" | gzip -nc | gzip -nc >"$T/triple.gz"
limit_case nesting nesting=2 "$T/triple.gz"

{ printf '<feedback>'; for i in $(seq 30); do printf '<a>'; done; } >"$T/deep.xml"
limit_case xml-depth xml-depth=20 "$T/deep.xml"

sed "s|<org_name>[^<]*</org_name>|<org_name>$(head -c 3000 /dev/zero | tr '\0' x)</org_name>|" "$T/good.xml" >"$T/longfield.xml"
limit_case field-bytes field-bytes=1K "$T/longfield.xml"

limit_case records records=5 "$T/good.xml"

awk '/<auth_results>/ && !done { print; for (i = 0; i < 5; i++) print "<dkim><domain>d" i ".example</domain><selector>s</selector><result>pass</result></dkim>"; done = 1; next } { print }' \
    "$T/good.xml" >"$T/repeats.xml"
limit_case repeats repeats=3 "$T/repeats.xml"

# a gzip bomb: 12 MiB of XML whitespace stops on the ratio once past the
# floor (64 MiB by default, lowered here; test_hostile.sh bombs with 1 GiB)
{ printf '<?xml version="1.0"?>\n<feedback>'; head -c 12M /dev/zero | tr '\0' ' '; printf '</feedback>'; } | gzip -n >"$T/bomb.xml.gz"
limit_case ratio ratio-floor=4M "$T/bomb.xml.gz"

# keep-failed-bytes: the failure is recorded without its bytes
fresh_db
head -c 5000 /dev/zero | tr '\0' 'j' >"$T/junk.bin"
ingest --limit keep-failed-bytes=1K "$T/junk.bin"
expect_rc "keep-failed-bytes" 1
expect_eq "payload not kept" "$(q 'SELECT payload IS NULL, payload_size FROM ingest_failure')" "1|5000"
ingest --list-failed
expect_match "list says not kept" "$OUT" "payload not kept"

# the defaults hold against hostile shapes: 10,000 levels deep
fresh_db
{ printf '<feedback>'; for i in $(seq 10000); do printf '<a>'; done; } >"$T/deeper.xml"
ingest "$T/deeper.xml"
expect_rc "10,000 deep" 1
expect_match "10,000 deep message" "$ERR" "limit xml-depth exceeded|depth"

# a bad --limit is a usage error
ingest --limit nosuch=1 "$T/small.xml"
expect_rc "unknown limit" 2
ingest --limit records=abc "$T/small.xml"
expect_rc "bad limit value" 2

done_tests
