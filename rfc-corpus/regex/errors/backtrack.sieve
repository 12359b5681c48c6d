require ["regex", "variables"];
# 21 letters and a mismatch: "(a+)+$" tries every way of splitting them,
# millions of steps: more than the match limit (one million), less than
# PCRE2's own default (ten million)
set "s" "aaaaaaaaaaaaaaaaaaaaa!";
if string :regex "${s}" "^(a+)+$" { discard; }
