#!/bin/sh
# deps.sh -- install the Debian packages tamis needs to build and test,
# only those that are missing. Safe to run again. Needs root (or sudo) the
# first time on a fresh machine.
set -eu

BUILD_PKGS="build-essential cmake pkg-config check libpcre2-dev libxml2-dev
libldap-dev libssl-dev nettle-dev"
TEST_PKGS="valgrind clang python3"

want="${1:-all}"
case "$want" in
build) pkgs="$BUILD_PKGS" ;;
*) pkgs="$BUILD_PKGS $TEST_PKGS" ;;
esac

missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "deps.sh: installing:$missing" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null 2>&1 && SUDO="sudo" || {
		echo "deps.sh: need root to install:$missing" >&2
		exit 1
	}
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
