#!/bin/sh
# run-suite.sh DIR [BUILD] -- run every .svtest file under DIR through
# sieve-testsuite and count files passed and failed. Files under a
# "failures/" folder must fail cleanly (-F). Used to measure conformance
# against an external suite such as Pigeonhole's tests/ folder (kept
# outside this repository). Prints one line per failed file and
# "N passed, M failed"; -v prints the failing output too.
set -u
verbose=0
[ "${1:-}" = -v ] && { verbose=1; shift; }
dir=${1:?usage: run-suite.sh [-v] DIR [BUILD]}
build=${2:-$(dirname "$0")/../build}
bin=$build/sieve/sieve-testsuite
pass=0
fail=0
for f in $(find "$dir" -name '*.svtest' | sort); do
	flags=""
	case "$f" in */failures/*) flags=-F ;; esac
	out=$(timeout 60 "$bin" $flags "$f" 2>&1)
	rc=$?
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL ($rc): ${f#$dir/}"
		[ $verbose -eq 1 ] && echo "$out" | grep -v ": ok$" | sed 's/^/    /' | head -20
	fi
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
