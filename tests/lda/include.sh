#!/bin/sh
# include.sh BUILD SRC -- RFC 6609 include through deliver: :personal
# scripts from the user's script directory (the sieve setting's
# "file:~/sieve;active=~/.dovecot.sieve"), :global ones from sieve_global,
# global variables across them, and the cached binary recompiled when an
# included script changes or an :optional one appears.
set -u
B=$1
S=$2
. "$S/tests/lda/env.inc"
JH=$T/home/jdoe
mkdir -p "$JH/sieve" "$T/global"
cat >> "$T/tamis.conf" <<EOT
plugin {
  sieve = file:~/sieve;active=~/.dovecot.sieve
  sieve_global = $T/global
}
EOT
cat > "$JH/sieve/main.sieve" <<'EOT'
require ["include", "variables", "fileinto", "mailbox"];
global "box";
include :personal "lists";
include :global "spam";
include :optional "extra";
if string :is "${box}" "" { return; }
fileinto :create "${box}";
EOT
ln -s sieve/main.sieve "$JH/.dovecot.sieve"
cat > "$JH/sieve/lists.sieve" <<'EOT'
require ["include", "variables"];
global "box";
if header :contains "subject" "[list]" { set "box" "Lists"; }
EOT
cat > "$T/global/spam.sieve" <<'EOT'
require ["include", "variables"];
if header :contains "subject" "viagra" { set "global.box" "Junk"; }
EOT

# 1. personal include sets the global variable the main script files by
msg i1 "[list] hello" | deliver jdoe@example.com
expect_eq "$(rc)" 0 "include: exit 0"
expect_eq "$(count "$JD/.Lists")" 1 ":personal script from ~/sieve ran"
[ -f "$JH/.dovecot.svbin" ] && check ok "binary cached" || check no "binary cached"

# 2. the global script from sieve_global, through the global namespace
msg i2 "cheap viagra" | deliver jdoe@example.com
expect_eq "$(count "$JD/.Junk")" 1 ":global script from sieve_global ran"

# 3. no match: return in the main script, implicit keep
msg i3 "plain" | deliver jdoe@example.com
expect_eq "$(count "$JD")" 1 "return keeps implicitly"

# 4. an included script changes: the cached binary is not used
sleep 1
cat > "$JH/sieve/lists.sieve" <<'EOT'
require ["include", "variables"];
global "box";
if header :contains "subject" "[list]" { set "box" "Lists2"; }
EOT
msg i4 "[list] again" | deliver jdoe@example.com
expect_eq "$(count "$JD/.Lists2")" 1 "changed included script recompiled"
expect_eq "$(count "$JD/.Lists")" 1 "old included code not run"

# 5. an :optional script that appears is picked up
printf 'require ["include", "variables"];\nglobal "box";\nif header :contains "subject" "urgent" { set "box" "Urgent"; }\n' > "$JH/sieve/extra.sieve"
msg i5 "urgent thing" | deliver jdoe@example.com
expect_eq "$(count "$JD/.Urgent")" 1 "appeared :optional script is run"

# 6. a missing non-optional include: compile error logged, message kept
printf 'require "include";\ninclude "nosuch";\ndiscard;\n' > "$JH/sieve/main.sieve"
msg i6 "kept" | deliver jdoe@example.com
expect_eq "$(rc)" 0 "broken include: exit 0"
expect_eq "$(count "$JD")" 2 "broken include: kept in INBOX"
grep -q "nosuch" "$JH/sieve/main.sieve.log" "$JH/.dovecot.sieve.log" "$T/stderr" 2>/dev/null && check ok "error names the missing script" || check no "error names the missing script"
finish
