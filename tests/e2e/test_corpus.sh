#!/bin/bash
# SPDX-License-Identifier: MIT
# Optional: the real reports of ../shared/corpus, checked against its
# MANIFEST.tsv.  Every file either ingests with exactly the manifest's
# record and message counts, or (rows marked invalid) fails cleanly and is
# recorded, except a mail holding no report at all, which is counted as
# without report.  Skipped (exit 77) when the corpus is absent.
. "$(dirname "$0")/lib.sh"
set -e

C=${DM_CORPUS:-}
if [ -z "$C" ] || [ ! -f "$C/MANIFEST.tsv" ]; then
	echo "corpus not found (DM_CORPUS=$C): skipped"
	exit 77
fi

n=0
# tabs become \037 so that empty columns survive read (tab is IFS whitespace)
while IFS=$'\037' read -r file _repo _path _lic format _schema expected _org _dom recs msgs; do
	[ "$file" = file ] && continue
	n=$((n + 1))
	fresh_db
	ingest --json "$C/$file"
	if [ "$expected" = invalid ] && [ "$format" = eml ] && [ "$RC" = 0 ]; then
		# a message without any report: skipped, not failed
		expect_eq "$file without report" "$(json messages_without_report)" 1
		expect_eq "$file nothing stored" "$(q 'SELECT count(*) FROM report')" 0
		expect_eq "$file no failure" "$(q 'SELECT count(*) FROM ingest_failure')" 0
	elif [ "$expected" = invalid ]; then
		expect_rc "$file (invalid)" 1
		expect_eq "$file failure recorded" "$(q 'SELECT count(*) FROM ingest_failure')" 1
		expect_eq "$file nothing stored" "$(q 'SELECT count(*) FROM report')" 0
		expect_eq "$file one error line" "$(printf '%s\n' "$ERR" | grep -vc ': warning: ')" 1
	else
		expect_rc "$file ($expected)" 0
		expect_eq "$file records" "$(json records_new)" "$recs"
		expect_eq "$file messages" "$(json messages_new)" "$msgs"
		expect_eq "$file failed" "$(json failed)" 0
		if [ "$format" = eml ]; then
			expect_eq "$file message scanned" "$(json messages_scanned)" 1
			expect_eq "$file Message-ID kept" "$(q 'SELECT count(*) FROM report WHERE message_id IS NULL')" 0
		fi
	fi
done < <(tr '\t' '\037' <"$C/MANIFEST.tsv")
echo "$n corpus files checked"
done_tests
