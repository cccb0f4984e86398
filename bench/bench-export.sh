#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench-export.sh: dmarc-report export to /dev/null over the database of
# bench-report.sh (a year of a large sender, 10,000,000 records by
# default, built once with -k and reused).  For CSV and NDJSON prints the
# rows per second (median of 3 runs, wall clock and CPU time) next to the
# target of 500,000 rows/s, and the peak RSS of a tenth of the rows
# against all of them: streaming means memory stays flat.
# Run by hand, never in CI.
set -euo pipefail

usage() {
	cat <<USAGE
Usage: bench/bench-export.sh [-r RECORDS] [-b BUILD_DIR] [-k DB]
  -r RECORDS   record rows (default 10000000)
  -b DIR       where dmarc-report and dmarc-ingest were built (default: build)
  -k DB        build the database at DB and keep it (reused when it exists)
Needs sqlite3, bc and /usr/bin/time.
USAGE
}

records=10000000
build=build
keep=""
while [ $# -gt 0 ]; do
	case $1 in
	-r) records=$2; shift 2 ;;
	-b) build=$2; shift 2 ;;
	-k) keep=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
here=$(cd "$(dirname "$0")" && pwd)
report=$build/dmarc-report
[ -x "$report" ] || { echo "bench-export: build dmarc-report first" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db=${keep:-$tmp/year.db}
bash "$here/bench-report.sh" -r "$records" -b "$build" -k "$db" -B
n=$("$report" --db "$db" export --last-id)
echo "database: $n records, $(du -h "$db" | cut -f1)" >&2
cat "$db" >/dev/null	# warm the page cache

target=500000
# run ARGS...: "wall_seconds cpu_seconds rss_kib" of one export to /dev/null
run() {
	local t0 t1
	t0=$(date +%s.%N)
	/usr/bin/time -f '%U %S %M' -o "$tmp/time" "$report" --db "$db" export \
	    --no-dns "$@" >/dev/null
	t1=$(date +%s.%N)
	read -r u s rss <"$tmp/time"
	echo "$(echo "$t1 - $t0" | bc -l) $(echo "$u + $s" | bc -l) $rss"
}
# median of 3 by wall clock
median() {
	: >"$tmp/runs"
	for _ in 1 2 3; do
		run "$@" >>"$tmp/runs"
	done
	sort -g "$tmp/runs" | sed -n 2p
}

printf '%-8s %10s %8s %8s %14s %14s %10s\n' format rows wall_s cpu_s \
    rows/s_wall rows/s_cpu target
for fmt in csv ndjson; do
	read -r wall cpu rss < <(median --format "$fmt")
	LC_NUMERIC=C printf '%-8s %10d %8.2f %8.2f %14.0f %14.0f %10d\n' "$fmt" \
	    "$n" "$wall" "$cpu" "$(echo "$n / $wall" | bc -l)" \
	    "$(echo "$n / $cpu" | bc -l)" "$target"
done
# flat memory: a tenth of the rows against all of them
read -r _ _ rss_tenth < <(run --format ndjson --upto $((n / 10)))
read -r _ _ rss_all < <(run --format ndjson)
LC_NUMERIC=C printf 'peak RSS: %.1f MiB for %d rows, %.1f MiB for %d rows\n' \
    "$(echo "$rss_tenth / 1024" | bc -l)" $((n / 10)) \
    "$(echo "$rss_all / 1024" | bc -l)" "$n"
echo "load average while measuring: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
