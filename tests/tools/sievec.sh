#!/bin/sh
# sievec.sh BUILD SRC -- sievec and sieve-test behaviour seen from outside:
# binaries, determinism, compiler-style errors, corrupt binaries, the
# canonical action output.
set -u
B=$1
S=$2
SIEVEC=$B/sieve/sievec
TEST=$B/sieve/sieve-test
. "$S/tests/tools/check.inc"

cp "$S/contrib/sample/sample.sieve" "$T/s.sieve"

# 1. compile writes s.svbin; twice gives the same bytes
"$SIEVEC" "$T/s.sieve" && check ok compile || check no compile
[ -s "$T/s.svbin" ] && check ok "binary written" || check no "binary written"
cp "$T/s.svbin" "$T/first.svbin"
"$SIEVEC" "$T/s.sieve" "$T/second.svbin"
cmp -s "$T/first.svbin" "$T/second.svbin" && check ok deterministic || check no deterministic

# 1b. a device as output is written into, never replaced by a file
"$SIEVEC" "$T/s.sieve" /dev/null && [ -c /dev/null ] && check ok "sievec to /dev/null keeps the device" || check no "sievec to /dev/null keeps the device"

# 2. the sample on the sample message: Subject has [SPAM]
out=$("$TEST" "$T/s.svbin" "$S/contrib/sample/message.eml")
expect_eq "$out" 'fileinto :create "Spam"' "sample actions from binary"
out=$("$TEST" "$T/s.sieve" "$S/contrib/sample/message.eml")
expect_eq "$out" 'fileinto :create "Spam"' "sample actions from source"

# 3. trace says why
"$TEST" -t "$T/s.sieve" "$S/contrib/sample/message.eml" > "$T/trace"
grep -q 'header test: true' "$T/trace" && check ok "trace shows true test" || check no "trace shows true test"
grep -q 'header test: false' "$T/trace" && check ok "trace shows false test" || check no "trace shows false test"

# 4. every error in one run, compiler style, exit 1
cat > "$T/bad.sieve" <<'X'
require "fileinto";
filinto "a";
if header :is "subject" {
  keep;
}
fileinto :bogus "x";
X
"$SIEVEC" "$T/bad.sieve" 2> "$T/err"; rc=$?
expect_eq "$rc" 1 "exit 1 on errors"
n=$(grep -c ': error: ' "$T/err")
expect_eq "$n" 3 "three errors reported"
grep -q "bad.sieve:2:1: error: unknown command 'filinto' (did you mean 'fileinto'?)" "$T/err" && check ok "did you mean" || { check no "did you mean"; cat "$T/err"; }
grep -q "bad.sieve:3:4: error:" "$T/err" && check ok "line:col of test" || check no "line:col of test"
[ ! -e "$T/bad.svbin" ] && check ok "no binary on error" || check no "no binary on error"

# 5. a corrupt binary is refused cleanly, never run
head -c 40 "$T/first.svbin" > "$T/trunc.svbin"
"$TEST" "$T/trunc.svbin" "$S/contrib/sample/message.eml" > "$T/out" 2> "$T/err"; rc=$?
expect_eq "$rc" 1 "truncated binary refused"
grep -q "truncated\|corrupt\|checksum" "$T/err" && check ok "truncated reason" || { check no "truncated reason"; cat "$T/err"; }
cp "$T/first.svbin" "$T/flip.svbin"
printf '\377' | dd of="$T/flip.svbin" bs=1 seek=60 conv=notrunc 2>/dev/null
"$TEST" "$T/flip.svbin" "$S/contrib/sample/message.eml" > "$T/out" 2> "$T/err"; rc=$?
expect_eq "$rc" 1 "flipped byte refused"
grep -q "checksum" "$T/err" && check ok "checksum reason" || { check no "checksum reason"; cat "$T/err"; }

# 6. -d dumps, -x disables an extension
"$SIEVEC" -d "$T/s.sieve" > "$T/dump"
grep -q "FILEINTO" "$T/dump" && check ok "dump shows ops" || check no "dump shows ops"
"$SIEVEC" -x "-fileinto" "$T/s.sieve" "$T/x.svbin" 2> "$T/err"; rc=$?
expect_eq "$rc" 1 "-x -fileinto makes require fail"
grep -q "unsupported extension 'fileinto'" "$T/err" && check ok "-x message" || { check no "-x message"; cat "$T/err"; }

# 7. -c: Sieve settings read from a Dovecot-syntax file (plugin { })
printf 'plugin {\n  sieve_max_actions = 2\n  sieve_extensions = -envelope\n}\n' > "$T/t.conf"
printf 'require "fileinto";\nfileinto "a"; fileinto "b"; fileinto "c";\n' > "$T/three.sieve"
out=$("$TEST" -c "$T/t.conf" "$T/three.sieve" "$S/contrib/sample/message.eml" 2> "$T/err")
expect_eq "$out" 'keep :implicit' "sieve_max_actions from config: implicit keep"
grep -q "exceeds policy limit (max 2)" "$T/err" && check ok "action limit message" || { check no "action limit message"; cat "$T/err"; }
"$SIEVEC" -c "$T/t.conf" "$T/s.sieve" "$T/y.svbin" 2> "$T/err"; rc=$?
expect_eq "$rc" 1 "sieve_extensions from config"
printf 'sieve_max_actoins = 3\n' > "$T/bad.conf"
"$SIEVEC" -c "$T/bad.conf" "$T/s.sieve" "$T/y.svbin" 2> "$T/err"; rc=$?
expect_eq "$rc" 78 "bad config: EX_CONFIG"
grep -q "bad.conf:1:" "$T/err" && check ok "config error position" || { check no "config error position"; cat "$T/err"; }

# 8. imap4flags (RFC 5232) and copy (RFC 3894) in the action output
cat > "$T/flags.sieve" <<'EOS'
require ["fileinto", "imap4flags", "copy"];
setflag "\\seen";
fileinto :copy :flags "\\flagged $Work \\FLAGGED \\Bogus" "Work";
fileinto :copy "Archive";
addflag "$Later";
EOS
out=$("$TEST" "$T/flags.sieve" "$S/contrib/sample/message.eml" 2> "$T/err")
expect_eq "$out" 'fileinto :copy :flags ["\\Flagged", "$Work"] "Work"
fileinto :copy :flags ["\\Seen"] "Archive"
keep :implicit :flags ["\\Seen", "$Later"]' "fileinto :flags, :copy, implicit keep flags"
grep -q "warning: IMAP flag '\\\\Bogus'" "$T/err" && check ok "invalid flag warned" || { check no "invalid flag warned"; cat "$T/err"; }
printf 'require ["imap4flags"];\nkeep :flags "\\\\Deleted";\n' > "$T/kf.sieve"
out=$("$TEST" "$T/kf.sieve" "$S/contrib/sample/message.eml")
expect_eq "$out" 'keep :flags ["\\Deleted"]' "keep :flags"

echo "$pass passed, $fails failed"
[ "$fails" -eq 0 ]
