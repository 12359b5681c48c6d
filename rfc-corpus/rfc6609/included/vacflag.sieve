require ["include", "variables"];
set "global.i_am_on_vacation" "1";
set "same" "included-local";
