require "body";
if body :localpart :raw "x" { keep; }
