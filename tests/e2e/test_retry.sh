#!/bin/bash
# SPDX-License-Identifier: MIT
# --retry-failed feeds each kept payload through the pipeline like any
# input.  A mail with one good and one bad report: the bad one is the
# failure, and a retry with nothing fixed fails it again (one more attempt,
# nothing new stored).  A whole mail kept as a failure (over message-bytes)
# and retried with the limit lifted: its good report is stored, its bad one
# becomes a failure of its own with its bytes and the mail's provenance,
# and the mail's failure is resolved, saying where the rest went; when the
# rest cannot keep its bytes, the mail's failure stays open instead.
. "$(dirname "$0")/lib.sh"
set -e

"$DMARC_GEN" --stdout --records 10 --seed 5 --format gz >"$T/good.xml.gz" 2>/dev/null
printf 'this is not a report at all\n' >"$T/bad.xml"	# 28 bytes

# the mail: the bad attachment first, then the good one
b64() { base64 -w 76 "$1"; }
{
	printf 'From: Reporter <noreply@reporter.example>\n'
	printf 'To: dmarc@example.com\n'
	printf 'Subject: Report Domain: example.com Submitter: reporter.example Report-ID: <r1>\n'
	printf 'Message-ID: <retry-1@reporter.example>\n'
	printf 'Date: Mon, 02 Jun 2025 10:00:00 +0000\n'
	printf 'MIME-Version: 1.0\n'
	printf 'Content-Type: multipart/mixed; boundary="b1"\n\n'
	printf -- '--b1\nContent-Type: text/plain\n\nTwo reports.\n'
	printf -- '--b1\nContent-Type: application/xml; name="bad.xml"\n'
	printf 'Content-Disposition: attachment; filename="bad.xml"\n'
	printf 'Content-Transfer-Encoding: base64\n\n'
	b64 "$T/bad.xml"
	printf -- '--b1\nContent-Type: application/gzip; name="good.xml.gz"\n'
	printf 'Content-Disposition: attachment; filename="good.xml.gz"\n'
	printf 'Content-Transfer-Encoding: base64\n\n'
	b64 "$T/good.xml.gz"
	printf -- '--b1--\n'
} >"$T/mail.eml"
mailsize=$(stat -c %s "$T/mail.eml")

# --- a mail with one good report and one bad one; nothing fixed -------------
ingest --json "$T/mail.eml"
expect_rc "mail with a bad report" 1
expect_eq "good report stored" "$(json reports_new)" 1
expect_eq "bad report failed" "$(json failed)" 1
expect_eq "the failure is the bad part" "$(q 'SELECT id, input_name, payload_size, message_id FROM ingest_failure')" \
    "1|$T/mail.eml:bad.xml|28|retry-1@reporter.example"
ingest --json --retry-failed
expect_rc "retry, nothing fixed" 1
expect_match "retry counts" "$OUT" '"retried": 1, "resolved": 0, "still_failing": 1, "partly_stored": 0, "reports_new": 0'
expect_match "retry names the part" "$ERR" "^dmarc-ingest: note: $T/mail.eml:bad.xml: not a DMARC report.*failed before: failure #1"
expect_eq "one more attempt, still open" "$(q 'SELECT attempts, resolved_at IS NULL FROM ingest_failure')" "2|1"
expect_eq "no new failure" "$(q 'SELECT count(*) FROM ingest_failure')" 1
expect_eq "nothing new stored" "$(q 'SELECT count(*) FROM report')" 1

# --- a whole mail kept, retried with the limit lifted -----------------------
fresh_db
ingest --json --limit message-bytes=1K "$T/mail.eml"
expect_rc "mail over message-bytes" 1
expect_eq "nothing stored" "$(json reports_new)" 0
expect_eq "the mail is the failure" "$(q 'SELECT id, input_name, payload_size, payload IS NOT NULL FROM ingest_failure')" \
    "1|$T/mail.eml|$mailsize|1"
ingest --json --retry-failed
expect_rc "retry stores part" 1
expect_match "retry counts" "$OUT" '"retried": 1, "resolved": 0, "still_failing": 0, "partly_stored": 1, "reports_new": 1, "records_new": [0-9]+, "messages_new": [0-9]+, "failed": 1'
expect_eq "the good report, with the mail's provenance" \
    "$(q 'SELECT input_name, message_id FROM report')" "$T/mail.eml:good.xml.gz|retry-1@reporter.example"
expect_eq "the bad part: a failure of its own, bytes kept" \
    "$(q 'SELECT input_name, payload_size, payload IS NOT NULL, message_id, attempts FROM ingest_failure WHERE id = 2')" \
    "$T/mail.eml:bad.xml|28|1|retry-1@reporter.example|1"
expect_eq "the mail's failure: resolved, one more attempt, where the rest went" \
    "$(q 'SELECT resolved_at IS NOT NULL, attempts, reason FROM ingest_failure WHERE id = 1')" \
    "1|2|stored in part on retry; the rest is failure #2"
expect_match "retry names the new failure" "$ERR" "^dmarc-ingest: $T/mail.eml:bad.xml: not a DMARC report.*\(failure #2\)$"
ingest --list-failed
expect_eq "only the bad part is listed" "$(printf '%s\n' "$OUT" | sed -n '2,$p' | sed 's/^ *\([0-9]*\) .*/\1/' | head -n -1)" 2
# a second retry: only the bad part, failing again
ingest --retry-failed
expect_rc "second retry" 1
expect_match "second retry says so" "$OUT" "^retried 1 failure: 0 now stored, 1 still failing$"
expect_eq "its attempts" "$(q 'SELECT attempts FROM ingest_failure WHERE id = 2')" 2
expect_eq "still one report" "$(q 'SELECT count(*) FROM report')" 1

# the text output of a retry that stores part
fresh_db
ingest --limit message-bytes=1K "$T/mail.eml"
ingest --retry-failed
expect_rc "text retry" 1
expect_match "text: the mail's line" "$OUT" "^failure #1 \($T/mail.eml\): stored in part; the rest is now failure #2$"
expect_match "text: the summary" "$OUT" "^retried 1 failure: 0 now stored, 1 stored in part, 0 still failing$"

# --- the rest cannot keep its bytes: the mail's failure stays open ----------
fresh_db
ingest --limit message-bytes=1K "$T/mail.eml"
ingest --json --limit keep-failed-bytes=10 --retry-failed
expect_rc "retry, rest too large to keep" 1
expect_match "counted as stored in part" "$OUT" '"partly_stored": 1, "reports_new": 1'
expect_eq "the bad part, without its bytes" "$(q 'SELECT payload IS NULL FROM ingest_failure WHERE id = 2')" 1
expect_eq "the mail's failure stays open" \
    "$(q 'SELECT resolved_at IS NULL, attempts, payload IS NOT NULL FROM ingest_failure WHERE id = 1')" "1|2|1"
expect_match "and says why" "$(q 'SELECT reason FROM ingest_failure WHERE id = 1')" \
    '^stored in part on retry; the rest \(failure #2\) was too large to keep, so this payload stays$'
# retried again: the report is a duplicate, nothing new is stored, and the
# mail is still the only copy of the bad part's bytes
ingest --json --limit keep-failed-bytes=10 --retry-failed
expect_eq "again: nothing new" "$(json reports_new)" 0
expect_eq "reports" "$(q 'SELECT count(*) FROM report')" 1
expect_eq "the mail's failure still open" "$(q 'SELECT resolved_at IS NULL, attempts FROM ingest_failure WHERE id = 1')" "1|3"

done_tests
