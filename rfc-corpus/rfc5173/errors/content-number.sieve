require "body";
if body :content 1 "x" { keep; }
