require ["include", "variables"];
global "1";
global "a.b";
set "global.data.from" "me@example.com";
set "global.12" "value";
set "x" "${global.a.b}";
