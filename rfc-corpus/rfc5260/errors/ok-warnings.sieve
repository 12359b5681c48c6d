require ["date", "index", "variables"];
# only warnings: an unknown date part, a :zone that is no zone
if date "date" "fortnight" "1" { keep; }
if currentdate :zone "CET" "year" "2009" { keep; }
# a header name from a variable is checked at run time
set "h" "date";
if date :index 2 :last "${h}" "year" "2009" { keep; }
if header :last :index 1 "to" "x" { keep; }
