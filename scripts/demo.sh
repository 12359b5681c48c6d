#!/bin/sh
# demo.sh -- build tamis and run its main job on the embedded defaults:
# deliver a sample message through a sample user script into a Maildir,
# exactly as Postfix would run deliver, in a scratch home under demo/.
# No configuration file and no root setup are needed beyond the build
# dependencies, which are installed when missing.
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh build
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)" >/dev/null

H=$PWD/demo/home
rm -rf demo
mkdir -p "$H"
cp contrib/sample/sample.sieve "$H/.dovecot.sieve"
# Dovecot refuses uids under first_valid_uid (500), root included; the
# demo runs as whoever you are, so lower it when that is root.
uidopt=""
[ "$(id -u)" -lt 500 ] && uidopt="-o first_valid_uid=0"

echo "--- what the script does with the sample message (sieve-test -t)"
build/sieve/sieve-test -t "$H/.dovecot.sieve" contrib/sample/message.eml

echo
echo "--- deliver it: HOME=$H deliver -f alice@example.net < message.eml"
# shellcheck disable=SC2086
HOME=$H build/lda/deliver $uidopt -o log_path=/dev/stderr \
	-f alice@example.net < contrib/sample/message.eml
echo "exit status $? (0: stored durably)"

echo
echo "--- and a message the script does not file (implicit keep: INBOX)"
sed 's/ \[SPAM\]//' contrib/sample/message.eml |
	HOME=$H build/lda/deliver $uidopt -o log_path=/dev/stderr \
		-f alice@example.net
echo
echo "--- the Maildir ($H/Maildir) and the cached binary"
find "$H" -type f | sed "s|$PWD/||" | sort
