#!/bin/sh
# errors.sh BUILD SRC -- a script with errors never costs mail; rejects;
# redirect loops and failures; the binary cache.
set -u
B=$1
S=$2
. "$S/tests/lda/env.inc"
JH=$T/home/jdoe

# 1. syntax error: message in INBOX, errors in ~/.dovecot.sieve.log
printf 'require "fileinto";\nif header :contains "subject" "x" {\n  fileinto "A"\n}\n' > "$JH/.dovecot.sieve"
msg e1 "x" | deliver jdoe@example.com
expect_eq "$(rc)" 0 "compile error: exit 0"
expect_eq "$(count "$JD")" 1 "compile error: kept in INBOX"
grep -q '.dovecot.sieve:3:3: error: missing semicolon' "$JH/.dovecot.sieve.log" && check ok "compile error: log has file:line:col" || { check no "compile error: log has file:line:col"; cat "$JH/.dovecot.sieve.log"; }
[ ! -f "$JH/.dovecot.svbin" ] && check ok "compile error: no binary written" || check no "compile error: no binary written"

# 2. the log stays bounded
i=0
while [ $i -lt 400 ]; do
	printf '%0200d\n' 0 >> "$JH/.dovecot.sieve.log"
	i=$((i + 1))
done
msg e2 "x" | deliver jdoe@example.com
sz=$(wc -c < "$JH/.dovecot.sieve.log")
[ "$sz" -lt 65536 ] && [ -f "$JH/.dovecot.sieve.log.0" ] && check ok "log rotated when over 64k" || check no "log rotated when over 64k ($sz)"

# 3. a runtime error: implicit keep
printf 'require ["fileinto", "variables"];\nfileinto "Nowhere";\nset "a" "not an address";\nredirect "${a}";\n' > "$JH/.dovecot.sieve"
msg e3 "x" | deliver jdoe@example.com
expect_eq "$(rc)" 0 "runtime error: exit 0"
expect_eq "$(count "$JD")" 3 "runtime error: kept in INBOX"
grep -q 'redirect: invalid address' "$JH/.dovecot.sieve.log" && check ok "runtime error: in the user's log" || check no "runtime error: in the user's log"

# 4. reject: a rejection to the sender; with -e: exit 77, nothing sent
printf 'require "reject";\nreject "I do not want this.";\n' > "$JH/.dovecot.sieve"
o0=$(outcount)
msg e4 "spam" bob@example.org | deliver jdoe@example.com -f bob@example.org
expect_eq "$(rc)" 0 "reject: exit 0"
expect_eq "$(outcount)" $((o0 + 1)) "reject: one rejection sent"
grep -q 'I do not want this.' "$T/out/$o0/msg" && check ok "reject: reason in the rejection" || check no "reject: reason in the rejection"
grep -qx 'bob@example.org' "$T/out/$o0/args" && check ok "reject: to the sender" || check no "reject: to the sender"
grep -qx '<>' "$T/out/$o0/args" && check ok "reject: from the null sender" || check no "reject: from the null sender"
expect_eq "$(count "$JD")" 3 "reject: not stored"
msg e5 "spam" | "$DELIVER" -c "$T/tamis.conf" -d jdoe@example.com -e -f bob@example.org 2>"$T/e5.err"
expect_eq "$?" 77 "reject with -e exits 77"
grep -q 'I do not want this.' "$T/e5.err" && check ok "reject -e: reason on stderr" || check no "reject -e: reason on stderr"
expect_eq "$(outcount)" $((o0 + 1)) "reject -e: nothing sent"
msg e6 "spam" | deliver jdoe@example.com -f ""
expect_eq "$(outcount)" $((o0 + 1)) "reject of a bounce (null sender): nothing sent"

# 5. redirect: loop detection, failure falls back to keep, envelope-from setting
printf 'redirect "alice@example.com";\n' > "$JH/.dovecot.sieve"
o0=$(outcount)
msg e7 "fwd" bob@example.org | deliver jdoe@example.com -f bob@example.org
expect_eq "$(outcount)" $((o0 + 1)) "redirect sent"
grep -qi '^X-Sieve-Redirected-From: jdoe@example.com' "$T/out/$o0/msg" && check ok "redirect: trace header" || check no "redirect: trace header"
n0=$(count "$JD")
deliver jdoe@example.com -f bob@example.org < "$T/out/$o0/msg"
expect_eq "$(outcount)" $((o0 + 1)) "redirect loop: not sent again"
expect_eq "$(count "$JD")" $((n0 + 1)) "redirect loop: kept instead"
n0=$(count "$JD")
msg e8 "fwd2" | SENDMAIL_EXIT=1 deliver jdoe@example.com -f bob@example.org
expect_eq "$(rc)" 0 "redirect failure: exit 0"
expect_eq "$(count "$JD")" $((n0 + 1)) "redirect failure: kept in INBOX"
o0=$(outcount)
msg e9 "fwd3" | "$DELIVER" -c "$T/tamis.conf" -o sieve_redirect_envelope_from=recipient -d jdoe@example.com -f bob@example.org 2>/dev/null
grep -qx 'jdoe@example.com' "$T/out/$o0/args" && ! grep -qx 'bob@example.org' "$T/out/$o0/args" && check ok "sieve_redirect_envelope_from = recipient" || check no "sieve_redirect_envelope_from = recipient"
o0=$(outcount)
msg e9b "fwd3b" | "$DELIVER" -c "$T/tamis.conf" -o "sieve_redirect_envelope_from= <fwd@example.net> " -d jdoe@example.com -f bob@example.org 2>/dev/null
grep -qx 'fwd@example.net' "$T/out/$o0/args" && check ok "sieve_redirect_envelope_from = <address>, blanks around" || check no "sieve_redirect_envelope_from = <address>"
o0=$(outcount)
msg e9c "fwd3c" | "$DELIVER" -c "$T/tamis.conf" -o "sieve_redirect_envelope_from=<>" -d jdoe@example.com -f bob@example.org 2>/dev/null
grep -qx '<>' "$T/out/$o0/args" && check ok "sieve_redirect_envelope_from = <>: null sender" || check no "sieve_redirect_envelope_from = <>"
o0=$(outcount)
msg e9d "fwd3d" | "$DELIVER" -c "$T/tamis.conf" -o sieve_redirect_envelope_from=user_email -o sieve_user_email=j.doe@example.net -d jdoe@example.com -f bob@example.org 2>/dev/null
grep -qx 'j.doe@example.net' "$T/out/$o0/args" && check ok "sieve_redirect_envelope_from = user_email" || check no "sieve_redirect_envelope_from = user_email"
grep -qi '^X-Sieve-Redirected-From: j.doe@example.net' "$T/out/$o0/msg" && check ok "trace header names sieve_user_email" || check no "trace header names sieve_user_email"
o0=$(outcount)
msg e9e "fwd3e" | "$DELIVER" -c "$T/tamis.conf" -o "sieve_redirect_envelope_from=<fwd@example.net>" -d jdoe@example.com -f "" 2>/dev/null
grep -qx '<>' "$T/out/$o0/args" && check ok "a bounce is redirected with the null sender, whatever the setting" || check no "null sender kept on redirect"
o0=$(outcount)
n0=$(count "$JD")
printf 'X-Sieve-Redirected-From: j.doe@example.net\nFrom: bob@example.org\nSubject: looped\n\nx\n' | "$DELIVER" -c "$T/tamis.conf" -o sieve_user_email=j.doe@example.net -d jdoe@example.com -f bob@example.org 2>/dev/null
expect_eq "$(outcount)" $o0 "redirect loop on sieve_user_email: not sent"
expect_eq "$(count "$JD")" $((n0 + 1)) "redirect loop on sieve_user_email: kept"
o0=$(outcount)
printf 'X-Sieve-Redirected-From: jdoe@example.com.other\nFrom: bob@example.org\nSubject: not looped\n\nx\n' | deliver jdoe@example.com -f bob@example.org
expect_eq "$(outcount)" $((o0 + 1)) "a longer address in the trace header is no loop"
# notify (enotify, mailto): sent from the null sender, the message kept
printf 'require "enotify";\nnotify :message "you have mail" "mailto:carl@example.net%%2Cdora@example.net";\n' > "$JH/.dovecot.sieve"
o0=$(outcount)
n0=$(count "$JD")
msg n1 "notice" | deliver jdoe@example.com -f bob@example.org
expect_eq "$(outcount)" $((o0 + 1)) "notify: one message sent"
grep -qx 'carl@example.net' "$T/out/$o0/args" && grep -qx 'dora@example.net' "$T/out/$o0/args" && check ok "notify: both mailto recipients" || check no "notify: both mailto recipients"
grep -qx '<>' "$T/out/$o0/args" && check ok "notify: null sender" || check no "notify: null sender"
grep -qi '^Auto-Submitted: auto-notified' "$T/out/$o0/msg" && check ok "notify: auto-notified" || check no "notify: auto-notified"
expect_eq "$(count "$JD")" $((n0 + 1)) "notify: implicit keep"
printf 'Auto-Submitted: auto-replied\nFrom: bob@example.org\nSubject: auto\n\nx\n' | deliver jdoe@example.com -f bob@example.org
expect_eq "$(outcount)" $((o0 + 1)) "notify: none about automatic mail"
printf 'redirect "alice@example.com";\n' > "$JH/.dovecot.sieve"
o0=$(outcount)
msg e10 "fwd4" | "$DELIVER" -c "$T/tamis.conf" -o sieve_redirect_srs_secret=s3cret -o sieve_redirect_srs_domain=example.com -d jdoe@example.com -f bob@example.org 2>/dev/null
grep -q '^SRS0=....=..=example.org=bob@example.com$' "$T/out/$o0/args" && check ok "SRS rewriting" || { check no "SRS rewriting"; cat "$T/out/$o0/args"; }

# 6. the binary cache: reused, recompiled when stale or corrupt
printf 'require "fileinto";\nfileinto "INBOX";\n' > "$JH/.dovecot.sieve"
rm -f "$JH/.dovecot.svbin"
msg c1 x | deliver jdoe@example.com
[ -f "$JH/.dovecot.svbin" ] && check ok "cache written" || check no "cache written"
touch -d '2020-01-01' "$JH/.dovecot.sieve"
cp "$JH/.dovecot.svbin" "$T/svbin.1"
touch -d '2021-01-01' "$JH/.dovecot.svbin"
msg c2 x | deliver jdoe@example.com
[ "$(stat -c %Y "$JH/.dovecot.svbin")" = "$(date -d 2021-01-01 +%s)" ] && check ok "fresh cache reused" || check no "fresh cache reused"
printf 'garbage' > "$JH/.dovecot.svbin"
touch -d '2021-01-01' "$JH/.dovecot.svbin"
n0=$(count "$JD")
msg c3 x | deliver jdoe@example.com
expect_eq "$(rc)" 0 "corrupt cache: exit 0"
cmp -s "$JH/.dovecot.svbin" "$T/svbin.1" && check ok "corrupt cache recompiled" || check no "corrupt cache recompiled"
printf 'require "fileinto";\nfileinto :copy "INBOX";\n' > "$JH/.dovecot.sieve"
printf 'require ["fileinto","copy"];\nfileinto :copy "Other";\n' > "$JH/.dovecot.sieve"
msg c4 x | "$DELIVER" -c "$T/tamis.conf" -o lda_mailbox_autocreate=yes -d jdoe@example.com 2>/dev/null
expect_eq "$(count "$JD/.Other")" 1 "stale cache recompiled (new script ran)"

finish
