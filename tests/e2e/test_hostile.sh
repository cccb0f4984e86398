#!/bin/bash
# SPDX-License-Identifier: MIT
# Hostile inputs at their real sizes, against the default limits: each is fed
# to dmarc-ingest with two good reports in the same run and must give one
# error line naming the input and the reason, exit status 1, no crash, peak
# memory under 64 MiB, nothing stored from it, the two good reports stored
# and the failure recorded.  The big inputs (a 1 GiB zip and gzip bomb, a
# zip of 100,000 entries, 100 MB text nodes, a 70 MB mail) are built in the
# temporary directory at run time.
#
# The memory check is skipped for sanitizer builds (ASan reserves shadow
# memory): detected by __asan_init in the binary, or forced with
# DM_SKIP_RSS=1.
. "$(dirname "$0")/lib.sh"
set -e

RSS_MAX_KB=$((64 * 1024))
check_rss=1
if [ "${DM_SKIP_RSS:-0}" = 1 ] || grep -qa __asan_init "$DMARC_INGEST" ||
    [ ! -x /usr/bin/time ]; then
	check_rss=0
	echo "note: peak memory not checked (sanitizer build, DM_SKIP_RSS=1 or no /usr/bin/time)"
fi

mkdir -p "$T/good" "$T/in"
"$DMARC_GEN" --out "$T/good" --reports 2 --records 10 --seed 61 --format gz \
    --reporter microsoft 2>/dev/null
GOOD=("$T"/good/*)
"$DMARC_GEN" --stdout --records 300 --seed 62 --reporter yahoo >"$T/report.xml" 2>/dev/null

# hostile NAME REGEX [ARG...]: runs dmarc-ingest on ARGs and the good reports
# (stdin from $STDIN when set); NAME is the input as the error line and
# ingest_failure name it, REGEX the reason.
hostile() {
	local name=$1 re=$2 rss
	shift 2
	fresh_db
	set +e
	/usr/bin/time -f %M -o "$T/rss" "$DMARC_INGEST" --db "$DB" --json "$@" \
	    "${GOOD[@]}" <"${STDIN:-/dev/null}" >"$T/out" 2>"$T/err"
	RC=$?
	set -e
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
	rss=$(tail -1 "$T/rss")
	expect_rc "$name" 1
	expect_eq "$name: one line on stderr" "$(printf '%s\n' "$ERR" | grep -c .)" 1
	expect_match "$name: error line" "$ERR" \
	    "^dmarc-ingest: $(re_quote "$name"): $re \(failure #1\)$"
	if [ "$check_rss" = 1 ]; then
		CHECKS=$((CHECKS + 1))
		[ "$rss" -lt "$RSS_MAX_KB" ] ||
		    fail "$name: peak memory ${rss} KiB, over $RSS_MAX_KB"
	fi
	echo "$name: rss ${rss} KiB: $ERR"
	expect_eq "$name: good reports stored" "$(json reports_new)" 2
	expect_eq "$name: failed" "$(json failed)" 1
	expect_eq "$name: only the good stored" \
	    "$(q "SELECT count(*) FROM report WHERE input_name NOT LIKE '${GOOD_LIKE:-$T/good/%}'")|$(q 'SELECT count(*) FROM report')" "0|2"
	expect_eq "$name: failure recorded" \
	    "$(q "SELECT count(*) FROM ingest_failure WHERE input_name = '$(printf '%s' "$name" | sed "s/'/''/g")'")|$(q 'SELECT count(*) FROM ingest_failure')" "1|1"
	expect_match "$name: recorded reason" "$(q 'SELECT reason FROM ingest_failure')" "^$re$"
}

# re_quote TEXT: TEXT as an extended regex matching itself
re_quote() {
	printf '%s' "$1" | sed 's/[][\.*^$+?(){}|/]/\\&/g'
}

# a report with TEXT inserted just after <feedback>
after_feedback() {
	sed -n '1,/<feedback>/p' "$T/report.xml"
	printf '%s' "$1"
	sed '1,/<feedback>/d' "$T/report.xml"
}
# a report with 100 MB of 'x' between OPEN and CLOSE after <feedback>
hundred_mb() {
	sed -n '1,/<feedback>/p' "$T/report.xml"
	printf '%s' "$1"
	head -c 100M /dev/zero | tr '\0' x
	printf '%s\n' "$2"
	sed '1,/<feedback>/d' "$T/report.xml"
}

# ---- entities and DTDs ----
after_feedback '' | sed '1a\
<!DOCTYPE feedback [\
 <!ENTITY l0 "lol">\
 <!ENTITY l1 "&l0;&l0;&l0;&l0;&l0;&l0;&l0;&l0;&l0;&l0;">\
 <!ENTITY l2 "&l1;&l1;&l1;&l1;&l1;&l1;&l1;&l1;&l1;&l1;">\
 <!ENTITY l3 "&l2;&l2;&l2;&l2;&l2;&l2;&l2;&l2;&l2;&l2;">\
 <!ENTITY l4 "&l3;&l3;&l3;&l3;&l3;&l3;&l3;&l3;&l3;&l3;">\
 <!ENTITY l5 "&l4;&l4;&l4;&l4;&l4;&l4;&l4;&l4;&l4;&l4;">\
 <!ENTITY l6 "&l5;&l5;&l5;&l5;&l5;&l5;&l5;&l5;&l5;&l5;">\
 <!ENTITY l7 "&l6;&l6;&l6;&l6;&l6;&l6;&l6;&l6;&l6;&l6;">\
 <!ENTITY l8 "&l7;&l7;&l7;&l7;&l7;&l7;&l7;&l7;&l7;&l7;">\
 <!ENTITY l9 "&l8;&l8;&l8;&l8;&l8;&l8;&l8;&l8;&l8;&l8;">\
]>' | sed 's|<org_name>[^<]*</org_name>|<org_name>\&l9;</org_name>|' >"$T/in/laughs.xml"
DTD_RE='line 2: DTD not allowed \(document type declarations are refused\)'
hostile "$T/in/laughs.xml" "$DTD_RE" "$T/in/laughs.xml"

for target in file:///etc/passwd http://127.0.0.1:9/secret; do
	sed '1a\
<!DOCTYPE feedback [ <!ENTITY xxe SYSTEM "'"$target"'"> ]>' "$T/report.xml" |
	    sed 's|<org_name>[^<]*</org_name>|<org_name>\&xxe;</org_name>|' >"$T/in/xxe.xml"
	hostile "$T/in/xxe.xml" "$DTD_RE" "$T/in/xxe.xml"
	expect_eq "xxe $target: not stored" "$(q "SELECT count(*) FROM report WHERE org_name LIKE '%root%'")" 0
done

# any DTD: an external one, an empty internal one
sed '1a\
<!DOCTYPE feedback SYSTEM "http://127.0.0.1:9/feedback.dtd">' "$T/report.xml" >"$T/in/extdtd.xml"
hostile "$T/in/extdtd.xml" "$DTD_RE" "$T/in/extdtd.xml"
sed '1a\
<!DOCTYPE feedback>' "$T/report.xml" >"$T/in/dtd.xml"
hostile "$T/in/dtd.xml" "$DTD_RE" "$T/in/dtd.xml"

# ---- bombs: 1 GiB of XML whitespace, as a zip member and as gzip ----
# (one pass over the bytes feeds both compressors)
mkfifo "$T/fifo"
gzip -1 <"$T/fifo" >"$T/in/bomb.xml.gz" &
gzpid=$!
{ printf '<?xml version="1.0"?>\n<feedback>'; head -c 1G /dev/zero | tr '\0' ' '; } |
    tee "$T/fifo" | (cd "$T/in" && zip -q -1 bomb.zip -)
wait "$gzpid"
printf '@ -\n@=report.xml\n' | zipnote -w "$T/in/bomb.zip"
hostile "$T/in/bomb.zip" 'limit xml-bytes exceeded \(declared 1073741856 bytes\)' "$T/in/bomb.zip"
hostile "$T/in/bomb.xml.gz" 'limit ratio exceeded \(decompressed [0-9]+ bytes from [0-9]+: more than 200:1\)' \
    "$T/in/bomb.xml.gz"
# the same zip whose central directory declares 4000 bytes
cp "$T/in/bomb.zip" "$T/in/liar.zip"
len=$(stat -c %s "$T/in/liar.zip")
cd_off=$(od -An -tu4 -j $((len - 6)) -N4 "$T/in/liar.zip" | tr -d ' ')
printf '\240\017\000\000' | dd of="$T/in/liar.zip" bs=1 seek=$((cd_off + 24)) conv=notrunc status=none
hostile "$T/in/liar.zip:report.xml" "corrupt zip member 'report.xml': more data than its declared 4000 bytes" \
    "$T/in/liar.zip"
rm -f "$T/in/bomb.zip" "$T/in/liar.zip" "$T/in/bomb.xml.gz"

# ---- zip of 100,000 entries (empty members, zip64 directory) ----
perl -e '
	my ($n, $out, $cd, $off) = (100000, "", "", 0);
	for my $i (1 .. $n) {
		my $name = sprintf("r%06d.xml", $i);
		my $lh = pack("VvvvvvVVVvv", 0x04034b50, 10, 0, 0, 0, 0x21, 0, 0, 0,
		    length($name), 0) . $name;
		$cd .= pack("VvvvvvvVVVvvvvvVV", 0x02014b50, 20, 10, 0, 0, 0, 0x21,
		    0, 0, 0, length($name), 0, 0, 0, 0, 0, $off) . $name;
		$out .= $lh;
		$off += length($lh);
	}
	my $z64 = $off + length($cd);
	print $out, $cd,
	    pack("VQvvVVQQQQ", 0x06064b50, 44, 45, 45, 0, 0, $n, $n, length($cd), $off),
	    pack("VVQV", 0x07064b50, 0, $z64, 1),
	    pack("VvvvvVVv", 0x06054b50, 0, 0, 0xffff, 0xffff, 0xffffffff, 0xffffffff, 0);
' >"$T/in/many.zip"
expect_match "many.zip is a zip of 100,000" "$(unzip -l "$T/in/many.zip" | tail -1)" " 100000 files"
hostile "$T/in/many.zip" 'limit zip-entries exceeded \(100000 entries, at most 1000\)' "$T/in/many.zip"
rm -f "$T/in/many.zip"

# ---- zip member names and nesting ----
mkdir -p "$T/zz/a"
cp "$T/report.xml" "$T/zz/a/x.xml"
(cd "$T/zz/a" && zip -q "$T/in/dotdot.zip" ../a/x.xml)
hostile "$T/in/dotdot.zip:../a/x.xml" "unsafe member name '../a/x.xml'" "$T/in/dotdot.zip"
cp "$T/report.xml" "$T/zz/inner.xml"
(cd "$T/zz" && zip -q inner.zip inner.xml && zip -q "$T/in/nested.zip" inner.zip)
hostile "$T/in/nested.zip:inner.zip" 'zip archive inside a zip archive refused' "$T/in/nested.zip"

# ---- XML shapes ----
{ printf '<?xml version="1.0"?>\n<feedback>'
  for i in $(seq 10000); do printf '<a>'; done
  for i in $(seq 10000); do printf '</a>'; done
  printf '</feedback>\n'; } >"$T/in/deep.xml"
hostile "$T/in/deep.xml" 'line 2: limit xml-depth exceeded \(elements nested deeper than 64\)' "$T/in/deep.xml"

FIELD_RE='limit field-bytes exceeded \(more than 65536 bytes of text in one element\)'
sed -n '1,/<org_name>/p' "$T/report.xml" | sed 's|<org_name>.*||' >"$T/in/text.xml"
{ printf '<org_name>'; head -c 100M /dev/zero | tr '\0' x; printf '</org_name>\n'
  sed '1,/<org_name>/d' "$T/report.xml"; } >>"$T/in/text.xml"
hostile "$T/in/text.xml" "line 5: $FIELD_RE" "$T/in/text.xml"
# in an element the parser skips, and as mixed content of <feedback>
hundred_mb '<extension><x>' '</x></extension>' >"$T/in/text.xml"
hostile "$T/in/text.xml" "line 3: $FIELD_RE" "$T/in/text.xml"
hundred_mb '' '' >"$T/in/text.xml"
hostile "$T/in/text.xml" "line 3: $FIELD_RE" "$T/in/text.xml"
# a 100 MB comment: libxml2's own 10 MB ceiling on one token
hundred_mb '<!--' '-->' >"$T/in/text.xml"
hostile "$T/in/text.xml" 'not well-formed XML: line 3: .*' "$T/in/text.xml"
rm -f "$T/in/text.xml"

# ---- truncated, NUL, empty, not a report ----
gzip -nc "$T/report.xml" >"$T/full.gz"
head -c $(($(stat -c %s "$T/full.gz") / 2)) "$T/full.gz" >"$T/in/trunc.xml.gz"
hostile "$T/in/trunc.xml.gz" 'truncated gzip data' "$T/in/trunc.xml.gz"
(cd "$T/zz" && cp "$T/report.xml" r.xml && zip -q "$T/full.zip" r.xml)
head -c $(($(stat -c %s "$T/full.zip") / 2)) "$T/full.zip" >"$T/in/trunc.zip"
hostile "$T/in/trunc.zip" 'cannot open zip archive: Not a zip archive \(no end of central directory: truncated or not a zip\)' \
    "$T/in/trunc.zip"
head -c $(($(stat -c %s "$T/report.xml") / 2)) "$T/report.xml" >"$T/in/trunc.xml"
hostile "$T/in/trunc.xml" 'not well-formed XML: line [0-9]+: .* \(document ends before </feedback>\)' "$T/in/trunc.xml"

{ head -c 5000 "$T/report.xml"; printf '\000\000\000'; tail -c +5001 "$T/report.xml"; } >"$T/in/nul.xml"
hostile "$T/in/nul.xml" 'NUL byte in XML at offset 5000' "$T/in/nul.xml"
: >"$T/in/empty.xml"
hostile "$T/in/empty.xml" 'empty payload' "$T/in/empty.xml"
printf '<?xml version="1.0"?>\n<catalog><book id="1"><title>XML</title></book></catalog>\n' >"$T/in/catalog.xml"
hostile "$T/in/catalog.xml" 'not a DMARC report: root element <catalog>' "$T/in/catalog.xml"

# ---- endless bytes on standard input: the input-bytes cap (256 MiB) ----
STDIN=/dev/zero hostile - 'limit input-bytes exceeded \(more than 268435456 bytes on standard input\)' -
expect_eq "stdin: bytes counted up to the cap" "$(q 'SELECT payload_size FROM ingest_failure')" 268435457

# ---- a mail message over the message cap (64 MiB): a 70 MB .eml ----
mkdir -p "$T/one" "$T/eml"
"$DMARC_GEN" --out "$T/one" --reports 1 --records 5 --seed 63 --format gz --reporter gmx 2>/dev/null
"$DMARC_GEN" --wrap eml "$T/eml" "$T"/one/*
eml=$(ls "$T"/eml/*.eml)
{ sed -n '1,/^From the postmaster/p' "$eml"
  yes 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' | head -c 70M
  sed '1,/^From the postmaster/d' "$eml"; } >"$T/in/big.eml"
size=$(stat -c %s "$T/in/big.eml")
hostile "$T/in/big.eml" "limit message-bytes exceeded \($size bytes, at most 67108864\)" "$T/in/big.eml"
# the same message inside an mbox, between two good report mails
"$DMARC_GEN" --wrap mbox "$T/good.mbox" "${GOOD[@]}"
{ printf 'From MAILER-DAEMON Thu Jan  1 00:00:00 2025\n'; sed 's/^From />From /' "$T/in/big.eml"
  printf '\n'; cat "$T/good.mbox"; } >"$T/big.mbox"
rm -f "$T/in/big.eml"
GOOD_SAVE=("${GOOD[@]}")
GOOD=()
GOOD_LIKE="$T/big.mbox@%" hostile "$T/big.mbox@0" \
    'limit message-bytes exceeded \([0-9]+ bytes, at most 67108864\)' "$T/big.mbox"
GOOD=("${GOOD_SAVE[@]}")
expect_eq "mbox: nothing from the big message" "$(q 'SELECT count(*) FROM report WHERE mbox_offset = 0')" 0

done_tests
