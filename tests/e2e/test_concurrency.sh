#!/bin/bash
# SPDX-License-Identifier: MIT
# Four dmarc-ingest processes on overlapping inputs (report files and mboxes)
# into one new database at once, while dmarc-report reads it in a loop: every
# report is stored exactly once, every process exits 0, nobody sees "database
# is locked", and dmarc-report never fails.  Two rounds: a fresh database
# (the first runs also race to create the schema), then the same inputs
# again, shuffled, into the full database (all duplicates).
. "$(dirname "$0")/lib.sh"
set -e
: "${DMARC_REPORT:?DMARC_REPORT must name the dmarc-report binary}"

NPROC=4
"$DMARC_GEN" --out "$T/r" --reports 200 --records 40 --seed 41 --format mixed \
    --manifest "$T/m.tsv" 2>/dev/null
want_reports=$(awk -F'\t' '{ n += $2 } END { print n }' "$T/m.tsv")
want_records=$(awk -F'\t' '{ n += $3 } END { print n }' "$T/m.tsv")
want_messages=$(awk -F'\t' '{ n += $4 } END { print n }' "$T/m.tsv")
expect_eq "generated reports" "$want_reports" 200

# files 0..199; two mboxes hold 0..59 and 140..199 again
mapfile -t F < <(ls "$T/r" | sort)
wrap() {	# wrap MBOX FIRST COUNT
	local i args=()
	for ((i = $2; i < $2 + $3; i++)); do
		args+=("$T/r/${F[i]}")
	done
	"$DMARC_GEN" --wrap mbox "$1" "${args[@]}" >/dev/null 2>&1
}
wrap "$T/a.mbox" 0 60
wrap "$T/b.mbox" 140 60
files() {	# files FIRST COUNT: those report files, as paths
	local i
	for ((i = $1; i < $1 + $2 && i < ${#F[@]}; i++)); do
		printf '%s\n' "$T/r/${F[i]}"
	done
}
# every report reaches at least two processes, most three
mapfile -t IN1 < <(files 0 120)
mapfile -t IN2 < <(files 80 120)
mapfile -t IN3 < <(echo "$T/a.mbox"; files 40 120; echo "$T/b.mbox")
mapfile -t IN4 < <(echo "$T/b.mbox"; files 100 100; files 0 60; echo "$T/a.mbox")
inputs_reports=$(( ${#IN1[@]} + ${#IN2[@]} + ${#IN3[@]} - 2 + 60 + 60 +
    ${#IN4[@]} - 2 + 60 + 60 ))

# reader: dmarc-report in a loop until $T/stop exists; one line per run
reader() {
	local n=0 rc
	while [ ! -e "$T/stop" ]; do
		n=$((n + 1))
		for cmd in summary "sources --top 5" reporters; do
			set +e
			# shellcheck disable=SC2086
			"$DMARC_REPORT" --db "$DB" $cmd >/dev/null 2>"$T/rerr.$n"
			rc=$?
			set -e
			echo "$rc $cmd" >>"$T/reads"
			if [ "$rc" -ne 0 ] && [ "$rc" -ne 3 ]; then
				echo "run $n $cmd: exit $rc: $(cat "$T/rerr.$n")" >>"$T/read-fails"
			elif [ "$rc" -eq 3 ] && grep -q '^0 ' "$T/reads"; then
				# no data after data was there: a reader saw a half state
				echo "run $n $cmd: exit 3 after data" >>"$T/read-fails"
			fi
		done
		rm -f "$T/rerr.$n"
	done
}

# round ROUND: the four ingests at once, then waits; sets NEW, DUP
round() {
	local i pids=() rc
	rm -f "$T/stop" "$T/reads" "$T/read-fails"
	: >"$T/reads"
	reader &
	local rpid=$!
	for i in 1 2 3 4; do
		local -n in="IN$i"
		local args=("${in[@]}")
		[ "$1" = 2 ] && mapfile -t args < <(printf '%s\n' "${in[@]}" | shuf)
		"$DMARC_INGEST" --db "$DB" --json "${args[@]}" \
		    >"$T/out.$1.$i" 2>"$T/err.$1.$i" &
		pids+=($!)
	done
	NEW=0
	DUP=0
	for i in 1 2 3 4; do
		set +e
		wait "${pids[i - 1]}"
		rc=$?
		set -e
		OUT=$(cat "$T/out.$1.$i")
		ERR=$(cat "$T/err.$1.$i")
		RC=$rc
		expect_rc "round $1 ingest $i" 0
		expect_eq "round $1 ingest $i stderr" "$ERR" ""
		NEW=$((NEW + $(json reports_new)))
		DUP=$((DUP + $(json reports_duplicate)))
		expect_eq "round $1 ingest $i failed" "$(json failed)" 0
	done
	touch "$T/stop"
	wait "$rpid"
	expect_eq "round $1: dmarc-report failures" "$(cat "$T/read-fails" 2>/dev/null)" ""
	CHECKS=$((CHECKS + 1))
	if ! grep -q '^0 ' "$T/reads"; then
		fail "round $1: dmarc-report never read the database"
	fi
	echo "round $1: $(wc -l <"$T/reads") dmarc-report runs"
}

exact() {	# exact WHAT: the database holds each generated report once
	expect_eq "$1: integrity" "$(q 'PRAGMA integrity_check')" ok
	expect_eq "$1: foreign keys" "$(q 'PRAGMA foreign_key_check')" ""
	expect_eq "$1: reports" "$(q 'SELECT count(*) FROM report')" "$want_reports"
	expect_eq "$1: distinct reports" "$(q "SELECT count(DISTINCT org_name || '|' || report_id || '|' || domain || '|' || date_begin) FROM report")" "$want_reports"
	expect_eq "$1: records" "$(q 'SELECT count(*) FROM record')" "$want_records"
	expect_eq "$1: messages" "$(q 'SELECT sum(count) FROM record')" "$want_messages"
	expect_eq "$1: report totals" "$(q 'SELECT sum(record_count) || "|" || sum(message_count) FROM report')" "$want_records|$want_messages"
	expect_eq "$1: source_day" "$(q 'SELECT sum(records) || "|" || sum(messages) FROM source_day')" "$want_records|$want_messages"
	expect_eq "$1: failures" "$(q 'SELECT count(*) FROM ingest_failure')" 0
}

round 1
expect_eq "round 1: new reports over all processes" "$NEW" "$want_reports"
expect_eq "round 1: new + duplicate = reports given" "$((NEW + DUP))" "$inputs_reports"
exact "round 1"
round 2
expect_eq "round 2: new reports" "$NEW" 0
expect_eq "round 2: duplicates" "$DUP" "$inputs_reports"
exact "round 2"

done_tests
