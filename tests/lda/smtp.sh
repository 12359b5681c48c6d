#!/bin/sh
# smtp.sh BUILD SRC -- outgoing mail over SMTP (submission_host) to a fake
# server (fakesmtp.py): redirect with dot-stuffing and CRLF, refusals and
# an unreachable or silent server fall back to keep, HELO fallback,
# vacation and reject replies.
set -u
B=$1
S=$2
. "$S/tests/lda/env.inc"
JH=$T/home/jdoe
if ! command -v python3 >/dev/null 2>&1; then
	echo "python3 not found: skipped"
	exit 0
fi
# every deliver is bounded, whatever happens to the server
cat > "$T/deliver-t" <<EOT
#!/bin/sh
exec timeout 60 "$B/lda/deliver" "\$@"
EOT
chmod +x "$T/deliver-t"
DELIVER=$T/deliver-t

SD=$T/smtp
mkdir -p "$SD"
python3 "$S/tests/lda/fakesmtp.py" "$SD" 2>"$T/smtpd.err" &
SPID=$!
trap 'kill "$SPID" 2>/dev/null; [ -n "${TAMIS_TEST_KEEP:-}" ] && echo "kept $T" || rm -rf "$T"' EXIT
i=0
while [ ! -f "$SD/port" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
if [ ! -f "$SD/port" ]; then
	check no "fake SMTP server started"
	cat "$T/smtpd.err"
	finish
	exit 1
fi
PORT=$(cat "$SD/port")
echo "submission_host = 127.0.0.1:$PORT" >> "$T/tamis.conf"

# the number of SMTP connections so far; the log of connection N
conns() { ls "$SD" | grep -c '^[0-9]*$'; }
# waits (bounded) until connection N has ended on the server side
waitdone() {
	_i=0
	while [ ! -f "$SD/$1/done" ] && [ $_i -lt 50 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
}
mode() { printf '%s\n' "$@" > "$SD/mode"; }

# 1. a redirect goes out over SMTP: envelope, EHLO name, body with lines
# that start with '.', CRLF on the wire; sendmail is not used
printf 'redirect "alice@example.org";\n' > "$JH/.dovecot.sieve"
printf 'Return-Path: <bob@example.org>\nFrom: bob@example.org\nTo: jdoe@example.com\nSubject: dots\nMessage-ID: <s1@example.org>\n\nfirst\n.leading dot\n..two dots\n.\nlast line without newline' > "$T/s1"
c0=$(conns)
deliver jdoe@example.com -f bob@example.org < "$T/s1"
waitdone $c0
expect_eq "$(rc)" 0 "redirect: exit 0"
expect_eq "$(conns)" $((c0 + 1)) "redirect: one SMTP connection"
expect_eq "$(outcount)" 0 "redirect: sendmail not used"
expect_eq "$(count "$JD")" 0 "redirect: not kept"
expect_eq "$(sed -n 1p "$SD/$c0/log")" "EHLO mx.example.com" "redirect: EHLO with hostname"
expect_eq "$(sed -n 2p "$SD/$c0/log")" "MAIL FROM:<bob@example.org>" "redirect: MAIL FROM"
expect_eq "$(sed -n 3p "$SD/$c0/log")" "RCPT TO:<alice@example.org>" "redirect: RCPT TO"
expect_eq "$(sed -n 4p "$SD/$c0/log")" "DATA" "redirect: DATA"
expect_eq "$(sed -n 5p "$SD/$c0/log")" "QUIT" "redirect: QUIT"
grep -q '^X-Sieve-Redirected-From: jdoe@example.com$' "$SD/$c0/data" && check ok "redirect: trace header" || check no "redirect: trace header"
grep -q '^Return-Path:' "$SD/$c0/data" && check no "redirect: Return-Path removed" || check ok "redirect: Return-Path removed"
# the body arrives exactly (after un-dot-stuffing), the last line ended
printf 'first\n.leading dot\n..two dots\n.\nlast line without newline\n' > "$T/s1.body"
sed '1,/^$/d' "$SD/$c0/data" > "$T/s1.got"
cmp -s "$T/s1.got" "$T/s1.body" && check ok "redirect: body intact (dot-stuffing)" || { check no "redirect: body intact (dot-stuffing)"; cat -A "$T/s1.got"; }
[ ! -f "$SD/$c0/bare" ] && check ok "redirect: CRLF line ends" || check no "redirect: CRLF line ends"

# a message with CRLF line ends (and a lone CR) keeps one CR LF a line
printf 'redirect "alice@example.org";\n' > "$JH/.dovecot.sieve"
printf 'From: bob@example.org\r\nSubject: crlf\r\nMessage-ID: <s1b@example.org>\r\n\r\none\r\n.two\r\nthree\rfour\r\n' > "$T/s1b"
c0=$(conns)
deliver jdoe@example.com -f bob@example.org < "$T/s1b"
waitdone $c0
printf 'one\n.two\nthree\nfour\n' > "$T/s1b.body"
sed '1,/^$/d' "$SD/$c0/data" > "$T/s1b.got"
cmp -s "$T/s1b.got" "$T/s1b.body" && check ok "CRLF message: one CR LF a line, lone CR ended" || { check no "CRLF message: one CR LF a line, lone CR ended"; cat -A "$SD/$c0/data"; }
[ ! -f "$SD/$c0/bare" ] && check ok "CRLF message: CRLF line ends" || check no "CRLF message: CRLF line ends"

# 2. RCPT refused: logged with the server's reply, kept in INBOX, exit 0
mode "RCPT 550 5.1.1 no such user"
c0=$(conns)
msg s2 "refused" | deliver jdoe@example.com -f bob@example.org
waitdone $c0
expect_eq "$(rc)" 0 "RCPT refused: exit 0"
expect_eq "$(count "$JD")" 1 "RCPT refused: kept in INBOX"
grep -q "submission_host 127.0.0.1:$PORT: RCPT TO <alice@example.org>: 550 5.1.1 no such user" "$T/stderr" && check ok "RCPT refused: message" || { check no "RCPT refused: message"; tail -3 "$T/stderr"; }
grep -q '^DATA' "$SD/$c0/log" && check no "RCPT refused: no DATA" || check ok "RCPT refused: no DATA"
grep -q '^QUIT' "$SD/$c0/log" && check ok "RCPT refused: QUIT" || check no "RCPT refused: QUIT"

# 3. temporary failures: MAIL 451, a multi-line 421 greeting, end of DATA
mode "MAIL 451 4.3.0 try again later"
msg s3 "tempfail" | deliver jdoe@example.com -f bob@example.org
expect_eq "$(count "$JD")" 2 "MAIL 451: kept in INBOX"
grep -q 'MAIL FROM <bob@example.org>: 451 4.3.0 try again later' "$T/stderr" && check ok "MAIL 451: message" || check no "MAIL 451: message"
mode "GREETING 421-fake.example busy\\n421 4.3.2 come back later"
msg s4 "busy" | deliver jdoe@example.com -f bob@example.org
expect_eq "$(count "$JD")" 3 "greeting 421: kept in INBOX"
grep -q 'greeting: 421 fake.example busy; 4.3.2 come back later' "$T/stderr" && check ok "greeting 421: multi-line reply in the message" || { check no "greeting 421: multi-line reply in the message"; tail -3 "$T/stderr"; }
mode "DOT 554 5.7.1 looks like spam"
msg s5 "spam" | deliver jdoe@example.com -f bob@example.org
expect_eq "$(count "$JD")" 4 "end of DATA 554: kept in INBOX"
grep -q 'end of DATA: 554 5.7.1 looks like spam' "$T/stderr" && check ok "end of DATA 554: message" || check no "end of DATA 554: message"

# 4. EHLO not understood: HELO, and the message goes out
mode "EHLO 502 5.5.2 what"
c0=$(conns)
msg s6 "old server" | deliver jdoe@example.com -f bob@example.org
waitdone $c0
expect_eq "$(count "$JD")" 4 "HELO fallback: sent, not kept"
expect_eq "$(sed -n 2p "$SD/$c0/log")" "HELO mx.example.com" "HELO fallback: HELO sent"
grep -q 'Subject: old server' "$SD/$c0/data" 2>/dev/null && check ok "HELO fallback: message arrived" || check no "HELO fallback: message arrived"
mode

# 5. server down: connection refused, kept in INBOX, exit 0
DOWN=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
msg s7 "down" | "$DELIVER" -c "$T/tamis.conf" -o "submission_host=127.0.0.1:$DOWN" -d jdoe@example.com -f bob@example.org 2>>"$T/stderr"
expect_eq "$?" 0 "server down: exit 0"
expect_eq "$(count "$JD")" 5 "server down: kept in INBOX"
grep -q "submission_host 127.0.0.1:$DOWN: connect: Connection refused" "$T/stderr" && check ok "server down: message" || { check no "server down: message"; tail -3 "$T/stderr"; }

# 6. a silent server: submission_timeout bounds the wait
mode "SILENT"
t0=$(date +%s)
msg s8 "silent" | "$DELIVER" -c "$T/tamis.conf" -o submission_timeout=2s -d jdoe@example.com -f bob@example.org 2>>"$T/stderr"
r=$?
t1=$(date +%s)
expect_eq "$r" 0 "silent server: exit 0"
expect_eq "$(count "$JD")" 6 "silent server: kept in INBOX"
[ $((t1 - t0)) -le 10 ] && check ok "silent server: gave up after the timeout" || check no "silent server: gave up after the timeout ($((t1 - t0)) s)"
grep -q 'greeting: timed out after 2 s' "$T/stderr" && check ok "silent server: message" || { check no "silent server: message"; tail -3 "$T/stderr"; }
mode

# 7. a vacation reply goes out over SMTP, from the null sender
printf 'require "vacation";\nvacation :days 1 :subject "Away" "I am away until Monday.";\n' > "$JH/.dovecot.sieve"
c0=$(conns)
msg s9 "question" bob@example.org jdoe@example.com | deliver jdoe@example.com -f bob@example.org
waitdone $c0
expect_eq "$(rc)" 0 "vacation: exit 0"
expect_eq "$(count "$JD")" 7 "vacation: message kept"
expect_eq "$(conns)" $((c0 + 1)) "vacation: one SMTP connection"
expect_eq "$(sed -n 2p "$SD/$c0/log")" "MAIL FROM:<>" "vacation: from the null sender"
expect_eq "$(sed -n 3p "$SD/$c0/log")" "RCPT TO:<bob@example.org>" "vacation: to the sender"
grep -q 'I am away until Monday.' "$SD/$c0/data" 2>/dev/null && check ok "vacation: reply text" || check no "vacation: reply text"
grep -q '^Auto-Submitted: auto-replied' "$SD/$c0/data" 2>/dev/null && check ok "vacation: Auto-Submitted" || check no "vacation: Auto-Submitted"
expect_eq "$(outcount)" 0 "vacation: sendmail not used"

# 8. reject: the rejection goes out over SMTP too
printf 'require "reject";\nreject "No thanks.";\n' > "$JH/.dovecot.sieve"
c0=$(conns)
msg s10 "unwanted" | deliver jdoe@example.com -f bob@example.org
waitdone $c0
expect_eq "$(sed -n 2p "$SD/$c0/log")" "MAIL FROM:<>" "reject: from the null sender"
grep -q 'No thanks.' "$SD/$c0/data" 2>/dev/null && check ok "reject: reason sent" || check no "reject: reason sent"
expect_eq "$(count "$JD")" 7 "reject: not stored"

finish
