require "date";
if currentdate :originalzone "year" "2009" { keep; }
