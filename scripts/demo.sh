#!/bin/sh
# demo.sh -- build tamis and run its main job on the embedded defaults:
# compile the sample user script (contrib/sample/sample.sieve) to bytecode
# and run it on a sample message, printing what delivery would do.
# No configuration file and no root setup are needed beyond the build
# dependencies, which are installed when missing.
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh build
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
mkdir -p demo
cp contrib/sample/sample.sieve demo/dovecot.sieve
echo "--- sievec demo/dovecot.sieve (binary cached as demo/dovecot.svbin)"
build/sieve/sievec demo/dovecot.sieve
echo "--- sieve-test -t demo/dovecot.svbin contrib/sample/message.eml"
build/sieve/sieve-test -t demo/dovecot.svbin contrib/sample/message.eml
