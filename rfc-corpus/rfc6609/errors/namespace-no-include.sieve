require ["variables"];
set "global.x" "1";
set "y" "${global.x}";
