#!/bin/sh
# tamisconf.sh BUILD SRC -- tamisconf seen from outside: -n output in
# Dovecot's layout that reads back the same, -a, key look-ups with and
# without -h, warnings, exit 78 with file:line on errors, TAMIS_CONFIG.
set -u
B=$1
S=$2
TC=$B/common/tamisconf
D=$S/tests/unit/data/config
. "$S/tests/tools/check.inc"

# 1. -n on the syntax file: valid, only non-defaults, sections indented
"$TC" -c "$D/syntax.conf" > "$T/n.out" 2> "$T/n.err"
expect_eq "$?" 0 "syntax.conf valid"
expect_eq "$(cat "$T/n.err")" "" "no warnings"
grep -q '^hostname = mx2.example.org$' "$T/n.out" && check ok "-n value" || check no "-n value"
grep -q '^recipient_delimiter' "$T/n.out" && check no "-n hides defaults" || check ok "-n hides defaults"
grep -q '^  mailbox "Sent Messages" {$' "$T/n.out" && check ok "quoted arg" || check no "quoted arg"
grep -q '^    special_use = \\Sent$' "$T/n.out" && check ok "indent 4" || check no "indent 4"
grep -q '^sendmail_path = "/usr/sbin/send\\"mail\\\\x # not a comment"$' "$T/n.out" \
	&& check ok "value quoted on output" || check no "value quoted on output"

# 2. the output reads back to the same output
"$TC" -c "$T/n.out" > "$T/n2.out" 2>&1
expect_eq "$?" 0 "output re-reads"
cmp -s "$T/n.out" "$T/n2.out" && check ok "round trip" || check no "round trip"

printf 'submission_host = "$mail_plugins # x"\nhostname = " a"\nplugin {\n  x = "b }"\n}\n' > "$T/q.conf"
"$TC" -c "$T/q.conf" > "$T/q1.out" && "$TC" -c "$T/q1.out" > "$T/q2.out"
expect_eq "$?" 0 "quoted output re-reads"
cmp -s "$T/q1.out" "$T/q2.out" && check ok "quoted round trip" || check no "quoted round trip"
expect_eq "$("$TC" -c "$T/q1.out" -h submission_host hostname plugin/x)" '$mail_plugins # x
 a
b }' "quoted values survive"

# 3. -a lists every known setting with defaults
"$TC" -a -c "$D/syntax.conf" > "$T/a.out"
grep -q '^recipient_delimiter = +$' "$T/a.out" && check ok "-a default" || check no "-a default"
grep -q '^sieve_vacation_default_period = 7d$' "$T/a.out" && check ok "-a sieve default" || check no "-a sieve default"
grep -q '^hostname = mx2.example.org$' "$T/a.out" && check ok "-a value" || check no "-a value"

# 4. keys
expect_eq "$("$TC" -c "$D/syntax.conf" -h hostname recipient_delimiter plugin/sieve_global)" \
	"mx2.example.org
+
/etc/sieve" "-h values"
expect_eq "$("$TC" -c "$D/syntax.conf" sieve_dir)" "sieve_dir = ~/sieve" "key = value"
"$TC" -c "$D/syntax.conf" nosuchkey > /dev/null 2>&1
expect_eq "$?" 78 "unknown key exit"

# 5. errors: exit 78, file:line on stderr, nothing on stdout
printf 'mail_uid = 1\nmial_gid = 2\n' > "$T/bad.conf"
"$TC" -c "$T/bad.conf" > "$T/bad.out" 2> "$T/bad.err"
expect_eq "$?" 78 "error exit 78"
expect_eq "$(cat "$T/bad.err")" "tamisconf: $T/bad.conf:2: unknown setting 'mial_gid' (did you mean 'mail_gid'?)" "error text"
expect_eq "$(cat "$T/bad.out")" "" "no output on error"
"$TC" -c "$T/none.conf" > /dev/null 2>&1
expect_eq "$?" 78 "missing file exit 78"

# 6. warnings do not fail; TAMIS_CONFIG is the default file
printf 'pop3_lock_session=no\n' > "$T/warn.conf"
TAMIS_CONFIG="$T/warn.conf" "$TC" > "$T/w.out" 2> "$T/w.err"
expect_eq "$?" 0 "warning exit 0"
grep -q "warn.conf:1: warning: setting 'pop3_lock_session': known Dovecot setting, not used by tamis" "$T/w.err" \
	&& check ok "warning text" || check no "warning text"

# 7. usage
"$TC" -x > /dev/null 2>&1
expect_eq "$?" 64 "usage exit"

echo "tamisconf: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
