require "variables";
# 63 characters: the longest name
set "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn" "ok";
# 64 characters: too long
set "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn" "no";
# match variables go up to ${32}
if string "${32}" "" { keep; }
if string "${33}" "" { keep; }
if string "${0100}" "" { keep; }
