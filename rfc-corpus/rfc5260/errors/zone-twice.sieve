require "date";
if currentdate :zone "+0100" :zone "+0200" "year" "2009" { keep; }
