discard;
stop;
keep;
redirect "x@example.com";
