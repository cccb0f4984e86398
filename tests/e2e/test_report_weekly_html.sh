#!/bin/bash
# SPDX-License-Identifier: MIT
# dmarc-report weekly --format html and --mail: golden files (today pinned,
# so the Date, the Message-ID and the MIME boundary are fixed), figures in
# the HTML checked against raw SQL, hostile reporter names escaped, no
# script and no external resource, the whole document well-formed XML for
# libxml2 (xmllint), the mail's headers and MIME structure; then headless
# Chromium renders the page to a PNG (tests/tools/png-colors decodes it):
# not blank, the chart's blue (passing) and orange (failing) bars spread
# over the days.  Only the Chromium part is skipped (77) when Chromium is
# not installed.  UPDATE_GOLDEN=1 rewrites the golden files.
. "$(dirname "$0")/lib.sh"
set -e
: "${DMARC_REPORT:?DMARC_REPORT must name the dmarc-report binary}"
: "${PNG_COLORS:?PNG_COLORS must name the png-colors tool}"
GOLD="$DM_TEST_DATA/report-weekly"

# golden: WHAT FILE: $T/out against $GOLD/FILE
golden() {
	if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
		cp "$T/out" "$GOLD/$2"
	fi
	CHECKS=$((CHECKS + 1))
	if ! diff -u "$GOLD/$2" "$T/out" >"$T/diff"; then
		fail "$1: differs from $2: $(head -20 "$T/diff")"
	fi
}

# xpath EXPR: a value from the HTML in $T/page.html, read as XML
xpath() {
	xmllint --xpath "$1" "$T/page.html" 2>/dev/null || true
}

# ---- the golden files, on the hand-checked fixtures of test_report_weekly
ingest "$DM_TEST_DATA/report-policy"
expect_rc "ingest the fixtures" 0
export DMARC_NOW=2025-04-20
report weekly --format html
expect_rc "html: domains need attention" 1
golden "html" weekly.html
cp "$T/out" "$T/page.html"
expect_eq "html is well-formed XML" "$(xmllint --noout "$T/page.html" 2>&1)" ""
expect_eq "one chart per domain" "$(grep -c '<svg ' "$T/page.html")" 4
# weekly.example, as test_report_weekly works it out: 435 messages, 405
# pass; per day 04-13 Alpha 200 + Beta 110 (10 failing) = 310, 300 pass,
# 96.8%; 04-19 Alpha 100 + 20 + 5 = 125, 105 pass, 84.0%
expect_eq "raw 04-13 and 04-19" "$(q "SELECT group_concat(m || '/' || p, ' ') FROM (SELECT sum(message_count) m, sum(dmarc_pass) p FROM report WHERE domain = 'weekly.example' AND date_begin >= strftime('%s', '2025-04-13') AND date_begin < strftime('%s', '2025-04-20') GROUP BY date_begin / 86400 ORDER BY date_begin)")" \
    "310/300 125/105"
sed -n '/<h2[^>]*>weekly\.example /,$p' "$T/page.html" >"$T/wk.html"
expect_match "weekly.example: this week" "$(cat "$T/wk.html")" '>Messages</td><td [^>]*>435</td><td [^>]*>330</td><td [^>]*>\+31\.8%</td>'
expect_match "weekly.example: 04-13 in the day table" "$(cat "$T/wk.html")" '>310<br/>96\.8%</td>'
expect_match "weekly.example: 04-19 in the day table" "$(cat "$T/wk.html")" '>125<br/>84\.0%</td>'
expect_match "weekly.example: the policy change, marked" "$(cat "$T/wk.html")" '<title>2025-04-13: p none -&gt; quarantine</title><line '
expect_match "the stale domain says so" "$(cat "$T/page.html")" '<li>no reports since 2025-03-27 \(24 days\)</li>'

report weekly --mail --to 'Postmaster <postmaster@example.org>' --from dmarc-report@example.org
expect_rc "mail: domains need attention" 1
golden "mail" weekly.eml
# the header, folded lines joined
headers() { sed '/^$/q' "$T/out" | sed -e ':a' -e 'N' -e '$!ba' -e 's/\n[ \t]\+/ /g'; }
id=$(headers | sed -n 's/^Message-Id: <weekly\.20250420\.\([0-9a-f]\{24\}\)@example\.org>$/\1/p')
expect_match "mail: Message-ID from the content" "$id" '^[0-9a-f]{24}$'
expect_eq "mail headers" "$(headers)" \
"Date: Sun, 20 Apr 2025 00:00:00 +0000
From: dmarc-report@example.org
Subject: DMARC weekly: drop.example, policy.example, weekly.example need attention (3 of 4 domains)
To: Postmaster <postmaster@example.org>
Message-Id: <weekly.20250420.$id@example.org>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary=\"=-weekly-$id\""
expect_eq "mail: text then html, UTF-8" "$(grep -i -e '^Content-Type:' -e '^--' "$T/out" | sed 1d | tr '\n' '|')" \
    "--=-weekly-$id|Content-Type: text/plain; charset=utf-8|--=-weekly-$id|Content-Type: text/html; charset=utf-8|--=-weekly-$id--|"
expect_eq "mail: no line over 998" "$(awk 'length > 998' "$T/out" | wc -l)" 0
report weekly --mail --domain ok.example
expect_rc "mail, all good" 0
expect_eq "mail defaults" "$(headers | grep -E '^(From|To|Subject):')" \
"From: dmarc-report@ok.example
Subject: DMARC weekly: ok.example all good
To: postmaster@ok.example"
report weekly --mail --to 'not an address'
expect_rc "mail: a bad --to" 2
expect_eq "mail: a bad --to says why" "$ERR" "dmarc-report: --to 'not an address' is not a mail address (or a comma-separated list of them)"
report weekly --mail --format html
expect_rc "mail with --format" 2
report summary --format html
expect_rc "html is for weekly" 2

# ---- hostile names, over 8 weeks of generated reports
fresh_db
"$DMARC_GEN" -o "$T/gen" -n 48 -f xml --start 2025-05-01 -s 5 2>/dev/null
f="$T/gen/enterprise.protection.outlook.com!example.com!1746403200!1746489600.xml"
sed -e 's|<org_name>Enterprise Outlook</org_name>|<org_name>\&lt;script\&gt;alert("x")\&lt;/script\&gt; \&amp; Co'"'"'s \&lt;img src=//evil.example/x.png\&gt;</org_name>|' \
    -e 's|<report_id>|<report_id>evil-|' "$f" >"$T/gen/evil.xml"
ingest "$T/gen"
expect_rc "ingest generated" 0
export DMARC_NOW=2025-05-17
report weekly --format html
cp "$T/out" "$T/page.html"
expect_eq "generated html is well-formed XML" "$(xmllint --noout "$T/page.html" 2>&1)" ""
expect_eq "no script, image, link, frame, object, style sheet" \
    "$(xpath "count(//*[local-name()='script' or local-name()='img' or local-name()='link' or local-name()='iframe' or local-name()='object' or local-name()='embed' or local-name()='style'])")" 0
expect_eq "no src or href: nothing fetched" "$(xpath "count(//@src | //@href | //@*[local-name()='href'])")" 0
expect_match "the hostile reporter, escaped" "$(cat "$T/page.html")" \
    "<li>&lt;script&gt;alert\(&quot;x&quot;\)&lt;/script&gt; &amp; Co&#39;s &lt;img src=//evil\.example/x\.png&gt;: last report 2025-05-05"
expect_eq "the hostile reporter, as text" "$(xpath "string(//*[local-name()='li'][contains(., 'evil.example')])" | cut -d: -f1)" \
    "<script>alert(\"x\")</script> & Co's <img src=//evil.example/x.png>"

# ---- a real browser
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
	echo "SKIP: the browser part: chromium is not installed (scripts/deps.sh installs it)"
	done_tests || exit 1
	exit 77
fi
mkdir "$T/profile"
# no network: a file URL, and every proxy pointed at nothing
set +e
timeout 120 "$CHROMIUM" --headless --disable-gpu --no-sandbox \
    --user-data-dir="$T/profile" --no-first-run --disable-extensions \
    --proxy-server=127.0.0.1:9 --hide-scrollbars --window-size=760,1000 \
    --screenshot="$T/page.png" "file://$T/page.html" >"$T/chromium.log" 2>&1
RC=$?
set -e
expect_eq "chromium renders (log: $(tail -3 "$T/chromium.log"))" "$RC" 0
"$PNG_COLORS" "$T/page.png" 0072B2 E69F00 >"$T/colors"
expect_eq "png size" "$(sed -n 's/^size //p' "$T/colors")" "760 1000"
# not blank: the text and the chart cover more than 5% of the page
nonwhite=$(sed -n 's/^nonwhite //p' "$T/colors")
expect_eq "not blank ($nonwhite pixels)" "$((nonwhite > 760 * 1000 / 20))" 1
# bars: blue and orange over many days (the legend's swatches are 12x12,
# the status badges use neither colour)
read -r _ blue bx0 _ bx1 _ < <(grep '^0072B2' "$T/colors")
read -r _ orange ox0 _ ox1 _ < <(grep '^E69F00' "$T/colors")
expect_eq "blue bars ($blue pixels, x $bx0..$bx1)" "$((blue > 1000 && bx1 - bx0 > 120))" 1
expect_eq "orange bars ($orange pixels, x $ox0..$ox1)" "$((orange > 500 && ox1 - ox0 > 120))" 1

done_tests
