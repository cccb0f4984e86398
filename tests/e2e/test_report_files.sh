#!/bin/bash
# SPDX-License-Identifier: MIT
# Report files as real reporters send them (issue 10): dates in
# milliseconds, domains in any case and with a trailing dot, UTF-16
# documents, zips with other members beside the report, very compressible
# reports, a bare '<' or '&' in a value.  Each case fails on a parser that
# takes the file literally.
. "$(dirname "$0")/lib.sh"
set -e

P="$DM_TEST_DATA/parse"

# ---- dates in milliseconds (SPEC.md E.15) ----
fresh_db
ingest "$P/millis.xml"
expect_rc "ms dates: stored" 0
expect_eq "ms dates: read as seconds" "$(q 'SELECT date_begin || "|" || date_end FROM report')" "1748822400|1748908799"
expect_match "ms dates: warning" "$ERR" "warning: $P/millis.xml: date_range begin 1748822400000 is in milliseconds, read as 1748822400 seconds"
expect_eq "ms dates: source totals on 2025-06-02" "$(q 'SELECT DISTINCT day FROM source_day')" "$((1748822400 / 86400))"
report reporters --format csv
expect_match "ms dates: the reporter's day is 2025-06-02" "$OUT" "^Example Mail,1,3,1,2025-06-02,2025-06-02,example.com$"

done_tests
