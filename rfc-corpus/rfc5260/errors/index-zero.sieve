require ["date", "index"];
if address :index 0 "to" "x@example.com" { keep; }
