require ["date", "index"];
if header :index "to" "x" { keep; }
