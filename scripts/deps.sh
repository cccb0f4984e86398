#!/bin/sh
# SPDX-License-Identifier: MIT
# deps.sh: installs the Debian/Ubuntu packages dmarc-tools needs to build
# and test, with apt-get (through sudo when not root).  Packages already
# installed are not fetched again.
set -eu

PACKAGES="build-essential cmake pkg-config libxml2-dev zlib1g-dev libzip-dev
libsqlite3-dev libssl-dev libgmime-3.0-dev libc-ares-dev libpsl-dev libidn2-dev sqlite3 zip gzip libxml2-utils time bc
openssl man-db libcurl4-openssl-dev dovecot-imapd
clang libclang-rt-dev libmaxminddb-dev"
# For tests/e2e/test_export_clickhouse.sh alone (a private server the test
# starts); not every release carries them, so their absence only skips it.
OPTIONAL="clickhouse-server clickhouse-client"
# For tests/e2e/test_report_weekly_html.sh's browser part (headless Chromium
# renders the weekly HTML); Debian packages it, Ubuntu only as a snap: where
# it cannot be installed that part is skipped.
BROWSER="chromium"

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"
}
missing=""
for p in $PACKAGES; do
	installed "$p" || missing="$missing $p"
done
optional=""
for p in $OPTIONAL; do
	installed "$p" || optional="$optional $p"
done
browser=""
for p in $BROWSER; do
	installed "$p" || browser="$browser $p"
done
[ -z "$missing" ] && [ -z "$optional" ] && [ -z "$browser" ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
echo "installing:$missing$optional$browser" >&2
$SUDO apt-get update -qq
if [ -n "$missing" ]; then
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
if [ -n "$optional" ]; then
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $optional >/dev/null ||
	    echo "deps.sh: could not install$optional: test_export_clickhouse will be skipped" >&2
fi
if [ -n "$browser" ]; then
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $browser >/dev/null ||
	    echo "deps.sh: could not install$browser: test_report_weekly_html skips its browser part" >&2
fi
