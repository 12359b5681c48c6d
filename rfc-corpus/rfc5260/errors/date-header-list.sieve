require "date";
if date ["date", "received"] "year" "2009" { keep; }
