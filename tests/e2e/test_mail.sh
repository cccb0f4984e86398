#!/bin/bash
# SPDX-License-Identifier: MIT
# Mail input end to end: .eml files, mbox (LF and CRLF), a Maildir tree and
# stdin; provenance of the message; the same report as a file, in an .eml
# and in an mbox is one report; messages without report, TLS and failure
# reports are counted, not failed; an oversized message or a bad
# attachment is recorded as a failure with the message's provenance; an
# mboxo export with unquoted "From " body lines is split right; reports in
# a TNEF winmail.dat are read; a mail that announces a report but holds
# none, or is encrypted, fails with its bytes kept.
. "$(dirname "$0")/lib.sh"
set -e

totals() {
	awk -F'\t' '{ r += $2; c += $3; m += $4 } END { print r, c, m }' "$1"
}

"$DMARC_GEN" --out "$T/files" --reports 12 --records 8 --seed 31 --format mixed \
    --manifest "$T/m.tsv" 2>/dev/null
read -r reps recs msgs < <(totals "$T/m.tsv")
nfiles=$(ls "$T/files" | wc -l)
mkdir -p "$T/eml"
"$DMARC_GEN" --wrap eml "$T/eml" "$T/files"/*
"$DMARC_GEN" --wrap mbox "$T/all.mbox" "$T/files"/*
"$DMARC_GEN" --wrap mbox --crlf "$T/crlf.mbox" "$T/files"/*

# .eml files
ingest --json "$T/eml"
expect_rc "eml" 0
expect_eq "eml reports" "$(json reports_new)" "$reps"
expect_eq "eml records" "$(json records_new)" "$recs"
expect_eq "eml messages" "$(json messages_new)" "$msgs"
expect_eq "eml messages_scanned" "$(json messages_scanned)" "$nfiles"
expect_eq "eml without report" "$(json messages_without_report)" 0
expect_eq "provenance: Message-ID" "$(q "SELECT count(*) FROM report WHERE message_id LIKE '%.report@%'")" "$reps"
expect_match "provenance: subject" "$(q "SELECT message_subject FROM report LIMIT 1")" '^Report Domain: example.com Submitter: .* Report-ID: <'
expect_match "provenance: from" "$(q "SELECT message_from FROM report LIMIT 1")" 'noreply-dmarc-support@'
expect_match "provenance: date" "$(q "SELECT message_date FROM report LIMIT 1")" '\+0000$'
expect_match "input name: file and part" "$(q "SELECT input_name FROM report LIMIT 1")" "^$T/eml/.*\.eml:.*!example.com!"

# the same reports again as files and in an mbox: all duplicates
ingest --json "$T/files" "$T/all.mbox"
expect_rc "files and mbox after eml" 0
expect_eq "one report, whatever the packaging" "$(json reports_new)/$(json reports_duplicate)" "0/$((2 * reps))"

# an mbox: totals and the offset of each message
fresh_db
ingest --json "$T/all.mbox"
expect_rc "mbox" 0
expect_eq "mbox reports" "$(json reports_new)" "$reps"
expect_eq "mbox records" "$(json records_new)" "$recs"
expect_eq "mbox messages_scanned" "$(json messages_scanned)" "$nfiles"
offsets=$(grep -b '^From ' "$T/all.mbox" | cut -d: -f1 | tr '\n' ' ')
got=$(q "SELECT DISTINCT mbox_offset FROM report ORDER BY mbox_offset" | tr '\n' ' ')
expect_eq "mbox offsets are the From_ lines" "$got" "$offsets"
expect_eq "mbox path" "$(q "SELECT DISTINCT mbox_path FROM report")" "$T/all.mbox"
expect_match "mbox input name" "$(q "SELECT input_name FROM report WHERE mbox_offset = 0 LIMIT 1")" "^$T/all.mbox@0:"

# input-bytes caps payloads, not mailboxes: an mbox larger than it is read
fresh_db
mbox_size=$(wc -c <"$T/all.mbox")
ingest --json --limit input-bytes=$((mbox_size / 2)) "$T/all.mbox"
expect_rc "mbox larger than input-bytes" 0
expect_eq "mbox larger than input-bytes: reports" "$(json reports_new)" "$reps"

# CRLF mbox
fresh_db
ingest --json "$T/crlf.mbox"
expect_rc "crlf mbox" 0
expect_eq "crlf mbox reports" "$(json reports_new)" "$reps"
expect_eq "crlf mbox records" "$(json records_new)" "$recs"

# a Maildir: cur/, new/ and a Maildir++ folder; tmp/ and index files ignored
fresh_db
md="$T/Maildir"
mkdir -p "$md/cur" "$md/new" "$md/tmp" "$md/.DMARC/cur" "$md/.DMARC/new" "$md/.DMARC/tmp"
i=0
for f in "$T/eml"/*.eml; do
	case $((i % 3)) in
	0) cp "$f" "$md/cur/17000000$i.M$i.host:2,S" ;;
	1) cp "$f" "$md/new/17000000$i.M$i.host" ;;
	2) cp "$f" "$md/.DMARC/cur/17000000$i.M$i.host:2,S" ;;
	esac
	i=$((i + 1))
done
cp "$(ls "$T/eml"/*.eml | head -1)" "$md/tmp/being-delivered"
printf 'not mail' >"$md/dovecot.index"
printf '3 V1 N2\n' >"$md/dovecot-uidlist"
ingest --json "$md"
expect_rc "maildir" 0
expect_eq "maildir inputs (tmp and index files left alone)" "$(json inputs)" "$nfiles"
expect_eq "maildir reports" "$(json reports_new)" "$reps"
expect_eq "maildir failed" "$(json failed)" 0

# stdin: an mbox, then a single message (duplicates by now)
set +e
"$DMARC_INGEST" --db "$DB" --json - <"$T/all.mbox" >"$T/out" 2>"$T/err"; RC=$?
set -e
OUT=$(cat "$T/out"); ERR=$(cat "$T/err")
expect_rc "mbox on stdin" 0
expect_eq "mbox on stdin: messages" "$(json messages_scanned)" "$nfiles"
expect_eq "mbox on stdin: duplicates" "$(json reports_duplicate)" "$reps"
set +e
"$DMARC_INGEST" --db "$DB" --json - <"$(ls "$T/eml"/*.eml | head -1)" >"$T/out" 2>"$T/err"; RC=$?
set -e
OUT=$(cat "$T/out"); ERR=$(cat "$T/err")
expect_rc "message on stdin" 0
expect_eq "message on stdin: scanned" "$(json messages_scanned)" 1

# messages that hold no aggregate report
fresh_db
mkdir -p "$T/other"
cat >"$T/other/plain.eml" <<'MAIL'
From: someone@example.org
To: dmarc@example.com
Subject: hello
Date: Mon, 01 Jan 2024 00:00:00 +0000
Message-ID: <plain@example.org>

Just a note, no report here.
MAIL
{
	printf 'From: tlsrpt@mail.example.org\nTo: tls@example.com\nSubject: Report Domain: example.com Submitter: example.org Report-ID: <tls1>\n'
	printf 'TLS-Report-Domain: example.com\nTLS-Report-Submitter: example.org\nMessage-ID: <tls1@example.org>\nMIME-Version: 1.0\n'
	printf 'Content-Type: multipart/report; report-type=tlsrpt; boundary="b"\n\n--b\nContent-Type: text/plain\n\nTLS report\n--b\n'
	printf 'Content-Type: application/tlsrpt+gzip\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; filename="example.org!example.com!1700000000!1700086399.json.gz"\n\n'
	printf '{"organization-name":"example.org","policies":[]}' | gzip -n | base64
	printf '\n--b--\n'
} >"$T/other/tlsrpt.eml"
cat >"$T/other/ruf.eml" <<'MAIL'
From: ruf@example.org
To: dmarc-ruf@example.com
Subject: DMARC failure report
Message-ID: <ruf1@example.org>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="r"

--r
Content-Type: text/plain

A message claiming to be from you failed DMARC.
--r
Content-Type: message/feedback-report

Feedback-Type: auth-failure
User-Agent: test/1.0
Version: 1
Auth-Failure: dmarc
Source-IP: 198.51.100.7

--r
Content-Type: text/rfc822-headers

From: ceo@example.com
Subject: urgent wire transfer
--r--
MAIL
ingest --json "$T/other"
expect_rc "no aggregate report is no failure" 0
expect_eq "messages scanned" "$(json messages_scanned)" 3
expect_eq "without report" "$(json messages_without_report)" 1
expect_eq "other reports (TLS, failure report)" "$(json other_reports)" 2
expect_eq "nothing failed" "$(json failed)" 0
ingest "$T/other"
expect_match "summary mentions mail" "$OUT" "3 mail messages \(1 without report, 2 other reports\)"

# a header block over 1 MiB is refused (GMime would need ten times that)
fresh_db
{ printf 'From: a@example.org\nSubject: headers\nMessage-ID: <hb@example.org>\n'
  for i in $(seq 20000); do printf 'X-Junk-%d: %s\n' "$i" 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'; done
  printf '\nbody\n'; } >"$T/headers.eml"
ingest --json "$T/headers.eml" "$T/files"
expect_rc "huge header block" 1
expect_match "huge header block reason" "$ERR" "headers.eml: header block larger than 1 MiB"
expect_eq "the other inputs stored" "$(json reports_new)" "$reps"

# a bad attachment is a failure with the message's provenance; a message
# over the message-bytes limit fails alone and the next one is read
fresh_db
good=$(ls "$T/eml"/*.eml | head -1)
sed '/^Content-Transfer-Encoding: base64/,/^--=_dmarc/{/^[A-Za-z0-9+\/=]*$/{/^$/!s/.*/SGVsbG8gd29ybGQ=/}}' "$good" >"$T/bad.eml"
ingest --json "$T/bad.eml"
expect_rc "bad attachment" 1
expect_eq "bad attachment failed" "$(json failed)" 1
expect_match "failure has the Message-ID" "$(q 'SELECT message_id FROM ingest_failure')" '\.report@'
expect_match "failure names message and part" "$(q 'SELECT input_name FROM ingest_failure')" "^$T/bad.eml:.*!example.com!"
fresh_db
# the limit sits in the widest gap between message sizes, so that how a
# size is counted (From_ line, last newline) cannot matter
sizes=$(awk '/^From /{ if (NR > 1) print size; size = 0 } { size += length($0) + 1 } END { print size }' "$T/all.mbox" | sort -n)
read -r big n_over < <(printf '%s\n' "$sizes" | awk '{ s[NR] = $1 } END {
	best = 0; for (i = 1; i < NR; i++) if (s[i + 1] - s[i] > best) { best = s[i + 1] - s[i]; at = i }
	print int((s[at] + s[at + 1]) / 2), NR - at }')
ingest --json --limit message-bytes=$big "$T/all.mbox"
expect_rc "oversized messages" 1
expect_eq "oversized messages failed" "$(json failed)" "$n_over"
expect_eq "the others stored" "$(( $(json reports_new) + n_over ))" "$reps"
expect_match "limit named" "$ERR" "limit message-bytes exceeded"
expect_eq "failures keep the mbox offset" "$(q 'SELECT count(*) FROM ingest_failure WHERE mbox_offset IS NOT NULL AND message_id IS NOT NULL')" "$n_over"
# and the retry, with the limit back to its default, stores them
ingest --json --retry-failed
expect_rc "retry of oversized messages" 0
expect_match "all resolved" "$OUT" "\"resolved\": $n_over, \"still_failing\": 0"
expect_eq "all reports now" "$(q 'SELECT count(*) FROM report')" "$reps"

# an mboxo export: body lines starting with "From " are not quoted; a
# "From now on" line after a blank line and a quoted postmark line (text
# after it, not headers) stay in their message, whose report is stored
fresh_db
sed 's/^>From the postmaster: do not reply\.$/From the postmaster: do not reply.\n\nFrom now on, reports come from a new address.\n\nFrom MAILER-DAEMON Fri Jul  8 12:08:34 2011\nwas the first line of the bounce you sent./' \
    "$T/all.mbox" >"$T/mboxo.mbox"
expect_eq "mboxo fixture: unquoted From lines" "$(grep -c '^From now on' "$T/mboxo.mbox")" "$nfiles"
ingest --json "$T/mboxo.mbox"
expect_rc "mboxo" 0
expect_eq "mboxo messages" "$(json messages_scanned)" "$nfiles"
expect_eq "mboxo reports" "$(json reports_new)" "$reps"
expect_eq "mboxo records" "$(json records_new)" "$recs"
expect_eq "mboxo without report" "$(json messages_without_report)" 0
got=$(q "SELECT DISTINCT mbox_offset FROM report ORDER BY mbox_offset" | tr '\n' ' ')
expect_eq "mboxo offsets are the postmark lines" "$got" \
    "$(grep -b '^From noreply-dmarc-support@' "$T/mboxo.mbox" | cut -d: -f1 | tr '\n' ' ')"

# reports inside a TNEF winmail.dat (Outlook, Exchange) are stored
fresh_db
mkdir -p "$T/tnef"
"$DMARC_GEN" --wrap tnef "$T/tnef" "$T/files"/*
ingest --json "$T/tnef"
expect_rc "tnef" 0
expect_eq "tnef reports" "$(json reports_new)" "$reps"
expect_eq "tnef records" "$(json records_new)" "$recs"
expect_match "tnef input name: the title inside winmail.dat" \
    "$(q "SELECT input_name FROM report LIMIT 1")" "^$T/tnef/.*\.eml:.*!example.com!.*\.(xml|xml\.gz|zip)$"

# a signed message is read; a mail that announces a report but holds none,
# and an encrypted one, fail with their bytes kept, and stay failed on retry
fresh_db
mkdir -p "$T/announce"
cp "$DM_TEST_DATA/mail/signed.eml" "$DM_TEST_DATA/mail/subject_only.eml" \
    "$DM_TEST_DATA/mail/smime_encrypted.eml" "$T/announce/"
ingest --json "$T/announce"
expect_rc "report mails without a report" 1
expect_eq "signed: stored" "$(json reports_new)" 1
expect_eq "announced or encrypted: failed" "$(json failed)" 2
expect_eq "not counted as without report" "$(json messages_without_report)" 0
expect_match "reason: Subject" "$ERR" "subject_only.eml: no report file in a mail whose Subject announces one"
expect_match "reason: S/MIME" "$ERR" "smime_encrypted.eml: encrypted S/MIME message: cannot read the report without the key"
expect_eq "bytes kept" "$(q "SELECT count(*) FROM ingest_failure WHERE payload IS NOT NULL")" 2
expect_eq "sizes kept" "$(q "SELECT group_concat(payload_size) FROM (SELECT payload_size FROM ingest_failure ORDER BY input_name)")" \
    "$(wc -c <"$T/announce/smime_encrypted.eml"),$(wc -c <"$T/announce/subject_only.eml")"
ingest --json --retry-failed
expect_rc "retry: still failing" 1
expect_match "retry: both still failing" "$OUT" "\"resolved\": 0, \"still_failing\": 2"

# the same in an mbox: the failure keeps the message's offset and bytes
fresh_db
{ printf 'From noreply@receiver.example Wed Nov 15 00:00:00 2023\n'
  cat "$DM_TEST_DATA/mail/subject_only.eml"; printf '\n'
  cat "$T/all.mbox"; } >"$T/announce.mbox"
ingest --json "$T/announce.mbox"
expect_rc "mbox with an announcing mail" 1
expect_eq "mbox: the reports stored" "$(json reports_new)" "$reps"
expect_eq "mbox: one failed" "$(json failed)" 1
expect_eq "mbox: failure at offset 0, with its bytes" \
    "$(q "SELECT mbox_offset, payload_size FROM ingest_failure")" \
    "0|$(( $(wc -c <"$DM_TEST_DATA/mail/subject_only.eml") + 56 ))"

# an mbox written without blank lines between messages: a postmark and
# headers right after a body line are not split (the rule), but the joined
# message fails, bytes kept, instead of hiding the messages it swallowed
fresh_db
awk '/^$/ { held++; next }
     /^From noreply-dmarc-support@/ && held { held = 0 }
     { while (held > 0) { print ""; held-- } print }
     END { while (held > 0) { print ""; held-- } }' "$T/all.mbox" >"$T/joined.mbox"
expect_eq "joined fixture: no blank line before a postmark" \
    "$(grep -B1 '^From noreply-dmarc-support@' "$T/joined.mbox" | grep -c '^$')" 0
first=$(grep -m1 '^ filename=' "$T/joined.mbox" | sed 's/.*filename="\(.*\)"/\1/')
first_reps=$(awk -F'\t' -v f="$first" '$1 == f { print $2 }' "$T/m.tsv")
ingest --json "$T/joined.mbox"
expect_rc "joined mbox" 1
expect_eq "joined mbox: one message" "$(json messages_scanned)" 1
expect_eq "joined mbox: the first message's reports" "$(json reports_new)" "$first_reps"
expect_eq "joined mbox: failed" "$(json failed)" 1
expect_match "joined mbox: reason" "$ERR" "joined.mbox@0: the line at byte [0-9]+ starts like a message .* without a blank line before it: not split there"
expect_eq "joined mbox: all its bytes kept" "$(q "SELECT payload_size, payload IS NOT NULL FROM ingest_failure")" \
    "$(wc -c <"$T/joined.mbox")|1"

done_tests
