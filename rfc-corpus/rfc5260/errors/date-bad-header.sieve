require "date";
if date "da te" "year" "2009" { keep; }
