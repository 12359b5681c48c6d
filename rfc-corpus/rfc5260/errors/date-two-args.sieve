require "date";
if date "date" "year" { keep; }
