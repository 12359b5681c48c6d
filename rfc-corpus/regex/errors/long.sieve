require ["regex", "variables"];
# 4096 octets through patterns that backtrack once per octet
set "s" "abababababababababababababababab";
set "s" "${s}${s}${s}${s}${s}${s}${s}${s}";
set "s" "${s}${s}${s}${s}${s}${s}${s}${s}";
set "s" "${s}${s}";
if not string :regex "${s}" "^(a|b)*$" { stop; }
if not string :regex "${s}" "^(.*)b(.*)$" { stop; }
if string :regex "${s}" "^.*a.*a.*c" { stop; }
discard;
