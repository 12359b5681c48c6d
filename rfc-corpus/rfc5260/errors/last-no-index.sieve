require ["date", "index"];
if date :last "date" "year" "2009" { keep; }
