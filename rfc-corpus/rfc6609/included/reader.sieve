require ["include", "variables"];
global "same";
set "same" "${same}+reader";
