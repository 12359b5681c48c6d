#!/bin/sh
# basic.sh BUILD SRC -- deliver without a script, users, exit codes.
set -u
B=$1
S=$2
. "$S/tests/lda/env.inc"

# 1. no script: INBOX, byte for byte, exit 0
msg m1 "hello" > "$T/m1"
deliver jdoe@example.com -f bob@example.org < "$T/m1"
expect_eq "$(rc)" 0 "plain delivery exits 0"
expect_eq "$(count "$JD")" 1 "one message in INBOX"
f=$(ls "$JD"/new/* 2>/dev/null | head -1)
cmp -s "$f" "$T/m1" && check ok "stored unchanged" || check no "stored unchanged"
case "$f" in *,S=$(wc -c < "$T/m1")*) check ok "S= size in name" ;; *) check no "S= size in name: $f" ;; esac
[ -z "$(ls "$JD/tmp")" ] && check ok "tmp/ empty after delivery" || check no "tmp/ empty after delivery"
grep -q 'msgid=<m1@example.org>: saved mail to INBOX' "$T/stderr" && check ok "log line" || { check no "log line"; cat "$T/stderr"; }

# 2. the userdb's mail field (alice) overrides mail_location
msg m2 "hi alice" bob@example.org alice@example.com | deliver alice@example.com
expect_eq "$(rc)" 0 "userdb mail= delivery"
expect_eq "$(count "$T/home/alice/Maildir")" 1 "alice's Maildir from userdb_mail"

# 3. unknown user: 67, nothing stored
msg m3 "who" | deliver nobody@example.com
expect_eq "$(rc)" 67 "unknown user exits 67"

# 4. username case and +detail are folded
msg m4 "case" | deliver JDoe@Example.COM
expect_eq "$(rc)" 0 "user name lowercased (auth_username_format %Lu)"
msg m5 "detail" | deliver jdoe+lists@example.com
expect_eq "$(rc)" 0 "user+detail found as user"
expect_eq "$(count "$JD")" 3 "both in jdoe's INBOX"

# 5. -m: into a folder; missing folder without autocreate -> INBOX
msg m6 "to work" | deliver jdoe@example.com -m Work
expect_eq "$(rc)" 0 "-m missing folder"
expect_eq "$(count "$JD")" 4 "-m missing folder falls back to INBOX"
msg m7 "to work" | "$DELIVER" -c "$T/tamis.conf" -o lda_mailbox_autocreate=yes -d jdoe@example.com -m Work 2>>"$T/stderr"
expect_eq "$(count "$JD/.Work")" 1 "-m with lda_mailbox_autocreate creates the folder"

# 6. -p reads a file; From_ line dropped
{ printf 'From bob@example.org  Wed Nov 25 10:00:00 2026\n'; msg m8 "from line"; } > "$T/m8"
deliver jdoe@example.com -p "$T/m8"
expect_eq "$(rc)" 0 "-p file"
grep -rl 'm8@example.org' "$JD/new" > "$T/f8"
if [ -s "$T/f8" ] && ! grep -q '^From bob' "$(cat "$T/f8")"; then check ok "From_ line removed"; else check no "From_ line removed"; fi

# 7. a broken configuration is a temporary failure, never a bounce
printf 'userdb {\n' > "$T/bad.conf"
msg m9 "x" | "$DELIVER" -c "$T/bad.conf" -d jdoe@example.com 2>/dev/null
expect_eq "$?" 75 "bad configuration exits 75"

# 8. unwritable Maildir: 75 (run as non-root only: root writes anyway)
if [ "$(id -u)" -ne 0 ]; then
	mkdir -p "$T/ro"; chmod 555 "$T/ro"
	msg m10 x | "$DELIVER" -c "$T/tamis.conf" -o "mail_location=maildir:$T/ro/x" -d jdoe@example.com 2>/dev/null
	expect_eq "$?" 75 "unwritable Maildir exits 75"
fi
# a Maildir path that is a file: 75 (as root too)
: > "$T/afile"
msg m11 x | "$DELIVER" -c "$T/tamis.conf" -o "mail_location=maildir:$T/afile/sub" -d jdoe@example.com 2>/dev/null
expect_eq "$?" 75 "Maildir under a file exits 75"

# 9. the embedded defaults: no -c, no -d, ~/Maildir of the invoking user
mkdir -p "$T/h"
msg m12 x | HOME="$T/h" TAMIS_CONFIG= "$DELIVER" -o first_valid_uid=0 -f a@b.c 2>/dev/null
expect_eq "$?" 0 "embedded defaults"
expect_eq "$(count "$T/h/Maildir")" 1 "embedded defaults deliver to ~/Maildir"

finish
