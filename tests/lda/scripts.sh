#!/bin/sh
# scripts.sh BUILD SRC -- deliver's Sieve sequence and storage details:
# sieve_before / sieve_after (files and directories), the multiscript keep
# rules (the sequence goes on while the keep is in effect; stop ends one
# script; a later reject after an earlier store),
# sieve_default, imap4flags into Maildir flags and dovecot-keywords, a home
# where the binary cannot be cached, the userdb "sieve" field.
set -u
B=$1
S=$2
. "$S/tests/lda/env.inc"
JH=$T/home/jdoe
mkdir -p "$T/before.d" "$T/after"
printf 'require ["fileinto", "mailbox"];\nif header :contains "subject" "[list]" { fileinto :create "Lists"; }\n' > "$T/before.d/10-lists.sieve"
printf 'require ["imap4flags"];\naddflag "\\\\Flagged";\n' > "$T/before.d/20-flag.sieve"
printf 'require ["fileinto", "mailbox"];\nif header :contains "subject" "after" { fileinto :create "After"; }\n' > "$T/after/a.sieve"
cat >> "$T/tamis.conf" <<EOT
plugin {
  sieve_before = $T/before.d
  sieve_after = $T/after/a.sieve
}
EOT

# 1. before runs first (the flag it sets reaches the user's keep), the
#    user's script, then after
printf 'require ["imap4flags", "fileinto"];\naddflag "\\\\Seen";\nif header :contains "subject" "stop" { stop; }\n' > "$JH/.dovecot.sieve"
msg s1 "hello after" | deliver jdoe@example.com
expect_eq "$(rc)" 0 "sequence: exit 0"
expect_eq "$(count "$JD/.After")" 1 "sieve_after ran"
f=$(ls "$JD"/.After/cur/* 2>/dev/null | head -1)
case "$f" in *:2,FS) check ok "flags set by before and user scripts reach sieve_after's fileinto" ;; *) check no "internal flags across scripts: $f" ;; esac
msg s2 "stop after" | deliver jdoe@example.com
expect_eq "$(count "$JD/.After")" 2 "stop ends only the user's script: sieve_after still runs"
msg s2b "stop here" | deliver jdoe@example.com
f=$(ls "$JD"/cur/* 2>/dev/null | head -1)
case "$f" in *:2,FS) check ok "flags on the implicit keep" ;; *) check no "flags on the implicit keep: $f" ;; esac
# the sequence goes on only while the keep is in effect
printf 'require ["fileinto", "mailbox"];\nfileinto :create "Mine";\n' > "$JH/.dovecot.sieve"
msg s2c "after filed" | deliver jdoe@example.com
expect_eq "$(count "$JD/.Mine")" 1 "user's fileinto stored"
expect_eq "$(count "$JD/.After")" 2 "fileinto cancelled the keep: sieve_after skipped"
printf 'require ["fileinto", "mailbox"];\nfileinto :create "Mine";\nkeep;\n' > "$JH/.dovecot.sieve"
msg s2d "after kept" | deliver jdoe@example.com
expect_eq "$(count "$JD/.After")" 3 "explicit keep: sieve_after runs"
printf 'require ["fileinto", "mailbox", "copy"];\nfileinto :copy :create "Mine";\n' > "$JH/.dovecot.sieve"
msg s2e "after copied" | deliver jdoe@example.com
expect_eq "$(count "$JD/.After")" 4 "fileinto :copy keeps the keep: sieve_after runs"
expect_eq "$(count "$JD/.Mine")" 3 "both user fileintos stored"
printf 'discard;\n' > "$JH/.dovecot.sieve"
n0=$(count "$JD")
msg s2f "after discarded" | deliver jdoe@example.com
expect_eq "$(count "$JD/.After")" 4 "discard: sieve_after skipped"
expect_eq "$(count "$JD")" "$n0" "discard: nothing stored"
# a reject after an earlier script's fileinto :copy is no conflict: that
# store counts as done (the copy is archived, the sender gets the rejection)
printf 'require ["fileinto", "copy", "mailbox"];\nif header :contains "subject" "archive" { fileinto :copy :create "Archive"; }\n' > "$T/before.d/30-archive.sieve"
printf 'require "reject";\nif header :contains "subject" "archive" { reject "no thanks"; }\n' > "$JH/.dovecot.sieve"
o0=$(outcount)
n0=$(count "$JD")
msg s2g "archive me" | deliver jdoe@example.com
expect_eq "$(rc)" 0 "before fileinto :copy, user reject: exit 0"
expect_eq "$(count "$JD/.Archive")" 1 "earlier script's copy stored"
expect_eq "$(outcount)" $((o0 + 1)) "later script's rejection sent"
expect_eq "$(count "$JD")" "$n0" "rejected: not kept in INBOX"
rm -f "$T/before.d/30-archive.sieve" "$T/before.d/30-archive.svbin"
printf 'require ["imap4flags", "fileinto"];\naddflag "\\\\Seen";\nif header :contains "subject" "stop" { stop; }\n' > "$JH/.dovecot.sieve"
msg s3 "[list] x" | deliver jdoe@example.com
expect_eq "$(count "$JD/.Lists")" 1 "sieve_before directory scripts ran"

# 2. keywords: dovecot-keywords and the letters in the name
printf 'require ["imap4flags", "fileinto", "mailbox"];\nfileinto :create :flags ["$Label1", "\\\\Answered", "Work"] "Tagged";\n' > "$JH/.dovecot.sieve"
msg s4 "tags" | deliver jdoe@example.com
f=$(ls "$JD"/.Tagged/cur/* 2>/dev/null | head -1)
case "$f" in *:2,Rab) check ok "system flags and keyword letters in the name" ;; *) check no "flags in the name: $f" ;; esac
grep -q '^0 \$Label1$' "$JD/.Tagged/dovecot-keywords" && grep -q '^1 Work$' "$JD/.Tagged/dovecot-keywords" && check ok "dovecot-keywords written" || { check no "dovecot-keywords written"; cat "$JD/.Tagged/dovecot-keywords"; }

# 3. a binary that cannot be written: compiled in memory, delivered anyway
printf 'require ["fileinto", "mailbox"];\nfileinto :create "Mem";\n' > "$JH/.dovecot.sieve"
rm -f "$JH/.dovecot.svbin"
mkdir "$JH/.dovecot.svbin"
msg s5 "mem" | deliver jdoe@example.com
expect_eq "$(rc)" 0 "uncacheable binary: exit 0"
expect_eq "$(count "$JD/.Mem")" 1 "uncacheable binary: script ran from memory"
rmdir "$JH/.dovecot.svbin"

# 4. no personal script: sieve_default
rm -f "$JH/.dovecot.sieve"
printf 'require ["fileinto", "mailbox"];\nfileinto :create "Default";\n' > "$T/default.sieve"
msg s6 "default" | "$DELIVER" -c "$T/tamis.conf" -o "sieve_default=$T/default.sieve" -d jdoe@example.com 2>>"$T/stderr"
expect_eq "$(count "$JD/.Default")" 1 "sieve_default runs when the user has no script"

# 5. the userdb's sieve field (alice has one in the users file? add it)
printf 'require ["fileinto", "mailbox"];\nfileinto :create "FromField";\n' > "$T/alice.sieve"
sed -i "s|^alice@example.com:\\(.*\\)$|alice@example.com:\\1 userdb_sieve=$T/alice.sieve|" "$T/users"
sed -i "/sieve_after/d" "$T/tamis.conf"
cp "$T/tamis.conf" "$T/nosieve.conf"
sed -i '/^plugin {/,/^}/d' "$T/nosieve.conf"
msg s7 "field" alice@example.com | "$DELIVER" -c "$T/nosieve.conf" -d alice@example.com 2>>"$T/stderr"
expect_eq "$(count "$T/home/alice/Maildir/.FromField")" 1 "userdb sieve field names the script"

# 6. mail_plugins without sieve: no filtering
printf 'discard;\n' > "$JH/.dovecot.sieve"
n0=$(count "$JD")
sed -i 's/mail_plugins = sieve/mail_plugins = quota/' "$T/nosieve.conf"
msg s8 "plain" | "$DELIVER" -c "$T/nosieve.conf" -d jdoe@example.com 2>>"$T/stderr"
expect_eq "$(count "$JD")" $((n0 + 1)) "mail_plugins without sieve: no script run"

# 6b. a runtime error in a later script: the earlier script's action stands,
#     the failing script's go, the message is kept
printf 'require ["fileinto", "mailbox", "copy"];\nfileinto :copy :create "Early";\n' > "$T/early.sieve"
printf 'require ["fileinto", "mailbox", "variables"];\nfileinto :create "Late";\nset "a" "not an address";\nredirect "${a}";\n' > "$JH/.dovecot.sieve"
cp "$T/nosieve.conf" "$T/seq.conf"
sed -i 's/mail_plugins = quota/mail_plugins = sieve/' "$T/seq.conf"
printf 'plugin {\n  sieve_before = %s\n}\n' "$T/early.sieve" >> "$T/seq.conf"
n0=$(count "$JD")
msg rt1 "runtime" | "$DELIVER" -c "$T/seq.conf" -d jdoe@example.com 2>>"$T/stderr"
expect_eq "$(count "$JD/.Early")" 1 "runtime error later: the earlier script's fileinto stands"
expect_eq "$(count "$JD/.Late")" 0 "runtime error later: the failing script's actions dropped"
expect_eq "$(count "$JD")" $((n0 + 1)) "runtime error later: message kept in INBOX"

# 7. sieve_global_extensions: only global scripts may use them
printf 'require "vnd.dovecot.duplicate";\nif duplicate { discard; stop; }\n' > "$T/g.sieve"
printf 'keep;\n' > "$JH/.dovecot.sieve"
cp "$T/nosieve.conf" "$T/global.conf"
sed -i 's/mail_plugins = quota/mail_plugins = sieve/' "$T/global.conf"
printf 'plugin {\n  sieve_before = %s\n  sieve_global_extensions = vnd.dovecot.duplicate\n}\n' "$T/g.sieve" >> "$T/global.conf"
msg g1 "global" > "$T/g1"
n0=$(count "$JD")
"$DELIVER" -c "$T/global.conf" -d jdoe@example.com < "$T/g1" 2>>"$T/stderr"
"$DELIVER" -c "$T/global.conf" -d jdoe@example.com < "$T/g1" 2>>"$T/stderr"
expect_eq "$(count "$JD")" $((n0 + 1)) "global script uses a sieve_global_extensions extension"
printf 'require "vnd.dovecot.duplicate";\nif duplicate { discard; }\n' > "$JH/.dovecot.sieve"
sed -i "s|sieve_before = .*|sieve_before =|" "$T/global.conf"
"$DELIVER" -c "$T/global.conf" -d jdoe@example.com < "$T/g1" 2>>"$T/stderr"
expect_eq "$(count "$JD")" $((n0 + 2)) "the user's script may not (compile error: kept)"
grep -q 'vnd.dovecot.duplicate' "$JH/.dovecot.sieve.log" && check ok "the user's log says why" || check no "the user's log says why"

finish
