require ["regex", "variables"];
# 22 letters and a mismatch: "(a+)+$" tries every way of splitting them,
# some 4 million steps, more than the match limit of one match
set "s" "aaaaaaaaaaaaaaaaaaaaaa!";
if string :regex "${s}" "^(a+)+$" { discard; }
