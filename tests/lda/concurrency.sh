#!/bin/sh
# concurrency.sh BUILD SRC -- 8 deliverers in parallel, 1,000 messages into
# one Maildir (with a Sieve script, duplicate tracking and a folder): all
# present, none twice.
set -u
B=$1
S=$2
. "$S/tests/lda/env.inc"
N=${TAMIS_CONC_MESSAGES:-1000}
P=8
cat > "$T/home/jdoe/.dovecot.sieve" <<'EOT'
require ["fileinto", "duplicate", "mailbox"];
if duplicate { discard; stop; }
if header :contains "subject" "odd" { fileinto :create "Odd"; }
EOT
worker() {
	w=$1
	i=$w
	while [ $i -lt $N ]; do
		if [ $((i % 2)) -eq 1 ]; then s="odd $i"; else s="even $i"; fi
		msg "c$i" "$s" | "$DELIVER" -c "$T/tamis.conf" -d jdoe@example.com 2>>"$T/err.$w" || echo "fail $i" >> "$T/fails"
		i=$((i + P))
	done
}
w=0
while [ $w -lt $P ]; do
	worker $w &
	w=$((w + 1))
done
wait
[ ! -s "$T/fails" ] && check ok "every delivery exited 0" || { check no "every delivery exited 0"; head "$T/fails"; cat "$T"/err.* | head; }
total=$(( $(count "$JD") + $(count "$JD/.Odd") ))
expect_eq "$total" "$N" "all $N messages stored"
expect_eq "$(count "$JD/.Odd")" $((N / 2)) "odd ones in Odd"
dups=$(cat "$JD"/new/* "$JD"/.Odd/new/* 2>/dev/null | grep '^Message-ID:' | sort | uniq -d | wc -l)
expect_eq "$dups" 0 "none twice"
# every Message-ID is now tracked: a second round is all discarded
msg c7 "odd 7" | deliver jdoe@example.com
expect_eq "$(count "$JD/.Odd")" $((N / 2)) "tracked under concurrency: redelivery discarded"
finish
