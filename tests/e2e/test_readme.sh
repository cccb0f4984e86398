#!/bin/bash
# SPDX-License-Identifier: MIT
# The example outputs of README.md (the blocks between <!-- example --> and
# <!-- end -->) are what the programs print today: scripts/readme-examples
# --check runs each command on the bundled examples and fails with a diff
# when a block differs (after a change, run scripts/readme-examples).
. "$(dirname "$0")/lib.sh"
set -e
: "${DMARC_REPORT:?DMARC_REPORT must name the dmarc-report binary}"

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
set +e
BUILD=$(dirname "$DMARC_REPORT") "$ROOT/scripts/readme-examples" --check >"$T/out" 2>"$T/err"
RC=$?
set -e
OUT=$(cat "$T/out")
ERR=$(cat "$T/err")
[ "$RC" -eq 0 ] || printf '%s\n' "$OUT" | head -80 >&2
expect_rc "README examples match the programs" 0
expect_match "README example blocks found" "$OUT" "^readme-examples: [5-9] blocks match$"
# every command of those blocks names a program of ours
n=$(sed -n '/^<!-- example -->$/,/^<!-- end -->$/p' "$ROOT/README.md" | grep -c '^\$ ' || true)
expect_eq "README example commands" "$(sed -n '/^<!-- example -->$/,/^<!-- end -->$/p' "$ROOT/README.md" | grep '^\$ ' | grep -vc 'dmarc-report\|dmarc-ingest' || true)" 0
expect_match "README example commands counted" "$n" '^[0-9]+$'

# the check fails when a block drifts (a copy of the tree with one changed)
mkdir -p "$T/tree/scripts"
cp "$ROOT/scripts/readme-examples" "$T/tree/scripts/"
cp -r "$ROOT/examples" "$T/tree/"
sed 's/^example\.com          4    95,778/example.com          4    95,777/' "$ROOT/README.md" >"$T/tree/README.md"
set +e
BUILD=$(dirname "$DMARC_REPORT") "$T/tree/scripts/readme-examples" --check >"$T/out" 2>"$T/err"
RC=$?
set -e
ERR=$(cat "$T/err")
expect_rc "a drifted README fails the check" 1
expect_match "the diff names the line" "$(cat "$T/out")" '^-example\.com +4 +95,777'

done_tests
