require ["include", "variables"];
global "trail";
set "trail" "${trail} nested";
include "counter";
include :once "counter";
