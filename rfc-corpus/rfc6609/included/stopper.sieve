require ["include", "variables"];
global "trail";
set "trail" "${trail} stopper";
stop;
