if date "date" "year" "2009" { keep; }
