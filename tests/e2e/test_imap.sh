#!/bin/bash
# SPDX-License-Identifier: MIT
# An IMAP mailbox end to end, against a private Dovecot (Debian's
# dovecot-imapd, installed by scripts/deps.sh) that the test starts: its
# own dovecot.conf, base_dir and Maildirs under $T, 127.0.0.1 on free ports,
# passwd-file users with plain passwords, stopped by PID.  Each message is
# read exactly once: a first run stores every report, a second downloads
# nothing, new mail is read alone; reading changes nothing in the mailbox
# (no \Seen); --imap-move and --imap-failed empty the inbox into the
# folders; a rebuilt mailbox (new UIDVALIDITY) is read again; a wrong password, a password in the URL, a mailbox that does not
# exist, a server that cannot be reached: exit 2, one line, nothing
# stored; the server killed in the middle of a run (held there by
# DMARC_IMAP_TEST_HOLD, see ingest/imap_ingest.h), then a run that
# completes with exact counts; a server that stops answering
# (--imap-timeout); imaps:// and STARTTLS with --imap-ca.
# Skipped (77) only when Dovecot is not installed.
. "$(dirname "$0")/lib.sh"
set -e

DOVECOT=$(command -v dovecot || echo /usr/sbin/dovecot)
if [ ! -x "$DOVECOT" ] || ! id dovenull >/dev/null 2>&1; then
	echo "SKIP: dovecot-imapd is not installed (scripts/deps.sh installs it)"
	exit 77
fi
DOVEADM=$(command -v doveadm || echo /usr/bin/doveadm)

# the mail processes may not run as root: nobody then, else ourselves
if [ "$(id -u)" -eq 0 ]; then
	MAILUSER=nobody MAILGROUP=$(id -gn nobody)
	INTERNAL="default_internal_user = dovecot
default_login_user = dovenull"
else
	MAILUSER=$(id -un) MAILGROUP=$(id -gn)
	INTERNAL="default_internal_user = $MAILUSER
default_login_user = $MAILUSER
default_internal_group = $MAILGROUP"
fi
chmod 755 "$T"
DV="$T/dovecot"
mkdir -p "$DV/base" "$DV/state" "$T/mail"
chown "$MAILUSER:$MAILGROUP" "$T/mail"

read -r PORT PORT_TLS DEAD_PORT <<<"$("$FREE_PORT" 3 | tr "\n" " ")"
cat >"$DV/passwd" <<EOF
rua:{PLAIN}secret
kill:{PLAIN}secret
big:{PLAIN}secret
tls:{PLAIN}secret
EOF

# write_conf SSL: dovecot.conf, with TLS (yes) or without (no)
write_conf() {
	cat >"$DV/dovecot.conf" <<EOF
protocols = imap
listen = 127.0.0.1
base_dir = $DV/base
state_dir = $DV/state
log_path = $DV/dovecot.log
$INTERNAL
mail_location = maildir:$T/mail/%u
mail_uid = $MAILUSER
mail_gid = $MAILGROUP
first_valid_uid = 1
disable_plaintext_auth = no
auth_mechanisms = plain login
# no delay after a failed login: the test fails some on purpose
auth_failure_delay = 0
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $DV/passwd
}
userdb {
  driver = static
  args = uid=$MAILUSER gid=$MAILGROUP home=$T/mail/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = $PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $PORT_TLS
    ssl = yes
  }
}
service anvil {
  chroot =
}
EOF
	if [ "$1" = yes ]; then
		printf 'ssl = yes\nssl_cert = <%s\nssl_key = <%s\n' "$T/cert.pem" \
		    "$T/key.pem" >>"$DV/dovecot.conf"
	else
		# no TLS at all: the imaps listener is left out
		sed -i '/inet_listener imaps {/,/^  }/d' "$DV/dovecot.conf"
		echo 'ssl = no' >>"$DV/dovecot.conf"
	fi
}

# listening PORT: 0 when something accepts on 127.0.0.1:PORT
listening() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# dovecot_start: in the foreground (-F) as our child, so that it is
# stopped and reaped by its PID
DVPID=
dovecot_start() {
	"$DOVECOT" -F -c "$DV/dovecot.conf" &
	DVPID=$!
	for _ in $(seq 100); do
		listening "$PORT" && return 0
		sleep 0.1
	done
	echo "dovecot did not start:" >&2
	cat "$DV/dovecot.log" >&2
	exit 1
}

# dovecot_stop: SIGTERM to the master and to each of its processes, by
# their PIDs (a session process outlives the master otherwise); waits
# until the master is gone
dovecot_stop() {
	local kids
	[ -n "$DVPID" ] || return 0
	kids=$(cat "/proc/$DVPID/task/$DVPID/children" 2>/dev/null || true)
	kill "$DVPID" 2>/dev/null || true
	wait "$DVPID" 2>/dev/null || true
	# shellcheck disable=SC2086
	[ -z "$kids" ] || kill $kids 2>/dev/null || true
	DVPID=
}
trap 'dovecot_stop; rm -rf "$T"' EXIT

# add_mail USER FILE...: delivers each file to USER's INBOX (mail_location
# is maildir:$T/mail/%u: new/ of the user's directory)
SEQ=0
add_mail() {
	local user=$1 f
	shift
	mkdir -p "$T/mail/$user/new" "$T/mail/$user/cur" "$T/mail/$user/tmp"
	for f in "$@"; do
		SEQ=$((SEQ + 1))
		cp "$f" "$T/mail/$user/new/$((1700000000 + SEQ)).M${SEQ}P1.test"
	done
	chown -R "$MAILUSER:$MAILGROUP" "$T/mail/$user"
}

# count USER MAILBOX: messages in it
count() {
	"$DOVEADM" -c "$DV/dovecot.conf" search -u "$1" mailbox "$2" all 2>/dev/null | wc -l
}
# seen USER MAILBOX: messages with \Seen in it
seen() {
	"$DOVEADM" -c "$DV/dovecot.conf" fetch -u "$1" flags mailbox "$2" all 2>/dev/null |
	    grep -c 'Seen' || true
}
# flags USER MAILBOX: every message's flags, one line; \Recent aside (a
# flag of the session, not of the message: the first to open the mailbox
# takes it, and IMAP4rev2 dropped it)
flags() {
	"$DOVEADM" -c "$DV/dovecot.conf" fetch -u "$1" "uid flags" mailbox "$2" all 2>/dev/null |
	    sed 's/ *\\Recent//; s/ *$//' | tr '\n' ' '
}

totals() {
	awk -F'\t' '{ r += $2; c += $3; m += $4 } END { print r, c, m }' "$1"
}

export DMARC_IMAP_PASSWORD=secret
unset DMARC_IMAP_BEARER
URL="imap://rua@127.0.0.1:$PORT/INBOX"

# the reports: 8 in 8 messages, then 3 more in 3 later; a message without
# report; a message whose attachment is damaged
"$DMARC_GEN" --out "$T/files" --reports 8 --records 5 --seed 41 --format mixed \
    --manifest "$T/m.tsv" 2>/dev/null
"$DMARC_GEN" --out "$T/later" --reports 3 --records 4 --seed 42 --format gz \
    --manifest "$T/later.tsv" 2>/dev/null
read -r reps recs msgs < <(totals "$T/m.tsv")
read -r reps2 recs2 _ < <(totals "$T/later.tsv")
mkdir -p "$T/eml" "$T/eml2"
"$DMARC_GEN" --wrap eml "$T/eml" "$T/files"/*
"$DMARC_GEN" --wrap eml "$T/eml2" "$T/later"/*
n1=$(ls "$T/eml" | wc -l)
printf 'From: someone@example.net\r\nTo: dmarc@example.com\r\nSubject: a question\r\nMessage-ID: <q1@example.net>\r\nDate: Mon, 2 Jun 2025 10:00:00 +0000\r\n\r\nIs this the DMARC mailbox?\r\n' >"$T/plain.eml"
good=$(ls "$T/eml2"/*.eml | head -1)
sed '/^Content-Transfer-Encoding: base64/,/^--=_dmarc/{/^[A-Za-z0-9+\/=]*$/{/^$/!s/.*/SGVsbG8gd29ybGQ=/}}' \
    "$good" >"$T/bad.eml"

write_conf no
dovecot_start
add_mail rua "$T/eml"/*.eml "$T/plain.eml"

# --- a first run stores every report, and changes nothing in the mailbox
before=$(flags rua INBOX)
ingest --json "$URL"
expect_rc "first run" 0
expect_eq "first run: reports" "$(json reports_new)" "$reps"
expect_eq "first run: records" "$(json records_new)" "$recs"
expect_eq "first run: messages" "$(json messages_new)" "$msgs"
expect_eq "first run: fetched" "$(json imap_fetched)" $((n1 + 1))
expect_eq "first run: moved" "$(json imap_moved)" 0
expect_eq "first run: without report" "$(json messages_without_report)" 1
expect_eq "first run: seen rows" "$(q "SELECT outcome, count(*) FROM imap_seen GROUP BY 1 ORDER BY 1" | tr '\n' ' ')" \
    "no-report|1 stored|$n1 "
expect_eq "first run: the key" "$(q "SELECT DISTINCT server || ' ' || user || ' ' || mailbox FROM imap_seen")" \
    "127.0.0.1:$PORT rua INBOX"
expect_eq "reading sets no \\Seen" "$(seen rua INBOX)" 0
expect_eq "flags unchanged" "$(flags rua INBOX)" "$before"
expect_eq "all still in the inbox" "$(count rua INBOX)" $((n1 + 1))
expect_eq "provenance: the URL without user, and the UID" \
    "$(q "SELECT count(*) FROM report WHERE mbox_path = 'imap://127.0.0.1:$PORT/INBOX' AND input_name LIKE 'imap://127.0.0.1:$PORT/INBOX;UID=' || mbox_offset || ':%'")" "$reps"
expect_eq "provenance: the UIDs are the seen ones" \
    "$(q "SELECT count(*) FROM report r WHERE NOT EXISTS (SELECT 1 FROM imap_seen s WHERE s.uid = r.mbox_offset AND s.outcome = 'stored')")" 0
expect_match "provenance: Message-ID" "$(q "SELECT message_id FROM report LIMIT 1")" '\.report@'

# --- a second run downloads nothing
ingest --json "$URL"
expect_rc "second run" 0
expect_eq "second run: fetched" "$(json imap_fetched)" 0
expect_eq "second run: nothing new or duplicate" "$(json reports_new)/$(json reports_duplicate)" "0/0"
ingest "$URL"
expect_match "text summary" "$OUT" "; 0 messages fetched by IMAP$"

# --- new mail is read alone, the damaged message fails alone
add_mail rua "$T/eml2"/*.eml "$T/bad.eml"
n2=$(ls "$T/eml2" | wc -l)
before=$(flags rua INBOX)
ingest --json "$URL"
expect_rc "new mail (one damaged)" 1
expect_eq "new mail: fetched" "$(json imap_fetched)" $((n2 + 1))
expect_eq "new mail: reports" "$(json reports_new)/$(json reports_duplicate)" "$reps2/0"
expect_eq "new mail: records" "$(json records_new)" "$recs2"
expect_eq "new mail: the damaged one failed" "$(json failed)" 1
expect_match "the failure names the URL and UID" "$(q 'SELECT input_name FROM ingest_failure')" \
    "^imap://127.0.0.1:$PORT/INBOX;UID=[0-9]+:.*!example.com!"
expect_eq "the failure's UID is the failed one" \
    "$(q "SELECT count(*) FROM ingest_failure f JOIN imap_seen s ON s.uid = f.mbox_offset AND s.outcome = 'failed'")" 1
expect_eq "the failure keeps its bytes" "$(q 'SELECT payload IS NOT NULL FROM ingest_failure')" 1
expect_eq "totals in the database" "$(q 'SELECT count(*), sum(record_count) FROM report')" "$((reps + reps2))|$((recs + recs2))"
expect_eq "without --imap-move: flags unchanged" "$(flags rua INBOX)" "$before"
expect_eq "without --imap-move: no \\Seen" "$(seen rua INBOX)" 0
ingest --json "$URL"
expect_rc "a failed message is not read again" 0
expect_eq "failed message: not fetched again" "$(json imap_fetched)/$(json failed_before)" "0/0"

# --- --imap-move: the inbox empties into the archive, the failed message
# into its folder (both created: they did not exist)
total=$((n1 + 1 + n2 + 1))
ingest --json --imap-move Archive --imap-failed "DMARC failed" "$URL"
expect_rc "move" 0
expect_eq "move: nothing fetched" "$(json imap_fetched)" 0
expect_eq "move: all moved" "$(json imap_moved)" "$total"
expect_eq "move: inbox empty" "$(count rua INBOX)" 0
expect_eq "move: archive full" "$(count rua Archive)" $((total - 1))
expect_eq "move: the failed one in its folder" "$(count rua "DMARC failed")" 1
expect_eq "move: what is in the archive is the stored" \
    "$(ls "$T/mail/rua/.Archive/cur" "$T/mail/rua/.Archive/new" 2>/dev/null | grep -c '^17')" $((total - 1))
ingest --json --imap-move Archive "$URL"
expect_rc "move again: an empty inbox" 0
expect_eq "move again: nothing" "$(json imap_fetched)/$(json imap_moved)" "0/0"

# without --imap-failed, a failed message stays
add_mail rua "$T/bad.eml"
cp "$T/plain.eml" "$T/plain2.eml"
sed -i 's/q1@/q2@/' "$T/plain2.eml"
add_mail rua "$T/plain2.eml"
ingest --json --imap-move Archive "$URL"
expect_rc "failed again stays (failed before)" 0
expect_eq "failed again: fetched 2, moved 1" "$(json imap_fetched)/$(json imap_moved)/$(json failed_before)" "2/1/1"
expect_eq "failed again: left in the inbox" "$(count rua INBOX)" 1

# a message over message-bytes: downloaded no further than the limit,
# failed with the limit named, counted as read
fresh_db
add_mail big "$T/eml"/*.eml
ingest --json --limit message-bytes=1K "imap://big@127.0.0.1:$PORT/INBOX"
expect_rc "messages over message-bytes" 1
expect_eq "over message-bytes: fetched, failed" "$(json imap_fetched)/$(json failed)/$(json reports_new)" "$n1/$n1/0"
expect_match "over message-bytes: the limit named" "$ERR" "limit message-bytes exceeded"
expect_eq "over message-bytes: marked failed" "$(q "SELECT count(*) FROM imap_seen WHERE outcome = 'failed'")" "$n1"
# a cut download drops the connection: libcurl connects again and SELECTs
# (read-write), where its fetch sets \Seen, which is undone at once
expect_eq "over message-bytes: no \\Seen after reconnecting" "$(seen big INBOX)" 0

# --- refusals: exit 2, one line, nothing stored
fresh_db
DMARC_IMAP_PASSWORD=wrong ingest --json "$URL"
expect_rc "wrong password" 2
expect_eq "wrong password: one line" "$(printf '%s\n' "$ERR" | wc -l)" 1
expect_match "wrong password: says so" "$ERR" "^dmarc-ingest: imap://127.0.0.1:$PORT/INBOX: cannot log in as rua: refused"
expect_eq "wrong password: nothing stored" "$(q 'SELECT (SELECT count(*) FROM report) + (SELECT count(*) FROM imap_seen)')" 0
expect_eq "wrong password: no JSON" "$OUT" ""

fresh_db
ingest "imap://rua:secret@127.0.0.1:$PORT/INBOX"
expect_rc "password in the URL" 2
expect_match "password in the URL: says why" "$ERR" "a password in the IMAP URL is refused"
expect_eq "password in the URL: no database made" "$(test -e "$DB" && echo made || echo none)" none

ingest "imap://127.0.0.1:$PORT/INBOX"
expect_rc "no user in the URL" 2
ingest --imap-move Archive "$T/eml"
expect_rc "--imap-move without a mailbox" 2

fresh_db
ingest "imap://rua@127.0.0.1:$PORT/NoSuchBox"
expect_rc "no such mailbox" 2
expect_eq "no such mailbox: one line" "$(printf '%s\n' "$ERR" | wc -l)" 1
expect_match "no such mailbox: says so" "$ERR" "cannot open mailbox 'NoSuchBox': .*(exist|not found)"
expect_eq "no such mailbox: nothing stored" "$(q 'SELECT count(*) FROM imap_seen')" 0

ingest "imap://rua@127.0.0.1:$DEAD_PORT/INBOX"
expect_rc "unreachable server" 2
expect_match "unreachable server: says so" "$ERR" "^dmarc-ingest: imap://127.0.0.1:$DEAD_PORT/INBOX: cannot connect"

ingest --imap-starttls "$URL"
expect_rc "--imap-starttls on a server without TLS" 2
expect_match "--imap-starttls: says so" "$ERR" "does not offer STARTTLS"

DMARC_IMAP_PASSWORD= DMARC_IMAP_BEARER=not-a-token ingest "$URL"
expect_rc "an OAuth2 token the server does not take" 2
expect_eq "OAuth2 refused: one line" "$(printf '%s\n' "$ERR" | wc -l)" 1

# the password from ~/.netrc (libcurl reads it)
fresh_db
mkdir -p "$T/home"
printf 'machine 127.0.0.1 login rua password secret\n' >"$T/home/.netrc"
chmod 600 "$T/home/.netrc"
add_mail rua "$T/eml"/*.eml
HOME="$T/home" DMARC_IMAP_PASSWORD= ingest --json "$URL"
expect_rc "password from ~/.netrc (the damaged message fails)" 1
expect_eq "~/.netrc: fetched" "$(json imap_fetched)/$(json reports_new)/$(json failed)" "$((n1 + 1))/$reps/1"

# progress on a terminal
fresh_db
if script -qec "true" /dev/null >/dev/null 2>&1; then
	script -qec "\"$DMARC_INGEST\" --db \"$DB\" \"$URL\"" "$T/tty" >/dev/null 2>&1 || true
	expect_match "progress on a terminal" "$(tr '\r' '\n' <"$T/tty")" "fetching 1 of $((n1 + 1)) \\(imap://127.0.0.1:$PORT/INBOX\\)"
fi

# --- the server killed in the middle of a run, then a run that completes
fresh_db
add_mail kill "$T/eml"/*.eml "$T/eml2"/*.eml
nk=$((n1 + n2))
KURL="imap://kill@127.0.0.1:$PORT/INBOX"
set +e
DMARC_IMAP_TEST_HOLD="5:$T/hold" "$DMARC_INGEST" --db "$DB" --json "$KURL" >"$T/out" 2>"$T/err" &
ipid=$!
set -e
for _ in $(seq 300); do
	[ -e "$T/hold" ] && break
	sleep 0.1
done
expect_eq "held after 5 messages" "$(test -e "$T/hold" && echo held)" held
dovecot_stop
rm -f "$T/hold"
set +e
wait "$ipid"
RC=$?
set -e
ERR=$(cat "$T/err")
expect_rc "server killed" 2
expect_eq "server killed: one line" "$(wc -l <"$T/err")" 1
expect_match "server killed: what happened" "$ERR" "stopped after 5 messages \\(what was read is kept; run again for the rest\\)"
expect_eq "server killed: 5 messages kept" "$(q 'SELECT count(*) FROM imap_seen')" 5
first=$(q 'SELECT count(*) FROM report')
expect_eq "server killed: their reports whole" "$(q "SELECT count(*) FROM report WHERE mbox_offset IN (SELECT uid FROM imap_seen)")" "$first"
expect_eq "server killed: no report half-stored" "$(q 'SELECT count(*) FROM report r WHERE record_count <> (SELECT count(*) FROM record c WHERE c.report = r.id)')" 0
dovecot_start
ingest --json "$KURL"
expect_rc "rerun" 0
expect_eq "rerun: the rest fetched" "$(json imap_fetched)" $((nk - 5))
expect_eq "rerun: nothing twice" "$(json reports_duplicate)" 0
expect_eq "rerun: every report once" "$(q 'SELECT count(*), sum(record_count) FROM report')" "$((reps + reps2))|$((recs + recs2))"
expect_eq "rerun: every message once" "$(q "SELECT count(*), count(DISTINCT uid) FROM imap_seen WHERE user = 'kill'")" "$nk|$nk"

# --- the mailbox rebuilt (its UID list and indexes gone, as after a
# restore): a new UIDVALIDITY, so every message is read again, and each
# report is a duplicate
dovecot_stop
rm -f "$T/mail/kill/dovecot-uidlist" "$T/mail/kill"/dovecot.index*
dovecot_start
ingest --json "$KURL"
expect_rc "rebuilt mailbox" 0
expect_eq "rebuilt: read again, all duplicates" \
    "$(json imap_fetched)/$(json reports_new)/$(json reports_duplicate)" "$nk/0/$((reps + reps2))"
expect_eq "rebuilt: two UIDVALIDITYs" "$(q "SELECT count(DISTINCT uidvalidity), count(*) FROM imap_seen WHERE user = 'kill'")" "2|$((2 * nk))"
ingest --json "$KURL"
expect_eq "rebuilt: then nothing" "$(json imap_fetched)" 0

# --- a server that stops answering in the middle (its session process
# stopped with SIGSTOP): --imap-timeout ends the run, what was read stays
fresh_db
set +e
DMARC_IMAP_TEST_HOLD="2:$T/hold" "$DMARC_INGEST" --db "$DB" --json --imap-timeout 2 "$KURL" >"$T/out" 2>"$T/err" &
ipid=$!
set -e
for _ in $(seq 300); do
	[ -e "$T/hold" ] && break
	sleep 0.1
done
stopped=""
for k in $(cat /proc/"$DVPID"/task/*/children); do
	[ "$(cat "/proc/$k/comm" 2>/dev/null)" = imap ] && stopped="$stopped $k"
done
expect_match "one session process to stop" "$stopped" '^ [0-9]+$'
# shellcheck disable=SC2086
kill -STOP $stopped
t0=$(date +%s)
rm -f "$T/hold"
set +e
wait "$ipid"
RC=$?
set -e
t1=$(date +%s)
# shellcheck disable=SC2086
kill -CONT $stopped
ERR=$(cat "$T/err")
expect_rc "server silent" 2
expect_match "server silent: timed out" "$ERR" "cannot fetch message UID [0-9]+: timed out \\(2 s\\).*stopped after 2 messages"
expect_eq "server silent: given up within 10 s" "$((t1 - t0 <= 10))" 1
expect_eq "server silent: 2 messages kept" "$(q 'SELECT count(*) FROM imap_seen')" 2

# --- TLS: imaps:// and STARTTLS against a certificate the test makes
dovecot_stop
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1" -keyout "$T/key.pem" \
    -out "$T/cert.pem" 2>/dev/null
chmod 644 "$T/key.pem"
write_conf yes
dovecot_start
for _ in $(seq 50); do listening "$PORT_TLS" && break; sleep 0.1; done
add_mail tls "$T/eml2"/*.eml
fresh_db
ingest --json "imaps://tls@127.0.0.1:$PORT_TLS/INBOX"
expect_rc "imaps:// without the CA" 2
expect_match "imaps:// without the CA: a TLS failure" "$ERR" "TLS failure"
expect_eq "imaps:// without the CA: nothing stored" "$(q 'SELECT count(*) FROM report')" 0
ingest --json --imap-ca "$T/cert.pem" "imaps://tls@127.0.0.1:$PORT_TLS/INBOX"
expect_rc "imaps:// with --imap-ca" 0
expect_eq "imaps://: fetched, stored" "$(json imap_fetched)/$(json reports_new)" "$n2/$reps2"
expect_eq "imaps://: the server key" "$(q "SELECT DISTINCT server FROM imap_seen")" "127.0.0.1:$PORT_TLS"
ingest --json --imap-starttls --imap-ca "$T/cert.pem" "imap://tls@127.0.0.1:$PORT/INBOX"
expect_rc "STARTTLS with --imap-ca" 0
expect_eq "STARTTLS: another server key, so read again: duplicates" \
    "$(json imap_fetched)/$(json reports_new)/$(json reports_duplicate)" "$n2/0/$reps2"
ingest --imap-starttls "imap://tls@127.0.0.1:$PORT/INBOX"
expect_rc "STARTTLS without the CA" 2

done_tests
