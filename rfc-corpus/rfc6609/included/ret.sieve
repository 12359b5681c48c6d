require ["include", "variables"];
global "trail";
set "trail" "${trail} ret1";
return;
set "trail" "${trail} ret2";
