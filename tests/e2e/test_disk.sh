#!/bin/bash
# SPDX-License-Identifier: MIT
# A full disk and a read-only database: dmarc-ingest stops with one clear
# line and exit status 2, the database keeps exactly what it held (whole
# batches only), passes integrity_check and takes a normal ingest
# afterwards; dmarc-report still reads a database it cannot write.  The full
# disk is a file size limit (ulimit -f); the read-only database is a root
# file read by nobody (runuser or setpriv), and a read-only bind mount where
# mount works.  Without a way to run as another user the test is skipped.
. "$(dirname "$0")/lib.sh"
set -e
: "${DMARC_REPORT:?DMARC_REPORT must name the dmarc-report binary}"

MNT="$T/mnt"
trap 'umount "$MNT" 2>/dev/null || true; rm -rf "$T"' EXIT

"$DMARC_GEN" --out "$T/a" --reports 20 --records 10 --seed 1 --start 2024-01-01 \
    --manifest "$T/a.tsv" 2>/dev/null
"$DMARC_GEN" --out "$T/b" --reports 300 --records 20 --seed 2 --start 2024-03-01 \
    --manifest "$T/b.tsv" 2>/dev/null
"$DMARC_GEN" --out "$T/c" --reports 1200 --records 10 --seed 3 --start 2022-01-01 \
    --format xml 2>/dev/null
sum() { awk -F'\t' -v c="$2" '{ n += $c } END { print n }' "$1"; }
na=$(sum "$T/a.tsv" 2)
nb=$(sum "$T/b.tsv" 2)

dump() {
	sqlite3 "$1" "SELECT * FROM report ORDER BY id; SELECT * FROM record ORDER BY id;
	    SELECT * FROM record_dkim; SELECT * FROM record_spf; SELECT * FROM source_day;
	    SELECT * FROM ingest_failure;" | sha256sum
}

# intact WHAT DB DUMP: the database is as it was
intact() {
	expect_eq "$1: integrity" "$(sqlite3 "$2" 'PRAGMA integrity_check')" ok
	expect_eq "$1: contents unchanged" "$(dump "$2")" "$3"
}

# one_line WHAT REGEX: stderr is exactly one line, matching
one_line() {
	expect_eq "$1: one line on stderr" "$(printf '%s\n' "$ERR" | wc -l)" 1
	expect_match "$1: message" "$ERR" "$2"
}

# --- full disk: a file size limit -------------------------------------------

ingest "$T/a"
expect_rc "seed database" 0
before=$(dump "$DB")
kb=$(( $(stat -c %s "$DB") / 1024 ))

# limited ULIMIT_KB ARGS...: dmarc-ingest under `ulimit -f`
limited() {
	local lim=$1
	shift
	set +e
	(ulimit -f "$lim" && exec "$DMARC_INGEST" --db "$DB" "$@") >"$T/out" 2>"$T/err"
	RC=$?
	set -e
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}

# 300 reports are one batch: none of them may be kept
limited $((kb + 64)) "$T/b"
expect_rc "file size limit" 2
one_line "file size limit" "^dmarc-ingest: database error \(.*\): (disk I/O error \(File too large\)|database or disk is full)"
intact "file size limit" "$DB" "$before"
expect_eq "file size limit: no -wal left over a limit" "$(stat -c %s "$DB")" "$((kb * 1024))"

# 1,200 reports are three batches: only whole batches are kept
limited $((kb + 1024)) "$T/c"
expect_rc "file size limit, several batches" 2
one_line "file size limit, several batches" "(File too large|disk is full)"
expect_eq "several batches: integrity" "$(q 'PRAGMA integrity_check')" ok
kept=$(( $(q 'SELECT count(*) FROM report') - na ))
expect_eq "several batches: whole batches kept ($kept reports)" "$((kept % 500))" 0
expect_eq "several batches: records of the kept reports" \
    "$(q 'SELECT sum(record_count) FROM report')" "$(q 'SELECT count(*) FROM record')"
expect_eq "several batches: source_day" "$(q 'SELECT sum(messages) FROM source_day')" \
    "$(q 'SELECT sum(count) FROM record')"

# with room again, the same inputs go in
ingest --json "$T/b" "$T/c"
expect_rc "after the limit" 0
expect_eq "after the limit: new" "$(json reports_new)" "$((nb + 1200 - kept))"
expect_eq "after the limit: reports" "$(q 'SELECT count(*) FROM report')" "$((na + nb + 1200))"
expect_eq "after the limit: integrity" "$(q 'PRAGMA integrity_check')" ok
RC=0
"$DMARC_REPORT" --db "$DB" summary >/dev/null 2>"$T/err" || RC=$?
ERR=$(cat "$T/err")
expect_rc "dmarc-report after the limit" 0

# --- read-only database ------------------------------------------------------

# a database with 20 reports, owned by root, mode 0644, in a directory only
# root may write
fresh_db
ingest "$T/a"
mkdir -p "$T/ro"
cp "$DB" "$T/ro/r.db"
RODB="$T/ro/r.db"
before=$(dump "$RODB")

# as_user CMD...: runs CMD as an unprivileged user (as ourselves if not root)
AS=()
if [ "$(id -u)" -ne 0 ]; then
	AS=(env)
	chmod 0444 "$RODB"
	chmod 0555 "$T/ro"
elif runuser -u nobody -- true 2>/dev/null; then
	AS=(runuser -u nobody --)
elif setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
	AS=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
if [ ${#AS[@]} -eq 0 ]; then
	done_tests >/dev/null || { done_tests; exit 1; }
	echo "skipped: the read-only database needs runuser or setpriv (as root) to run as nobody"
	exit 77
fi
chmod 0755 "$T" "$T/ro"
chmod -R a+rX "$T/b"

as_user() {
	set +e
	"${AS[@]}" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	set -e
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}

# no -wal or -shm (the last writer closed): SQLite cannot even set up WAL
as_user "$DMARC_INGEST" --db "$RODB" "$T/b"
expect_rc "read-only database" 2
one_line "read-only database" "^dmarc-ingest: .*'$RODB'.*(read-only|readonly)"
as_user "$DMARC_REPORT" --db "$RODB" summary
expect_rc "dmarc-report on a read-only database" 0
expect_match "dmarc-report on a read-only database: output" "$OUT" \
    "^example.com +4 +$(sum "$T/a.tsv" 4 | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta') "
expect_eq "dmarc-report created nothing" "$(ls "$T/ro")" "r.db"
intact "read-only database" "$RODB" "$before"

# with -wal and -shm left by a root connection (persist_wal): dmarc-ingest
# gets as far as its first write
sqlite3 "$RODB" '.filectrl persist_wal 1' 'SELECT count(*) FROM report' >/dev/null
as_user "$DMARC_INGEST" --db "$RODB" "$T/b"
expect_rc "read-only database with -wal" 2
one_line "read-only database with -wal" "(read-only|readonly)"
as_user "$DMARC_REPORT" --db "$RODB" reporters
expect_rc "dmarc-report with -wal" 0
expect_eq "dmarc-report with -wal: reporters" "$(printf '%s\n' "$OUT" | tail -n +3 | wc -l)" 4
intact "read-only database with -wal" "$RODB" "$before"

# afterwards, as root, a normal ingest works
if [ "$(id -u)" -ne 0 ]; then
	chmod 0755 "$T/ro"
	chmod 0644 "$RODB"
fi
set +e
"$DMARC_INGEST" --db "$RODB" --json "$T/b" >"$T/out" 2>"$T/err"
RC=$?
set -e
OUT=$(cat "$T/out")
ERR=$(cat "$T/err")
expect_rc "read-write again" 0
expect_eq "read-write again: new" "$(json reports_new)" "$nb"
expect_eq "read-write again: integrity" "$(sqlite3 "$RODB" 'PRAGMA integrity_check')" ok

# a read-only file system, where a bind mount is allowed
rm -f "$RODB-wal" "$RODB-shm"
mkdir "$MNT"
if [ "$(id -u)" -eq 0 ] && mount --bind -o ro "$T/ro" "$MNT" 2>/dev/null &&
    ! touch "$MNT/probe" 2>/dev/null; then
	before=$(dump "$RODB")
	set +e
	"$DMARC_INGEST" --db "$MNT/r.db" "$T/a" >"$T/out" 2>"$T/err"
	RC=$?
	set -e
	ERR=$(cat "$T/err")
	expect_rc "read-only file system" 2
	one_line "read-only file system" "(read-only|readonly)"
	set +e
	"$DMARC_REPORT" --db "$MNT/r.db" reporters >"$T/out" 2>"$T/err"
	RC=$?
	set -e
	ERR=$(cat "$T/err")
	expect_rc "dmarc-report on a read-only file system" 0
	umount "$MNT"
	intact "read-only file system" "$RODB" "$before"
else
	umount "$MNT" 2>/dev/null || true
	echo "note: no read-only bind mount here; that case was not run"
fi

done_tests
