require "date";
if currentdate :zone "year" "2009" { keep; }
