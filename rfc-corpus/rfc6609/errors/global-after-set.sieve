require ["include", "variables"];
set "x" "1";
global "x";
