#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Measures dmarc-ingest against `xmllint --stream` (the floor: parsing the same gzip'd XML
# with libxml2 and doing nothing else): wall time (median of 3) and peak RSS.
set -euo pipefail

usage() {
	cat <<'EOF'
usage: bench/bench-ingest.sh [-n REPORTS] [-r RECORDS] [-b BUILD_DIR] [--big RECORDS] [-k]

  -n REPORTS      number of generated .xml.gz reports (default 2000)
  -r RECORDS      average records per report (default 37)
  -b BUILD_DIR    where dmarc-ingest and tests/dmarc-gen were built (default: build)
  --big RECORDS   instead, ONE gzip'd report of RECORDS records (350000 is about 200 MB of XML)
  -k              keep the generated reports (prints the directory)
  -h, --help      this help

Needs /usr/bin/time (Debian/Ubuntu package "time") and xmllint (package "libxml2-utils").
Without dmarc-ingest in BUILD_DIR only the xmllint column is measured.
EOF
}

reports=2000
records=37
big=0
build=build
keep=0
runs=3

while [ $# -gt 0 ]; do
	case "$1" in
	-n) reports=${2:?-n needs a number}; shift 2 ;;
	-r) records=${2:?-r needs a number}; shift 2 ;;
	-b) build=${2:?-b needs a directory}; shift 2 ;;
	--big) big=${2:?--big needs a number}; shift 2 ;;
	-k) keep=1; shift ;;
	-h|--help) usage; exit 0 ;;
	*) echo "bench-ingest: unknown argument: $1" >&2
	   echo "Try 'bench/bench-ingest.sh --help'." >&2; exit 2 ;;
	esac
done
for v in "$reports" "$records" "$big"; do
	case "$v" in ''|*[!0-9]*) echo "bench-ingest: not a number: $v" >&2; exit 2 ;; esac
done

if [ ! -x /usr/bin/time ]; then
	echo "bench-ingest: /usr/bin/time is missing (apt-get install time)" >&2
	exit 1
fi
command -v xmllint >/dev/null || { echo "bench-ingest: xmllint is missing (apt-get install libxml2-utils)" >&2; exit 1; }

here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-ingest.XXXXXX")
if [ "$keep" = 1 ]; then
	trap 'echo "reports kept in $tmp/reports" >&2' EXIT
else
	trap 'rm -rf "$tmp"' EXIT
fi

# The generator: the built one, else compile it here (the rest of the tree need not build).
gen=""
for g in "$build/tests/dmarc-gen" "$build/dmarc-gen"; do
	if [ -x "$g" ]; then gen=$g; break; fi
done
if [ -z "$gen" ]; then
	echo "bench-ingest: no dmarc-gen in $build, compiling it" >&2
	# shellcheck disable=SC2046
	cc -std=c11 -O2 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE "$here/tests/gen/dmarc-gen.c" \
		$(pkg-config --cflags --libs zlib libzip) -o "$tmp/dmarc-gen"
	gen=$tmp/dmarc-gen
fi
ingest=""
[ -x "$build/dmarc-ingest" ] && ingest=$build/dmarc-ingest

mkdir "$tmp/reports"
if [ "$big" -gt 0 ]; then
	"$gen" --out "$tmp/reports" --format gz --big "$big" --manifest "$tmp/manifest.tsv" 2>/dev/null
else
	"$gen" --out "$tmp/reports" --format gz --reports "$reports" --records "$records" --start 2023-06-01 \
		--manifest "$tmp/manifest.tsv" 2>/dev/null
fi
read -r n_files n_reports n_records n_messages < <(awk -F'\t' \
	'{f++; r+=$2; c+=$3; m+=$4} END {printf "%d %d %d %d\n", f, r, c, m}' "$tmp/manifest.tsv")
gz_bytes=$(du -sb "$tmp/reports" | cut -f1)
echo "generated $n_files files, $n_reports reports, $n_records records, $n_messages messages," \
	"$((gz_bytes / 1024)) KiB gzip'd" >&2

# run NAME CMD...: wall seconds, peak RSS (KiB) and CPU seconds (user + system)
# of one run, appended to $tmp/NAME.times.
run() {
	local name=$1; shift
	local t0 t1
	t0=$(date +%s.%N)
	/usr/bin/time -f '%M %U %S' -o "$tmp/rss" "$@" >"$tmp/out" 2>"$tmp/err" || {
		echo "bench-ingest: $name failed:" >&2; tail -5 "$tmp/err" >&2; return 1; }
	t1=$(date +%s.%N)
	read -r rss u s < <(tail -1 "$tmp/rss")
	echo "$(echo "$t1 - $t0" | bc -l) $rss $(echo "$u + $s" | bc -l)" >>"$tmp/$name.times"
}

# median NAME: "seconds rss_kib cpu_seconds" of the median-time run.
median() {
	sort -g "$tmp/$1.times" | sed -n "$(( ($(wc -l <"$tmp/$1.times") + 1) / 2 ))p"
}

# xmllint reads gzip itself; xargs keeps one process per ARG_MAX-sized batch (one for 2000 files).
lint() {
	cd "$tmp/reports" && find . -name '*.gz' -print0 | sort -z | xargs -0 xmllint --stream --noout
}
export -f lint
export tmp

cat "$tmp"/reports/* >/dev/null     # warm the page cache for both contenders
for _ in $(seq "$runs"); do
	run xmllint bash -c lint
done

if [ -n "$ingest" ]; then
	for i in $(seq "$runs"); do
		rm -f "$tmp/run.db" "$tmp/run.db-wal" "$tmp/run.db-shm"
		if [ "$i" = 1 ]; then
			# the first run also checks the counts against the generator's manifest
			run ingest "$ingest" --db "$tmp/run.db" --quiet --json "$tmp/reports"
			got=$(grep -o '"records_new": *[0-9]*' "$tmp/out" | grep -o '[0-9]*$' || true)
			failed=$(grep -o '"failed": *[0-9]*' "$tmp/out" | grep -o '[0-9]*$' || true)
			if [ "$got" != "$n_records" ] || [ "${failed:-0}" != 0 ]; then
				echo "bench-ingest: WARNING: ingest says records_new=${got:-?} failed=${failed:-?}," \
					"generator wrote $n_records records" >&2
			fi
		else
			run ingest "$ingest" --db "$tmp/run.db" --quiet "$tmp/reports"
		fi
	done
fi

# The same reports as one mbox of report mails (base64 attachments, as the
# receivers send them): the mail path against the file path.
if [ -n "$ingest" ]; then
	find "$tmp/reports" -type f | sort | "$gen" --wrap mbox "$tmp/reports.mbox" -
	mbox_bytes=$(stat -c %s "$tmp/reports.mbox")
	cat "$tmp/reports.mbox" >/dev/null
	for i in $(seq "$runs"); do
		rm -f "$tmp/run.db" "$tmp/run.db-wal" "$tmp/run.db-shm"
		if [ "$i" = 1 ]; then
			run mbox "$ingest" --db "$tmp/run.db" --quiet --json "$tmp/reports.mbox"
			got=$(grep -o '"records_new": *[0-9]*' "$tmp/out" | grep -o '[0-9]*$' || true)
			if [ "$got" != "$n_records" ]; then
				echo "bench-ingest: WARNING: mbox ingest says records_new=${got:-?}," \
					"generator wrote $n_records records" >&2
			fi
		else
			run mbox "$ingest" --db "$tmp/run.db" --quiet "$tmp/reports.mbox"
		fi
	done
fi

read -r x_s x_rss x_cpu < <(median xmllint)
if [ -n "$ingest" ]; then
	read -r i_s i_rss i_cpu < <(median ingest)
	ratio=$(echo "$i_s / $x_s" | bc -l)
	rate=$(echo "$n_records / $i_s" | bc -l)
	i_mib=$(echo "$i_rss / 1024" | bc -l)
else
	i_s=nan ratio=nan rate=nan i_mib=nan i_cpu=nan
fi
x_mib=$(echo "$x_rss / 1024" | bc -l)

# The targets of issue 13: the ratio to xmllint (1.0 for the default run,
# 1.2 at 20,000 reports and more: the cost per record must not grow with the
# database, 1.5 for one big report), the mbox at most 1.1x the files, and a
# peak RSS of at most 32 MiB in every run.
if [ "$big" -gt 0 ]; then
	t_ratio=1.5
elif [ "$n_reports" -ge 20000 ]; then
	t_ratio=1.2
else
	t_ratio=1.0
fi
t_mbox=1.1
t_mib=32
# verdict VALUE TARGET: "ok" when VALUE <= TARGET, else "MISSED"
verdict() {
	if [ "$1" = nan ]; then echo "-"; return; fi
	if [ "$(echo "$1 <= $2" | bc -l)" = 1 ]; then echo ok; else echo MISSED; fi
}

printf '%-8s %-9s %-11s %-10s %-7s %-8s %-10s %-12s %-12s %-8s\n' \
	reports records xmllint_s ingest_s ratio target records/s xmllint_MiB ingest_MiB target
LC_NUMERIC=C printf '%-8d %-9d %-11.2f %-10.2f %-7.2f %-8s %-10.0f %-12.1f %-12.1f %-8s\n' \
	"$n_reports" "$n_records" "$x_s" "$i_s" "$ratio" "<=$t_ratio" "$rate" "$x_mib" "$i_mib" "<=$t_mib"
if [ -n "$ingest" ]; then
	read -r m_s m_rss m_cpu < <(median mbox)
	m_ratio=$(echo "$m_s / $i_s" | bc -l)
	m_mib=$(echo "$m_rss / 1024" | bc -l)
	echo
	printf '%-8s %-9s %-10s %-10s %-14s %-8s %-10s %-8s\n' \
		input MiB ingest_s records/s vs_files_ratio target ingest_MiB target
	LC_NUMERIC=C printf '%-8s %-9.1f %-10.2f %-10.0f %-14.2f %-8s %-10.1f %-8s\n' \
		files "$(echo "$gz_bytes / 1048576" | bc -l)" "$i_s" "$rate" 1 "" "$i_mib" "<=$t_mib"
	LC_NUMERIC=C printf '%-8s %-9.1f %-10.2f %-10.0f %-14.2f %-8s %-10.1f %-8s\n' \
		mbox "$(echo "$mbox_bytes / 1048576" | bc -l)" "$m_s" \
		"$(echo "$n_records / $m_s" | bc -l)" "$m_ratio" "<=$t_mbox" "$m_mib" "<=$t_mib"
	echo
	# on a loaded machine the wall clock says more about the neighbours:
	# CPU seconds (user + system, both threads) of the same median runs
	LC_NUMERIC=C printf 'CPU seconds: xmllint %.2f, ingest %.2f (%.2fx), mbox %.2f\n' \
		"$x_cpu" "$i_cpu" "$(echo "$i_cpu / $x_cpu" | bc -l)" "$m_cpu"
	echo "targets: ratio $(verdict "$ratio" "$t_ratio"), mbox $(verdict "$m_ratio" "$t_mbox")," \
		"RSS files $(verdict "$i_mib" "$t_mib"), RSS mbox $(verdict "$m_mib" "$t_mib")"
else
	echo "(no $build/dmarc-ingest: build it to measure the ingest columns)" >&2
fi
