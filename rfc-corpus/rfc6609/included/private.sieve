require ["include", "variables"];
global "trail";
# a local variable with the name of the includer's local one
set "mine" "included";
set "trail" "${trail} private:${mine}";
if header :matches "subject" "*" { set "trail" "${trail} m:${1}"; }
