#!/bin/bash
# SPDX-License-Identifier: MIT
# Crash safety: dmarc-ingest is killed with SIGKILL at random moments of a
# large ingest (report files, and an mbox on standard input).  After every
# kill the database passes integrity_check and is consistent (no orphan
# rows, per-report totals, source_day and source_auth equal the stored
# records); after every few kills the ingest runs again to completion and
# the database holds
# exactly the generated reports, records and messages.  No spooled copy of
# standard input is left behind.  A kill before the schema is committed
# leaves none of it.  At least KILLS kills hit a running process.
# DM_CRASH_SEED=N repeats a run's delays (the seed is printed).
. "$(dirname "$0")/lib.sh"
set -e

KILLS=20		# kills that hit a running dmarc-ingest
PER_GROUP=5		# kills on one database before it is completed and checked
MAX_TRIES=80		# attempts, to stay bounded if runs end before the kill
SEED=${DM_CRASH_SEED:-$(( $(date +%s) % 32768 ))}
RANDOM=$SEED
echo "seed $SEED (DM_CRASH_SEED=$SEED repeats the delays)"

"$DMARC_GEN" --out "$T/r" --reports 600 --records 20 --seed 13 \
    --start 2023-01-01 --format mixed --manifest "$T/m.tsv" 2>/dev/null
ls "$T/r" | sort | head -100 | sed "s|^|$T/r/|" |
    "$DMARC_GEN" --wrap mbox "$T/in.mbox" - >/dev/null 2>&1
want=$(awk -F'\t' '{ a += $2; b += $3; c += $4 } END { print a "|" b "|" c }' "$T/m.tsv")
mkdir "$T/tmp"

# run_ingest: the whole ingest in the background; sets PID
run_ingest() {
	TMPDIR="$T/tmp" "$DMARC_INGEST" --db "$DB" --json "$T/r" - \
	    <"$T/in.mbox" >"$T/out" 2>"$T/err" &
	PID=$!
}

# consistent WHAT: what must hold after any kill
consistent() {
	expect_eq "$1: integrity" "$(q 'PRAGMA integrity_check')" ok
	expect_eq "$1: no spooled stdin left" "$(ls "$T/tmp")" ""
	if [ "$(q 'PRAGMA user_version')" = 0 ]; then
		# killed before the schema was committed: none of it is there
		expect_eq "$1: no half schema" "$(q 'SELECT count(*) FROM sqlite_master')" 0
		return
	fi
	expect_eq "$1: foreign keys" "$(q 'PRAGMA foreign_key_check')" ""
	expect_eq "$1: orphans" "$(q 'SELECT
	    (SELECT count(*) FROM record WHERE report NOT IN (SELECT id FROM report)) +
	    (SELECT count(*) FROM record_dkim WHERE record NOT IN (SELECT id FROM record)) +
	    (SELECT count(*) FROM record_spf WHERE record NOT IN (SELECT id FROM record)) +
	    (SELECT count(*) FROM record_reason WHERE record NOT IN (SELECT id FROM record)) +
	    (SELECT count(*) FROM report_error WHERE report NOT IN (SELECT id FROM report))')" 0
	expect_eq "$1: report totals = records" \
	    "$(q 'SELECT ifnull(sum(record_count), 0) || "|" || ifnull(sum(message_count), 0) FROM report')" \
	    "$(q 'SELECT count(*) || "|" || ifnull(sum(count), 0) FROM record')"
	expect_eq "$1: each report's records" "$(q 'SELECT count(*) FROM report r WHERE
	    record_count != (SELECT count(*) FROM record WHERE report = r.id)')" 0
	expect_eq "$1: source_day = records" \
	    "$(q 'SELECT ifnull(sum(records), 0) || "|" || ifnull(sum(messages), 0) FROM source_day')" \
	    "$(q 'SELECT count(*) || "|" || ifnull(sum(count), 0) FROM record')"
	expect_eq "$1: source_auth = records" \
	    "$(q 'SELECT ifnull(sum(records), 0) || "|" || ifnull(sum(messages), 0) FROM source_auth')" \
	    "$(q 'SELECT count(*) || "|" || ifnull(sum(count), 0) FROM record')"
}

exact() {
	consistent "$1"
	expect_eq "$1: reports|records|messages" \
	    "$(q 'SELECT count(*) || "|" || sum(record_count) || "|" || sum(message_count) FROM report')" "$want"
	expect_eq "$1: distinct reports" "$(q "SELECT count(DISTINCT org_name || '|' || report_id || '|' || domain || '|' || date_begin) FROM report")" "${want%%|*}"
	expect_eq "$1: failures" "$(q 'SELECT count(*) FROM ingest_failure')" 0
}

# How long one whole run takes here (sanitizers, a busy machine): the kills
# fall within it.
start=$(date +%s%N)
run_ingest
wait "$PID" || true
ms=$(( ($(date +%s%N) - start) / 1000000 ))
RC=0; ERR=$(cat "$T/err"); OUT=$(cat "$T/out")
expect_eq "clean run reports_new" "$(json reports_new)" "${want%%|*}"
exact "clean run"
echo "one run: $ms ms"

# A run on a database that already holds part of the reports is faster
# (duplicates): the window shrinks to the delay of the last run that ended
# before its kill, and grows back to a whole run on a fresh database.
# Without it most delays fell after the run's end and too few kills hit
# (seed 1003: 19 kills in 80 runs).
kills=0 tries=0 group=0 window=$ms
fresh_db
while [ "$kills" -lt "$KILLS" ] && [ "$tries" -lt "$MAX_TRIES" ]; do
	tries=$((tries + 1))
	delay=$(( RANDOM * 32768 + RANDOM ))
	delay=$(( delay % window ))
	run_ingest
	sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
	kill -KILL "$PID" 2>/dev/null || true
	set +e; { wait "$PID"; } 2>/dev/null; RC=$?; set -e
	if [ "$RC" -ne 137 ]; then
		# it ended before the kill: must have ended well
		ERR=$(cat "$T/err")
		expect_rc "run not killed (after $delay ms)" 0
		# it ran for less than the delay
		[ "$delay" -ge 1 ] && window=$delay
		continue
	fi
	kills=$((kills + 1))
	consistent "kill $kills after $delay ms"
	rm -f "$T/tmp"/*	# reported once, not again by the next checks
	if [ $((kills % PER_GROUP)) -eq 0 ]; then
		group=$((group + 1))
		set +e
		TMPDIR="$T/tmp" "$DMARC_INGEST" --db "$DB" --json "$T/r" - \
		    <"$T/in.mbox" >"$T/out" 2>"$T/err"
		RC=$?
		set -e
		ERR=$(cat "$T/err"); OUT=$(cat "$T/out")
		expect_rc "group $group: run to completion" 0
		exact "group $group completed"
		fresh_db
		window=$ms
	fi
done
echo "$kills kills in $tries runs"
expect_eq "kills that hit a running dmarc-ingest" "$kills" "$KILLS"

done_tests
