#!/bin/sh
# faults.sh BUILD SRC -- deliver under failure: full disk, I/O errors,
# kill -9 at random points. Never exit 0 without the message on disk,
# never a partial message in new/ or cur/.
set -u
B=$1
S=$2
. "$S/tests/lda/env.inc"
SHIM=$B/tests/libfaultinject.so
printf 'require ["fileinto", "copy"];\nfileinto :copy "Work";\n' > "$T/home/jdoe/.dovecot.sieve"
mkdir -p "$JD/.Work/new" "$JD/.Work/cur" "$JD/.Work/tmp" "$JD/new" "$JD/cur" "$JD/tmp"
# no partial or stray file in new/ cur/ of INBOX and Work
clean() {
	[ "$(count "$JD")" -eq "$1" ] && [ "$(count "$JD/.Work")" -eq "$1" ]
}

if [ -f "$SHIM" ]; then
	for f in write:ENOSPC write:EDQUOT write:EIO fsync:EIO link:EIO; do
		msg "f$f" "fault $f" > "$T/m"
		LD_PRELOAD=$SHIM TAMIS_FAULT=$f "$DELIVER" -c "$T/tamis.conf" -d jdoe@example.com < "$T/m" 2>>"$T/stderr"
		expect_eq "$?" 75 "$f: exit 75"
		clean 0 && check ok "$f: nothing stored" || { check no "$f: nothing stored"; ls -R "$JD"; }
	done
	# a failure at the second mailbox (after the first is placed) rolls back
	msg roll "rollback" > "$T/m"
	LD_PRELOAD=$SHIM TAMIS_FAULT=link:EIO TAMIS_FAULT_AFTER=1 "$DELIVER" -c "$T/tamis.conf" -d jdoe@example.com < "$T/m" 2>>"$T/stderr"
	expect_eq "$?" 75 "late failure: exit 75"
	clean 0 && check ok "late failure: first mailbox rolled back" || { check no "late failure: first mailbox rolled back"; ls -R "$JD"; }
else
	echo "note: $SHIM not built (sanitizer build): injected I/O faults not run"
fi

# the message then goes through when the disk is fine again
msg ok "fine" | deliver jdoe@example.com
expect_eq "$(rc)" 0 "after faults: exit 0"
clean 1 && check ok "after faults: stored once in each" || check no "after faults: stored once in each"

# kill -9 at random points of a 20 MB delivery
python3 -c "
import sys
sys.stdout.write('From: a@b.c\nTo: jdoe@example.com\nSubject: big\nMessage-ID: <big@x>\n\n')
line = 'x' * 76 + '\n'
sys.stdout.write(line * (20 * 1024 * 1024 // 77))
" > "$T/big"
size=$(wc -c < "$T/big")
bad=0
zero_without=0
i=0
while [ $i -lt 12 ]; do
	before=$(count "$JD")
	( exec "$DELIVER" -c "$T/tamis.conf" -d jdoe@example.com -p "$T/big" 2>/dev/null ) &
	pid=$!
	sleep "0.0$((i * 7 % 10))$((i % 10))"
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	st=$?
	after=$(count "$JD")
	if [ $st -eq 0 ] && [ "$after" -le "$before" ]; then zero_without=$((zero_without + 1)); fi
	for f in "$JD"/new/* "$JD"/cur/*; do
		[ -f "$f" ] || continue
		case $f in *big*|*) ;; esac
		s=$(wc -c < "$f")
		if [ "$s" -ne "$size" ] && [ "$s" -gt 1000 ]; then bad=$((bad + 1)); fi
	done
	i=$((i + 1))
done
expect_eq "$bad" 0 "kill -9: no partial message visible"
expect_eq "$zero_without" 0 "kill -9: never exit 0 without the message"

finish
