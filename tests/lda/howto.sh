#!/bin/sh
# howto.sh BUILD SRC -- every Sieve example of the admin howto our users
# follow (tests/lda/howto/), end to end through deliver into a Maildir,
# checking the files and the mail handed to sendmail.
set -u
B=$1
S=$2
. "$S/tests/lda/env.inc"
H=$S/tests/lda/howto
JH=$T/home/jdoe
cat >> "$T/tamis.conf" <<EOT
plugin {
  sieve = file:~/sieve;active=~/.dovecot.sieve
  sieve_extensions = +vnd.dovecot.duplicate
}
namespace inbox {
  inbox = yes
  mailbox Spam {
    auto = subscribe
    special_use = \\\\Junk
  }
  mailbox Sent {
    auto = subscribe
    special_use = \\\\Sent
  }
  mailbox Trash {
    auto = no
    special_use = \\\\Trash
  }
}
EOT
use() { cp "$H/$1" "$JH/.dovecot.sieve"; }

# sorting on the subject: the folder exists (made by the user's mail
# client); fileinto a missing folder keeps the message in INBOX
use subject.sieve
msg s0 "testsieve before the folder exists" | deliver jdoe@example.com
expect_eq "$(count "$JD")" 1 "subject: folder missing: kept in INBOX"
grep -q 'mailbox Test does not exist' "$T/stderr" && check ok "subject: missing folder logged" || check no "subject: missing folder logged"
mkdir -p "$JD/.Test/new" "$JD/.Test/cur" "$JD/.Test/tmp"
msg s1 "un testsieve ici" | deliver jdoe@example.com
expect_eq "$(rc)" 0 "subject: exit 0"
expect_eq "$(count "$JD/.Test")" 1 "subject: filed into Test"
msg s2 "autre chose" | deliver jdoe@example.com
expect_eq "$(count "$JD")" 2 "subject: other mail kept in INBOX"
[ -f "$JH/.dovecot.svbin" ] && check ok "binary cached beside the script" || check no "binary cached beside the script"

# special-use mailboxes with auto = subscribe exist, auto = no do not
[ -d "$JD/.Spam/cur" ] && [ -d "$JD/.Sent/new" ] && check ok "auto = subscribe mailboxes created" || check no "auto = subscribe mailboxes created"
[ ! -d "$JD/.Trash" ] && check ok "auto = no mailbox not created" || check no "auto = no mailbox not created"
grep -qx Spam "$JD/subscriptions" 2>/dev/null && check ok "Spam subscribed" || check no "Spam subscribed"

# fileinto :create "Spam" on [SPAM]
use spam.sieve
rm -rf "$JD/.Spam"
msg s3 "[SPAM] buy now" | deliver jdoe@example.com
expect_eq "$(count "$JD/.Spam")" 1 "spam: filed into Spam"

# dedup, RFC 7352 form: second copy discarded
use dedup.sieve
msg d1 "first" > "$T/d1"
deliver jdoe@example.com < "$T/d1"
n1=$(count "$JD")
deliver jdoe@example.com < "$T/d1"
expect_eq "$(rc)" 0 "dedup: second copy exits 0"
expect_eq "$(count "$JD")" "$n1" "dedup: second copy discarded"
msg d2 "other" | deliver jdoe@example.com
expect_eq "$(count "$JD")" $((n1 + 1)) "dedup: a different Message-ID is kept"

# dedup, vnd.dovecot.duplicate form: second copy into Trash
use dedup-vnd.sieve
mkdir -p "$JD/.Trash/new" "$JD/.Trash/cur" "$JD/.Trash/tmp"
msg d3 "vnd" > "$T/d3"
deliver jdoe@example.com < "$T/d3"
deliver jdoe@example.com < "$T/d3"
expect_eq "$(count "$JD/.Trash")" 1 "vnd.dovecot.duplicate: second copy in Trash"

# redirect (alice forwards "Foo Bar" mail to jdoe)
cp "$H/redirect.sieve" "$T/home/alice/.dovecot.sieve"
o0=$(outcount)
msg r1 "about Foo Bar" bob@example.org alice@example.com > "$T/r1"
deliver alice@example.com -f bob@example.org < "$T/r1"
expect_eq "$(rc)" 0 "redirect: exit 0"
expect_eq "$(outcount)" $((o0 + 1)) "redirect: one message to sendmail"
expect_eq "$(count "$T/home/alice/Maildir")" 0 "redirect: not kept"
last=$T/out/$o0
grep -qx 'jdoe@example.com' "$last/args" && check ok "redirect: recipient" || check no "redirect: recipient"
grep -qx 'bob@example.org' "$last/args" && check ok "redirect: envelope sender kept" || check no "redirect: envelope sender kept"
grep -q '^Subject: about Foo Bar' "$last/msg" && tail -n 1 "$last/msg" | grep -q 'Body of r1' && check ok "redirect: message intact" || check no "redirect: message intact"

# anyof / address :domain / elsif chain
use conditions.sieve
msg c1 "hi" someone@qq.com | deliver jdoe@example.com
expect_eq "$(count "$JD/.QQ")" 0 "conditions: QQ folder does not exist: kept in INBOX instead"
printf 'From: x@y.org\nTo: jdoe@example.com\nX-Baz: some Qux\nSubject: s\nMessage-ID: <c2@x>\n\nb\n' | deliver jdoe@example.com
expect_eq "$(count "$JD/.Foo")" 0 "conditions: Foo missing: kept"
msg c3 "Bar none" | deliver jdoe@example.com
expect_eq "$(rc)" 0 "conditions: discard exits 0"

# vacation, :days 1, reply once per sender
use vacation-days.sieve
o0=$(outcount)
msg v1 "question" carol@example.org jdoe@example.com | deliver jdoe@example.com -f carol@example.org
expect_eq "$(outcount)" $((o0 + 1)) "vacation: one reply"
last=$T/out/$o0
grep -q "^Subject: Message d'absence" "$last/msg" && check ok "vacation: subject" || check no "vacation: subject"
grep -qi '^Auto-Submitted: auto-replied' "$last/msg" && check ok "vacation: Auto-Submitted" || check no "vacation: Auto-Submitted"
grep -qx 'carol@example.org' "$last/args" && check ok "vacation: to the sender" || check no "vacation: to the sender"
grep -q 'In-Reply-To: <v1@example.org>' "$last/msg" && check ok "vacation: In-Reply-To" || check no "vacation: In-Reply-To"
msg v2 "again" carol@example.org jdoe@example.com | deliver jdoe@example.com -f carol@example.org
expect_eq "$(outcount)" $((o0 + 1)) "vacation: no second reply within :days"
msg v3 "list" carol@example.org jdoe@example.com | sed 's/^Subject/Precedence: bulk\nSubject/' | deliver jdoe@example.com -f dave@example.org
expect_eq "$(outcount)" $((o0 + 1)) "vacation: no reply to bulk mail"
msg v4 "bcc" erin@example.org someone@else.org | deliver jdoe@example.com -f erin@example.org
expect_eq "$(outcount)" $((o0 + 1)) "vacation: no reply when not in To/Cc"

# vacation with variables: "Re: ${1}"
use vacation-variables.sieve
o0=$(outcount)
msg v5 "Meeting monday" frank@example.org jdoe@example.com | deliver jdoe@example.com -f frank@example.org
expect_eq "$(outcount)" $((o0 + 1)) "vacation+variables: one reply"
grep -q '^Subject: Re: Meeting monday' "$T/out/$o0/msg" && check ok "vacation+variables: subject from match" || check no "vacation+variables: subject from match"

finish
