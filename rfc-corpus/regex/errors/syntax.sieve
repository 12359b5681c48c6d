require "regex";
# unterminated bracket expression
if header :regex "subject" "^re: [a-z" { discard; }
# nothing to repeat
if header :regex "subject" "*spam" { discard; }
# PCRE2 syntax that POSIX ERE refuses
if header :regex "subject" "(?i)spam" { discard; }
if header :regex "subject" "(*UTF)spam" { discard; }
# collating elements
if header :regex "subject" "[[.a.]]" { discard; }
# one bad key in a list is enough; the good one is fine
if address :regex "from" ["^ok@example\\.com$", "(unclosed"] { discard; }
