#!/bin/bash
# SPDX-License-Identifier: MIT
# Re-ingesting changes nothing: the second run counts only duplicates and
# every row of the database stays as it was; the same payload twice in one
# run is one new report and one duplicate.
. "$(dirname "$0")/lib.sh"
set -e

"$DMARC_GEN" --out "$T/r" --reports 20 --records 15 --seed 9 --format mixed \
    --manifest "$T/m.tsv" 2>/dev/null
n=$(awk -F'\t' '{ r += $2 } END { print r }' "$T/m.tsv")

dump() {
	sqlite3 "$DB" "SELECT * FROM report ORDER BY id; SELECT * FROM record ORDER BY id;
	    SELECT * FROM record_dkim; SELECT * FROM record_spf; SELECT * FROM record_reason;
	    SELECT * FROM report_error; SELECT * FROM ingest_failure;
	    SELECT * FROM source_day;" | sha256sum
}

ingest --json "$T/r"
expect_rc "first run" 0
expect_eq "first run new" "$(json reports_new)" "$n"
expect_eq "first run duplicates" "$(json reports_duplicate)" 0
before=$(dump)
sleep 1	# so that a rewritten ingested_at would show
ingest --json "$T/r"
expect_rc "second run" 0
expect_eq "second run new" "$(json reports_new)" 0
expect_eq "second run duplicates" "$(json reports_duplicate)" "$n"
expect_eq "second run records" "$(json records_new)" 0
expect_eq "rows unchanged" "$(dump)" "$before"

# the same payload twice in one run, under two names
fresh_db
f=$(ls "$T/r" | head -1)
mkdir -p "$T/twice"
cp "$T/r/$f" "$T/twice/a-$f"
cp "$T/r/$f" "$T/twice/b-$f"
ingest --json "$T/twice"
expect_eq "same payload twice: new" "$(json reports_new)" 1
expect_eq "same payload twice: duplicate" "$(json reports_duplicate)" 1

# a re-send with another report_id is a new report; one from another
# reporter with the same report_id is too
fresh_db
cat >"$T/a.xml" <<'XML'
<?xml version="1.0"?>
<feedback><report_metadata><org_name>A</org_name><email>a@a</email><report_id>1</report_id>
<date_range><begin>1700000000</begin><end>1700086399</end></date_range></report_metadata>
<policy_published><domain>example.com</domain><p>none</p></policy_published>
<record><row><source_ip>192.0.2.1</source_ip><count>1</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf></policy_evaluated></row>
<identifiers><header_from>example.com</header_from></identifiers><auth_results><spf><domain>example.com</domain><result>pass</result></spf></auth_results></record>
</feedback>
XML
sed 's/<org_name>A</<org_name>B</' "$T/a.xml" >"$T/b.xml"
sed 's/<report_id>1</<report_id>2</' "$T/a.xml" >"$T/c.xml"
sed 's/<org_name>A<\/org_name>//' "$T/a.xml" >"$T/d.xml"
sed 's/<org_name>A<\/org_name>/<org_name\/>/' "$T/a.xml" >"$T/e.xml"
ingest --json "$T/a.xml" "$T/b.xml" "$T/c.xml" "$T/d.xml" "$T/e.xml"
expect_eq "identity: other reporter/id are new; missing and empty org_name are one" \
    "$(json reports_new)/$(json reports_duplicate)" "4/1"

done_tests
