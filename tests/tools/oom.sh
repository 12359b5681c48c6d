#!/bin/sh
# oom.sh BUILD SRC -- fault injection: make the Nth allocation fail for N
# along the whole compile and run path of sievec and sieve-test. Every run
# must end with success (0) or EX_TEMPFAIL (75, so the MTA retries), never
# a crash, and a failed sievec must leave no binary behind.
set -u
B=$1
S=$2
. "$S/tests/tools/check.inc"
# an out-of-memory exit is abrupt by design: leaks at that exit are not
# errors
ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"
export ASAN_OPTIONS
cp "$S/contrib/sample/sample.sieve" "$T/s.sieve"
"$B/sieve/sievec" "$T/s.sieve" "$T/good.svbin"
n=1
tempfails=0
while [ $n -le 400 ]; do
	rm -f "$T/s.svbin"
	TAMIS_ALLOC_FAIL_AFTER=$n "$B/sieve/sievec" "$T/s.sieve" "$T/s.svbin" \
		>/dev/null 2>&1
	rc=$?
	case $rc in
	0) check ok "sievec n=$n" ;;
	75) tempfails=$((tempfails + 1))
	    [ ! -e "$T/s.svbin" ] && check ok "no binary n=$n" ||
		check no "partial binary left at n=$n" ;;
	*) check no "sievec n=$n exit $rc" ;;
	esac
	TAMIS_ALLOC_FAIL_AFTER=$n "$B/sieve/sieve-test" "$T/good.svbin" \
		"$S/contrib/sample/message.eml" >/dev/null 2>&1
	rc=$?
	case $rc in
	0|75) check ok "sieve-test n=$n" ;;
	*) check no "sieve-test n=$n exit $rc" ;;
	esac
	n=$((n + 3))
done
# the injection must really have hit: some runs fail with 75
[ $tempfails -gt 10 ] && check ok "faults were injected" || check no "faults were injected ($tempfails)"
echo "$pass passed, $fails failed"
[ "$fails" -eq 0 ]
