#!/bin/sh
# run.sh NAME FUZZER SIEVEC CORPUS_DIR WORK_DIR -- a short fuzzing run.
# Seeds: every .sieve and .svtest file of rfc-corpus/ (as scripts) or their
# compiled binaries (for the binary loader). FUZZ_SECONDS (default 30).
set -eu
name=$1 fuzzer=$2 sievec=$3 corpus=$4 work=$5
seeds="$work/seeds-$name"
rm -rf "$seeds"
mkdir -p "$seeds"
find "$corpus" -name '*.sieve' -o -name '*.svtest' | while read -r f; do
	base=$(echo "$f" | sed 's|/|_|g')
	if [ "$name" = fuzz_binary ]; then
		"$sievec" "$f" "$seeds/$base.svbin" 2>/dev/null || true
	else
		cp "$f" "$seeds/$base"
	fi
done
exec "$fuzzer" -max_total_time="${FUZZ_SECONDS:-30}" -max_len=65536 \
	-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "$seeds"
