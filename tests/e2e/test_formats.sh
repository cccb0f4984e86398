#!/bin/bash
# SPDX-License-Identifier: MIT
# Every payload format end to end: xml, gz, zip and mixed as real reporters
# send them, both schema versions, multi-member and trailing-byte gzip,
# gzip in gzip, raw zlib, zips with several members, directories and
# __MACOSX entries, BOM and whitespace before the XML declaration, stdin.
# The stored totals must equal what the generator wrote.
. "$(dirname "$0")/lib.sh"
set -e

# totals of a generator manifest: "reports records messages"
totals() {
	awk -F'\t' '{ r += $2; c += $3; m += $4 } END { print r, c, m }' "$1"
}

for fmt in xml gz zip mixed; do
	for schema in 1 2; do
		fresh_db
		out="$T/$fmt-$schema"
		"$DMARC_GEN" --out "$out" --reports 12 --records 20 --seed 3 \
		    --format "$fmt" --schema "$schema" --manifest "$T/m.tsv" 2>/dev/null
		read -r reps recs msgs < <(totals "$T/m.tsv")
		ingest --json "$out"
		expect_rc "$fmt/schema $schema" 0
		expect_eq "$fmt/$schema reports_new" "$(json reports_new)" "$reps"
		expect_eq "$fmt/$schema records_new" "$(json records_new)" "$recs"
		expect_eq "$fmt/$schema messages_new" "$(json messages_new)" "$msgs"
		expect_eq "$fmt/$schema db records" "$(q 'SELECT count(*) FROM record')" "$recs"
		expect_eq "$fmt/$schema db messages" "$(q 'SELECT sum(count) FROM record')" "$msgs"
		want=rfc7489; [ "$schema" = 2 ] && want=dmarc-2.0
		expect_eq "$fmt/$schema schema column" "$(q 'SELECT DISTINCT schema FROM report')" "$want"
	done
done

# One report, many packagings.
"$DMARC_GEN" --stdout --records 30 --seed 11 >"$T/one.xml" 2>/dev/null
fresh_db
ingest --json "$T/one.xml"
expect_rc "plain xml" 0
base_recs=$(json records_new)
base_msgs=$(json messages_new)
expect_match "plain xml records" "$base_recs" '^[1-9][0-9]*$'

mkdir -p "$T/pk"
# multi-member gzip: the XML split in two members
half=$(( $(wc -c <"$T/one.xml") / 2 ))
head -c "$half" "$T/one.xml" | gzip -9n >"$T/pk/multi.gz"
tail -c +"$((half + 1))" "$T/one.xml" | gzip -n >>"$T/pk/multi.gz"
# CRLF after the gzip stream (Mimecast)
gzip -nc "$T/one.xml" >"$T/pk/trailing.gz"; printf '\r\n' >>"$T/pk/trailing.gz"
# gzip in gzip
gzip -nc "$T/one.xml" | gzip -nc >"$T/pk/double.gz.gz"
# raw zlib
"$DMARC_GEN" --zlib-filter <"$T/one.xml" >"$T/pk/raw.zlib"
# BOM and whitespace before the declaration
{ printf '\xef\xbb\xbf  \r\n\t'; cat "$T/one.xml"; } >"$T/pk/bom.xml"
# a zip with a directory, __MACOSX and the report twice under other names
mkdir -p "$T/z/dir" "$T/z/__MACOSX"
cp "$T/one.xml" "$T/z/dir/report.xml"
printf 'resource fork' >"$T/z/__MACOSX/._report.xml"
(cd "$T/z" && zip -qr "$T/pk/bundle.zip" dir __MACOSX)

for f in multi.gz trailing.gz double.gz.gz raw.zlib bom.xml bundle.zip; do
	fresh_db
	ingest --json "$T/pk/$f"
	expect_rc "$f" 0
	expect_eq "$f reports_new" "$(json reports_new)" 1
	expect_eq "$f records_new" "$(json records_new)" "$base_recs"
	expect_eq "$f messages_new" "$(json messages_new)" "$base_msgs"
	expect_eq "$f failed" "$(json failed)" 0
done

# the zip member is named in the provenance
expect_eq "zip member provenance" "$(q 'SELECT input_name FROM report')" "$T/pk/bundle.zip:dir/report.xml"

# a zip of three different reports
"$DMARC_GEN" --out "$T/three" --reports 3 --records 5 --seed 5 --format xml --reporter google --manifest "$T/m3.tsv" 2>/dev/null
(cd "$T/three" && zip -q "$T/three.zip" ./*.xml)
read -r reps recs msgs < <(totals "$T/m3.tsv")
fresh_db
ingest --json "$T/three.zip"
expect_eq "3-report zip reports" "$(json reports_new)" "$reps"
expect_eq "3-report zip records" "$(json records_new)" "$recs"

# stdin, gzip and plain
fresh_db
set +e
gzip -nc "$T/one.xml" | "$DMARC_INGEST" --db "$DB" --json - >"$T/out" 2>"$T/err"; RC=$?
set -e
OUT=$(cat "$T/out"); ERR=$(cat "$T/err")
expect_rc "stdin gz" 0
expect_eq "stdin inputs" "$(json inputs)" 1
expect_eq "stdin records" "$(json records_new)" "$base_recs"
expect_eq "stdin provenance" "$(q 'SELECT input_name FROM report')" "-"
set +e
"$DMARC_INGEST" --db "$DB" --json - <"$T/pk/bundle.zip" >"$T/out" 2>"$T/err"; RC=$?
set -e
OUT=$(cat "$T/out"); ERR=$(cat "$T/err")
expect_rc "stdin zip (a duplicate now)" 0
expect_eq "stdin zip duplicate" "$(json reports_duplicate)" 1

# provenance: hash of the XML, ingest time
fresh_db
ingest "$T/one.xml"
expect_eq "sha256 stored" "$(q 'SELECT xml_sha256 FROM report')" "$(sha256sum <"$T/one.xml" | cut -d' ' -f1)"
expect_match "ingested_at" "$(q 'SELECT ingested_at > 1700000000 FROM report')" '^1$'

# a directory walk: hidden files skipped
fresh_db
mkdir -p "$T/walk/sub" "$T/walk/.hidden"
cp "$T/pk/trailing.gz" "$T/walk/sub/a.gz"
cp "$T/pk/trailing.gz" "$T/walk/.hidden/b.gz"
cp "$T/pk/trailing.gz" "$T/walk/.c.gz"
ingest --json "$T/walk"
expect_eq "walk inputs (hidden skipped)" "$(json inputs)" 1

done_tests
