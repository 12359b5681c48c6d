require ["date", "index"];
if currentdate :index 1 "year" "2009" { keep; }
