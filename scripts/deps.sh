#!/bin/sh
# SPDX-License-Identifier: MIT
# deps.sh: installs the Debian/Ubuntu packages dmarc-tools needs to build
# and test, with apt-get (through sudo when not root).  Packages already
# installed are not fetched again.
set -eu

PACKAGES="build-essential cmake pkg-config libxml2-dev zlib1g-dev libzip-dev
libsqlite3-dev libssl-dev libgmime-3.0-dev libc-ares-dev libpsl-dev sqlite3 zip gzip libxml2-utils time bc
clang libclang-rt-dev libmaxminddb-dev clickhouse-server clickhouse-client"

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
	    missing="$missing $p"
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
echo "installing:$missing" >&2
$SUDO apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
