require "variables";
set "one" "1";
set "two" "2";
set "ONE" "setting a declared variable again (names ignore case)";
set "three" "3";
set "four" "4";
set "five" "5";
set "two" "again";
