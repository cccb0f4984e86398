#!/bin/bash
# SPDX-License-Identifier: MIT
# cmake --install (what scripts/quickstart runs): the binaries land in
# PREFIX/bin and the man pages in PREFIX/share/man/man1, with --prefix and
# with DESTDIR under the default /usr/local; the installed binaries run,
# and man finds and reads the installed pages (when man is installed).
. "$(dirname "$0")/lib.sh"
set -e

BUILD=$(dirname "$DMARC_INGEST")	# the top of the build tree
if ! command -v cmake >/dev/null 2>&1 || [ ! -f "$BUILD/cmake_install.cmake" ]; then
	echo "no cmake or no build tree at $BUILD: skipped"
	exit 77
fi

# installed ARGS... : runs cmake --install; sets RC, ERR.
installed() {
	set +e
	"$@" >"$T/out" 2>"$T/err"
	RC=$?
	set -e
	ERR=$(cat "$T/err")
}

# checks the tree under ROOT (a prefix) holds everything, and runs
check_tree() {
	local what=$1 root=$2 b m
	for b in dmarc-ingest dmarc-report; do
		CHECKS=$((CHECKS + 1))
		[ -x "$root/bin/$b" ] || fail "$what: $root/bin/$b is not installed"
	done
	for m in dmarc-ingest.1 dmarc-report.1; do
		CHECKS=$((CHECKS + 1))
		cmp -s "$root/share/man/man1/$m" "$(dirname "$0")/../../docs/$m" ||
		    fail "$what: $root/share/man/man1/$m is not docs/$m"
	done
	installed "$root/bin/dmarc-report" --version
	expect_rc "$what: installed dmarc-report --version" 0
	expect_match "$what: installed dmarc-report --version" "$(cat "$T/out")" "^dmarc-report [0-9]"
	installed "$root/bin/dmarc-ingest" --version
	expect_match "$what: installed dmarc-ingest --version" "$(cat "$T/out")" "^dmarc-ingest [0-9]"
	installed "$root/bin/dmarc-report" --help
	expect_rc "$what: installed dmarc-report --help" 0
	expect_match "$what: installed dmarc-report --help" "$(cat "$T/out")" "^Usage: dmarc-report"
	installed "$root/bin/dmarc-ingest" --help
	expect_match "$what: installed dmarc-ingest --help" "$(cat "$T/out")" "^Usage: dmarc-ingest"
	# the installed pair works together
	installed "$root/bin/dmarc-ingest" --quiet --db "$T/$what.db" "$DM_TEST_DATA/report"
	expect_rc "$what: installed dmarc-ingest stores" 0
	installed "$root/bin/dmarc-report" --db "$T/$what.db" summary --format csv
	expect_match "$what: installed dmarc-report reads" "$(cat "$T/out")" "^a\.example,"
	if command -v man >/dev/null 2>&1; then
		for m in dmarc-ingest dmarc-report; do
			installed env MANWIDTH=80 man -l "$root/share/man/man1/$m.1"
			expect_rc "$what: man -l $m.1" 0
			expect_match "$what: man -l $m.1 reads the page" "$(cat "$T/out")" "^ +$m .*(--db|Fl)"
			# by name, as the README says: man dmarc-report
			installed env MANPATH="$root/share/man" MANWIDTH=80 man "$m"
			expect_rc "$what: man $m by name" 0
			expect_match "$what: man $m by name" "$(cat "$T/out")" "^NAME"
		done
	else
		echo "man is not installed: the pages are not read"
	fi
}

# --prefix, as PREFIX=... scripts/quickstart does
installed cmake --install "$BUILD" --prefix "$T/prefix"
expect_rc "cmake --install --prefix" 0
check_tree prefix "$T/prefix"

# DESTDIR under the default prefix (/usr/local unless the build was
# configured with another one): nothing outside DESTDIR
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$BUILD/CMakeCache.txt")
installed env DESTDIR="$T/dest" cmake --install "$BUILD"
expect_rc "cmake --install with DESTDIR" 0
check_tree destdir "$T/dest$prefix"
expect_eq "DESTDIR: four files installed" "$(find "$T/dest" -type f | wc -l)" 4

done_tests
