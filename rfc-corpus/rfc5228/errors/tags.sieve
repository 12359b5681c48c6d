if header :is :contains "a" "b" { keep; }
if header :bogus "a" "b" { keep; }
if header "a" :is "b" { keep; }
