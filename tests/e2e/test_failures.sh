#!/bin/bash
# SPDX-License-Identifier: MIT
# Bad inputs among good ones: each bad payload gets one line naming it and
# the reason, exit status 1, nothing stored from it, the good ones stored,
# the failure recorded with its bytes; the next run counts it as
# failed_before (exit 0); --list-failed, --retry-failed, --forget-failed.
. "$(dirname "$0")/lib.sh"
set -e

mkdir -p "$T/in"
"$DMARC_GEN" --out "$T/in" --reports 2 --records 10 --seed 4 --format gz --reporter microsoft 2>/dev/null
"$DMARC_GEN" --stdout --records 10 --seed 5 >"$T/good.xml" 2>/dev/null
: >"$T/in/empty.xml"
printf 'this is not xml at all\n' >"$T/in/text.xml"
printf '<?xml version="1.0"?>\n<html><body>hi</body></html>\n' >"$T/in/html.xml"
head -c 300 "$T/good.xml" >"$T/in/truncated.xml"
gzip -nc "$T/good.xml" | head -c 200 >"$T/in/truncated.xml.gz"
printf 'PK\003\004garbage garbage garbage' >"$T/in/corrupt.zip"
printf '<?xml version="1.0"?>\n<feedback><report_metadata><org_name>x</org_name></report_metadata></feedback>\n' >"$T/in/noid.xml"
sed 's/<begin>[0-9]*</<begin>soon</' "$T/good.xml" >"$T/in/badbegin.xml"
{ head -c 100 "$T/good.xml"; printf '\000'; tail -c +101 "$T/good.xml"; } >"$T/in/nul.xml"
nbad=9

ingest --json "$T/in"
expect_rc "bad among good" 1
expect_eq "good stored" "$(json reports_new)" 2
expect_eq "bad counted" "$(json failed)" "$nbad"
expect_eq "failures recorded" "$(q 'SELECT count(*) FROM ingest_failure')" "$nbad"
expect_eq "bytes kept" "$(q 'SELECT count(*) FROM ingest_failure WHERE payload IS NOT NULL')" "$nbad"
expect_eq "nothing stored from bad" "$(q "SELECT count(*) FROM report WHERE input_name NOT LIKE '%.xml.gz'")" 0
# one line per bad input, naming it
for f in empty.xml text.xml html.xml truncated.xml truncated.xml.gz corrupt.zip noid.xml badbegin.xml nul.xml; do
	expect_eq "one error line for $f" "$(printf '%s\n' "$ERR" | grep -c "^dmarc-ingest: $T/in/$f: ")" 1
done
expect_match "empty reason" "$ERR" "empty.xml: empty payload"
expect_match "text reason" "$ERR" "text.xml: not a DMARC report"
expect_match "html reason" "$ERR" "html.xml: not a DMARC report"
expect_match "truncated gzip reason" "$ERR" "truncated.xml.gz: .*truncated"
expect_match "noid reason" "$ERR" "noid.xml: .*report_id"
expect_match "nul reason" "$ERR" "nul.xml: .*NUL"

# the next run: same failures are failed_before, exit 0, no error lines
ingest --json "$T/in"
expect_rc "second run" 0
expect_eq "second run failed" "$(json failed)" 0
expect_eq "second run failed_before" "$(json failed_before)" "$nbad"
expect_eq "attempts" "$(q 'SELECT min(attempts) FROM ingest_failure')" 2
ingest --quiet "$T/in"
expect_eq "quiet second run says nothing" "$OUT$ERR" ""

# the kept bytes are the payload: compare one
id=$(q "SELECT id FROM ingest_failure WHERE input_name LIKE '%text.xml'")
ingest --list-failed
expect_rc "list-failed" 0
expect_match "list-failed shows it" "$OUT" "^ +$id .*text.xml: not a DMARC report"
ingest --json --list-failed
expect_match "list-failed json" "$OUT" "\"id\": $id,"

# forget one
ingest --forget-failed "$id"
expect_rc "forget" 0
expect_eq "forgotten" "$(q "SELECT count(*) FROM ingest_failure WHERE id = $id")" 0
ingest --forget-failed 99999
expect_rc "forget unknown" 1

# retry: a report that failed on a limit is stored after the limit is lifted
fresh_db
ingest --limit records=3 "$T/good.xml"
expect_rc "fails on the records limit" 1
expect_match "names the limit" "$ERR" "limit records exceeded"
ingest --json --retry-failed
expect_rc "retry succeeds" 0
expect_match "retry counts" "$OUT" '"retried": 1, "resolved": 1, "still_failing": 0'
expect_eq "retried report stored" "$(q 'SELECT count(*) FROM report')" 1
expect_eq "provenance kept" "$(q 'SELECT input_name FROM report')" "$T/good.xml"
expect_eq "failure resolved" "$(q 'SELECT resolved_at IS NOT NULL FROM ingest_failure')" 1
ingest --list-failed
expect_match "resolved not listed" "$OUT" "0 unresolved failures"
# a retry that still fails
printf 'junk' >"$T/junk.xml"
ingest "$T/junk.xml"
ingest --retry-failed
expect_rc "retry still failing" 1
expect_match "retry says so" "$OUT" "1 still failing"

# a failed zip member fails alone; the good member is stored
fresh_db
mkdir -p "$T/zz"
cp "$T/good.xml" "$T/zz/good.xml"
printf 'not a report' >"$T/zz/bad.xml"
(cd "$T/zz" && zip -q "$T/mixed.zip" good.xml bad.xml)
ingest --json "$T/mixed.zip"
expect_rc "zip with a bad member" 1
expect_eq "good member stored" "$(json reports_new)" 1
expect_eq "bad member failed" "$(json failed)" 1
expect_eq "member named" "$(q 'SELECT input_name FROM ingest_failure')" "$T/mixed.zip:bad.xml"
expect_eq "member bytes kept" "$(q "SELECT payload_size FROM ingest_failure")" 12

# missing path: error line, exit 1, others still go in
fresh_db
ingest --json "$T/nonexistent" "$T/good.xml"
expect_rc "missing path" 1
expect_match "missing path named" "$ERR" "nonexistent: "
expect_eq "others still stored" "$(json reports_new)" 1

# a database that cannot be opened: exit 2
set +e
"$DMARC_INGEST" --db "$T/no/such/dir/x.db" "$T/good.xml" >"$T/out" 2>"$T/err"; RC=$?
set -e
ERR=$(cat "$T/err")
expect_rc "unopenable database" 2
expect_match "database named" "$ERR" "cannot open database"

done_tests
